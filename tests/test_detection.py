"""helpers.detection: real detections with real Yolo-Fastest weights, shapes read off YOLOv3,
decode/NMS on synthetic outputs with known answers, downloads, and every bad input's message."""

import shutil

import cv2
import numpy as np
import pytest

from helpers import config, detection, downloads


@pytest.fixture
def darknet(offline_data, env, tmp_path):
    """The offline darknet folder, with an empty private cache so nothing leaks between tests."""
    folder = config.darknet_dir()
    if not (folder / "yolo-fastest-1.1-xl.weights").is_file():
        pytest.skip(f"no Yolo-Fastest weights in {folder} (CH6_DATA_DIR must point at the offline assets)")
    env(CH6_CACHE_DIR=str(tmp_path / "cache"), CH6_DARKNET_DIR=str(folder))
    return folder


@pytest.fixture(scope="module")
def fastest():
    """Yolo-Fastest 1.1-XL (real COCO weights) and the class names, loaded once."""
    if config.data_dir() is None:
        pytest.skip("CH6_DATA_DIR is not set to the offline datasets folder (make test sets it)")
    model = detection.resolve_model("yolo-fastest-1.1-xl", download_missing=False)
    return detection.load_net(model), detection.load_classes(model.names)


def _best(result, label):
    return max((d["confidence"] for d in result["detections"] if d["label"] == label), default=0.0)


# --------------------------------------------------------------------------- real detections

@pytest.mark.parametrize("image, label, floor", [
    ("dog.jpg", "dog", 0.85), ("dog.jpg", "bicycle", 0.85),
    ("person.jpg", "person", 0.90), ("horses.jpg", "horse", 0.80),
])
def test_real_weights_find_the_objects(fastest, image, label, floor):
    net, classes = fastest
    img = detection.load_image(config.darknet_dir() / image)
    result = detection.detect(net, img, classes)
    assert _best(result, label) > floor, detection.detection_table(result["detections"])
    assert result["seconds"] > 0


def test_helper_decode_equals_the_books_loop(fastest):
    net, classes = fastest
    img = detection.load_image(config.darknet_dir() / "dog.jpg")
    outputs, _ = detection.forward(net, img)
    height, width = img.shape[:2]
    class_ids, confidences, boxes = [], [], []          # the book's lines 20-32, verbatim
    for output in outputs:
        for vec85 in output:
            scores = vec85[5:]
            class_id = np.argmax(scores)
            confidence = scores[class_id]
            if confidence > 0.5:
                centerx, centery = int(vec85[0] * width), int(vec85[1] * height)
                w, h = int(vec85[2] * width), int(vec85[3] * height)
                x, y = int(centerx - w / 2), int(centery - h / 2)
                boxes.append([x, y, w, h])
                confidences.append(float(confidence))
                class_ids.append(class_id)
    assert detection.decode(outputs, width, height, 0.5) == (boxes, confidences, [int(c) for c in class_ids])
    assert len(boxes) > 3   # several overlapping candidates before NMS


# --------------------------------------------------------------------------- the network's shape

def test_yolov3_output_scales_at_the_books_448(darknet):
    scales = detection.output_scales(detection.darknet_file("yolov3.cfg"), 448)
    assert [s["layer"] for s in scales] == ["yolo_82", "yolo_94", "yolo_106"]
    assert [s["grid"] for s in scales] == [(14, 14), (28, 28), (56, 56)]
    assert [s["output"] for s in scales] == [(588, 85), (2352, 85), (9408, 85)]
    assert all(s["anchors"] == 3 and s["channels"] == 255 for s in scales)


def test_output_scales_follow_the_input_size(darknet):
    scales = detection.output_scales(detection.darknet_file("yolov3.cfg"), 416)
    assert [s["grid"] for s in scales] == [(13, 13), (26, 26), (52, 52)]
    table = detection.format_output_scales(scales)
    assert "yolo_106" in table and "8112×85" in table


def test_param_count_predicts_the_real_weight_files(darknet):
    for name in ("yolo-fastest-1.1", "yolo-fastest-1.1-xl"):
        model = detection.resolve_model(name, download_missing=False)
        assert model.weights.stat().st_size == 20 + 4 * detection.darknet_param_count(model.cfg)
    assert 20 + 4 * detection.darknet_param_count(darknet / "yolov3.cfg") == detection.FILES["yolov3.weights"]["size"]


def test_registered_hashes_match_the_offline_files(darknet):
    for name in ("yolov3.cfg", "coco.names", "yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights"):
        assert downloads.file_hash(darknet / name) == detection.FILES[name]["sha256"], name


# --------------------------------------------------------------------------- decode / NMS, known answers

def _row(cx, cy, w, h, class_id, score, classes=80):
    row = np.zeros(5 + classes, np.float32)
    row[:5] = cx, cy, w, h, score
    row[5 + class_id] = score
    return row


def test_decode_synthetic_outputs():
    scale1 = np.stack([_row(0.5, 0.5, 0.2, 0.4, 16, 0.9), _row(0.1, 0.1, 0.1, 0.1, 2, 0.3)])
    scale2 = np.stack([_row(0.25, 0.75, 0.5, 0.5, 1, 0.6)])
    boxes, confidences, class_ids = detection.decode([scale1, scale2], width=200, height=100)
    assert boxes == [[80, 30, 40, 40], [0, 50, 100, 50]]
    assert class_ids == [16, 1]
    assert confidences == pytest.approx([0.9, 0.6])
    assert detection.decode([scale1, scale2], 200, 100, conf_threshold=0.95) == ([], [], [])
    assert len(detection.decode([scale1], 200, 100, conf_threshold=0.2)[0]) == 2


def test_nms_keeps_the_best_of_overlapping_boxes():
    boxes = [[10, 10, 100, 100], [12, 12, 100, 100], [300, 300, 50, 50], [0, 0, 5, 5]]
    confidences = [0.8, 0.95, 0.7, 0.3]
    kept = detection.nms(boxes, confidences, 0.5, 0.4)
    assert kept.ndim == 1 and sorted(kept.tolist()) == [1, 2]
    assert detection.nms(boxes, confidences, 0.5, 0.99).tolist().count(0) == 1   # no suppression
    assert detection.nms([], [], 0.5, 0.4).shape == (0,)
    assert detection.nms(boxes, confidences, 0.99, 0.4).shape == (0,)


@pytest.mark.parametrize("returned", [np.array([[1], [2]]), np.array([1, 2]), ()])
def test_nms_is_flat_whatever_opencv_returns(monkeypatch, returned):
    monkeypatch.setattr(cv2.dnn, "NMSBoxes", lambda *args: returned)
    kept = detection.nms([[0, 0, 1, 1]] * 3, [0.9] * 3)
    assert kept.ndim == 1 and kept.tolist() == list(np.ravel(returned))


def test_colors_are_seeded_and_drawing_touches_only_kept_boxes():
    assert np.array_equal(detection.class_colors(80), detection.class_colors(80))
    assert not np.array_equal(detection.class_colors(80, seed=1), detection.class_colors(80, seed=2))
    img = np.zeros((200, 200, 3), np.uint8)
    out = detection.draw_detections(img, [[10, 10, 50, 50], [120, 120, 40, 40]], [0.9, 0.8], [0, 1],
                                    [0], ["person", "bicycle"])
    assert img.sum() == 0, "the input image must not be drawn on"
    assert out[10, 10:60].any() and not out[115:170, 115:170].any()


# --------------------------------------------------------------------------- bad input

def test_missing_image_names_the_file_and_the_images_there(darknet):
    with pytest.raises(FileNotFoundError, match=r"yolo_test\.jpg.*dog\.jpg"):
        detection.load_image(darknet / "yolo_test.jpg")


def test_unreadable_image_says_it_cannot_be_decoded(tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_text("not really a picture")
    with pytest.raises(ValueError, match=r"photo\.jpg.*cannot decode"):
        detection.load_image(fake)


def test_missing_weights(darknet, tmp_path):
    shutil.copy(darknet / "yolo-fastest-1.1.cfg", tmp_path / "mine.cfg")
    model = detection.resolve_model(tmp_path / "mine.cfg")
    with pytest.raises(FileNotFoundError, match=r"weights file .*mine\.weights does not exist"):
        detection.load_net(model)


def test_truncated_weights(darknet, tmp_path):
    data = (darknet / "yolo-fastest-1.1.weights").read_bytes()
    shutil.copy(darknet / "yolo-fastest-1.1.cfg", tmp_path / "cut.cfg")
    (tmp_path / "cut.weights").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.weights has 692,134 bytes.*truncated.*download it again"):
        detection.load_net(detection.resolve_model(tmp_path / "cut.cfg"))


def test_cfg_that_does_not_match_the_weights(darknet, tmp_path):
    shutil.copy(darknet / "yolo-fastest-1.1.cfg", tmp_path / "wrong.cfg")
    shutil.copy(darknet / "yolo-fastest-1.1-xl.weights", tmp_path / "wrong.weights")
    with pytest.raises(ValueError, match=r"belong to a different cfg"):
        detection.load_net(detection.resolve_model(tmp_path / "wrong.cfg"))


def test_names_file_with_the_wrong_class_count(darknet, tmp_path):
    voc = darknet / "voc.names"
    with pytest.raises(ValueError, match=r"predicts 80 classes but voc\.names lists 20"):
        detection.check_darknet_files(darknet / "yolo-fastest-1.1.cfg", darknet / "yolo-fastest-1.1.weights", voc)


def test_a_file_that_is_not_a_cfg(tmp_path):
    bad = tmp_path / "bad.cfg"
    bad.write_text("<html>404 Not Found</html>\n")
    with pytest.raises(ValueError, match=r"bad\.cfg, line 1.*not darknet cfg syntax"):
        detection.parse_cfg(bad)


def test_unknown_model_name_lists_the_choices(darknet):
    with pytest.raises(detection.ModelUnavailableError, match=r"'yolov9'.*yolo-fastest-1.1.*CH6_YOLO_MODEL"):
        detection.resolve_model("yolov9")


# --------------------------------------------------------------------------- getting the model

def test_model_by_env_name_and_by_path(darknet, env, tmp_path):
    env(CH6_YOLO_MODEL="yolo-fastest-1.1")
    assert detection.resolve_model().weights == darknet / "yolo-fastest-1.1.weights"
    shutil.copy(darknet / "yolo-fastest-1.1.cfg", tmp_path / "custom.cfg")
    shutil.copy(darknet / "yolo-fastest-1.1.weights", tmp_path / "custom.weights")
    env(CH6_YOLO_MODEL=str(tmp_path / "custom.cfg"))
    model = detection.resolve_model()
    assert (model.name, model.weights, model.names.name) == ("custom", tmp_path / "custom.weights", "coco.names")
    assert detection.check_darknet_files(model.cfg, model.weights, model.names)["classes"] == 80


def test_choose_model_falls_back_to_yolo_fastest_and_says_so(darknet, capsys, monkeypatch):
    assert not (darknet / "yolov3.weights").exists()
    model = detection.choose_model("yolov3", download=False)
    assert model.name == detection.FALLBACK_MODEL
    assert "빠른 모드라 248MB를 내려받지 않습니다" in capsys.readouterr().out

    def offline(urls, dest, sha256=None, progress=True, timeout=30, next_step=None):
        raise downloads.DownloadError(f"could not download {dest.name}:\n  {urls[0]}: offline (test)")

    monkeypatch.setattr(downloads, "download", offline)
    assert detection.choose_model("yolov3", download=True).name == detection.FALLBACK_MODEL
    out = capsys.readouterr().out
    assert "내려받지 못했습니다" in out and "offline (test)" in out and "yolo-fastest-1.1-xl" in out


# --------------------------------------------------------------------------- showing

def test_show_bgr_swaps_to_rgb():
    img = np.zeros((4, 4, 3), np.uint8)
    img[..., 0] = 255   # pure blue in BGR
    ax = detection.show_bgr(img, "파랑")
    assert ax.images[0].get_array()[0, 0].tolist() == [0, 0, 255]


def test_save_image_is_atomic_and_refuses_unknown_formats(tmp_path):
    img = np.full((8, 8, 3), 200, np.uint8)
    path = detection.save_image(img, tmp_path / "out" / "result.png")
    assert np.array_equal(cv2.imread(str(path)), img)
    assert [p.name for p in path.parent.iterdir()] == ["result.png"]
    with pytest.raises(ValueError, match=r"\.xyz"):
        detection.save_image(img, tmp_path / "out" / "result.xyz")


def test_grid_lines_are_drawn_at_cell_borders():
    out = detection.draw_grid(np.zeros((70, 70, 3), np.uint8), 7)
    assert out[:, 10].all() and out[20, :].all()
    assert np.flatnonzero(out.all(axis=(0, 2))).tolist() == [10, 20, 30, 40, 50, 60]   # 6 inner lines
    assert out[5, 5].sum() == 0 and out[15, 15].sum() == 0


def test_book_comparison_shows_both_columns(capsys):
    table = detection.compare_with_book([{"label": "dog", "confidence": 0.94}, {"label": "car", "confidence": 0.8}],
                                        "yolo-fastest-1.1-xl")
    assert "dog | 99.8 | 94.0" in table and "truck | 89.0 | 검출 안 됨" in table and "car | — | 80.0" in table


def test_explorer_draws_static_figures_without_a_widget_frontend(fastest, capsys):
    import matplotlib.pyplot as plt

    net, classes = fastest
    assert detection.detection_explorer(net, classes, images=[config.darknet_dir() / "eagle.jpg"]) is None
    out = capsys.readouterr().out
    assert "eagle.jpg: 전방 계산(forward) 한 번" in out and "bird" in out
    assert plt.get_fignums()


def test_sample_images_start_with_the_books_dog(darknet):
    names = [p.name for p in detection.sample_images(download_missing=False)]
    assert names[0] == "dog.jpg" and {"person.jpg", "horses.jpg"} <= set(names)


def test_explorer_widgets_redraw_in_place(fastest, monkeypatch):
    net, classes = fastest
    monkeypatch.setattr(detection, "_has_widget_frontend", lambda: True)
    box = detection.detection_explorer(net, classes, images=[config.darknet_dir() / "kite.jpg"])
    (chooser, confidence, overlap), picture = box.children[0].children, box.children[1]
    many = picture.value
    assert many[:2] == b"\xff\xd8"   # a JPEG
    confidence.value = 0.95          # fewer boxes survive: the picture is redrawn
    assert picture.value != many
    overlap.value = 0.9
    assert chooser.value.name == "kite.jpg"


def test_model_folders_are_the_configured_one_then_the_cache(env, tmp_path):
    env(CH6_DARKNET_DIR=tmp_path / "models", CH6_CACHE_DIR=tmp_path / "cache")
    assert detection.model_folders() == [tmp_path / "models", tmp_path / "cache" / "darknet"]


def test_preprocess_scales_swaps_to_rgb_and_resizes_without_cropping():
    img = np.zeros((60, 120, 3), np.uint8)
    img[:, :60] = (255, 0, 0)  # left half pure blue in BGR
    blob = detection.preprocess(img, size=32)
    assert blob.shape == (1, 3, 32, 32) and blob.dtype == np.float32
    assert blob[0, 2, 16, 4] == pytest.approx(255 / 256)  # blue lands in the last (RGB) channel
    assert blob[0, 0, 16, 4] == 0.0 and blob[0, 2, 16, 28] == 0.0  # the whole width kept: right half still black
