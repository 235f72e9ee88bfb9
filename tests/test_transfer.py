"""helpers.transfer: CUB preparation, the fixed loader, streaming, weights, models, 표 6-1."""

import io
import json
import os
import tarfile

import numpy as np
import pytest
from PIL import Image

from helpers import config, transfer
from helpers.downloads import file_hash

CLASSES = ["001.Alpha_bird", "002.Beta_bird", "003.Gamma_bird"]


def _jpeg(mode="RGB", seed=0, size=(40, 30)) -> bytes:
    rng = np.random.default_rng(seed)
    img = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).convert(mode)
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG")
    return buffer.getvalue()


def _official_files():
    """A tiny CUB in the official layout: 3 classes × 4 images, ids 1-12; split by id parity."""
    files, images, split = {}, [], []
    image_id = 0
    for class_name in CLASSES:
        for k in range(4):
            image_id += 1
            relative = f"{class_name}/{class_name[4:]}_{k:04d}.jpg"
            files[f"CUB_200_2011/images/{relative}"] = _jpeg(seed=image_id)
            images.append(f"{image_id} {relative}")
            split.append(f"{image_id} {image_id % 2}")
    files["CUB_200_2011/classes.txt"] = "\n".join(f"{i} {c}" for i, c in enumerate(CLASSES, 1)).encode()
    files["CUB_200_2011/images.txt"] = "\n".join(images).encode()
    files["CUB_200_2011/train_test_split.txt"] = "\n".join(split).encode()
    files["CUB_200_2011/README"] = b"not needed"
    return files


def _archive(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.jpg"))


def test_prepare_from_archive_honours_the_official_split(tmp_path):
    archive = _archive(tmp_path / "CUB_200_2011.tgz", _official_files())
    target = transfer.prepare_cub(archive, tmp_path / "CUB200", expected_md5=None, progress=False)
    assert transfer.list_classes(target / "train") == CLASSES
    assert transfer.list_classes(target / "test") == CLASSES
    # ids 1..12: odd ids are training images (split value 1), so files 0000 and 0002 of each class
    assert _tree(target / "train") == sorted(f"{c}/{c[4:]}_{k:04d}.jpg" for c in CLASSES for k in (0, 2))
    assert _tree(target / "test") == sorted(f"{c}/{c[4:]}_{k:04d}.jpg" for c in CLASSES for k in (1, 3))
    marker = json.loads((target / transfer.PREPARED_MARKER).read_text())
    assert (marker["train"], marker["test"], marker["classes"]) == (6, 6, 3)
    assert not list(tmp_path.glob(".*partial"))


def test_prepare_is_idempotent(tmp_path, capsys):
    archive = _archive(tmp_path / "CUB_200_2011.tgz", _official_files())
    target = transfer.prepare_cub(archive, tmp_path / "CUB200", expected_md5=None, progress=False)
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*")}
    archive.unlink()  # a second run must not even need the archive
    assert transfer.prepare_cub(archive, target, expected_md5=None, progress=False) == target
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*")} == before
    assert "이미 준비되어" in capsys.readouterr().out


def test_prepare_from_extracted_folder_leaves_the_source_alone(tmp_path):
    for name, data in _official_files().items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    before = _tree(tmp_path / "src")
    target = transfer.prepare_cub(tmp_path / "src", tmp_path / "out", progress=False)
    assert len(_tree(target / "train")) == 6 and len(_tree(target / "test")) == 6
    assert _tree(tmp_path / "src") == before


def test_damaged_archive_is_rejected_and_leaves_nothing(tmp_path):
    good = _archive(tmp_path / "good.tgz", _official_files()).read_bytes()
    bad = tmp_path / "CUB_200_2011.tgz"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(transfer.CubError, match="damaged or incomplete"):
        transfer.prepare_cub(bad, tmp_path / "CUB200", expected_md5=None, progress=False)
    assert not (tmp_path / "CUB200").exists() and not list(tmp_path.glob(".*partial"))


def test_wrong_checksum_is_rejected(tmp_path):
    archive = _archive(tmp_path / "CUB_200_2011.tgz", _official_files())
    with pytest.raises(transfer.CubError, match="download it again|Download it again"):
        transfer.prepare_cub(archive, tmp_path / "CUB200", progress=False)  # official MD5 expected


def test_archive_without_the_lists_is_rejected(tmp_path):
    files = {k: v for k, v in _official_files().items() if not k.endswith("train_test_split.txt")}
    archive = _archive(tmp_path / "CUB_200_2011.tgz", files)
    with pytest.raises(transfer.CubError, match="train_test_split.txt"):
        transfer.prepare_cub(archive, tmp_path / "CUB200", expected_md5=None, progress=False)


def test_missing_source_says_where_to_download(tmp_path):
    with pytest.raises(transfer.CubError, match="data.caltech.edu"):
        transfer.prepare_cub(tmp_path / "nothing.tgz", tmp_path / "CUB200", progress=False)


def test_folder_in_the_way_is_not_overwritten(tmp_path):
    (tmp_path / "CUB200").mkdir()
    archive = _archive(tmp_path / "CUB_200_2011.tgz", _official_files())
    with pytest.raises(transfer.CubError, match="not made"):
        transfer.prepare_cub(archive, tmp_path / "CUB200", expected_md5=None, progress=False)


# --- the loader ------------------------------------------------------------------------------

def _train_test(tmp_path, modes=None):
    """train/test folders whose creation order differs (listdir order may follow it)."""
    modes = modes or {}
    for part, order in (("train", CLASSES), ("test", CLASSES[::-1])):
        for class_name in order:
            folder = tmp_path / part / class_name
            folder.mkdir(parents=True)
            for k in range(2):
                mode = modes.get((part, class_name, k), "RGB")
                (folder / f"img{k}.jpg").write_bytes(_jpeg(mode, seed=k))
    return tmp_path


def test_class_numbering_is_sorted_and_same_for_train_and_test(tmp_path):
    root = _train_test(tmp_path)
    classes = transfer.list_classes(root / "train")
    assert classes == sorted(classes) == transfer.list_classes(root / "test")
    _, train_labels = transfer.list_images(root / "train", classes)
    test_paths, test_labels = transfer.list_images(root / "test", classes)
    assert train_labels == test_labels == [0, 0, 1, 1, 2, 2]
    assert [os.path.basename(os.path.dirname(p)) for p in test_paths][::2] == CLASSES


def test_select_classes_is_the_books_every_tenth():
    classes = [f"{i:03d}.c" for i in range(1, 201)]
    chosen = transfer.select_classes(classes, 0.1)
    assert len(chosen) == int(len(classes) * 0.1) == 20
    assert chosen[0] == "010.c" and chosen[-1] == "200.c"
    assert transfer.select_classes(classes[:10], 0.3) == ["003.c", "006.c", "009.c"]
    with pytest.raises(ValueError):
        transfer.select_classes(classes, 0)


def test_labels_fit_to_categorical(tmp_path):
    import keras

    root = _train_test(tmp_path)
    x, y = transfer.load_in_memory(root / "train", CLASSES[1:], image_size=(16, 16))
    assert x.shape == (4, 16, 16, 3) and x.dtype == np.float32
    assert keras.utils.to_categorical(y, 2).shape == (4, 2)  # the book's labels 9, 19 … would fail here


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_non_rgb_files_are_reported_and_skipped_or_converted(tmp_path, mode, capsys):
    root = _train_test(tmp_path, {("train", CLASSES[0], 1): mode})
    assert transfer.image_mode(root / "train" / CLASSES[0] / "img1.jpg") == mode
    x, y = transfer.load_in_memory(root / "train", CLASSES, image_size=(16, 16))
    assert len(x) == 5 and list(y) == [0, 1, 1, 2, 2]
    out = capsys.readouterr().out
    assert "유효하지 않은 영상" in out and "img1.jpg" in out and mode in out
    x, y = transfer.load_in_memory(root / "train", CLASSES, image_size=(16, 16), non_rgb="convert")
    assert len(x) == 6 and x.shape[-1] == 3
    with pytest.raises(ValueError, match="non_rgb"):
        transfer.list_images(root / "train", CLASSES, non_rgb="drop")


def test_missing_folder_tells_how_to_get_cub(tmp_path):
    with pytest.raises(FileNotFoundError, match="prepare_cub"):
        transfer.list_classes(tmp_path / "nothing")
    _train_test(tmp_path)
    with pytest.raises(FileNotFoundError, match="same"):
        transfer.list_images(tmp_path / "test", ["999.Missing"])


def test_stream_matches_the_in_memory_loader(tmp_path):
    root = _train_test(tmp_path, {("test", CLASSES[2], 0): "L"})
    x, y = transfer.load_in_memory(root / "test", CLASSES, image_size=(20, 24), non_rgb="convert")
    batches = list(transfer.stream_dataset(root / "test", CLASSES, (20, 24), batch_size=4, non_rgb="convert"))
    xs = np.concatenate([b[0].numpy() for b in batches])
    ys = np.concatenate([b[1].numpy() for b in batches])
    assert [len(b[0]) for b in batches] == [4, 2]
    assert xs.shape == x.shape and (ys.argmax(1) == y).all() and ys.shape == (6, 3)
    # same files, labels, nearest resizing and preprocessing; JPEG decoders differ by a few levels
    assert np.abs(xs - x).max() <= 8


def test_stream_trains_a_model(tmp_path):
    import keras

    root = _train_test(tmp_path)
    data = transfer.stream_dataset(root / "train", CLASSES, (16, 16), batch_size=4, shuffle=True)
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    hist = model.fit(data, epochs=2, verbose=0, shuffle=False)  # the dataset shuffles itself
    assert len(hist.history["loss"]) == 2


# --- memory ----------------------------------------------------------------------------------

def test_in_memory_estimate():
    assert transfer.in_memory_bytes(10, (2, 3)) == 2 * 10 * 2 * 3 * 3 * 4


def test_peak_memory_in_a_fresh_process(tmp_path):
    root = _train_test(tmp_path)
    for part in ("train", "test"):  # 36 images in all, so the in-RAM arrays are measurable
        for c in CLASSES:
            for k in range(2, 6):
                (root / part / c / f"img{k}.jpg").write_bytes(_jpeg(seed=k))
    # one child process only (each imports TensorFlow); the notebook measures both loaders
    in_ram = transfer.peak_memory("in_memory", root, CLASSES, (224, 224))
    assert in_ram["images"] == 36 and in_ram["classes"] == 3
    assert in_ram["peak_mb"] >= in_ram["baseline_mb"] > 50  # TensorFlow is imported in the child
    # 36 float32 images of 224×224×3 are 20.7 MB; the in-RAM loader holds them (list + array)
    assert in_ram["increase_mb"] >= 20
    with pytest.raises(ValueError, match="loader"):
        transfer.peak_memory("disk", root, CLASSES)


def test_format_memory_marks_skipped_rows():
    text = transfer.format_memory([{"classes": 200, "images": 11788, "in_memory_estimate_mb": 13000.0,
                                    "in_memory": None, "in_memory_note": "not run: needs about 13 GB",
                                    "stream": {"increase_mb": 80.0}}])
    assert "측정 안 함" in text and "13 GB" in text and "80.0" in text


# --- weights and models ----------------------------------------------------------------------

def test_weights_missing_full_mode_stops_with_the_file_name(tmp_path, monkeypatch):
    monkeypatch.setattr(transfer, "_keras_home", lambda: tmp_path)
    monkeypatch.setattr(transfer, "_can_reach", lambda *a, **k: False)
    config.set_quick_mode(False)
    with pytest.raises(RuntimeError) as error:
        transfer.imagenet_weights()
    assert transfer.RESNET50_NOTOP in str(error.value)
    assert str(tmp_path / "models") in str(error.value) and transfer.RESNET50_NOTOP_URL in str(error.value)


def test_weights_missing_quick_mode_banner(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(transfer, "_keras_home", lambda: tmp_path)
    monkeypatch.setattr(transfer, "_can_reach", lambda *a, **k: False)
    config.set_quick_mode(True)
    assert transfer.imagenet_weights() is None
    assert "무작위" in capsys.readouterr().out


def test_weights_cached_or_damaged(tmp_path, monkeypatch):
    monkeypatch.setattr(transfer, "_keras_home", lambda: tmp_path)
    monkeypatch.setattr(transfer, "_can_reach", lambda *a, **k: False)
    path = transfer.keras_weights_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"truncated")
    config.set_quick_mode(False)
    with pytest.raises(RuntimeError, match="damaged"):
        transfer.imagenet_weights()
    monkeypatch.setattr(transfer, "RESNET50_NOTOP_MD5", file_hash(path, "md5"))
    assert transfer.imagenet_weights() == "imagenet"
    monkeypatch.setattr(transfer, "_can_reach", lambda *a, **k: True)
    path.unlink()
    assert transfer.imagenet_weights() == "imagenet"  # Keras will download it


@pytest.mark.parametrize("trainable, weights", [(True, None), (False, None)])
def test_build_model_variants(trainable, weights):
    cnn = transfer.build_model(5, (32, 32), weights=weights, base_trainable=trainable)
    assert cnn.output_shape == (None, 5)
    base = cnn.layers[0]
    assert base.name.startswith("resnet50") and base.trainable is trainable
    head = 2048 * 1024 + 1024 + 1024 * 5 + 5  # Flatten of a 1×1×2048 map → Dense(1024) → Dense(5)
    trainable_count = sum(int(np.prod(w.shape)) for w in cnn.trainable_weights)
    assert (trainable_count == head) is (not trainable)
    assert float(cnn.optimizer.learning_rate) == pytest.approx(2e-5)


# --- 표 6-1 ------------------------------------------------------------------------------------

def test_table6_1_cache_matches_keras_for_resnet50():
    table = transfer.load_table6_1()
    assert [r["model"] for r in table["rows"]] == [r["model"] for r in transfer.BOOK_TABLE_6_1]
    cached = {r["model"]: r for r in table["rows"]}["ResNet50"]
    assert transfer.count_model("ResNet50") == cached
    assert cached["params"] == 25636712  # the book's figure, recomputed


def test_format_table6_1_flags_differences():
    text = transfer.format_table6_1({"rows": [
        {"model": "Xception", "params": 1, "layers": 134, "layers_with_weights": 126},
        {"model": "VGG16", "params": 138357544, "layers": 22, "layers_with_weights": 16}]})
    xception, vgg16 = text.splitlines()[2:]
    assert "| 1 ≠ |" in xception and "| 126 |" in xception  # depth equals one of the counts
    assert "138,357,544 | 138,357,544 | 23 ≠ |" in vgg16


def test_compare_memory_spreads_classes_and_skips_what_would_not_fit(tmp_path, monkeypatch):
    import psutil

    for c in range(10):
        for part in ("train", "test"):
            folder = tmp_path / part / f"{c + 1:03d}.Bird_{c}"
            folder.mkdir(parents=True)
            for k in range(3):
                (folder / f"img{k}.jpg").write_bytes(b"jpeg")
    calls = []

    def fake_peak(kind, root, classes, image_size):
        calls.append((kind, list(classes)))
        return {"increase_mb": 1.0}

    monkeypatch.setattr(transfer, "peak_memory", fake_peak)
    rows = transfer.compare_memory(tmp_path, class_counts=(2, 50), image_size=(32, 32))
    assert [(r["classes"], r["images"]) for r in rows] == [(2, 12), (10, 60)]  # 50 capped at the 10 there are
    assert calls[0] == ("in_memory", ["005.Bird_4", "010.Bird_9"])  # every fifth class, as the book's every tenth
    assert rows[0]["in_memory_estimate_mb"] == pytest.approx(12 * 32 * 32 * 3 * 4 * 2 / 2**20, rel=0.1)  # float32, list + array

    class Small:
        available = 1000  # bytes: nothing fits
    monkeypatch.setattr(psutil, "virtual_memory", lambda: Small())
    calls.clear()
    rows = transfer.compare_memory(tmp_path, class_counts=(2,), image_size=(32, 32))
    assert rows[0]["in_memory"] is None and "not run" in rows[0]["in_memory_note"]
    assert [kind for kind, _ in calls] == ["stream"]  # the streaming loader is still measured
