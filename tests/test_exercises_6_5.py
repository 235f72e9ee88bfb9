"""6.5's 직접 해 보기: the solution passes, and at least three typical wrong answers per exercise are told
to try again (solutions/6.5.py names each mistake)."""

import runpy

import pytest

from helpers._course import config, exercises

SOLUTIONS = runpy.run_path(str(config.REPO_ROOT / "solutions" / "6.5.py"))["SOLUTIONS"]


@pytest.fixture
def assets(offline_data):
    if config.asset_dir("pretrained") is None or config.asset_dir("darknet") is None:
        pytest.skip("CH6_DATA_DIR is not set to the offline assets' datasets folder (make test sets it)")


@pytest.mark.parametrize("exercise_id", sorted(SOLUTIONS))
def test_typical_wrong_answers_are_told_to_try_again(exercise_id, assets, env):
    env(CH6_QUICK="1")
    solution = SOLUTIONS[exercise_id]
    right = solution["answer"]()
    assert exercises.check(exercise_id, right) == f"정답입니다! ({exercise_id})"
    wrongs = [wrong for wrong in solution["wrongs"]() if wrong != right]
    assert len(wrongs) >= 3, wrongs
    for wrong in wrongs:
        verdict = exercises.check(exercise_id, wrong)
        assert verdict.startswith("다시 해 보세요") and "힌트:" in verdict, (wrong, verdict)


def test_the_image_centre_is_not_where_the_dog_s_evidence_is(assets):
    """6.5-4 once accepted the photo's centre (384, 288) without any Grad-CAM: not any more."""
    assert exercises.check("6.5-4", (384, 288)).startswith("다시 해 보세요")
    assert exercises.check("6.5-4", (900, 100)).startswith("다시 해 보세요: dog.jpg는 768×576입니다")


def test_a_class_is_a_name_or_a_number(assets):
    right = SOLUTIONS["6.5-5"]["answer"]()
    from helpers.data import CIFAR10_CLASSES

    assert exercises.check("6.5-5", CIFAR10_CLASSES.index(right)) == "정답입니다! (6.5-5)"
    assert exercises.check("6.5-5", right.upper() + " ") == "정답입니다! (6.5-5)"
    assert exercises.check("6.5-5", "boat").startswith("다시 해 보세요: 부류 이름은 [")
