"""helpers._course.memory: peak memory of the book's in-RAM loader and of streaming, in a child process."""

import pytest

from helpers._course import memory
from helpers.image_folders import sample_folders

CLASSES = ["001.Alpha_bird", "002.Beta_bird", "003.Gamma_bird"]


def test_in_memory_estimate():
    assert memory.in_memory_bytes(10, (2, 3)) == 2 * 10 * 2 * 3 * 3 * 4


def test_peak_memory_in_a_fresh_process(tmp_path):
    # 36 images in all, so the in-RAM arrays are measurable
    sample_folders(CLASSES, root=tmp_path, parts=("train", "test"), images=6)
    # one child process only (each imports TensorFlow); the notebook measures both loaders
    in_ram = memory.peak_memory("in_memory", tmp_path, CLASSES, image_size=(224, 224))
    assert in_ram["images"] == 36 and in_ram["classes"] == 3 and in_ram["loader"] == "in_memory"
    assert in_ram["peak_mb"] >= in_ram["baseline_mb"] > 50  # TensorFlow is imported in the child
    # 36 float32 images of 224×224×3 are 20.7 MB; the in-RAM loader holds them (list + array)
    assert in_ram["increase_mb"] >= 20
    with pytest.raises(ValueError, match="loader must be 'in_memory' or 'stream', got 'disk'"):
        memory.peak_memory("disk", tmp_path, CLASSES)


def test_a_failing_child_reports_its_error(tmp_path, monkeypatch):
    child = tmp_path / "python"  # a child that fails at once (a real one would import TensorFlow first)
    child.write_text("#!/bin/sh\necho 'MemoryError: out of memory' >&2\nexit 3\n")
    child.chmod(0o755)
    monkeypatch.setattr(memory.sys, "executable", str(child))
    with pytest.raises(RuntimeError, match=r"measuring stream memory failed with exit code 3:\nMemoryError: out of"):
        memory.peak_memory("stream", tmp_path, ["999.Missing"])


def test_format_memory_marks_skipped_rows():
    text = memory.format_memory([{"classes": 200, "images": 11788, "in_memory_estimate_mb": 13000.0,
                                  "in_memory": None, "in_memory_note": "not run: needs about 13 GB",
                                  "stream": {"increase_mb": 80.0}}])
    assert text.splitlines()[2] == "200 | 11788 | 측정 안 함 (not run: needs about 13 GB) | 80.0 | 13000.0"


def test_compare_memory_spreads_classes_and_skips_what_would_not_fit(tmp_path, monkeypatch):
    import psutil

    for c in range(10):
        for part in ("train", "test"):
            folder = tmp_path / part / f"{c + 1:03d}.Bird_{c}"
            folder.mkdir(parents=True)
            for k in range(3):
                (folder / f"img{k}.jpg").write_bytes(b"jpeg")
            (folder / ".DS_Store").write_bytes(b"not counted")
    (tmp_path / "train" / ".ipynb_checkpoints").mkdir()
    calls = []

    def fake_peak(kind, root, classes, *, image_size):
        calls.append((kind, list(classes)))
        return {"increase_mb": 1.0}

    monkeypatch.setattr(memory, "peak_memory", fake_peak)
    rows = memory.compare_memory(tmp_path, class_counts=(2, 50), image_size=(32, 32))
    assert [(r["classes"], r["images"]) for r in rows] == [(2, 12), (10, 60)]  # 50 capped at the 10 there are
    assert calls[0] == ("in_memory", ["005.Bird_4", "010.Bird_9"])  # every fifth class, as the book's every tenth
    assert rows[0]["in_memory_estimate_mb"] == pytest.approx(12 * 32 * 32 * 3 * 4 * 2 / 2**20, rel=0.1)

    class Small:
        available = 1000  # bytes: nothing fits
    monkeypatch.setattr(psutil, "virtual_memory", lambda: Small())
    calls.clear()
    rows = memory.compare_memory(tmp_path, class_counts=(2,), image_size=(32, 32))
    assert rows[0]["in_memory"] is None and rows[0]["in_memory_note"].startswith("not run: needs about")
    assert [kind for kind, _ in calls] == ["stream"]  # the streaming loader is still measured
