"""helpers.modern_cnns: 표 6-1 recounted from keras.applications, and ResNet50's residual block."""

import json

import keras
import pytest

from helpers import modern_cnns
from helpers._course import config


@pytest.fixture(scope="module")
def resnet50():
    return keras.applications.ResNet50(weights=None, include_top=False, input_shape=(224, 224, 3))


def test_an_identity_block_adds_its_input_to_three_convolutions(resnet50):
    rows = modern_cnns.residual_block(resnet50, "conv2_block2")
    assert [row["type"] for row in rows] == ["Conv2D", "BatchNormalization", "Activation"] * 2 + [
        "Conv2D", "BatchNormalization", "Add", "Activation"]
    convs = [resnet50.get_layer(row["name"]) for row in rows if row["type"] == "Conv2D"]
    assert [(c.kernel_size, c.filters) for c in convs] == [((1, 1), 64), ((3, 3), 64), ((1, 1), 256)]
    add = rows[-2]
    assert add["inputs"] == ["conv2_block1_out", "conv2_block2_3_bn"]
    assert add["shape"] == resnet50.get_layer("conv2_block1_out").output.shape[1:] == (56, 56, 256)
    assert rows[0]["inputs"] == ["conv2_block1_out"]


def test_a_first_block_has_a_projection_shortcut(resnet50):
    rows = {row["name"]: row for row in modern_cnns.residual_block(resnet50, "conv2_block1")}
    assert rows["conv2_block1_add"]["inputs"] == ["conv2_block1_0_bn", "conv2_block1_3_bn"]
    assert rows["conv2_block1_0_conv"]["inputs"] == ["pool1_pool"] and rows["conv2_block1_0_conv"]["shape"] == (56, 56, 256)
    with pytest.raises(ValueError, match="no layers named conv9_block1"):
        modern_cnns.residual_block(resnet50, "conv9_block1")


def test_format_block_marks_the_shortcut(resnet50):
    text = modern_cnns.format_block(modern_cnns.residual_block(resnet50, "conv2_block2"))
    lines = text.splitlines()
    assert lines[0] == "층 | 종류 | 출력 모양 | 입력" and len(lines) == 12
    assert "conv2_block2_add | Add | 56×56×256 | conv2_block1_out (지름길) + conv2_block2_3_bn" in lines
    assert "conv2_block2_2_conv | Conv2D | 56×56×64 | conv2_block2_1_relu" in lines


def test_vgg16_from_its_layer_list_is_table6_1s_vgg16():
    rows = modern_cnns.vgg16_layers()
    saved = {r["model"]: r for r in modern_cnns.load_table6_1()["rows"]}["VGG16"]  # recounted from Keras
    assert sum(params for *_, params in rows) == saved["params"] == 138357544
    assert sum(params > 0 for *_, params in rows) == saved["layers_with_weights"] == 16
    assert rows[0] == ("3×3 conv, 64", (224, 224, 64), 3 * 3 * 3 * 64 + 64)
    assert [shape for name, shape, _ in rows if name.startswith("최대")][-1] == (7, 7, 512)
    figure = modern_cnns.plot_vgg16(rows)
    boxes = [text.get_text() for text in figure.axes[0].texts]
    assert len(figure.axes[0].patches) == 21 and boxes[:2] == ["3×3 conv, 64", "224×224"] and "FC 1000" in boxes


def test_the_inception_module_concatenates_256_channels():
    figure = modern_cnns.plot_inception_module()
    texts = [text.get_text() for text in figure.axes[0].texts]
    # GoogLeNet's Table 1 gives inception (3a) an output depth of 256 from a 28×28×192 input
    assert "이전 층 (28×28×192)" in texts and "채널 방향으로 이어 붙임 (28×28×256)" in texts
    assert len(figure.axes[0].patches) == 2 + 7 and "5×5 conv\n32개" in texts


def test_table6_1_cache_matches_keras_for_resnet50():
    table = modern_cnns.load_table6_1()
    assert [r["model"] for r in table["rows"]] == [r["model"] for r in modern_cnns.BOOK_TABLE_6_1]
    cached = {r["model"]: r for r in table["rows"]}["ResNet50"]
    assert modern_cnns.count_model("ResNet50") == cached
    assert cached["params"] == 25636712  # the book's figure, recomputed
    with pytest.raises(ValueError, match="keras.applications has no model 'ResNet51'"):
        modern_cnns.count_model("ResNet51")



def test_format_table6_1_flags_differences():
    text = modern_cnns.format_table6_1({"rows": [
        {"model": "Xception", "params": 1, "layers": 134, "layers_with_weights": 126},
        {"model": "VGG16", "params": 138357544, "layers": 22, "layers_with_weights": 16}]})
    xception, vgg16 = text.splitlines()[2:]
    assert "| 1 ≠ |" in xception and "| 126 |" in xception  # depth equals one of the counts
    assert "138,357,544 | 138,357,544 | 23 ≠ |" in vgg16
