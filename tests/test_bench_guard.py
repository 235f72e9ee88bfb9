"""Regression guard (issue #7, item 4): the curriculum's training path is not slower than the book's.

A tiny workload (LeNet-5, 1,024 MNIST-sized samples, batch 128 = 8 steps per epoch) is trained
one epoch at a time, the book's way (NumPy arrays into ``fit``) and the curriculum's way
(``helpers.augment.augmented_dataset`` without augmentation), alternately in this process.  The figure compared is CPU
seconds per epoch, which other programs on a shared machine hardly change (wall-clock time on
a busy 2-core machine swings by 2× from one epoch to the next).  The test fails only if the
curriculum's epochs cost more than the book's by more than the noise margin measured in the
same run: the larger relative spread (max − min) / median of either path's own repeats.
``benchmarks/bench.py`` gives the full figures.
"""

import sys

import numpy as np
import pytest

from helpers._course import config
from helpers.augment import augmented_dataset
from helpers.models import lenet5

sys.path.insert(0, str(config.REPO_ROOT / "benchmarks"))
from measure import measure_in_turns, time_epoch  # noqa: E402  (benchmarks/measure.py)

REPEATS = 7
SAMPLES = 1024
MIN_MARGIN = 0.03  # below 3 % two identical paths can differ by chance even in CPU time


def _workload():
    import keras

    rng = np.random.default_rng(config.seed())
    x = rng.random((SAMPLES, 28, 28, 1), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, SAMPLES), 10)
    return x, y


def compare(book_epoch, curriculum_epoch, repeats=REPEATS):
    """Alternate the two epoch functions; return CPU-second medians, ratio and noise margin."""
    timings = measure_in_turns({"book": book_epoch, "curriculum": curriculum_epoch}, repeats=repeats)
    book, curriculum = timings["book"]["cpu"], timings["curriculum"]["cpu"]
    spread = lambda s: (max(s) - min(s)) / float(np.median(s))  # noqa: E731
    return {"book_cpu": float(np.median(book)), "curriculum_cpu": float(np.median(curriculum)),
            "slowdown": float(np.median(curriculum) / np.median(book)) - 1.0,
            "margin": max(spread(book), spread(curriculum), MIN_MARGIN)}


def _book_and_curriculum(x, y, pipeline):
    config.set_seed()
    book_model, curriculum_model = lenet5(), lenet5()
    book = lambda: time_epoch(book_model, x, y, batch_size=128)  # noqa: E731
    curriculum = lambda: time_epoch(curriculum_model, pipeline)  # noqa: E731
    return book, curriculum


def test_curriculum_training_path_is_not_slower_than_the_books():
    x, y = _workload()
    book, curriculum = _book_and_curriculum(x, y, augmented_dataset(x, y, None, 128))
    found = compare(book, curriculum)
    assert found["slowdown"] <= found["margin"], (
        f"helpers.augment.augmented_dataset made an epoch cost {found['slowdown']:.1%} more CPU time than "
        f"the book's fit(x, y, batch_size=128) ({found['curriculum_cpu']:.3f} s vs {found['book_cpu']:.3f} s), "
        f"more than this run's noise margin of {found['margin']:.1%}. Look at what changed in "
        "helpers/augment.py, then run `python benchmarks/bench.py --only training` for the full figures."
    )


def test_the_guard_catches_a_slower_pipeline():
    """The same comparison must flag a pipeline that does extra work per batch (it can fail)."""
    import tensorflow as tf

    x, y = _workload()

    def wasteful(images, labels):  # a needless float64 round trip and sort of every batch
        heavy = tf.sort(tf.reshape(tf.cast(images, tf.float64), [-1]))
        return images + tf.cast(heavy[0] * 0.0, tf.float32), labels

    slow = augmented_dataset(x, y, None, 128).map(wasteful)
    for _ in range(3):
        book, curriculum = _book_and_curriculum(x, y, slow)
        found = compare(book, curriculum, repeats=3)
        if found["slowdown"] > found["margin"]:
            return
    pytest.fail(f"a deliberately slower pipeline was not detected: slowdown {found['slowdown']:.1%}, "
                f"margin {found['margin']:.1%}")
