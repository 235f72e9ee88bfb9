"""Skips for a missing file (conftest.needs) say what to do; with the offline assets present, a skip for a file
they should hold fails the run (CI must not pass by skipping), and only then."""

import shutil
import subprocess
import sys

from helpers._course import config

SKIPPING_TEST = '''
import pytest

@pytest.mark.needs("mnist")
def test_needs_data():
    pass

def test_needs_a_file(needs):
    needs({name!r})
'''


def _run(tmp_path, name, **variables):
    folder = config.REPO_ROOT / "build" / f"skip-check-{tmp_path.name}"   # under the root conftest
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_needs_files.py").write_text(SKIPPING_TEST.format(name=name), encoding="utf-8")
    environment = config.child_environment(**{"CH6_DOWNLOAD_DIR": tmp_path / "downloads", "KERAS_HOME": tmp_path,
                                              "CH6_DARKNET_DIR": None, **variables})
    try:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(folder)],
                              cwd=config.REPO_ROOT, env=environment, capture_output=True, text=True)
    finally:
        shutil.rmtree(folder)


def test_without_the_assets_a_skip_says_what_to_do_and_the_run_passes(tmp_path):
    result = _run(tmp_path, "coco.names", CH6_DATA_DIR=None)
    assert result.returncode == 0, result.stdout
    assert "SKIPPED [1] conftest.py" in result.stdout and "2 skipped" in result.stdout
    assert "needs mnist: run `make download`, or set CH6_DATA_DIR" in result.stdout
    assert "needs coco.names: run `make download`" in result.stdout


def test_with_the_assets_a_skip_for_a_file_they_hold_fails_the_run(tmp_path):
    (tmp_path / "assets" / "datasets").mkdir(parents=True)
    (tmp_path / "assets" / "darknet").mkdir()
    result = _run(tmp_path, "coco.names", CH6_DATA_DIR=tmp_path / "assets" / "datasets")
    assert result.returncode == 1, result.stdout
    assert "lack coco.names, mnist, which tests skipped for" in result.stdout


def test_files_fetched_only_on_request_may_be_absent(tmp_path):
    (tmp_path / "assets" / "datasets").mkdir(parents=True)
    (tmp_path / "assets" / "darknet").mkdir()
    (tmp_path / "assets" / "datasets" / "mnist.npz").write_bytes(b"")
    result = _run(tmp_path, "yolov3.weights", CH6_DATA_DIR=tmp_path / "assets" / "datasets")
    assert result.returncode == 0 and "needs yolov3.weights" in result.stdout, result.stdout
