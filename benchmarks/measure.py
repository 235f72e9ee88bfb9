"""What only the benchmark measures: timing loops run in turns, one epoch's seconds, FLOPs per
sample and the machine's matrix-multiply ceiling.

FLOP convention (stated wherever a figure is printed): one multiply-add = 2 FLOPs; a
``Conv2D`` costs ``2·k_h·k_w·C_in·C_out·H_out·W_out`` and a ``Dense`` ``2·in·out`` per sample;
biases, activations, pooling, dropout and the loss are not counted; one training step
(forward + backward) ≈ 3 × the forward pass.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers._course.measure import EpochTimer  # noqa: E402

TRAINING_FLOPS_FACTOR = 3  # forward + backward (gradients for inputs and for weights)


def measure_in_turns(runs: dict, *, repeats: int = 5, warmup: int = 1) -> dict:
    """Warm each run up, then time the runs in turn ``repeats`` times (the order flips each round),
    so a busy machine slows them all alike.

    Returns ``{name: {"wall": [...], "cpu": [...], "wall_median": s, "cpu_median": s}}``: seconds of
    wall-clock time (what a student waits) and CPU seconds of this process (which other programs
    on the cores hardly change).  A run may return its own ``{"wall": …, "cpu": …}`` (one epoch
    without ``fit``'s set-up, from :func:`time_epoch`); otherwise the whole call is timed.
    """
    if repeats < 1:
        raise ValueError(f"measure_in_turns: repeats must be at least 1, got {repeats}")
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
    """Train ``model`` for one epoch; return the seconds of the epoch itself (``wall``, ``cpu``)
    and of the whole ``fit`` call (``call_wall``, ``call_cpu``: with its one-off set-up)."""
    if fit_arguments.pop("epochs", 1) != 1:
        raise ValueError("time_epoch trains exactly one epoch; leave out epochs=.")
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
    """FLOPs one sample costs in ``model`` (``Conv2D`` and ``Dense`` layers, nested models
    included): the forward pass, or × 3 with ``training=True``."""
    import keras

    total = 0
    for layer in _leaf_layers(model):
        if isinstance(layer, keras.layers.Conv2D) and not isinstance(layer, keras.layers.Conv2DTranspose):
            if layer.groups != 1 or isinstance(layer, keras.layers.SeparableConv2D):
                raise NotImplementedError(f"flops_per_sample: layer {layer.name!r} is a grouped or separable "
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
    """A run multiplying two ``size × size`` fp32 matrices ``times`` times through TensorFlow
    (all cores), and the FLOPs it does: ``(run, flops)``."""
    import tensorflow as tf

    a = tf.random.stateless_normal((size, size), seed=(1, 2))
    b = tf.random.stateless_normal((size, size), seed=(3, 4))
    multiply = tf.function(lambda a, b: tf.reduce_sum(tf.matmul(a, b)))

    def run():
        for _ in range(times):
            multiply(a, b).numpy()

    return run, 2.0 * size**3 * times


def matmul_gflops(size: int = 2048, repeats: int = 5) -> dict:
    """The machine's ceiling: median fp32 matrix-multiply GFLOP/s per wall-clock second (``wall``)
    and per CPU second of this process (``cpu``)."""
    run, flops = matmul_run(size)
    timing = measure_in_turns({"matmul": run}, repeats=repeats, warmup=2)["matmul"]
    return {"size": size, "wall": flops / timing["wall_median"] / 1e9, "cpu": flops / timing["cpu_median"] / 1e9}
