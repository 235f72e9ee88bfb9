"""그림 6-18 with real networks: one photo, three answers — (a) 분류 (:mod:`helpers.imagenet`),
(b) 검출 (:mod:`helpers.detection`), (c) 분할 (:mod:`helpers.segmentation`).  The notebook runs the
three networks; :func:`plot_three_tasks` draws the answers as the book's three panels and
:func:`format_answers` writes them as text.
"""

from __future__ import annotations

from pathlib import Path

from ._course import downloads
from ._course.darknet_files import SAMPLE_PHOTOS, darknet_file
from . import detection, segmentation


def photo_path(photo) -> Path:
    """A photo's file, by path or by name: a darknet sample (``"dog.jpg"`` …) or a registered photo (``"cat.png"`` …)."""
    path = Path(photo).expanduser()
    if path.is_file():
        return path
    if path.name in SAMPLE_PHOTOS:
        return darknet_file(path.name)
    entry = downloads.REGISTRY.get(path.name)
    if entry is not None and entry.kind == "images":
        return downloads.fetch(path.name)
    raise FileNotFoundError(f"사진을 찾지 못했습니다({photo!r}): 사진 파일의 경로나, 이름으로 아는 사진"
                            f"({', '.join(SAMPLE_PHOTOS)})을 주세요.")


def _short(label: str) -> str:
    return label.split(",")[0]


def plot_three_tasks(img, labels, detections, class_map, classes, *, title: str = ""):
    """The three answers for one OpenCV (BGR) image as the book's panels: (a) 분류, (b) 검출, (c) 분할."""
    import matplotlib.pyplot as plt

    rgb = img[..., ::-1]
    height, width = img.shape[:2]
    figure, axes = plt.subplots(1, 3, figsize=(16, 16 / 3 * height / width + 1.4))
    axes[0].imshow(rgb)
    axes[0].text(0.02, 0.98, "\n".join(f"{_short(label)} {p:.1%}" for label, p in labels),
                 transform=axes[0].transAxes, va="top", fontsize=9,
                 bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none"})
    axes[1].imshow(detection.draw_detections(img, detections, classes)[..., ::-1])
    segmentation.plot_segmentation(rgb, class_map, ax=axes[2])
    heads = (", ".join(f"{_short(label)} {p:.0%}" for label, p in labels[:1]),
             ", ".join(dict.fromkeys(d["label"] for d in detections)) or "검출 없음",
             ", ".join(name for name, _ in segmentation.class_shares(class_map) if name != "background") or "배경뿐")
    for ax, head, caption in zip(axes, heads, ("(a) 분류", "(b) 검출", "(c) 분할")):
        ax.set_title(head, fontsize=11)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_xlabel(caption, fontsize=13)
    figure.suptitle(f"그림 6-18 컴퓨터 비전의 세 가지 문제 — {title}", fontsize=13)
    figure.tight_layout()
    return figure


def format_answers(labels, detections, class_map) -> str:
    """The three answers as text: the labels with probabilities, the bounding boxes, the classes' pixel shares."""
    height, width = class_map.shape
    lines = [f"(a) 분류 — ImageNet 1000부류 중 상위 {len(labels)}개"]
    lines += [f"    {label:<40} {p:6.1%}" for label, p in labels]
    lines.append(f"(b) 검출 — 신뢰도 > 0.5, NMS 0.4: 바운딩 박스 {len(detections)}개")
    lines += ["    " + line for line in detection.detection_table(detections).splitlines()]
    lines.append(f"(c) 분할 — 화소마다 PASCAL VOC {len(segmentation.class_names())}부류 중 하나 "
                 f"(신경망의 출력 {segmentation.SIZE}×{segmentation.SIZE} → 사진 크기 {width}×{height})")
    lines.append("    " + " · ".join(f"{name} {share:.1%}" for name, share in segmentation.class_shares(class_map)))
    return "\n".join(lines)
