"""helpers.widgets.detection_explorer (6.8's instructor tool), driven without a browser."""

import cv2
import pytest

from helpers import detection, widgets
from helpers._course import darknet_files


@pytest.fixture(scope="module")
def fastest(needs):
    needs("yolo-fastest-1.1-xl.cfg", "yolo-fastest-1.1-xl.weights", "coco.names", "dog.jpg")
    model = darknet_files.choose_model("yolo-fastest-1.1-xl", download=False)
    return cv2.dnn.readNet(str(model.weights), str(model.cfg)), detection.load_classes(model.names)


@pytest.fixture
def forward_calls(monkeypatch):
    calls = []
    forward = detection.forward

    def counting(net, img, size=448):
        calls.append(img.shape)
        return forward(net, img, size)

    monkeypatch.setattr(detection, "forward", counting)
    return calls


def test_static_explorer_draws_one_figure_without_widgets(fastest, capsys):
    net, classes = fastest
    box = widgets.detection_explorer(net, classes, images=[darknet_files.darknet_file("eagle.jpg")],
                                     live=False)
    assert box.figure is not None and box.figure.axes[0].get_title().startswith("eagle.jpg: 전방 계산(forward) 한 번")
    assert "bird" in box.text and [d["label"] for d in box.result.detections][0] == "bird"
    assert capsys.readouterr().out == ""


def test_sliders_redraw_without_a_new_forward_pass(fastest, forward_calls):
    net, classes = fastest
    paths = [darknet_files.darknet_file(name) for name in ("kite.jpg", "dog.jpg")]
    box = widgets.detection_explorer(net, classes, images=paths, live=False)
    picture = box.children[1]
    many, boxes = picture.value, len(box.result.detections)
    assert many[:2] == b"\xff\xd8"                        # a JPEG
    box.controls["confidence"].value = 0.95               # fewer boxes survive: the picture is redrawn
    assert picture.value != many and len(box.result.detections) < boxes
    box.controls["nms"].value = 0.9
    assert box.text.splitlines()[0].endswith(f"신뢰도 > 0.95 · NMS 0.90 → {len(box.result.detections)}개")
    assert len(forward_calls) == 1                        # one forward pass for kite.jpg, sliders reuse it
    box.controls["image"].value = paths[1]
    box.controls["image"].value = paths[0]
    assert len(forward_calls) == 2                        # dog.jpg once; kite.jpg not again
    assert "kite.jpg" in box.text


def test_live_explorer_displays_the_widget_with_a_picture_fallback(fastest, monkeypatch):
    import IPython.display

    net, classes = fastest
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    box = widgets.detection_explorer(net, classes, images=[darknet_files.darknet_file("dog.jpg")],
                                     live=True)
    (bundle, raw), = shown
    assert raw and "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/jpeg"] and bundle["text/plain"] == box.text and box.figure is None
    assert "dog" in box.children[2].value                 # the table under the picture
