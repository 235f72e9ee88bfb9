"""helpers.darknet: the weight count read from a cfg predicts the real weight files, a network with zero
weights has YOLOv3's shapes, the output scales read off the network, and their figure."""

import cv2
import numpy as np
import pytest

from helpers import darknet
from helpers._course import downloads



@pytest.fixture
def folder(needs):
    needs("yolov3.cfg", "yolo-fastest-1.1.cfg", "yolo-fastest-1.1.weights", "yolo-fastest-1.1-xl.cfg",
          "yolo-fastest-1.1-xl.weights")
    return downloads.fetch("yolov3.cfg").parent


def test_weight_count_predicts_the_real_weight_files(folder):
    for name in ("yolo-fastest-1.1", "yolo-fastest-1.1-xl"):
        assert (folder / f"{name}.weights").stat().st_size == 20 + 4 * darknet.weight_count(folder / f"{name}.cfg")
    assert 20 + 4 * darknet.weight_count(folder / "yolov3.cfg") == downloads.REGISTRY["yolov3.weights"].size


def test_weight_count_refuses_what_is_not_a_cfg(tmp_path):
    (tmp_path / "page.cfg").write_text("<html>404 Not Found</html>\n")
    with pytest.raises(ValueError, match=r"page\.cfg: darknet cfg 파일이 아닙니다\(\[net\] 절로 시작하지 않음\)"):
        darknet.weight_count(tmp_path / "page.cfg")
    (tmp_path / "odd.cfg").write_text("[net]\nchannels=3\n[mystery]\nsize=1\n")
    with pytest.raises(ValueError, match=r"\[mystery\] 층의 가중치 수는 셀 수 없습니다"):
        darknet.weight_count(tmp_path / "odd.cfg")


def test_a_small_cfg_counted_by_hand(tmp_path):
    cfg = tmp_path / "tiny.cfg"
    cfg.write_text("[net]\nchannels=3   # RGB\n\n[convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\n"
                   "[convolutional]\nfilters=2\nsize=1\n[route]\nlayers=-1,-2\n[convolutional]\nfilters=5\nsize=1\n")
    # 4×4 (BN) + 4·3·3·3, then 2 + 2·4·1·1, then the route gives 2 + 4 = 6 channels: 5 + 5·6
    assert darknet.weight_count(cfg) == (16 + 108) + (2 + 8) + (5 + 30)


def test_yolov3_output_scales_at_the_books_448(folder):
    scales = darknet.output_scales(darknet.zero_weights_net(folder / "yolov3.cfg"), 448)
    assert [s["layer"] for s in scales] == ["yolo_82", "yolo_94", "yolo_106"]
    assert [s["grid"] for s in scales] == [(14, 14), (28, 28), (56, 56)]
    assert [s["output"] for s in scales] == [(588, 85), (2352, 85), (9408, 85)]
    assert all(s["anchors"] == 3 and s["channels"] == 255 for s in scales)
    table = darknet.format_output_scales(darknet.output_scales(darknet.zero_weights_net(folder / "yolov3.cfg"), 416))
    assert table.splitlines()[3] == "yolo_106  52×52    conv_105 255×52×52   3     85    8112×85"


def test_the_scales_of_a_real_network_match_its_forward_pass(folder):
    net = cv2.dnn.readNet(str(folder / "yolo-fastest-1.1-xl.weights"), str(folder / "yolo-fastest-1.1-xl.cfg"))
    scales = darknet.output_scales(net, 448)
    net.setInput(np.zeros((1, 3, 448, 448), np.float32))
    outputs = net.forward(net.getUnconnectedOutLayersNames())
    assert [s["output"] for s in scales] == [o.shape for o in outputs] == [(588, 85), (2352, 85)]


def test_the_figure_draws_what_the_network_says(folder):
    figure = darknet.plot_output_scales(darknet.zero_weights_net(folder / "yolov3.cfg"), 448)
    top, *tensors, cell = figure.axes
    marks = [line for line in top.lines if line.get_marker() == "o"]
    assert [(int(m.get_xdata()[0]), int(m.get_ydata()[0])) for m in marks] == [(82, 14), (94, 28), (106, 56)]
    sides = top.lines[0].get_ydata()
    assert sides[0] == 448 and min(sides) == 14 and top.get_title().startswith("그림 6-20에 해당")
    assert [ax.get_title().splitlines()[0] for ax in tensors] == ["yolo_82: 14×14×255", "yolo_94: 28×28×255",
                                                                   "yolo_106: 56×56×255"]
    assert len(cell.patches) == 3 * 85                                     # 3 anchors × 85 numbers
