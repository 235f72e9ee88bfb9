"""make repo-url: one command points every badge, install line and link at another repository."""

import shutil
import subprocess
import sys

import pytest

from helpers import config


@pytest.fixture
def copy(tmp_path):
    """A git checkout of the tracked files, so the command can run without touching this one."""
    files = subprocess.run(["git", "ls-files"], cwd=config.REPO_ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    target = tmp_path / "repo"
    for name in files:
        source = config.REPO_ROOT / name
        if source.is_file() and source.stat().st_size < 2_000_000:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    return target


def _run(copy, *args):
    return subprocess.run([sys.executable, "tools/repo_url.py", *args], cwd=copy, capture_output=True, text=True)


def test_repo_url_rewrites_every_place_from_the_one_source(copy):
    old = config.REPO_URL.removeprefix("https://github.com/")
    result = _run(copy, "https://github.com/my-school/cnn-course")
    assert result.returncode == 0, result.stdout + result.stderr
    texts = {p: p.read_text(encoding="utf-8") for p in copy.rglob("*")
             if p.is_file() and ".git" not in p.parts and p.suffix in {".py", ".md", ".ipynb", ".toml", ".txt", ".yml"}}
    assert not [p for p, t in texts.items() if old in t], "the old address is left somewhere"
    assert 'REPO_URL = "https://github.com/my-school/cnn-course"' in (copy / "helpers/config.py").read_text()
    badge = "https://colab.research.google.com/github/my-school/cnn-course/blob/main/notebooks/6.4-cnn-programming.ipynb"
    assert badge in (copy / "notebooks/6.4-cnn-programming.ipynb").read_text(encoding="utf-8")
    assert "git+https://github.com/my-school/cnn-course" in (copy / "notebooks/6.5-visualization.ipynb").read_text(encoding="utf-8")
    assert _run(copy, "https://github.com/my-school/cnn-course").stdout.startswith("already")


@pytest.mark.parametrize("bad", ["github.com/a/b", "https://gitlab.com/a/b", "https://github.com/only-owner", ""])
def test_repo_url_refuses_what_is_not_a_github_repository(copy, bad):
    result = _run(copy, bad)
    assert result.returncode == 2 and "https://github.com/OWNER/NAME" in result.stdout
