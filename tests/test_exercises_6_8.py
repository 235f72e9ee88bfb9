"""직접 해 보기 of 6.8 beyond tests/test_exercises.py (which feeds every solution and typical mistake):
answers of the wrong type are refused with a reason.  The checks run the notebook's quick-mode detector (Yolo-Fastest offline)."""

import runpy

import pytest

from helpers._course import darknet_files, exercises
from helpers._course.config import REPO_ROOT

SOLUTIONS = runpy.run_path(str(REPO_ROOT / "solutions" / "6.8.py"))["SOLUTIONS"]


@pytest.fixture
def quick(needs, env):
    needs("yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names", *darknet_files.SAMPLE_PHOTOS)
    env(CH6_QUICK="1")


@pytest.mark.parametrize("exercise_id, answer, reason", [
    ("6.8-1", "12348", "후보 박스 수를 정수 하나로 쓰세요"),
    ("6.8-2", 0.83, "(car 점수, truck 점수) 두 수의 튜플로 답하세요"),
    ("6.8-2", ("car", 0.83), "(car 점수, truck 점수) 수로 쓰세요"),
    ("6.8-3", [14, 28], "두 수의 튜플로 답하세요"),
    ("6.8-3", (14.0, 28), "정수"),
    ("6.8-4", 0.5, "answer에 함수 이름(iou)을 넣으세요"),
])
def test_answers_of_the_wrong_kind_say_what_is_wanted(exercise_id, answer, reason, quick):
    verdict = exercises.check(exercise_id, answer)
    assert verdict.startswith("다시 해 보세요: ") and reason in verdict, verdict


def test_the_quick_mode_answers_are_what_the_notebook_shows(quick):
    """Yolo-Fastest 1.1-XL offline: the white pickup is a car (0.831) and no truck (score 0: below 0.2),
    the dog comes from the 14×14 grid and kite.jpg's smallest box from the 28×28 one (measured)."""
    car, truck = SOLUTIONS["6.8-2"]["answer"]()
    assert car == pytest.approx(0.831, abs=0.001) and truck == 0
    assert SOLUTIONS["6.8-3"]["answer"]() == (14, 28)
