"""helpers.vision_tasks: 그림 6-18 on real photos with the three real networks (MobileNetV2, the
notebook's YOLO, DeepLab v3); the answers as data, the figure's panels, photos by name, and
missing or wrong model files named by the panel they were for.

Needs the model files and photos (offline assets or `make download`); skips with a reason without
them.  MobileNetV2 is converted once into a temporary cache.
"""

import shutil

import numpy as np
import pytest

from helpers import darknet, detection, imagenet, segmentation, vision_tasks
from helpers._course import config, downloads

PRETRAINED = (imagenet.MODEL_FILE, imagenet.LABELS_FILE, segmentation.MODEL_FILE, segmentation.LABELS_FILE)


@pytest.fixture(scope="module")
def cache(tmp_path_factory, needs):
    """A temporary cache for the whole module (the converted MobileNetV2 goes there)."""
    needs(*PRETRAINED, "yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names", "dog.jpg", "cat.png",
          "horses.jpg", "tf2_mobilenet_v2_1.0_224_ptq.tflite")
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CH6_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def yolo(cache):
    """프로그램 6-12's detector as the notebook loads it offline (Yolo-Fastest 1.1-XL), and its class names."""
    model = darknet.resolve_model("yolo-fastest-1.1-xl", download=False)
    return detection.read_net(model.weights, model.cfg), darknet.load_classes(model.names)


@pytest.fixture(scope="module")
def dog(yolo):
    return vision_tasks.three_tasks("dog.jpg", *yolo)


def test_dog_jpg_the_three_answers(dog):
    names = imagenet.labels()
    top = [names.index(label) for label, _ in dog.labels]
    assert len(dog.labels) == 5 and any(i in imagenet.DOG_CLASSES for i in top), dog.labels   # measured: malamute 26 %
    probabilities = [p for _, p in dog.labels]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1 + 1e-6
    dogs = [box for box in dog.boxes if box["label"] == "dog"]
    assert len(dogs) == 1 and dogs[0]["confidence"] > 0.85                # measured: 94.0 %
    x, y, w, h = dogs[0]["box"]
    assert dog.class_map.shape == (576, 768) and dog.class_map.dtype == np.uint8
    dog_pixels = dog.class_map == segmentation.class_names().index("dog")
    assert dog_pixels.mean() > 0.03                                        # measured: 7.8 % of the photo
    inside = dog_pixels[max(y, 0):y + h, max(x, 0):x + w].sum() / dog_pixels.sum()
    assert inside > 0.9, inside              # DeepLab's dog lies in YOLO's dog box (measured: 0.95)
    assert dog.network_map == (513, 513) and dog.thresholds == (0.5, 0.4)


def test_the_boxes_are_the_detectors_own(yolo, dog):
    net, classes = yolo
    img = detection.load_image(darknet.darknet_file("dog.jpg"))
    assert dog.boxes == detection.detect(net, img, classes).detections
    strict = vision_tasks.three_tasks("dog.jpg", net, classes, conf_threshold=0.9, k=3)
    assert len(strict.labels) == 3 and {b["label"] for b in strict.boxes} < {b["label"] for b in dog.boxes}


def test_the_figure_has_the_books_three_captioned_panels(dog):
    axes = dog.figure.axes
    assert [ax.get_xlabel() for ax in axes] == ["(a) 분류", "(b) 검출", "(c) 분할"]
    assert axes[0].get_title().startswith("malamute")                     # the top-1 label above (a)
    assert set(axes[1].get_title().split(", ")) == {b["label"] for b in dog.boxes}
    assert [t.get_text().split()[0] for t in axes[2].get_legend().get_texts()] == ["bicycle", "dog", "car"]
    shown = [ax.images[0].get_array() for ax in axes]
    assert all(image.shape == (576, 768, 3) for image in shown)
    photo = detection.load_image(darknet.darknet_file("dog.jpg"))[..., ::-1]
    assert np.array_equal(shown[0], photo)                                # (a) the photo itself
    x, y, w, h = dog.boxes[0]["box"]
    assert not np.array_equal(shown[1][y, x:x + w], photo[y, x:x + w])      # (b) a box drawn on it
    assert np.array_equal(shown[2][dog.class_map == 0], photo[dog.class_map == 0])   # (c) tinted objects only


def test_describe_prints_the_three_answers(dog, capsys):
    text = vision_tasks.describe(dog)
    assert capsys.readouterr().out == ""
    lines = text.splitlines()
    assert lines[0] == "(a) 분류 — ImageNet 1000부류 중 상위 5개" and lines[1].split()[0] == "malamute,"
    assert "(b) 검출 — 신뢰도 > 0.5, NMS 0.4: 상자 3개" in lines
    assert "(c) 분할 — 화소마다 PASCAL VOC 21부류 중 하나 (신경망의 출력 513×513 → 사진 크기 768×576)" in lines
    assert lines[-1].startswith("    background ") and "dog " in lines[-1]


def test_photos_by_name_and_by_path(cache, tmp_path):
    names = vision_tasks.photo_names()
    assert names[:7] == list(darknet.SAMPLE_IMAGES) and "cat.png" in names and "bird_segmentation_mask.png" not in names
    assert vision_tasks.photo_path("cat.png") == downloads.fetch("cat.png")
    assert vision_tasks.photo_path("horses.jpg") == darknet.darknet_file("horses.jpg")
    korean = tmp_path / "사진" / "고양이.png"
    korean.parent.mkdir()
    shutil.copy(downloads.fetch("cat.png"), korean)
    assert vision_tasks.photo_path(korean) == korean
    with pytest.raises(FileNotFoundError, match=r"no photo 'yolo_test\.jpg'.*known by name \(dog\.jpg, person\.jpg"):
        vision_tasks.photo_path("yolo_test.jpg")


def test_another_photo_from_images(yolo):
    cat = vision_tasks.three_tasks("cat.png", *yolo)
    assert cat.labels[0][0] == "Egyptian cat" and [b["label"] for b in cat.boxes] == ["cat"]
    assert cat.class_map.shape == (341, 512) and dict(segmentation.class_shares(cat.class_map))["cat"] > 0.3


def test_a_detector_with_the_wrong_class_names_is_refused(yolo):
    net, classes = yolo
    with pytest.raises(ValueError, match=r"outputs have \[85\] numbers per box but 20 class names give 25 .*coco\.names"):
        vision_tasks.three_tasks("dog.jpg", net, classes[:20])


def _pretrained(tmp_path, monkeypatch, env, files):
    """A pretrained folder with only ``files`` (name → source path); every other file fails to download at once."""
    folder = tmp_path / "pretrained"
    folder.mkdir()
    for name, source in files.items():
        shutil.copy(source, folder / name)
    for name in PRETRAINED:
        nowhere = (tmp_path / "no-server" / name).as_uri()
        monkeypatch.setitem(downloads.REGISTRY, name, downloads.REGISTRY[name]._replace(sources=(nowhere,)))
    env(CH6_PRETRAINED_DIR=folder, CH6_DOWNLOAD_DIR=tmp_path / "downloads")
    return folder


def test_a_missing_segmentation_model_names_its_panel(yolo, tmp_path, monkeypatch, env):
    folder = _pretrained(tmp_path, monkeypatch, env,
                         {name: downloads.fetch(name) for name in PRETRAINED if name != segmentation.MODEL_FILE})
    with pytest.raises(downloads.DownloadError) as error:
        vision_tasks.three_tasks("dog.jpg", *yolo)
    message = str(error.value)
    assert message.startswith("그림 6-18 (c) 분할 (DeepLab v3, PASCAL VOC): ")
    assert f"could not download {segmentation.MODEL_FILE}" in message and f"put the file in {folder}" in message
    assert error.value.failures and not any(config.download_dir().rglob("*.tflite"))


def test_a_wrong_segmentation_model_names_its_panel(yolo, tmp_path, monkeypatch, env):
    files = {name: downloads.fetch(name) for name in PRETRAINED}
    files[segmentation.MODEL_FILE] = downloads.fetch(imagenet.MODEL_FILE)      # the classifier under DeepLab's name
    _pretrained(tmp_path, monkeypatch, env, files)
    with pytest.raises(downloads.DownloadError, match=r"^그림 6-18 \(c\) 분할 .*is not the expected "
                                                      r"deeplabv3_mnv2_pascal_quant\.tflite.*Delete it"):
        vision_tasks.three_tasks("dog.jpg", *yolo)


def test_missing_classifier_files_name_their_panel(yolo, tmp_path, monkeypatch, env):
    folder = _pretrained(tmp_path, monkeypatch, env, {})
    with pytest.raises(downloads.DownloadError) as error:
        vision_tasks.three_tasks("dog.jpg", *yolo)
    message = str(error.value)
    assert message.startswith("그림 6-18 (a) 분류 (MobileNetV2, ImageNet): ") and f"put the file in {folder}" in message
