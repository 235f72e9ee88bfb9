"""helpers._course.darknet_files: the model files by name (offline folder, cache, or a download from a
loopback HTTP server), choose_model's choice and its Korean notice, and the one error, DownloadError,
saying in Korean what happened and what to do for missing, truncated and mismatched files."""

import functools
import http.server
import shutil
import threading

import pytest

from helpers._course import darknet_files, downloads

DownloadError = downloads.DownloadError


@pytest.fixture
def offline(needs, env, tmp_path):
    """The folder of the darknet files (offline assets or `make download`), with an empty private download folder
    so nothing leaks between tests."""
    needs("coco.names", "yolov3.cfg", "yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "yolo-fastest-1.1-xl.cfg",
          "yolo-fastest-1.1-xl.weights", *darknet_files.SAMPLE_PHOTOS)
    folder = downloads.fetch("coco.names").parent
    env(CH6_DOWNLOAD_DIR=str(tmp_path / "cache"), CH6_DARKNET_DIR=str(folder))
    return folder


@pytest.fixture
def no_downloads(monkeypatch):
    def refuse(url, *args, **kwargs):
        raise AssertionError(f"tried to download {url}")

    monkeypatch.setattr(downloads, "_stream", refuse)


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path / "served"``; yields (folder, base URL)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _serve_from(monkeypatch, base, *names):
    for name in names:
        monkeypatch.setitem(downloads.REGISTRY, name, downloads.REGISTRY[name]._replace(sources=(f"{base}/{name}",)))


# --------------------------------------------------------------------------- which model

def test_the_configured_model_when_its_files_are_here(offline, no_downloads, env):
    model = darknet_files.choose_model("yolo-fastest-1.1", download=False)
    assert (model.name, model.cfg, model.weights, model.names) == (
        "yolo-fastest-1.1", offline / "yolo-fastest-1.1.cfg", offline / "yolo-fastest-1.1.weights", offline / "coco.names")
    assert model.notice == "모델: yolo-fastest-1.1 (설정 yolo-fastest-1.1.cfg, 가중치 yolo-fastest-1.1.weights)"
    env(CH6_YOLO_MODEL="yolo-fastest-1.1")
    assert darknet_files.choose_model(download=False).name == "yolo-fastest-1.1"     # the setting, by default


def test_quick_mode_does_not_download_248_mb_and_says_how_to_get_yolov3(offline, no_downloads, env, capsys):
    env(CH6_QUICK="1")
    assert not (offline / "yolov3.weights").exists()
    model = darknet_files.choose_model()
    assert model.name == darknet_files._FALLBACK
    first, second, third, last = model.notice.splitlines()
    assert first == f"⚠ yolov3 모델을 쓸 수 없습니다 — yolov3.weights 파일(248MB)이 {offline}에 없고, 빠른 모드에서는 내려받지 않습니다."
    assert "yolo-fastest-1.1-xl(COCO로 학습한 실제 가중치)로 실행합니다" in second
    assert third == "  yolov3 모델로 실행하려면 전체 모드(helpers.set_quick_mode(False))에서 인터넷에 연결해 이 셀을 다시 실행하세요."
    assert last == "모델: yolo-fastest-1.1-xl (설정 yolo-fastest-1.1-xl.cfg, 가중치 yolo-fastest-1.1-xl.weights)"
    assert capsys.readouterr().out == ""                                             # returned, not printed


def test_an_unknown_name_or_a_missing_cfg_says_what_to_give(offline, no_downloads, tmp_path):
    model = darknet_files.choose_model("yolov9", download=False)
    assert model.name == darknet_files._FALLBACK
    assert ("yolov9.cfg 파일이 없습니다. 모델(choose_model의 인자나 CH6_YOLO_MODEL)로는 등록된 이름(yolov3, yolov3-tiny"
            in model.notice)
    (tmp_path / "page.cfg").write_text("<html>404 Not Found</html>\n")    # a web page saved under the cfg's name
    (tmp_path / "page.weights").write_bytes(b"\0" * 100)
    notice = darknet_files.choose_model(tmp_path / "page.cfg", download=False).notice
    assert "page.cfg: darknet cfg 파일이 아닙니다([net] 절로 시작하지 않음). 지우고 다시 내려받으세요." in notice


def test_a_cfg_path_with_its_weights_beside_it(offline, no_downloads, env, tmp_path):
    shutil.copy(offline / "yolo-fastest-1.1.cfg", tmp_path / "custom.cfg")
    shutil.copy(offline / "yolo-fastest-1.1.weights", tmp_path / "custom.weights")
    env(CH6_YOLO_MODEL=str(tmp_path / "custom.cfg"))
    model = darknet_files.choose_model(download=False)
    assert (model.cfg, model.weights, model.names) == (tmp_path / "custom.cfg", tmp_path / "custom.weights",
                                                       offline / "coco.names")
    assert darknet_files.choose_model(tmp_path / "custom.weights", download=False).cfg == tmp_path / "custom.cfg"


# --------------------------------------------------------------------------- damaged files: the check reads the cfg

def test_truncated_weights_are_refused_and_say_delete_and_rerun(offline, tmp_path):
    shutil.copy(offline / "yolo-fastest-1.1.cfg", tmp_path / "cut.cfg")
    (tmp_path / "cut.weights").write_bytes((offline / "yolo-fastest-1.1.weights").read_bytes()[:692_134])
    model = darknet_files.choose_model(tmp_path / "cut.cfg", download=False)
    assert model.name == darknet_files._FALLBACK                           # OpenCV itself would read the cut file
    assert ("— cut.weights 파일은 692,134바이트인데 cut.cfg 파일에는 1,384,268바이트가 필요합니다: 내려받다 끊긴 "
            "파일입니다. 이 파일을 지우고 셀을 다시 실행하세요") in model.notice


def test_weights_of_another_model_are_refused(offline, tmp_path):
    shutil.copy(offline / "yolo-fastest-1.1.cfg", tmp_path / "mixed.cfg")
    shutil.copy(offline / "yolo-fastest-1.1-xl.weights", tmp_path / "mixed.weights")
    notice = darknet_files.choose_model(tmp_path / "mixed.cfg", download=False).notice
    assert "mixed.weights 파일은 3,693,964바이트인데" in notice and "다른 모델의 가중치입니다" in notice


def test_a_names_file_with_another_class_count_is_refused(offline, tmp_path):
    for suffix in (".cfg", ".weights"):
        shutil.copy(offline / f"yolo-fastest-1.1{suffix}", tmp_path / f"voc{suffix}")
    shutil.copy(offline / "voc.names", tmp_path / "coco.names")
    notice = darknet_files.choose_model(tmp_path / "voc.cfg", download=False).notice
    assert "voc.cfg 파일은 부류 80개를 예측하는데 coco.names 파일에는 20개가 있습니다" in notice


# --------------------------------------------------------------------------- downloads, from a loopback server

def test_missing_files_are_downloaded_and_hash_checked(offline, env, server, monkeypatch, tmp_path):
    served, base = server
    files = ("yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "coco.names")
    for name in files:
        shutil.copy(offline / name, served / name)
    _serve_from(monkeypatch, base, *files)
    env(CH6_DARKNET_DIR=str(tmp_path / "empty"))
    model = darknet_files.choose_model("yolo-fastest-1.1", download=True)
    cache = tmp_path / "cache" / "darknet"
    assert (model.cfg, model.weights, model.names) == tuple(cache / name for name in files)
    assert all((cache / name).read_bytes() == (offline / name).read_bytes() for name in files)


def test_a_failed_download_names_each_source_and_leaves_nothing(offline, env, server, monkeypatch, tmp_path):
    served, base = server
    (served / "yolov3.weights").write_bytes(b"\0" * 1000)                  # a wrong file: its SHA-256 differs
    monkeypatch.setitem(downloads.REGISTRY, "yolov3.weights", downloads.REGISTRY["yolov3.weights"]._replace(
        sources=(f"{base}/gone.weights", f"{base}/yolov3.weights")))
    model = darknet_files.choose_model("yolov3", download=True)
    assert model.name == darknet_files._FALLBACK
    assert f"yolov3.weights 파일을 내려받지 못했습니다({base}/gone.weights: HTTPError: HTTP Error 404" in model.notice
    assert f"{base}/yolov3.weights: WrongFileError: " in model.notice and "SHA-256 is " in model.notice and "expected 523e4e69e1d0" in model.notice
    assert "전체 모드" not in model.notice                                   # not quick mode: nothing to switch
    assert not (tmp_path / "cache" / "darknet" / "yolov3.weights").exists()


def test_without_even_the_fallback_one_korean_error_says_what_to_do(env, tmp_path, server, monkeypatch):
    _, base = server                                                        # serves nothing: every file is a 404
    env(CH6_DARKNET_DIR=str(tmp_path / "empty"), CH6_DOWNLOAD_DIR=str(tmp_path / "cache"))
    _serve_from(monkeypatch, base, "yolov3.cfg", "yolo-fastest-1.1-xl.cfg")
    with pytest.raises(DownloadError) as error:
        darknet_files.choose_model("yolov3", download=True)
    message = str(error.value)
    assert message.startswith("YOLO 모델 파일을 구하지 못했습니다 — yolov3.cfg 파일을 내려받지 못했습니다(")
    assert "yolo-fastest-1.1-xl.cfg 파일을 내려받지 못했습니다(" in message
    assert f"할 일: 인터넷 연결을 확인하고 셀을 다시 실행하세요. 인터넷이 없으면 yolo-fastest-1.1-xl.cfg, " \
           f"yolo-fastest-1.1-xl.weights, coco.names를 {tmp_path / 'empty'}에 두세요." in message


def test_a_sample_photo_that_cannot_be_had_says_what_to_do(env, tmp_path, server, monkeypatch):
    _, base = server
    env(CH6_DARKNET_DIR=str(tmp_path / "empty"), CH6_DOWNLOAD_DIR=str(tmp_path / "cache"))
    _serve_from(monkeypatch, base, "kite.jpg")
    with pytest.raises(DownloadError) as error:
        darknet_files.darknet_file("kite.jpg")
    assert str(error.value).startswith(f"kite.jpg 파일을 구하지 못했습니다. 인터넷 연결을 확인하고 셀을 다시 실행하거나, "
                                       f"파일을 직접 받아 {tmp_path / 'empty'}에 두세요.\n")
    assert error.value.failures and "404" in error.value.failures[0][1]


def test_sample_photos_start_with_the_books_dog(offline, no_downloads):
    assert [p.name for p in darknet_files.sample_images()] == list(darknet_files.SAMPLE_PHOTOS)
    assert list(darknet_files.SAMPLE_PHOTOS)[0] == "dog.jpg"
