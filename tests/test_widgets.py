"""helpers._course.widgets.feature_map_explorer: its drawings and callbacks, driven without a browser.

The same tests pass with ipywidgets 8 and with Colab's ipywidgets 7.7.1 (see CONTRIBUTING: run them
with ipywidgets 7.7.1 first on PYTHONPATH)."""

import base64

import keras
import numpy as np
import pytest
from keras import layers

from helpers import vis
from helpers._course import widgets



@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((4, 16, 16, 3)).astype(np.float32)


def _maps_shown(figure):
    return [a for a in figure.axes if a.get_title().startswith("map")]


def test_the_explorer_offers_the_layers_with_maps_and_draws_the_chosen_ones(small_cnn, images):
    box = widgets.feature_map_explorer(small_cnn, images, ["a", "b", "c", "d"], image_index=2, layer=3)
    assert [index for _, index in box.controls["layer"].options] == [0, 1, 3]
    assert box.controls["channels"].value == (0, 5) and box.controls["channels"].max == 5
    shown = _maps_shown(box.figure)
    assert [a.get_title() for a in shown] == [f"map{c}" for c in range(6)]
    maps = vis.feature_maps(small_cnn, 3, images[2])
    assert np.allclose(shown[4].get_images()[0].get_array(), maps[:, :, 4], atol=1e-5)
    assert box.figure.texts[0].get_text().startswith("영상 2 (c) — 층 3: ")
    assert np.array_equal(box.figure.axes[0].get_images()[0].get_array(), images[2])


def test_moving_a_control_redraws_and_the_maps_are_computed_once_per_image(small_cnn, images, monkeypatch):
    calls = []
    real = vis.feature_maps
    monkeypatch.setattr(vis, "feature_maps", lambda *a: calls.append(a[1]) or real(*a))
    box = widgets.feature_map_explorer(small_cnn, images, image_index=1, layer=0)
    first = box.figure
    box.controls["image"].value = 3
    assert box.figure is not first and box.figure.texts[0].get_text().startswith("영상 3")
    before, after = (_maps_shown(f)[0].get_images()[0].get_array() for f in (first, box.figure))
    assert not np.allclose(before, after)
    box.controls["layer"].value = 1
    box.controls["image"].value = 1
    assert calls == [[0, 1, 3], [0, 1, 3]]                    # images 1 and 3, each once for every layer


def test_a_layer_change_clamps_the_channel_range_and_draws_once(small_cnn, images, monkeypatch):
    box = widgets.feature_map_explorer(small_cnn, images, layer=3)
    box.controls["channels"].value = (2, 5)
    draws = []
    real = widgets.show_images
    monkeypatch.setattr(widgets, "show_images", lambda *a, **k: draws.append(1) or real(*a, **k))
    box.controls["layer"].value = 0                            # 4 maps: the range becomes 2…3
    assert box.controls["channels"].max == 3 and box.controls["channels"].value == (2, 3)
    assert len(draws) == 1
    assert [a.get_title() for a in _maps_shown(box.figure)] == ["map2", "map3"]
    box.controls["channels"].value = (0, 1)
    assert [a.get_title() for a in _maps_shown(box.figure)] == ["map0", "map1"]


def test_at_most_64_maps_are_drawn_at_once():
    model = keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.Conv2D(70, (3, 3))])
    box = widgets.feature_map_explorer(model, np.zeros((1, 8, 8, 3), np.float32))
    box.controls["channels"].value = (3, 69)
    assert [a.get_title() for a in _maps_shown(box.figure)] == [f"map{c}" for c in range(3, 67)]
    assert box.figure.texts[0].get_text().endswith("특징 맵 3…66")


def test_in_a_kernel_the_widget_shows_with_a_picture_for_viewers_without_widgets(small_cnn, images, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    monkeypatch.setattr(widgets, "_in_kernel", lambda: True)
    box = widgets.feature_map_explorer(small_cnn, images)
    (bundle,) = [a[0] for a, k in shown if k.get("raw")]
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view == {"version_major": 2, "version_minor": 0, "model_id": box.model_id}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    figures = [a[0] for a, k in shown if not k.get("raw")]
    assert figures == [box.figure]                             # the first drawing, into the Output widget
    box.controls["image"].value = 3                            # a slider moves: the new drawing goes there too
    assert [a[0] for a, k in shown if not k.get("raw")] == [figures[0], box.figure] and box.figure is not figures[0]


def test_the_explorer_refuses_layers_without_maps(small_cnn, images):
    with pytest.raises(ValueError, match="특징 맵이 아닙니다"):
        widgets.feature_map_explorer(small_cnn, images, layer=4)                  # Flatten
    with pytest.raises(ValueError, match="보여 주는 층"):
        widgets.feature_map_explorer(small_cnn, images, layer=3, layers=[0, 1])
    with pytest.raises(ValueError, match="'conv2d_999'라는 층이 없습니다"):
        widgets.feature_map_explorer(small_cnn, images, layers=["conv2d_999"])


def test_a_functional_model_with_pictures_for_its_inputs(small_cnn, images):
    functional = keras.Model(small_cnn.inputs, small_cnn.outputs)
    conv, pool = small_cnn.layers[0].name, small_cnn.layers[1].name
    pictures = np.zeros((4, 9, 9, 3), np.uint8)
    box = widgets.feature_map_explorer(functional, images * 2 - 1, layers=[conv, pool], pictures=pictures)
    assert [label for label, _ in box.controls["layer"].options] == [f"1: {conv} 14×14×4", f"2: {pool} 7×7×4"]
    assert np.array_equal(box.figure.axes[0].get_images()[0].get_array(), pictures[0])


@pytest.mark.needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "dog.jpg", "eagle.jpg")
def test_the_explorer_on_the_imagenet_mobilenet():
    from helpers import imagenet
    from helpers._course import downloads

    model = imagenet.mobilenet_v2()
    paths = [downloads.fetch(name) for name in ("dog.jpg", "eagle.jpg")]
    pictures = [imagenet.resize(path) for path in paths]
    box = widgets.feature_map_explorer(model, np.stack([imagenet.model_input(path) for path in paths]),
                                       [p.name for p in paths], image_index=1, layers=list(imagenet.LAYERS.values()),
                                       pictures=pictures)
    assert [label.split(" ")[1] for label, _ in box.controls["layer"].options] == list(imagenet.LAYERS.values())
    assert box.figure.texts[0].get_text() == "영상 1 (eagle.jpg) — 층 1: Conv1 112×112×32의 특징 맵 0…15"
    box.controls["layer"].value = model.layers.index(model.get_layer("out_relu"))
    assert box.controls["channels"].max == 1279 and "out_relu 7×7×1280" in box.figure.texts[0].get_text()
    shown = _maps_shown(box.figure)[3].get_images()[0].get_array()
    x = imagenet.model_input(paths[1])
    assert np.allclose(shown, vis.feature_maps(model, "out_relu", x)[:, :, 3], atol=1e-4)
    box.controls["image"].value = 0
    assert np.array_equal(box.figure.axes[0].get_images()[0].get_array(), pictures[0])


def test_a_front_end_moving_the_slider_redraws_in_a_real_kernel():
    """The path a browser takes: the kernel opens the widgets, the front end sends a comm 'update' for
    the image slider, the kernel draws again into the Output widget (ipywidgets 7.7.1 and 8 alike)."""
    import queue

    from jupyter_client.manager import start_new_kernel

    from helpers._course import config

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(config.REPO_ROOT),
                                       env=config.child_environment(CH6_QUICK="1", MPLBACKEND=None))

    def replies(msg_id):
        found = []
        while True:
            try:
                message = client.get_iopub_msg(timeout=120)
            except queue.Empty:
                raise AssertionError(f"the kernel did not answer {msg_id} within 120 s; got {found}") from None
            found.append(message)
            if (message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "status"
                    and message["content"]["execution_state"] == "idle"):
                return found

    try:
        opened = replies(client.execute(
            "import keras, numpy as np\nfrom helpers._course import widgets\n"
            "model = keras.Sequential([keras.Input(shape=(8, 8, 3)), keras.layers.Conv2D(2, (3, 3))])\n"
            "box = widgets.feature_map_explorer(model, np.random.rand(3, 8, 8, 3), ['a', 'b', 'c'])"))
        assert not [m["content"] for m in opened if m["msg_type"] == "error"]
        states = {m["content"]["comm_id"]: m["content"]["data"]["state"] for m in opened if m["msg_type"] == "comm_open"}
        slider = next(i for i, s in states.items() if s.get("_model_name") == "IntSliderModel")
        shown = [m["content"]["data"] for m in opened if m["msg_type"] == "display_data"]
        assert any("application/vnd.jupyter.widget-view+json" in data and "image/png" in data for data in shown)
        request = client.session.msg("comm_msg", {"comm_id": slider, "data": {
            "method": "update", "state": {"value": 2}, "buffer_paths": []}})
        client.shell_channel.send(request)
        redrawn = replies(request["header"]["msg_id"])
        assert [m for m in redrawn if m["msg_type"] == "display_data" and "image/png" in m["content"]["data"]]
        title = replies(client.execute("print(box.figure.texts[0].get_text())"))
        assert any(m["msg_type"] == "stream" and m["content"]["text"].startswith("영상 2 (c)") for m in title)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
