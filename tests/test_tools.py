"""The measurement commands in tools/ still run against today's helpers (tiny settings, quick mode).

They train for minutes to hours in full mode and are run by hand, so nothing else would notice
an API they call going away.  In quick mode they print their result and write nothing.
"""

import subprocess
import sys

import pytest

from helpers._course import config


def _tool(name, *args, results_dir, data_dir=None):
    environment = config.child_environment(CH6_QUICK="1", CH6_RESULTS_DIR=results_dir,
                                           **({"CH6_DATA_DIR": data_dir} if data_dir else {}))
    return subprocess.run([sys.executable, str(config.REPO_ROOT / "tools" / name), *args], cwd=config.REPO_ROOT,
                          env=environment, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name, args, expected", [
    ("jpeg_check.py", ["256", "1"], ["'mean_abs_pixel_change'", "'one more JPEG generation, quality 50'"]),
    ("cv_paths.py", ["--folds", "1", "--seeds", "1", "--epochs", "1"],
     ['"path": "numpy fit (6-9, book)"', '"path": "tf.data (helpers.cross_validate)"']),
])
def test_a_measurement_tool_runs_in_quick_mode_and_writes_nothing(offline_data, tmp_path, name, args, expected):
    run = _tool(name, *args, results_dir=tmp_path, data_dir=offline_data)
    assert run.returncode == 0, run.stderr[-2000:]
    for text in expected:
        assert text in run.stdout, run.stdout[-2000:]
    assert list(tmp_path.iterdir()) == []


def test_leak_check_refuses_an_unknown_configuration(tmp_path):
    run = _tool("leak_check.py", "999", results_dir=tmp_path)
    assert run.returncode == 2
    assert "CONFIG must be one of ['100', '101', '110', '111'], got '999'" in run.stdout
