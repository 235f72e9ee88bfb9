"""helpers.vision_tasks: 그림 6-18 as 6.8's first cell runs it — three real networks (MobileNetV2, the
notebook's YOLO, DeepLab v3) on one photo; the answers agree with each other, the figure's panels
show them, the text says them; photos by name.

Needs the model files and photos (offline assets or `make download`); skips with a reason without
them.  MobileNetV2 is converted once into a temporary cache.
"""

import shutil

import cv2
import numpy as np
import pytest

from helpers import detection, imagenet, segmentation, vision_tasks
from helpers._course import darknet_files, downloads



@pytest.fixture(scope="module")
def cache(tmp_path_factory, needs):
    """A temporary cache for the whole module (the converted MobileNetV2 goes there)."""
    needs("yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names", imagenet.MODEL_FILE, "imagenet_labels.txt",
          "deeplabv3_mnv2_pascal_quant.tflite", "pascal_voc_segmentation_labels.txt",
          "dog.jpg", "cat.png", "horses.jpg")
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CH6_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def yolo(cache):
    """프로그램 6-12's detector as the notebook loads it offline (Yolo-Fastest 1.1-XL), and its class names."""
    model = darknet_files.choose_model("yolo-fastest-1.1-xl", download=False)
    return detection.read_net(model.weights, model.cfg), detection.load_classes(model.names)


def _three(photo, yolo):
    """The notebook's cell: one photo read once, the same pixels to the three networks."""
    net, classes = yolo
    img = detection.load_image(vision_tasks.photo_path(photo))
    rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return img, imagenet.classify(rgb, k=5), detection.detect(net, img, classes).detections, segmentation.segment(rgb)


@pytest.fixture(scope="module")
def dog(yolo):
    return _three("dog.jpg", yolo)


def test_dog_jpg_the_three_answers_agree(dog):
    img, labels, boxes, class_map = dog
    top = [imagenet.labels().index(label) for label, _ in labels]
    assert len(labels) == 5 and any(151 <= i <= 268 for i in top), labels    # measured: malamute 26 %
    dogs = [box for box in boxes if box["label"] == "dog"]
    assert len(dogs) == 1 and dogs[0]["confidence"] > 0.85                          # measured: 94.0 %
    x, y, w, h = dogs[0]["box"]
    assert class_map.shape == img.shape[:2] == (576, 768) and class_map.dtype == np.uint8
    dog_pixels = class_map == segmentation.class_names().index("dog")
    assert dog_pixels.mean() > 0.03                                                  # measured: 7.8 % of the photo
    inside = dog_pixels[max(y, 0):y + h, max(x, 0):x + w].sum() / dog_pixels.sum()
    assert inside > 0.9, inside              # DeepLab's dog lies in YOLO's dog box (measured: 0.95)


def test_the_figure_has_the_books_three_captioned_panels(dog, yolo):
    img, labels, boxes, class_map = dog
    figure = vision_tasks.plot_three_tasks(img, labels, boxes, class_map, yolo[1], title="dog.jpg")
    axes = figure.axes
    assert [ax.get_xlabel() for ax in axes] == ["(a) 분류", "(b) 검출", "(c) 분할"]
    assert axes[0].get_title().startswith("malamute")                                # the top-1 label above (a)
    assert set(axes[1].get_title().split(", ")) == {b["label"] for b in boxes}
    assert [t.get_text().split()[0] for t in axes[2].get_legend().get_texts()] == ["bicycle", "dog", "car"]
    shown = [ax.images[0].get_array() for ax in axes]
    photo = img[..., ::-1]
    assert np.array_equal(shown[0], photo)                                           # (a) the photo itself
    x, y, w, h = boxes[0]["box"]
    assert not np.array_equal(shown[1][y, x:x + w], photo[y, x:x + w])               # (b) a box drawn on it
    assert np.array_equal(shown[2][class_map == 0], photo[class_map == 0])           # (c) tinted objects only
    assert figure._suptitle.get_text() == "그림 6-18 컴퓨터 비전의 세 가지 문제 — dog.jpg"


def test_format_answers_says_the_three_answers(dog, capsys):
    _, labels, boxes, class_map = dog
    lines = vision_tasks.format_answers(labels, boxes, class_map).splitlines()
    assert capsys.readouterr().out == ""
    assert lines[0] == "(a) 분류 — ImageNet 1000부류 중 상위 5개" and lines[1].split()[0] == "malamute,"
    assert "(b) 검출 — 신뢰도 > 0.5, NMS 0.4: 바운딩 박스 3개" in lines
    assert "(c) 분할 — 화소마다 PASCAL VOC 21부류 중 하나 (신경망의 출력 513×513 → 사진 크기 768×576)" in lines
    assert lines[-1].startswith("    background ") and "dog " in lines[-1]


def test_another_photo_from_images(yolo):
    _, labels, boxes, class_map = _three("cat.png", yolo)
    assert labels[0][0] == "Egyptian cat" and [b["label"] for b in boxes] == ["cat"]
    assert class_map.shape == (341, 512) and dict(segmentation.class_shares(class_map))["cat"] > 0.3


def test_photos_by_name_and_by_path(cache, tmp_path):
    assert vision_tasks.photo_path("cat.png") == downloads.fetch("cat.png")
    assert vision_tasks.photo_path("horses.jpg") == darknet_files.darknet_file("horses.jpg")
    korean = tmp_path / "사진" / "고양이.png"
    korean.parent.mkdir()
    shutil.copy(downloads.fetch("cat.png"), korean)
    assert vision_tasks.photo_path(korean) == korean
    with pytest.raises(FileNotFoundError, match=r"사진을 찾지 못했습니다\('yolo_test\.jpg'\): .*\(dog\.jpg, person\.jpg"):
        vision_tasks.photo_path("yolo_test.jpg")
