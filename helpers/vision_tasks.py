"""그림 6-18 with real networks: one photo, three answers — classification, detection, segmentation.

* (a) 분류: the ImageNet MobileNetV2 of :mod:`helpers.imagenet` — the top-5 of 1000 classes;
* (b) 검출: 프로그램 6-12's YOLO — the network the notebook loaded, passed in — through
  :mod:`helpers.detection` (the book's thresholds);
* (c) 분할: DeepLab v3 of :mod:`helpers.segmentation` — a PASCAL VOC class for every pixel.

:func:`three_tasks` runs the three and returns their answers as data with the three-panel
figure; :func:`describe` turns the answers into the text the notebook prints; :func:`photo_path`
finds a photo by name among the darknet samples and the labelled photos (``images/``).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._course import config, downloads
from . import darknet, detection, imagenet, segmentation

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


class VisionAnswers(NamedTuple):
    """What the three networks answered for one photo (a record; :func:`describe` prints it).

    ``labels``: ``[(ImageNet label, probability), …]``, most probable first;
    ``boxes``: the detections NMS kept (dicts with ``label``, ``class_id``, ``confidence``, ``box``
    ``[x, y, w, h]``), most confident first; ``class_map``: the PASCAL VOC class of every photo
    pixel, ``uint8`` (H, W); ``network_map``: the (rows, cols) of the map the segmentation network
    itself outputs; ``thresholds``: the detector's (confidence, NMS) thresholds; ``figure``: the
    three panels.

    Example:
        >>> answers = VisionAnswers([("tabby, tabby cat", 0.6)], [], np.zeros((2, 2), np.uint8), (513, 513),
        ...                         (0.5, 0.4), None)
        >>> answers.labels[0][0], answers.class_map.shape
        ('tabby, tabby cat', (2, 2))
    """

    labels: list
    boxes: list
    class_map: np.ndarray
    network_map: tuple
    thresholds: tuple
    figure: object


def photo_names() -> list[str]:
    """The photos :func:`photo_path` knows by name: the darknet samples, then ``images/`` (masks left out).

    Example:
        >>> needs("dog.jpg")
        >>> names = photo_names()
        >>> names[0], "cat.png" in names, any("mask" in name for name in names)
        ('dog.jpg', True, False)
    """
    folder = config.asset_dir("images")
    found = sorted(path.name for path in folder.iterdir() if path.suffix.lower() in PHOTO_SUFFIXES
                   and "mask" not in path.stem) if folder and folder.is_dir() else []
    return list(darknet.SAMPLE_IMAGES) + [name for name in found if name not in darknet.SAMPLE_IMAGES]


def photo_path(photo) -> Path:
    """The file of a photo given by path or by name (``"dog.jpg"``, ``"cat.png"``, see :func:`photo_names`).

    Darknet samples come through :func:`helpers.darknet.darknet_file` (offline folder, cache, or a
    checked download), registered files through :func:`helpers._course.downloads.fetch`, other names from
    the labelled photos' folder (``config.asset_dir("images")``).

    Example:
        >>> needs("dog.jpg", "cat.png")
        >>> photo_path("dog.jpg").name, photo_path("cat.png").parent.name
        ('dog.jpg', 'images')
    """
    path = Path(photo).expanduser()
    if path.is_file():
        return path
    name = path.name
    if name in darknet.SAMPLE_IMAGES:
        return darknet.darknet_file(name)
    if name in downloads.REGISTRY:
        return downloads.fetch(name)
    folder = config.asset_dir("images")
    if folder is not None and (folder / name).is_file():
        return folder / name
    raise FileNotFoundError(f"no photo {photo!r}: it is not a file, and not one of the photos known by name "
                            f"({', '.join(photo_names())}). Give a photo's path, or one of those names.")


def _check_detector(outputs, classes) -> None:
    numbers = {np.asarray(output).shape[-1] for output in outputs}
    if numbers != {5 + len(classes)}:
        raise ValueError(f"the detector's outputs have {sorted(numbers)} numbers per box but {len(classes)} class "
                         f"names give {5 + len(classes)} (x, y, w, h, o and one score per class): pass the YOLO "
                         "network of 프로그램 6-12 and the class names of the same model (coco.names).")


def _panel(task: str, run):
    """Run one panel's network; a missing or wrong model file names the panel it was for."""
    try:
        return run()
    except downloads.DownloadError as error:
        raise downloads.DownloadError(f"그림 6-18 {task}: {error}", failures=error.failures) from None
    except imagenet.ModelFileError as error:
        raise imagenet.ModelFileError(f"그림 6-18 {task}: {error}") from None


def three_tasks(photo, net, classes, *, conf_threshold: float = 0.5, nms_threshold: float = 0.4,
                k: int = 5) -> VisionAnswers:
    """그림 6-18 on one photo: top-``k`` ImageNet labels, YOLO's boxes, DeepLab's class map, and the figure.

    ``photo`` is a path or a name (:func:`photo_path`); ``net`` the YOLO network 프로그램 6-12
    loaded, ``classes`` its class names.  The photo is read once (:func:`helpers.detection.load_image`)
    and the same pixels go to the three networks.  A missing or wrong model file raises
    :class:`helpers._course.downloads.DownloadError` (or :class:`helpers.imagenet.ModelFileError`) naming the panel.

    Example:
        >>> needs(*darknet.MODELS["yolo-fastest-1.1-xl"], imagenet.MODEL_FILE, imagenet.LABELS_FILE,
        ...       segmentation.MODEL_FILE, segmentation.LABELS_FILE, "dog.jpg")
        >>> model = darknet.resolve_model("yolo-fastest-1.1-xl")
        >>> net = detection.read_net(model.weights, model.cfg)
        >>> answers = three_tasks("dog.jpg", net, darknet.load_classes(model.names))
        >>> len(answers.labels), sorted(box["label"] for box in answers.boxes), answers.class_map.shape
        (5, ['bicycle', 'car', 'dog'], (576, 768))
    """
    path = photo_path(photo)
    bgr = detection.load_image(path)
    rgb = np.ascontiguousarray(bgr[..., ::-1])
    labels = _panel("(a) 분류 (MobileNetV2, ImageNet)", lambda: imagenet.classify(rgb, k=k))
    outputs, _ = detection.forward(net, bgr)
    _check_detector(outputs, classes)
    found = detection.detect(net, bgr, classes, conf_threshold=conf_threshold, nms_threshold=nms_threshold,
                             outputs=outputs)
    class_map = _panel("(c) 분할 (DeepLab v3, PASCAL VOC)", lambda: segmentation.segment(rgb))
    details = imagenet.interpreter(segmentation.MODEL_FILE).get_output_details()[0]["shape"]
    answers = VisionAnswers(labels, found.detections, class_map, tuple(int(side) for side in details[1:3]),
                            (conf_threshold, nms_threshold), None)
    return answers._replace(figure=_figure(rgb, bgr, answers, classes, title=path.name))


def _short(label: str) -> str:
    return label.split(",")[0]


def _figure(rgb, bgr, answers: VisionAnswers, classes, *, title: str):
    """The three panels, captioned as in the book: the answer above, (a) 분류 / (b) 검출 / (c) 분할 below."""
    import matplotlib.pyplot as plt

    height, width = rgb.shape[:2]
    figure, axes = plt.subplots(1, 3, figsize=(16, 16 / 3 * height / width + 1.4))
    first = ", ".join(f"{_short(label)} {p:.0%}" for label, p in answers.labels[:1])
    axes[0].imshow(rgb)
    axes[0].text(0.02, 0.98, "\n".join(f"{_short(label)} {p:.1%}" for label, p in answers.labels),
                 transform=axes[0].transAxes, va="top", fontsize=9,
                 bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none"})
    drawn = detection.draw_detections(bgr, detection.DetectionResult(answers.boxes, 0, None, []), classes)
    axes[1].imshow(drawn[..., ::-1])
    segmentation.plot_segmentation(rgb, answers.class_map, ax=axes[2])
    present = [name for name, _, _ in segmentation.legend(answers.class_map)]
    heads = (first, ", ".join(dict.fromkeys(box["label"] for box in answers.boxes)) or "검출 없음",
             ", ".join(present) or "배경뿐")
    for ax, head, caption in zip(axes, heads, ("(a) 분류", "(b) 검출", "(c) 분할")):
        ax.set_title(head, fontsize=11)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_xlabel(caption, fontsize=13)
    figure.suptitle(f"그림 6-18 컴퓨터 비전의 세 가지 문제 — {title}", fontsize=13)
    figure.tight_layout()
    return figure


def describe(answers: VisionAnswers) -> str:
    """The three answers as text: the labels with probabilities, the boxes, the classes' pixel shares.

    Example:
        >>> needs(imagenet.LABELS_FILE, segmentation.LABELS_FILE)
        >>> answers = VisionAnswers([("malamute, malemute, Alaskan malamute", 0.264)],
        ...     [{"label": "dog", "confidence": 0.94, "box": [141, 213, 184, 302]}],
        ...     np.array([[0, 0, 12, 12]], np.uint8), (513, 513), (0.5, 0.4), None)
        >>> print(describe(answers))
        (a) 분류 — ImageNet 1000부류 중 상위 1개
            malamute, malemute, Alaskan malamute      26.4%
        (b) 검출 — 신뢰도 > 0.5, NMS 0.4: 상자 1개
            dog              94.0%   x=141 y=213 w=184 h=302
        (c) 분할 — 화소마다 PASCAL VOC 21부류 중 하나 (신경망의 출력 513×513 → 사진 크기 4×1)
            background 50.0% · dog 50.0%
    """
    confidence, overlap = answers.thresholds
    height, width = answers.class_map.shape
    rows, cols = answers.network_map
    lines = [f"(a) 분류 — ImageNet {len(imagenet.labels())}부류 중 상위 {len(answers.labels)}개"]
    lines += [f"    {label:<40} {p:6.1%}" for label, p in answers.labels]
    lines.append(f"(b) 검출 — 신뢰도 > {confidence}, NMS {overlap}: 상자 {len(answers.boxes)}개")
    lines += ["    " + line for line in detection.detection_table(answers.boxes).splitlines()]
    lines.append(f"(c) 분할 — 화소마다 PASCAL VOC {len(segmentation.class_names())}부류 중 하나 "
                 f"(신경망의 출력 {rows}×{cols} → 사진 크기 {width}×{height})")
    lines.append("    " + " · ".join(f"{name} {share:.1%}" for name, share in segmentation.class_shares(answers.class_map)))
    return "\n".join(lines)
