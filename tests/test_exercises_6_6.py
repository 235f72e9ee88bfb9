"""직접 해 보기 of 6.6: the checks that read saved training curves agree with those curves."""

import runpy

import numpy as np
import pytest

from helpers._course import exercises
from helpers._course.config import REPO_ROOT

SOLUTIONS = runpy.run_path(str(REPO_ROOT / "solutions" / "6.6.py"))["SOLUTIONS"]


def test_the_curve_exercises_read_the_saved_curves():
    from helpers._course.saved import load_checkpoint
    from helpers.models import cifar10_cnn

    without, with_augmentation = (load_checkpoint(p, cifar10_cnn()) for p in ("6-4", "6-8"))
    best = int(np.argmin(without["val_loss"])) + 1
    assert 1 < best < len(without["val_loss"]), "6-4's validation loss is lowest before its last epoch"
    assert exercises.check("6.6-3", best) == "정답입니다! (6.6-3)"
    gap_without = without["accuracy"][29] - without["val_accuracy"][29]
    gap_with = with_augmentation["accuracy"][29] - with_augmentation["val_accuracy"][29]
    assert gap_without > gap_with, "augmentation narrows the gap between train and validation accuracy"
    assert exercises.check("6.6-5", (gap_without, gap_with)) == "정답입니다! (6.6-5)"
    assert "튜플" in exercises.check("6.6-5", gap_without)
