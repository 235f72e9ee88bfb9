"""helpers.vis and helpers.gradcam: on small models built here (exact answers), and on the real
ImageNet MobileNetV2 of helpers.imagenet with real photos (skipped, with the reason, without the
offline assets): kernels, feature maps, the several-layers page, Grad-CAM."""

import keras
import matplotlib
import numpy as np
import pytest
from keras import layers

from helpers import gradcam, imagenet, vis
from helpers._course import config, downloads



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
    assert vis.get_layer(small_cnn, 0) is vis.get_layer(small_cnn, first.name) is vis.get_layer(small_cnn, first) is first
    assert vis.get_layer(small_cnn, -1) is small_cnn.layers[-1]


def test_unknown_layers_get_errors_that_say_what_there_is(small_cnn):
    with pytest.raises(ValueError) as error:
        vis.get_layer(small_cnn, "conv2d_999")
    assert "'conv2d_999'라는 층이 없습니다" in str(error.value)
    assert all(layer.name in str(error.value) for layer in small_cnn.layers)
    with pytest.raises(ValueError, match="0…5번"):
        vis.get_layer(small_cnn, 7)
    with pytest.raises(ValueError, match="이 모델의 층이 아닙니다"):
        vis.get_layer(small_cnn, layers.Dense(2))


def test_map_layers_are_the_conv_and_pooling_layers_or_the_chosen_ones(small_cnn):
    assert vis.map_layers(small_cnn) == [0, 1, 3]              # Dropout and Flatten left out
    assert vis.map_layers(small_cnn, [small_cnn.layers[3].name, 0]) == [3, 0]
    with pytest.raises(ValueError, match="특징 맵이 아닙니다"):
        vis.map_layers(small_cnn, [4])
    functional = keras.Model(small_cnn.inputs, small_cnn.outputs)
    assert type(functional.layers[0]).__name__ == "InputLayer"
    assert [functional.layers[i] for i in vis.map_layers(functional)] == [small_cnn.layers[i] for i in (0, 1, 3)]


def test_an_unbuilt_sequential_gets_a_clear_error():
    with pytest.raises(ValueError, match="keras.Input"):
        vis.partial_model(keras.Sequential([layers.Conv2D(2, (3, 3))]), 0)


def test_feature_maps_are_the_convolution_of_the_image(small_cnn, images):
    maps = vis.feature_maps(small_cnn, 0, images[1])
    assert maps.shape == (14, 14, 4)
    kernel, bias = small_cnn.layers[0].get_weights()
    expected = np.zeros((14, 14, 4), np.float32)
    for y in range(14):
        for x in range(14):
            expected[y, x] = np.tensordot(images[1][y:y + 3, x:x + 3, :], kernel, axes=3) + bias
    assert np.allclose(maps, np.maximum(expected, 0), atol=1e-5)
    pooled, again = vis.feature_maps(small_cnn, [small_cnn.layers[1].name, 0], images[1])
    assert np.allclose(pooled, maps.reshape(7, 2, 7, 2, 4).max(axis=(1, 3)), atol=1e-6)
    assert np.allclose(again, maps, atol=1e-6)


def test_a_reloaded_sequential_gives_its_maps_and_grad_cam(small_cnn, images, tmp_path):
    """A Sequential loaded from a .keras file keeps a trace per layer added, so its layers' outputs
    come from different graphs (Grad-CAM's gradient was None); partial_model traces it once more."""
    small_cnn.save(tmp_path / "small.keras")
    loaded = keras.models.load_model(tmp_path / "small.keras")
    assert np.allclose(vis.feature_maps(loaded, [0, 3], images[0])[1], vis.feature_maps(small_cnn, 3, images[0]), atol=1e-5)
    heatmap, predicted, _ = gradcam.grad_cam(loaded, images[0])
    expected, label, _ = gradcam.grad_cam(small_cnn, images[0])
    assert predicted == label and np.allclose(heatmap, expected, atol=1e-5)


def test_kernel_grid_layout_and_global_normalisation(small_cnn):
    figure = vis.plot_kernels(small_cnn, 0)
    assert len(figure.axes) == 3 * 4                        # 3 channels × 4 kernels
    assert figure.axes[0].get_title() == "0_0" and figure.axes[5].get_title() == "1_1"
    kernel = vis.normalize(small_cnn.layers[0].get_weights()[0])
    for axes in figure.axes:
        i, j = map(int, axes.get_title().split("_"))
        image = axes.get_images()[0]
        assert np.allclose(image.get_array(), kernel[:, :, j, i]) and image.get_clim() == (0, 1)
    assert figure.texts[0].get_text() == f"{small_cnn.layers[0].name}의 커널 (층 전체로 정규화한 밝기)"
    assert len(vis.plot_kernels(small_cnn, 3).axes) == 3 * 6   # 4 input channels: the first 3 drawn
    with pytest.raises(ValueError, match="컨볼루션 커널이 없습니다"):
        vis.plot_kernels(small_cnn, 1)


def test_all_layers_page_has_one_row_per_map_layer(small_cnn, images):
    figure = vis.plot_all_layers(small_cnn, images[0], n_maps=3)
    assert len(figure.axes) == 3 * (1 + 3)
    labels = [a.get_ylabel() for a in figure.axes if a.get_ylabel()]
    assert labels == ["0: Conv2D\n14×14×4", "1: MaxPooling2D\n7×7×4", "3: Conv2D\n5×5×6"]
    assert [a.get_title() for a in figure.axes[:4]] == ["입력", "map0", "map1", "map2"]
    wide = vis.plot_all_layers(small_cnn, images[0], n_maps=5)       # 4 maps in layers 0 and 1: empty cells
    assert len(wide.axes) == 3 * 1 + 4 + 4 + 5


def test_rgb_kernels_scale_each_kernel_around_grey():
    conv = layers.Conv2D(3, (2, 2))
    model = keras.Sequential([keras.Input(shape=(4, 4, 3)), conv])
    kernel = np.zeros((2, 2, 3, 3), np.float32)
    kernel[0, 0, 0, 0], kernel[1, 1, 2, 0] = 2.0, -1.0        # kernel 0: red top-left up, blue bottom-right down
    kernel[0, 1, 1, 1] = 0.5                                  # kernel 1: a weaker green pixel
    kernel[0, 0, 0, 2] = 0.01                                 # kernel 2: next to nothing (< 5 % of the strongest)
    conv.set_weights([kernel, np.zeros(3, np.float32)])
    pictures = vis.rgb_kernels(model)
    assert pictures.shape == (3, 2, 2, 3)
    assert pictures[0, 0, 0, 0] == 1.0 and pictures[0, 1, 1, 2] == 0.25 and pictures[0, 1, 0, 1] == 0.5
    assert pictures[1, 0, 1, 1] == 1.0 and np.count_nonzero(pictures[1] != 0.5) == 1
    assert np.all(pictures[2] == 0.5)
    figure = vis.plot_rgb_kernels(model, 0)
    assert [a.get_title() for a in figure.axes] == ["0", "1", "2"]
    assert np.array_equal(figure.axes[1].get_images()[0].get_array(), pictures[1])


def test_rgb_kernels_need_a_first_layer(small_cnn):
    with pytest.raises(ValueError, match="RGB로 그릴 수 없습니다"):
        vis.rgb_kernels(small_cnn, 3)                         # 4 input channels
    with pytest.raises(ValueError, match="컨볼루션 커널이 없습니다"):
        vis.rgb_kernels(small_cnn, 1)


def test_chosen_layers_with_a_picture_beside_them(small_cnn, images):
    functional = keras.Model(small_cnn.inputs, small_cnn.outputs)
    picture = np.full((16, 16, 3), 0.25, np.float32)
    figure = vis.plot_all_layers(functional, images[0] * 2 - 1, n_maps=2, layers=[small_cnn.layers[3].name, 1],
                                 picture=picture)
    labels = [a.get_ylabel() for a in figure.axes if a.get_ylabel()]
    assert labels == [f"{small_cnn.layers[3].name}\n5×5×6", f"{small_cnn.layers[0].name}\n14×14×4"]
    assert np.array_equal(figure.axes[0].get_images()[0].get_array(), picture)
    maps = vis.feature_maps(small_cnn, 3, images[0] * 2 - 1)
    assert np.allclose(figure.axes[1].get_images()[0].get_array(), maps[:, :, 0], atol=1e-5)


def _two_region_model(functional: bool = False):
    """Class 0 = total of channel 0, class 1 = total of channel 1 (through an identity 1×1 conv).

    ``functional=True``: the same network written with the functional API, plus a branch
    that adds zero (a skip connection), so the model cannot be run layer after layer."""
    conv, dense = layers.Conv2D(2, (1, 1), activation="relu"), layers.Dense(2, activation="softmax")
    if functional:
        inputs = keras.Input(shape=(8, 8, 2))
        maps = conv(inputs)
        skip = layers.Lambda(lambda t: t * 0.0)(inputs)
        model = keras.Model(inputs, dense(layers.Flatten()(layers.Add(name="maps")([maps, skip]))))
    else:
        model = keras.Sequential([keras.Input(shape=(8, 8, 2)), conv, layers.Flatten(), dense])
    conv.set_weights([np.eye(2, dtype=np.float32).reshape(1, 1, 2, 2), np.zeros(2, np.float32)])
    weights = np.zeros((8 * 8 * 2, 2), np.float32)
    weights[0::2, 0] = 1.0          # flattened (y, x, channel): channel 0 feeds class 0
    weights[1::2, 1] = 1.0
    dense.set_weights([weights, np.zeros(2, np.float32)])
    return model


@pytest.mark.parametrize("functional", [False, True], ids=["sequential", "functional"])
def test_grad_cam_points_at_the_evidence_for_each_class(functional):
    model = _two_region_model(functional)
    layer = "maps" if functional else None
    image = np.zeros((8, 8, 2), np.float32)
    image[1:3, 1:3, 0] = 1.0      # evidence for class 0: top-left
    image[5:7, 5:7, 1] = 2.0      # evidence for class 1 (stronger): bottom-right
    heatmap, predicted, probabilities = gradcam.grad_cam(model, image, layer=layer)
    assert predicted == 1
    assert heatmap.shape == (8, 8) and heatmap.min() == 0.0 and heatmap.max() == 1.0
    assert np.unravel_index(heatmap.argmax(), heatmap.shape)[0] >= 5
    heatmap0, chosen, _ = gradcam.grad_cam(model, image, layer=layer, class_index=0)
    assert chosen == 0
    y, x = np.unravel_index(heatmap0.argmax(), heatmap0.shape)
    assert y < 4 and x < 4 and heatmap0[5:7, 5:7].max() == 0.0
    assert np.allclose(probabilities, model.predict(image[None], verbose=0)[0], atol=1e-5)
    big, _, _ = gradcam.grad_cam(model, image, layer=layer, class_index=0, size=(32, 24))
    assert big.shape == (32, 24)
    y, x = np.unravel_index(big.argmax(), big.shape)
    assert y < 16 and x < 12                                # still top-left, at the new size


def test_grad_cam_on_the_small_cnn(small_cnn, images):
    heatmap, predicted, probabilities = gradcam.grad_cam(small_cnn, images[2])
    assert heatmap.shape == (16, 16)
    assert 0.0 <= heatmap.min() and heatmap.max() <= 1.0
    expected = small_cnn.predict(images[2:3], verbose=0)[0]
    assert predicted == int(np.argmax(expected))
    assert np.allclose(probabilities, expected, atol=1e-5)


def test_grad_cam_is_the_same_on_the_functional_copy(small_cnn, images):
    functional = keras.Model(small_cnn.inputs, small_cnn.outputs)
    assert not isinstance(functional, keras.Sequential)
    sequential = gradcam.grad_cam(small_cnn, images[1], class_index=2)
    named = gradcam.grad_cam(functional, images[1], layer=small_cnn.layers[3].name, class_index=2)
    assert np.allclose(sequential[0], named[0], atol=1e-5) and np.allclose(sequential[2], named[2], atol=1e-6)


def test_grad_cam_refuses_what_it_cannot_do(small_cnn, images):
    with pytest.raises(ValueError, match="class_index 3는 없습니다: 이 모델의 부류는 0…2번"):
        gradcam.grad_cam(small_cnn, images[0], class_index=3)
    with pytest.raises(ValueError, match="특징 맵이 아닙니다"):
        gradcam.grad_cam(small_cnn, images[0], layer=4)          # Flatten
    with pytest.raises(ValueError, match="영상 한 장"):
        gradcam.grad_cam(small_cnn, images[:2])
    dense_only = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="Conv2D 층이 없습니다"):
        gradcam.grad_cam(dense_only, np.zeros((1, 1, 4)))


def test_overlay_blends_the_jet_colours_over_the_picture():
    picture = np.zeros((2, 3, 3), np.uint8)
    picture[0, 0] = 255
    heatmap = np.zeros((2, 3))
    heatmap[1, 2] = 1.0
    blended = gradcam.overlay_heatmap(picture, heatmap, alpha=0.5)
    jet = matplotlib.colormaps["jet"]
    assert np.allclose(blended[0, 0], 0.5 * 1.0 + 0.5 * np.array(jet(0.0)[:3]))     # white picture, blue (0)
    assert np.allclose(blended[1, 2], 0.5 * np.array(jet(1.0)[:3]))                   # black picture, red (1)
    assert np.allclose(gradcam.overlay_heatmap(picture / 255.0, heatmap, alpha=0.5), blended)
    with pytest.raises(ValueError, match="size=photo.shape"):
        gradcam.overlay_heatmap(picture, np.zeros((7, 7)))


def test_grad_cam_figure_shows_the_truth_above_and_the_prediction_on_the_heat_map(small_cnn, images):
    figure = gradcam.plot_grad_cam(small_cnn, images[:3], labels=np.array([[0], [2], [1]]), class_names=["a", "b", "c"])
    titles = [a.get_title() for a in figure.axes]
    assert titles[:3] == ["정답: a", "정답: c", "정답: b"]
    heatmap, predicted, probabilities = gradcam.grad_cam(small_cnn, images[1])
    assert titles[4] == f"예측: {'abc'[predicted]} ({probabilities[predicted]:.2f})"
    assert np.allclose(figure.axes[4].get_images()[0].get_array(), gradcam.overlay_heatmap(images[1], heatmap), atol=1e-6)


# ------------------------------------------------------------------ the real ImageNet MobileNetV2

# The cat in images/cat.png (512×341): its box, measured once by drawing a 50-pixel grid over
# the photo and reading off the cat's outline: left edge of its body x≈50, right edge of its
# chest x≈365, tip of its right ear y≈35, and the photo's bottom edge (the cat is cut off there).
CAT_BOX = {"x": (50, 365), "y": (35, 341)}


@pytest.fixture(scope="module")
def mobilenet(needs):
    needs(imagenet.MODEL_FILE, "imagenet_labels.txt", "cat.png", "dog.jpg")
    return imagenet.mobilenet_v2()


def test_grad_cam_of_egyptian_cat_lies_on_the_cat(mobilenet):
    photo = imagenet.load_photo(downloads.fetch("cat.png"))
    heatmap, predicted, probabilities = gradcam.grad_cam(mobilenet, imagenet.model_input(photo),
                                                         layer=imagenet.LAYERS["late"], size=photo.shape[:2])
    assert imagenet.labels()[predicted] == "Egyptian cat"
    assert np.allclose(probabilities, mobilenet.predict(imagenet.model_input(photo)[None], verbose=0)[0], atol=1e-5)
    assert heatmap.shape == photo.shape[:2] == (341, 512)
    inside = np.zeros(heatmap.shape, bool)
    inside[slice(*CAT_BOX["y"]), slice(*CAT_BOX["x"])] = True
    mass = heatmap[inside].sum() / heatmap.sum()
    top = heatmap >= np.quantile(heatmap, 0.8)
    top_inside = (top & inside).sum() / top.sum()
    # The box covers 55 % of the photo, so a flat heat-map would score 0.55 on both.
    assert inside.mean() < 0.56
    assert mass >= 0.6, mass                                   # measured: 0.78
    assert top_inside >= 0.8, top_inside                       # measured: 0.92


def test_mobilenet_kernels_and_feature_maps_have_their_layers_shapes(mobilenet):
    first = mobilenet.get_layer(imagenet.LAYERS["first_conv"])
    assert vis.rgb_kernels(mobilenet, "Conv1").shape == (32, 3, 3, 3)
    assert first.get_weights()[0].shape == (3, 3, 3, 32)
    figure = vis.plot_rgb_kernels(mobilenet, "Conv1")
    assert len(figure.axes) == 32
    x = imagenet.model_input(downloads.fetch("dog.jpg"))
    expected = {"early": (112, 112, 96), "middle": (28, 28, 192), "late": (7, 7, 1280)}
    for key, shape in expected.items():
        layer = mobilenet.get_layer(imagenet.LAYERS[key])
        assert tuple(layer.output.shape[1:]) == shape
        assert vis.feature_maps(mobilenet, layer.name, x).shape == shape
    names = [imagenet.LAYERS[key] for key in expected]
    figure = vis.plot_all_layers(mobilenet, x, n_maps=3, layers=names, picture=imagenet.resize(downloads.fetch("dog.jpg")))
    assert [a.get_ylabel() for a in figure.axes if a.get_ylabel()] == [
        "block_1_expand_relu\n112×112×96", "block_6_expand_relu\n28×28×192", "out_relu\n7×7×1280"]


def test_grad_cam_at_the_photos_resolution_for_two_classes(mobilenet):
    path = downloads.fetch("dog.jpg")
    photo = imagenet.load_photo(path)
    x = imagenet.model_input(photo)
    dog, top1, _ = gradcam.grad_cam(mobilenet, x, layer="out_relu", size=photo.shape[:2])
    bike_class = imagenet.labels().index("mountain bike, all-terrain bike, off-roader")
    bike, chosen, _ = gradcam.grad_cam(mobilenet, x, layer="out_relu", class_index=bike_class, size=photo.shape[:2])
    assert 151 <= top1 <= 268 and chosen == bike_class                # ImageNet's dog breeds are 151…268
    assert dog.shape == bike.shape == (576, 768)
    assert not np.allclose(dog, bike, atol=0.1)               # another class, another heat-map
