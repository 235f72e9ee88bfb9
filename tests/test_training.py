"""helpers.training: the tf.data training pipeline, the FLOP counter and the timers."""

import keras
import numpy as np
import pytest

from helpers import training
from helpers.models import cifar10_cnn, lenet5, mnist_cnn


def _data(n=10, shape=(28, 28, 1)):
    x = np.arange(n, dtype=np.float32)[:, None, None, None] * np.ones((1,) + shape, np.float32)
    y = keras.utils.to_categorical(np.arange(n) % 10, 10)
    return x, y


def test_train_dataset_batches_like_fit_and_keeps_images_with_their_labels():
    x, y = _data(10)
    batches = list(training.train_dataset(x, y, batch_size=4, seed=1))
    assert [tuple(images.shape) for images, _ in batches] == [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    seen = np.concatenate([images.numpy()[:, 0, 0, 0] for images, _ in batches])
    assert sorted(seen) == list(range(10))  # every sample exactly once per epoch
    for images, labels in batches:  # image i still carries label i % 10
        np.testing.assert_array_equal(np.argmax(labels.numpy(), 1), images.numpy()[:, 0, 0, 0].astype(int) % 10)


def test_train_dataset_reshuffles_every_epoch_and_can_keep_order():
    x, y = _data(64)
    data = training.train_dataset(x, y, batch_size=64, seed=3)
    first, second = (next(iter(data))[0].numpy()[:, 0, 0, 0] for _ in range(2))
    assert sorted(first) == sorted(second) and not np.array_equal(first, second)
    ordered = next(iter(training.train_dataset(x, y, batch_size=64, shuffle=False)))[0].numpy()[:, 0, 0, 0]
    np.testing.assert_array_equal(ordered, np.arange(64))


@pytest.mark.parametrize("x, y, batch_size, error, words", [
    (np.zeros((5, 28, 28, 1), np.float32), np.zeros((4, 10)), 128, ValueError, "5 samples but y has 4"),
    (np.zeros((5, 28, 28, 1), np.uint8), np.zeros((5, 10)), 128, TypeError, "astype"),
    (np.zeros((5, 28, 28, 1), np.float32), np.zeros((5, 10)), 0, ValueError, "batch_size=128"),
    (np.zeros((0, 28, 28, 1), np.float32), np.zeros((0, 10)), 128, ValueError, "empty"),
])
def test_train_dataset_explains_bad_input(x, y, batch_size, error, words):
    with pytest.raises(error, match=words):
        training.train_dataset(x, y, batch_size=batch_size)


def test_model_trained_through_the_pipeline_learns_real_mnist(mnist_for_cnn):
    """One quick-mode epoch of LeNet-5 fed by train_dataset must pass 0.85 on real test images."""
    x_train, y_train, x_test, y_test = mnist_for_cnn
    cnn = lenet5()
    cnn.fit(training.train_dataset(x_train, y_train, batch_size=128), epochs=1, verbose=0, shuffle=False)
    accuracy = cnn.evaluate(x_test, y_test, verbose=0)[1]
    assert accuracy >= 0.85, f"LeNet-5 through train_dataset reached only {accuracy:.3f} after one epoch"


def test_flops_per_sample_counts_conv_and_dense_by_hand():
    model = keras.Sequential([keras.Input((8, 8, 2)), keras.layers.Conv2D(4, 3, padding="same"),
                              keras.layers.MaxPooling2D(), keras.layers.Conv2D(5, 3),
                              keras.layers.Flatten(), keras.layers.Dense(7)])
    conv1 = 2 * 3 * 3 * 2 * 4 * 8 * 8   # same padding keeps 8×8
    conv2 = 2 * 3 * 3 * 4 * 5 * 2 * 2   # 4×4 after pooling, valid 3×3 → 2×2
    dense = 2 * (2 * 2 * 5) * 7
    assert training.flops_per_sample(model) == conv1 + conv2 + dense
    assert training.flops_per_sample(model, training=True) == 3 * (conv1 + conv2 + dense)


def test_flops_per_sample_of_the_books_models():
    # conv layers' 2·k·k·Cin·Cout·H·W plus the dense layers, written out for 6-4's CNN
    cifar = (2 * 9 * 3 * 32 * 30 * 30 + 2 * 9 * 32 * 32 * 28 * 28 + 2 * 9 * 32 * 64 * 12 * 12
             + 2 * 9 * 64 * 64 * 10 * 10 + 2 * 1600 * 512 + 2 * 512 * 10)
    assert training.flops_per_sample(cifar10_cnn()) == cifar
    assert training.flops_per_sample(lenet5()) < training.flops_per_sample(mnist_cnn()) < cifar


def test_flops_per_sample_refuses_a_model_without_weights_layers():
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="no Conv2D or Dense"):
        training.flops_per_sample(model)


def test_measure_times_every_repeat_after_the_warm_up():
    calls = []
    timing = training.measure(lambda: calls.append(sum(range(50_000))), repeats=4, warmup=2)
    assert len(calls) == 6 and len(timing["wall"]) == len(timing["cpu"]) == 4
    assert timing["wall_median"] > 0 and timing["cpu_median"] >= 0
    with pytest.raises(ValueError, match="repeats"):
        training.measure(lambda: None, repeats=0)


def test_time_epoch_times_one_epoch_inside_the_fit_call():
    x, y = _data(256)
    model = lenet5()
    seconds = training.time_epoch(model, x, y, batch_size=128)
    assert 0 < seconds["wall"] <= seconds["call_wall"]
    assert 0 < seconds["cpu"] <= seconds["call_cpu"]
    assert model.optimizer.iterations.numpy() == 2  # exactly one epoch of 256/128 steps
    seconds = training.time_epoch(model, training.train_dataset(x, y, batch_size=128))
    assert model.optimizer.iterations.numpy() == 4
    with pytest.raises(ValueError, match="one epoch"):
        training.time_epoch(model, x, y, epochs=3)


def test_matmul_gflops_is_positive_and_consistent_with_its_size():
    found = training.matmul_gflops(size=256, repeats=2)
    assert found["size"] == 256
    assert 0 < found["wall"] < 1e5 and 0 < found["cpu"] < 1e5
