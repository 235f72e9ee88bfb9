"""helpers.vis on small models built here: kernels, feature maps, the all-layers page, Grad-CAM."""

import keras
import numpy as np
import pytest
from keras import layers

from helpers import vis


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((5, 16, 16, 3)).astype(np.float32)


def test_normalize_maps_min_to_0_and_max_to_1_keeping_order():
    values = np.array([[-3.0, 1.0], [5.0, 0.5]])
    out = vis.normalize(values)
    assert out.min() == 0.0 and out.max() == 1.0
    assert np.array_equal(np.argsort(out, axis=None), np.argsort(values, axis=None))
    assert np.allclose(out, (values + 3) / 8)
    assert np.array_equal(vis.normalize(np.full((2, 2), 7.0)), np.zeros((2, 2)))


def test_get_layer_by_index_name_and_object(small_cnn):
    first = small_cnn.layers[0]
    assert vis.get_layer(small_cnn, 0) is first
    assert vis.get_layer(small_cnn, first.name) is first
    assert vis.get_layer(small_cnn, first) is first
    assert vis.get_layer(small_cnn, -1) is small_cnn.layers[-1]


def test_unknown_layer_name_lists_the_valid_ones(small_cnn):
    with pytest.raises(ValueError) as error:
        vis.get_layer(small_cnn, "conv2d_999")
    message = str(error.value)
    assert "conv2d_999" in message
    assert all(name in message for name in vis.layer_names(small_cnn))
    with pytest.raises(ValueError, match="out of range"):
        vis.get_layer(small_cnn, 7)
    with pytest.raises(ValueError, match="not a layer of this model"):
        vis.get_layer(small_cnn, layers.Dense(2))


def test_layer_selections(small_cnn):
    assert vis.conv_layers(small_cnn) == [0, 3]
    assert vis.map_layers(small_cnn) == [0, 1, 3]          # Dropout and Flatten left out


def test_unbuilt_sequential_gets_a_clear_error():
    model = keras.Sequential([layers.Conv2D(2, (3, 3))])
    with pytest.raises(ValueError, match="keras.Input"):
        vis.partial_model(model, 0)


def test_feature_maps_are_the_convolution_of_the_image(small_cnn, images):
    maps = vis.feature_maps(small_cnn, 0, images[1])
    assert maps.shape == (14, 14, 4)
    kernel, bias = small_cnn.layers[0].get_weights()
    expected = np.zeros((14, 14, 4), np.float32)
    for y in range(14):
        for x in range(14):
            patch = images[1][y:y + 3, x:x + 3, :]
            expected[y, x] = np.tensordot(patch, kernel, axes=3) + bias
    assert np.allclose(maps, np.maximum(expected, 0), atol=1e-5)
    batch = vis.feature_maps(small_cnn, small_cnn.layers[1].name, images)
    assert batch.shape == (5, 7, 7, 4)
    assert np.allclose(batch[1], maps.reshape(7, 2, 7, 2, 4).max(axis=(1, 3)), atol=1e-6)


def test_run_gives_the_same_maps_directly_and_through_predict(small_cnn):
    many = np.random.default_rng(1).random((40, 16, 16, 3)).astype(np.float32)
    part = vis.partial_model(small_cnn, 0)
    assert np.allclose(vis.run(part, many)[:3], vis.run(part, many[:3]), atol=1e-5)


def test_kernel_grid_layout_and_global_normalisation(small_cnn):
    figure = vis.plot_kernels(small_cnn, 0)
    assert len(figure.axes) == 3 * 4                        # 3 channels × 4 kernels
    assert figure.axes[0].get_title() == "0_0"
    kernel = vis.normalize(small_cnn.layers[0].get_weights()[0])
    for axes in figure.axes:
        i, j = map(int, axes.get_title().split("_"))
        shown = axes.get_images()[0].get_array()
        assert np.allclose(shown, kernel[:, :, j, i])
        assert 0.0 <= shown.min() and shown.max() <= 1.0
    assert figure.texts[0].get_text() == f"Kernels of {small_cnn.layers[0].name}"
    deeper = vis.plot_kernels(small_cnn, 3, n_kernel=5, n_channel=2)
    assert len(deeper.axes) == 2 * 5
    with pytest.raises(ValueError, match="no convolution kernel"):
        vis.plot_kernels(small_cnn, 1)


def test_feature_map_grid(small_cnn, images):
    maps = vis.feature_maps(small_cnn, 0, images[0])
    figure = vis.plot_feature_maps(maps, title="Feature maps")
    assert [a.get_title() for a in figure.axes] == ["map0", "map1", "map2", "map3"]
    assert np.array_equal(figure.axes[2].get_images()[0].get_array(), maps[:, :, 2])
    assert len(vis.plot_feature_maps(np.random.rand(30, 30, 32)).axes) == 32
    assert len(vis.plot_feature_maps(maps, channels=[1, 3]).axes) == 2
    with pytest.raises(ValueError, match="channels 0…3"):
        vis.plot_feature_maps(maps, channels=[2, 9])
    with pytest.raises(ValueError, match="maps\\[k\\]"):
        vis.plot_feature_maps(np.zeros((2, 14, 14, 4)))


def test_all_layers_page_has_one_row_per_map_layer(small_cnn, images):
    figure = vis.plot_all_layers(small_cnn, images[0], n_maps=3)
    assert len(figure.axes) == 3 * (1 + 3)
    labels = [a.get_ylabel() for a in figure.axes if a.get_ylabel()]
    assert labels == ["0: Conv2D\n14×14×4", "1: MaxPooling2D\n7×7×4", "3: Conv2D\n5×5×6"]


def _two_region_model():
    """Class 0 = total of channel 0, class 1 = total of channel 1 (through an identity 1×1 conv)."""
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 2)),
        layers.Conv2D(2, (1, 1), activation="relu"),
        layers.Flatten(),
        layers.Dense(2, activation="softmax"),
    ])
    model.layers[0].set_weights([np.eye(2, dtype=np.float32).reshape(1, 1, 2, 2), np.zeros(2, np.float32)])
    dense = np.zeros((8 * 8 * 2, 2), np.float32)
    dense[0::2, 0] = 1.0          # flattened (y, x, channel): channel 0 feeds class 0
    dense[1::2, 1] = 1.0
    model.layers[2].set_weights([dense, np.zeros(2, np.float32)])
    return model


def test_grad_cam_points_at_the_evidence_for_each_class():
    model = _two_region_model()
    image = np.zeros((8, 8, 2), np.float32)
    image[1:3, 1:3, 0] = 1.0      # evidence for class 0: top-left
    image[5:7, 5:7, 1] = 2.0      # evidence for class 1 (stronger): bottom-right
    heatmap, predicted, probabilities = vis.grad_cam(model, image)
    assert predicted == 1
    assert heatmap.shape == (8, 8) and heatmap.min() == 0.0 and heatmap.max() == 1.0
    assert np.unravel_index(heatmap.argmax(), heatmap.shape)[0] >= 5
    heatmap0, chosen, _ = vis.grad_cam(model, image, class_index=0)
    assert chosen == 0
    y, x = np.unravel_index(heatmap0.argmax(), heatmap0.shape)
    assert y < 4 and x < 4 and heatmap0[5:7, 5:7].max() == 0.0
    assert np.allclose(probabilities, model.predict(image[None], verbose=0)[0], atol=1e-5)


def test_grad_cam_on_the_small_cnn(small_cnn, images):
    heatmap, predicted, probabilities = vis.grad_cam(small_cnn, images[2])
    assert heatmap.shape == (16, 16)
    assert 0.0 <= heatmap.min() and heatmap.max() <= 1.0
    expected = small_cnn.predict(images[2:3], verbose=0)[0]
    assert predicted == int(np.argmax(expected))
    assert np.allclose(probabilities, expected, atol=1e-5)
    with pytest.raises(ValueError, match="one image"):
        vis.grad_cam(small_cnn, images[:2])


def test_grad_cam_needs_a_sequential(small_cnn):
    functional = keras.Model(small_cnn.inputs, small_cnn.outputs)
    with pytest.raises(TypeError, match="Sequential"):
        vis.grad_cam(functional, np.zeros((16, 16, 3)))


def test_grad_cam_figure(small_cnn, images):
    figure = vis.plot_grad_cam(small_cnn, images[:3], labels=np.array([[0], [2], [1]]),
                               class_names=["a", "b", "c"])
    assert len(figure.axes) == 6
    titles = [a.get_title() for a in figure.axes]
    assert [t for t in titles if t.startswith("true: ")] == ["true: a", "true: c", "true: b"]
    assert len([t for t in titles if t.startswith("pred: ")]) == 3
