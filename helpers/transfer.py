"""Transfer learning (section 6.7): ImageNet weights for ResNet50, the book's model, 표 6-1.

* :func:`imagenet_weights` says whether ResNet50's ImageNet weights can be had (Keras's cache
  or its download server) and returns the ``weights=`` value with a one-line note to print;
  :func:`keras_weights_path` is where Keras keeps the file.
* :func:`build_model` is 프로그램 6-11's model (ResNet50 + Flatten + Dense(1024) + softmax),
  fine-tuned, frozen or from scratch.
* 표 6-1: :data:`BOOK_TABLE_6_1` (the book's figures), :func:`count_model` (recounted from
  ``keras.applications``), :func:`load_table6_1` and :func:`format_table6_1`.

The data live elsewhere: CUB-200-2011 in :mod:`helpers.cub`, the loaders in
:mod:`helpers.image_folders`, the memory measurement in :mod:`helpers.memory`.
TensorFlow is imported inside the functions that need it.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

from . import config
from .files import file_hash

# --- ImageNet weights of ResNet50 without its top (what Keras downloads for include_top=False) --
RESNET50_NOTOP = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
RESNET50_NOTOP_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
                      + RESNET50_NOTOP)
RESNET50_NOTOP_MD5 = "4d473c1dd8becc155b73f8504c6f6626"  # keras/src/applications/resnet.py


def _keras_home() -> Path:
    try:
        from keras.src.backend.config import keras_home

        return Path(keras_home()).expanduser()
    except ImportError:  # a Keras without the private accessor
        return Path.home() / ".keras"


def keras_weights_path(filename: str = RESNET50_NOTOP) -> Path:
    """Where Keras caches a pretrained weight file (``~/.keras/models/<filename>``).

    Example:
        >>> keras_weights_path().name
        'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'
    """
    return _keras_home() / "models" / filename


def _can_reach(host: str = "storage.googleapis.com", port: int = 443, timeout: float = 3.0) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def imagenet_weights(path=None) -> tuple[str | None, str]:
    """``(weights, note)``: ``"imagenet"`` when ResNet50's ImageNet weights can be had, and a note.

    They can be had when Keras's cache (``path``, default :func:`keras_weights_path`) holds the
    file with the right MD5, or when the download server answers (Keras downloads it on first
    use).  Otherwise full mode raises ``RuntimeError`` naming the file, its URL and where to
    put it; quick mode returns ``None`` (random initialisation, so the accuracies mean nothing)
    and a banner saying so.  The notebook prints the note.

    Example:
        >>> import tempfile
        >>> damaged = Path(tempfile.mkdtemp()) / RESNET50_NOTOP
        >>> _ = damaged.write_bytes(b"half a download")
        >>> env(CH6_QUICK="1"); weights, note = imagenet_weights(damaged)
        >>> weights, note.splitlines()[1]
        (None, '⚠ 빠른 모드: ImageNet 가중치를 구할 수 없어 ResNet50을 무작위로 초기화합니다.')
    """
    path = Path(path) if path is not None else keras_weights_path(RESNET50_NOTOP)
    problem = None
    if path.is_file():
        if file_hash(path, "md5") == RESNET50_NOTOP_MD5:
            return "imagenet", f"ImageNet 가중치: Keras 캐시에 있습니다 ({path})."
        problem = f"{path} is damaged (its MD5 is not {RESNET50_NOTOP_MD5}); delete it"
    if problem is None and _can_reach():
        return "imagenet", "ImageNet 가중치: 처음 쓸 때 내려받아 Keras 캐시에 저장합니다 (약 90 MB)."
    problem = problem or f"{path} does not exist and the download server cannot be reached"
    if config.is_quick():
        rule = "⚠ " + "=" * 70
        return None, "\n".join([
            rule, "⚠ 빠른 모드: ImageNet 가중치를 구할 수 없어 ResNet50을 무작위로 초기화합니다.",
            "⚠ 아래의 '미세 조정'과 '동결'은 전이 학습이 아니며, 정확률은 아무 의미가 없습니다.",
            f"⚠ 필요한 파일: {RESNET50_NOTOP} → {path.parent}", rule])
    raise RuntimeError(f"ResNet50's ImageNet weights are not available: {problem}. Download "
                       f"{RESNET50_NOTOP_URL} on a machine with internet and put the file at {path} "
                       f"(or run this notebook once with internet; Keras caches it there).")


def build_model(no_class: int, image_size=(224, 224), *, weights: str | None = "imagenet",
                base_trainable: bool = True, learning_rate: float = 2e-5):
    """프로그램 6-11's model, compiled: ResNet50 base + Flatten + Dense(1024) + softmax.

    ``base_trainable=False`` is the book's frozen variant (``base_model.trainable=False``);
    ``weights=None`` trains from scratch.  Same optimizer (Adam 2e-5) and loss as the book.

    Example:
        >>> cnn = build_model(3, (32, 32), weights=None)
        >>> cnn.output_shape
        (None, 3)
    """
    from keras.applications.resnet50 import ResNet50
    from keras.layers import Dense, Flatten, Input
    from keras.models import Sequential
    from keras.optimizers import Adam

    base_model = ResNet50(weights=weights, include_top=False, input_shape=(*image_size, 3))
    base_model.trainable = base_trainable
    cnn = Sequential()
    cnn.add(Input(shape=(*image_size, 3)))
    cnn.add(base_model)
    cnn.add(Flatten())
    cnn.add(Dense(1024, activation="relu"))
    cnn.add(Dense(no_class, activation="softmax"))
    cnn.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate), metrics=["accuracy"])
    return cnn


# --- 표 6-1 ------------------------------------------------------------------------------------

# 표 6-1 as printed in the book (from keras.io/applications of its time).  depth None = '-'.
BOOK_TABLE_6_1 = [
    {"model": "Xception", "size": "88MB", "top1": 0.790, "top5": 0.945, "params": 22910480, "depth": 126},
    {"model": "VGG16", "size": "528MB", "top1": 0.713, "top5": 0.901, "params": 138357544, "depth": 23},
    {"model": "VGG19", "size": "549MB", "top1": 0.713, "top5": 0.900, "params": 143667240, "depth": 26},
    {"model": "ResNet50", "size": "98MB", "top1": 0.749, "top5": 0.921, "params": 25636712, "depth": None},
    {"model": "ResNet101", "size": "171MB", "top1": 0.764, "top5": 0.928, "params": 44707176, "depth": None},
    {"model": "ResNet152", "size": "232MB", "top1": 0.766, "top5": 0.931, "params": 60419944, "depth": None},
    {"model": "ResNet50V2", "size": "98MB", "top1": 0.760, "top5": 0.930, "params": 25613800, "depth": None},
    {"model": "ResNet101V2", "size": "171MB", "top1": 0.772, "top5": 0.938, "params": 44675560, "depth": None},
    {"model": "ResNet152V2", "size": "232MB", "top1": 0.780, "top5": 0.942, "params": 60380648, "depth": None},
    {"model": "InceptionV3", "size": "92MB", "top1": 0.779, "top5": 0.937, "params": 23851784, "depth": 159},
    {"model": "InceptionResNetV2", "size": "215MB", "top1": 0.803, "top5": 0.953, "params": 55873736, "depth": 572},
    {"model": "MobileNet", "size": "16MB", "top1": 0.704, "top5": 0.895, "params": 4253864, "depth": 88},
    {"model": "MobileNetV2", "size": "14MB", "top1": 0.713, "top5": 0.901, "params": 3538984, "depth": 88},
    {"model": "DenseNet121", "size": "33MB", "top1": 0.750, "top5": 0.923, "params": 8062504, "depth": 121},
    {"model": "DenseNet169", "size": "57MB", "top1": 0.762, "top5": 0.932, "params": 14307880, "depth": 169},
    {"model": "DenseNet201", "size": "80MB", "top1": 0.773, "top5": 0.936, "params": 20242984, "depth": 201},
    {"model": "NASNetMobile", "size": "23MB", "top1": 0.744, "top5": 0.919, "params": 5326716, "depth": None},
    {"model": "NASNetLarge", "size": "343MB", "top1": 0.825, "top5": 0.960, "params": 88949818, "depth": None},
]
TABLE6_1_FILE = "table6-1.json"


def count_model(name: str) -> dict:
    """Build ``keras.applications.<name>(weights=None)`` (with its ImageNet top) and count it.

    ``layers`` is ``len(model.layers)`` (input layer included), which is how the book's
    depth column was counted (VGG16: 23).  No weights are downloaded.

    Example:
        >>> count_model("MobileNetV2")["params"]
        3538984
    """
    import keras

    builder = getattr(keras.applications, name, None)
    if builder is None:
        raise ValueError(f"keras.applications has no model {name!r}")
    model = builder(weights=None)
    return {"model": name, "params": int(model.count_params()), "layers": len(model.layers),
            "layers_with_weights": sum(1 for layer in model.layers if layer.weights)}


def load_table6_1() -> dict:
    """The table that ``python tools/table6_1.py`` computed (``results/table6-1.json``).

    Outside a clone (Colab installs only the package) it is downloaded from the repository
    into the cache.

    Example:
        >>> len(load_table6_1()["rows"])
        18
    """
    path = config.REPO_ROOT / "results" / TABLE6_1_FILE
    if not path.is_file():
        from .downloads import DownloadError, download_file

        url = _table6_1_url()
        try:
            path = download_file(url, config.cache_dir() / TABLE6_1_FILE, progress=False, timeout=20)
        except DownloadError:
            raise FileNotFoundError(
                f"results/{TABLE6_1_FILE} is missing and {url} could not be read: "
                "run `python tools/table6_1.py` in the repository to compute it.") from None
    return json.loads(path.read_text(encoding="utf-8"))


def _table6_1_url() -> str:
    return (config.REPO_URL.replace("https://github.com/", "https://raw.githubusercontent.com/")
            + f"/main/results/{TABLE6_1_FILE}")


def format_table6_1(computed: dict) -> str:
    """The book's 표 6-1 beside the computed counts; ``≠`` marks a difference from the book.

    Two layer counts are shown: ``len(model.layers)`` (input layer included) and the layers
    that hold weights (what keras.io now calls depth).  A book depth is flagged when it
    equals neither.

    Example:
        >>> print(format_table6_1({"rows": [{"model": "VGG16", "params": 138357544, "layers": 23,
        ...                                  "layers_with_weights": 16}]}))
        모델 | 파일 크기(책) | 1순위(책) | 5순위(책) | 매개변수(책) | 매개변수(Keras) | 깊이(책) | 층 수(Keras) | 가중치 있는 층(Keras)
        ---|---|---|---|---|---|---|---|---
        VGG16 | 528MB | 0.713 | 0.901 | 138,357,544 | 138,357,544 | 23 | 23 | 16
    """
    book = {row["model"]: row for row in BOOK_TABLE_6_1}
    lines = ["모델 | 파일 크기(책) | 1순위(책) | 5순위(책) | 매개변수(책) | 매개변수(Keras) | 깊이(책) | "
             "층 수(Keras) | 가중치 있는 층(Keras)", "---|---|---|---|---|---|---|---|---"]
    for row in computed["rows"]:
        printed = book[row["model"]]
        params = f"{row['params']:,}" + ("" if row["params"] == printed["params"] else " ≠")
        depth = "-" if printed["depth"] is None else str(printed["depth"])
        if printed["depth"] is not None and printed["depth"] not in (row["layers"], row["layers_with_weights"]):
            depth += " ≠"
        lines.append(f"{row['model']} | {printed['size']} | {printed['top1']:.3f} | {printed['top5']:.3f} | "
                     f"{printed['params']:,} | {params} | {depth} | {row['layers']} | {row['layers_with_weights']}")
    return "\n".join(lines)
