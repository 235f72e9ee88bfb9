"""직접 해 보기 checks of notebook 6.8."""

from __future__ import annotations

from . import exercise, number

_RUNS: dict = {}


def _detect(image: str):
    """``(result, grid side per output layer, classes)`` of the notebook's detector (chosen as its cells
    choose it) on a darknet sample photo; run once per model and photo."""
    from .. import darknet_files
    from ... import darknet, detection

    model = darknet_files.choose_model()
    if (model.name, image) not in _RUNS:
        net = detection.read_net(model.weights, model.cfg)
        classes = detection.load_classes(model.names)
        result = detection.detect(net, detection.load_image(darknet_files.darknet_file(image)), classes)
        _RUNS[model.name, image] = result, [s["grid"][0] for s in darknet.output_scales(net)], classes
    return _RUNS[model.name, image]


def _pair(answer, what: str, *, integral: bool = False) -> tuple:
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise ValueError(f"{what} 두 수의 튜플로 답하세요 (지금: {answer!r}).")
    return tuple(number(value, f"{what} {'정수' if integral else '수'}로", integral=integral) for value in answer)


@exercise("6.8-1", hint="448×448에서 본 표처럼 입력의 한 변을 세 출력층의 보폭(32, 16, 8)으로 나누면 세 격자의 "
                        "한 변이 나옵니다. 격자는 한 변의 제곱만큼 방이 있고, 격자 방마다 앵커 박스가 3개입니다.")
def _candidates_at_416(answer):
    return number(answer, "후보 박스 수를 정수 하나로", integral=True) == sum(3 * (416 // stride) ** 2 for stride in (32, 16, 8))


@exercise("6.8-2", hint="vehicle['output']과 vehicle['row']로 찾은 vec85에서 부류 점수는 vec85[5:]입니다. "
                        "부류 번호 i의 점수는 vec85[5 + i]이고, car와 truck의 번호는 classes.index(...)로 얻습니다.")
def _car_or_truck(answer):
    car, truck = _pair(answer, "(car 점수, truck 점수)")
    result, _, classes = _detect("dog.jpg")
    vehicle = next((d for d in result.detections if d["label"] in ("car", "truck")), None)
    if vehicle is None:
        raise ValueError("이 검출기는 dog.jpg의 차를 car로도 truck으로도 검출하지 않았습니다(이 문제는 건너뛰세요).")
    vec85 = result.outputs[vehicle["output"]][vehicle["row"]]
    expected = (vec85[5 + classes.index("car")], vec85[5 + classes.index("truck")])
    return all(abs(value - right) < 0.005 for value, right in zip((car, truck), expected))


@exercise("6.8-3", hint="검출 결과 d의 d['output']은 그 바운딩 박스가 나온 출력층의 번호이고, grids[d['output']]가 "
                        "그 출력층 격자의 한 변입니다. 가장 작은 바운딩 박스는 넓이 w×h가 가장 작은 것입니다.")
def _which_grid(answer):
    answer = _pair(answer, "(dog 바운딩 박스의 격자 한 변, kite.jpg의 가장 작은 바운딩 박스의 격자 한 변)", integral=True)
    dogs, grids, _ = _detect("dog.jpg")
    dog = next((d for d in dogs.detections if d["label"] == "dog"), None)
    kites, _, _ = _detect("kite.jpg")
    if dog is None or not kites.detections:
        raise ValueError("이 검출기는 dog.jpg의 개나 kite.jpg의 물체를 검출하지 않았습니다(이 문제는 건너뛰세요).")
    smallest = min(kites.detections, key=lambda d: d["box"][2] * d["box"][3])
    return answer == (grids[dog["output"]], grids[smallest["output"]])


@exercise("6.8-4", hint="겹친 직사각형의 너비는 (두 오른쪽 끝 중 작은 값) − (두 왼쪽 끝 중 큰 값)이고, 음수이면 "
                        "겹치지 않으므로 0입니다. 높이도 같습니다. 합집합의 넓이는 두 넓이의 합에서 겹친 넓이를 뺍니다.")
def _iou(answer):
    if not callable(answer):
        raise ValueError("answer에 함수 이름(iou)을 넣으세요. iou(a, b)가 두 바운딩 박스 [x, y, w, h]의 IoU를 돌려줘야 합니다.")
    pairs = [([0, 0, 10, 10], [0, 0, 10, 10]), ([0, 0, 10, 10], [5, 0, 10, 10]), ([0, 0, 10, 10], [20, 20, 5, 5]),
             ([0, 0, 10, 10], [2, 2, 4, 4]), ([10, 10, 20, 10], [0, 15, 15, 30]), ([0, 0, 4, 4], [4, 0, 4, 4]),
             ([0, 0, 10, 10], [12, -5, 10, 10])]
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
