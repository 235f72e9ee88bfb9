"""helpers.widgets: the explorer's drawing and its callbacks, driven without a browser."""

import numpy as np
import pytest

from helpers import vis, widgets


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((4, 16, 16, 3)).astype(np.float32)


def _maps_shown(figure):
    return [a for a in figure.axes if a.get_title().startswith("map")]


def test_layer_options_are_the_conv_and_pooling_layers(small_cnn):
    assert widgets.layer_options(small_cnn) == [
        ("0: Conv2D 14×14×4", 0), ("1: MaxPooling2D 7×7×4", 1), ("3: Conv2D 5×5×6", 3)]


def test_explorer_figure_shows_the_chosen_maps(small_cnn, images):
    figure = widgets.explorer_figure(small_cnn, images, 2, 3, (1, 4), class_names=["a", "b", "c"],
                                     labels=np.array([[0], [1], [2], [0]]))
    maps = vis.feature_maps(small_cnn, 3, images[2])
    shown = _maps_shown(figure)
    assert [a.get_title() for a in shown] == ["map1", "map2", "map3", "map4"]
    assert np.allclose(shown[0].get_images()[0].get_array(), maps[:, :, 1], atol=1e-5)
    assert figure.texts[0].get_text().startswith("image 2 (c) — feature maps 1…4 of layer 3")
    clipped = widgets.explorer_figure(small_cnn, images, 0, 0, (2, 99))
    assert [a.get_title() for a in _maps_shown(clipped)] == ["map2", "map3"]


def test_explorer_figure_errors_speak_to_the_student(small_cnn, images):
    with pytest.raises(ValueError, match="0…3"):
        widgets.explorer_figure(small_cnn, images, 4, 0)
    with pytest.raises(ValueError, match="no feature maps"):
        widgets.explorer_figure(small_cnn, images, 0, 5)        # Dense layer
    with pytest.raises(ValueError, match="no layer named"):
        widgets.explorer_figure(small_cnn, images, 0, "conv2d_999")


def test_cache_avoids_running_the_model_again(small_cnn, images, monkeypatch):
    calls = []
    real_run = vis.run
    monkeypatch.setattr(vis, "run", lambda *a: calls.append(1) or real_run(*a))
    cache = {}
    widgets.explorer_figure(small_cnn, images, 1, 0, (0, 3), cache=cache)
    widgets.explorer_figure(small_cnn, images, 1, 3, (0, 3), cache=cache)
    assert len(calls) == 1 and set(cache[1]) == {0, 1, 3}


def test_static_explorer_redraws_when_the_controls_change(small_cnn, images, monkeypatch):
    draws = []
    real = widgets.explorer_figure
    monkeypatch.setattr(widgets, "explorer_figure", lambda *a, **k: draws.append(a[2:5]) or real(*a, **k))
    box = widgets.feature_map_explorer(small_cnn, images, image_index=1, layer=0, channels=(0, 3), live=False)
    first = box.figure
    assert draws == [(1, 0, (0, 3))]
    box.controls["image"].value = 3
    assert box.figure is not first
    assert box.figure.texts[0].get_text().startswith("image 3")
    before = _maps_shown(first)[0].get_images()[0].get_array()
    after = _maps_shown(box.figure)[0].get_images()[0].get_array()
    assert not np.allclose(before, after)


def test_layer_change_resets_the_channel_slider_and_draws_once(small_cnn, images, monkeypatch):
    box = widgets.feature_map_explorer(small_cnn, images, layer=3, channels=(2, 5), live=False)
    assert box.controls["channels"].max == 5
    draws = []
    real = widgets.explorer_figure
    monkeypatch.setattr(widgets, "explorer_figure", lambda *a, **k: draws.append(a[2:5]) or real(*a, **k))
    box.controls["layer"].value = 0                            # 4 maps: the range is clamped to 2…3
    assert box.controls["channels"].max == 3 and box.controls["channels"].value == (2, 3)
    assert draws == [(1, 0, (2, 3))]
    assert [a.get_title() for a in _maps_shown(box.figure)] == ["map2", "map3"]
    box.controls["channels"].value = (0, 1)
    assert [a.get_title() for a in _maps_shown(box.figure)] == ["map0", "map1"]


def test_live_explorer_displays_the_widget_with_a_static_fallback(small_cnn, images, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    box = widgets.feature_map_explorer(small_cnn, images, live=True)
    bundles = [a[0] for a, k in shown if k.get("raw")]
    assert len(bundles) == 1
    bundle = bundles[0]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == box.model_id
    import base64

    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")


def test_explorer_rejects_a_layer_without_maps(small_cnn, images):
    with pytest.raises(ValueError, match="no feature maps"):
        widgets.feature_map_explorer(small_cnn, images, layer=4, live=False)


def test_functional_models_offer_their_named_layers(small_cnn, images):
    import keras

    functional = keras.Model(small_cnn.inputs, small_cnn.outputs)
    conv, pool = small_cnn.layers[0].name, small_cnn.layers[1].name
    assert widgets.layer_options(functional) == [
        (f"1: {conv} 14×14×4", 1), (f"2: {pool} 7×7×4", 2), (f"4: {small_cnn.layers[3].name} 5×5×6", 4)]
    assert widgets.layer_options(functional, [pool]) == [(f"2: {pool} 7×7×4", 2)]
    with pytest.raises(ValueError, match="no feature maps"):
        widgets.layer_options(functional, [small_cnn.layers[-1].name])
    pictures = np.zeros((4, 9, 9, 3), np.uint8)
    figure = widgets.explorer_figure(functional, images, 1, pool, (0, 1), layers=[conv, pool], pictures=pictures)
    assert np.array_equal(figure.axes[0].get_images()[0].get_array(), pictures[1])
    with pytest.raises(ValueError, match="no feature maps to show here"):
        widgets.explorer_figure(functional, images, 1, small_cnn.layers[3].name, layers=[conv, pool])


@pytest.mark.needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "dog.jpg", "eagle.jpg")
def test_the_explorer_builds_on_the_imagenet_mobilenet():
    from helpers import imagenet
    from helpers._course import downloads

    model = imagenet.mobilenet_v2()
    paths = [downloads.fetch(name) for name in ("dog.jpg", "eagle.jpg")]
    inputs = np.stack([imagenet.model_input(path) for path in paths])
    pictures = [imagenet.resize(path) for path in paths]
    names = list(imagenet.LAYERS.values())
    box = widgets.feature_map_explorer(model, inputs, labels=[0, 1], class_names=[p.name for p in paths],
                                       layers=names, pictures=pictures, live=False)
    assert [label.split(" ")[1] for label, _ in box.controls["layer"].options] == names
    assert box.figure.texts[0].get_text().startswith("image 1 (eagle.jpg) — feature maps 0…15 of layer 1 (Conv1, 112×112×32)")
    box.controls["layer"].value = model.layers.index(model.get_layer("out_relu"))
    assert box.controls["channels"].max == 1279
    assert "(out_relu, 7×7×1280)" in box.figure.texts[0].get_text()
    shown = _maps_shown(box.figure)[3].get_images()[0].get_array()
    assert np.allclose(shown, vis.feature_maps(model, "out_relu", inputs[1])[:, :, 3], atol=1e-4)
    box.controls["image"].value = 0
    assert np.array_equal(box.figure.axes[0].get_images()[0].get_array(), pictures[0])
