"""helpers.downloads: several sources, checksums, nothing half-written; file hashes; checkpoint fetching."""

import hashlib
import json
import urllib.request

import pytest

from helpers import checkpoints, downloads


def test_file_hash_sha256_and_md5(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"chapter 6" * 100_000)
    assert downloads.file_hash(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert downloads.file_hash(path, "md5", progress=True) == hashlib.md5(path.read_bytes()).hexdigest()


def test_download_tries_the_next_source_and_checks_the_hash(tmp_path):
    source = tmp_path / "src.bin"
    source.write_bytes(b"darknet" * 1000)
    digest = downloads.file_hash(source)
    dest = tmp_path / "out" / "model.weights"
    urls = [(tmp_path / "missing.bin").as_uri(), source.as_uri()]
    assert downloads.download(urls, dest, digest, progress=False) == dest
    assert dest.read_bytes() == source.read_bytes()
    assert list(dest.parent.iterdir()) == [dest]


def test_download_with_a_wrong_hash_leaves_no_file(tmp_path):
    source = tmp_path / "src.bin"
    source.write_bytes(b"x" * 100)
    dest = tmp_path / "out" / "model.weights"
    with pytest.raises(downloads.DownloadError, match=r"(?s)SHA-256 is .*expected 000000.*put it at"):
        downloads.download([source.as_uri()], dest, "0" * 64, progress=False)
    assert list(dest.parent.iterdir()) == []


def test_interrupted_download_leaves_no_half_file(tmp_path, monkeypatch):
    class Broken:
        headers = {"Content-Length": "3000000"}

        def __init__(self):
            self.calls = 0

        def read(self, n):
            self.calls += 1
            if self.calls > 1:
                raise ConnectionResetError("connection reset by peer")
            return b"y" * n

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: Broken())
    dest = tmp_path / "model.weights"
    with pytest.raises(downloads.DownloadError, match=r"(?s)https://a\.example/w.*reset.*https://b\.example/w"):
        downloads.download(["https://a.example/w", "https://b.example/w"], dest, None, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_next_step_is_part_of_the_error(tmp_path):
    with pytest.raises(downloads.DownloadError, match=r"(?s)No such file.*Next step: check the internet connection, or set X"):
        downloads.download((tmp_path / "nowhere.bin").as_uri(), tmp_path / "x.bin", progress=False, next_step="set X")


def _remote_checkpoints(tmp_path, monkeypatch):
    """A fake 'GitHub' folder with one checkpoint, and an empty cache that is not the clone's."""
    import numpy as np

    remote = tmp_path / "remote"
    remote.mkdir()
    np.savez(remote / "6-0.weights.npz", np.ones((2, 3), np.float32), np.zeros(3, np.float32))
    (remote / "6-0.history.json").write_text('{"accuracy": [0.5, 0.75]}')
    manifest = {"6-0": {"weights": "6-0.weights.npz", "history": "6-0.history.json", "data": "test",
                        "epochs": 2, "test_accuracy_percent": 75.0, "parameters": 9, "date": "2026-11-29",
                        "sha256": {name: downloads.file_hash(remote / name)
                                   for name in ("6-0.weights.npz", "6-0.history.json")}}}
    (remote / checkpoints.MANIFEST).write_text(json.dumps(manifest))
    cache = tmp_path / "cache" / "checkpoints"
    monkeypatch.delenv("CH6_CHECKPOINT_DIR", raising=False)
    monkeypatch.setattr(checkpoints, "RAW_URL", remote.as_uri() + "/")
    monkeypatch.setattr(checkpoints, "checkpoint_dir", lambda: cache)
    return remote, cache


def test_checkpoints_are_fetched_and_checked_outside_a_clone(tmp_path, monkeypatch):
    import keras

    remote, cache = _remote_checkpoints(tmp_path, monkeypatch)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    history = checkpoints.load_checkpoint("6-0", model)
    assert history == {"accuracy": [0.5, 0.75]}
    assert model.get_weights()[0].tolist() == [[1.0] * 3] * 2
    assert sorted(p.name for p in cache.iterdir()) == ["6-0.history.json", "6-0.weights.npz", "MANIFEST.json"]


def test_a_changed_remote_checkpoint_is_refused_and_not_cached(tmp_path, monkeypatch):
    import keras

    remote, cache = _remote_checkpoints(tmp_path, monkeypatch)
    (remote / "6-0.weights.npz").write_bytes(b"not the trained weights")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    with pytest.raises(checkpoints.CheckpointError, match=r"(?s)6-0.weights.npz is not in .*SHA-256 is .*USE_CHECKPOINT = False"):
        checkpoints.load_checkpoint("6-0", model)
    assert not (cache / "6-0.weights.npz").exists() and not list(cache.glob("*.part"))
