"""직접 해 보기 checks of notebook 6.8."""

from __future__ import annotations

from . import exercise, number


_YOLO_RUNS: dict = {}


def _yolo_boxes(image: str, *, conf_threshold: float = 0.5, nms_threshold: float = 0.4) -> int:
    """How many boxes the notebook's YOLO model (``choose_model``, as its cells choose it) keeps on a
    darknet sample image; the forward pass runs once per image and model."""
    from .. import config
    from ... import darknet, detection

    key = (image, config.yolo_model_name())
    if key not in _YOLO_RUNS:
        model, _ = darknet.choose_model(download=False)
        img = detection.load_image(darknet.darknet_file(image))
        net = detection.read_net(model.weights, model.cfg)
        _YOLO_RUNS[key] = (detection.forward(net, img)[0], img, darknet.load_classes(model.names))
    outputs, img, classes = _YOLO_RUNS[key]
    return len(detection.detect(None, img, classes, conf_threshold=conf_threshold, nms_threshold=nms_threshold,
                                outputs=outputs).detections)


@exercise("6.8-1", hint="448×448에서 본 표처럼 입력의 한 변을 세 출력층의 보폭(32, 16, 8)으로 나누면 세 격자의 "
                        "한 변이 나옵니다. 격자 방마다 앵커 상자가 몇 개인지도 곱하세요.")
def _candidates_at_416(answer):
    return number(answer, "후보 상자 수를 정수 하나로", integral=True) == sum(3 * (416 // stride) ** 2 for stride in (32, 16, 8))


@exercise("6.8-2", hint="detect()의 conf_threshold만 바꾸고 nms_threshold는 책의 0.4로 두세요. 책의 코드라면 0.5가 "
                        "두 군데(26행의 비교와 34행 NMSBoxes의 세 번째 인자)에 있어 둘 다 바꿔야 합니다. "
                        "답은 0.2에서 남은 상자 수에서 0.5에서 남은 상자 수를 뺀 값입니다.")
def _lower_confidence(answer):
    return number(answer, "늘어난 상자 수를 정수 하나로", integral=True) == _yolo_boxes("kite.jpg", conf_threshold=0.2) - _yolo_boxes("kite.jpg")


@exercise("6.8-3", hint="detect()의 nms_threshold를 바꾸고 conf_threshold는 책의 0.5로 두세요. 답은 비최대 억제 뒤 "
                        "남은 상자 전부의 수입니다(부류와 상관없이).")
def _looser_nms(answer):
    return number(answer, "남은 상자 수를 정수 하나로", integral=True) == _yolo_boxes("dog.jpg", nms_threshold=0.8)


@exercise("6.8-4", hint="겹친 직사각형의 너비는 (두 오른쪽 끝 중 작은 값) − (두 왼쪽 끝 중 큰 값)이고, 음수이면 "
                        "겹치지 않으므로 0입니다. 높이도 같습니다. 합집합의 넓이는 두 넓이의 합에서 겹친 넓이를 뺍니다.")
def _iou(answer):
    if not callable(answer):
        raise ValueError("answer에 함수 이름(iou)을 넣으세요. iou(a, b)가 두 상자 [x, y, w, h]의 IoU를 돌려줘야 합니다.")
    pairs = [([0, 0, 10, 10], [0, 0, 10, 10]), ([0, 0, 10, 10], [5, 0, 10, 10]), ([0, 0, 10, 10], [20, 20, 5, 5]),
             ([0, 0, 10, 10], [2, 2, 4, 4]), ([10, 10, 20, 10], [0, 15, 15, 30]), ([0, 0, 4, 4], [4, 0, 4, 4])]
    for a, b in pairs:
        width = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
        height = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
        overlap = width * height
        expected = overlap / (a[2] * a[3] + b[2] * b[3] - overlap)
        try:
            found = float(answer(list(a), list(b)))
        except (TypeError, ValueError, IndexError, ZeroDivisionError) as error:
            raise ValueError(f"iou({a}, {b})를 계산하지 못했습니다 ({type(error).__name__}).") from None
        if abs(found - expected) > 1e-6:
            return False
    return True
