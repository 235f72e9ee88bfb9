"""make repo-url: one command points every badge, install line and link at another repository."""

import subprocess
import sys

import pytest

from helpers._course import config


def _run(repo_copy, *args):
    return subprocess.run([sys.executable, "tools/repo_url.py", *args], cwd=repo_copy, capture_output=True, text=True)


def test_repo_url_rewrites_every_place_from_the_one_source(repo_copy):
    old = config.REPO_URL.removeprefix("https://github.com/")
    result = _run(repo_copy, "https://github.com/my-school/cnn-course")
    assert result.returncode == 0, result.stdout + result.stderr
    texts = {p: p.read_text(encoding="utf-8") for p in repo_copy.rglob("*")
             if p.is_file() and ".git" not in p.parts and p.suffix in {".py", ".md", ".ipynb", ".toml", ".txt", ".yml"}}
    assert not [p for p, t in texts.items() if old in t], "the old address is left somewhere"
    assert 'REPO_URL = "https://github.com/my-school/cnn-course"' in (repo_copy / "helpers/_course/config.py").read_text()
    badge = "https://colab.research.google.com/github/my-school/cnn-course/blob/main/notebooks/6.4-cnn-programming.ipynb"
    assert badge in (repo_copy / "notebooks/6.4-cnn-programming.ipynb").read_text(encoding="utf-8")
    assert "git+https://github.com/my-school/cnn-course" in (repo_copy / "notebooks/6.5-visualization.ipynb").read_text(encoding="utf-8")
    assert _run(repo_copy, "https://github.com/my-school/cnn-course").stdout.startswith("already")


@pytest.mark.parametrize("bad", ["github.com/a/b", "https://gitlab.com/a/b", "https://github.com/only-owner", ""])
def test_repo_url_refuses_what_is_not_a_github_repository(repo_copy, bad):
    result = _run(repo_copy, bad)
    assert result.returncode == 2 and "https://github.com/OWNER/NAME" in result.stdout
