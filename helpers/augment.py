"""Online data augmentation with Keras 3 preprocessing layers, fed through ``tf.data``.

프로그램 6-7/6-8 augment with the legacy ``ImageDataGenerator``, which transforms one image
at a time in Python (SciPy) and cannot keep a CPU-trained CNN busy.  Here the same
transformations are Keras layers applied to whole batches inside a ``tf.data`` pipeline
(parallel ``map`` and ``prefetch``), so augmentation runs in TensorFlow's C++ thread pool
while the model trains.  The functions that measure both pipelines live here too.

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

import time

import numpy as np

from . import config


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


def augmented_dataset(x, y, augment=None, batch_size: int = 128, shuffle: bool = True,
                      seed: int | None = None):
    """A ``tf.data`` pipeline for ``fit``: shuffle → batch → parallel augment → prefetch.

    ``augment`` is a callable on a batch of images (e.g. :func:`augmenter`'s layers); it is
    called with ``training=True`` when it accepts that argument.  ``None`` means no
    augmentation (the same pipeline otherwise, for a fair comparison).  Batches are augmented
    whole, in TensorFlow's thread pool, while the model trains on the previous batch.

    Example:
        >>> import numpy as np
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
    if x.dtype != np.float32:
        raise TypeError(f"x is {x.dtype}; convert it first as the book does: x.astype(np.float32)/255.0")
    data = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        seed = config.seed() if seed is None else seed
        data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size)
    if augment is not None:
        call = _training_call(augment)
        data = data.map(lambda images, labels: (call(images), labels),
                        num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


def _training_call(augment):
    """Call ``augment`` with ``training=True`` if it takes that argument (Keras layers do)."""
    import keras

    if isinstance(augment, keras.layers.Layer):
        return lambda images: augment(images, training=True)
    return augment


def images_per_second(batches, n_images: int, repeats: int = 3) -> float:
    """How many images per second an input pipeline delivers, nothing else running.

    ``batches`` is a function returning a fresh iterator of ``(images, labels)`` batches
    (an ``ImageDataGenerator.flow`` or a ``tf.data.Dataset``); at least ``n_images`` are
    drawn each time.  The best of ``repeats`` runs is returned, because other programs on a
    shared machine only ever make a run slower.  The first batch (start-up) is not timed.

    Example:
        >>> import numpy as np
        >>> x = np.zeros((64, 32, 32, 3), "float32")
        >>> rate = images_per_second(lambda: iter(augmented_dataset(x, x[:, 0, 0, :1])), 64)
        >>> rate > 0
        True
    """
    if n_images < 1:
        raise ValueError(f"n_images must be at least 1, got {n_images}")
    best = 0.0
    for _ in range(repeats):
        iterator = batches()
        next(iterator)  # start-up: threads, tracing, first shuffle buffer
        start, count = time.perf_counter(), 0
        while count < n_images:
            try:
                images, _ = next(iterator)
            except StopIteration:
                iterator = batches()
                continue
            count += len(images)
        best = max(best, count / (time.perf_counter() - start))
    return best


def training_samples_per_second(model, data, steps: int, repeats: int = 3, warmup: bool = True) -> float:
    """Training throughput of ``model`` fed by ``data``: samples per second of ``fit``.

    ``data`` is a ``tf.data.Dataset`` or a Keras ``PyDataset``/generator of batches, as
    given to ``fit``.  ``fit`` runs ``repeats`` short epochs of ``steps`` batches, plus one
    first epoch (graph tracing) that is not counted when ``warmup`` is True; the best epoch
    is returned.  The model's weights change, so use a throw-away model.

    Example:
        >>> rate = training_samples_per_second(cnn, augmented_dataset(x, y), steps=20)  # doctest: +SKIP
    """
    import keras

    class _Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.rates, self._start, self._count = [], 0.0, 0

        def on_epoch_begin(self, epoch, logs=None):
            self._start, self._count = time.perf_counter(), 0

        def on_train_batch_end(self, batch, logs=None):
            self._count += 1

        def on_epoch_end(self, epoch, logs=None):
            self.rates.append(self._count / (time.perf_counter() - self._start))

    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    import tensorflow as tf

    if isinstance(data, tf.data.Dataset):
        data = data.repeat()
        batch_size = int(next(iter(data))[0].shape[0])
    elif getattr(data, "batch_size", None):
        batch_size = int(data.batch_size)  # ImageDataGenerator.flow(...)
        # a flow(...) holds len(data) batches and fit does not restart it between the epochs of one call
        steps = min(steps, max(1, len(data) // (repeats + (1 if warmup else 0))))
    else:
        raise TypeError(f"training_samples_per_second got {type(data).__name__}; give it a "
                        "tf.data.Dataset or an ImageDataGenerator.flow(...) iterator.")
    clock = _Clock()
    extra = 1 if warmup else 0
    model.fit(data, epochs=repeats + extra, steps_per_epoch=steps, verbose=0, callbacks=[clock], shuffle=False)
    return max(clock.rates[extra:]) * batch_size


def compare_training_speed(build_model, pipelines: dict, steps: int, rounds: int = 3) -> dict:
    """Training samples per second with each input pipeline, measured in turns.

    ``pipelines`` maps a name to what ``fit`` gets (a ``tf.data.Dataset`` or a
    ``generator.flow(...)``).  Each pipeline trains its own fresh ``build_model()``; after a
    warm-up epoch each, the pipelines take turns for ``rounds`` rounds of one short epoch
    (``steps`` batches), so a busy machine slows them all alike; the best epoch of each is
    returned as ``{name: samples per second}``.

    Example:
        >>> compare_training_speed(cifar10_cnn, {"none": plain, "tf_data": augmented}, steps=40)  # doctest: +SKIP
        {'none': 655.1, 'tf_data': 641.7}
    """
    if not pipelines:
        raise ValueError("compare_training_speed needs at least one pipeline, e.g. {'none': dataset}.")
    models = {name: build_model() for name in pipelines}
    best = {name: training_samples_per_second(models[name], data, steps, repeats=1)
            for name, data in pipelines.items()}
    for _ in range(rounds - 1):
        for name, data in pipelines.items():
            rate = training_samples_per_second(models[name], data, steps, repeats=1, warmup=False)
            best[name] = max(best[name], rate)
    return best


def record_speed(measured: dict, name: str = "6.6-pipeline-speed"):
    """In full mode, write ``results/<name>.json`` with the measured pipeline speeds.

    ``measured`` maps a label to a number (images/s, samples/s or a ratio).  In quick mode
    nothing is written and None is returned, like :func:`helpers.results.record_result`.
    The file is written to a temporary name first, then renamed, so it is never half-written.

    Example:
        >>> record_speed({"flow_images_per_s": 5000.0, "tf_data_images_per_s": 18000.0})  # doctest: +SKIP
        PosixPath('.../results/6.6-pipeline-speed.json')
    """
    if config.is_quick():
        return None
    bad = [key for key, value in measured.items() if not isinstance(value, (int, float))]
    if bad:
        raise TypeError(f"record_speed: {bad} are not numbers; pass the measured rates and ratios only.")
    from .results import write_result

    return write_result(name, {"section": "6.6", **{key: round(float(value), 3) for key, value in measured.items()}})
