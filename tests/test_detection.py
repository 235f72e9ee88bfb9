"""helpers.detection: real detections with real Yolo-Fastest weights, the book's steps against the
book's own lines, decode/NMS on synthetic outputs with known answers, Korean file names, bad images,
and the benchmark timing the lesson's input."""

import importlib.util
import shutil

import cv2
import numpy as np
import pytest

from helpers import darknet, detection
from helpers._course import config


@pytest.fixture(scope="module")
def fastest(needs):
    """Yolo-Fastest 1.1-XL (real COCO weights) read as the book reads YOLOv3, and the class names."""
    needs("yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names", "dog.jpg", "person.jpg", "horses.jpg")
    model = darknet.resolve_model("yolo-fastest-1.1-xl", download=False)
    darknet.check_darknet_files(model.cfg, model.weights, model.names)
    return cv2.dnn.readNet(str(model.weights), str(model.cfg)), darknet.load_classes(model.names)


@pytest.fixture(scope="module")
def dog(fastest):
    return detection.load_image(darknet.darknet_file("dog.jpg", download=False))


def _best(result, label):
    return max((d["confidence"] for d in result.detections if d["label"] == label), default=0.0)


# --------------------------------------------------------------------------- real detections

@pytest.mark.parametrize("image, label, floor", [
    ("dog.jpg", "dog", 0.85), ("dog.jpg", "bicycle", 0.85),
    ("person.jpg", "person", 0.90), ("horses.jpg", "horse", 0.80),
])
def test_real_weights_find_the_objects(fastest, image, label, floor):
    net, classes = fastest
    img = detection.load_image(darknet.darknet_file(image, download=False))
    result = detection.detect(net, img, classes)
    assert isinstance(result, detection.DetectionResult)
    assert _best(result, label) > floor, detection.detection_table(result.detections)
    assert result.seconds > 0 and result.candidates > len(result.detections)


def test_detect_reuses_outputs_and_follows_the_thresholds(fastest, dog):
    net, classes = fastest
    first = detection.detect(net, dog, classes)
    again = detection.detect(net, dog, classes, outputs=first.outputs)
    assert again.seconds is None and again.detections == first.detections
    strict = detection.detect(net, dog, classes, conf_threshold=0.9, outputs=first.outputs)
    assert {d["label"] for d in strict.detections} < {d["label"] for d in first.detections}
    confidences = [d["confidence"] for d in first.detections]
    assert confidences == sorted(confidences, reverse=True)
    loose = detection.detect(net, dog, classes, nms_threshold=0.95, outputs=first.outputs)
    assert len(loose.detections) > len(first.detections)   # overlapping boxes survive a lax NMS


def test_helper_steps_equal_the_books_lines(fastest, dog):
    net, classes = fastest
    blob = cv2.dnn.blobFromImage(dog, 1.0 / 256, (448, 448), (0, 0, 0), swapRB=True, crop=False)   # line 11
    assert np.array_equal(detection.preprocess(dog), blob)
    net.setInput(blob)
    output3 = net.forward(net.getUnconnectedOutLayersNames())                                     # lines 17-18
    outputs, seconds = detection.forward(net, dog)
    assert [o.shape for o in outputs] == [o.shape for o in output3] and seconds > 0
    assert all(np.allclose(a, b) for a, b in zip(outputs, output3))
    height, width = dog.shape[:2]
    class_ids, confidences, boxes = [], [], []          # the book's lines 20-32, verbatim
    for output in output3:
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
    assert detection.decode(output3, width, height, conf_threshold=0.5) == (boxes, confidences,
                                                                           [int(c) for c in class_ids])
    assert len(boxes) > 3   # several overlapping candidates before NMS
    indexes = cv2.dnn.NMSBoxes(boxes, confidences, 0.5, 0.4)                                        # line 34
    result = detection.detect(net, dog, classes)
    assert sorted(tuple(d["box"]) for d in result.detections) == sorted(tuple(boxes[i]) for i in np.ravel(indexes))


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
    kept = detection.nms(boxes, confidences, conf_threshold=0.5, nms_threshold=0.4)
    assert kept.ndim == 1 and sorted(kept.tolist()) == [1, 2]
    assert detection.nms(boxes, confidences, nms_threshold=0.99).tolist().count(0) == 1   # no suppression
    assert detection.nms([], []).shape == (0,)
    assert detection.nms(boxes, confidences, conf_threshold=0.99).shape == (0,)


@pytest.mark.parametrize("returned", [np.array([[1], [2]]), np.array([1, 2]), ()])
def test_nms_is_flat_whatever_opencv_returns(monkeypatch, returned):
    monkeypatch.setattr(cv2.dnn, "NMSBoxes", lambda *args: returned)
    kept = detection.nms([[0, 0, 1, 1]] * 3, [0.9] * 3)
    assert kept.ndim == 1 and kept.tolist() == list(np.ravel(returned))


def test_colors_are_seeded():
    assert np.array_equal(detection.class_colors(80), detection.class_colors(80))
    assert not np.array_equal(detection.class_colors(80, seed=1), detection.class_colors(80, seed=2))
    assert detection.class_colors(3).shape == (3, 3) and (detection.class_colors(80) < 255).all()


def test_draw_detections_takes_the_result_whole():
    img = np.zeros((200, 200, 3), np.uint8)
    result = detection.DetectionResult(
        [{"label": "bicycle", "class_id": 1, "confidence": 0.9, "box": [10, 10, 50, 50]}],
        candidates=2, seconds=None, outputs=[])
    colors = np.array([[0, 0, 255], [0, 255, 0]], float)
    out = detection.draw_detections(img, result, ["person", "bicycle"], colors)
    assert img.sum() == 0, "the input image must not be drawn on"
    assert out[10, 10:60].tolist() == [[0, 255, 0]] * 50           # the box in its class's colour
    assert not out[115:170, 115:170].any()                          # nothing where nothing was kept
    empty = detection.DetectionResult([], 0, None, [])
    assert not detection.draw_detections(img, empty, ["person"]).any()


# --------------------------------------------------------------------------- files: Korean names, bad images

def test_korean_file_names_read_and_write_without_cv2_imread(fastest, dog, tmp_path, monkeypatch):
    folder = tmp_path / "사진"
    folder.mkdir()
    shutil.copy(darknet.darknet_file("dog.jpg", download=False), folder / "개.jpg")
    # What Windows does with a non-ASCII path: imread gives None, imwrite gives False.
    monkeypatch.setattr(cv2, "imread", lambda *args: None)
    monkeypatch.setattr(cv2, "imwrite", lambda *args: False)
    assert np.array_equal(detection.load_image(folder / "개.jpg"), dog)
    saved = detection.save_image(dog[:100, :120], tmp_path / "결과" / "검출된 개.png")
    assert saved == tmp_path / "결과" / "검출된 개.png"
    assert np.array_equal(detection.load_image(saved), dog[:100, :120])                # PNG: exact
    jpeg = detection.save_image(dog, tmp_path / "결과" / "개.jpg")
    assert np.abs(detection.load_image(jpeg).astype(int) - dog).mean() < 3            # JPEG: close
    assert sorted(p.name for p in saved.parent.iterdir()) == ["개.jpg", "검출된 개.png"]


def test_read_net_is_the_books_readnet_from_bytes_on_a_korean_path(fastest, dog, tmp_path):
    net, classes = fastest
    model = darknet.resolve_model("yolo-fastest-1.1-xl", download=False)
    folder = tmp_path / "사용자" / "모델"
    folder.mkdir(parents=True)
    for source, name in ((model.cfg, "욜로.cfg"), (model.weights, "욜로.weights")):
        shutil.copy(source, folder / name)
    from_bytes = detection.read_net(folder / "욜로.weights", folder / "욜로.cfg")
    ours, books = detection.forward(from_bytes, dog)[0], detection.forward(net, dog)[0]
    assert [o.shape for o in ours] == [(588, 85), (2352, 85)]     # 14×14×3 and 28×28×3 at 448²
    assert all(np.array_equal(a, b) for a, b in zip(ours, books))     # the same network as cv2.dnn.readNet's


def test_read_net_refuses_what_opencv_would_read_wrongly(fastest, tmp_path):
    model = darknet.resolve_model("yolo-fastest-1.1", download=False)
    cut = tmp_path / "잘린.weights"
    cut.write_bytes(model.weights.read_bytes()[:500_000])
    with pytest.raises(ValueError, match=r"잘린\.weights has 500,000 bytes but .* needs 1,384,268 .*truncated"):
        detection.read_net(cut, model.cfg)          # cv2.dnn would load this without a word
    with pytest.raises(FileNotFoundError, match=r"weights file .*없음\.weights does not exist"):
        detection.read_net(tmp_path / "없음.weights", model.cfg)
    odd = tmp_path / "odd.cfg"
    odd.write_text(model.cfg.read_text() + "\n[mystery]\nsize=1\n")
    with pytest.raises(ValueError, match=r"OpenCV cannot build a network from odd\.cfg and yolo-fastest-1\.1\.weights"):
        detection.read_net(model.weights, odd)


def test_missing_image_names_the_file_and_the_images_there(fastest):
    folder = darknet.darknet_file("dog.jpg").parent
    with pytest.raises(FileNotFoundError, match=r"yolo_test\.jpg does not exist.*Images in that folder: dog\.jpg"):
        detection.load_image(folder / "yolo_test.jpg")


@pytest.mark.parametrize("content", [b"not really a picture", b"", "damaged header"])
def test_corrupt_image_says_it_cannot_be_decoded(fastest, tmp_path, content):
    fake = tmp_path / "사진.jpg"
    if content == "damaged header":
        data = bytearray(darknet.darknet_file("dog.jpg", download=False).read_bytes())
        data[:64] = b"\0" * 64
        content = bytes(data)
    fake.write_bytes(content)
    with pytest.raises(ValueError, match=rf"사진\.jpg exists but OpenCV cannot decode it \({len(content):,} bytes\)"):
        detection.load_image(fake)


def test_save_image_refuses_what_it_cannot_encode_and_leaves_nothing(tmp_path):
    img = np.full((8, 8, 3), 200, np.uint8)
    with pytest.raises(ValueError, match=r"cannot write '\.xyz' images"):
        detection.save_image(img, tmp_path / "out" / "result.xyz")
    with pytest.raises(ValueError, match=r"not an image array"):
        detection.save_image(np.zeros((8, 8, 3), object), tmp_path / "out" / "result.png")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# --------------------------------------------------------------------------- showing

def test_show_bgr_swaps_to_rgb():
    img = np.zeros((4, 4, 3), np.uint8)
    img[..., 0] = 255   # pure blue in BGR
    ax = detection.show_bgr(img, "파랑")
    assert ax.images[0].get_array()[0, 0].tolist() == [0, 0, 255] and ax.get_title() == "파랑"


def test_grid_lines_are_drawn_at_cell_borders():
    out = detection.draw_grid(np.zeros((70, 70, 3), np.uint8), 7)
    assert out[:, 10].all() and out[20, :].all()
    assert np.flatnonzero(out.all(axis=(0, 2))).tolist() == [10, 20, 30, 40, 50, 60]   # 6 inner lines
    assert out[5, 5].sum() == 0 and out[15, 15].sum() == 0
    assert detection.draw_grid(np.zeros((50, 80, 3), np.uint8), 7, size=448).shape == (448, 448, 3)


def test_detection_table():
    assert detection.detection_table([]) == "(검출 없음)"
    table = detection.detection_table([{"label": "dog", "confidence": 0.94, "box": [1, 2, 3, 4]},
                                       {"label": "bicycle", "confidence": 0.9, "box": [5, 6, 7, 8]}])
    assert table.splitlines() == ["dog              94.0%   x=1 y=2 w=3 h=4",
                                  "bicycle          90.0%   x=5 y=6 w=7 h=8"]


def test_versus_book_gives_rows_for_the_one_book_table(env):
    from helpers._course.saved import book_table

    rows = detection.versus_book([{"label": "dog", "confidence": 0.94}, {"label": "car", "confidence": 0.8},
                                  {"label": "dog", "confidence": 0.5}])
    assert rows == [("bicycle", 0.996, None), ("dog", 0.998, 0.94), ("truck", 0.89, None), ("car", None, 0.8)]
    assert book_table(rows, title="부류", mode=False, missing="검출 안 됨").splitlines() == [
        "부류 | 책 (%) | 이번 실행 (%)", "---|---|---", "bicycle | 99.60 | 검출 안 됨", "dog | 99.80 | 94.00",
        "truck | 89.00 | 검출 안 됨", "car | — | 80.00"]
    assert [row[2] for row in detection.versus_book([])] == [None, None, None]
    assert not hasattr(detection, "compare_with_book"), "one book-comparison table: results.book_table"


# --------------------------------------------------------------------------- the benchmark times the lesson's input

def test_bench_yolo_times_the_lessons_input(fastest, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench", config.REPO_ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "YOLO_MODELS", ["yolo-fastest-1.1", "yolov3"])
    seen = []
    preprocess = detection.preprocess
    monkeypatch.setattr(detection, "preprocess", lambda img, size=448: seen.append((img.shape, size)) or
                        preprocess(img, size))
    rows = bench.bench_yolo(repeats=1)
    assert rows[0]["model"] == "yolo-fastest-1.1" and rows[0]["input"] == "448x448" and rows[0]["ms_per_forward"] > 0
    assert set(seen) == {((576, 768, 3), 448)} and len(seen) == 11   # dog.jpg at 448², warm-up + 10 runs
    assert rows[1] == {"model": "yolov3", "skipped": "yolov3.weights is not on disk (the benchmark downloads nothing)"}
