"""직접 해 보기 of 6.6: every typical wrong answer in solutions/6.6.py is told to try again, and the
checks that read saved training curves agree with those curves."""

import runpy

import numpy as np
import pytest

from helpers._course import exercises
from helpers._course.config import REPO_ROOT

SOLUTIONS = runpy.run_path(str(REPO_ROOT / "solutions" / "6.6.py"))["SOLUTIONS"]
CASES = [(exercise_id, number) for exercise_id, entry in sorted(SOLUTIONS.items())
         for number in range(len(entry["wrongs"]))]


def test_every_exercise_has_at_least_three_wrong_answers():
    assert {i: len(e["wrongs"]) >= 3 for i, e in SOLUTIONS.items()} == {i: True for i in SOLUTIONS}


@pytest.mark.parametrize("exercise_id, number", CASES, ids=[f"{i}-wrong{n}" for i, n in CASES])
def test_a_typical_wrong_answer_is_told_to_try_again(exercise_id, number):
    verdict = exercises.check(exercise_id, SOLUTIONS[exercise_id]["wrongs"][number]())
    assert verdict.startswith("다시 해 보세요") and "힌트:" in verdict, verdict


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
