"""helpers._course.cub: CUB-200-2011 downloaded through a loopback HTTP server and prepared by the official split."""

import hashlib
import http.server
import io
import json
import tarfile
import threading

import pytest
from PIL import Image

from helpers._course import config, cub, downloads
from helpers.image_folders import list_classes, list_images

CLASSES = ["001.Black_footed_Albatross", "002.Laysan_Albatross", "013.Bobolink"]


def _jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (seed * 20 % 256, 90, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _official_files():
    """A tiny CUB in the official layout: 3 classes × 4 images, ids 1-12; odd ids train (split 1)."""
    files, images, split = {}, [], []
    image_id = 0
    for class_name in CLASSES:
        for k in range(4):
            image_id += 1
            relative = f"{class_name}/{class_name[4:]}_{k:04d}.jpg"
            files[f"CUB_200_2011/images/{relative}"] = _jpeg(image_id)
            images.append(f"{image_id} {relative}")
            split.append(f"{image_id} {image_id % 2}")
    files["CUB_200_2011/classes.txt"] = "\n".join(f"{i} {c}" for i, c in enumerate(CLASSES, 1)).encode()
    files["CUB_200_2011/images.txt"] = "\n".join(images).encode()
    files["CUB_200_2011/train_test_split.txt"] = "\n".join(split).encode()
    files["CUB_200_2011/README"] = b"not needed"
    return files


def _archive_bytes(files) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _archive(path, files):
    path.write_bytes(_archive_bytes(files))
    return path


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.jpg"))


EXPECTED_TRAIN = sorted(f"{c}/{c[4:]}_{k:04d}.jpg" for c in CLASSES for k in (0, 2))
EXPECTED_TEST = sorted(f"{c}/{c[4:]}_{k:04d}.jpg" for c in CLASSES for k in (1, 3))


# --- the loopback server --------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    """/good.tgz: the archive; /drop.tgz: a Content-Length beyond half the archive, then the
    connection closes; anything else: 404."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)
        body = self.server.archive
        if self.path not in ("/good.tgz", "/drop.tgz"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body if self.path == "/good.tgz" else body[: len(body) // 2])
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A loopback HTTP server (127.0.0.1, a free port) serving a tiny official-layout archive."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.archive = _archive_bytes(_official_files())
    httpd.requests = []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def fresh(tmp_path, env, monkeypatch, server):
    """A fresh machine: empty cache, no CUB, no offline assets; the registry's MD5 is the test archive's."""
    env(CH6_CACHE_DIR=tmp_path / "cache", CH6_DOWNLOAD_DIR=tmp_path / "cache", CH6_CUB_DIR=tmp_path / "birds",
        CH6_DATA_DIR=None)
    md5 = hashlib.md5(server.archive).hexdigest()
    monkeypatch.setitem(downloads.REGISTRY, cub._CUB_ARCHIVE,
                        downloads.REGISTRY[cub._CUB_ARCHIVE]._replace(checksum=f"md5:{md5}"))
    return tmp_path


def _files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_a_fresh_machine_downloads_and_prepares_by_the_official_split(fresh, server, env, capsys):
    env(CH6_CUB_URLS=f"{server.url}/good.tgz")
    config.set_quick_mode(False)
    folder = cub.ensure_cub(progress=False)
    assert folder == fresh / "birds" == config.cub_dir()
    assert "1.15 GB" in capsys.readouterr().out  # said before the download
    assert list_classes(folder / "train") == list_classes(folder / "test") == CLASSES
    assert _tree(folder / "train") == EXPECTED_TRAIN and _tree(folder / "test") == EXPECTED_TEST
    paths, labels = list_images(folder / "train", CLASSES)
    assert labels == [0, 0, 1, 1, 2, 2]
    marker = json.loads((folder / cub._PREPARED_MARKER).read_text())
    assert (marker["train"], marker["test"], marker["classes"]) == (6, 6, 3)
    assert (fresh / "cache" / "cub" / cub._CUB_ARCHIVE).read_bytes() == server.archive  # kept for later
    assert server.requests == ["/good.tgz"]
    assert cub.ensure_cub(progress=False) == folder and server.requests == ["/good.tgz"]  # no second download
    assert not list(fresh.glob(".*partial")) and not list((fresh / "cache" / "cub").glob(".*part*"))


def test_quick_mode_prepares_a_few_classes_of_the_same_archive(fresh, server, env, monkeypatch):
    env(CH6_CUB_URLS=f"{server.url}/good.tgz")
    monkeypatch.setattr(cub, "_QUICK_CLASSES", ("Black_footed_Albatross", "013.Bobolink"))
    folder = cub.ensure_cub(quick=True, progress=False)
    assert folder == fresh / "cache" / cub._QUICK_FOLDER and not (fresh / "birds").exists()
    assert list_classes(folder / "train") == ["001.Black_footed_Albatross", "013.Bobolink"]
    assert _tree(folder / "test") == [t for t in EXPECTED_TEST if not t.startswith("002")]
    assert json.loads((folder / cub._PREPARED_MARKER).read_text())["subset"] == [
        "001.Black_footed_Albatross", "013.Bobolink"]
    # full mode later: the cached archive, all classes, no new download
    assert cub.ensure_cub(quick=False, progress=False) == fresh / "birds"
    assert list_classes(fresh / "birds" / "train") == CLASSES and server.requests == ["/good.tgz"]


def test_a_wrong_checksum_is_refused_and_nothing_is_left(fresh, server, env, monkeypatch):
    env(CH6_CUB_URLS=f"{server.url}/good.tgz")
    monkeypatch.setitem(downloads.REGISTRY, cub._CUB_ARCHIVE,
                        downloads.REGISTRY[cub._CUB_ARCHIVE]._replace(checksum="md5:" + "0" * 32))
    with pytest.raises(downloads.DownloadError, match=r"(?s)good\.tgz: WrongFileError: .*MD5 is .*expected 000000"):
        cub.ensure_cub(quick=False, progress=False)
    assert server.requests == ["/good.tgz"]
    assert [p for p in fresh.rglob("*") if p.is_file()] == []  # no .part file, no cache entry
    assert not (fresh / "birds").exists() and not list(fresh.rglob("*partial*"))  # no staging folder


def test_a_dropped_connection_falls_through_to_the_next_source(fresh, server, env):
    env(CH6_CUB_URLS=f"{server.url}/drop.tgz {server.url}/good.tgz")
    folder = cub.ensure_cub(quick=False, progress=False)
    assert server.requests == ["/drop.tgz", "/good.tgz"]
    assert _tree(folder / "train") == EXPECTED_TRAIN


def test_no_working_source_names_each_one_and_leaves_nothing(fresh, server, env):
    env(CH6_CUB_URLS=f"{server.url}/drop.tgz {server.url}/missing.tgz")
    with pytest.raises(downloads.DownloadError) as error:
        cub.ensure_cub(quick=False, progress=False)
    message = str(error.value)
    assert "drop.tgz: ValueError: connection closed after" in message
    assert "missing.tgz: HTTPError: HTTP Error 404" in message and "Next step" in message
    assert [p for p in fresh.rglob("*") if p.is_file()] == []


def test_the_registry_lists_the_official_archive_first():
    entry = downloads.REGISTRY[cub._CUB_ARCHIVE]
    assert entry.sources[0] == "https://data.caltech.edu/records/65de6-vp158/files/CUB_200_2011.tgz"
    assert len(entry.sources) >= 2 and entry.checksum == "md5:97eceeb196236b17998738112f37df78"


def test_download_notice_names_size_and_place(env, tmp_path):
    env(CH6_DOWNLOAD_DIR=tmp_path)
    assert cub._download_notice() == (f"CUB-200-2011이 없어 공식 압축 파일 CUB_200_2011.tgz(1.15 GB)를 "
                                     f"처음 한 번 내려받습니다 → {tmp_path / 'cub'}")
    assert cub._download_notice(quick=True).endswith("(빠른 모드: 그중 10부류만 준비)")


def test_an_existing_folder_is_used_as_it_is(tmp_path, env):
    for part in ("train", "test"):
        (tmp_path / part / "Bobolink").mkdir(parents=True)
    env(CH6_CUB_DIR=tmp_path, CH6_CUB_URLS="http://127.0.0.1:9/never.tgz")
    assert cub.ensure_cub(quick=True) == tmp_path


def test_a_folder_in_the_way_is_reported_before_downloading(tmp_path, env):
    (tmp_path / "birds").mkdir()
    env(CH6_CUB_DIR=tmp_path / "birds", CH6_CACHE_DIR=tmp_path / "cache", CH6_CUB_URLS="http://127.0.0.1:9/x.tgz")
    with pytest.raises(cub.CubError, match="prepare_cub가 만든 train/, test/ 폴더가 없습니다"):
        cub.ensure_cub(quick=False)


# --- prepare_cub on a local archive or folder --------------------------------------------------

@pytest.fixture
def registered_md5(monkeypatch):
    """Make the registry's MD5 that of ``path`` (prepare_cub checks archives against it)."""

    def _register(path):
        md5 = hashlib.md5(path.read_bytes()).hexdigest()
        monkeypatch.setitem(downloads.REGISTRY, cub._CUB_ARCHIVE,
                            downloads.REGISTRY[cub._CUB_ARCHIVE]._replace(checksum=f"md5:{md5}"))
        return path

    return _register


def test_prepare_from_an_archive_is_idempotent(tmp_path, registered_md5):
    archive = registered_md5(_archive(tmp_path / "CUB_200_2011.tgz", _official_files()))
    target = cub.prepare_cub(archive, tmp_path / "CUB200", progress=False)
    assert _tree(target / "train") == EXPECTED_TRAIN and _tree(target / "test") == EXPECTED_TEST
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*")}
    archive.unlink()  # a second run must not even need the archive
    assert cub.prepare_cub(archive, target, progress=False) == target
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*")} == before
    assert not list(tmp_path.glob(".*partial"))


def test_prepare_from_an_extracted_folder_leaves_the_source_alone(tmp_path):
    for name, data in _official_files().items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    before = _tree(tmp_path / "src")
    target = cub.prepare_cub(tmp_path / "src", tmp_path / "out", classes=["Bobolink"], progress=False)
    assert _tree(target / "train") == [t for t in EXPECTED_TRAIN if t.startswith("013")]
    assert _tree(tmp_path / "src") == before
    with pytest.raises(cub.CubError, match="classes.txt에 Wren 부류가 없습니다"):
        cub.prepare_cub(tmp_path / "src", tmp_path / "out2", classes=["Wren"], progress=False)
    assert not (tmp_path / "out2").exists() and not list(tmp_path.glob(".*partial"))


def test_a_local_archive_with_the_wrong_md5_is_refused(tmp_path):
    archive = _archive(tmp_path / "CUB_200_2011.tgz", _official_files())  # the registry has the real MD5
    with pytest.raises(cub.CubError, match=r"공식 CUB_200_2011.tgz가 아닙니다\(덜 받았거나 다른 파일\). 지우고 helpers._course.cub.ensure_cub\(\)를 실행하세요"):
        cub.prepare_cub(archive, tmp_path / "CUB200", progress=False)
    assert _files_under(tmp_path) == ["CUB_200_2011.tgz"]


def test_a_damaged_archive_is_rejected_and_leaves_nothing(tmp_path):
    good = _archive_bytes(_official_files())
    bad = tmp_path / "CUB_200_2011.tgz"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(cub.CubError, match="손상되었거나 덜 받은 파일입니다"):
        cub.prepare_cub(bad, tmp_path / "CUB200", verify=False, progress=False)
    assert _files_under(tmp_path) == ["CUB_200_2011.tgz"]


def test_an_archive_without_the_lists_is_rejected(tmp_path):
    files = {k: v for k, v in _official_files().items() if not k.endswith("train_test_split.txt")}
    archive = _archive(tmp_path / "CUB_200_2011.tgz", files)
    with pytest.raises(cub.CubError, match="train_test_split.txt가 없습니다"):
        cub.prepare_cub(archive, tmp_path / "CUB200", verify=False, progress=False)


def test_a_missing_source_says_how_to_get_it(tmp_path):
    with pytest.raises(cub.CubError, match=r"helpers._course.cub.ensure_cub\(\)로 CUB_200_2011.tgz를 내려받거나"):
        cub.prepare_cub(tmp_path / "nothing.tgz", tmp_path / "CUB200", progress=False)


def test_a_folder_in_the_way_is_not_overwritten(tmp_path):
    (tmp_path / "CUB200").mkdir()
    archive = _archive(tmp_path / "CUB_200_2011.tgz", _official_files())
    with pytest.raises(cub.CubError, match=r"prepare_cub가 만든\(또는 끝낸\) 것이 아닙니다"):
        cub.prepare_cub(archive, tmp_path / "CUB200", verify=False, progress=False)
