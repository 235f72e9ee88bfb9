"""helpers.darknet: model files by name through the download registry, choose_model's notice and
its reasons (from the error's data), cfg parsing, weight-file checks, shapes read off YOLOv3."""

import shutil

import pytest

from helpers import darknet
from helpers._course import downloads


@pytest.fixture
def offline(needs, env, tmp_path):
    """The folder of the darknet files (offline assets or `make download`), with an empty private download folder
    so nothing leaks between tests."""
    needs("coco.names", "yolov3.cfg", "yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "yolo-fastest-1.1-xl.cfg",
          "yolo-fastest-1.1-xl.weights")
    folder = downloads.fetch("coco.names").parent
    env(CH6_DOWNLOAD_DIR=str(tmp_path / "cache"), CH6_DARKNET_DIR=str(folder))
    return folder


@pytest.fixture
def no_downloads(monkeypatch):
    """Fail the test if anything tries to download."""
    def refuse(url, *args, **kwargs):
        raise AssertionError(f"tried to download {url}")

    monkeypatch.setattr(downloads, "_stream", refuse)


# --------------------------------------------------------------------------- files by name

def test_registered_files_come_from_the_offline_folder(offline, no_downloads):
    assert darknet.darknet_file("coco.names") == offline / "coco.names"
    model = darknet.resolve_model("yolo-fastest-1.1")
    assert model == darknet.DarknetModel("yolo-fastest-1.1", offline / "yolo-fastest-1.1.cfg",
                                         offline / "yolo-fastest-1.1.weights", offline / "coco.names")


def test_a_missing_registered_file_is_downloaded_and_hash_checked(offline, env, tmp_path, monkeypatch):
    env(CH6_DARKNET_DIR=str(tmp_path / "empty"))
    entry = downloads.REGISTRY["coco.names"]
    monkeypatch.setitem(downloads.REGISTRY, "coco.names", entry._replace(sources=((offline / "coco.names").as_uri(),)))
    path = darknet.darknet_file("coco.names")
    assert path == tmp_path / "cache" / "darknet" / "coco.names"
    assert path.read_bytes() == (offline / "coco.names").read_bytes()


def test_every_model_file_is_one_registry_entry(offline, no_downloads):
    for files in darknet.MODELS.values():
        assert all(downloads.REGISTRY[f].kind == "darknet" for f in files)
    for name in ("yolov3.cfg", "coco.names", "yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights"):
        assert downloads.verify(name, darknet.darknet_file(name)) == offline / name


def test_unregistered_and_not_downloaded_files_say_why(offline, no_downloads):
    with pytest.raises(darknet.ModelUnavailableError, match=r"'voc\.names'은\(는\) 이 과정이 내려받는 파일이 아닙니다") as info:
        darknet.darknet_file("voc.names")
    assert info.value.cause == "not registered"
    with pytest.raises(darknet.ModelUnavailableError, match=r"yolov3\.weights is not in .*downloading is off") as info:
        darknet.darknet_file("yolov3.weights", download=False)
    assert (info.value.cause, info.value.filename) == ("not downloading", "yolov3.weights")


def test_model_by_env_name_and_by_path(offline, env, tmp_path):
    env(CH6_YOLO_MODEL="yolo-fastest-1.1")
    assert darknet.resolve_model().weights == offline / "yolo-fastest-1.1.weights"
    shutil.copy(offline / "yolo-fastest-1.1.cfg", tmp_path / "custom.cfg")
    shutil.copy(offline / "yolo-fastest-1.1.weights", tmp_path / "custom.weights")
    env(CH6_YOLO_MODEL=str(tmp_path / "custom.cfg"))
    model = darknet.resolve_model()
    assert (model.name, model.weights, model.names.name) == ("custom", tmp_path / "custom.weights", "coco.names")
    assert darknet.resolve_model(tmp_path / "custom.weights") == model       # the weights' path works too
    assert darknet.check_darknet_files(model.cfg, model.weights, model.names)["classes"] == 80


def test_unknown_model_name_lists_the_choices(offline):
    with pytest.raises(darknet.ModelUnavailableError, match=r"'yolov9'.*yolo-fastest-1.1.*CH6_YOLO_MODEL") as info:
        darknet.resolve_model("yolov9")
    assert (info.value.cause, info.value.name) == ("unknown model", "yolov9")


def test_sample_images_start_with_the_books_dog(offline, no_downloads):
    names = [p.name for p in darknet.sample_images(download=False)]
    assert names == list(darknet.SAMPLE_IMAGES)


def test_load_classes(offline, tmp_path):
    classes = darknet.load_classes(offline / "coco.names")
    assert len(classes) == 80 and classes[:3] == ["person", "bicycle", "car"] and classes[16] == "dog"
    with pytest.raises(FileNotFoundError, match=r"nothing\.names does not exist.*darknet_file\('coco\.names'\)"):
        darknet.load_classes(tmp_path / "nothing.names")


# --------------------------------------------------------------------------- choose_model: which and why

def test_choose_model_uses_the_configured_model_when_it_can(offline, no_downloads):
    model, notice = darknet.choose_model("yolo-fastest-1.1", download=False)
    assert model == darknet.resolve_model("yolo-fastest-1.1")
    assert notice == "모델: yolo-fastest-1.1 (설정 yolo-fastest-1.1.cfg, 가중치 yolo-fastest-1.1.weights)"


def test_choose_model_unknown_name_says_so(offline, no_downloads, capsys):
    model, notice = darknet.choose_model("yolov9", download=True)
    assert model.name == darknet.FALLBACK_MODEL
    assert notice.startswith("⚠ yolov9 모델을 쓸 수 없습니다 — 등록된 모델 이름(yolov3, yolov3-tiny, "
                             "yolo-fastest-1.1, yolo-fastest-1.1-xl)도, 있는 .cfg 파일의 경로도 아닙니다.\n")
    assert notice.endswith("모델: yolo-fastest-1.1-xl (설정 yolo-fastest-1.1-xl.cfg, 가중치 yolo-fastest-1.1-xl.weights)")
    assert capsys.readouterr().out == ""   # returned, not printed


def test_choose_model_quick_mode_does_not_download_248_mb(offline, no_downloads):
    assert not (offline / "yolov3.weights").exists()
    model, notice = darknet.choose_model("yolov3", download=False)
    assert model.name == darknet.FALLBACK_MODEL
    assert "yolov3.weights 파일이 모델 폴더에 없고, 빠른 모드라 248MB를 내려받지 않습니다" in notice


def test_choose_model_download_failure_names_each_source(offline, monkeypatch, tmp_path):
    entry = downloads.REGISTRY["yolov3.weights"]
    gone, wrong = tmp_path / "gone.weights", tmp_path / "wrong.weights"
    wrong.write_bytes(b"\0" * 1000)
    monkeypatch.setitem(downloads.REGISTRY, "yolov3.weights", entry._replace(sources=(gone.as_uri(), wrong.as_uri())))
    with pytest.raises(darknet.ModelUnavailableError) as info:
        darknet.darknet_file("yolov3.weights")
    assert info.value.cause == "download failed"
    assert [source for source, _ in info.value.failures] == [gone.as_uri(), wrong.as_uri()]

    model, notice = darknet.choose_model("yolov3", download=True)
    assert model.name == darknet.FALLBACK_MODEL
    assert f"yolov3.weights 파일을 내려받지 못했습니다:\n    {gone.as_uri()}: URLError: " in notice
    assert f"{wrong.as_uri()}: WrongFileError: " in notice and "expected 523e4e69e1d0" in notice
    assert not (tmp_path / "cache" / "darknet" / "yolov3.weights").exists()


def test_download_errors_carry_each_sources_failure_as_data(tmp_path, env, monkeypatch):
    gone = tmp_path / "gone.bin"
    env(CH6_DOWNLOAD_DIR=str(tmp_path / "cache"), CH6_DARKNET_DIR=str(tmp_path / "empty"))
    monkeypatch.setitem(downloads.REGISTRY, "coco.names", downloads.REGISTRY["coco.names"]._replace(sources=(gone.as_uri(),)))
    with pytest.raises(downloads.DownloadError, match=r"could not download coco\.names from any of 1 source") as info:
        downloads.fetch("coco.names", progress=False)
    (source, what), = info.value.failures
    assert source == gone.as_uri() and what.startswith("URLError: ") and "No such file" in what
    assert not (tmp_path / "cache" / "darknet").exists() or not list((tmp_path / "cache" / "darknet").iterdir())


def test_choose_model_damaged_weights_say_what_is_wrong(offline, env, tmp_path):
    shutil.copy(offline / "yolo-fastest-1.1.cfg", tmp_path / "cut.cfg")
    (tmp_path / "cut.weights").write_bytes((offline / "yolo-fastest-1.1.weights").read_bytes()[:1000])
    model, notice = darknet.choose_model(tmp_path / "cut.cfg")
    assert model.name == darknet.FALLBACK_MODEL
    assert "— cut.weights has 1,000 bytes but cut.cfg needs 1,384,268" in notice


def test_choose_model_raises_when_even_the_fallback_cannot_be_had(env, tmp_path, monkeypatch):
    env(CH6_DARKNET_DIR=str(tmp_path / "empty"), CH6_DOWNLOAD_DIR=str(tmp_path / "cache"))

    def offline(url, *args, **kwargs):
        raise OSError("offline")

    monkeypatch.setattr(downloads, "_stream", offline)
    with pytest.raises(darknet.ModelUnavailableError, match=r"could not download yolo-fastest-1\.1-xl\.cfg") as info:
        darknet.choose_model(darknet.FALLBACK_MODEL, download=False)
    assert info.value.cause == "download failed" and info.value.failures[0][1] == "OSError: offline"


# --------------------------------------------------------------------------- cfg and weight checks

def test_param_count_predicts_the_real_weight_files(offline):
    for name in ("yolo-fastest-1.1", "yolo-fastest-1.1-xl"):
        model = darknet.resolve_model(name, download=False)
        assert model.weights.stat().st_size == 20 + 4 * darknet.darknet_param_count(model.cfg)
    assert 20 + 4 * darknet.darknet_param_count(offline / "yolov3.cfg") == downloads.REGISTRY["yolov3.weights"].size


def test_parse_cfg_reads_sections_and_refuses_other_files(offline, tmp_path):
    sections = darknet.parse_cfg(offline / "yolov3.cfg")
    assert sections[0]["type"] == "net" and sections[0]["width"] == "608"
    assert sum(s["type"] == "yolo" for s in sections) == 3
    bad = tmp_path / "bad.cfg"
    bad.write_text("<html>404 Not Found</html>\n")
    with pytest.raises(ValueError, match=r"bad\.cfg, line 1.*not darknet cfg syntax"):
        darknet.parse_cfg(bad)
    (tmp_path / "headless.cfg").write_text("[convolutional]\nfilters=3\n")
    with pytest.raises(ValueError, match=r"does not start with a \[net\] section"):
        darknet.parse_cfg(tmp_path / "headless.cfg")


def test_check_darknet_files_accepts_a_good_set(offline):
    found = darknet.check_darknet_files(offline / "yolo-fastest-1.1-xl.cfg", offline / "yolo-fastest-1.1-xl.weights",
                                        offline / "coco.names")
    assert found == {"params": (3_693_964 - 20) // 4, "bytes": 3_693_964, "classes": 80}


def test_missing_weights(offline, tmp_path):
    shutil.copy(offline / "yolo-fastest-1.1.cfg", tmp_path / "mine.cfg")
    model = darknet.resolve_model(tmp_path / "mine.cfg")
    with pytest.raises(FileNotFoundError, match=r"weights file .*mine\.weights does not exist.*helpers\.darknet"):
        darknet.check_darknet_files(model.cfg, model.weights, model.names)


def test_truncated_weights(offline, tmp_path):
    data = (offline / "yolo-fastest-1.1.weights").read_bytes()
    shutil.copy(offline / "yolo-fastest-1.1.cfg", tmp_path / "cut.cfg")
    (tmp_path / "cut.weights").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.weights has 692,134 bytes.*truncated.*download it again"):
        darknet.check_darknet_files(tmp_path / "cut.cfg", tmp_path / "cut.weights")


def test_cfg_that_does_not_match_the_weights(offline):
    with pytest.raises(ValueError, match=r"belong to a different cfg"):
        darknet.check_darknet_files(offline / "yolo-fastest-1.1.cfg", offline / "yolo-fastest-1.1-xl.weights")


def test_names_file_with_the_wrong_class_count(offline):
    with pytest.raises(ValueError, match=r"predicts 80 classes but voc\.names lists 20"):
        darknet.check_darknet_files(offline / "yolo-fastest-1.1.cfg", offline / "yolo-fastest-1.1.weights",
                                    offline / "voc.names")


# --------------------------------------------------------------------------- the network's shape

def test_yolov3_output_scales_at_the_books_448(offline):
    scales = darknet.output_scales(darknet.darknet_file("yolov3.cfg"), 448)
    assert [s["layer"] for s in scales] == ["yolo_82", "yolo_94", "yolo_106"]
    assert [s["grid"] for s in scales] == [(14, 14), (28, 28), (56, 56)]
    assert [s["output"] for s in scales] == [(588, 85), (2352, 85), (9408, 85)]
    assert all(s["anchors"] == 3 and s["channels"] == 255 for s in scales)


def test_output_scales_follow_the_input_size(offline):
    scales = darknet.output_scales(darknet.darknet_file("yolov3.cfg"), 416)
    assert [s["grid"] for s in scales] == [(13, 13), (26, 26), (52, 52)]
    table = darknet.format_output_scales(scales)
    assert table.splitlines()[3] == "yolo_106  52×52    conv_105 255×52×52   3     85    8112×85"
