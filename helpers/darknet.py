"""Darknet model files for 프로그램 6-12: model files by name (through :func:`helpers._course.downloads.fetch`),
the configured model or a fallback with the reason (:func:`choose_model`), cfg parsing, weight-file
checks, and the network's output shapes without its weights.  The book's steps that use the model
(preprocess, forward, decode, NMS, draw) are in :mod:`helpers.detection`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._course import config, downloads

# name -> (cfg, weights, names); every file is a downloads.REGISTRY entry of kind "darknet"
MODELS = {name: (f"{name}.cfg", f"{name}.weights", "coco.names")
          for name in ("yolov3", "yolov3-tiny", "yolo-fastest-1.1", "yolo-fastest-1.1-xl")}
FALLBACK_MODEL = "yolo-fastest-1.1-xl"
SAMPLE_IMAGES = ("dog.jpg", "person.jpg", "horses.jpg", "eagle.jpg", "giraffe.jpg", "kite.jpg", "scream.jpg")
BIG_DOWNLOAD = 50_000_000   # bytes; choose_model(download=False) never fetches more than this


class ModelUnavailableError(RuntimeError):
    """A model file is neither on disk nor obtainable; the cause is data, not only text.

    ``cause``: ``"unknown model"``, ``"not registered"``, ``"not downloading"``, ``"too big"`` or
    ``"download failed"``; ``name``: the model asked for; ``filename``, ``size``: the file and its
    registered size; ``failures``: ``(source, what went wrong)`` per source tried.
    """

    def __init__(self, message: str, *, cause: str, name: str | None = None, filename: str | None = None,
                 size: int | None = None, failures=()):
        super().__init__(message)
        self.cause, self.name, self.filename, self.size, self.failures = cause, name, filename, size, tuple(failures)


class DarknetModel(NamedTuple):
    """The three files of a darknet model (a record; the functions here do the work).

    Example:
        >>> needs("yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "coco.names")
        >>> model = resolve_model("yolo-fastest-1.1")
        >>> model.cfg.name, model.weights.name, model.names.name
        ('yolo-fastest-1.1.cfg', 'yolo-fastest-1.1.weights', 'coco.names')
    """

    name: str
    cfg: Path
    weights: Path
    names: Path


def darknet_file(filename: str, *, download: bool = True, max_bytes: int | None = None) -> Path:
    """Path of a registered darknet file (cfg, weights, names, sample image), fetched if needed.

    Through :func:`helpers._course.downloads.fetch`: the offline folder (``CH6_DARKNET_DIR``), the cache,
    else a hash-checked download unless ``download`` is false or the file is over ``max_bytes``.
    Raises :class:`ModelUnavailableError` with the cause as data.

    Example:
        >>> needs("coco.names")
        >>> darknet_file("coco.names").name
        'coco.names'
        >>> try:
        ...     darknet_file("yolov3.weights", max_bytes=BIG_DOWNLOAD)   # 248 MB, not offline
        ... except ModelUnavailableError as error:
        ...     error.cause, error.filename, error.size
        ('too big', 'yolov3.weights', 248007048)
    """
    entry = downloads.REGISTRY.get(filename)
    try:
        return downloads.fetch(filename, download=download, max_bytes=max_bytes)
    except downloads.DownloadError as error:
        if entry is None:
            cause = "not registered"
        elif error.failures:
            cause = "download failed"
        elif download and max_bytes is not None and (entry.size or 0) > max_bytes:
            cause = "too big"
        else:
            cause = "not downloading"
        raise ModelUnavailableError(str(error), cause=cause, filename=filename, size=entry and entry.size,
                                    failures=error.failures) from None


def resolve_model(name_or_path=None, *, download: bool = True, max_bytes: int | None = None) -> DarknetModel:
    """The files of a darknet model, by registered name (:data:`MODELS`) or by ``.cfg`` path.

    ``None`` means ``config.yolo_model_name()`` (``CH6_YOLO_MODEL``, default ``yolov3``).  For a
    path, the weights are the ``.weights`` file with the same stem beside the cfg, and the class
    names ``coco.names`` beside it (else the registered one).

    Example:
        >>> needs("yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "coco.names")
        >>> resolve_model("yolo-fastest-1.1").weights.name
        'yolo-fastest-1.1.weights'
    """
    name = str(name_or_path if name_or_path is not None else config.yolo_model_name())
    if name in MODELS:
        cfg, weights, names = (darknet_file(f, download=download, max_bytes=max_bytes) for f in MODELS[name])
        return DarknetModel(name, cfg, weights, names)
    path = Path(name).expanduser()
    if path.suffix == ".weights":
        path = path.with_suffix(".cfg")
    elif path.suffix != ".cfg":
        path = path.with_name(path.name + ".cfg")
    if not path.is_file():
        raise ModelUnavailableError(
            f"unknown model {name!r}: it is not one of {sorted(MODELS)} and {path} does not exist. "
            "Set CH6_YOLO_MODEL to a registered name or to the path of a darknet .cfg file "
            "(its .weights file beside it).", cause="unknown model", name=name)
    names = path.with_name("coco.names")
    if not names.is_file():
        names = darknet_file("coco.names", download=download)
    return DarknetModel(path.stem, path, path.with_suffix(".weights"), names)


def _reason(error: Exception) -> str:
    """Why a model cannot be used, in Korean, from the error's data."""
    if not isinstance(error, ModelUnavailableError):
        return str(error)        # check_darknet_files: a missing, truncated or mismatched file
    failures = "".join(f"\n    {source}: {what}" for source, what in error.failures)
    return {"unknown model": f"등록된 모델 이름({', '.join(MODELS)})도, 있는 .cfg 파일의 경로도 아닙니다",
            "too big": f"{error.filename} 파일이 모델 폴더에 없고, 빠른 모드라 "
                       f"{(error.size or 0) / 1e6:.0f}MB를 내려받지 않습니다",
            "download failed": f"{error.filename} 파일을 내려받지 못했습니다:{failures}",
            }.get(error.cause, f"{error.filename} 파일이 모델 폴더에 없습니다")


def _model_line(model: DarknetModel) -> str:
    return f"모델: {model.name} (설정 {model.cfg.name}, 가중치 {model.weights.name})"


def choose_model(name=None, *, download: bool = True) -> tuple[DarknetModel, str]:
    """``(model, notice)``: the configured model if its files can be had, else Yolo-Fastest, and a
    notice (for the notebook to print) saying which and why.  With ``download=False`` (the
    notebook's quick mode) nothing bigger than :data:`BIG_DOWNLOAD` (50 MB) is fetched.

    Example:
        >>> needs("yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names")
        >>> model, notice = choose_model("yolov9", download=False)
        >>> print(notice)   # doctest: +ELLIPSIS
        ⚠ yolov9 모델을 쓸 수 없습니다 — 등록된 모델 이름(yolov3, ...)도, 있는 .cfg 파일의 경로도 아닙니다.
          같은 코드를 YOLOv3 계열의 작은 모델 yolo-fastest-1.1-xl(COCO로 학습한 실제 가중치)로 실행합니다.
          검출 결과와 신뢰도는 책의 YOLOv3와 다릅니다.
        모델: yolo-fastest-1.1-xl (설정 yolo-fastest-1.1-xl.cfg, 가중치 yolo-fastest-1.1-xl.weights)
    """
    name = str(name if name is not None else config.yolo_model_name())
    try:
        model = resolve_model(name, max_bytes=None if download else BIG_DOWNLOAD)
        check_darknet_files(model.cfg, model.weights, model.names)
        return model, _model_line(model)
    except (ModelUnavailableError, FileNotFoundError, ValueError) as error:
        if name == FALLBACK_MODEL:
            raise
        reason = _reason(error)
    fallback = resolve_model(FALLBACK_MODEL)
    check_darknet_files(fallback.cfg, fallback.weights, fallback.names)
    notice = (f"⚠ {name} 모델을 쓸 수 없습니다 — {reason}.\n"
              f"  같은 코드를 YOLOv3 계열의 작은 모델 {FALLBACK_MODEL}(COCO로 학습한 실제 가중치)로 실행합니다.\n"
              f"  검출 결과와 신뢰도는 책의 YOLOv3와 다릅니다.\n" + _model_line(fallback))
    return fallback, notice


def sample_images(*, download: bool = True) -> list[Path]:
    """The darknet sample images that are available (dog.jpg first).

    Example:
        >>> needs("dog.jpg", "person.jpg", "horses.jpg")
        >>> [path.name for path in sample_images()][:3]
        ['dog.jpg', 'person.jpg', 'horses.jpg']
    """
    found = []
    for name in SAMPLE_IMAGES:
        with contextlib.suppress(ModelUnavailableError):
            found.append(darknet_file(name, download=download))
    return found


def load_classes(names) -> list[str]:
    """The class names, one per line (the book's lines 04–06).

    Example:
        >>> needs("coco.names")
        >>> classes = load_classes(darknet_file("coco.names"))
        >>> len(classes), classes[16]
        (80, 'dog')
    """
    path = Path(names)
    if not path.is_file():
        raise FileNotFoundError(f"class names file {path} does not exist; darknet_file('coco.names') fetches it.")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ----------------------------------------------------------------------------- reading and checking

def parse_cfg(cfg) -> list[dict]:
    """A darknet cfg as a list of sections: ``[{"type": "net", ...}, {"type": "convolutional", ...}]``.

    Example:
        >>> needs("yolov3.cfg")
        >>> [s["type"] for s in parse_cfg(darknet_file("yolov3.cfg"))][:2]
        ['net', 'convolutional']
    """
    sections = []
    for number, raw in enumerate(Path(cfg).read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("["):
            sections.append({"type": line.strip("[]").strip()})
        elif "=" in line and sections:
            key, value = line.split("=", 1)
            sections[-1][key.strip()] = value.strip()
        else:
            raise ValueError(f"{cfg}, line {number}: {raw!r} is not darknet cfg syntax. "
                             "Is this really a .cfg file? Download it again.")
    if not sections or sections[0]["type"] not in ("net", "network"):
        raise ValueError(f"{cfg} does not start with a [net] section, so it is not a darknet cfg file.")
    return sections


def darknet_param_count(cfg) -> int | None:
    """How many float32 numbers the weights file of this cfg holds (None for unknown layer types).

    Example:
        >>> needs("yolov3.cfg")
        >>> darknet_param_count(darknet_file("yolov3.cfg"))
        62001757
    """
    sections = parse_cfg(cfg)
    channels, history, total = int(sections[0].get("channels", 3)), [], 0
    for section in sections[1:]:
        kind = section["type"]
        if kind in ("convolutional", "conv"):
            filters, size = int(section["filters"]), int(section["size"])
            groups, norm = int(section.get("groups", 1)), int(section.get("batch_normalize", 0))
            total += filters * (4 if norm else 1) + filters * (channels // groups) * size * size
            channels = filters
        elif kind == "route":
            layers = [int(v) for v in section["layers"].split(",")]
            channels = sum(history[v if v >= 0 else len(history) + v] for v in layers) // int(section.get("groups", 1))
        elif kind not in ("shortcut", "upsample", "yolo", "maxpool", "dropout", "region"):
            return None
        history.append(channels)
    return total


def _header_bytes(weights: Path) -> int:
    with open(weights, "rb") as handle:
        head = handle.read(8)
    if len(head) < 8:
        return 20
    major, minor = np.frombuffer(head, dtype="<i4")
    return 20 if (major * 10 + minor) >= 2 and major < 1000 and minor < 1000 else 16


def check_darknet_files(cfg, weights, names=None) -> dict:
    """Check a cfg/weights(/names) set before OpenCV sees it; raise an error that says what to do.

    Catches a missing file, a weights file that is truncated or belongs to another cfg (its size must
    be the cfg's parameter count × 4 bytes + header), and a names file whose class count differs from
    the cfg's ``classes=``.  Returns ``{"params", "bytes", "classes"}``.

    Example:
        >>> needs("yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "coco.names")
        >>> model = resolve_model("yolo-fastest-1.1")
        >>> check_darknet_files(model.cfg, model.weights, model.names)
        {'params': 346062, 'bytes': 1384268, 'classes': 80}
    """
    cfg, weights = Path(cfg), Path(weights)
    for path, kind in ((cfg, "cfg"), (weights, "weights")) + (((Path(names), "class names"),) if names else ()):
        if not path.is_file():
            raise FileNotFoundError(f"the {kind} file {path} does not exist. Get the model with helpers.darknet."
                                    f"resolve_model(<name>) (names: {', '.join(MODELS)}), or set "
                                    "CH6_YOLO_MODEL / CH6_DARKNET_DIR to where the files are.")
    params = darknet_param_count(cfg)
    size = weights.stat().st_size
    if params is not None:
        expected = params * 4 + _header_bytes(weights)
        if size < expected:
            raise ValueError(f"{weights.name} has {size:,} bytes but {cfg.name} needs {expected:,} ({params:,} "
                             "weights): the file is truncated (an interrupted download?) or belongs to a smaller "
                             f"model. Delete {weights} and download it again, or use the cfg that came with it.")
        if size > expected:
            raise ValueError(f"{weights.name} has {size:,} bytes but {cfg.name} needs only {expected:,} ({params:,} "
                             "weights): these weights belong to a different cfg. "
                             f"Use the cfg that came with {weights.name} (same model name).")
    classes = sorted({int(s.get("classes", 0)) for s in parse_cfg(cfg) if s["type"] in ("yolo", "region")})
    if names is not None and classes:
        count = len(load_classes(names))
        if classes != [count]:
            raise ValueError(f"{cfg.name} predicts {classes[0]} classes but {Path(names).name} lists {count}: "
                             "use the names file that belongs to this model (coco.names for COCO models).")
    return {"params": params, "bytes": size, "classes": classes[0] if classes else None}


# ----------------------------------------------------------------------------- the network's shape

def _zero_weights_net(cfg):
    """The network of ``cfg`` with all-zero weights, built in memory (no 248 MB download needed)."""
    import cv2

    params = darknet_param_count(cfg)
    if params is None:
        raise ValueError(f"{cfg} has a layer type this helper cannot count; load it with real weights.")
    header = np.array([0, 2, 0], dtype="<i4").tobytes() + np.zeros(1, dtype="<i8").tobytes()
    buffer = np.zeros(len(header) + 4 * params, dtype=np.uint8)
    buffer[:len(header)] = np.frombuffer(header, dtype=np.uint8)
    text = np.frombuffer(Path(cfg).read_bytes(), dtype=np.uint8)
    return cv2.dnn.readNetFromDarknet(text, buffer)


def output_scales(cfg_or_net, size: int = 448) -> list[dict]:
    """Read YOLO's output layers and their shapes off the network for a ``size``×``size`` input.

    A cfg path is loaded with all-zero weights (shapes do not depend on them).  For each output layer:
    its name, the grid (rows, cols) and channels of the convolution feeding it, anchors per cell and
    the (rows, 85) matrix it returns.

    Example:
        >>> needs("yolov3.cfg")
        >>> [s["grid"] for s in output_scales(darknet_file("yolov3.cfg"), 448)]
        [(14, 14), (28, 28), (56, 56)]
    """
    net = _zero_weights_net(cfg_or_net) if isinstance(cfg_or_net, (str, os.PathLike)) else cfg_or_net
    names = net.getLayerNames()
    ids, _, outputs = net.getLayersShapes([1, 3, size, size])
    shape_of = {names[i - 1]: tuple(int(v) for v in out[0]) for i, out in zip(np.ravel(ids), outputs)}
    scales = []
    for name in net.getUnconnectedOutLayersNames():
        position = names.index(name) - 1
        while not names[position].startswith("conv"):   # OpenCV puts a permute layer in between
            position -= 1
        feeding = names[position]                        # the 1×1 convolution feeding [yolo]
        _, channels, rows, cols = shape_of[feeding]
        out_rows, vector = shape_of[name]
        anchors = out_rows // (rows * cols)
        scales.append({"layer": name, "grid": (rows, cols), "conv": feeding, "channels": channels,
                       "anchors": anchors, "vector": vector, "output": (out_rows, vector)})
    return scales


def format_output_scales(scales) -> str:
    """The :func:`output_scales` list as a small text table.

    Example:
        >>> print(format_output_scales([{"layer": "yolo_82", "grid": (14, 14), "conv": "conv_81",
        ...     "channels": 255, "anchors": 3, "vector": 85, "output": (588, 85)}]))
        출력층    격자     앞 컨볼루션 출력     앵커  벡터  forward 결과
        yolo_82   14×14    conv_81 255×14×14    3     85    588×85
    """
    lines = ["출력층    격자     앞 컨볼루션 출력     앵커  벡터  forward 결과"]
    for s in scales:
        conv = f"{s['conv']} {s['channels']}×{s['grid'][0]}×{s['grid'][1]}"
        lines.append(f"{s['layer']:<9} {s['grid'][0]}×{s['grid'][1]:<5} {conv:<20} {s['anchors']:<5} "
                     f"{s['vector']:<5} {s['output'][0]}×{s['output'][1]}")
    return "\n".join(lines)
