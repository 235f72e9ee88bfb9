"""Object detection with darknet YOLO models through OpenCV's ``cv2.dnn`` (section 6.8, 프로그램 6-12).

Plain functions, in the order the lesson uses them:

* getting a model: :data:`MODELS` (where each file comes from, with its SHA-256),
  :func:`darknet_file` (on disk, or downloaded and hash-checked by
  :func:`helpers.downloads.download`),
  :func:`resolve_model` (a model by name or by the path of its ``.cfg``) and
  :func:`choose_model` (the configured model, or Yolo-Fastest when YOLOv3's weights
  cannot be had);
* checking and loading: :func:`check_darknet_files`, :func:`load_net`, :func:`load_classes`,
  :func:`load_image` (clear errors instead of ``None`` or an OpenCV assertion);
* the network's shape: :func:`darknet_param_count`, :func:`output_scales`;
* the book's steps as functions: :func:`preprocess`, :func:`forward`, :func:`decode`,
  :func:`nms`, :func:`class_colors`, :func:`draw_detections`, :func:`detect`;
* showing: :func:`show_bgr`, :func:`draw_grid`, :func:`save_image`, :func:`detection_table`,
  :func:`compare_with_book` and the instructor's :func:`detection_explorer`.

OpenCV 4.x is needed: 5.0 removed the Darknet importer.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import config, downloads

# --------------------------------------------------------------------------------------
# Where the files come from.  SHA-256 values:
# * yolov3.cfg, yolov3-tiny.cfg, coco.names and the Yolo-Fastest files: computed from the
#   files themselves (the offline assets' MANIFEST, copied from the pinned commits below).
# * yolov3.weights 523e4e69…, yolov3-tiny.weights dccea06f…: published in public download
#   registries that also list the yolov3.cfg hash above (e.g. a keras ``get_file`` table of
#   darknet files, the AUR zmeventnotification PKGBUILD, the Sanika2024/Camera-Lidar_Sensor_Fusion
#   setup guide); their MD5 c84e5b99… for yolov3.weights is the one widely quoted.
# --------------------------------------------------------------------------------------
_DARKNET_RAW = "https://raw.githubusercontent.com/pjreddie/darknet/{ref}/{path}"
_DARKNET_COMMIT = "f6afaabcdf85f77e7aff2ec55c020c0e297c77f9"
_FASTEST_RAW = ("https://raw.githubusercontent.com/dog-qiuqiu/Yolo-Fastest/{ref}/"
                "ModelZoo/yolo-fastest-1.1_coco/{name}")
_FASTEST_COMMIT = "96a2900d163196c396e73f3fdab04ca4dd9a2f70"


def _darknet_urls(path: str) -> list[str]:
    return [_DARKNET_RAW.format(ref=_DARKNET_COMMIT, path=path), _DARKNET_RAW.format(ref="master", path=path)]


def _fastest_urls(name: str) -> list[str]:
    return [_FASTEST_RAW.format(ref=_FASTEST_COMMIT, name=name), _FASTEST_RAW.format(ref="master", name=name)]


FILES = {
    "coco.names": {"sha256": "634a1132eb33f8091d60f2c346ababe8b905ae08387037aed883953b7329af84",
                   "urls": _darknet_urls("data/coco.names")},
    "yolov3.cfg": {"sha256": "22489ea38575dfa36c67a90048e8759576416a79d32dc11e15d2217777b9a953",
                   "urls": _darknet_urls("cfg/yolov3.cfg")},
    "yolov3.weights": {
        "sha256": "523e4e69e1d015393a1b0a441cef1d9c7659e3eb2d7e15f793f060a21b32f297",
        "size": 248_007_048,
        "urls": [
            "https://pjreddie.com/media/files/yolov3.weights",          # the book's source; now redirects
            "https://data.pjreddie.com/files/yolov3.weights",           # where it redirects to
            "https://huggingface.co/spaces/Epitech/Scarecrow/resolve/main/yolov3.weights",  # public mirror
        ]},
    "yolov3-tiny.cfg": {"sha256": "84eb7a675ef87c906019ff5a6e0effe275d175adb75100dcb47f0727917dc2c7",
                        "urls": _darknet_urls("cfg/yolov3-tiny.cfg")},
    "yolov3-tiny.weights": {
        "sha256": "dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c",
        "urls": ["https://pjreddie.com/media/files/yolov3-tiny.weights",
                 "https://data.pjreddie.com/files/yolov3-tiny.weights"]},
    "yolo-fastest-1.1.cfg": {"sha256": "f6df5775c1e862998cf69046eba9265be3ae84dfe8b2caab7529823f0795bf70",
                             "urls": _fastest_urls("yolo-fastest-1.1.cfg")},
    "yolo-fastest-1.1.weights": {
        "sha256": "1c445c42bbd6df63edea2cc69f99667b5650d663ca11e34b116240740cd42890",
        "urls": _fastest_urls("yolo-fastest-1.1.weights")},
    "yolo-fastest-1.1-xl.cfg": {"sha256": "c458427acc4fbeabceff4528ef7b65b066c0308ce599460f8ba299eba63abad3",
                                "urls": _fastest_urls("yolo-fastest-1.1-xl.cfg")},
    "yolo-fastest-1.1-xl.weights": {
        "sha256": "fac5fb41786c1f38f04972a658443b189f48720d7d117f9a044100e98a35b0c5",
        "urls": _fastest_urls("yolo-fastest-1.1-xl.weights")},
}
for _image in ("dog", "eagle", "giraffe", "horses", "kite", "person", "scream"):
    FILES[f"{_image}.jpg"] = {"sha256": None, "urls": _darknet_urls(f"data/{_image}.jpg")}

# name -> (cfg, weights, names)
MODELS = {
    "yolov3": ("yolov3.cfg", "yolov3.weights", "coco.names"),
    "yolov3-tiny": ("yolov3-tiny.cfg", "yolov3-tiny.weights", "coco.names"),
    "yolo-fastest-1.1": ("yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "coco.names"),
    "yolo-fastest-1.1-xl": ("yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names"),
}
FALLBACK_MODEL = "yolo-fastest-1.1-xl"
SAMPLE_IMAGES = ("dog.jpg", "person.jpg", "horses.jpg", "eagle.jpg", "giraffe.jpg", "kite.jpg", "scream.jpg")
BIG_DOWNLOAD = 50_000_000   # bytes; choose_model(download=False) never fetches more than this

# What the book printed for dog.jpg with YOLOv3 (6.8.2): label -> confidence.
BOOK_DOG_DETECTIONS = {"bicycle": 0.996, "dog": 0.998, "truck": 0.890}


class ModelUnavailableError(RuntimeError):
    """Raised when a model file is neither on disk nor downloadable."""


class DarknetModel(NamedTuple):
    """The three files of a darknet model (a record; the functions below do the work).

    Example:
        >>> model = resolve_model("yolo-fastest-1.1")  # doctest: +SKIP
        >>> model.cfg.name, model.weights.name, model.names.name  # doctest: +SKIP
        ('yolo-fastest-1.1.cfg', 'yolo-fastest-1.1.weights', 'coco.names')
    """

    name: str
    cfg: Path
    weights: Path
    names: Path


def model_folders() -> list[Path]:
    """Folders searched for darknet files: ``config.darknet_dir()``, then ``<cache>/darknet``.

    Example:
        >>> model_folders()[-1].name
        'darknet'
    """
    folders = [config.darknet_dir(), config.cache_dir() / "darknet"]
    return list(dict.fromkeys(folders))


def _download_folder() -> Path:
    folder = config.darknet_dir()
    probe = folder if folder.exists() else folder.parent
    if probe.exists() and os.access(probe, os.W_OK):
        return folder
    return config.cache_dir() / "darknet"


def darknet_file(filename: str, download_missing: bool = True, progress: bool = True) -> Path:
    """Path of a darknet file (cfg, weights, names, sample image), downloading it if needed.

    Looks in :func:`model_folders`; a file listed in :data:`FILES` that is missing is
    downloaded (and hash-checked) when ``download_missing`` is true.

    Example:
        >>> darknet_file("coco.names").name
        'coco.names'
    """
    for folder in model_folders():
        if (folder / filename).is_file():
            return folder / filename
    spec = FILES.get(filename)
    where = " or ".join(str(f) for f in model_folders())
    if spec is None or not download_missing:
        hint = ("it can be downloaded: call darknet_file(…, download_missing=True)" if spec else
                "put it in one of those folders, or set CH6_DARKNET_DIR to the folder that holds it")
        raise ModelUnavailableError(f"{filename} is not in {where}; {hint}.")
    dest = _download_folder() / filename
    try:
        return downloads.download(spec["urls"], dest, spec["sha256"], progress=progress,
                                  next_step=f"download the file yourself and put it at {dest} "
                                            "(or point CH6_DARKNET_DIR at the folder that holds it)")
    except downloads.DownloadError as error:
        raise ModelUnavailableError(str(error)) from None


def resolve_model(name_or_path=None, download_missing: bool = True) -> DarknetModel:
    """The files of a darknet model, by registered name (:data:`MODELS`) or by ``.cfg`` path.

    ``None`` means ``config.yolo_model_name()`` (``CH6_YOLO_MODEL``, default ``yolov3``).
    For a path, the weights are the ``.weights`` file with the same stem beside the cfg, and
    the class names are ``coco.names`` beside it (else the one from :func:`darknet_file`).

    Example:
        >>> resolve_model("yolo-fastest-1.1").weights.name
        'yolo-fastest-1.1.weights'
    """
    name = name_or_path if name_or_path is not None else config.yolo_model_name()
    if str(name) in MODELS:
        cfg, weights, names = (darknet_file(f, download_missing) for f in MODELS[str(name)])
        return DarknetModel(str(name), cfg, weights, names)
    path = Path(name).expanduser()
    if path.suffix == ".weights":
        path = path.with_suffix(".cfg")
    elif path.suffix != ".cfg":
        path = path.with_name(path.name + ".cfg")
    if not path.is_file():
        raise ModelUnavailableError(
            f"unknown model {str(name)!r}: it is not one of {sorted(MODELS)} and {path} does not exist. "
            "Set CH6_YOLO_MODEL to a registered name or to the path of a darknet .cfg file "
            "(its .weights file beside it).")
    names = path.with_name("coco.names")
    if not names.is_file():
        names = darknet_file("coco.names", download_missing)
    return DarknetModel(path.stem, path, path.with_suffix(".weights"), names)


def choose_model(name=None, download: bool = True) -> DarknetModel:
    """The configured model if its files can be had, else Yolo-Fastest; prints which and why.

    With ``download=False`` (the notebook's quick mode) nothing bigger than 50 MB is fetched.

    Example:
        >>> model = choose_model("yolo-fastest-1.1", download=False)
        모델: yolo-fastest-1.1 (설정 yolo-fastest-1.1.cfg, 가중치 yolo-fastest-1.1.weights)
    """
    name = name if name is not None else config.yolo_model_name()
    try:
        if download or str(name) not in MODELS:
            model = resolve_model(name, download_missing=download)
        else:
            files = MODELS[str(name)]
            small = [f for f in files if FILES.get(f, {}).get("size", 0) <= BIG_DOWNLOAD]
            for filename in files:
                darknet_file(filename, download_missing=filename in small)
            model = resolve_model(name, download_missing=False)
        check_darknet_files(model.cfg, model.weights, model.names)
        print(f"모델: {model.name} (설정 {model.cfg.name}, 가중치 {model.weights.name})")
        return model
    except (ModelUnavailableError, FileNotFoundError, ValueError) as error:
        if str(name) == FALLBACK_MODEL:
            raise
        if isinstance(error, ModelUnavailableError) and not download:
            reason = "모델 폴더에 없고, 빠른 모드라 248MB를 내려받지 않습니다"
        elif isinstance(error, ModelUnavailableError):
            reason = "내려받지 못했습니다: " + " / ".join(str(error).splitlines()[1:3])
        else:
            reason = str(error)
    fallback = resolve_model(FALLBACK_MODEL, download_missing=True)
    check_darknet_files(fallback.cfg, fallback.weights, fallback.names)
    print(f"⚠ {name} 가중치를 쓸 수 없습니다({reason}).\n"
          f"  같은 코드를 YOLOv3 계열의 작은 모델 {FALLBACK_MODEL}(COCO로 학습한 실제 가중치)로 실행합니다.\n"
          f"  검출 결과와 신뢰도는 책의 YOLOv3와 다릅니다.")
    print(f"모델: {fallback.name} (설정 {fallback.cfg.name}, 가중치 {fallback.weights.name})")
    return fallback


# ----------------------------------------------------------------------------- checking and loading

def parse_cfg(cfg) -> list[dict]:
    """A darknet cfg as a list of sections: ``[{"type": "net", ...}, {"type": "convolutional", ...}]``.

    Example:
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
        >>> darknet_param_count(darknet_file("yolov3.cfg"))
        62001757
    """
    sections = parse_cfg(cfg)
    channels, history, total = int(sections[0].get("channels", 3)), [], 0
    for section in sections[1:]:
        kind = section["type"]
        if kind in ("convolutional", "conv"):
            filters, size = int(section["filters"]), int(section["size"])
            groups = int(section.get("groups", 1))
            norm = int(section.get("batch_normalize", 0))
            total += filters * (4 if norm else 1) + filters * (channels // groups) * size * size
            channels = filters
        elif kind == "route":
            here = len(history)
            layers = [int(v) for v in section["layers"].split(",")]
            channels = sum(history[v if v >= 0 else here + v] for v in layers) // int(section.get("groups", 1))
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

    Catches: a missing file; a weights file that is empty, truncated or belongs to another cfg
    (its size must be the cfg's parameter count × 4 bytes + header); a names file whose class
    count differs from the cfg's ``classes=``.  Returns ``{"params", "bytes", "classes"}``.

    Example:
        >>> check_darknet_files(*resolve_model("yolo-fastest-1.1"))["classes"]  # doctest: +SKIP
        80
    """
    cfg, weights = Path(cfg), Path(weights)
    for path, kind in ((cfg, "cfg"), (weights, "weights")) + (((Path(names), "class names"),) if names else ()):
        if not path.is_file():
            raise FileNotFoundError(
                f"the {kind} file {path} does not exist. Get the model with "
                f"helpers.detection.resolve_model(<name>) (names: {', '.join(MODELS)}), "
                "or set CH6_YOLO_MODEL / CH6_DARKNET_DIR to where the files are.")
    params = darknet_param_count(cfg)
    size = weights.stat().st_size
    if params is not None:
        expected = params * 4 + _header_bytes(weights)
        if size < expected:
            raise ValueError(
                f"{weights.name} has {size:,} bytes but {cfg.name} needs {expected:,} "
                f"({params:,} weights): the file is truncated (an interrupted download?) or belongs to "
                f"a smaller model. Delete {weights} and download it again, or use the cfg that came with it.")
        if size > expected:
            raise ValueError(
                f"{weights.name} has {size:,} bytes but {cfg.name} needs only {expected:,} "
                f"({params:,} weights): these weights belong to a different cfg. "
                f"Use the cfg that came with {weights.name} (same model name).")
    classes = sorted({int(s.get("classes", 0)) for s in parse_cfg(cfg) if s["type"] in ("yolo", "region")})
    if names is not None and classes:
        count = len(load_classes(names))
        if classes != [count]:
            raise ValueError(f"{cfg.name} predicts {classes[0]} classes but {Path(names).name} lists {count}: "
                             "use the names file that belongs to this model (coco.names for COCO models).")
    return {"params": params, "bytes": size, "classes": classes[0] if classes else None}


def load_classes(names) -> list[str]:
    """The class names, one per line (the book's lines 04–06).

    Example:
        >>> len(load_classes(darknet_file("coco.names")))
        80
    """
    path = Path(names)
    if not path.is_file():
        raise FileNotFoundError(f"class names file {path} does not exist; darknet_file('coco.names') fetches it.")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_net(model: DarknetModel):
    """``cv2.dnn.readNet(weights, cfg)`` after :func:`check_darknet_files` (the book's line 13).

    Example:
        >>> net = load_net(resolve_model("yolo-fastest-1.1"))
        >>> net.getUnconnectedOutLayersNames()
        ('yolo_121', 'yolo_130')
    """
    import cv2

    check_darknet_files(model.cfg, model.weights, model.names)
    try:
        return cv2.dnn.readNet(str(model.weights), str(model.cfg))
    except cv2.error as error:
        raise ValueError(f"OpenCV {cv2.__version__} could not read {model.cfg.name} + {model.weights.name}: "
                         f"{str(error).strip().splitlines()[-1]}. OpenCV must be 4.x "
                         '(pip install "opencv-python-headless<5").') from None


def load_image(path):
    """``cv2.imread(path)`` that raises a clear error instead of returning ``None``.

    Example:
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
    img = cv2.imread(str(path))
    if img is None:
        raise ValueError(f"image {path} exists but OpenCV cannot decode it ({path.stat().st_size:,} bytes): "
                         "it is not a JPEG/PNG image or it is damaged. Open it in an image viewer, "
                         "or download it again.")
    return img


def sample_images(download_missing: bool = True) -> list[Path]:
    """The darknet sample images that are available (dog.jpg first).

    Example:
        >>> sample_images()[0].name
        'dog.jpg'
    """
    found = []
    for name in SAMPLE_IMAGES:
        try:
            found.append(darknet_file(name, download_missing, progress=False))
        except ModelUnavailableError:
            pass
    return found


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

    A cfg path is loaded with all-zero weights (the shapes do not depend on the weights).
    For each output layer: its name, the grid (rows, cols) of the convolution feeding it,
    the channels of that convolution, anchors per cell and the (rows, 85) matrix it returns.

    Example:
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
        >>> outputs, seconds = forward(net, img)  # doctest: +SKIP
        >>> [o.shape for o in outputs]            # doctest: +SKIP
        [(588, 85), (2352, 85), (9408, 85)]
    """
    net.setInput(preprocess(img, size))
    start = time.perf_counter()
    outputs = net.forward(net.getUnconnectedOutLayersNames())
    return list(outputs), time.perf_counter() - start


def decode(outputs, width: int, height: int, conf_threshold: float = 0.5):
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


def nms(boxes, confidences, conf_threshold: float = 0.5, nms_threshold: float = 0.4) -> np.ndarray:
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


def draw_detections(img, boxes, confidences, class_ids, keep, classes, colors=None):
    """The book's lines 36–41 on a copy of ``img``: a box and ``label0.996`` per kept detection.

    Example:
        >>> out = draw_detections(np.zeros((50, 50, 3), np.uint8), [[5, 5, 20, 20]], [0.9], [0],
        ...                       [0], ["person"])
        >>> int(out.sum()) > 0
        True
    """
    import cv2

    img = img.copy()
    colors = class_colors(len(classes)) if colors is None else colors
    keep = set(np.asarray(keep, dtype=int).reshape(-1).tolist())
    for i in range(len(boxes)):
        if i in keep:
            x, y, w, h = boxes[i]
            color = tuple(float(c) for c in colors[class_ids[i]])   # plain numbers for OpenCV
            text = str(classes[class_ids[i]] + "%.3f" % confidences[i])
            cv2.rectangle(img, (x, y), (x + w, y + h), color, 2)
            cv2.putText(img, text, (x, y + 30), cv2.FONT_HERSHEY_PLAIN, 2, color, 2)
    return img


def detect(net, img, classes, conf_threshold: float = 0.5, nms_threshold: float = 0.4, size: int = 448,
           outputs=None) -> dict:
    """Forward, decode, NMS in one call; returns detections sorted by confidence and the time.

    ``outputs`` reuses the result of an earlier :func:`forward` (sliders redraw without a new pass).

    Example:
        >>> result = detect(net, load_image(darknet_file("dog.jpg")), classes)  # doctest: +SKIP
        >>> [(d["label"], round(d["confidence"], 2)) for d in result["detections"]]  # doctest: +SKIP
        [('bicycle', 0.95), ('dog', 0.94), ('car', 0.83)]
    """
    seconds = None
    if outputs is None:
        outputs, seconds = forward(net, img, size)
    height, width = img.shape[:2]
    boxes, confidences, class_ids = decode(outputs, width, height, conf_threshold)
    keep = nms(boxes, confidences, conf_threshold, nms_threshold)
    detections = sorted(({"label": classes[class_ids[i]], "class_id": class_ids[i],
                          "confidence": confidences[i], "box": boxes[i]} for i in keep),
                        key=lambda d: -d["confidence"])
    return {"detections": detections, "seconds": seconds, "outputs": outputs,
            "boxes": boxes, "confidences": confidences, "class_ids": class_ids, "keep": keep}


# ----------------------------------------------------------------------------- showing

def show_bgr(img, title: str | None = None, ax=None, size: float = 8):
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


def draw_grid(img, cells: int, color=(255, 255, 255), size: int | None = None):
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
    """Write an image atomically (temporary file, then rename); raise if OpenCV cannot encode it.

    Example:
        >>> save_image(np.zeros((8, 8, 3), np.uint8), cache / "x.jpg").name  # doctest: +SKIP
        'x.jpg'
    """
    import cv2

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        ok, encoded = cv2.imencode(path.suffix or ".jpg", img)
    except cv2.error:
        ok = False
    if not ok:
        raise ValueError(f"OpenCV cannot write {path.suffix!r} images; save as .jpg or .png instead.")
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(encoded.tobytes())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
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


def compare_with_book(detections, model_name: str) -> str:
    """dog.jpg: the book's YOLOv3 confidences beside this run's, per label; printed and returned.

    Example:
        >>> print(compare_with_book([{"label": "dog", "confidence": 0.94}], "yolo-fastest-1.1-xl"))
        ... # doctest: +ELLIPSIS
        부류 | 책 (YOLOv3, %) | 이번 실행 (yolo-fastest-1.1-xl, %)
        ...
    """
    best = {}
    for d in detections:
        best[d["label"]] = max(best.get(d["label"], 0.0), d["confidence"])
    labels = list(BOOK_DOG_DETECTIONS) + [k for k in best if k not in BOOK_DOG_DETECTIONS]
    rows = [f"부류 | 책 (YOLOv3, %) | 이번 실행 ({model_name}, %)", "---|---|---"]
    for label in labels:
        book = f"{BOOK_DOG_DETECTIONS[label] * 100:.1f}" if label in BOOK_DOG_DETECTIONS else "—"
        found = f"{best[label] * 100:.1f}" if label in best else "검출 안 됨"
        rows.append(f"{label} | {book} | {found}")
    table = "\n".join(rows)
    print(table)
    return table


def _has_widget_frontend() -> bool:
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def detection_explorer(net, classes, images=None, size: int = 448, colors=None):
    """Instructor tool: sliders for the confidence and NMS thresholds and an image chooser.

    Each image is passed through the network once (the time is printed); moving a slider only
    re-runs decode + NMS and redraws in place.  Without a widget front-end (plain Python, a
    static export) it draws one static figure per image at the book's thresholds instead.

    Example:
        >>> detection_explorer(net, classes)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    images = [Path(p) for p in (images if images is not None else sample_images())]
    colors = class_colors(len(classes)) if colors is None else colors
    cache = {}

    def run(path):
        if path not in cache:
            img = load_image(path)
            outputs, seconds = forward(net, img, size)
            cache[path] = (img, outputs, seconds)
        return cache[path]

    def render(path, conf_threshold, nms_threshold, ax=None):
        img, outputs, seconds = run(path)
        result = detect(net, img, classes, conf_threshold, nms_threshold, size, outputs=outputs)
        drawn = draw_detections(img, result["boxes"], result["confidences"], result["class_ids"],
                                result["keep"], classes, colors)
        show_bgr(drawn, f"{path.name}: 신뢰도 > {conf_threshold:.2f}, NMS {nms_threshold:.2f}, "
                        f"{len(result['detections'])}개", ax=ax)
        print(f"{path.name}: 전방 계산(forward) 한 번 {seconds * 1000:.0f} ms")
        print(detection_table(result["detections"]))

    if not _has_widget_frontend():
        for path in images:
            render(path, 0.5, 0.4)
            plt.show()
        return None

    import cv2
    import ipywidgets as widgets
    from IPython.display import display

    # The picture goes into an Image widget as JPEG bytes, not a Matplotlib figure inside an
    # Output widget: big figures in Output widgets can stall headless runners (nbclient).
    chooser = widgets.Dropdown(options=[(p.name, p) for p in images], description="영상")
    confidence = widgets.FloatSlider(value=0.5, min=0.05, max=0.95, step=0.05, description="신뢰도")
    overlap = widgets.FloatSlider(value=0.4, min=0.05, max=0.95, step=0.05, description="NMS")
    picture = widgets.Image(format="jpeg", layout=widgets.Layout(max_width="800px"))
    out = widgets.Output()

    def redraw(change=None):
        path = chooser.value
        img, outputs, seconds = run(path)
        result = detect(net, img, classes, confidence.value, overlap.value, size, outputs=outputs)
        drawn = draw_detections(img, result["boxes"], result["confidences"], result["class_ids"],
                                result["keep"], classes, colors)
        picture.value = cv2.imencode(".jpg", drawn)[1].tobytes()
        with out:
            if change is not None:          # only on a user's change: the first drawing clears nothing
                out.clear_output(wait=True)
            print(f"{path.name}: 전방 계산(forward) 한 번 {seconds * 1000:.0f} ms · 신뢰도 > {confidence.value:.2f} · "
                  f"NMS {overlap.value:.2f} → {len(result['detections'])}개")
            print(detection_table(result["detections"]))

    for control in (chooser, confidence, overlap):
        control.observe(redraw, names="value")
    box = widgets.VBox([widgets.HBox([chooser, confidence, overlap]), picture, out])
    display(box)
    redraw()
    return box
