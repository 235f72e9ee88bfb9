"""helpers._course.downloads and helpers._course.files: one registry, several sources, checksums, nothing
half-written; tested against a real HTTP server on 127.0.0.1 that serves files the test makes."""

import hashlib
import http.client
import http.server
import json
import threading
import urllib.request

import pytest

from helpers._course import saved, downloads, files


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files[path]``; ``server.broken[path]`` = bytes sent before hanging up."""

    def do_GET(self):  # noqa: N802
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = self.server.broken.get(self.path)
        self.wfile.write(body if cut is None else body[:cut])
        self.wfile.flush()
        if cut is not None:
            self.connection.close()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files, httpd.broken = {}, {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = lambda path: f"http://127.0.0.1:{httpd.server_address[1]}{path}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_file_hash_sha256_and_md5(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"chapter 6" * 100_000)
    assert files.file_hash(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert files.file_hash(path, "md5", progress=True) == hashlib.md5(path.read_bytes()).hexdigest()


def test_atomic_write_leaves_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_write(target) as temporary:
        assert temporary.suffix == ".keras" and temporary.parent == tmp_path
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_download_file_tries_the_next_source_and_checks_the_hash(server, tmp_path):
    body = b"darknet" * 1000
    server.files["/good"] = body
    dest = tmp_path / "out" / "model.weights"
    found = downloads.download_file([server.url("/missing"), server.url("/good")], dest,
                                    "sha256:" + hashlib.sha256(body).hexdigest(), progress=False)
    assert found == dest and dest.read_bytes() == body and list(dest.parent.iterdir()) == [dest]


def test_a_wrong_checksum_is_refused_and_leaves_no_file(server, tmp_path):
    server.files["/w"] = b"x" * 100
    dest = tmp_path / "out" / "model.weights"
    with pytest.raises(downloads.DownloadError, match=r"(?s)MD5 is .*expected 000000.*put it at") as error:
        downloads.download_file([server.url("/w")], dest, "md5:" + "0" * 32, progress=False)
    assert list(dest.parent.iterdir()) == []
    assert [source for source, _ in error.value.failures] == [server.url("/w")]


def test_a_connection_dropped_mid_file_falls_through_to_the_next_source(server, tmp_path):
    body = bytes(range(256)) * 4000
    server.files["/a.bin"] = server.files["/b.bin"] = body
    server.broken["/a.bin"] = 100_000   # sends 100 kB of 1 MB, then hangs up
    dest = tmp_path / "file.bin"
    downloads.download_file([server.url("/a.bin"), server.url("/b.bin")], dest,
                            hashlib.sha256(body).hexdigest(), progress=False)
    assert dest.read_bytes() == body and [p.name for p in tmp_path.iterdir()] == ["file.bin"]


@pytest.mark.parametrize("error", [http.client.IncompleteRead(b"abc", 10), http.client.BadStatusLine("HTTP/9")])
def test_protocol_errors_do_not_stop_the_other_sources(tmp_path, monkeypatch, server, error):
    body = b"ok" * 10
    server.files["/ok"] = body
    real = urllib.request.urlopen

    def flaky(request, *args, **kwargs):
        if "bad.example" in request.full_url:
            raise error
        return real(request, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", flaky)
    dest = tmp_path / "f.bin"
    downloads.download_file(["http://bad.example/f", server.url("/ok")], dest, progress=False)
    assert dest.read_bytes() == body


def test_next_step_is_part_of_the_error(tmp_path):
    with pytest.raises(downloads.DownloadError, match=r"(?s)No such file.*Next step: check the internet connection, or set X"):
        downloads.download_file((tmp_path / "nowhere.bin").as_uri(), tmp_path / "x.bin", progress=False,
                                next_step="set X")


def test_fetch_takes_the_offline_copy_then_the_cache_then_downloads(server, tmp_path, env, monkeypatch):
    body = b"labels\n" * 10
    server.files["/labels.txt"] = body
    monkeypatch.setitem(downloads.REGISTRY, "labels.txt", downloads.Entry(
        "pretrained", (server.url("/labels.txt"),), "sha256:" + hashlib.sha256(body).hexdigest(), len(body)))
    env(CH6_PRETRAINED_DIR=tmp_path / "offline", CH6_CACHE_DIR=tmp_path / "cache", CH6_DATA_DIR=None)
    path = downloads.fetch("labels.txt", progress=False)
    assert path == tmp_path / "cache" / "pretrained" / "labels.txt" and path.read_bytes() == body
    (tmp_path / "offline").mkdir()
    (tmp_path / "offline" / "labels.txt").write_bytes(body)
    assert downloads.fetch("labels.txt") == tmp_path / "offline" / "labels.txt"
    assert downloads.verify("labels.txt", tmp_path / "offline" / "labels.txt").name == "labels.txt"
    (tmp_path / "offline" / "labels.txt").write_bytes(b"other")
    with pytest.raises(downloads.DownloadError, match=r"not the expected labels.txt.*Delete it"):
        downloads.verify("labels.txt", tmp_path / "offline" / "labels.txt")


def test_fetch_refuses_big_or_unwanted_downloads_and_unknown_names(env, tmp_path):
    env(CH6_DARKNET_DIR=tmp_path / "none", CH6_CACHE_DIR=tmp_path / "cache")
    with pytest.raises(downloads.DownloadError, match=r"yolov3.weights is not in .*248 MB, more than this call may download"):
        downloads.fetch("yolov3.weights", max_bytes=50_000_000)
    with pytest.raises(downloads.DownloadError, match="downloading is off"):
        downloads.fetch("coco.names", download=False)
    with pytest.raises(downloads.DownloadError, match="'nothing.bin' is not a file the course downloads"):
        downloads.fetch("nothing.bin")


def test_cub_sources_come_from_the_configuration(env, server, tmp_path, monkeypatch):
    body = b"tiny archive"
    server.files["/cub.tgz"] = body
    monkeypatch.setitem(downloads.REGISTRY, "CUB_200_2011.tgz", downloads.REGISTRY["CUB_200_2011.tgz"]._replace(
        checksum="md5:" + hashlib.md5(body).hexdigest()))
    env(CH6_CUB_URLS=f"{server.url('/gone.tgz')} {server.url('/cub.tgz')}", CH6_CACHE_DIR=tmp_path)
    path = downloads.fetch("CUB_200_2011.tgz", progress=False)
    assert path == tmp_path / "cub" / "CUB_200_2011.tgz" and path.read_bytes() == body


def test_every_registered_file_has_a_source_and_a_known_kind():
    from helpers._course import config

    for name, entry in downloads.REGISTRY.items():
        assert entry.kind in config.ASSET_KINDS and entry.sources, name
        assert entry.checksum is None or entry.checksum.split(":")[0] in {"sha256", "md5"}, name

