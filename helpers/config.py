"""One place for the settings every notebook shares: quick mode, seeds and where files live.

Nothing else in the project reads environment variables.  The variables are:

==================  ==================================================================
``CH6_QUICK``       ``1`` = quick mode (CI, ``make test``): fewer epochs, small subsets.
                    Unset or ``0`` = full mode, the book's settings (the default).
``CH6_DATA_DIR``    Folder holding ``mnist.npz``, ``fashion_mnist.npz``, ``cifar10.npz``
                    (arrays ``x_train, y_train, x_test, y_test``).  Unset: Keras downloads.
``CH6_CUB_DIR``     CUB-200-2011 in ``train/<class>/*.jpg`` + ``test/<class>/*.jpg`` layout.
                    Unset: ``<CH6_DATA_DIR>/../cub200_sample`` if it exists, else the cache.
``CH6_DARKNET_DIR`` Folder with darknet cfg / weights / names and sample images.
                    Unset: ``<CH6_DATA_DIR>/../darknet`` if it exists, else the cache.
``CH6_YOLO_MODEL``  Which darknet model 프로그램 6-12 uses (default ``yolov3``).
``CH6_CACHE_DIR``   Downloads and prepared data (default ``~/.cache/ch6``).
``CH6_MODEL_DIR``   Where notebooks save and look for trained models
                    (default ``<CH6_CACHE_DIR>/models``).
``CH6_RESULTS_DIR`` Where full runs record their results (default ``results/`` of the repo).
``CH6_SEED``        The seed for Python, NumPy and Keras (default 2024; see set_seed).
==================  ==================================================================
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

# Quiet TensorFlow's C++ start-up chatter before anything imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_URL = "https://github.com/ch6-cnn-course/ch6-cnn-notebooks"
REPO_ROOT = Path(__file__).resolve().parent.parent

_quick_override: bool | None = None


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def is_quick() -> bool:
    """Return True in quick mode (``CH6_QUICK=1`` or :func:`set_quick_mode`).

    Example:
        >>> set_quick_mode(True); is_quick()
        True
    """
    if _quick_override is not None:
        return _quick_override
    return (_env("CH6_QUICK") or "0").lower() in {"1", "true", "yes", "on"}


def set_quick_mode(on: bool | None) -> None:
    """Switch quick mode on or off from a notebook, without restarting the kernel.

    ``None`` goes back to what ``CH6_QUICK`` says.

    Example:
        >>> set_quick_mode(True)   # an instructor's first cell
        >>> epochs(30)
        2
    """
    global _quick_override
    _quick_override = None if on is None else bool(on)


def pick(full, quick):
    """Return ``full`` in full mode and ``quick`` in quick mode.

    Example:
        >>> set_quick_mode(False); pick(50000, 5000)
        50000
    """
    return quick if is_quick() else full


def epochs(n: int, quick: int = 2) -> int:
    """The number of epochs to train: the book's ``n`` in full mode, ``quick`` in quick mode.

    Example:
        >>> set_quick_mode(False); epochs(30)
        30
        >>> set_quick_mode(True); epochs(30)
        2
    """
    if n < 1:
        raise ValueError(f"epochs must be at least 1, got {n}")
    return min(n, quick) if is_quick() else n


def seed() -> int:
    """The project's one seed (``CH6_SEED``, default 2024).

    Example:
        >>> isinstance(seed(), int)
        True
    """
    text = _env("CH6_SEED") or "2024"
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"CH6_SEED must be a whole number, got {text!r}") from None


def set_seed(value: int | None = None) -> int:
    """Seed Python, NumPy and Keras (weight initialisers, dropout, ``keras.random``) in one call;
    return the seed used.

    TensorFlow's own global seed is deliberately left unset.  ``keras.utils.set_random_seed``
    sets it, and then Keras 3's ``fit`` on NumPy arrays (the book's ``cnn.fit(x_train, y_train,
    batch_size=128, …)``) shuffles the training set into the *same* order in every epoch: its
    ``tf.random.shuffle`` gets a fixed op seed and restarts with each epoch's new iterator.
    Measured here on 6-9's model, that costs 3.5 points of cross-validation accuracy
    (``tools/cv_paths.py``).  So the batch order differs from run to run, as in the book;
    initial weights and dropout masks repeat.

    Example:
        >>> set_seed(7)
        7
    """
    value = seed() if value is None else int(value)
    os.environ["PYTHONHASHSEED"] = str(value)
    random.seed(value)
    import numpy as np

    np.random.seed(value)
    if "keras" in sys.modules or "tensorflow" in sys.modules or _can_import("keras"):
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(value)
        tf.random.set_seed(None)  # see above: a fixed TF seed freezes fit()'s per-epoch shuffle
    return value


def _can_import(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def cache_dir() -> Path:
    """Folder for downloads and prepared data (``CH6_CACHE_DIR``, default ``~/.cache/ch6``).

    Example:
        >>> cache_dir().name
        'ch6'
    """
    path = _env("CH6_CACHE_DIR")
    return Path(path).expanduser() if path else Path.home() / ".cache" / "ch6"


def data_dir() -> Path | None:
    """The offline dataset folder (``CH6_DATA_DIR``), or None when Keras should download.

    Example:
        >>> data_dir()  # doctest: +SKIP
        PosixPath('/data/ch6/datasets')
    """
    path = _env("CH6_DATA_DIR")
    return Path(path).expanduser() if path else None


def _asset_sibling(name: str) -> Path | None:
    base = data_dir()
    if base is not None and (base.parent / name).is_dir():
        return base.parent / name
    return None


def cub_dir() -> Path:
    """CUB-200-2011 in train/test layout: ``CH6_CUB_DIR``, else the assets sibling, else cache.

    Example:
        >>> cub_dir().name in {"CUB200", "cub200_sample"} or True
        True
    """
    path = _env("CH6_CUB_DIR")
    if path:
        return Path(path).expanduser()
    return _asset_sibling("cub200_sample") or cache_dir() / "CUB200"


def darknet_dir() -> Path:
    """Darknet model folder: ``CH6_DARKNET_DIR``, else the assets sibling, else the cache.

    Example:
        >>> darknet_dir().name in {"darknet"}
        True
    """
    path = _env("CH6_DARKNET_DIR")
    if path:
        return Path(path).expanduser()
    return _asset_sibling("darknet") or cache_dir() / "darknet"


def yolo_model_name() -> str:
    """Which darknet model 프로그램 6-12 runs (``CH6_YOLO_MODEL``, default ``yolov3``).

    Example:
        >>> yolo_model_name()  # doctest: +SKIP
        'yolov3'
    """
    return _env("CH6_YOLO_MODEL") or "yolov3"


def model_dir() -> Path:
    """Where notebooks save trained models (``CH6_MODEL_DIR``, default ``<cache>/models``).

    Example:
        >>> model_dir().name
        'models'
    """
    path = _env("CH6_MODEL_DIR")
    return Path(path).expanduser() if path else cache_dir() / "models"


def model_path(filename: str) -> Path:
    """Full path of a saved model file, creating its folder.

    Example:
        >>> model_path("my_cnn.keras").name
        'my_cnn.keras'
    """
    folder = model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def results_dir() -> Path:
    """Where full-mode runs record results (``CH6_RESULTS_DIR``, default the repo's ``results/``).

    Example:
        >>> results_dir().name
        'results'
    """
    path = _env("CH6_RESULTS_DIR")
    return Path(path).expanduser() if path else REPO_ROOT / "results"


def in_colab() -> bool:
    """True when running inside Google Colab.

    Example:
        >>> in_colab()
        False
    """
    return "google.colab" in sys.modules


# Oldest versions the notebooks are written for; OpenCV must stay below 5 (no Darknet importer).
MIN_VERSIONS = {"tensorflow": "2.16", "keras": "3.0", "numpy": "1.26", "matplotlib": "3.9",
                "sklearn": "1.3", "cv2": "4.5"}


def check_versions(modules=("tensorflow", "keras", "numpy", "matplotlib", "sklearn", "cv2")) -> dict:
    """Import the given libraries, compare with :data:`MIN_VERSIONS`, return ``{name: version}``.

    Raises ``RuntimeError`` with the fix when a library is too old, or when OpenCV is 5.x
    (5.0 removed the Darknet importer that 프로그램 6-12 needs).

    Example:
        >>> check_versions(("numpy",))["numpy"] >= "2"
        True
    """
    import importlib

    from packaging.version import Version

    found = {}
    for name in modules:
        module = importlib.import_module(name)
        version = str(getattr(module, "__version__", "0"))
        found[name] = version
        if Version(version) < Version(MIN_VERSIONS.get(name, "0")):
            raise RuntimeError(
                f"{name} {version} is older than the {MIN_VERSIONS[name]} these notebooks need: "
                "run `pip install -r requirements.txt` (or `make lab`)."
            )
        if name == "cv2" and Version(version) >= Version("5"):
            raise RuntimeError(
                f"OpenCV {version} has no Darknet importer (removed in 5.0), so YOLOv3 cannot load. "
                'Install a 4.x release: pip install "opencv-python-headless<5"'
            )
    return found


def setup(modules=("tensorflow", "keras", "numpy", "matplotlib", "sklearn")) -> dict:
    """The first cell of every notebook: check versions, seed every RNG, Korean font, mode banner.

    Example:
        >>> info = setup(modules=("numpy",))  # doctest: +ELLIPSIS
        numpy ...
    """
    found = check_versions(modules)
    value = set_seed()
    from .plots import use_korean_font

    use_korean_font()
    print(" · ".join(f"{name} {version}" for name, version in found.items()))
    if "tensorflow" in found:
        # Asking for devices here makes TensorFlow's one-time CUDA probe log in this cell.
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        print(f"GPU: {len(gpus)}개" if gpus else
              "GPU: 없음 — CPU로 실행합니다 (전체 모드는 오래 걸립니다; Colab에서는 런타임 > GPU).")
    print(f"난수 씨앗(seed): {value}")
    if is_quick():
        print("⚡ 빠른 모드(CH6_QUICK=1): 세대 수와 데이터를 줄여 실행합니다. "
              "정확률은 책과 비교할 수 없습니다.")
    else:
        print("전체 모드: 책과 같은 설정으로 실행합니다 (CPU에서는 오래 걸릴 수 있습니다).")
    if data_dir() is not None:
        print("데이터: CH6_DATA_DIR에서 읽습니다 (오프라인).")
    return {"versions": found, "seed": value, "quick": is_quick()}
