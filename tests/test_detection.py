"""helpers.detection: real detections with real Yolo-Fastest weights, the book's steps against the
book's own lines, decode/NMS on synthetic outputs with known answers, mistakes against what a photo
shows, Korean file names, bad images, and the benchmark timing the lesson's input."""

import importlib.util
import shutil

import cv2
import numpy as np
import pytest

from helpers import detection
from helpers._course import config, darknet_files


@pytest.fixture(scope="module")
def fastest(needs):
    """Yolo-Fastest 1.1-XL (real COCO weights) read as the book reads YOLOv3, and the class names."""
    needs("yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names", "dog.jpg", "person.jpg", "horses.jpg")
    model = darknet_files.choose_model("yolo-fastest-1.1-xl", download=False)
    return cv2.dnn.readNet(str(model.weights), str(model.cfg)), detection.load_classes(model.names)


@pytest.fixture(scope="module")
def dog(fastest):
    return detection.load_image(darknet_files.darknet_file("dog.jpg"))


def _best(result, label):
    return max((d["confidence"] for d in result.detections if d["label"] == label), default=0.0)


# --------------------------------------------------------------------------- real detections

@pytest.mark.parametrize("image, label, floor", [
    ("dog.jpg", "dog", 0.85), ("dog.jpg", "bicycle", 0.85),
    ("person.jpg", "person", 0.90), ("horses.jpg", "horse", 0.80),
])
def test_real_weights_find_the_objects(fastest, image, label, floor):
    net, classes = fastest
    img = detection.load_image(darknet_files.darknet_file(image))
    result = detection.detect(net, img, classes)
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
    candidates = detection.decode(output3, width, height, conf_threshold=0.5)
    assert [c["box"] for c in candidates] == boxes and [c["confidence"] for c in candidates] == confidences
    assert [c["class_id"] for c in candidates] == [int(c) for c in class_ids]
    for c in candidates:                                # each candidate names the row it was read from
        vec85 = output3[c["output"]][c["row"]]
        assert vec85[5 + c["class_id"]] == pytest.approx(c["confidence"]) and vec85[4] >= c["confidence"]
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
    candidates = detection.decode([scale1, scale2], width=200, height=100)
    assert [c["box"] for c in candidates] == [[80, 30, 40, 40], [0, 50, 100, 50]]
    assert [(c["class_id"], c["output"], c["row"]) for c in candidates] == [(16, 0, 0), (1, 1, 0)]
    assert [c["confidence"] for c in candidates] == pytest.approx([0.9, 0.6])
    assert detection.decode([scale1, scale2], 200, 100, conf_threshold=0.95) == []
    assert [c["row"] for c in detection.decode([scale1], 200, 100, conf_threshold=0.2)] == [0, 1]


def _outputs(*boxes):
    """One output layer whose rows are [x, y, w, h] fractions of a 100×100 image with (class, score)."""
    return [np.stack([_row(x + w / 2, y + h / 2, w, h, class_id, score) for (x, y, w, h), class_id, score in boxes])]


def test_nms_keeps_the_best_of_overlapping_boxes():
    img, classes = np.zeros((100, 100, 3), np.uint8), ["person", "bicycle"]
    outputs = _outputs(((0.1, 0.1, 0.5, 0.5), 0, 0.8), ((0.12, 0.12, 0.5, 0.5), 0, 0.95),
                       ((0.7, 0.7, 0.2, 0.2), 1, 0.7), ((0.0, 0.0, 0.05, 0.05), 0, 0.3))
    result = detection.detect(None, img, classes, outputs=outputs)
    assert [(d["row"], d["label"]) for d in result.detections] == [(1, "person"), (2, "bicycle")]
    assert result.candidates == 3 and result.seconds is None
    assert len(detection.detect(None, img, classes, nms_threshold=0.99, outputs=outputs).detections) == 3
    assert detection.detect(None, img, classes, conf_threshold=0.99, outputs=outputs).detections == []


@pytest.mark.parametrize("returned", [np.array([[1], [0]]), np.array([1, 0]), ()])
def test_nms_is_flat_whatever_opencv_returns(monkeypatch, returned):
    monkeypatch.setattr(cv2.dnn, "NMSBoxes", lambda *args: returned)
    outputs = _outputs(((0.1, 0.1, 0.5, 0.5), 0, 0.8), ((0.12, 0.12, 0.5, 0.5), 0, 0.95))
    result = detection.detect(None, np.zeros((100, 100, 3), np.uint8), ["person"], outputs=outputs)
    assert sorted(d["row"] for d in result.detections) == sorted(np.ravel(returned).tolist())


def test_colors_are_seeded(env):
    assert np.array_equal(detection.class_colors(80), detection.class_colors(80))
    first = detection.class_colors(80)
    env(CH6_SEED="7")
    assert not np.array_equal(detection.class_colors(80), first)          # the project's seed decides
    assert detection.class_colors(3).shape == (3, 3) and (detection.class_colors(80) < 255).all()


def test_draw_detections_draws_each_box_in_its_class_colour():
    img = np.zeros((200, 200, 3), np.uint8)
    found = [{"label": "bicycle", "class_id": 1, "confidence": 0.9, "box": [10, 10, 50, 50]}]
    colors = np.array([[0, 0, 255], [0, 255, 0]], float)
    out = detection.draw_detections(img, found, ["person", "bicycle"], colors)
    assert img.sum() == 0, "the input image must not be drawn on"
    assert out[10, 10:60].tolist() == [[0, 255, 0]] * 50           # the box in its class's colour
    assert not out[115:170, 115:170].any()                          # nothing where nothing was kept
    assert not detection.draw_detections(img, [], ["person"]).any()


def test_mistakes_against_what_the_photo_shows():
    found = [{"label": "horse"}, {"label": "cow"}, {"label": "truck"}]
    assert detection.mistakes(found, [("horse",), ("car", "truck"), ("dog",)]) == ([{"label": "cow"}], [("dog",)])
    assert detection.mistakes([], [("bird",)]) == ([], [("bird",)])
    assert detection.mistakes(found[:1], [("horse",)]) == ([], [])


def test_the_quick_mode_detector_mislabels_a_horse_in_horses_jpg(fastest):
    """What 6.8's 그림 6-21 cell shows offline, measured: Yolo-Fastest 1.1-XL calls one of the horses a cow."""
    net, classes = fastest
    result = detection.detect(net, detection.load_image(darknet_files.darknet_file("horses.jpg")), classes)
    wrong, missed = detection.mistakes(result.detections, darknet_files.SAMPLE_PHOTOS["horses.jpg"])
    assert [d["label"] for d in wrong] == ["cow"] and missed == []           # measured: cow 76.1 %
    vec85 = result.outputs[wrong[0]["output"]][wrong[0]["row"]]
    assert vec85[5 + classes.index("horse")] > 0.5                           # its second choice: horse (measured 0.61)


# --------------------------------------------------------------------------- files: Korean names, bad images

def test_korean_file_names_read_and_write_without_cv2_imread(fastest, dog, tmp_path, monkeypatch):
    folder = tmp_path / "사진"
    folder.mkdir()
    shutil.copy(darknet_files.darknet_file("dog.jpg"), folder / "개.jpg")
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
    model = darknet_files.choose_model("yolo-fastest-1.1-xl", download=False)
    folder = tmp_path / "사용자" / "모델"
    folder.mkdir(parents=True)
    for source, name in ((model.cfg, "욜로.cfg"), (model.weights, "욜로.weights")):
        shutil.copy(source, folder / name)
    from_bytes = detection.read_net(folder / "욜로.weights", folder / "욜로.cfg")
    ours, books = detection.forward(from_bytes, dog)[0], detection.forward(net, dog)[0]
    assert [o.shape for o in ours] == [(588, 85), (2352, 85)]     # 14×14×3 and 28×28×3 at 448²
    assert all(np.array_equal(a, b) for a, b in zip(ours, books))     # the same network as cv2.dnn.readNet's


def test_read_net_says_when_the_files_are_not_one_model(fastest, tmp_path):
    model = darknet_files.choose_model("yolo-fastest-1.1", download=False)
    odd = tmp_path / "odd.cfg"
    odd.write_text(model.cfg.read_text() + "\n[mystery]\nsize=1\n")
    with pytest.raises(ValueError, match=r"OpenCV가 odd\.cfg, yolo-fastest-1\.1\.weights 파일로 신경망을 만들지 못합니다: "
                                         r"한 모델의 cfg와 weights 파일을 함께 쓰세요"):
        detection.read_net(model.weights, odd)


def test_missing_image_names_the_file_and_the_images_there(fastest):
    folder = darknet_files.darknet_file("dog.jpg").parent
    with pytest.raises(FileNotFoundError, match=r"영상 파일이 없습니다: .*yolo_test\.jpg\. 파일 이름과 폴더를 확인하세요 "
                                                r"\(그 폴더의 영상: dog\.jpg"):
        detection.load_image(folder / "yolo_test.jpg")


@pytest.mark.parametrize("content", [b"not really a picture", b"", "damaged header"])
def test_corrupt_image_says_it_cannot_be_decoded(fastest, tmp_path, content):
    fake = tmp_path / "사진.jpg"
    if content == "damaged header":
        data = bytearray(darknet_files.darknet_file("dog.jpg").read_bytes())
        data[:64] = b"\0" * 64
        content = bytes(data)
    fake.write_bytes(content)
    with pytest.raises(ValueError, match=rf"사진\.jpg: 있지만 OpenCV가 영상으로 풀지 못합니다\({len(content):,}바이트\)"):
        detection.load_image(fake)


def test_save_image_refuses_what_it_cannot_encode_and_leaves_nothing(tmp_path):
    img = np.full((8, 8, 3), 200, np.uint8)
    with pytest.raises(ValueError, match=r"OpenCV는 '\.xyz' 영상을 쓰지 못합니다"):
        detection.save_image(img, tmp_path / "out" / "result.xyz")
    with pytest.raises(ValueError, match=r"영상 배열이 아닙니다"):
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
    blob = cv2.dnn.blobFromImage
    monkeypatch.setattr(cv2.dnn, "blobFromImage", lambda img, *args, **kwargs: seen.append((img.shape, args[1])) or
                        blob(img, *args, **kwargs))
    rows = bench.bench_yolo(repeats=1)
    assert rows[0]["model"] == "yolo-fastest-1.1" and rows[0]["input"] == "448x448" and rows[0]["ms_per_forward"] > 0
    assert set(seen) == {((576, 768, 3), (448, 448))} and len(seen) == 11   # dog.jpg at 448², warm-up + 10 runs
    assert rows[1]["model"] == "yolov3" and rows[1]["skipped"].startswith("not on disk (the benchmark downloads nothing)")
