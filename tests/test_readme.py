"""The README is the students' and instructors' page: Korean, and it points at the rest."""

import re

from helpers._course import config

README = (config.REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_is_korean():
    prose = re.sub(r"\(https?://[^)]*\)|`[^`]*`|```.*?```", "", README, flags=re.S)  # links and code aside
    hangul = len(re.findall(r"[가-힣]", prose))
    letters = len(re.findall(r"[A-Za-z가-힣]", prose))
    assert hangul / letters > 0.5, "README.md is for Korean students and instructors"


def test_readme_names_the_two_commands_colab_and_every_notebook():
    assert "make lab" in README and "make test" in README
    for path in sorted((config.REPO_ROOT / "notebooks").glob("6.*.ipynb")):
        badge = (config.REPO_URL.replace("https://github.com/", "https://colab.research.google.com/github/")
                 + f"/blob/main/notebooks/{path.name}")
        assert f"(notebooks/{path.name})" in README and badge in README, path.name


def test_readme_links_exist():
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", README):
        assert (config.REPO_ROOT / target).exists(), target
    assert "docs/results.md" in README and "CONTRIBUTING.md" in README
