"""helpers._course.measure: the epoch timer, timing loops, pipeline meters, FLOP counter and ceiling."""

import keras
import numpy as np
import pytest

from helpers._course import measure
from helpers.augment import augmented_dataset, augmenter
from helpers._course.measure import compare_training_speed, images_per_second, training_samples_per_second
from helpers.models import cifar10_cnn, lenet5, mnist_cnn


def _data(n=10, shape=(28, 28, 1)):
    x = np.arange(n, dtype=np.float32)[:, None, None, None] * np.ones((1,) + shape, np.float32)
    y = keras.utils.to_categorical(np.arange(n) % 10, 10)
    return x, y


def test_epoch_timer_times_real_epochs():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(loss="mse", optimizer="sgd")
    timer = measure.EpochTimer()
    model.fit(np.zeros((8, 4)), np.zeros((8, 2)), epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)


def test_epoch_timer_prints_an_estimate_in_full_mode(capsys, env):
    import keras

    env(CH6_QUICK="0")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(loss="mse", optimizer="sgd")
    timer = measure.EpochTimer()
    model.fit(np.zeros((40, 4)), np.zeros((40, 2)), batch_size=2, epochs=2, verbose=0, callbacks=[timer])
    out = capsys.readouterr().out
    assert "예상 학습 시간" in out and timer.estimate_seconds > 0
    env(CH6_QUICK="1")
    quiet = measure.EpochTimer()
    model.fit(np.zeros((40, 4)), np.zeros((40, 2)), batch_size=2, epochs=1, verbose=0, callbacks=[quiet])
    assert "예상 학습 시간" not in capsys.readouterr().out and quiet.estimate_seconds is None


def test_format_duration():
    assert [measure.format_duration(s) for s in (42, 150, 7300)] == ["42초", "2.5분", "2.0시간"]


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
    timing = measure.measure(lambda: calls.append(sum(range(50_000))), repeats=4, warmup=2)
    assert len(calls) == 6 and len(timing["wall"]) == len(timing["cpu"]) == 4
    assert timing["wall_median"] > 0 and timing["cpu_median"] >= 0
    with pytest.raises(ValueError, match="repeats"):
        measure.measure(lambda: None, repeats=0)


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


def test_meters_measure_real_pipelines():
    import keras

    x = np.random.default_rng(1).random((256, 16, 16, 3)).astype(np.float32)
    y = keras.utils.to_categorical(np.arange(256) % 10, 10)
    rate = images_per_second(lambda: iter(augmented_dataset(x, y, augmenter(horizontal_flip=True), 32)),
                             n_images=256, repeats=2)
    assert rate > 100
    model = keras.Sequential([keras.Input(shape=(16, 16, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    samples = training_samples_per_second(model, augmented_dataset(x, y, batch_size=32), steps=4, repeats=2)
    assert samples > 100
    with pytest.raises(TypeError, match="tf.data.Dataset"):
        training_samples_per_second(model, [(x, y)], steps=2)

    def build():
        small = keras.Sequential([keras.Input(shape=(16, 16, 3)), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        small.compile(loss="categorical_crossentropy", optimizer="adam")
        return small

    rates = compare_training_speed(build, {"none": augmented_dataset(x, y, batch_size=32),
                                           "flip": augmented_dataset(x, y, augmenter(horizontal_flip=True), 32)},
                                   steps=3, rounds=2)
    assert set(rates) == {"none", "flip"} and min(rates.values()) > 100
    with pytest.raises(ValueError, match="at least one pipeline"):
        compare_training_speed(build, {}, steps=2)


def test_training_meter_does_not_run_a_generator_flow_dry():
    import warnings

    import keras
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    x = np.random.default_rng(4).random((96, 16, 16, 3)).astype(np.float32)
    y = keras.utils.to_categorical(np.arange(96) % 10, 10)
    flow = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=32)  # 3 batches, asked for 10 × 2 epochs
    model = keras.Sequential([keras.Input(shape=(16, 16, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert training_samples_per_second(model, flow, steps=10, repeats=1) > 10
    assert not [w for w in caught if "ran out of data" in str(w.message)]


def test_matmul_run_multiplies_and_counts_its_flops():
    run, flops = measure.matmul_run(size=128, times=3)
    assert flops == 3 * 2.0 * 128**3
    assert run() is None
