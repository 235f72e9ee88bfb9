"""tools/tree_state.py, the guard `make test` runs around the suite, notices what it must notice.

It runs on a copy (the ``repo_copy`` fixture: a temporary git checkout of the tracked files) with a
temporary home folder, so this test writes nothing into the repository or the user's cache.
"""

import subprocess
import sys

import pytest

from helpers._course import config


@pytest.fixture
def copy(repo_copy, tmp_path):
    home = tmp_path / "home"
    (home / ".cache" / "ch6" / "models").mkdir(parents=True)
    return repo_copy, home


def _tree_state(copy, *args):
    repository, home = copy
    return subprocess.run([sys.executable, "tools/tree_state.py", *args], cwd=repository,
                          env=config.child_environment(HOME=home, PYTHONPATH=None),
                          capture_output=True, text=True, timeout=120)


def test_a_changed_created_or_deleted_user_model_fails_the_comparison(copy, tmp_path):
    models = copy[1] / ".cache" / "ch6" / "models"
    (models / "my_cnn.keras").write_bytes(b"the student's model")
    (models / "old.keras").write_bytes(b"another model")
    state = tmp_path / "state.json"

    assert _tree_state(copy, "save", str(state)).returncode == 0
    unchanged = _tree_state(copy, "compare", str(state))
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert "2 files in" in unchanged.stdout

    (models / "my_cnn.keras").write_bytes(b"overwritten by a test run")
    (models / "old.keras").unlink()
    (models / "new.keras").write_bytes(b"created by a test run")
    changed = _tree_state(copy, "compare", str(state))
    assert changed.returncode == 1
    for name in ("my_cnn.keras", "old.keras", "new.keras"):
        assert f"{name} was changed, created or deleted" in changed.stdout


def test_a_new_or_changed_file_in_the_repository_fails_the_comparison(copy, tmp_path):
    repository = copy[0]
    state = tmp_path / "state.json"
    assert _tree_state(copy, "save", str(state)).returncode == 0

    (repository / "helpers/_course/saved/results" / "6-1.json").write_text('{"overwritten": true}', encoding="utf-8")
    (repository / "helpers/_course/saved/results" / "new.json").write_text("{}", encoding="utf-8")
    changed = _tree_state(copy, "compare", str(state))
    assert changed.returncode == 1
    assert "saved/results/6-1.json" in changed.stdout
    assert "saved/results/new.json" in changed.stdout
