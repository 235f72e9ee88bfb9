"""6.5's 직접 해 보기 beyond tests/test_exercises.py (which feeds every solution and typical mistake): the
photo's centre is not the dog's evidence, and a class may be a name or a number."""

import runpy

import pytest

from helpers._course import config, exercises

SOLUTIONS = runpy.run_path(str(config.REPO_ROOT / "solutions" / "6.5.py"))["SOLUTIONS"]


@pytest.fixture
def assets(offline_data):
    if config.asset_dir("pretrained") is None or config.asset_dir("darknet") is None:
        pytest.skip("CH6_DATA_DIR is not set to the offline assets' datasets folder (make test sets it)")


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
