"""Measuring speed: one epoch timer, timing loops, throughput, FLOPs and the machine's ceiling.

Support code, not part of a lesson.  The notebooks use :class:`EpochTimer` (seconds per epoch,
and in full mode an early estimate of the whole training's run time) and the pipeline
comparisons of section 6.6; ``benchmarks/bench.py`` uses all of it.

FLOP convention (stated wherever a figure is printed): one multiply-add = 2 FLOPs; a
``Conv2D`` costs ``2·k_h·k_w·C_in·C_out·H_out·W_out`` and a ``Dense`` ``2·in·out`` per sample;
biases, activations, pooling, dropout and the loss are not counted; one training step
(forward + backward) ≈ 3 × the forward pass.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from . import config

TRAINING_FLOPS_FACTOR = 3  # forward + backward (gradients for inputs and for weights)


class EpochTimer(keras.callbacks.Callback):
    """Keras callback that keeps the wall-clock and CPU seconds of every epoch
    (``.seconds``, ``.cpu_seconds``).

    With ``estimate=True`` (the default in full mode) it prints, a few batches into the first
    epoch, an estimate of the whole training's run time measured on this machine, so a
    student knows what to expect (like Keras's own progress line, it reports while training).

    Example:
        >>> import numpy as np
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(loss="mse")
        >>> timer = EpochTimer(estimate=False)
        >>> _ = model.fit(np.zeros((8, 2)), np.zeros(8), epochs=3, verbose=0, callbacks=[timer])
        >>> len(timer.seconds), len(timer.cpu_seconds)
        (3, 3)
    """

    WARMUP_BATCHES = 2   # the first batches include graph tracing; not timed
    TIMED_BATCHES = 5

    def __init__(self, estimate: bool | None = None):
        super().__init__()
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []
        self.estimate_seconds: float | None = None
        self._estimate = (not config.is_quick()) if estimate is None else estimate
        self._start = (0.0, 0.0)
        self._batch_clock = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = (time.perf_counter(), time.process_time())

    def on_train_batch_end(self, batch, logs=None):
        if not self._estimate or self.seconds or self.estimate_seconds is not None:
            return
        if batch + 1 == self.WARMUP_BATCHES:
            self._batch_clock = time.perf_counter()
        elif batch + 1 == self.WARMUP_BATCHES + self.TIMED_BATCHES and self._batch_clock:
            per_batch = (time.perf_counter() - self._batch_clock) / self.TIMED_BATCHES
            steps, n_epochs = self.params.get("steps"), self.params.get("epochs", 1)
            if steps:
                self.estimate_seconds = per_batch * steps * n_epochs
                print(f"예상 학습 시간: 약 {format_duration(self.estimate_seconds)} "
                      f"(세대당 약 {format_duration(per_batch * steps)}, 이 기기에서 처음 배치들로 잰 값)",
                      flush=True)

    def on_epoch_end(self, epoch, logs=None):
        wall, cpu = self._start
        self.seconds.append(time.perf_counter() - wall)
        self.cpu_seconds.append(time.process_time() - cpu)


def format_duration(seconds: float) -> str:
    """Seconds as a short Korean duration.

    Example:
        >>> format_duration(42), format_duration(150), format_duration(7300)
        ('42초', '2.5분', '2.0시간')
    """
    if seconds < 90:
        return f"{seconds:.0f}초"
    if seconds < 5400:
        return f"{seconds / 60:.1f}분"
    return f"{seconds / 3600:.1f}시간"


def measure(run, *, repeats: int = 5, warmup: int = 1) -> dict:
    """Call ``run()`` ``warmup`` times untimed, then ``repeats`` times timed.

    Returns lists ``wall`` (seconds of wall-clock time) and ``cpu`` (CPU seconds of this
    process, all threads) and their medians.  Wall time is what a student waits; CPU time
    hardly changes when other programs share the cores, so it still compares two ways of
    training fairly on a busy machine.

    Example:
        >>> timing = measure(lambda: sum(range(10_000)), repeats=3)
        >>> sorted(timing), len(timing["wall"])
        (['cpu', 'cpu_median', 'wall', 'wall_median'], 3)
    """
    return measure_in_turns({"run": run}, repeats=repeats, warmup=warmup)["run"]


def measure_in_turns(runs: dict, *, repeats: int = 5, warmup: int = 1) -> dict:
    """Warm each run up, then time the runs in turn ``repeats`` times (the order flips each round),
    so a busy machine slows them all alike; ``{name: timing}`` as :func:`measure` gives it.

    A run may return its own ``{"wall": …, "cpu": …}`` (e.g. one epoch without ``fit``'s
    set-up, from :func:`time_epoch`); otherwise the whole call is timed.

    Example:
        >>> timings = measure_in_turns({"short": lambda: sum(range(100)), "long": lambda: sum(range(10**5))}, repeats=3)
        >>> timings["short"]["cpu_median"] <= timings["long"]["cpu_median"], len(timings["long"]["wall"])
        (True, 3)
    """
    if repeats < 1:
        raise ValueError(f"measure: repeats must be at least 1, got {repeats}")
    for _ in range(warmup):
        for run in runs.values():
            run()
    timings = {name: {"wall": [], "cpu": []} for name in runs}
    names = list(runs)
    for round_ in range(repeats):
        for name in (names if round_ % 2 == 0 else names[::-1]):
            wall, cpu = time.perf_counter(), time.process_time()
            result = runs[name]()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if isinstance(result, dict) and "wall" in result:
                wall, cpu = result["wall"], result["cpu"]
            timings[name]["wall"].append(wall)
            timings[name]["cpu"].append(cpu)
    for timing in timings.values():
        timing["wall_median"] = float(np.median(timing["wall"]))
        timing["cpu_median"] = float(np.median(timing["cpu"]))
    return timings


def time_epoch(model, x, y=None, **fit_arguments) -> dict:
    """Train ``model`` for one epoch; return the seconds of the epoch itself.

    ``fit``'s one-off set-up (turning arrays into tensors, building the data pipeline,
    tracing the train step on the first call) is left out, because a 30-epoch run pays it
    once: ``wall`` and ``cpu`` are the wall-clock and CPU seconds between the epoch's start
    and end, ``call_wall`` and ``call_cpu`` those of the whole ``fit`` call.  Give ``x``,
    ``y`` and ``batch_size=`` as for ``fit``, or a ``tf.data`` dataset.

    Example:
        >>> from helpers.models import lenet5
        >>> x, y = np.zeros((256, 28, 28, 1), "float32"), np.eye(10, dtype="float32")[np.zeros(256, int)]
        >>> seconds = time_epoch(lenet5(), x, y, batch_size=128)
        >>> 0 < seconds["wall"] <= seconds["call_wall"]
        True
    """
    if fit_arguments.get("epochs", 1) != 1:
        raise ValueError("time_epoch trains exactly one epoch; leave out epochs=.")
    fit_arguments.pop("epochs", None)
    timer = EpochTimer(estimate=False)
    callbacks = list(fit_arguments.pop("callbacks", None) or []) + [timer]
    fit_arguments.setdefault("verbose", 0)
    if not isinstance(x, np.ndarray):
        fit_arguments.setdefault("shuffle", False)  # a dataset shuffles itself; avoids Keras's warning
    call_wall, call_cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, epochs=1, callbacks=callbacks, **fit_arguments)
    return {"wall": timer.seconds[0], "cpu": timer.cpu_seconds[0],
            "call_wall": time.perf_counter() - call_wall, "call_cpu": time.process_time() - call_cpu}


def flops_per_sample(model, training: bool = False) -> int:
    """FLOPs one sample costs in ``model``: the forward pass, or × 3 with ``training=True``.

    Counts ``Conv2D`` (``2·k_h·k_w·C_in·C_out·H_out·W_out``) and ``Dense`` (``2·in·out``)
    layers, looking inside nested models; everything else is taken as free (see the module
    docstring for the convention).

    Example:
        >>> from helpers.models import lenet5
        >>> flops_per_sample(lenet5()), flops_per_sample(lenet5(), training=True) == 3 * 6869520
        (6869520, True)
    """
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


def matmul_run(size: int = 2048, times: int = 1):
    """A run that multiplies two ``size × size`` fp32 matrices ``times`` times through TensorFlow
    (all cores); returns ``(run, FLOPs per run)``, for :func:`measure` or :func:`measure_in_turns`.

    Example:
        >>> run, flops = matmul_run(size=64)
        >>> run(); flops
        524288.0
    """
    import tensorflow as tf

    a = tf.random.stateless_normal((size, size), seed=(1, 2))
    b = tf.random.stateless_normal((size, size), seed=(3, 4))
    multiply = tf.function(lambda a, b: tf.reduce_sum(tf.matmul(a, b)))

    def run():
        for _ in range(times):
            multiply(a, b).numpy()

    return run, 2.0 * size**3 * times


def matmul_gflops(size: int = 2048, repeats: int = 5) -> dict:
    """The machine's ceiling: fp32 matrix-multiply GFLOP/s through TensorFlow (all cores).

    Times :func:`matmul_run` ``repeats`` times after a warm-up and returns the median rates per
    wall-clock second (``wall``) and per CPU second of this process (``cpu``, which other
    programs on the machine barely change).

    Example:
        >>> ceiling = matmul_gflops(size=256, repeats=2)
        >>> ceiling["wall"] > 0 and ceiling["size"] == 256
        True
    """
    run, flops = matmul_run(size)
    timing = measure(run, repeats=repeats, warmup=2)
    return {"size": size, "wall": flops / timing["wall_median"] / 1e9,
            "cpu": flops / timing["cpu_median"] / 1e9}


def images_per_second(batches, n_images: int, repeats: int = 3) -> float:
    """How many images per second an input pipeline delivers, nothing else running.

    ``batches`` is a function returning a fresh iterator of ``(images, labels)`` batches
    (an ``ImageDataGenerator.flow`` or a ``tf.data.Dataset``); at least ``n_images`` are
    drawn each time.  The best of ``repeats`` runs is returned, because other programs on a
    shared machine only ever make a run slower.  The first batch (start-up) is not timed.

    Example:
        >>> batch = (np.zeros((8, 4)), np.zeros(8))
        >>> images_per_second(lambda: iter([batch] * 10), 64) > 0
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


def training_samples_per_second(model, data, *, steps: int, repeats: int = 3, warmup: bool = True) -> float:
    """Training throughput of ``model`` fed by ``data``: samples per second of ``fit``.

    ``data`` is a ``tf.data.Dataset`` or an ``ImageDataGenerator.flow(...)`` iterator, as
    given to ``fit``.  ``fit`` runs ``repeats`` short epochs of ``steps`` batches, plus one
    first epoch (graph tracing) that is not counted when ``warmup`` is True; the best epoch
    is returned.  The model's weights change, so use a throw-away model.

    Example:
        >>> import tensorflow as tf
        >>> from helpers.models import lenet5
        >>> data = tf.data.Dataset.from_tensors((np.zeros((16, 28, 28, 1), "float32"), np.zeros((16, 10))))
        >>> training_samples_per_second(lenet5(), data, steps=2, repeats=1) > 0
        True
    """
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
    timer = EpochTimer(estimate=False)
    extra = 1 if warmup else 0
    model.fit(data, epochs=repeats + extra, steps_per_epoch=steps, verbose=0, callbacks=[timer], shuffle=False)
    return steps * batch_size / min(timer.seconds[extra:])


def compare_training_speed(build_model, pipelines: dict, *, steps: int, rounds: int = 3) -> dict:
    """Training samples per second with each input pipeline, measured in turns.

    ``pipelines`` maps a name to what ``fit`` gets (a ``tf.data.Dataset`` or a
    ``generator.flow(...)``).  Each pipeline trains its own fresh ``build_model()``; after a
    warm-up epoch each, the pipelines take turns for ``rounds`` rounds of one short epoch
    (``steps`` batches), so a busy machine slows them all alike; the best epoch of each is
    returned as ``{name: samples per second}``.

    Example:
        >>> import tensorflow as tf
        >>> from helpers.models import lenet5
        >>> data = tf.data.Dataset.from_tensors((np.zeros((16, 28, 28, 1), "float32"), np.zeros((16, 10))))
        >>> sorted(compare_training_speed(lenet5, {"a": data, "b": data}, steps=2, rounds=2))
        ['a', 'b']
    """
    if not pipelines:
        raise ValueError("compare_training_speed needs at least one pipeline, e.g. {'none': dataset}.")
    models = {name: build_model() for name in pipelines}
    best = {name: training_samples_per_second(models[name], data, steps=steps, repeats=1)
            for name, data in pipelines.items()}
    for _ in range(rounds - 1):
        for name, data in pipelines.items():
            rate = training_samples_per_second(models[name], data, steps=steps, repeats=1, warmup=False)
            best[name] = max(best[name], rate)
    return best
