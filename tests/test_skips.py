"""A test that skips for want of the offline data fails the run when the data are there (CI
must not pass by skipping), and only then: without the data the skip stays a visible skip."""

import subprocess
import sys

from helpers._course import config

SKIPPING_TEST = '''
import pytest

def test_needs_data():
    pytest.skip("CH6_DATA_DIR is not set to the offline datasets folder (make test sets it)")
'''


def _run(tmp_path, data_dir):
    folder = config.REPO_ROOT / "build" / f"skip-check-{tmp_path.name}"   # under the root conftest
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_needs_data.py").write_text(SKIPPING_TEST, encoding="utf-8")
    try:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", str(folder)], cwd=config.REPO_ROOT,
                              env=config.child_environment(CH6_DATA_DIR=data_dir), capture_output=True, text=True)
    finally:
        (folder / "test_needs_data.py").unlink()
        folder.rmdir()


def test_a_data_skip_fails_the_run_when_the_data_are_present(tmp_path):
    (tmp_path / "datasets").mkdir()
    result = _run(tmp_path, tmp_path / "datasets")
    assert result.returncode == 1, result.stdout
    assert "holds the offline data, yet these tests skipped for want of it" in result.stdout
    assert "SKIPPED [1]" in result.stdout   # -rs shows the reason in the summary


def test_without_the_data_a_skip_is_only_reported(tmp_path):
    result = _run(tmp_path, None)
    assert result.returncode == 0 and "SKIPPED [1]" in result.stdout and "CH6_DATA_DIR is not set" in result.stdout
