"""helpers._course.memory: peak memory of the book's in-RAM loading and of streaming, in a child process."""

import pytest
from PIL import Image

from helpers._course import memory

CLASSES = ["001.Alpha_bird", "002.Beta_bird", "003.Gamma_bird"]


def _folders(root, train, test):
    for part, count in (("train", train), ("test", test)):
        for number, name in enumerate(CLASSES):
            folder = root / part / name
            folder.mkdir(parents=True)
            for k in range(count):
                Image.new("RGB", (40, 30), (40 * number, 80, 120)).save(folder / f"{k:04d}.jpg")


def test_the_book_way_measured_in_a_fresh_process_is_every_image_twice(tmp_path):
    # one child process only (each imports TensorFlow); the notebook measures both loaders
    _folders(tmp_path, train=8, test=16)  # 24 train, 48 test images
    in_ram = memory._peak_memory("in_memory", tmp_path, CLASSES, image_size=(224, 224))
    assert in_ram["images"] == 72 and in_ram["loader"] == "in_memory"
    assert in_ram["peak_mb"] >= in_ram["baseline_mb"] > 50  # TensorFlow is imported in the child
    twice = memory._in_memory_bytes(72) / 2**20  # 82.7 MB; the data alive at once peak at 69 MB (line 44)
    assert 0.95 * twice <= in_ram["increase_mb"] <= 1.15 * twice, (in_ram, twice)
    with pytest.raises(ValueError, match="loader must be 'in_memory' or 'stream', got 'disk'"):
        memory._peak_memory("disk", tmp_path, CLASSES)


def test_a_failing_child_reports_its_error(tmp_path, monkeypatch):
    child = tmp_path / "python"  # a child that fails at once (a real one would import TensorFlow first)
    child.write_text("#!/bin/sh\necho 'MemoryError: out of memory' >&2\nexit 3\n")
    child.chmod(0o755)
    monkeypatch.setattr(memory.sys, "executable", str(child))
    with pytest.raises(RuntimeError, match=r"measuring stream memory failed with exit code 3:\nMemoryError: out of"):
        memory._peak_memory("stream", tmp_path, ["999.Missing"])


def test_format_memory_marks_rows_not_run():
    text = memory.format_memory([{"classes": 200, "train_images": 5994, "test_images": 5794,
                                  "in_memory_estimate_mb": 10210.8, "in_memory": None,
                                  "in_memory_note": "실행 안 함: 약 10.0 GB 필요, 3.0 GB 남음",
                                  "stream": {"increase_mb": 80.0}}])
    assert text.splitlines()[2] == "200 | 5994/5794 | 실행 안 함: 약 10.0 GB 필요, 3.0 GB 남음 | 80.0 | 10210.8"


def test_compare_memory_spreads_classes_and_skips_what_would_not_fit(tmp_path, monkeypatch):
    import psutil

    jpeg = tmp_path / "one.jpg"
    Image.new("RGB", (8, 8)).save(jpeg)
    root = tmp_path / "cub"
    for c in range(10):
        for part in ("train", "test"):
            folder = root / part / f"{c + 1:03d}.Bird_{c}"
            folder.mkdir(parents=True)
            for k in range(3 if part == "train" else 2):
                (folder / f"img{k}.jpg").write_bytes(jpeg.read_bytes())
            (folder / ".DS_Store").write_bytes(b"not counted")
    (root / "train" / ".ipynb_checkpoints").mkdir()
    calls = []

    def measured(kind, root, classes, *, image_size):  # the child processes are tested above
        calls.append((kind, list(classes)))
        return {"increase_mb": 1.0}

    monkeypatch.setattr(memory, "_peak_memory", measured)
    rows = memory.compare_memory(root, class_counts=(2, 50), image_size=(32, 32))
    assert [(r["classes"], r["train_images"], r["test_images"]) for r in rows] == [(2, 6, 4), (10, 30, 20)]
    assert calls[0] == ("in_memory", ["005.Bird_4", "010.Bird_9"])  # every fifth class, as the book's every tenth
    assert rows[0]["in_memory_estimate_mb"] == round(2 * 10 * 32 * 32 * 3 * 4 / 2**20, 1)

    class Small:
        available = 1000  # bytes: nothing fits
    monkeypatch.setattr(psutil, "virtual_memory", lambda: Small())
    calls.clear()
    rows = memory.compare_memory(root, class_counts=(2,), image_size=(32, 32))
    assert rows[0]["in_memory"] is None and rows[0]["in_memory_note"].startswith("실행 안 함: 약")
    assert [kind for kind, _ in calls] == ["stream"]  # the streaming loader is still measured
