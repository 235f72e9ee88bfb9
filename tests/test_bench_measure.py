"""benchmarks/measure.py: timing loops, one epoch's seconds, the FLOP counter and the matmul ceiling."""

import sys

import keras
import numpy as np
import pytest

from helpers._course.config import REPO_ROOT
from helpers.augment import augmented_dataset
from helpers.models import cifar10_cnn, lenet5, mnist_cnn

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import measure  # noqa: E402  (benchmarks/measure.py)


def _data(n=10, shape=(28, 28, 1)):
    x = np.arange(n, dtype=np.float32)[:, None, None, None] * np.ones((1,) + shape, np.float32)
    y = keras.utils.to_categorical(np.arange(n) % 10, 10)
    return x, y


def test_flops_per_sample_counts_conv_and_dense_by_hand():
    model = keras.Sequential([keras.Input((8, 8, 2)), keras.layers.Conv2D(4, 3, padding="same"),
                              keras.layers.MaxPooling2D(), keras.layers.Conv2D(5, 3),
                              keras.layers.Flatten(), keras.layers.Dense(7)])
    conv1 = 2 * 3 * 3 * 2 * 4 * 8 * 8   # same padding keeps 8×8
    conv2 = 2 * 3 * 3 * 4 * 5 * 2 * 2   # 4×4 after pooling, valid 3×3 → 2×2
    dense = 2 * (2 * 2 * 5) * 7
    assert measure.flops_per_sample(model) == conv1 + conv2 + dense
    assert measure.flops_per_sample(model, training=True) == 3 * (conv1 + conv2 + dense)


def test_flops_per_sample_of_the_books_models():
    # conv layers' 2·k·k·Cin·Cout·H·W plus the dense layers, written out for 6-4's CNN
    cifar = (2 * 9 * 3 * 32 * 30 * 30 + 2 * 9 * 32 * 32 * 28 * 28 + 2 * 9 * 32 * 64 * 12 * 12
             + 2 * 9 * 64 * 64 * 10 * 10 + 2 * 1600 * 512 + 2 * 512 * 10)
    assert measure.flops_per_sample(cifar10_cnn()) == cifar
    assert measure.flops_per_sample(lenet5()) < measure.flops_per_sample(mnist_cnn()) < cifar


def test_flops_per_sample_refuses_a_model_without_weights_layers():
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="no Conv2D or Dense"):
        measure.flops_per_sample(model)


def test_measure_times_every_repeat_after_the_warm_up():
    calls = []
    timing = measure.measure_in_turns({"sum": lambda: calls.append(sum(range(50_000)))}, repeats=4, warmup=2)["sum"]
    assert len(calls) == 6 and len(timing["wall"]) == len(timing["cpu"]) == 4
    assert timing["wall_median"] > 0 and timing["cpu_median"] >= 0
    with pytest.raises(ValueError, match="repeats"):
        measure.measure_in_turns({"none": lambda: None}, repeats=0)


def test_time_epoch_times_one_epoch_inside_the_fit_call():
    x, y = _data(256)
    model = lenet5()
    seconds = measure.time_epoch(model, x, y, batch_size=128)
    assert 0 < seconds["wall"] <= seconds["call_wall"]
    assert 0 < seconds["cpu"] <= seconds["call_cpu"]
    assert model.optimizer.iterations.numpy() == 2  # exactly one epoch of 256/128 steps
    seconds = measure.time_epoch(model, augmented_dataset(x, y, batch_size=128))
    assert model.optimizer.iterations.numpy() == 4
    with pytest.raises(ValueError, match="one epoch"):
        measure.time_epoch(model, x, y, epochs=3)


def test_matmul_gflops_is_positive_and_consistent_with_its_size():
    found = measure.matmul_gflops(size=256, repeats=2)
    assert found["size"] == 256
    assert 0 < found["wall"] < 1e5 and 0 < found["cpu"] < 1e5


def test_matmul_run_multiplies_and_counts_its_flops():
    run, flops = measure.matmul_run(size=128, times=3)
    assert flops == 3 * 2.0 * 128**3
    assert run() is None
