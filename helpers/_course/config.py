"""One place for the settings every notebook shares: quick mode, seeds and where files live.

Nothing else in the project reads environment variables (a test checks it).  The variables:

``CH6_QUICK``           ``1`` quick mode (fewer epochs, small subsets); ``0`` or unset: full mode
``CH6_DATA_DIR``        folder with mnist.npz, fashion_mnist.npz, cifar10.npz (unset: Keras downloads)
``CH6_CUB_DIR``         CUB-200-2011 as train/<class>/, test/<class>/ (else cub200_sample beside the data, else cache)
``CH6_CUB_URLS``        sources of CUB_200_2011.tgz, separated by spaces (default: the official URL)
``CH6_DARKNET_DIR``     darknet files (else darknet/ beside CH6_DATA_DIR, else the cache)
``CH6_PRETRAINED_DIR``  pretrained TFLite files and labels (else pretrained/ beside CH6_DATA_DIR, else the cache)
``CH6_IMAGES_DIR``      sample photos (else images/ beside CH6_DATA_DIR, else the cache)
``CH6_YOLO_MODEL``      the darknet model of 프로그램 6-12 (default yolov3)
``CH6_CACHE_DIR``       prepared data and everything a run writes (default ~/.cache/ch6)
``CH6_DOWNLOAD_DIR``    downloaded files (default: the cache; the tests read what `make download` fetched)
``KERAS_HOME``          Keras's own cache of data sets and weights (default ~/.keras)
``CH6_MODEL_DIR``       saved models (default <cache>/models)
``CH6_RESULTS_DIR``     full runs' results (default <cache>/results; make full: the repository's results/)
``CH6_CHECKPOINT_DIR``  checkpoints to load and to save (default: load the shipped ones, save into <cache>)
``CH6_SEED``            the seed for Python, NumPy and Keras (default 2024)
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from pathlib import Path

# Quiet TensorFlow's C++ start-up chatter before anything imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_URL = "https://github.com/ch6-cnn-course/ch6-cnn-notebooks"
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
# What the project's own full runs saved; shipped inside the package (see saved.py).
_SAVED = Path(__file__).resolve().parent / "saved"

_quick_override: bool | None = None
_QUICK_VALUES = {"1": True, "true": True, "yes": True, "on": True,
                 "0": False, "false": False, "no": False, "off": False}


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _path(name: str, default=None):
    """The folder that variable ``name`` names, else ``default``."""
    value = _env(name)
    return Path(value).expanduser() if value else default


def is_quick() -> bool:
    """True in quick mode (``CH6_QUICK=1`` or :func:`set_quick_mode`); an unknown ``CH6_QUICK`` is refused."""
    if _quick_override is not None:
        return _quick_override
    text = (_env("CH6_QUICK") or "0").lower()
    if text not in _QUICK_VALUES:
        raise ValueError(f"환경 변수 CH6_QUICK={_env('CH6_QUICK')!r}을(를) 알아듣지 못했습니다. 빠른 모드는 CH6_QUICK=1, "
                         f"전체 모드는 CH6_QUICK=0(또는 변수를 지우기)으로 정하세요. / CH6_QUICK is not understood; "
                         f"accepted values: {', '.join(_QUICK_VALUES)}.")
    return _QUICK_VALUES[text]


def quick_mode_source() -> str:
    """What chose the mode: ``"set_quick_mode"``, ``"CH6_QUICK=<value>"`` or ``"default"``."""
    if _quick_override is not None:
        return "set_quick_mode"
    return f"CH6_QUICK={_env('CH6_QUICK')}" if _env("CH6_QUICK") else "default"


def set_quick_mode(on: bool | None) -> None:
    """Switch quick mode on (True) or off (False) from a notebook; None goes back to ``CH6_QUICK``.

    Example:
        >>> set_quick_mode(True)   # an instructor's first cell
        >>> epochs(30)
        2
    """
    global _quick_override
    if on is not None and not isinstance(on, bool):
        raise TypeError(f"set_quick_mode에는 True, False, None만 줄 수 있습니다({on!r}이 아니라): 빠른 모드는 "
                        "set_quick_mode(True), 전체 모드는 set_quick_mode(False). / takes True, False or None.")
    _quick_override = on


def pick(full, quick):
    """``full`` in full mode, ``quick`` in quick mode.

    Example:
        >>> set_quick_mode(False); pick(50000, 5000)
        50000
    """
    return quick if is_quick() else full


def epochs(n: int, quick: int = 2) -> int:
    """The number of epochs: the book's ``n`` in full mode, at most ``quick`` in quick mode."""
    if n < 1:
        raise ValueError(f"세대 수는 1 이상이어야 합니다(받은 값 {n}). / epochs must be at least 1, got {n}")
    return min(n, quick) if is_quick() else n


def seed() -> int:
    """The project's one seed (``CH6_SEED``, default 2024)."""
    text = _env("CH6_SEED") or "2024"
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"환경 변수 CH6_SEED는 정수여야 합니다(지금 {text!r}). 예: CH6_SEED=2024 "
                         f"/ CH6_SEED must be a whole number, got {text!r}") from None


def set_seed(value: int | None = None) -> int:
    """Seed Python, NumPy and Keras (initialisers, dropout); return the seed.

    TensorFlow's global seed stays unset: with it, Keras 3's ``fit`` on NumPy arrays shuffles the
    training set into the same order in every epoch, which cost 3.5 points of 6-9's
    cross-validation accuracy here (``tools/cv_paths.py``).
    """
    value = seed() if value is None else int(value)
    os.environ["PYTHONHASHSEED"] = str(value)
    random.seed(value)
    import numpy as np

    np.random.seed(value)
    if "keras" in sys.modules or "tensorflow" in sys.modules or importlib.util.find_spec("keras"):
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(value)
        tf.random.set_seed(None)  # see above: a fixed TF seed freezes fit()'s per-epoch shuffle
    return value


def cache_dir() -> Path:
    """Folder for prepared data and everything a run writes (``CH6_CACHE_DIR``, default ``~/.cache/ch6``)."""
    return _path("CH6_CACHE_DIR", Path.home() / ".cache" / "ch6")


def download_dir() -> Path:
    """Where downloaded files go, one sub-folder per kind (``CH6_DOWNLOAD_DIR``, default the cache)."""
    return _path("CH6_DOWNLOAD_DIR") or cache_dir()


def keras_dir() -> Path:
    """Keras's own cache (``KERAS_HOME``, default ``~/.keras``): ``datasets/`` and ``models/``."""
    return _path("KERAS_HOME", Path.home() / ".keras")


def data_dir() -> Path | None:
    """The offline dataset folder (``CH6_DATA_DIR``), or None when Keras should download."""
    return _path("CH6_DATA_DIR")


def _asset_sibling(name: str) -> Path | None:
    base = data_dir()
    if base is not None and (base.parent / name).is_dir():
        return base.parent / name
    return None


def cub_dir() -> Path:
    """CUB-200-2011 in train/test layout: ``CH6_CUB_DIR``, else ``cub200_sample`` beside the data, else the cache."""
    return _path("CH6_CUB_DIR") or _asset_sibling("cub200_sample") or cache_dir() / "CUB200"


_ASSET_KINDS = {"darknet": "CH6_DARKNET_DIR", "pretrained": "CH6_PRETRAINED_DIR", "images": "CH6_IMAGES_DIR",
                "cub": None}


def asset_dir(kind: str) -> Path | None:
    """The offline folder of one kind of downloadable file (``CH6_<KIND>_DIR``, else ``kind`` beside
    ``CH6_DATA_DIR``), or None."""
    if kind not in _ASSET_KINDS:
        raise ValueError(f"unknown kind of file {kind!r}; one of {sorted(_ASSET_KINDS)}")
    variable = _ASSET_KINDS[kind]
    return (_path(variable) or _asset_sibling(kind)) if variable else None


def darknet_dir() -> Path:
    """Where the darknet files are looked for first: ``CH6_DARKNET_DIR``, ``darknet/`` beside the data, else downloaded."""
    return asset_dir("darknet") or download_dir() / "darknet"


def download_sources(name: str) -> list[str] | None:
    """Sources configured for a registered download (only ``CUB_200_2011.tgz``: ``CH6_CUB_URLS``)."""
    text = _env("CH6_CUB_URLS") if name == "CUB_200_2011.tgz" else None
    return text.split() if text else None


def yolo_model_name() -> str:
    """Which darknet model 프로그램 6-12 runs (``CH6_YOLO_MODEL``, default ``yolov3``)."""
    return _env("CH6_YOLO_MODEL") or "yolov3"


def test_kernel() -> str:
    """The Jupyter kernel the notebook tests execute in (``CH6_TEST_KERNEL``, default ``python3``)."""
    return _env("CH6_TEST_KERNEL") or "python3"


def model_path(filename: str) -> Path:
    """Where a notebook saves a trained model (``CH6_MODEL_DIR``, default ``<cache>/models``); the folder is made."""
    folder = _path("CH6_MODEL_DIR", cache_dir() / "models")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def results_dir() -> Path:
    """Where full-mode runs record results (``CH6_RESULTS_DIR``, default ``<cache>/results``)."""
    return _path("CH6_RESULTS_DIR", cache_dir() / "results")


def saved_results_dir() -> Path:
    """The results this project saved from its own full runs (shipped with the package)."""
    return _SAVED / "results"


def checkpoint_dir() -> Path:
    """The checkpoints to load: ``CH6_CHECKPOINT_DIR``, else the ones shipped with the package."""
    return _path("CH6_CHECKPOINT_DIR", _SAVED / "checkpoints")


def checkpoint_output_dir() -> Path:
    """Where a full run saves its checkpoint: ``CH6_CHECKPOINT_DIR``, else ``<cache>/my-checkpoints``."""
    return _path("CH6_CHECKPOINT_DIR", cache_dir() / "my-checkpoints")


def child_environment(**values) -> dict:
    """This process's environment plus ``values``, for a child process (None removes a variable)."""
    environment = dict(os.environ)
    for key, value in values.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = str(value)
    return environment
