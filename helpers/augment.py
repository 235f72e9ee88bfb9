"""Online data augmentation (프로그램 6-7, 6-8) with Keras 3 preprocessing layers, fed through ``tf.data``.

The book's ``ImageDataGenerator`` transforms one image at a time in Python; here the same
transformations work on whole batches inside a ``tf.data`` pipeline, in TensorFlow's threads,
while the model trains on the previous batch.
"""

from __future__ import annotations

import numpy as np

from ._course import config


def augmenter(rotation_range: float = 0.0, width_shift_range: float = 0.0, height_shift_range: float = 0.0,
              horizontal_flip: bool = False, interpolation: str = "bilinear"):
    """Keras layers doing what ``ImageDataGenerator`` does with the same arguments.

    ``rotation_range`` is in degrees (the layer takes a fraction of a full turn), the shifts
    are fractions of the size, and the empty border repeats the edge pixel
    (``fill_mode='nearest'``, the generator's default).  ``"bilinear"`` is what the generator
    does; ``"nearest"`` moves whole pixels and is faster on a CPU.  Call the result on a batch
    with ``training=True``.

    Example:
        >>> layers = augmenter(rotation_range=30, width_shift_range=0.2, height_shift_range=0.2,
        ...                    horizontal_flip=True)
        >>> [(type(layer).__name__, layer.fill_mode if hasattr(layer, "fill_mode") else layer.mode)
        ...  for layer in layers.layers]
        [('RandomRotation', 'nearest'), ('RandomTranslation', 'nearest'), ('RandomFlip', 'horizontal')]
        >>> round(layers.layers[0].factor[1], 4)   # 30° = 30/360 of a turn
        0.0833
    """
    import keras

    _check_shift_ranges(width_shift_range, height_shift_range)
    if not 0.0 <= rotation_range <= 180.0:
        raise ValueError(f"rotation_range={rotation_range}: 회전 범위는 0~180 사이의 각도(도)로 주세요.")
    seed = config.seed()
    steps = []
    if rotation_range:
        steps.append(keras.layers.RandomRotation(rotation_range / 360.0, fill_mode="nearest",
                                                 interpolation=interpolation, seed=seed))
    if width_shift_range or height_shift_range:
        steps.append(keras.layers.RandomTranslation(height_shift_range, width_shift_range, fill_mode="nearest",
                                                    interpolation=interpolation, seed=seed + 1))
    if horizontal_flip:
        steps.append(keras.layers.RandomFlip("horizontal", seed=seed + 2))
    if not steps:
        raise ValueError("augmenter()에 변환이 없습니다: rotation_range, width_shift_range, height_shift_range, "
                         "horizontal_flip 가운데 하나 이상을 주세요.")
    return keras.Sequential(steps, name="augmenter")


def _check_shift_ranges(width_shift_range: float, height_shift_range: float) -> None:
    for name, value in (("width_shift_range", width_shift_range), ("height_shift_range", height_shift_range)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{name}={value}: 이동 범위는 영상 크기에 대한 비율(0 이상 1 미만)로 주세요 "
                             "(ImageDataGenerator는 화소 수도 받지만 여기서는 받지 않습니다).")


def shift_flip(width_shift_range: float = 0.0, height_shift_range: float = 0.0, horizontal_flip: bool = False):
    """프로그램 6-8's augmentation (shift, ``fill_mode='nearest'``, mirror) as one cheap batch function.

    Each image moves by a whole number of pixels, ``round(uniform(-range, range) × size)``,
    the border repeats the edge pixel and half the images are mirrored: what
    ``augmenter(..., interpolation="nearest")`` does, with two ``tf.gather`` calls instead of
    an image-warping kernel.  Every call draws new shifts.
    """
    import tensorflow as tf

    _check_shift_ranges(width_shift_range, height_shift_range)
    if not (width_shift_range or height_shift_range or horizontal_flip):
        raise ValueError("shift_flip()에 변환이 없습니다: 이동 범위나 horizontal_flip=True를 주세요.")
    random = tf.random.Generator.from_seed(config.seed())

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


def augmented_dataset(x, y, augment=None, batch_size: int = 128):
    """A ``tf.data`` pipeline for ``fit``: shuffle every epoch → batch → augment in parallel → prefetch.

    ``augment`` is called on each batch of images (:func:`shift_flip`, or :func:`augmenter`'s
    layers with ``training=True``); ``None`` feeds the arrays unchanged.  Batches are those of
    ``fit(x, y, batch_size=...)``; call ``fit`` on the result without ``batch_size``.
    """
    import keras
    import tensorflow as tf

    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"영상은 {len(x)}장인데 레이블은 {len(y)}개입니다: 하나씩 짝이 맞아야 합니다.")
    if len(x) == 0 or batch_size < 1:
        raise ValueError(f"영상이 {len(x)}장, batch_size={batch_size}입니다: 데이터를 먼저 읽고 "
                         "batch_size는 1 이상으로 주세요(책은 128).")
    if x.dtype != np.float32:
        raise TypeError(f"x가 {x.dtype}입니다: 책처럼 먼저 바꾸세요: x.astype(np.float32)/255.0")
    if isinstance(augment, keras.layers.Layer):
        layers, augment = augment, (lambda images: layers(images, training=True))
    images, labels = tf.constant(x), tf.constant(y)
    # shuffle the indices (no second copy of the images in a shuffle buffer), then gather whole batches
    indices = tf.data.Dataset.range(len(x)).shuffle(len(x), seed=config.seed(), reshuffle_each_iteration=True)
    data = indices.batch(batch_size).map(
        lambda index: ((augment or tf.identity)(tf.gather(images, index)), tf.gather(labels, index)),
        num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)
