"""Semantic segmentation with a real network: DeepLab v3 (MobileNetV2 backbone, PASCAL VOC).

``deeplabv3_mnv2_pascal_quant.tflite`` (Apache-2.0, 2 MB) gives every pixel one of 21 PASCAL VOC
classes (0 = background).  It runs through the LiteRT interpreter (``ai-edge-litert``): input one
513×513 RGB ``uint8`` image, output a 513×513 map of class indices (the arg-max is inside the model).

A photo of another size is scaled so that its longer side is 513, placed in the top-left corner of
a 513×513 canvas filled with grey 128 (the value the model reads as 0, as DeepLab pads), segmented,
and the valid part of the map is scaled back to the photo's own size (nearest neighbour), so the
map lies exactly over the photo.
"""

from __future__ import annotations

import numpy as np

from ._course import downloads
from .imagenet import interpreter, load_photo

_MODEL_FILE = "deeplabv3_mnv2_pascal_quant.tflite"
_LABELS_FILE = "pascal_voc_segmentation_labels.txt"
SIZE = 513
_PAD = 128          # the input's zero point: (128 − 128) / 128 = 0

# The PASCAL VOC colour of each class: the bits of the class number, three at a time, spread over R, G, B.
_COLOURS = np.zeros((256, 3), np.uint8)
for _bit in range(8):
    for _channel in range(3):
        _COLOURS[:, _channel] |= (((np.arange(256) >> (3 * _bit + _channel)) & 1) << (7 - _bit)).astype(np.uint8)


def class_names() -> list[str]:
    """The 21 PASCAL VOC class names, index = class number (0 ``background`` … 20 ``tvmonitor``).

    The labels file ends with a note about label 255 after a blank line; that is not a class.
    """
    path = downloads.verify(_LABELS_FILE, downloads.fetch(_LABELS_FILE))
    lines = path.read_text(encoding="utf-8").splitlines()
    names = lines[:lines.index("")] if "" in lines else lines
    return [name.strip() for name in names]


def _deeplab_input(photo) -> tuple[np.ndarray, tuple[int, int]]:
    """The 513×513 ``uint8`` image DeepLab reads, and the (height, width) the photo fills in it.

    Example:
        >>> canvas, (height, width) = _deeplab_input(np.zeros((300, 600, 3), np.uint8))
        >>> canvas.shape, (height, width), int(canvas[400, 0, 0])
        ((513, 513, 3), (256, 513), 128)
    """
    from PIL import Image

    image = load_photo(photo)
    scale = SIZE / max(image.shape[:2])
    height, width = (max(1, min(SIZE, round(side * scale))) for side in image.shape[:2])
    canvas = np.full((SIZE, SIZE, 3), _PAD, np.uint8)
    canvas[:height, :width] = np.asarray(Image.fromarray(image).resize((width, height), Image.BILINEAR))
    return canvas, (height, width)


def segment(photo) -> np.ndarray:
    """The class of every pixel of the photo (``uint8`` indices into :func:`class_names`).

    Example:
        >>> needs("dog.jpg", "deeplabv3_mnv2_pascal_quant.tflite", "pascal_voc_segmentation_labels.txt")
        >>> classes = segment(downloads.fetch("dog.jpg"))
        >>> classes.shape, [name for name, share in class_shares(classes)]
        ((576, 768), ['background', 'bicycle', 'dog', 'car'])
    """
    image = load_photo(photo)
    canvas, (height, width) = _deeplab_input(image)
    opened = interpreter(_MODEL_FILE)
    opened.set_tensor(opened.get_input_details()[0]["index"], canvas[None])
    opened.invoke()
    classes = opened.get_tensor(opened.get_output_details()[0]["index"])[0].astype(np.uint8)
    from PIL import Image

    valid = Image.fromarray(classes[:height, :width])
    return np.asarray(valid.resize((image.shape[1], image.shape[0]), Image.NEAREST))


def class_shares(classes) -> list[tuple[str, float]]:
    """The classes present in a class map with their share of the pixels, largest first.

    Example:
        >>> needs("pascal_voc_segmentation_labels.txt")
        >>> class_shares(np.array([[0, 0, 12, 12], [0, 0, 0, 15]]))
        [('background', 0.625), ('dog', 0.25), ('person', 0.125)]
    """
    classes = np.asarray(classes)
    names = class_names()
    counts = np.bincount(classes.ravel(), minlength=len(names))
    shares = [(names[index], float(count / classes.size)) for index, count in enumerate(counts) if count]
    return sorted(shares, key=lambda pair: -pair[1])


def plot_segmentation(photo, classes, ax=None):
    """Draw the photo with each non-background pixel tinted in its class colour, and a legend (into
    ``ax`` if given); return the Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    image = load_photo(photo)
    classes = np.asarray(classes)
    if classes.shape != image.shape[:2]:
        raise ValueError(f"부류 지도의 크기 {classes.shape}가 사진의 크기 {image.shape[:2]}와 다릅니다: "
                         "segment(photo)가 돌려주는, 사진 크기의 지도를 주세요.")
    tinted = 0.4 * image + 0.6 * _COLOURS[classes].astype(np.float32)
    if ax is None:
        figure, ax = plt.subplots(figsize=(6, 6 * image.shape[0] / image.shape[1]))
    ax.imshow(np.where((classes > 0)[..., None], tinted, image).round().astype(np.uint8))
    ax.set_xticks([]); ax.set_yticks([])
    names = class_names()
    entries = [Patch(color=_COLOURS[names.index(name)] / 255, label=f"{name} {share:.0%}")
               for name, share in class_shares(classes) if name != "background"]
    if entries:
        ax.legend(handles=entries, loc="lower right", fontsize=9, framealpha=0.8)
    return ax.figure
