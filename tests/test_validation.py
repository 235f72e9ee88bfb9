"""helpers.validation: the folds partition the data, and no held-out sample reaches training."""

import numpy as np
import pytest

from helpers.augment import augmenter
from helpers.validation import cross_validate, kfold_indices

MARK = 1000.0  # the spy augmentation adds this, so training can tell augmented images apart


class SpyModel:
    """Stands in for a Keras model: records every image index that fit() and evaluate() get."""

    def __init__(self, log):
        self.log = log

    def fit(self, data, epochs=1, verbose=0, shuffle=True, callbacks=None):
        seen = []
        for _ in range(epochs):
            for images, _labels in data:
                seen.extend(np.asarray(images)[:, 0, 0, 0].tolist())
        self.log.append({"train": np.array(seen)})

    def evaluate(self, x, y, verbose=0):
        self.log[-1]["val"] = np.asarray(x)[:, 0, 0, 0].copy()
        return [0.0, 0.5]


def indexed_images(n):
    """Images whose every pixel is the sample's own index, labels one-hot."""
    x = np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None, None], (n, 4, 4, 1)).copy()
    return x, np.eye(2, dtype=np.float32)[np.arange(n) % 2]


def spy_augment(images):
    return images + MARK


def test_folds_partition_the_data():
    folds = kfold_indices(23, k=5)
    assert len(folds) == 5
    held_out = np.concatenate([val for _, val in folds])
    assert sorted(held_out.tolist()) == list(range(23))  # every sample held out exactly once
    for train, val in folds:
        assert np.intersect1d(train, val).size == 0
        assert sorted(np.concatenate([train, val]).tolist()) == list(range(23))


@pytest.mark.parametrize("augment", [None, spy_augment], ids=["plain", "augmented"])
def test_no_held_out_index_is_seen_in_training_or_augmentation(augment):
    x, y = indexed_images(50)
    log = []
    scores = cross_validate(lambda: SpyModel(log), x, y, folds=kfold_indices(50, 5), augment=augment, epochs=2, batch_size=8)
    assert scores == [0.5] * 5
    folds = kfold_indices(50, 5)
    for entry, (train, val) in zip(log, folds):
        seen = entry["train"]
        if augment is not None:
            assert (seen >= MARK).all(), "every training image went through the augmentation"
            seen = seen - MARK
        assert np.intersect1d(seen.astype(int), val).size == 0
        assert sorted(seen.astype(int).tolist()) == sorted(np.tile(train, 2).tolist())  # each once per epoch
        assert entry["val"].astype(int).tolist() == val.tolist()


def test_the_books_variant_does_leak_when_augmenting():
    x, y = indexed_images(50)
    log = []
    cross_validate(lambda: SpyModel(log), x, y, folds=kfold_indices(50, 5), augment=spy_augment, epochs=1, batch_size=8, leak=True)
    for entry, (_, val) in zip(log, kfold_indices(50, 5)):
        assert np.isin(val, (entry["train"] - MARK).astype(int)).all()  # the held-out fold was trained on
    log.clear()
    cross_validate(lambda: SpyModel(log), x, y, folds=kfold_indices(50, 5), augment=None, epochs=1, batch_size=8, leak=True)
    for entry, (_, val) in zip(log, kfold_indices(50, 5)):
        assert np.intersect1d(entry["train"].astype(int), val).size == 0


def test_same_folds_can_be_reused_and_bad_folds_are_refused():
    x, y = indexed_images(20)
    log = []
    folds = kfold_indices(20, 4)
    cross_validate(lambda: SpyModel(log), x, y, folds=folds, epochs=1)
    assert [e["val"].astype(int).tolist() for e in log] == [v.tolist() for _, v in folds]
    with pytest.raises(ValueError, match="모두 들어 있는 샘플이 5개"):
        cross_validate(lambda: SpyModel([]), x, y, folds=[(np.arange(15), np.arange(10, 20))])
    with pytest.raises(ValueError, match="다른 데이터로 만든 폴드"):
        cross_validate(lambda: SpyModel([]), x[:10], y[:10], folds=folds)
    with pytest.raises(ValueError, match="2 ≤ k"):
        kfold_indices(5, k=1)
    with pytest.raises(ValueError, match="짝이 맞아야"):
        cross_validate(lambda: SpyModel([]), x, y[:5], folds=folds)


def test_cross_validate_learns_real_digits(offline_data):
    import keras

    from helpers.data import load_mnist

    (x, y), _ = load_mnist()
    x = x[:1000, :, :, None].astype(np.float32) / 255.0
    y = keras.utils.to_categorical(y[:1000], 10)

    def build():
        model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                                  keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
        return model

    scores = cross_validate(build, x, y, folds=kfold_indices(1000, 2), augment=augmenter(width_shift_range=0.05),
                            epochs=4, batch_size=32)
    assert len(scores) == 2 and min(scores) > 0.7, scores


def test_full_mode_prints_a_run_time_estimate_once(env, capsys):
    x, y = indexed_images(20)
    env(CH6_QUICK="0")
    cross_validate(lambda: SpyModel([]), x, y, folds=kfold_indices(20, 5), epochs=1, batch_size=4)
    assert capsys.readouterr().out.count("교차 검증 5폴드 예상 시간") == 1
    env(CH6_QUICK="1")
    cross_validate(lambda: SpyModel([]), x, y, folds=kfold_indices(20, 5), epochs=1, batch_size=4)
    assert "예상 시간" not in capsys.readouterr().out
