"""Reading the book's datasets: the offline copy the configuration names, else ``keras.datasets``.

By default they call the Keras loaders (download once, then cached in ``~/.keras``).
With ``CH6_DATA_DIR`` set they read ``<dir>/<name>.npz`` instead, so the notebooks run
offline.  In quick mode every loader returns the first few thousand samples.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from . import config

# name -> (image shape, Keras label shape suffix, quick-mode sizes (train, test))
_SPECS = {
    "mnist": ((28, 28), (), (6000, 1000)),
    "fashion_mnist": ((28, 28), (), (6000, 1000)),
    "cifar10": ((32, 32, 3), (1,), (6000, 1000)),
}

# Offline copies this project knows, by the SHA-256 of the whole file (../shared/assets/MANIFEST.md;
# the full one is what ../shared/tools/make_full_cifar10.py writes, byte for byte the same on every run).
KNOWN_FILES = {
    "93ede276f2c108392ba19b0a39a718c192ec4eeb9b3721cd8c4d7f301e70173a": "JPEG q≈75 copy, subset",
    "b384719ddc8188bfe488714f07d3ed511377bd2c89f008ef32bba2e8f3ea99c8": "JPEG q≈75 copy",
    "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64": "lossless copy",
    "5b6d2c4c694a91887af8ab7d039c04f80af3c29378d731c93a538d2e831aa469": "lossless copy",
}
_NAMES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "cifar10": "CIFAR-10"}

class DatasetUnavailableError(RuntimeError):
    """Raised when a dataset can be neither read from CH6_DATA_DIR nor downloaded."""


def load(name: str, *, folder=None):
    """Load ``mnist``, ``fashion_mnist`` or ``cifar10`` (see the module docstring), from
    ``folder`` if given, else from ``CH6_DATA_DIR``, else through ``keras.datasets``.

    Example:
        >>> load("svhn")
        Traceback (most recent call last):
        ValueError: unknown dataset 'svhn'; choose one of ['cifar10', 'fashion_mnist', 'mnist']
    """
    if name not in _SPECS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(_SPECS)}")
    folder = Path(folder) if folder is not None else config.data_dir()
    if folder is not None:
        (x_train, y_train), (x_test, y_test) = _load_npz(folder / f"{name}.npz", name)
    else:
        (x_train, y_train), (x_test, y_test) = _load_keras(name)
    n_train, n_test = config.pick((len(x_train), len(x_test)), _SPECS[name][2])
    return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])


def _load_npz(path: Path, name: str):
    if not path.is_file():
        raise DatasetUnavailableError(
            f"CH6_DATA_DIR is set to {path.parent}, but {path.name} is not there. "
            f"Put {path.name} (arrays x_train, y_train, x_test, y_test) in that folder, "
            "or unset CH6_DATA_DIR to let Keras download the data."
        )
    try:
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise DatasetUnavailableError(
            f"{path} is not a readable dataset file ({error}). It must be an .npz with "
            "arrays x_train, y_train, x_test, y_test; replace it with a good copy."
        ) from None
    image_shape, label_tail, _ = _SPECS[name]
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.shape[1:] != image_shape or len(x) != len(y):
            raise DatasetUnavailableError(
                f"{path}: x_{split} has shape {x.shape} and y_{split} {y.shape}; "
                f"{name} needs images of shape (N, {', '.join(map(str, image_shape))}) "
                "and one label per image."
            )
    for split in ("train", "test"):
        _check_pixels(path, f"x_{split}", arrays[f"x_{split}"])
        _check_labels(path, f"y_{split}", arrays[f"y_{split}"])
    to_labels = lambda y: y.astype(np.uint8).reshape((len(y),) + label_tail)  # noqa: E731
    return ((arrays["x_train"].astype(np.uint8), to_labels(arrays["y_train"])),
            (arrays["x_test"].astype(np.uint8), to_labels(arrays["y_test"])))


def _check_pixels(path: Path, name: str, x: np.ndarray) -> None:
    """Pixels must be whole numbers 0…255, as keras.datasets gives them (uint8)."""
    if x.dtype == np.uint8 or x.size == 0:
        return
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise DatasetUnavailableError(f"{path}: {name} holds {x.dtype} values; pixels must be numbers 0…255.")
    low, high = float(x.min()), float(x.max())
    if np.issubdtype(x.dtype, np.floating) and high <= 1.0:
        raise DatasetUnavailableError(
            f"{path}: {name} holds floats between {low:g} and {high:g}, i.e. pixels already divided by 255. "
            "The notebooks divide by 255 themselves (as the book does), so store the raw uint8 pixels 0…255: "
            "np.savez(..., x_train=(x_train*255).round().astype(np.uint8), ...).")
    if low < 0 or high > 255 or (np.issubdtype(x.dtype, np.floating) and not np.all(np.mod(x, 1) == 0)):
        raise DatasetUnavailableError(
            f"{path}: {name} holds values from {low:g} to {high:g}; pixels must be whole numbers 0…255 (uint8).")


def _check_labels(path: Path, name: str, y: np.ndarray) -> None:
    """Labels must be one class number per image (shape (N,) or (N,1)), 0…255."""
    if y.ndim == 2 and y.shape[1] > 1:
        raise DatasetUnavailableError(
            f"{path}: {name} has shape {y.shape}, which looks one-hot encoded. Store one class number per "
            "image (shape (N,)); the notebooks one-hot encode with to_categorical, as the book does: "
            f"np.savez(..., {name}=np.argmax({name}, axis=1), ...).")
    if y.ndim > 2:
        raise DatasetUnavailableError(f"{path}: {name} has shape {y.shape}; labels must have shape (N,) or (N, 1).")
    if y.size and (not np.issubdtype(y.dtype, np.number) or float(np.min(y)) < 0 or float(np.max(y)) > 255
                   or not np.all(np.mod(y, 1) == 0)):
        raise DatasetUnavailableError(
            f"{path}: {name} holds labels from {np.min(y)} to {np.max(y)}; labels must be class numbers 0…255 "
            "(0…9 for these data sets).")


def _load_keras(name: str):
    import keras

    loader = getattr(keras.datasets, name).load_data
    try:
        return loader()
    except Exception as error:  # network errors come in many types (URLError, HTTPError, OSError …)
        raise DatasetUnavailableError(
            f"Could not download {name} through keras.datasets ({type(error).__name__}: {error}). "
            f"Offline? Set CH6_DATA_DIR to a folder holding {name}.npz "
            "(arrays x_train, y_train, x_test, y_test), e.g. the project's shared assets."
        ) from error


def label(name: str, n_train: int, n_test: int, *, folder=None) -> str:
    """How a result names its data: the set, its sizes, and which copy it came from.

    A file in ``CH6_DATA_DIR`` that this project knows (by SHA-256, :data:`KNOWN_FILES`) is
    named, e.g. the CIFAR-10 rebuilt from JPEG files, whose pixels are close to but not equal
    to the original; an unknown file is called an offline copy; without ``CH6_DATA_DIR`` the
    data came from ``keras.datasets``.

    Example:
        >>> env(CH6_DATA_DIR=None); label("mnist", 60000, 10000)
        'MNIST 60000/10000 (keras.datasets)'
    """
    folder = Path(folder) if folder is not None else config.data_dir()
    title = f"{_NAMES.get(name, name)} {n_train}/{n_test}"
    if folder is None:
        return f"{title} (keras.datasets)"
    from .files import file_hash

    note = KNOWN_FILES.get(file_hash(folder / f"{name}.npz"))
    return f"{title} ({note})" if note else f"{title} (offline copy)"
