"""`make download` (tools/download.py) against a loopback server: it fetches every file the notebooks and tests
need, checked, names the big ones with their sizes instead of fetching them, and afterwards a test that
skipped for want of those files runs."""

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers._course import config, datasets, downloads

sys.path.insert(0, str(config.REPO_ROOT / "tools"))
import download  # noqa: E402

OFFLINE = ("CH6_DATA_DIR", "CH6_DARKNET_DIR", "CH6_PRETRAINED_DIR", "CH6_IMAGES_DIR", "CH6_CUB_DIR", "CH6_CUB_URLS")
REAL_TEST = ["tests/test_detection.py", "-k", "real_weights_find_the_objects"]   # Yolo-Fastest on dog, person, horses


@pytest.fixture
def mirror(server, monkeypatch, tmp_path, needs, env):
    """Every file `make download` fetches, served on 127.0.0.1: copies of the offline assets with the registry's
    checksums, the photos as .bmp files made from the assets' PNGs (same pixels; their checksums put in the registry).
    Then no offline folder, an empty download folder and an empty Keras cache, whose loaders only record the call."""
    from PIL import Image

    wanted = [name for name in downloads.REGISTRY if name not in downloads.ON_REQUEST]
    needs(*wanted)
    for name in wanted:
        entry, path = downloads.REGISTRY[name], downloads.fetch(name)
        source = "/" + Path(entry.sources[0]).name
        if source.endswith(".bmp"):
            Image.open(path).save(tmp_path / source[1:])
            path = tmp_path / source[1:]
        server.files[source] = body = path.read_bytes()
        checksum = entry.checksum if not source.endswith(".bmp") else "sha256:" + hashlib.sha256(body).hexdigest()
        monkeypatch.setitem(downloads.REGISTRY, name, entry._replace(sources=(server.url(source),), checksum=checksum))
    for name in downloads.ON_REQUEST:
        monkeypatch.setitem(downloads.REGISTRY, name, downloads.REGISTRY[name]._replace(sources=(server.url("/big"),)))
    env(**dict.fromkeys(OFFLINE), CH6_DOWNLOAD_DIR=tmp_path / "downloads", KERAS_HOME=tmp_path / "keras")
    server.asked_keras = []
    import keras

    for name in datasets.NAMES:
        monkeypatch.setattr(getattr(keras.datasets, name), "load_data", _fake_keras_loader(name, server.asked_keras))
    return server


def _fake_keras_loader(name, asked):
    def load_data():
        asked.append(name)
        for file in datasets._SPECS[name][3]:
            (config.keras_dir() / "datasets" / file).parent.mkdir(parents=True, exist_ok=True)
            (config.keras_dir() / "datasets" / file).write_bytes(b"")
        shape = datasets._SPECS[name][0]
        return (np.zeros((1, *shape), np.uint8), np.zeros(1, np.uint8)), (np.zeros((1, *shape), np.uint8), np.zeros(1, np.uint8))
    return load_data


def _real_test(tmp_path):
    """The real detection test in a fresh process that sees only the download folder."""
    environment = config.child_environment(**dict.fromkeys(OFFLINE), CH6_DOWNLOAD_DIR=tmp_path / "downloads",
                                           KERAS_HOME=tmp_path / "keras", CH6_CACHE_DIR=tmp_path / "cache")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *REAL_TEST],
                          cwd=config.REPO_ROOT, env=environment, capture_output=True, text=True, timeout=600)


def test_make_download_fetches_everything_then_the_skipped_test_runs(mirror, tmp_path, capsys):
    before = _real_test(tmp_path)
    assert before.returncode == 0 and "4 skipped" in before.stdout, before.stdout[-3000:]
    assert "needs yolo-fastest-1.1-xl.cfg, yolo-fastest-1.1-xl.weights, coco.names, dog.jpg" in before.stdout
    assert "run `make download`" in before.stdout

    assert download.main([]) == 0
    out = capsys.readouterr().out
    said = out.index("요청할 때만: CUB_200_2011.tgz (1,150.6 MB) → make download WITH=cub")
    assert said < out.index("✓ ") and "요청할 때만: yolov3.weights (248.0 MB) → make download WITH=yolov3" in out
    assert "모두 준비되었습니다" in out and "/big" not in mirror.requests
    assert sorted(mirror.asked_keras) == sorted(datasets.NAMES)
    fetched = sorted(p.name for p in (tmp_path / "downloads").rglob("*") if p.is_file())
    assert fetched == sorted(n for n in downloads.REGISTRY if n not in downloads.ON_REQUEST)   # nothing half-written
    from PIL import Image

    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "downloads" / "images" / "cat.png")),
                                  np.asarray(Image.open(tmp_path / "cat.bmp")))

    requests = len(mirror.requests)
    assert download.main([]) == 0 and len(mirror.requests) == requests     # a second run fetches nothing
    assert "파일 0개, 0.0 MB: 모두 있음" in capsys.readouterr().out

    after = _real_test(tmp_path)
    assert after.returncode == 0 and "4 passed" in after.stdout, after.stdout[-3000:]


def test_what_cannot_be_fetched_is_named_and_the_rest_is_kept(mirror, tmp_path, capsys):
    del mirror.files["/coco.names"]
    assert download.main(["--with", "yolov3"]) == 1
    captured = capsys.readouterr()
    assert "coco.names 파일을 내려받지 못했습니다" in captured.err and "yolov3.weights 파일을 내려받지 못했습니다" in captured.err
    assert "2개를 받지 못했습니다. 인터넷 연결을 확인하고 다시 실행하세요" in captured.err
    assert (tmp_path / "downloads" / "darknet" / "dog.jpg").is_file()
    assert not (tmp_path / "downloads" / "darknet" / "coco.names").exists()
    with pytest.raises(SystemExit):
        download.main(["--with", "everything"])
    assert "알 수 없는 이름입니다" in capsys.readouterr().err
