"""Convolution by hand (helpers.convolution): the loops equal Keras's Conv2D on a real digit,
and every output size is the formula's."""

import numpy as np
import pytest

from helpers.convolution import conv2d, output_size

VERTICAL_EDGE = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float32)


def _keras_conv(image, kernel, *, stride, padding):
    """Keras's Conv2D with one given kernel and no bias, on one 2-D image."""
    import keras

    layer = keras.layers.Conv2D(1, kernel.shape, strides=stride, padding=padding, use_bias=False)
    layer.build((None, *image.shape, 1))
    layer.set_weights([kernel.reshape(*kernel.shape, 1, 1).astype(np.float32)])
    return keras.ops.convert_to_numpy(layer(image[None, :, :, None].astype(np.float32)))[0, :, :, 0]


@pytest.fixture(scope="module")
def digit(needs):
    from helpers import data

    needs("mnist")
    (_, _), (x_test, _) = data.load_mnist()
    return x_test[0].astype(np.float32) / 255.0


@pytest.mark.parametrize("kernel_size,stride,padding,keras_padding", [
    (3, 1, 0, "valid"), (3, 2, 0, "valid"), (5, 1, 0, "valid"), (3, 1, 1, "same"), (5, 1, 2, "same"),
])
def test_loops_equal_keras_conv2d_on_a_real_digit(digit, kernel_size, stride, padding, keras_padding):
    kernel = np.random.default_rng(kernel_size + stride).normal(size=(kernel_size, kernel_size)).astype(np.float32)
    mine = conv2d(digit, kernel, stride=stride, padding=padding)
    theirs = _keras_conv(digit, kernel, stride=stride, padding=keras_padding)
    assert mine.shape == theirs.shape
    assert np.abs(mine).max() > 1.0  # the digit is not blank: the comparison means something
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-5)


def test_vertical_edge_kernel_answers_only_at_a_vertical_step():
    image = np.zeros((6, 6))
    image[:, 3:] = 1.0  # dark left half, bright right half
    response = conv2d(image, VERTICAL_EDGE)
    assert response.shape == (4, 4)
    np.testing.assert_array_equal(response, [[0, 3, 3, 0]] * 4)
    np.testing.assert_array_equal(conv2d(image, VERTICAL_EDGE.T), np.zeros((4, 4)))  # no horizontal edge


@pytest.mark.parametrize("n,h,stride,padding,expected", [
    (32, 5, 1, 0, 28), (14, 5, 1, 0, 10), (28, 3, 1, 0, 26), (28, 3, 2, 0, 13), (28, 3, 2, 1, 14),
    (28, 5, 1, 2, 28), (7, 7, 1, 0, 1), (32, 3, 3, 0, 10),
])
def test_output_size_formula(n, h, stride, padding, expected):
    assert output_size(n, h, stride=stride, padding=padding) == expected
    assert conv2d(np.ones((n, n)), np.ones((h, h)), stride=stride, padding=padding).shape == (expected, expected)


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel_size", [3, 5])
def test_keras_padding_sizes_follow_the_formula(stride, kernel_size):
    x = np.zeros((28, 28), np.float32)
    kernel = np.ones((kernel_size, kernel_size), np.float32)
    same = _keras_conv(x, kernel, stride=stride, padding="same").shape[0]
    valid = _keras_conv(x, kernel, stride=stride, padding="valid").shape[0]
    assert valid == output_size(28, kernel_size, stride=stride, padding=0)
    assert same == output_size(28, kernel_size, stride=stride, padding=(kernel_size - 1) // 2) == -(-28 // stride)


def test_conv2d_handmade_sums():
    image = np.arange(9).reshape(3, 3)
    np.testing.assert_array_equal(conv2d(image, [[1, 0], [0, 1]]), [[4, 6], [10, 12]])
    np.testing.assert_array_equal(conv2d(image, [[1]], stride=2), [[0, 2], [6, 8]])


def test_clear_errors():
    with pytest.raises(ValueError, match=r"2차원 영상 하나와 2차원 커널 하나.*image\[:, :, 0\]"):
        conv2d(np.zeros((4, 4, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="5화소 커널이 양쪽에 0씩 덧댄 2화소 안에 들어가지 않습니다.*padding을 2 이상"):
        output_size(2, 5)
    with pytest.raises(ValueError, match="stride=0"):
        output_size(28, 3, stride=0)
    with pytest.raises(ValueError, match="padding=-1"):
        output_size(28, 3, padding=-1)
    with pytest.raises(TypeError, match="n는 정수여야 합니다"):
        output_size(28.5, 3)
