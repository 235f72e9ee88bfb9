"""helpers.augment: the layers do what ImageDataGenerator's arguments say; the pipeline and meters work."""

import json

import numpy as np
import pytest

from helpers import config
from helpers.augment import (augmented_dataset, augmenter, compare_training_speed, images_per_second,
                             record_speed, shift_flip, training_samples_per_second)


def test_augmenter_maps_the_generator_arguments():
    layers = augmenter(rotation_range=30, width_shift_range=0.2, height_shift_range=0.1,
                       horizontal_flip=True)
    rotation, translation, flip = layers.layers
    assert rotation.factor == pytest.approx((-30 / 360, 30 / 360))  # degrees → fraction of a turn
    assert translation.height_factor == pytest.approx(0.1)
    assert translation.width_factor == pytest.approx(0.2)
    assert flip.mode == "horizontal"
    assert [type(layer).__name__ for layer in augmenter(horizontal_flip=True).layers] == ["RandomFlip"]


@pytest.mark.parametrize("kwargs, message", [
    ({"width_shift_range": 3}, "fraction of the image size"),
    ({"rotation_range": 400}, "degrees"),
    ({}, "no transformation"),
])
def test_augmenter_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        augmenter(**kwargs)


def test_flip_only_mirrors_and_keeps_the_content():
    x = np.random.default_rng(0).random((64, 8, 8, 3)).astype(np.float32)
    out = np.asarray(augmenter(horizontal_flip=True)(x, training=True))
    same = np.all(out == x, axis=(1, 2, 3))
    mirrored = np.all(out == x[:, :, ::-1, :], axis=(1, 2, 3))
    assert (same | mirrored).all()
    assert 10 < mirrored.sum() < 54  # about half, chosen per image
    assert np.array_equal(np.asarray(augmenter(horizontal_flip=True)(x, training=False)), x)


def test_shift_moves_pixels_by_at_most_the_range():
    x = np.zeros((32, 20, 20, 1), np.float32)
    x[:, 10, 10, 0] = 1.0  # one bright pixel in the middle
    out = np.asarray(augmenter(width_shift_range=0.1, height_shift_range=0.1,
                               interpolation="nearest")(x, training=True))
    rows, cols = np.unravel_index(out.reshape(32, -1).argmax(axis=1), (20, 20))
    assert np.all(np.abs(rows - 10) <= 2) and np.all(np.abs(cols - 10) <= 2)
    assert (rows != 10).any() or (cols != 10).any()


def edge_shifted(image, dy, dx):
    """The image moved down by dy and right by dx, the border pixel repeated (fill_mode='nearest')."""
    height, width = image.shape[:2]
    rows = np.clip(np.arange(height) - dy, 0, height - 1)
    cols = np.clip(np.arange(width) - dx, 0, width - 1)
    return image[rows][:, cols]


def test_shift_flip_is_a_whole_pixel_shift_with_edge_fill_and_a_mirror():
    rng = np.random.default_rng(2)
    x = rng.random((200, 32, 32, 3)).astype(np.float32)
    out = np.asarray(shift_flip(width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True)(x))
    seen_shifts, mirrored = set(), 0
    for image, moved in zip(x, out):
        matches = [(dy, dx, flip) for dy in range(-3, 4) for dx in range(-3, 4) for flip in (False, True)
                   if np.array_equal(moved, edge_shifted(image[:, ::-1] if flip else image, dy, dx))]
        assert matches, "every output is the input moved by at most round(0.1 × 32) = 3 pixels, maybe mirrored"
        seen_shifts.add(matches[0][:2])
        mirrored += matches[0][2]
    assert len(seen_shifts) > 30  # of the 49 possible (dy, dx), drawn per image
    assert 60 < mirrored < 140  # about half


def test_shift_flip_draws_new_shifts_every_call_and_every_epoch():
    x = np.random.default_rng(3).random((16, 32, 32, 3)).astype(np.float32)
    move = shift_flip(width_shift_range=0.2)
    assert not np.array_equal(np.asarray(move(x)), np.asarray(move(x)))
    data = augmented_dataset(x, x[:, 0, 0, :1], move, batch_size=16, shuffle=False)
    first, second = (np.asarray(next(iter(data))[0]) for _ in range(2))
    assert not np.array_equal(first, second), "a new epoch (a new iterator) must not repeat the same shifts"
    assert np.array_equal(np.asarray(shift_flip(height_shift_range=0.01)(x)), x)  # round(0.01 × 32) = 0


@pytest.mark.parametrize("kwargs, message", [
    ({"width_shift_range": 1.5}, "fraction of the image size"),
    ({}, "no transformation"),
])
def test_shift_flip_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        shift_flip(**kwargs)


def test_dataset_batches_shuffles_and_keeps_pairs():
    x = np.arange(10, dtype=np.float32)[:, None, None, None] * np.ones((1, 4, 4, 3), np.float32)
    y = np.arange(10, dtype=np.float32)
    batches = list(augmented_dataset(x, y, batch_size=4))
    assert [len(images) for images, _ in batches] == [4, 4, 2]
    images = np.concatenate([np.asarray(i) for i, _ in batches])
    labels = np.concatenate([np.asarray(label) for _, label in batches])
    assert sorted(labels.tolist()) == list(range(10)) and labels.tolist() != list(range(10))
    assert np.array_equal(images[:, 0, 0, 0], labels)  # image and label still belong together


def test_dataset_reshuffles_every_epoch_and_repeats_after_set_seed():
    x = np.arange(32, dtype=np.float32)[:, None, None, None] * np.ones((1, 2, 2, 3), np.float32)
    y = np.arange(32)

    def first_batches():
        config.set_seed()
        data = augmented_dataset(x, y, batch_size=8)
        return [tuple(np.asarray(next(iter(data))[1])) for _ in range(3)]  # one new iterator per epoch, as fit

    run = first_batches()
    assert len(set(run)) == 3, "a new order in every epoch"
    assert first_batches() == run, "the same orders again after set_seed"


def test_dataset_refuses_mismatch_and_uint8():
    with pytest.raises(ValueError, match="one to one"):
        augmented_dataset(np.zeros((3, 4, 4, 3), np.float32), np.zeros(2))
    with pytest.raises(TypeError, match="astype"):
        augmented_dataset(np.zeros((3, 4, 4, 3), np.uint8), np.zeros(3))


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


def test_record_speed_writes_only_in_full_mode(tmp_path, env):
    env(CH6_RESULTS_DIR=tmp_path)
    config.set_quick_mode(True)
    assert record_speed({"ratio": 3.2}) is None and not list(tmp_path.iterdir())
    config.set_quick_mode(False)
    path = record_speed({"ratio": 3.2, "flow_images_per_s": 5000})
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == "6.6-pipeline-speed.json" and entry["ratio"] == 3.2
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(TypeError, match="not numbers"):
        record_speed({"ratio": "fast"})
