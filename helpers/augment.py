"""Online data augmentation with Keras 3 preprocessing layers, fed through ``tf.data``.

프로그램 6-7/6-8 augment with the legacy ``ImageDataGenerator``, which transforms one image
at a time in Python (SciPy) and cannot keep a CPU-trained CNN busy.  Here the same
transformations are Keras layers applied to whole batches inside a ``tf.data`` pipeline
(parallel ``map`` and ``prefetch``), so augmentation runs in TensorFlow's C++ thread pool
while the model trains.  (Measuring the pipelines' speed is :mod:`helpers._course.measure`'s job.)

How ``ImageDataGenerator`` arguments map onto the layers (see :func:`augmenter`):

=============================  ==========================================================
``rotation_range=30``          ``RandomRotation(30/360)``: a fraction of a full turn, ±
``width_shift_range=0.2``      ``RandomTranslation(height_factor, width_factor=0.2)``
``height_shift_range=0.2``     ``RandomTranslation(height_factor=0.2, ...)``
``horizontal_flip=True``       ``RandomFlip("horizontal")``
``fill_mode='nearest'``        ``fill_mode="nearest"`` (the layers default to ``"reflect"``)
=============================  ==========================================================
"""

from __future__ import annotations

import numpy as np

from ._course import config


def augmenter(rotation_range: float = 0.0, width_shift_range: float = 0.0,
              height_shift_range: float = 0.0, horizontal_flip: bool = False,
              fill_mode: str = "nearest", interpolation: str = "bilinear",
              seed: int | None = None):
    """Keras preprocessing layers doing what ``ImageDataGenerator`` does with the same arguments.

    ``rotation_range`` is in degrees, as for ``ImageDataGenerator``; the shifts are fractions
    of the width and height.  ``interpolation="bilinear"`` is what ``ImageDataGenerator``
    does (``interpolation_order=1``); ``"nearest"`` moves whole pixels and is much faster on
    a CPU (a shift of at most 3 pixels on a 32×32 image needs no blending).
    Returns a ``keras.Sequential`` to call on a batch of float
    images with ``training=True`` (it passes images through unchanged otherwise).

    Example:
        >>> layers = augmenter(rotation_range=30, width_shift_range=0.2,
        ...                    height_shift_range=0.2, horizontal_flip=True)
        >>> [type(layer).__name__ for layer in layers.layers]
        ['RandomRotation', 'RandomTranslation', 'RandomFlip']
    """
    import keras

    _check_shift_ranges(width_shift_range, height_shift_range)
    if not 0.0 <= rotation_range <= 180.0:
        raise ValueError(f"rotation_range={rotation_range}: give the largest rotation in degrees, 0 to 180.")
    seed = config.seed() if seed is None else seed
    steps = []
    if rotation_range:
        steps.append(keras.layers.RandomRotation(rotation_range / 360.0, fill_mode=fill_mode,
                                                 interpolation=interpolation, seed=seed))
    if width_shift_range or height_shift_range:
        steps.append(keras.layers.RandomTranslation(height_shift_range, width_shift_range,
                                                    fill_mode=fill_mode, interpolation=interpolation,
                                                    seed=seed + 1))
    if horizontal_flip:
        steps.append(keras.layers.RandomFlip("horizontal", seed=seed + 2))
    if not steps:
        raise ValueError("augmenter() got no transformation: set at least one of rotation_range, "
                         "width_shift_range, height_shift_range or horizontal_flip.")
    return keras.Sequential(steps, name="augmenter")


def _check_shift_ranges(width_shift_range: float, height_shift_range: float) -> None:
    for name, value in (("width_shift_range", width_shift_range),
                        ("height_shift_range", height_shift_range)):
        if not 0.0 <= value < 1.0:
            raise ValueError(
                f"{name}={value}: give the shift as a fraction of the image size, between 0 and 1 "
                "(ImageDataGenerator also accepts pixel counts; these functions do not)."
            )


def shift_flip(width_shift_range: float = 0.0, height_shift_range: float = 0.0,
               horizontal_flip: bool = False, seed: int | None = None):
    """The book's 6-8 augmentation (shift and flip, ``fill_mode='nearest'``) as one cheap batch function.

    Does what ``augmenter(width_shift_range=…, height_shift_range=…, horizontal_flip=…,
    interpolation="nearest")`` does (each image moves by a whole number of pixels, drawn as
    ``round(uniform(-range, range) × size)``, edges repeat the border pixel, half the
    images are mirrored) with two ``tf.gather`` calls instead of an image-warping kernel,
    so it is about twice as fast on a CPU and leaves the two cores to the model.  Rotation
    needs blending, so it has no shortcut: use :func:`augmenter` for it.  Returns a function
    on a batch of images ``(batch, height, width, channels)``; every call draws new shifts
    (a ``tf.random.Generator`` keeps its state across epochs).

    Example:
        >>> import numpy as np
        >>> move = shift_flip(width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True)
        >>> tuple(move(np.zeros((4, 32, 32, 3), "float32")).shape)
        (4, 32, 32, 3)
    """
    import tensorflow as tf

    _check_shift_ranges(width_shift_range, height_shift_range)
    if not (width_shift_range or height_shift_range or horizontal_flip):
        raise ValueError("shift_flip() got no transformation: set a shift range or horizontal_flip=True.")
    random = tf.random.Generator.from_seed(config.seed() if seed is None else seed)

    def moved_indices(count, size, fraction):
        limit = fraction * tf.cast(size, tf.float32)
        offsets = tf.cast(tf.round(random.uniform([count], -limit, limit)), tf.int32)
        return tf.range(size)[None, :] + offsets[:, None]  # (batch, size): where each output pixel comes from

    def move(images):
        images = tf.convert_to_tensor(images)
        count, height, width = tf.shape(images)[0], tf.shape(images)[1], tf.shape(images)[2]
        rows = moved_indices(count, height, height_shift_range)
        cols = moved_indices(count, width, width_shift_range)
        if horizontal_flip:
            mirrored = random.uniform([count]) < 0.5
            cols = tf.where(mirrored[:, None], width - 1 - cols, cols)
        rows = tf.clip_by_value(rows, 0, height - 1)  # fill_mode='nearest': repeat the edge pixel
        cols = tf.clip_by_value(cols, 0, width - 1)
        images = tf.gather(images, rows, axis=1, batch_dims=1)
        return tf.gather(images, cols, axis=2, batch_dims=1)

    return move


def augmented_dataset(x, y, augment=None, batch_size: int = 128, *, shuffle: bool = True,
                      seed: int | None = None):
    """A ``tf.data`` pipeline for ``fit``: shuffle → batch → parallel augment → prefetch.

    ``augment`` is a callable on a batch of images (:func:`shift_flip`, or
    :func:`augmenter`'s layers, called with ``training=True``); ``None`` means no
    augmentation (the same pipeline otherwise, for a fair comparison, and the way to feed
    un-augmented arrays).  Batch size, per-epoch reshuffling and the short last batch are the
    same as ``fit(x, y, batch_size=...)``.  The arrays become tensors once; each epoch
    shuffles the sample *indices* (no second copy of the images in a shuffle buffer) and
    gathers whole batches, which are augmented in TensorFlow's thread pool while the model
    trains on the previous batch.  Call ``fit`` on it without ``batch_size``.

    Example:
        >>> data = augmented_dataset(np.zeros((10, 32, 32, 3), "float32"), np.zeros((10, 10)),
        ...                          augmenter(horizontal_flip=True), batch_size=4)
        >>> [tuple(images.shape) for images, labels in data]
        [(4, 32, 32, 3), (4, 32, 32, 3), (2, 32, 32, 3)]
    """
    import tensorflow as tf

    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} images but y has {len(y)} labels; they must match one to one.")
    if len(x) == 0:
        raise ValueError("x is empty; load the data first (helpers.data).")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size} (the book uses batch_size=128).")
    if x.dtype != np.float32:
        raise TypeError(f"x is {x.dtype}; convert it first as the book does: x.astype(np.float32)/255.0")
    images, labels = tf.constant(x), tf.constant(y)
    indices = tf.data.Dataset.range(len(x))
    if shuffle:
        indices = indices.shuffle(len(x), seed=config.seed() if seed is None else seed,
                                  reshuffle_each_iteration=True)
    call = _training_call(augment) if augment is not None else (lambda batch: batch)
    data = indices.batch(batch_size).map(
        lambda index: (call(tf.gather(images, index)), tf.gather(labels, index)),
        num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


def _training_call(augment):
    """Call ``augment`` with ``training=True`` if it takes that argument (Keras layers do)."""
    import keras

    if isinstance(augment, keras.layers.Layer):
        return lambda images: augment(images, training=True)
    return augment
