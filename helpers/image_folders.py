"""Class folders → arrays (프로그램 6-11's loader, fixed) or a streamed ``tf.data`` set.

The book reads ``<folder>/<class>/*.jpg`` with two loops.  Fixed here:

* :func:`list_classes` sorts the class folders (``os.listdir``'s order is arbitrary) and skips
  hidden entries (``.ipynb_checkpoints``, ``.DS_Store``, anything starting with ``.``);
* :func:`select_classes` is the book's every-tenth class; labels are positions 0 … n-1 in the
  selection (the book used the folder positions 9, 19 …, which ``to_categorical`` rejects);
* :func:`list_images` looks at each file's own colour mode (the book's ``getbands()`` check
  runs after Keras has already converted to RGB, so it never fires) and refuses anything in a
  class folder that is not an image;
* :func:`load_in_memory` is the book's in-RAM loader; :func:`stream_dataset` reads the same
  files, labels and preprocessing batch by batch, past the book's memory limit.

TensorFlow and Keras are imported inside the functions that need them.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from ._course import config

NON_RGB_CHOICES = ("skip", "convert")


class ImageFolderError(ValueError):
    """A class folder holds something that is not an image (a sub-folder or another file)."""


def list_classes(folder) -> list[str]:
    """The class folders of ``folder``, sorted; hidden entries and plain files are not classes.

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> for name in ("Indigo_Bunting", "Bobolink", ".ipynb_checkpoints"):
        ...     (root / name).mkdir()
        >>> list_classes(root)
        ['Bobolink', 'Indigo_Bunting']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} is not a folder. 프로그램 6-11 needs CUB-200-2011 in train/<class>/ and "
            "test/<class>/ folders: run helpers._course.cub.ensure_cub() (it downloads and prepares them) "
            "or set CH6_CUB_DIR to such a folder.")
    return sorted(entry.name for entry in os.scandir(folder)
                  if entry.is_dir() and not entry.name.startswith("."))


def select_classes(classes, class_reduce: float) -> list[str]:
    """The book's class subset: every ``round(1/class_reduce)``-th class (``i%10==9`` for 0.1).

    Example:
        >>> select_classes([f"c{i:03d}" for i in range(200)], 0.1)[:3]
        ['c009', 'c019', 'c029']
    """
    if not 0 < class_reduce <= 1:
        raise ValueError(f"class_reduce must be in (0, 1], got {class_reduce}")
    step = max(1, round(1 / class_reduce))
    return [name for i, name in enumerate(classes) if i % step == step - 1]


def select_book_classes(classes) -> list[str]:
    """The classes 프로그램 6-11 uses: the book's ``class_reduce=0.1`` of a complete CUB (20 of
    200), or every class of a small sample (10 of the offline ``cub200_sample``, where 10 % would
    leave one class).

    Example:
        >>> len(select_book_classes([f"c{i:03d}" for i in range(200)])), len(select_book_classes(["a", "b"]))
        (20, 2)
    """
    return select_classes(classes, book_class_reduce(len(classes)))


def book_class_reduce(n_classes: int) -> float:
    """The book's ``class_reduce=0.1`` for a complete CUB (100 classes or more), else 1.0 (all).

    Example:
        >>> book_class_reduce(200), book_class_reduce(10)
        (0.1, 1.0)
    """
    return 0.1 if n_classes >= 100 else 1.0


def image_mode(path) -> str:
    """The colour mode stored in an image file (``'RGB'``, ``'L'`` grey, ``'CMYK'`` …).

    Keras's ``load_img`` converts every file to RGB, so the book's ``getbands()!=3`` check
    after it never fires; this looks at the file itself (reads only the header).

    Example:
        >>> import tempfile
        >>> from PIL import Image
        >>> path = Path(tempfile.mkdtemp()) / "grey.jpg"
        >>> Image.new("L", (8, 8)).save(path)
        >>> image_mode(path)
        'L'
    """
    from PIL import Image

    with Image.open(path) as img:
        return img.mode


def list_images(folder, classes, *, non_rgb: str = "skip"):
    """The image paths and labels (0 … len(classes)-1, by position in ``classes``).

    Files are sorted within each class; hidden entries (``.DS_Store``,
    ``.ipynb_checkpoints`` …) are ignored.  Anything else in a class folder that is not an
    image — a sub-folder, a text file — raises :class:`ImageFolderError` naming it (a
    stray file is not silently left out of the data).  Images whose mode is not RGB get a
    warning in the book's words; ``non_rgb="skip"`` leaves them out (the book's intent),
    ``"convert"`` keeps them (they are converted to RGB when read).

    Example:
        >>> root = sample_folders(["Bobolink", "Indigo_Bunting"])
        >>> paths, labels = list_images(root, ["Bobolink", "Indigo_Bunting"])
        >>> [Path(p).parent.name for p in paths], labels
        (['Bobolink', 'Indigo_Bunting'], [0, 1])
    """
    from PIL import UnidentifiedImageError

    if non_rgb not in NON_RGB_CHOICES:
        raise ValueError(f"non_rgb must be one of {NON_RGB_CHOICES}, got {non_rgb!r}")
    folder = Path(folder)
    paths, labels = [], []
    for label, class_name in enumerate(classes):
        class_folder = folder / class_name
        if not class_folder.is_dir():
            raise FileNotFoundError(
                f"{class_folder} is missing: the train and test folders must have the same "
                "class folders (helpers._course.cub.prepare_cub makes them so).")
        for fname in sorted(name for name in os.listdir(class_folder) if not name.startswith(".")):
            path = class_folder / fname
            if path.is_dir():
                raise ImageFolderError(f"{path} is a folder inside the class folder {class_name}: a class "
                                       "folder must hold only image files. Move it out or delete it.")
            try:
                mode = image_mode(path)
            except UnidentifiedImageError:
                raise ImageFolderError(f"{path} is not an image file: a class folder must hold only "
                                       "images (.jpg, .png …). Move it out or delete it.") from None
            if mode != "RGB":
                action = "건너뜀" if non_rgb == "skip" else "RGB로 변환"
                warnings.warn(f"주의: 유효하지 않은 영상 발생 {class_name} {fname} (모드 {mode}, {action})",
                              stacklevel=2)
                if non_rgb == "skip":
                    continue
            paths.append(str(path))
            labels.append(label)
    return paths, labels


def load_in_memory(folder, classes, image_size=(224, 224), *, non_rgb: str = "skip", preprocess=None):
    """The book's loader (프로그램 6-11, lines 16–45), fixed: every image in RAM at once.

    Returns ``x`` (float32, shape ``(n, *image_size, 3)``, passed through ``preprocess``:
    default ResNet50's ``preprocess_input`` as in the book) and ``y`` (int labels
    0 … len(classes)-1; the book used folder positions 9, 19, …).  Like the book, it collects a
    list and then copies it into one array, so it needs about twice the data.

    Example:
        >>> root = sample_folders(["Bobolink", "Indigo_Bunting"])
        >>> x, y = load_in_memory(root, ["Bobolink", "Indigo_Bunting"], (32, 32))
        >>> x.shape, y.tolist()
        ((2, 32, 32, 3), [0, 1])
    """
    import numpy as np
    from keras.preprocessing import image

    preprocess_input = preprocess or _resnet50_preprocess()
    paths, labels = list_images(folder, classes, non_rgb=non_rgb)
    x = []
    for path in paths:
        img = image.load_img(path, target_size=tuple(image_size))  # converts to RGB
        x.append(preprocess_input(image.img_to_array(img)))
    x = np.asarray(x, dtype=np.float32).reshape(len(paths), *image_size, 3)
    return x, np.asarray(labels, dtype=np.int64)


def stream_dataset(folder, classes, image_size=(224, 224), *, batch_size: int = 16,
                   shuffle: bool = False, non_rgb: str = "skip", preprocess=None):
    """A ``tf.data.Dataset`` of ``(images, one-hot labels)`` batches read from disk as needed.

    Same files, labels, resizing (nearest, like ``load_img``) and ``preprocess`` as
    :func:`load_in_memory`, but only a few batches are in memory at a time, so all 200
    classes fit.  ``shuffle=True`` reshuffles every epoch (for training).

    Example:
        >>> root = sample_folders(["Bobolink", "Indigo_Bunting"], images=3)
        >>> data = stream_dataset(root, ["Bobolink", "Indigo_Bunting"], (32, 32), batch_size=4)
        >>> [tuple(images.shape) for images, labels in data]
        [(4, 32, 32, 3), (2, 32, 32, 3)]
    """
    import tensorflow as tf

    preprocess_input = preprocess or _resnet50_preprocess()
    paths, labels = list_images(folder, classes, non_rgb=non_rgb)
    if not paths:
        raise ValueError(f"no images found under {folder} for classes {list(classes)[:3]} …")
    data = tf.data.Dataset.from_tensor_slices((paths, labels))
    if shuffle:
        data = data.shuffle(len(paths), seed=config.seed(), reshuffle_each_iteration=True)
    n_classes = len(classes)
    height, width = image_size

    def load(path, label):
        raw = tf.io.read_file(path)
        img = tf.io.decode_image(raw, channels=3, expand_animations=False)
        img = tf.image.resize(img, (height, width), method="nearest")
        img = tf.cast(img, tf.float32)
        img.set_shape((height, width, 3))
        return preprocess_input(img), tf.one_hot(label, n_classes)

    data = data.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def sample_folders(classes, *, root=None, parts=("",), images: int = 1, size=(40, 30)) -> Path:
    """Write a tiny class-folder tree of plain JPEG images (for examples, tests and exercises);
    return its root.

    ``parts`` are the sub-folders holding the classes, e.g. ``("train", "test")`` for the
    layout of CUB-200-2011 that the book's 프로그램 6-11 reads.  ``root`` defaults to a new
    temporary folder.

    Example:
        >>> root = sample_folders(["Bobolink"], parts=("train", "test"), images=2)
        >>> sorted(str(p.relative_to(root)) for p in root.rglob("*.jpg"))
        ['test/Bobolink/0000.jpg', 'test/Bobolink/0001.jpg', 'train/Bobolink/0000.jpg', 'train/Bobolink/0001.jpg']
    """
    import tempfile

    from PIL import Image

    root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="ch6-folders-"))
    for part in parts:
        for number, name in enumerate(classes):
            folder = root / part / name
            folder.mkdir(parents=True, exist_ok=True)
            for k in range(images):
                Image.new("RGB", size, (40 * number % 256, 80, 120)).save(folder / f"{k:04d}.jpg")
    return root


def _resnet50_preprocess():
    from keras.applications.resnet50 import preprocess_input

    return preprocess_input
