"""직접 해 보기: every solution passes its check, every check has a solution and a notebook cell,
and a wrong answer is told to try again (so a check can neither be wrong nor always pass)."""

import json
import re
import runpy
from pathlib import Path

import pytest

from helpers._course import exercises

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("6.*.py"))
ID = re.compile(r"^6\.[4-8]-\d+$")


def _solutions() -> dict:
    found = {}
    for path in SOLUTIONS:
        found.update(runpy.run_path(str(path))["SOLUTIONS"])
    return found


def _notebook_ids() -> set:
    ids = set()
    for path in sorted((ROOT / "notebooks").glob("6.*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            ids.update(re.findall(r'check\("(6\.[4-8]-\d+)"', "".join(cell["source"])))
    return ids


def test_every_exercise_has_a_solution_and_a_notebook_check_cell():
    registered = {i for i in exercises._CHECKS if ID.match(i)}
    assert registered == set(_solutions()), "each registered check needs one solution in solutions/6.N.py"
    assert registered == _notebook_ids(), "each check is used by exactly the notebook cells that call check(…)"


def _wrong_answers(solution) -> dict:
    """A solution's typical mistakes: ``wrong`` is a dict {mistake: function} or a list of functions."""
    wrong = solution["wrong"]
    return wrong if isinstance(wrong, dict) else {f"wrong{number}": make for number, make in enumerate(wrong)}


MISTAKES = [(exercise_id, mistake) for exercise_id, solution in sorted(_solutions().items())
            for mistake in _wrong_answers(solution)]


@pytest.mark.parametrize("exercise_id", sorted(_solutions()))
def test_the_solution_is_right(exercise_id, offline_data, env):
    env(CH6_QUICK="1")
    assert exercises.check(exercise_id, _solutions()[exercise_id]["answer"]()) == f"정답입니다! ({exercise_id})"
    assert exercises.check(exercise_id, None) == exercises._NOT_YET


@pytest.mark.parametrize("exercise_id, mistake", MISTAKES, ids=[f"{e}-{m}" for e, m in MISTAKES])
def test_a_typical_wrong_answer_is_told_to_try_again(exercise_id, mistake, offline_data, env):
    env(CH6_QUICK="1")
    verdict = exercises.check(exercise_id, _wrong_answers(_solutions()[exercise_id])[mistake]())
    assert verdict.startswith("다시 해 보세요") and "힌트:" in verdict


@pytest.mark.parametrize("exercise_id", sorted(_solutions()))
def test_each_exercise_is_tried_with_three_typical_mistakes(exercise_id):
    assert len(_wrong_answers(_solutions()[exercise_id])) >= 3


def test_a_check_can_explain_why_an_answer_is_wrong():
    @exercises.exercise("0.0-9", hint="모양은 (높이, 너비, 채널)입니다.")
    def _shape(answer):
        if not isinstance(answer, tuple):
            raise ValueError("튜플로 답하세요.")
        return answer == (26, 26, 32)

    assert exercises.check("0.0-9", (26, 26, 32)) == "정답입니다! (0.0-9)"
    assert exercises.check("0.0-9", [26, 26, 32]) == "다시 해 보세요: 튜플로 답하세요. 힌트: 모양은 (높이, 너비, 채널)입니다."
    assert exercises.check("0.0-9", (28, 28, 32)) == "다시 해 보세요. 힌트: 모양은 (높이, 너비, 채널)입니다."
    with pytest.raises(KeyError, match="no exercise '0.0-404'"):
        exercises.check("0.0-404", 1)


def test_number_accepts_numbers_and_names_what_it_wanted():
    assert exercises.number(3, "정수 하나로", integral=True) == 3
    assert exercises.number(0.25, "수 하나로") == 0.25
    for wrong in ("3", True, 2.5):
        with pytest.raises(ValueError, match=r"상자 수를 정수 하나로 쓰세요 \(지금: "):
            exercises.number(wrong, "상자 수를 정수 하나로", integral=True)
