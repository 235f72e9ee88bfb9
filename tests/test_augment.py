"""helpers.augment: the layers do what ImageDataGenerator's arguments say; the pipeline feeds fit."""

import numpy as np
import pytest

from helpers._course import config
from helpers.augment import augmented_dataset, augmenter, shift_flip


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
    ({"width_shift_range": 3}, "비율"),
    ({"rotation_range": 400}, "각도"),
    ({}, "변환이 없습니다"),
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
    data = augmented_dataset(x, np.arange(16), move, batch_size=16)

    def one_epoch():  # the augmented images in the original order
        images, labels = next(iter(data))
        return np.asarray(images)[np.argsort(np.asarray(labels))]

    first, second = one_epoch(), one_epoch()
    assert not np.array_equal(first, second), "a new epoch (a new iterator) must not repeat the same shifts"
    assert np.array_equal(np.asarray(shift_flip(height_shift_range=0.01)(x)), x)  # round(0.01 × 32) = 0


@pytest.mark.parametrize("kwargs, message", [
    ({"width_shift_range": 1.5}, "비율"),
    ({}, "변환이 없습니다"),
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


@pytest.mark.parametrize("x, y, batch_size, error, words", [
    (np.zeros((5, 28, 28, 1), np.float32), np.zeros((4, 10)), 128, ValueError, "영상은 5장인데 레이블은 4개"),
    (np.zeros((5, 28, 28, 1), np.float32), np.zeros((5, 10)), 0, ValueError, "1 이상"),
    (np.zeros((0, 28, 28, 1), np.float32), np.zeros((0, 10)), 128, ValueError, "데이터를 먼저 읽고"),
    (np.zeros((3, 4, 4, 3), np.uint8), np.zeros(3), 128, TypeError, "astype"),
])
def test_dataset_explains_bad_input(x, y, batch_size, error, words):
    with pytest.raises(error, match=words):
        augmented_dataset(x, y, batch_size=batch_size)


def test_model_trained_through_the_pipeline_learns_real_mnist(mnist_for_cnn):
    """One quick-mode epoch of LeNet-5 fed by augmented_dataset must pass 0.85 on real test images."""
    from helpers.models import lenet5

    x_train, y_train, x_test, y_test = mnist_for_cnn
    cnn = lenet5()
    cnn.fit(augmented_dataset(x_train, y_train, batch_size=128), epochs=1, verbose=0, shuffle=False)
    accuracy = cnn.evaluate(x_test, y_test, verbose=0)[1]
    assert accuracy >= 0.85, f"LeNet-5 through augmented_dataset reached only {accuracy:.3f} after one epoch"
