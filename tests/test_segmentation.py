"""helpers.segmentation: DeepLab v3 (PASCAL VOC) through the LiteRT interpreter on the real file and
photos; the padded input, class shares, colours, overlay and legend; missing and wrong model files.

The photos and the model come from the offline assets or `make download`; without them the tests skip
with a reason.
"""

import shutil

import numpy as np
import pytest
from PIL import Image

from helpers import segmentation
from helpers._course import downloads


@pytest.fixture(scope="module")
def images(needs):
    needs("bird_segmentation.png", "bird_segmentation_mask.png", "dog.jpg", segmentation._MODEL_FILE,
          segmentation._LABELS_FILE, "tf2_mobilenet_v2_1.0_224_ptq.tflite")
    return downloads.fetch("bird_segmentation.png").parent


@pytest.fixture(scope="module")
def bird(images):
    return segmentation.segment(images / "bird_segmentation.png")


def test_class_names_are_the_21_voc_classes_without_the_note(images):
    names = segmentation.class_names()
    assert len(names) == 21 and names[0] == "background" and names[-1] == "tvmonitor"
    assert names.index("bird") == 3 and names.index("dog") == 12 and names.index("person") == 15
    assert not any("255" in name for name in names)


def test_the_bird_is_labelled_bird_and_its_foreground_matches_the_mask(images, bird):
    mask = np.asarray(Image.open(images / "bird_segmentation_mask.png")) > 0
    assert bird.shape == mask.shape == (513, 513) and bird.dtype == np.uint8
    shares = segmentation.class_shares(bird)
    assert shares[0][0] == "background" and shares[1][0] == "bird"
    foreground = bird > 0
    assert (bird[foreground] == 3).mean() > 0.95                # the foreground is bird, not another class
    iou = (foreground & mask).sum() / (foreground | mask).sum()
    assert iou >= 0.85, iou                                      # measured: 0.917


def test_dog_jpg_has_dog_pixels_where_the_photo_is(images):
    photo = downloads.fetch("dog.jpg")
    classes = segmentation.segment(photo)
    assert classes.shape == (576, 768)                           # the photo's own size
    shares = dict(segmentation.class_shares(classes))
    assert shares.get("dog", 0) > 0.02, shares                   # measured: 0.078 (and bicycle 0.086, car 0.029)
    assert abs(sum(shares.values()) - 1) < 1e-9


def test_deeplab_input_keeps_the_aspect_ratio_and_pads_with_grey(images):
    canvas, (height, width) = segmentation._deeplab_input(np.full((200, 100, 3), 7, np.uint8))
    assert canvas.shape == (513, 513, 3) and canvas.dtype == np.uint8
    assert (height, width) == (513, 256)
    assert np.all(canvas[:, :256] == 7) and np.all(canvas[:, 256:] == 128)   # 128: the value DeepLab reads as 0


def test_class_shares_count_pixels(images):
    classes = np.array([[0, 0, 0, 3], [0, 0, 12, 12]])
    assert segmentation.class_shares(classes) == [("background", 0.625), ("dog", 0.25), ("bird", 0.125)]


def test_colour_map_is_the_pascal_one(images):
    colours = segmentation._COLOURS
    assert colours.shape == (256, 3) and colours.dtype == np.uint8
    assert colours[1].tolist() == [128, 0, 0] and colours[2].tolist() == [0, 128, 0]
    assert colours[3].tolist() == [128, 128, 0] and colours[12].tolist() == [64, 0, 128]
    assert colours[15].tolist() == [192, 128, 128] and colours[20].tolist() == [0, 64, 128]
    assert len({tuple(c) for c in colours[:21]}) == 21


def test_the_picture_tints_only_the_classes_and_checks_the_size(images, bird):
    photo = np.asarray(Image.open(images / "bird_segmentation.png").convert("RGB"))
    figure = segmentation.plot_segmentation(photo, bird)
    tinted = figure.axes[0].images[0].get_array()
    assert tinted.shape == photo.shape and tinted.dtype == np.uint8
    assert np.array_equal(tinted[bird == 0], photo[bird == 0])
    expected = np.round(0.4 * photo[bird == 3] + 0.6 * np.array([128, 128, 0])).astype(np.uint8)
    assert np.abs(tinted[bird == 3].astype(int) - expected).max() <= 1
    with pytest.raises(ValueError, match=r"부류 지도의 크기 \(100, 513\)가 사진의 크기 \(513, 513\)와 다릅니다"):
        segmentation.plot_segmentation(photo, bird[:100])


def test_the_legend_lists_the_coloured_classes_in_their_colours(images, bird):
    figure = segmentation.plot_segmentation(images / "bird_segmentation.png", bird)
    (entry,) = figure.axes[0].get_legend().legend_handles
    assert entry.get_label() == "bird 21%"                                  # measured share: 0.212
    assert tuple(entry.get_facecolor()[:3]) == (128 / 255, 128 / 255, 0.0)


def test_plot_segmentation_draws_into_a_given_axes(images, bird):
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2)
    returned = segmentation.plot_segmentation(images / "bird_segmentation.png", bird, ax=right)
    assert returned is figure
    assert [t.get_text() for t in right.get_legend().get_texts()] == ["bird 21%"]
    assert right.images[0].get_array().shape == (513, 513, 3) and not left.images
    alone = segmentation.plot_segmentation(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), np.uint8))
    assert alone.axes[0].get_legend() is None                   # background only: nothing to list


def test_a_wrong_model_file_gets_a_clear_error(images, tmp_path, env):
    folder = tmp_path / "pretrained"
    folder.mkdir()
    shutil.copy(downloads.fetch("tf2_mobilenet_v2_1.0_224_ptq.tflite"), folder / segmentation._MODEL_FILE)
    shutil.copy(downloads.fetch(segmentation._LABELS_FILE), folder / segmentation._LABELS_FILE)
    env(CH6_PRETRAINED_DIR=folder, CH6_CACHE_DIR=tmp_path / "cache", CH6_DOWNLOAD_DIR=tmp_path / "cache")
    with pytest.raises(downloads.DownloadError) as error:
        segmentation.segment(images / "bird_segmentation.png")
    assert f"is not the expected {segmentation._MODEL_FILE}" in str(error.value) and "Delete it" in str(error.value)


def test_a_missing_model_file_says_where_to_put_it(images, tmp_path, env, monkeypatch):
    folder = tmp_path / "pretrained"
    folder.mkdir()
    entry = downloads.REGISTRY[segmentation._MODEL_FILE]
    nowhere = (tmp_path / "no-server" / segmentation._MODEL_FILE).as_uri()     # a source that fails at once
    monkeypatch.setitem(downloads.REGISTRY, segmentation._MODEL_FILE, entry._replace(sources=(nowhere,)))
    env(CH6_PRETRAINED_DIR=folder, CH6_CACHE_DIR=tmp_path / "cache", CH6_DOWNLOAD_DIR=tmp_path / "cache")
    with pytest.raises(downloads.DownloadError) as error:
        segmentation.segment(np.zeros((10, 10, 3), np.uint8))
    message = str(error.value)
    assert f"could not download {segmentation._MODEL_FILE}" in message and f"put the file in {folder}" in message
    assert not any((tmp_path / "cache").rglob("*.tflite"))
