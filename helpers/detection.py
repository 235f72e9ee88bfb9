"""프로그램 6-12's steps as functions: read the class names, an image and the network, forward,
decode the 85-number vectors, non-maximum suppression (NMS), draw; and what a detector got wrong.

:func:`detect` is the book's lines 11–34 in one call; :func:`draw_detections` its lines 36–41.
Files are read as bytes (NumPy), so any path works, also a Korean one on Windows.  OpenCV 4.x
is needed: 5.0 removed the Darknet importer.  The model files come from
:mod:`helpers._course.darknet_files`.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ._course import config
from ._course.files import atomic_write

# What the book printed for dog.jpg with YOLOv3 (6.8.2): label -> confidence.
_BOOK_DOG = {"bicycle": 0.996, "dog": 0.998, "truck": 0.890}


def load_classes(names) -> list[str]:
    """The class names, one per line (the book's lines 04–06)."""
    return [line.strip() for line in Path(names).read_text(encoding="utf-8").splitlines() if line.strip()]


def load_image(path):
    """``cv2.imread(path)`` for any file name, with a clear error instead of ``None``."""
    import cv2

    path = Path(path)
    if not path.is_file():
        near = sorted(p.name for p in path.parent.glob("*.jpg"))[:8] if path.parent.is_dir() else []
        raise FileNotFoundError(f"영상 파일이 없습니다: {path}. 파일 이름과 폴더를 확인하세요"
                                + (f" (그 폴더의 영상: {', '.join(near)})." if near else "."))
    data = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if img is None:
        raise ValueError(f"파일 {path}: 있지만 OpenCV가 영상으로 풀지 못합니다({data.size:,}바이트): JPEG/PNG 영상이 "
                         "아니거나 깨진 파일입니다. 영상 보기 프로그램으로 열어 보거나 다시 내려받으세요.")
    return img


def read_net(weights, cfg):
    """The book's line 13, ``cv2.dnn.readNet(weights, cfg)``, from the files' bytes (works on a Korean path)."""
    import cv2

    try:
        return cv2.dnn.readNetFromDarknet(np.fromfile(cfg, dtype=np.uint8), np.fromfile(weights, dtype=np.uint8))
    except cv2.error as error:
        reason = str(error).strip().splitlines()[-1][:200]
        raise ValueError(f"OpenCV가 {Path(cfg).name}, {Path(weights).name} 파일로 신경망을 만들지 못합니다: 한 모델의 "
                         f"cfg와 weights 파일을 함께 쓰세요. ({reason})") from None


def forward(net, img, size: int = 448):
    """The book's lines 11, 17–18: the image as a 1×3×size×size blob into the network; ``(outputs, seconds)``."""
    import cv2

    net.setInput(cv2.dnn.blobFromImage(img, 1.0 / 256, (size, size), (0, 0, 0), swapRB=True, crop=False))
    start = time.perf_counter()
    outputs = net.forward(net.getUnconnectedOutLayersNames())
    return list(outputs), time.perf_counter() - start


def decode(outputs, width: int, height: int, *, conf_threshold: float = 0.5) -> list[dict]:
    """The book's lines 20–32: every 85-vector whose best class score exceeds the threshold.

    Each row is (x, y, w, h, o, 80 class scores) with coordinates in [0, 1]; each candidate is a dict
    with ``box`` ([x, y, w, h] in pixels, top-left corner), ``confidence``, ``class_id`` and where
    it came from: ``output`` (which output layer) and ``row`` (which row of it).

    Example:
        >>> vec85 = np.zeros(85, np.float32); vec85[:5] = .5, .5, .2, .4, .9; vec85[5 + 16] = .9
        >>> decode([vec85[None]], 100, 200)
        [{'box': [40, 60, 20, 80], 'confidence': 0.8999999761581421, 'class_id': 16, 'output': 0, 'row': 0}]
    """
    candidates = []
    for k, output in enumerate(outputs):
        scores = np.asarray(output)[:, 5:]
        best = scores.argmax(axis=1)
        for row in np.flatnonzero(scores[np.arange(len(scores)), best] > conf_threshold):
            vec85 = output[row]
            centerx, centery = int(vec85[0] * width), int(vec85[1] * height)
            w, h = int(vec85[2] * width), int(vec85[3] * height)
            candidates.append({"box": [int(centerx - w / 2), int(centery - h / 2), w, h],
                               "confidence": float(scores[row, best[row]]), "class_id": int(best[row]),
                               "output": k, "row": int(row)})
    return candidates


def class_colors(count: int = 80) -> np.ndarray:
    """One BGR colour per class, the same on every run (line 07, seeded)."""
    rng = np.random.default_rng(config.seed())
    return rng.uniform(0, 255, size=(count, 3))


def detect(net, img, classes, *, conf_threshold: float = 0.5, nms_threshold: float = 0.4, size: int = 448,
           outputs=None):
    """Forward, decode, NMS with ``cv2.dnn.NMSBoxes`` (the book's lines 11–34).

    Returns ``result``: ``result.detections`` the boxes NMS kept, most confident first (the
    :func:`decode` dicts with the class's ``label``); ``result.candidates`` how many passed the
    threshold before NMS; ``result.seconds`` the forward pass's time; ``result.outputs`` the
    network's outputs, to pass back as ``outputs=`` (then nothing is computed again, seconds None).
    """
    import cv2

    seconds = None
    if outputs is None:
        outputs, seconds = forward(net, img, size)
    candidates = decode(outputs, img.shape[1], img.shape[0], conf_threshold=conf_threshold)
    keep = cv2.dnn.NMSBoxes([c["box"] for c in candidates], [c["confidence"] for c in candidates],
                            conf_threshold, nms_threshold) if candidates else ()
    keep = np.asarray(keep, dtype=int).reshape(-1)      # OpenCV returns (N, 1), (N,) or () by version
    detections = sorted(({"label": classes[candidates[i]["class_id"]], **candidates[i]} for i in keep),
                        key=lambda d: -d["confidence"])
    return SimpleNamespace(detections=detections, candidates=len(candidates), seconds=seconds, outputs=list(outputs))


def draw_detections(img, detections, classes, colors=None):
    """The book's lines 36–41 on a copy of ``img``: a box and ``label0.996`` per detection."""
    import cv2

    img = img.copy()
    colors = class_colors(len(classes)) if colors is None else colors
    for found in detections:
        x, y, w, h = found["box"]
        color = tuple(float(c) for c in colors[found["class_id"]])   # plain numbers for OpenCV
        text = str(classes[found["class_id"]] + "%.3f" % found["confidence"])
        cv2.rectangle(img, (x, y), (x + w, y + h), color, 2)
        cv2.putText(img, text, (x, y + 30), cv2.FONT_HERSHEY_PLAIN, 2, color, 2)
    return img


def mistakes(detections, objects) -> tuple[list, list]:
    """``(wrong, missed)``: the detections whose label fits none of the photo's ``objects`` (tuples of
    labels that count as right), and the objects no detection names.

    Example:
        >>> mistakes([{"label": "truck"}, {"label": "cow"}], [("car", "truck"), ("horse",)])
        ([{'label': 'cow'}], [('horse',)])
    """
    labels = {d["label"] for d in detections}
    wrong = [d for d in detections if not any(d["label"] in names for names in objects)]
    return wrong, [names for names in objects if not labels & set(names)]


# ----------------------------------------------------------------------------- showing

def show_bgr(img, title: str | None = None, *, ax=None):
    """Show an OpenCV (BGR) image with Matplotlib; replaces ``cv2.imshow`` (lines 43–45)."""
    import matplotlib.pyplot as plt

    if ax is None:
        height, width = img.shape[:2]
        _, ax = plt.subplots(figsize=(8, 8 * height / width))
    ax.imshow(img[..., ::-1])
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def draw_grid(img, cells: int, *, size: int | None = None):
    """A copy of ``img`` (resized to ``size``×``size`` if given) with a white ``cells``×``cells`` grid."""
    import cv2

    out = cv2.resize(img, (size, size)) if size else img.copy()
    height, width = out.shape[:2]
    for k in range(1, cells):
        x, y = round(k * width / cells), round(k * height / cells)
        cv2.line(out, (x, 0), (x, height - 1), (255, 255, 255), 1)
        cv2.line(out, (0, y), (width - 1, y), (255, 255, 255), 1)
    return out


def save_image(img, path) -> Path:
    """``cv2.imwrite`` for any file name that never leaves a half-written file."""
    import cv2

    path = Path(path)
    try:
        ok, encoded = cv2.imencode(path.suffix or ".jpg", img)
    except cv2.error:
        ok = False
    if not ok:
        raise ValueError(f"OpenCV는 {path.suffix!r} 영상을 쓰지 못합니다(또는 영상 배열이 아닙니다): "
                         "uint8 H×W×3 배열을 .jpg나 .png로 저장하세요.")
    with atomic_write(path) as temporary:
        temporary.write_bytes(encoded.tobytes())
    return path


def detection_table(detections) -> str:
    """Detections as ``label  confidence  box`` lines.

    Example:
        >>> print(detection_table([{"label": "dog", "confidence": 0.94, "box": [1, 2, 3, 4]}]))
        dog              94.0%   x=1 y=2 w=3 h=4
    """
    if not detections:
        return "(검출 없음)"
    return "\n".join(f"{d['label']:<15} {d['confidence'] * 100:5.1f}%   "
                     "x={} y={} w={} h={}".format(*d["box"]) for d in detections)


def versus_book(detections) -> list[tuple[str, float | None, float | None]]:
    """dog.jpg: ``(label, the book's YOLOv3 confidence, this run's best)`` per label, the book's labels first."""
    best = {}
    for found in detections:
        best[found["label"]] = max(best.get(found["label"], 0.0), found["confidence"])
    rows = [(label, book, best.get(label)) for label, book in _BOOK_DOG.items()]
    return rows + [(label, None, confidence) for label, confidence in best.items() if label not in _BOOK_DOG]
