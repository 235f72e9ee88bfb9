"""helpers._course.measure: the epoch timer and the pipeline meters of 6.6, on real pipelines."""

import keras
import numpy as np
import pytest

from helpers._course import measure
from helpers.augment import augmented_dataset, augmenter
from helpers._course.measure import compare_training_speed, images_per_second


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


def _small_model():
    model = keras.Sequential([keras.Input(shape=(16, 16, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def test_meters_measure_real_pipelines():
    x = np.random.default_rng(1).random((256, 16, 16, 3)).astype(np.float32)
    y = keras.utils.to_categorical(np.arange(256) % 10, 10)
    rate = images_per_second(lambda: iter(augmented_dataset(x, y, augmenter(horizontal_flip=True), 32)),
                             n_images=256, repeats=2)
    assert rate > 100
    rates = compare_training_speed(_small_model, {"none": augmented_dataset(x, y, None, 32),
                                                  "flip": augmented_dataset(x, y, augmenter(horizontal_flip=True), 32)},
                                   steps=3, rounds=2)
    assert set(rates) == {"none", "flip"} and min(rates.values()) > 100
    with pytest.raises(ValueError, match="at least one pipeline"):
        compare_training_speed(_small_model, {}, steps=2)
    with pytest.raises(TypeError, match="tf.data.Dataset"):
        compare_training_speed(_small_model, {"list": [(x, y)]}, steps=2)


def test_training_meter_does_not_run_a_generator_flow_dry():
    import warnings

    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    x = np.random.default_rng(4).random((96, 16, 16, 3)).astype(np.float32)
    y = keras.utils.to_categorical(np.arange(96) % 10, 10)
    flow = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=32)  # 3 batches, asked for 10 per epoch
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert compare_training_speed(_small_model, {"flow": flow}, steps=10, rounds=2)["flow"] > 10
    assert not [w for w in caught if "ran out of data" in str(w.message)]
