"""helpers._course.downloads and .files: one registry, several sources, checksums, nothing half-written;
tested against a real HTTP server on 127.0.0.1 that serves files the test makes."""

import hashlib
import http.client
import urllib.request

import numpy as np
import pytest

from helpers._course import config, datasets, downloads, files


def _entry(server, path, body, kind="pretrained", **changes):
    """A registry entry served by the loopback server, with the body's real checksum."""
    entry = downloads.REGISTRY["imagenet_labels.txt"]._replace(
        kind=kind, sources=(server.url(path),), checksum="sha256:" + hashlib.sha256(body).hexdigest(), size=len(body))
    return entry._replace(**changes)


@pytest.fixture
def caches(env, tmp_path):
    """No offline folders; downloads go to tmp_path/downloads."""
    env(CH6_DATA_DIR=None, CH6_PRETRAINED_DIR=None, CH6_IMAGES_DIR=None, CH6_DARKNET_DIR=None,
        CH6_DOWNLOAD_DIR=tmp_path / "downloads", CH6_CACHE_DIR=tmp_path / "cache", CH6_CUB_URLS=None)
    return tmp_path / "downloads"


def test_file_hash_and_check_hash(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"chapter 6" * 100_000)
    assert files.file_hash(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert files.file_hash(path, "md5", progress=True) == hashlib.md5(path.read_bytes()).hexdigest()
    assert files.check_hash(path, "md5:" + hashlib.md5(path.read_bytes()).hexdigest().upper()) == path
    with pytest.raises(files.WrongFileError, match=r"data\.bin의 SHA-256 값이 .*기대한 000000000000…와 다릅니다"):
        files.check_hash(path, "sha256:" + "0" * 64)


def test_atomic_write_leaves_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_write(target) as temporary:
        assert temporary.suffix == ".keras" and temporary.parent == tmp_path
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_fetch_tries_the_next_source_and_checks_the_hash(server, caches, monkeypatch):
    body = b"labels\n" * 1000
    server.files["/good"] = body
    monkeypatch.setitem(downloads.REGISTRY, "labels.txt",
                        _entry(server, "/good", body, sources=(server.url("/missing"), server.url("/good"))))
    path = downloads.fetch("labels.txt", progress=False)
    assert path == caches / "pretrained" / "labels.txt" and path.read_bytes() == body
    assert list(path.parent.iterdir()) == [path] and server.requests == ["/missing", "/good"]
    assert downloads.fetch("labels.txt") == path and len(server.requests) == 2   # the second time: no download


def test_a_wrong_checksum_is_refused_and_leaves_no_file(server, caches, monkeypatch):
    server.files["/w"] = b"x" * 100
    monkeypatch.setitem(downloads.REGISTRY, "w.bin", _entry(server, "/w", b"other"))
    with pytest.raises(downloads.DownloadError, match=r"(?s)w\.bin 파일을 내려받지 못했습니다.*SHA-256 is ") as error:
        downloads.fetch("w.bin", progress=False)
    assert not (caches / "pretrained").exists() or list((caches / "pretrained").iterdir()) == []
    assert [source for source, _ in error.value.failures] == [server.url("/w")]


def test_a_connection_dropped_mid_file_falls_through_to_the_next_source(server, caches, monkeypatch):
    body = bytes(range(256)) * 4000
    server.files["/a.bin"] = server.files["/b.bin"] = body
    server.broken["/a.bin"] = 100_000   # sends 100 kB of 1 MB, then hangs up
    monkeypatch.setitem(downloads.REGISTRY, "file.bin",
                        _entry(server, "/a.bin", body, sources=(server.url("/a.bin"), server.url("/b.bin"))))
    path = downloads.fetch("file.bin", progress=False)
    assert path.read_bytes() == body and [p.name for p in path.parent.iterdir()] == ["file.bin"]


@pytest.mark.parametrize("error", [http.client.IncompleteRead(b"abc", 10), http.client.BadStatusLine("HTTP/9")])
def test_protocol_errors_do_not_stop_the_other_sources(caches, monkeypatch, server, error):
    body = b"ok" * 10
    server.files["/ok"] = body
    real = urllib.request.urlopen

    def flaky(request, *args, **kwargs):
        if "bad.example" in request.full_url:
            raise error
        return real(request, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", flaky)
    monkeypatch.setitem(downloads.REGISTRY, "f.bin",
                        _entry(server, "/ok", body, sources=("http://bad.example/f", server.url("/ok"))))
    assert downloads.fetch("f.bin", progress=False).read_bytes() == body


def test_a_bmp_source_becomes_the_registered_png_with_the_same_pixels(server, caches, monkeypatch):
    """The sample photos: the original .bmp is downloaded and checked, then stored as the registry's .png."""
    from PIL import Image

    pixels = np.random.default_rng(0).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    original = caches.parent / "cat.bmp"
    Image.fromarray(pixels).save(original)
    server.files["/cat.bmp"] = original.read_bytes()
    monkeypatch.setitem(downloads.REGISTRY, "cat.png", downloads.REGISTRY["cat.png"]._replace(
        sources=(server.url("/cat.bmp"),), checksum="sha256:" + files.file_hash(original)))
    path = downloads.fetch("cat.png", progress=False)
    assert path == caches / "images" / "cat.png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_array_equal(np.asarray(Image.open(path)), pixels)
    assert [p.name for p in path.parent.iterdir()] == ["cat.png"]


def test_fetch_prefers_the_offline_copy_and_checks_it(server, caches, env, tmp_path, monkeypatch):
    body = b"labels\n" * 10
    monkeypatch.setitem(downloads.REGISTRY, "labels.txt", _entry(server, "/labels.txt", body))
    offline = tmp_path / "offline"
    offline.mkdir()
    (offline / "labels.txt").write_bytes(body)
    env(CH6_PRETRAINED_DIR=offline)
    assert downloads.fetch("labels.txt") == offline / "labels.txt" and server.requests == []
    (offline / "labels.txt").write_bytes(b"other")
    with pytest.raises(downloads.DownloadError, match=r"labels\.txt의 SHA-256 값이 .*이 파일을 지우고 다시 실행하면"):
        downloads.fetch("labels.txt")


def test_fetch_refuses_big_or_unwanted_downloads_and_unknown_names(caches):
    with pytest.raises(downloads.DownloadError, match=r"yolov3\.weights 파일이 없고 248 MB라 이 호출은 내려받지 않습니다"):
        downloads.fetch("yolov3.weights", max_bytes=50_000_000)
    with pytest.raises(downloads.DownloadError, match=r"coco\.names 파일이 없고 내려받기가 꺼져 있습니다\. `make download`"):
        downloads.fetch("coco.names", download=False)
    with pytest.raises(downloads.DownloadError, match="'nothing.bin'은\\(는\\) 이 과정이 내려받는 파일이 아닙니다"):
        downloads.fetch("nothing.bin")


def test_offline_a_download_says_what_to_do(caches, monkeypatch):
    def offline(url, part, progress, timeout=30):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(downloads, "_stream", offline)
    with pytest.raises(downloads.DownloadError, match=r"(?s)dog\.jpg 파일을 내려받지 못했습니다\. 인터넷 연결을 확인.*"
                                                      r"CH6_DATA_DIR.*Temporary failure") as error:
        downloads.fetch("dog.jpg")
    assert len(error.value.failures) == 1


def test_cub_sources_come_from_the_configuration(env, server, caches, monkeypatch):
    body = b"tiny archive"
    server.files["/cub.tgz"] = body
    monkeypatch.setitem(downloads.REGISTRY, "CUB_200_2011.tgz", downloads.REGISTRY["CUB_200_2011.tgz"]._replace(
        checksum="md5:" + hashlib.md5(body).hexdigest()))
    env(CH6_CUB_URLS=f"{server.url('/gone.tgz')} {server.url('/cub.tgz')}")
    path = downloads.fetch("CUB_200_2011.tgz", progress=False)
    assert path == caches / "cub" / "CUB_200_2011.tgz" and path.read_bytes() == body


def test_missing_names_files_data_sets_and_cub(caches, env, tmp_path):
    assert downloads.missing("coco.names", "mnist", "cub") == ["coco.names", "mnist", "cub"]
    (caches / "darknet").mkdir(parents=True)
    (caches / "darknet" / "coco.names").write_text("person\n")
    env(KERAS_HOME=tmp_path / "keras")
    (tmp_path / "keras" / "datasets").mkdir(parents=True)
    (tmp_path / "keras" / "datasets" / "mnist.npz").write_bytes(b"")
    env(CH6_CUB_DIR=tmp_path / "birds")
    (tmp_path / "birds" / "train").mkdir(parents=True)
    assert downloads.missing("coco.names", "mnist", "cub", "fashion_mnist") == ["fashion_mnist"]
    env(CH6_DATA_DIR=tmp_path / "data")     # CH6_DATA_DIR set: only its files count
    assert downloads.missing("mnist") == ["mnist"]


def test_the_registry_is_complete_and_checked():
    for name, entry in downloads.REGISTRY.items():
        assert entry.kind in ("darknet", "pretrained", "images", "cub") and entry.sources, name
        assert entry.checksum and entry.checksum.split(":")[0] in {"sha256", "md5"}, name
        assert all(source.startswith("https://") for source in entry.sources), name
    assert set(downloads.ON_REQUEST) <= set(downloads.REGISTRY)
    assert set(datasets.NAMES) == {"mnist", "fashion_mnist", "cifar10"}


def test_the_offline_assets_match_the_registry():
    """Every registered file in the offline folders has the registry's checksum (skips without the assets)."""
    checked = []
    for name, entry in downloads.REGISTRY.items():
        folder = config.asset_dir(entry.kind)
        if folder is not None and (folder / name).is_file():
            downloads.verify(name, folder / name)
            checked.append(name)
    if not checked:
        pytest.skip("only with the offline assets: set CH6_DATA_DIR to their datasets folder")
    assert "dog.jpg" in checked and "hot_dog.jpg" in checked


# Names the code, doctests and notebooks use that are neither registered nor shipped: each is made by the code
# that names it (or comes inside a registered archive, or through Keras with Keras's own checksum).
MADE_HERE = {
    "dog_detected.jpg": "6.8 writes the detections into the cache",
    "classes.txt": "inside CUB_200_2011.tgz", "images.txt": "inside CUB_200_2011.tgz",
    "train_test_split.txt": "inside CUB_200_2011.tgz",
    "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5": "Keras downloads it, with its MD5 (make download WITH=resnet50)",
}
_SUFFIXES = r"png|jpe?g|bmp|gif|tflite|weights|cfg|names|txt|npz|tgz|h5|csv"


def _names_used():
    """{file name: where} for every file name the code, doctests and notebooks' code cells of helpers/, solutions/,
    benchmarks/ and notebooks/ quote: a string literal that is a file name, or a quoted one inside a docstring.
    Comments (the book's own lines) do not count, nor the registry itself."""
    import io
    import json
    import re
    import tokenize

    name = rf"[\w-][\w.-]*\.(?:{_SUFFIXES})"
    literal, quoted = re.compile(rf"[rbfu]*(['\"])(?:[^'\"{{}}]*/)?({name})\1"), re.compile(rf"[\"'`]({name})[\"'`]")
    sources = {str(p.relative_to(config.REPO_ROOT)): p.read_text(encoding="utf-8")
               for folder in ("helpers", "solutions", "benchmarks") for p in (config.REPO_ROOT / folder).rglob("*.py")
               if p.name != "downloads.py"}
    for path in sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code":
                sources[f"{path.name} cell {index}"] = re.sub(r"(?m)^(\s*)[%!].*", r"\1pass", "".join(cell["source"]))
    used = {}
    for where, text in sources.items():
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING:
                whole = literal.fullmatch(token.string)
                for found in [whole.group(2)] if whole else quoted.findall(token.string):
                    if not found.startswith("helpers."):      # a module named in a docstring, not a file
                        used.setdefault(found, where)
    return used


def test_every_file_the_course_opens_is_registered_or_shipped():
    import subprocess

    shipped = {p.rsplit("/", 1)[-1] for p in subprocess.run(["git", "ls-files"], cwd=config.REPO_ROOT, text=True,
                                                             capture_output=True, check=True).stdout.split()}
    data_sets = {f"{name}.npz" for name in datasets.NAMES}
    used = _names_used()
    assert {"cat.png", "dog.jpg", "coco.names", "tf2_mobilenet_v2_1.0_224_ptq.tflite"} <= set(used)  # the scan works
    unknown = {name: where for name, where in used.items()
               if name not in downloads.REGISTRY and name not in shipped | data_sets and name not in MADE_HERE}
    assert not unknown, f"register these in helpers/_course/downloads.py (or make them): {unknown}"
    assert not set(MADE_HERE) - set(used), f"no longer used: {sorted(set(MADE_HERE) - set(used))}"


# What the tests open by name through the course's loaders but make (or refuse) themselves.
TESTS_MAKE = {"labels.txt": "registered by the test", "voc.names": "the test checks an unregistered name is refused",
              "yolo_test.jpg": "the test checks a missing photo is named"}


def test_every_file_a_test_opens_by_name_is_registered():
    """Names the tests pass to fetch, needs, darknet_file … or join to an asset folder are registry entries."""
    import re

    call = re.compile(rf"(?:fetch|needs|darknet_file|verify|photo_path|three_tasks)"
                      rf"\([^)]*?\"([\w.-]+\.(?:{_SUFFIXES}))\""
                      rf"|(?:images|pretrained|offline|asset_dir\([^)]*\)) / \"([\w.-]+\.(?:{_SUFFIXES}))\"")
    used = {}
    for path in sorted((config.REPO_ROOT / "tests").rglob("*.py")):
        for match in call.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(1) or match.group(2), path.name)
    assert {"cat.png", "dog.jpg", "mobilenet_v1_0.5_160_quant.tflite"} <= set(used)   # the scan works
    unknown = {n: w for n, w in used.items() if n not in downloads.REGISTRY and n not in TESTS_MAKE}
    assert not unknown, f"register these in helpers/_course/downloads.py, or make them in the test: {unknown}"
