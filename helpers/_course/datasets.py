"""The book's data sets behind :mod:`helpers.data`: ``<CH6_DATA_DIR>/<name>.npz`` if that variable is set,
else ``keras.datasets`` (downloaded once into ``~/.keras/datasets``).  Quick mode keeps the first samples."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from . import config

# name -> (image shape, Keras label shape suffix, quick-mode sizes (train, test), files keras.datasets keeps)
_SPECS = {
    "mnist": ((28, 28), (), (6000, 1000), ("mnist.npz",)),
    "fashion_mnist": ((28, 28), (), (6000, 1000), tuple(f"fashion-mnist/{part}-{kind}-idx{n}-ubyte.gz"
                                                        for part in ("train", "t10k")
                                                        for kind, n in (("labels", 1), ("images", 3)))),
    "cifar10": ((32, 32, 3), (1,), (6000, 1000), ("cifar-10-batches-py-target_archive",)),
}
NAMES = tuple(_SPECS)
_TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "cifar10": "CIFAR-10"}

# Offline copies this project knows, by the SHA-256 of the whole file (../shared/assets/MANIFEST.md;
# the full one is what ../shared/tools/make_full_cifar10.py writes, byte for byte the same on every run).
_KNOWN_FILES = {
    "93ede276f2c108392ba19b0a39a718c192ec4eeb9b3721cd8c4d7f301e70173a": "JPEG q≈75 copy, subset",
    "b384719ddc8188bfe488714f07d3ed511377bd2c89f008ef32bba2e8f3ea99c8": "JPEG q≈75 copy",
    "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64": "lossless copy",
    "5b6d2c4c694a91887af8ab7d039c04f80af3c29378d731c93a538d2e831aa469": "lossless copy",
}
_WHAT_TO_DO = ("`make download`로 미리 받거나(인터넷 필요), 오프라인 자료가 있으면 CH6_DATA_DIR을 그 datasets 폴더로 "
               "정하세요.")


class DatasetUnavailableError(RuntimeError):
    """A data set can be neither read from CH6_DATA_DIR nor downloaded; the message says what to do."""


def load(name: str, *, folder=None):
    """``(x_train, y_train), (x_test, y_test)`` of ``mnist``, ``fashion_mnist`` or ``cifar10`` as
    ``keras.datasets`` gives them, from ``folder`` (default ``CH6_DATA_DIR``) or through Keras."""
    if name not in _SPECS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(_SPECS)}")
    folder = Path(folder) if folder is not None else config.data_dir()
    if folder is not None:
        (x_train, y_train), (x_test, y_test) = _load_npz(folder / f"{name}.npz", name)
    else:
        (x_train, y_train), (x_test, y_test) = _load_keras(name)
    n_train, n_test = config.pick((len(x_train), len(x_test)), _SPECS[name][2])
    return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])


def available(name: str) -> bool:
    """True when :func:`load` can read ``name`` without a network (CH6_DATA_DIR's file, else Keras's cache)."""
    folder = config.data_dir()
    if folder is not None:
        return (folder / f"{name}.npz").is_file()
    return all((config.keras_dir() / "datasets" / file).exists() for file in _SPECS[name][3])


def _load_npz(path: Path, name: str):
    def refuse(problem: str, fix: str):
        raise DatasetUnavailableError(f"{path}: {problem} {fix} / {path.name}: not usable ({problem})")

    if not path.is_file():
        raise DatasetUnavailableError(
            f"CH6_DATA_DIR이 {path.parent}인데 그 폴더에 {path.name}이 없습니다. 배열 x_train, y_train, x_test, y_test를 "
            f"담은 {path.name}을 그 폴더에 두거나, CH6_DATA_DIR을 지워 Keras가 내려받게 하세요. "
            f"/ CH6_DATA_DIR is set to {path.parent}, but {path.name} is not there.")
    try:
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        refuse(f"읽을 수 있는 데이터 파일이 아닙니다({error}).",
               "배열 x_train, y_train, x_test, y_test를 담은 .npz 파일로 바꾸세요. (not a readable dataset file)")
    image_shape, label_tail = _SPECS[name][:2]
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.shape[1:] != image_shape or len(x) != len(y):
            refuse(f"x_{split}의 모양이 {x.shape}, y_{split}의 모양이 {y.shape}입니다.",
                   f"{name}에는 (N, {', '.join(map(str, image_shape))}) 모양의 영상과 영상마다 레이블 하나가 필요합니다. "
                   f"(needs images of shape (N, {', '.join(map(str, image_shape))}))")
        if x.dtype != np.uint8 and x.size:
            low, high = float(x.min()), float(x.max())
            if np.issubdtype(x.dtype, np.floating) and high <= 1.0:
                refuse(f"x_{split}의 값이 {low:g}…{high:g}의 실수로, 이미 255로 나눈 화소입니다.",
                       "노트북이 책처럼 255로 나누므로 원래의 uint8 화소 0…255를 저장하세요. "
                       f"(floats between {low:g} and {high:g}, i.e. pixels already divided by 255)")
            if low < 0 or high > 255 or not np.all(np.mod(x, 1) == 0):
                refuse(f"x_{split}의 값이 {low:g}…{high:g}입니다.",
                       f"화소는 0…255의 정수(uint8)여야 합니다. (values from {low:g} to {high:g})")
        if y.ndim > 2 or (y.ndim == 2 and y.shape[1] > 1):
            refuse(f"y_{split}의 모양이 {y.shape}로, 원-핫 부호화된 것 같습니다.",
                   f"영상마다 부류 번호 하나(모양 (N,))를 저장하세요: np.argmax(y_{split}, axis=1). "
                   f"(shape {y.shape}, which looks one-hot)")
        if y.size and (float(np.min(y)) < 0 or float(np.max(y)) > 255 or not np.all(np.mod(y, 1) == 0)):
            refuse(f"y_{split}의 레이블이 {np.min(y)}…{np.max(y)}입니다.",
                   f"레이블은 부류 번호 0…9여야 합니다. (labels from {np.min(y)} to {np.max(y)})")
    to_labels = lambda y: y.astype(np.uint8).reshape((len(y),) + label_tail)  # noqa: E731
    return ((arrays["x_train"].astype(np.uint8), to_labels(arrays["y_train"])),
            (arrays["x_test"].astype(np.uint8), to_labels(arrays["y_test"])))


def _load_keras(name: str):
    import keras

    try:
        return getattr(keras.datasets, name).load_data()
    except Exception as error:  # network errors come in many types (URLError, HTTPError, OSError …)
        raise DatasetUnavailableError(
            f"{_TITLES[name]}을(를) keras.datasets로 내려받지 못했습니다({type(error).__name__}: {error}). "
            f"{_WHAT_TO_DO} / could not download {name}; offline, set CH6_DATA_DIR to a folder holding {name}.npz."
        ) from error


def label(name: str, n_train: int, n_test: int, *, folder=None) -> str:
    """How a result names its data: the set, its sizes and which copy (``_KNOWN_FILES``, an offline copy
    or ``keras.datasets``), e.g. ``'MNIST 60000/10000 (keras.datasets)'``."""
    folder = Path(folder) if folder is not None else config.data_dir()
    title = f"{_TITLES[name]} {n_train}/{n_test}"
    if folder is None:
        return f"{title} (keras.datasets)"
    from .files import file_hash

    return f"{title} ({_KNOWN_FILES.get(file_hash(folder / f'{name}.npz'), 'offline copy')})"
