"""One place for the settings every notebook shares: quick mode, seeds and where files live.

Nothing else in the project reads environment variables (a test checks it).  The variables:

``CH6_QUICK``           ``1`` quick mode (fewer epochs, small subsets); ``0`` or unset: full mode
``CH6_DATA_DIR``        folder with mnist.npz, fashion_mnist.npz, cifar10.npz (unset: Keras downloads)
``CH6_CUB_DIR``         CUB-200-2011 as train/<class>/, test/<class>/ (else cub200_sample beside the data, else cache)
``CH6_CUB_URLS``        sources of CUB_200_2011.tgz, separated by spaces (default: the official URL)
``CH6_DARKNET_DIR``     darknet files (else darknet/ beside CH6_DATA_DIR, else the cache)
``CH6_PRETRAINED_DIR``  pretrained TFLite files and labels (else pretrained/ beside CH6_DATA_DIR, else the cache)
``CH6_IMAGES_DIR``      labelled sample photos (else images/ beside CH6_DATA_DIR, else the cache)
``CH6_YOLO_MODEL``      the darknet model of 프로그램 6-12 (default yolov3)
``CH6_CACHE_DIR``       downloads, prepared data and everything a run writes (default ~/.cache/ch6)
``CH6_MODEL_DIR``       saved models (default <cache>/models)
``CH6_RESULTS_DIR``     full runs' results (default <cache>/results; make full: the repository's results/)
``CH6_CHECKPOINT_DIR``  checkpoints to load and to save (default: load the shipped ones, save into <cache>)
``CH6_SEED``            the seed for Python, NumPy and Keras (default 2024)
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

# Quiet TensorFlow's C++ start-up chatter before anything imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_URL = "https://github.com/ch6-cnn-course/ch6-cnn-notebooks"
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
# What the project's own full runs saved; shipped inside the package (see saved.py).
SAVED = Path(__file__).resolve().parent / "saved"

_quick_override: bool | None = None
QUICK_VALUES = {"1": True, "true": True, "yes": True, "on": True,
                "0": False, "false": False, "no": False, "off": False}


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _path(name: str, default=None):
    """The folder that variable ``name`` names, else ``default``."""
    value = _env(name)
    return Path(value).expanduser() if value else default


def is_quick() -> bool:
    """Return True in quick mode (``CH6_QUICK=1`` or :func:`set_quick_mode`).

    A ``CH6_QUICK`` value that is not one of :data:`QUICK_VALUES` raises ``ValueError``
    (a typo must not start hours of full-mode training).

    Example:
        >>> set_quick_mode(True); is_quick()
        True
    """
    if _quick_override is not None:
        return _quick_override
    text = (_env("CH6_QUICK") or "0").lower()
    if text not in QUICK_VALUES:
        raise ValueError(f"CH6_QUICK={_env('CH6_QUICK')!r} is not understood. Use CH6_QUICK=1 for quick mode "
                         f"or CH6_QUICK=0 (or leave it unset) for full mode; accepted values: "
                         f"{', '.join(QUICK_VALUES)}.")
    return QUICK_VALUES[text]


def quick_mode_source() -> str:
    """What chose the mode: ``"set_quick_mode"``, ``"CH6_QUICK=<value>"`` or ``"default"``.

    Example:
        >>> set_quick_mode(True); quick_mode_source()
        'set_quick_mode'
        >>> set_quick_mode(None); env(CH6_QUICK="1"); quick_mode_source()
        'CH6_QUICK=1'
    """
    if _quick_override is not None:
        return "set_quick_mode"
    return f"CH6_QUICK={_env('CH6_QUICK')}" if _env("CH6_QUICK") else "default"


def set_quick_mode(on: bool | None) -> None:
    """Switch quick mode on or off from a notebook, without restarting the kernel.

    ``None`` goes back to what ``CH6_QUICK`` says.  Only ``True``, ``False`` or ``None``
    are accepted (``set_quick_mode("0")`` is refused rather than read as "on").

    Example:
        >>> set_quick_mode(True)   # an instructor's first cell
        >>> epochs(30)
        2
    """
    global _quick_override
    if on is not None and not isinstance(on, bool):
        raise TypeError(f"set_quick_mode takes True, False or None, not {on!r}: "
                        "set_quick_mode(True) for quick mode, set_quick_mode(False) for full mode.")
    _quick_override = on


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
        >>> env(CH6_CACHE_DIR=None); cache_dir() == Path.home() / ".cache" / "ch6"
        True
    """
    return _path("CH6_CACHE_DIR", Path.home() / ".cache" / "ch6")


def data_dir() -> Path | None:
    """The offline dataset folder (``CH6_DATA_DIR``), or None when Keras should download.

    Example:
        >>> env(CH6_DATA_DIR="/data/ch6/datasets"); data_dir()
        PosixPath('/data/ch6/datasets')
    """
    return _path("CH6_DATA_DIR")


def _asset_sibling(name: str) -> Path | None:
    base = data_dir()
    if base is not None and (base.parent / name).is_dir():
        return base.parent / name
    return None


def cub_dir() -> Path:
    """CUB-200-2011 in train/test layout: ``CH6_CUB_DIR``, else the assets sibling, else cache.

    Example:
        >>> env(CH6_CUB_DIR="/data/birds"); cub_dir()
        PosixPath('/data/birds')
    """
    return _path("CH6_CUB_DIR") or _asset_sibling("cub200_sample") or cache_dir() / "CUB200"


ASSET_KINDS = {"darknet": "CH6_DARKNET_DIR", "pretrained": "CH6_PRETRAINED_DIR", "images": "CH6_IMAGES_DIR",
               "cub": None}


def asset_dir(kind: str) -> Path | None:
    """The offline folder of one kind of downloadable file, or None (then: the cache).

    ``CH6_<KIND>_DIR`` (:data:`ASSET_KINDS`), else the folder named ``kind`` beside
    ``CH6_DATA_DIR`` (the layout of the shared offline assets).

    Example:
        >>> env(CH6_PRETRAINED_DIR="/data/tflite"); asset_dir("pretrained")
        PosixPath('/data/tflite')
    """
    if kind not in ASSET_KINDS:
        raise ValueError(f"unknown kind of file {kind!r}; one of {sorted(ASSET_KINDS)}")
    variable = ASSET_KINDS[kind]
    return (_path(variable) or _asset_sibling(kind)) if variable else None


def darknet_dir() -> Path:
    """Darknet model folder: ``CH6_DARKNET_DIR``, else the assets sibling, else the cache.

    Example:
        >>> env(CH6_DARKNET_DIR=None, CH6_DATA_DIR=None, CH6_CACHE_DIR="/tmp/c"); darknet_dir()
        PosixPath('/tmp/c/darknet')
    """
    return asset_dir("darknet") or cache_dir() / "darknet"


def download_sources(name: str) -> list[str] | None:
    """Sources configured for a registered download (only ``CUB_200_2011.tgz``: ``CH6_CUB_URLS``).

    Example:
        >>> env(CH6_CUB_URLS="http://127.0.0.1:8000/a.tgz http://mirror/b.tgz")
        >>> download_sources("CUB_200_2011.tgz")
        ['http://127.0.0.1:8000/a.tgz', 'http://mirror/b.tgz']
    """
    text = _env("CH6_CUB_URLS") if name == "CUB_200_2011.tgz" else None
    return text.split() if text else None


def yolo_model_name() -> str:
    """Which darknet model 프로그램 6-12 runs (``CH6_YOLO_MODEL``, default ``yolov3``).

    Example:
        >>> env(CH6_YOLO_MODEL=None); yolo_model_name()
        'yolov3'
    """
    return _env("CH6_YOLO_MODEL") or "yolov3"


def test_kernel() -> str:
    """The Jupyter kernel the notebook tests execute in (``CH6_TEST_KERNEL``, default ``python3``)."""
    return _env("CH6_TEST_KERNEL") or "python3"


def model_dir() -> Path:
    """Where notebooks save trained models (``CH6_MODEL_DIR``, default ``<cache>/models``).

    Example:
        >>> model_dir().name
        'models'
    """
    return _path("CH6_MODEL_DIR", cache_dir() / "models")


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
    """Where full-mode runs record results: ``CH6_RESULTS_DIR``, default ``<cache>/results``.

    Only the commands that refresh the repository's saved results (``make full``,
    ``make checkpoints``, ``make bench``) point it at the repository's ``results/``.

    Example:
        >>> env(CH6_RESULTS_DIR=None, CH6_CACHE_DIR="/tmp/c"); results_dir()
        PosixPath('/tmp/c/results')
    """
    return _path("CH6_RESULTS_DIR", cache_dir() / "results")


def saved_results_dir() -> Path:
    """The results this project saved from its own full runs (shipped with the package)."""
    return SAVED / "results"


def checkpoint_dir() -> Path:
    """The checkpoints to load: ``CH6_CHECKPOINT_DIR``, else the ones shipped with the package."""
    return _path("CH6_CHECKPOINT_DIR", SAVED / "checkpoints")


def checkpoint_output_dir() -> Path:
    """Where a full run saves its checkpoint: ``CH6_CHECKPOINT_DIR``, else ``<cache>/my-checkpoints``
    (never the shipped checkpoints, so lectures keep loading those).

    Example:
        >>> env(CH6_CHECKPOINT_DIR=None, CH6_CACHE_DIR="/tmp/c"); checkpoint_output_dir()
        PosixPath('/tmp/c/my-checkpoints')
    """
    return _path("CH6_CHECKPOINT_DIR", cache_dir() / "my-checkpoints")



def child_environment(**values) -> dict:
    """This process's environment plus ``values``, for a child process (None removes a variable).

    Example:
        >>> child_environment(CH6_QUICK="1")["CH6_QUICK"]
        '1'
    """
    environment = dict(os.environ)
    for key, value in values.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = str(value)
    return environment
