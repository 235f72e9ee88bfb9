"""프로그램 6-12's steps as functions: read an image, preprocess, forward, decode, NMS, draw.

In the order the lesson uses them:

* reading: :func:`load_image` (a clear error instead of ``None``) and :func:`read_net` (the book's
  ``cv2.dnn.readNet``), both from the file's bytes, so any path works, also a Korean one on Windows;
* the book's steps: :func:`preprocess` (line 11), :func:`forward` (lines 11, 17–18),
  :func:`decode` (lines 20–32), :func:`nms` (line 34), :func:`class_colors` (line 07),
  :func:`draw_detections` (lines 36–41), and :func:`detect` (forward + decode + NMS in one
  call, returning a :class:`DetectionResult` that :func:`draw_detections` takes whole);
* showing: :func:`show_bgr` (instead of ``cv2.imshow``), :func:`draw_grid`, :func:`save_image`,
  :func:`detection_table`, and :func:`versus_book`: the book's dog.jpg figures
  (:data:`BOOK_DOG_DETECTIONS`) beside this run's, as rows for :func:`helpers._course.saved.book_table`.

The model files (cfg, weights, class names) come from :mod:`helpers.darknet`.  OpenCV 4.x is
needed: 5.0 removed the Darknet importer.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._course import config
from ._course.files import atomic_write

# What the book printed for dog.jpg with YOLOv3 (6.8.2): label -> confidence.
BOOK_DOG_DETECTIONS = {"bicycle": 0.996, "dog": 0.998, "truck": 0.890}


class DetectionResult(NamedTuple):
    """What :func:`detect` found in one image (a record; :func:`draw_detections` draws it).

    ``detections``: the boxes kept by NMS, most confident first, each a dict with ``label``,
    ``class_id``, ``confidence`` and ``box`` (``[x, y, w, h]`` in pixels, top-left corner);
    ``candidates``: how many boxes passed the confidence threshold before NMS;
    ``seconds``: the forward pass's time (None when earlier ``outputs`` were reused);
    ``outputs``: the network's raw outputs, to pass back as ``detect(..., outputs=...)``.

    Example:
        >>> result = DetectionResult([{"label": "dog", "class_id": 16, "confidence": 0.9,
        ...                            "box": [1, 2, 3, 4]}], candidates=5, seconds=None, outputs=[])
        >>> result.detections[0]["label"], result.candidates
        ('dog', 5)
    """

    detections: list
    candidates: int
    seconds: float | None
    outputs: list


def load_image(path):
    """``cv2.imread(path)`` that works with any file name and raises a clear error instead of ``None``.

    The bytes are read with NumPy and decoded by ``cv2.imdecode``, because ``cv2.imread``
    cannot open a path with non-ASCII characters on Windows (a Korean user name in ``~/.cache``).

    Example:
        >>> needs("dog.jpg")
        >>> from helpers.darknet import darknet_file
        >>> load_image(darknet_file("dog.jpg")).shape
        (576, 768, 3)
    """
    import cv2

    path = Path(path)
    if not path.is_file():
        near = sorted(p.name for p in path.parent.glob("*.jpg"))[:8] if path.parent.is_dir() else []
        raise FileNotFoundError(
            f"image {path} does not exist (cv2.imread would return None and the program would crash "
            "later at img.shape)." + (f" Images in that folder: {', '.join(near)}." if near else
                                      " Check the file name and folder."))
    data = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if img is None:
        raise ValueError(f"image {path} exists but OpenCV cannot decode it ({data.size:,} bytes): "
                         "it is not a JPEG/PNG image or it is damaged. Open it in an image viewer, "
                         "or download it again.")
    return img


def read_net(weights, cfg):
    """The book's line 13, ``cv2.dnn.readNet(weights, cfg)`` for darknet files, from the files' bytes.

    ``cv2.dnn.readNet`` hands the path to C++, which cannot open a path with non-ASCII
    characters on Windows (a Korean user name in ``~/.cache``); NumPy reads the bytes and
    ``cv2.dnn.readNetFromDarknet`` builds the same network from them.  The files are checked
    first (:func:`helpers.darknet.check_darknet_files`): OpenCV reads a truncated weights file
    without complaint.

    Example:
        >>> needs("yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "coco.names")
        >>> from helpers import darknet
        >>> model = darknet.resolve_model("yolo-fastest-1.1")
        >>> read_net(model.weights, model.cfg).getUnconnectedOutLayersNames()
        ('yolo_121', 'yolo_130')
    """
    import cv2

    from .darknet import check_darknet_files

    weights, cfg = Path(weights), Path(cfg)
    check_darknet_files(cfg, weights)
    try:
        return cv2.dnn.readNetFromDarknet(np.fromfile(cfg, dtype=np.uint8), np.fromfile(weights, dtype=np.uint8))
    except cv2.error as error:
        reason = str(error).strip().splitlines()[-1][:200]
        raise ValueError(f"OpenCV cannot build a network from {cfg.name} and {weights.name} ({reason}). "
                         "Use the cfg and weights files of one model, as helpers.darknet.resolve_model(<name>) "
                         "gives them.") from None


# ----------------------------------------------------------------------------- the book's steps

def preprocess(img, size: int = 448):
    """The book's line 11: a 1×3×size×size blob, pixels × 1/256, BGR→RGB, resized without cropping.

    Example:
        >>> preprocess(np.zeros((576, 768, 3), np.uint8)).shape
        (1, 3, 448, 448)
    """
    import cv2

    return cv2.dnn.blobFromImage(img, 1.0 / 256, (size, size), (0, 0, 0), swapRB=True, crop=False)


def forward(net, img, size: int = 448):
    """Run the network on one image (book lines 11, 17–18); return ``(outputs, seconds)``.

    Example:
        >>> needs("yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "coco.names", "dog.jpg")
        >>> from helpers import darknet
        >>> model = darknet.resolve_model("yolo-fastest-1.1")
        >>> net = read_net(model.weights, model.cfg)
        >>> outputs, seconds = forward(net, load_image(darknet.darknet_file("dog.jpg")))
        >>> [o.shape for o in outputs], seconds > 0
        ([(588, 85), (2352, 85)], True)
    """
    net.setInput(preprocess(img, size))
    start = time.perf_counter()
    outputs = net.forward(net.getUnconnectedOutLayersNames())
    return list(outputs), time.perf_counter() - start


def decode(outputs, width: int, height: int, *, conf_threshold: float = 0.5):
    """The book's lines 20–32: every 85-vector whose best class score exceeds the threshold.

    Each row is (cx, cy, w, h, objectness, 80 class scores) with coordinates in [0, 1];
    returns ``boxes`` ([x, y, w, h] in pixels, top-left corner), ``confidences``, ``class_ids``.

    Example:
        >>> row = np.zeros(85, np.float32); row[:4] = .5, .5, .2, .4; row[5 + 16] = .9
        >>> decode([row[None]], 100, 200)
        ([[40, 60, 20, 80]], [0.8999999761581421], [16])
    """
    boxes, confidences, class_ids = [], [], []
    for output in outputs:
        output = np.asarray(output).reshape(-1, np.asarray(output).shape[-1])
        scores = output[:, 5:]
        best = scores.argmax(axis=1)
        best_score = scores[np.arange(len(output)), best]
        for row in np.flatnonzero(best_score > conf_threshold):
            vec85 = output[row]
            centerx, centery = int(vec85[0] * width), int(vec85[1] * height)
            w, h = int(vec85[2] * width), int(vec85[3] * height)
            boxes.append([int(centerx - w / 2), int(centery - h / 2), w, h])
            confidences.append(float(best_score[row]))
            class_ids.append(int(best[row]))
    return boxes, confidences, class_ids


def nms(boxes, confidences, *, conf_threshold: float = 0.5, nms_threshold: float = 0.4) -> np.ndarray:
    """``cv2.dnn.NMSBoxes`` as a flat int array on every OpenCV 4.x (line 34).

    OpenCV returns an (N, 1) array before 4.5.4, an (N,) array after, and an empty tuple when
    nothing survives; this always returns shape (N,).

    Example:
        >>> nms([[0, 0, 10, 10], [1, 1, 10, 10], [50, 50, 10, 10]], [0.9, 0.8, 0.7]).tolist()
        [0, 2]
    """
    import cv2

    if len(boxes) == 0:
        return np.zeros(0, dtype=int)
    kept = cv2.dnn.NMSBoxes([list(map(int, b)) for b in boxes], [float(c) for c in confidences],
                            float(conf_threshold), float(nms_threshold))
    return np.asarray(kept, dtype=int).reshape(-1)


def class_colors(count: int = 80, seed: int | None = None) -> np.ndarray:
    """One BGR colour per class, the same on every run (line 07, seeded with ``config.seed()``).

    Example:
        >>> class_colors(80).shape
        (80, 3)
    """
    rng = np.random.default_rng(config.seed() if seed is None else seed)
    return rng.uniform(0, 255, size=(count, 3))


def detect(net, img, classes, *, conf_threshold: float = 0.5, nms_threshold: float = 0.4, size: int = 448,
           outputs=None) -> DetectionResult:
    """Forward, decode, NMS in one call (the book's lines 11–34); returns a :class:`DetectionResult`.

    ``outputs`` reuses the result of an earlier :func:`forward` (sliders redraw without a new pass).

    Example:
        >>> needs("yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names", "dog.jpg")
        >>> from helpers import darknet
        >>> model = darknet.resolve_model("yolo-fastest-1.1-xl")
        >>> net = read_net(model.weights, model.cfg)
        >>> result = detect(net, load_image(darknet.darknet_file("dog.jpg")), darknet.load_classes(model.names))
        >>> sorted(d["label"] for d in result.detections)
        ['bicycle', 'car', 'dog']
    """
    seconds = None
    if outputs is None:
        outputs, seconds = forward(net, img, size)
    height, width = img.shape[:2]
    boxes, confidences, class_ids = decode(outputs, width, height, conf_threshold=conf_threshold)
    keep = nms(boxes, confidences, conf_threshold=conf_threshold, nms_threshold=nms_threshold)
    detections = sorted(({"label": classes[class_ids[i]], "class_id": class_ids[i],
                          "confidence": confidences[i], "box": boxes[i]} for i in keep),
                        key=lambda d: -d["confidence"])
    return DetectionResult(detections, len(boxes), seconds, list(outputs))


def draw_detections(img, result: DetectionResult, classes, colors=None):
    """The book's lines 36–41 on a copy of ``img``: a box and ``label0.996`` per detection in ``result``.

    Example:
        >>> result = DetectionResult([{"label": "person", "class_id": 0, "confidence": 0.9,
        ...                            "box": [5, 5, 20, 20]}], 1, None, [])
        >>> out = draw_detections(np.zeros((50, 50, 3), np.uint8), result, ["person"])
        >>> bool(out[5, 5:26].any()), bool(out[40, 40].any())
        (True, False)
    """
    import cv2

    img = img.copy()
    colors = class_colors(len(classes)) if colors is None else colors
    for found in result.detections:
        x, y, w, h = found["box"]
        color = tuple(float(c) for c in colors[found["class_id"]])   # plain numbers for OpenCV
        text = str(classes[found["class_id"]] + "%.3f" % found["confidence"])
        cv2.rectangle(img, (x, y), (x + w, y + h), color, 2)
        cv2.putText(img, text, (x, y + 30), cv2.FONT_HERSHEY_PLAIN, 2, color, 2)
    return img


# ----------------------------------------------------------------------------- showing

def show_bgr(img, title: str | None = None, *, ax=None, size: float = 8):
    """Show an OpenCV (BGR) image with Matplotlib; replaces ``cv2.imshow`` (lines 43–45).

    Example:
        >>> ax = show_bgr(np.zeros((10, 10, 3), np.uint8), "빈 영상")
        >>> ax.get_title()
        '빈 영상'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        height, width = img.shape[:2]
        _, ax = plt.subplots(figsize=(size, size * height / width))
    ax.imshow(img[..., ::-1])
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def draw_grid(img, cells: int, *, color=(255, 255, 255), size: int | None = None):
    """A copy of ``img`` (resized to ``size``×``size`` if given) with a ``cells``×``cells`` grid.

    Example:
        >>> draw_grid(np.zeros((100, 100, 3), np.uint8), 7, size=448).shape
        (448, 448, 3)
    """
    import cv2

    out = cv2.resize(img, (size, size)) if size else img.copy()
    height, width = out.shape[:2]
    for k in range(1, cells):
        x, y = round(k * width / cells), round(k * height / cells)
        cv2.line(out, (x, 0), (x, height - 1), color, 1)
        cv2.line(out, (0, y), (width - 1, y), color, 1)
    return out


def save_image(img, path) -> Path:
    """``cv2.imwrite`` that works with any file name and never leaves a half-written file.

    The image is encoded with ``cv2.imencode`` (format from the suffix) and its bytes written
    through :func:`helpers._course.files.atomic_write`.

    Example:
        >>> import tempfile
        >>> path = save_image(np.zeros((8, 8, 3), np.uint8), Path(tempfile.mkdtemp()) / "검출" / "x.png")
        >>> path.name, load_image(path).shape
        ('x.png', (8, 8, 3))
    """
    import cv2

    path = Path(path)
    try:
        ok, encoded = cv2.imencode(path.suffix or ".jpg", img)
    except cv2.error:
        ok = False
    if not ok:
        raise ValueError(f"OpenCV cannot write {path.suffix!r} images (or this is not an image array); "
                         "save a uint8 H×W×3 array as .jpg or .png instead.")
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
    """dog.jpg: ``(label, the book's YOLOv3 confidence, this run's best)`` per label, as fractions.

    The book's three labels come first (None where this run did not detect them), then the
    labels only this run found (None for the book).  Rows for :func:`helpers._course.saved.book_table`.

    Example:
        >>> versus_book([{"label": "dog", "confidence": 0.94}, {"label": "car", "confidence": 0.83}])
        [('bicycle', 0.996, None), ('dog', 0.998, 0.94), ('truck', 0.89, None), ('car', None, 0.83)]
    """
    best = {}
    for found in detections:
        best[found["label"]] = max(best.get(found["label"], 0.0), found["confidence"])
    rows = [(label, book, best.get(label)) for label, book in BOOK_DOG_DETECTIONS.items()]
    return rows + [(label, None, confidence) for label, confidence in best.items() if label not in BOOK_DOG_DETECTIONS]
