"""Class folders (``<folder>/<class>/*.jpg``) → arrays, as 프로그램 6-11 reads them (fixed), or a
``tf.data`` set streamed from disk.

Fixed here: the classes are sorted (``os.listdir``'s order is arbitrary) and hidden entries
(``.ipynb_checkpoints``) skipped; labels are 0 … n-1 within the chosen classes (the book used the
folder positions 9, 19 …); a file's own colour mode is checked (after ``load_img`` it is always RGB).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from ._course import config


def list_classes(folder) -> list[str]:
    """The class folders of ``folder``, sorted; hidden entries and plain files are not classes."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} 폴더가 없습니다. 프로그램 6-11은 CUB-200-2011을 train/<부류>/, test/<부류>/ 폴더로 읽습니다: "
            "helpers._course.cub.ensure_cub()로 준비하거나(내려받아 정리함) CH6_CUB_DIR에 그런 폴더를 지정하세요.")
    return sorted(entry.name for entry in os.scandir(folder) if entry.is_dir() and not entry.name.startswith("."))


def select_book_classes(classes) -> list[str]:
    """The classes 프로그램 6-11 uses: every tenth (the book's ``class_reduce=0.1``, ``i%10==9``) of a
    complete CUB, or all of a folder with fewer than 100 classes (10 % would leave too few).

    Example:
        >>> len(select_book_classes([f"c{i:03d}" for i in range(200)])), select_book_classes(["a", "b"])
        (20, ['a', 'b'])
    """
    step = 10 if len(classes) >= 100 else 1
    return [name for i, name in enumerate(classes) if i % step == step - 1]


def image_mode(path) -> str:
    """The colour mode stored in an image file (``'RGB'``, ``'L'`` grey, ``'CMYK'`` …); reads the header only."""
    from PIL import Image

    with Image.open(path) as img:
        return img.mode


def list_images(folder, classes):
    """The image paths and labels (0 … len(classes)-1) of ``classes``, files sorted within each class.

    A non-RGB image is left out with the book's warning; anything else in a class folder that is
    not an image is an error naming it (a stray file is not silently dropped from the data).
    """
    from PIL import UnidentifiedImageError

    paths, labels = [], []
    for label, class_name in enumerate(classes):
        class_folder = Path(folder) / class_name
        if not class_folder.is_dir():
            raise FileNotFoundError(f"{class_folder} 폴더가 없습니다: train과 test에는 같은 부류 폴더가 있어야 합니다 "
                                    "(helpers._course.cub.prepare_cub가 그렇게 만듭니다).")
        for fname in sorted(name for name in os.listdir(class_folder) if not name.startswith(".")):
            path = class_folder / fname
            try:
                mode = image_mode(path)
            except (UnidentifiedImageError, IsADirectoryError, PermissionError):
                raise ValueError(f"{path}는 영상 파일이 아닙니다: 부류 폴더에는 영상만 두세요(옮기거나 지우세요).") from None
            if mode != "RGB":
                warnings.warn(f"주의: 유효하지 않은 영상 발생 {class_name} {fname} (모드 {mode}, 건너뜀)", stacklevel=2)
                continue
            paths.append(str(path))
            labels.append(label)
    return paths, labels


def load_in_memory(folder, classes, image_size=(224, 224), *, preprocess):
    """The book's loader (lines 16–47), fixed: every image of ``classes`` in RAM as float32.

    Returns ``x`` (``(n, *image_size, 3)``, passed through ``preprocess``, the base's
    ``preprocess_input``) and ``y`` (labels 0 … len(classes)-1).
    """
    import numpy as np
    from keras.preprocessing import image

    paths, labels = list_images(folder, classes)
    x = [preprocess(image.img_to_array(image.load_img(path, target_size=tuple(image_size)))) for path in paths]
    return np.asarray(x, dtype=np.float32).reshape(len(paths), *image_size, 3), np.asarray(labels)


def stream_dataset(folder, classes, image_size=(224, 224), *, batch_size: int = 16, shuffle: bool = False,
                   preprocess):
    """A ``tf.data.Dataset`` of ``(images, one-hot labels)`` batches read from disk as needed.

    Same files, labels, resizing (nearest, like ``load_img``) and ``preprocess`` as
    :func:`load_in_memory`, but only a few batches are in memory at a time, so all 200 classes fit.
    ``shuffle=True`` reshuffles every epoch (for training).
    """
    import tensorflow as tf

    paths, labels = list_images(folder, classes)
    if not paths:
        raise ValueError(f"{folder}에 {list(classes)[:3]} … 부류의 영상이 없습니다.")

    def load(path, label):
        img = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        img = tf.cast(tf.image.resize(img, image_size, method="nearest"), tf.float32)
        img.set_shape((*image_size, 3))
        return preprocess(img), tf.one_hot(label, len(classes))

    data = tf.data.Dataset.from_tensor_slices((paths, labels))
    if shuffle:
        data = data.shuffle(len(paths), seed=config.seed(), reshuffle_each_iteration=True)
    return data.map(load, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size).prefetch(tf.data.AUTOTUNE)
