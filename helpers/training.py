"""The curriculum's way of feeding NumPy arrays to ``fit``, and the yardsticks of training speed.

The book trains with NumPy arrays straight into ``fit``::

    cnn.fit(x_train, y_train, batch_size=128, epochs=30, ...)

The curriculum's way keeps the same batch size, epochs and per-epoch shuffling, and hands
``fit`` a ``tf.data`` pipeline instead (:func:`train_dataset`)::

    cnn.fit(train_dataset(x_train, y_train, batch_size=128), epochs=30, ...)

``benchmarks/bench.py`` measures both ways side by side; ``tests/test_bench_guard.py`` fails
if the pipeline ever becomes slower than the book's way.  :func:`flops_per_sample` counts the
arithmetic of a model from its layers, so a measured speed can be set against the machine's
matrix-multiply ceiling (:func:`matmul_gflops`).

FLOP convention (stated wherever a figure is printed): one multiply-add = 2 FLOPs; a
``Conv2D`` costs ``2·k_h·k_w·C_in·C_out·H_out·W_out`` and a ``Dense`` ``2·in·out`` per sample;
biases, activations, pooling, dropout and the loss are not counted; one training step
(forward + backward) ≈ 3 × the forward pass.
"""

from __future__ import annotations

import time

import numpy as np

from . import config

TRAINING_FLOPS_FACTOR = 3  # forward + backward (gradients for inputs and for weights)


def train_dataset(x, y, batch_size: int = 128, shuffle: bool = True, seed: int | None = None):
    """``x, y`` as a ``tf.data`` pipeline for ``fit``: the book's batches, reshuffled each epoch.

    The arrays become tensors once; each epoch shuffles the sample *indices* (not the images,
    so no second copy of the data is held in a shuffle buffer), gathers whole batches and
    prefetches the next batch while the model trains on this one.  Batch size, per-epoch
    shuffling and the short last batch are the same as ``fit(x, y, batch_size=...)``.
    Call ``fit`` on it without ``batch_size`` (the pipeline batches).

    Example:
        >>> import numpy as np
        >>> data = train_dataset(np.zeros((10, 28, 28, 1), "float32"), np.zeros((10, 10), "float32"),
        ...                      batch_size=4)
        >>> [tuple(images.shape) for images, labels in data]
        [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    """
    import tensorflow as tf

    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"train_dataset: x has {len(x)} samples but y has {len(y)} labels; "
                         "pass the matching x_train and y_train.")
    if len(x) == 0:
        raise ValueError("train_dataset: x is empty; load the data first (helpers.data).")
    if batch_size < 1:
        raise ValueError(f"train_dataset: batch_size must be at least 1, got {batch_size} "
                         "(the book uses batch_size=128).")
    if x.dtype == np.uint8:
        raise TypeError("train_dataset: x holds raw uint8 pixels; convert it first as the book "
                        "does: x = x.astype(np.float32) / 255.0")
    images, labels = tf.constant(x), tf.constant(y)
    indices = tf.data.Dataset.range(len(x))
    if shuffle:
        indices = indices.shuffle(len(x), seed=config.seed() if seed is None else seed,
                                  reshuffle_each_iteration=True)
    batches = indices.batch(batch_size).map(
        lambda index: (tf.gather(images, index), tf.gather(labels, index)),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return batches.prefetch(tf.data.AUTOTUNE)


def flops_per_sample(model, training: bool = False) -> int:
    """FLOPs one sample costs in ``model``: the forward pass, or × 3 with ``training=True``.

    Counts ``Conv2D`` (``2·k_h·k_w·C_in·C_out·H_out·W_out``) and ``Dense`` (``2·in·out``)
    layers, looking inside nested models; everything else is taken as free (see the module
    docstring for the convention).

    Example:
        >>> from helpers.models import lenet5
        >>> flops_per_sample(lenet5())
        6869520
        >>> flops_per_sample(lenet5(), training=True) == 3 * 6869520
        True
    """
    import keras

    total = 0
    for layer in _leaf_layers(model):
        if isinstance(layer, keras.layers.Conv2D) and not isinstance(layer, keras.layers.Conv2DTranspose):
            if layer.groups != 1 or isinstance(layer, keras.layers.SeparableConv2D):
                raise NotImplementedError(
                    f"flops_per_sample: layer {layer.name!r} is a grouped or separable "
                    "convolution, which this counter does not handle.")
            k_h, k_w, c_in, c_out = layer.kernel.shape
            _, h_out, w_out, _ = layer.output.shape
            total += 2 * k_h * k_w * c_in * c_out * h_out * w_out
        elif isinstance(layer, keras.layers.Dense):
            n_in, n_out = layer.kernel.shape
            total += 2 * n_in * n_out
    if total == 0:
        raise ValueError(f"flops_per_sample: {getattr(model, 'name', model)!r} has no Conv2D or "
                         "Dense layer with weights; build the model (give it an Input) first.")
    return int(total * (TRAINING_FLOPS_FACTOR if training else 1))


def _leaf_layers(model):
    for layer in getattr(model, "layers", []):
        if getattr(layer, "layers", None):
            yield from _leaf_layers(layer)
        else:
            yield layer


def measure(run, repeats: int = 5, warmup: int = 1) -> dict:
    """Call ``run()`` ``warmup`` times untimed, then ``repeats`` times timed.

    Returns lists ``wall`` (seconds of wall-clock time) and ``cpu`` (CPU seconds of this
    process, all threads) and their medians.  Wall time is what a student waits; CPU time
    hardly changes when other programs share the cores, so it still compares two ways of
    training fairly on a busy machine.

    Example:
        >>> timing = measure(lambda: sum(range(10_000)), repeats=3)
        >>> sorted(timing)
        ['cpu', 'cpu_median', 'wall', 'wall_median']
        >>> len(timing["wall"])
        3
    """
    if repeats < 1:
        raise ValueError(f"measure: repeats must be at least 1, got {repeats}")
    for _ in range(warmup):
        run()
    wall, cpu = [], []
    for _ in range(repeats):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
    return {"wall": wall, "cpu": cpu,
            "wall_median": float(np.median(wall)), "cpu_median": float(np.median(cpu))}


def time_epoch(model, x, y=None, **fit_arguments) -> dict:
    """Train ``model`` for one epoch; return the seconds of the epoch itself.

    ``fit``'s one-off set-up (turning arrays into tensors, building the data pipeline,
    tracing the train step on the first call) is left out, because a 30-epoch run pays it
    once: ``wall`` and ``cpu`` are the wall-clock and CPU seconds between the epoch's start
    and end, ``call_wall`` and ``call_cpu`` those of the whole ``fit`` call.  Give ``x``,
    ``y`` and ``batch_size=`` as for ``fit``, or a dataset from :func:`train_dataset`.

    Example:
        >>> import numpy as np
        >>> from helpers.models import lenet5
        >>> x, y = np.zeros((256, 28, 28, 1), "float32"), np.eye(10, dtype="float32")[np.zeros(256, int)]
        >>> seconds = time_epoch(lenet5(), x, y, batch_size=128)
        >>> 0 < seconds["wall"] <= seconds["call_wall"]
        True
    """
    import keras

    if fit_arguments.get("epochs", 1) != 1:
        raise ValueError("time_epoch trains exactly one epoch; leave out epochs=.")
    fit_arguments.pop("epochs", None)
    found = {}

    class _Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            found["start"] = (time.perf_counter(), time.process_time())

        def on_epoch_end(self, epoch, logs=None):
            wall, cpu = found["start"]
            found["wall"], found["cpu"] = time.perf_counter() - wall, time.process_time() - cpu

    callbacks = list(fit_arguments.pop("callbacks", None) or []) + [_Clock()]
    fit_arguments.setdefault("verbose", 0)
    if not isinstance(x, np.ndarray):
        fit_arguments.setdefault("shuffle", False)  # a dataset shuffles itself; avoids Keras's warning
    call_wall, call_cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, epochs=1, callbacks=callbacks, **fit_arguments)
    return {"wall": found["wall"], "cpu": found["cpu"],
            "call_wall": time.perf_counter() - call_wall, "call_cpu": time.process_time() - call_cpu}


def matmul_gflops(size: int = 2048, repeats: int = 5) -> dict:
    """The machine's ceiling: fp32 matrix-multiply GFLOP/s through TensorFlow (all cores).

    Multiplies two ``size × size`` float32 matrices (``2·size³`` FLOPs) ``repeats`` times
    after a warm-up and returns the median rates per wall-clock second (``wall``) and per
    CPU second of this process (``cpu``, which other programs on the machine barely change).

    Example:
        >>> ceiling = matmul_gflops(size=256, repeats=2)
        >>> ceiling["wall"] > 0 and ceiling["size"] == 256
        True
    """
    import tensorflow as tf

    a = tf.random.stateless_normal((size, size), seed=(1, 2))
    b = tf.random.stateless_normal((size, size), seed=(3, 4))
    multiply = tf.function(lambda a, b: tf.reduce_sum(tf.matmul(a, b)))
    timing = measure(lambda: multiply(a, b).numpy(), repeats=repeats, warmup=2)
    flops = 2.0 * size**3
    return {"size": size, "wall": flops / timing["wall_median"] / 1e9,
            "cpu": flops / timing["cpu_median"] / 1e9}
