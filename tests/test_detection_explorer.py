"""helpers._course.widgets.detection_explorer (6.8's instructor tool), driven without a browser
(with ipywidgets 8 and with Colab's 7.7.1 alike)."""

import cv2
import pytest

from helpers import detection
from helpers._course import widgets
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


def _choose(box, name):
    box.controls["image"].value = next(path for label, path in box.controls["image"].options if label == name)


def test_outside_a_kernel_it_draws_one_figure_of_the_first_image(fastest, capsys):
    net, classes = fastest
    box = widgets.detection_explorer(net, classes)
    assert box.figure.axes[0].get_title().startswith("dog.jpg: 전방 계산(forward) 한 번")
    assert sorted(d["label"] for d in box.result.detections) == ["bicycle", "car", "dog"]
    _choose(box, "eagle.jpg")
    assert "eagle.jpg" in box.text and [d["label"] for d in box.result.detections][0] == "bird"
    assert capsys.readouterr().out == ""


def test_sliders_redraw_without_a_new_forward_pass(fastest, forward_calls):
    net, classes = fastest
    box = widgets.detection_explorer(net, classes)
    _choose(box, "kite.jpg")
    picture = box.children[1]
    many, boxes = picture.value, len(box.result.detections)
    assert many[:2] == b"\xff\xd8"                        # a JPEG
    box.controls["confidence"].value = 0.95               # fewer boxes survive: the picture is redrawn
    assert picture.value != many and len(box.result.detections) < boxes
    box.controls["nms"].value = 0.9
    assert box.text.splitlines()[0].endswith(f"신뢰도 > 0.95 · NMS 0.90 → {len(box.result.detections)}개")
    assert len(forward_calls) == 2                        # dog.jpg (the first), then kite.jpg; sliders reuse them
    _choose(box, "dog.jpg")
    _choose(box, "kite.jpg")
    assert len(forward_calls) == 2 and "kite.jpg" in box.text


def test_in_a_kernel_the_widget_shows_with_a_picture_for_viewers_without_widgets(fastest, monkeypatch):
    import IPython.display

    net, classes = fastest
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    monkeypatch.setattr(widgets, "_in_kernel", lambda: True)
    box = widgets.detection_explorer(net, classes)
    (bundle, raw), = shown
    assert raw and bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == box.model_id
    assert bundle["image/jpeg"] and bundle["text/plain"] == box.text and box.figure is None
    assert "dog" in box.children[2].value                 # the table under the picture
