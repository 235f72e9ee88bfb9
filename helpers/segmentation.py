"""Semantic segmentation with a real network: DeepLab v3 (MobileNetV2 backbone, PASCAL VOC).

``deeplabv3_mnv2_pascal_quant.tflite`` (Apache-2.0, 2 MB, in :data:`helpers._course.downloads.REGISTRY`)
gives every pixel one of 21 PASCAL VOC classes (0 = background).  It runs through the LiteRT
interpreter (``ai-edge-litert``): input one 513×513 RGB ``uint8`` image, output a 513×513 map
of class indices (the arg-max is inside the model).

A photo of another size is scaled so that its longer side is 513, placed in the top-left
corner of a 513×513 canvas filled with grey 128 (the value the model reads as 0, as DeepLab
pads), segmented, and the valid part of the map is scaled back to the photo's own size
(nearest neighbour).  So :func:`segment` answers with one class per *photo* pixel, and the
map lies exactly over the photo.  ``resize_back=False`` keeps the model's 513×513 map.
"""

from __future__ import annotations

import numpy as np

from ._course import downloads
from .imagenet import interpreter, load_photo

MODEL_FILE = "deeplabv3_mnv2_pascal_quant.tflite"
LABELS_FILE = "pascal_voc_segmentation_labels.txt"
SIZE = 513
PAD_VALUE = 128          # the input's zero point: (128 − 128) / 128 = 0


def class_names() -> list[str]:
    """The 21 PASCAL VOC class names, index = class number (0 ``background`` … 20 ``tvmonitor``).

    The labels file ends with a note about label 255 after a blank line; that is not a class.

    Example:
        >>> needs("deeplabv3_mnv2_pascal_quant.tflite", "pascal_voc_segmentation_labels.txt")
        >>> names = class_names()
        >>> len(names), names[0], names[3], names[12]
        (21, 'background', 'bird', 'dog')
    """
    path = downloads.verify(LABELS_FILE, downloads.fetch(LABELS_FILE))
    lines = path.read_text(encoding="utf-8").splitlines()
    names = lines[:lines.index("")] if "" in lines else lines
    return [name.strip() for name in names]


def model_input(photo) -> tuple[np.ndarray, tuple[int, int]]:
    """The 513×513 ``uint8`` image the model reads, and the (height, width) the photo fills in it.

    Example:
        >>> canvas, (height, width) = model_input(np.zeros((300, 600, 3), np.uint8))
        >>> canvas.shape, (height, width), int(canvas[400, 0, 0])
        ((513, 513, 3), (256, 513), 128)
    """
    from PIL import Image

    image = load_photo(photo)
    scale = SIZE / max(image.shape[:2])
    height, width = (max(1, min(SIZE, round(side * scale))) for side in image.shape[:2])
    canvas = np.full((SIZE, SIZE, 3), PAD_VALUE, np.uint8)
    canvas[:height, :width] = np.asarray(Image.fromarray(image).resize((width, height), Image.BILINEAR))
    return canvas, (height, width)


def segment(photo, resize_back: bool = True) -> np.ndarray:
    """The class of every pixel (``uint8`` class indices into :func:`class_names`).

    Default: a map of the photo's own size (H, W).  ``resize_back=False``: the model's own
    513×513 map, grey padding included.

    Example:
        >>> needs("deeplabv3_mnv2_pascal_quant.tflite", "pascal_voc_segmentation_labels.txt", "bird_segmentation.png")
        >>> classes = segment(downloads.fetch("bird_segmentation.png"))
        >>> classes.shape, [name for name, share in class_shares(classes)]
        ((513, 513), ['background', 'bird'])
    """
    image = load_photo(photo)
    canvas, (height, width) = model_input(image)
    opened = interpreter(MODEL_FILE)
    opened.set_tensor(opened.get_input_details()[0]["index"], canvas[None])
    opened.invoke()
    classes = opened.get_tensor(opened.get_output_details()[0]["index"])[0].astype(np.uint8)
    if not resize_back:
        return classes
    from PIL import Image

    valid = Image.fromarray(classes[:height, :width])
    return np.asarray(valid.resize((image.shape[1], image.shape[0]), Image.NEAREST))


def class_shares(classes, min_share: float = 0.0) -> list[tuple[str, float]]:
    """The classes present in a class map with their share of the pixels, largest first.

    Example:
        >>> needs("deeplabv3_mnv2_pascal_quant.tflite", "pascal_voc_segmentation_labels.txt")
        >>> class_shares(np.array([[0, 0, 12, 12], [0, 0, 0, 15]]))
        [('background', 0.625), ('dog', 0.25), ('person', 0.125)]
    """
    classes = np.asarray(classes)
    counts = np.bincount(classes.ravel(), minlength=len(class_names()))
    names = class_names()
    shares = [(names[index], float(count / classes.size)) for index, count in enumerate(counts)
              if count and count / classes.size >= min_share]
    return sorted(shares, key=lambda pair: -pair[1])


def colour_map(n: int = 256) -> np.ndarray:
    """The PASCAL VOC colour of each class, (n, 3) ``uint8`` (the benchmark's bit-interleaving rule).

    Example:
        >>> colour_map()[[0, 3, 12, 15]].tolist()
        [[0, 0, 0], [128, 128, 0], [64, 0, 128], [192, 128, 128]]
    """
    colours = np.zeros((n, 3), np.uint8)
    for index in range(n):
        value, red, green, blue = index, 0, 0, 0
        for bit in range(8):
            red |= ((value >> 0) & 1) << (7 - bit)
            green |= ((value >> 1) & 1) << (7 - bit)
            blue |= ((value >> 2) & 1) << (7 - bit)
            value >>= 3
        colours[index] = red, green, blue
    return colours


def overlay(photo, classes, alpha: float = 0.6) -> np.ndarray:
    """The photo with each non-background pixel tinted in its class colour (``uint8`` RGB).

    ``classes`` must have the photo's size (what :func:`segment` returns by default).

    Example:
        >>> image = overlay(np.full((2, 2, 3), 255, np.uint8), np.array([[0, 12], [0, 0]]), alpha=1.0)
        >>> image[0, 0].tolist(), image[0, 1].tolist()
        ([255, 255, 255], [64, 0, 128])
    """
    image = load_photo(photo).astype(np.float32)
    classes = np.asarray(classes)
    if classes.shape != image.shape[:2]:
        raise ValueError(f"the class map is {classes.shape} but the photo is {image.shape[:2]}; "
                         "use segment(photo) (resize_back=True) to get a map of the photo's size")
    tinted = (1 - alpha) * image + alpha * colour_map()[classes].astype(np.float32)
    return np.where((classes > 0)[..., None], tinted, image).round().astype(np.uint8)


def legend(classes) -> list[tuple[str, tuple[float, float, float], float]]:
    """``[(name, RGB colour in 0…1, pixel share), …]`` of the non-background classes present.

    Example:
        >>> needs("deeplabv3_mnv2_pascal_quant.tflite", "pascal_voc_segmentation_labels.txt")
        >>> legend(np.array([[0, 12], [12, 15]]))
        [('dog', (0.25098039215686274, 0.0, 0.5019607843137255), 0.5), ('person', (0.7529411764705882, 0.5019607843137255, 0.5019607843137255), 0.25)]
    """
    names = class_names()
    colours = colour_map()
    return [(name, tuple(float(c) / 255 for c in colours[names.index(name)]), share)
            for name, share in class_shares(classes) if name != "background"]


def plot_segmentation(photo, classes=None, ax=None, title: str | None = None):
    """Draw the photo with its class map over it and a legend; return the Figure.

    ``classes`` defaults to :func:`segment` of the photo; ``ax`` draws into a given Axes
    (one panel of a larger figure).

    Example:
        >>> needs("deeplabv3_mnv2_pascal_quant.tflite", "pascal_voc_segmentation_labels.txt")
        >>> figure = plot_segmentation(np.zeros((4, 4, 3), np.uint8), np.full((4, 4), 3, np.uint8))
        >>> [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
        ['bird 100%']
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    image = load_photo(photo)
    classes = segment(image) if classes is None else np.asarray(classes)
    if ax is None:
        figure, ax = plt.subplots(figsize=(6, 6 * image.shape[0] / image.shape[1]))
    ax.imshow(overlay(image, classes))
    ax.set_xticks([]); ax.set_yticks([])
    if title:
        ax.set_title(title)
    entries = legend(classes)
    if entries:
        ax.legend(handles=[Patch(color=colour, label=f"{name} {share:.0%}") for name, colour, share in entries],
                  loc="lower right", fontsize=9, framealpha=0.8)
    return ax.figure
