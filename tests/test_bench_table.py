"""benchmarks/bench.py writes its report and prints the table of every section it measured.

A tiny real run (augmentation and YOLO, one repeat, 256 images, into a temporary file) and the
table of the recorded ``benchmarks/results/bench.json``; the table once failed on a key the restructure of
``helpers/`` had removed, after the measurements were already made.
"""

import json
import subprocess
import sys

from helpers._course import config

BENCH = config.REPO_ROOT / "benchmarks" / "bench.py"


def _bench(*args, **environment):
    return subprocess.run([sys.executable, str(BENCH), *args], cwd=config.REPO_ROOT,
                          env=config.child_environment(**environment), capture_output=True,
                          text=True, timeout=600)


def test_a_tiny_run_writes_its_report_and_prints_its_table(offline_data, tmp_path):
    out = tmp_path / "bench.json"
    run = _bench("--only", "augmentation", "yolo", "--repeats", "1", "--samples", "256", "--out", str(out),
                 CH6_DATA_DIR=offline_data)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    augmentation = report["augmentation"]
    for way in ("flow", "tf_data_nearest", "tf_data_bilinear", "tf_data_shift_flip"):
        assert augmentation[way]["per_s"] > 0
    measured = [row for row in report["yolo"] if "skipped" not in row]
    assert measured, report["yolo"]
    assert all(row["input"] == "448x448" and row["ms_per_forward"] > 0 for row in measured)
    assert "Augmentation 6-8 (helpers.augment), images/s" in run.stdout
    assert "YOLO forward pass (cv2.dnn), ms" in run.stdout
    assert f"written: {out}" in run.stdout


def test_the_recorded_report_prints_every_section():
    run = _bench("--table-from", str(config.REPO_ROOT / "benchmarks" / "results" / "bench.json"))
    assert run.returncode == 0, run.stderr[-2000:]
    for heading in ("Ceiling (fp32 matmul", "Training, batch 128", "Augmentation 6-8", "Inference (evaluate",
                    "YOLO forward pass", "Investigation,", "Targets"):
        assert heading in run.stdout, heading
