"""직접 해 보기: the checks behind each notebook's exercises.

A notebook's exercise has a cell the student fills in (``answer = None  # 여기에 …``) and a
check cell, ``print(check("6.4-1", answer))``, which says 정답 or 다시 해 보세요 with a hint,
without giving the answer away.  Each check is a function registered here under its
exercise's id with :func:`exercise`; the solutions live in ``solutions/<section>.py``, and
``tests/test_exercises.py`` runs every solution through its check, so a check cannot be wrong.

To add an exercise: write its check below, in its section's block, decorated with
``@exercise("6.N-k", hint="…")``; it takes the student's answer and returns True when it is
right (or raises ``ValueError`` with a short Korean reason when it is wrong in a way worth
naming); add the solution to ``solutions/6.N.py``.
"""

from __future__ import annotations

CHECKS: dict = {}
NOT_YET = "아직 답이 없습니다: 위 셀의 빈칸(None)을 채우고, 그 셀과 이 셀을 다시 실행하세요."


def exercise(exercise_id: str, *, hint: str):
    """Register the decorated function as the check of ``exercise_id``.

    Example:
        >>> @exercise("0.0-1", hint="3 × 3을 계산해 보세요.")
        ... def _nine(answer):
        ...     return answer == 9
        >>> check("0.0-1", 9)
        '정답입니다! (0.0-1)'
    """
    def register(function):
        if exercise_id in CHECKS and CHECKS[exercise_id][0].__qualname__ != function.__qualname__:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        CHECKS[exercise_id] = (function, hint)
        return function

    return register


def check(exercise_id: str, answer) -> str:
    """The verdict on ``answer`` for exercise ``exercise_id``: 정답, or 다시 해 보세요 with a hint.

    Example:
        >>> @exercise("0.0-2", hint="2의 10제곱입니다.")
        ... def _kilo(answer):
        ...     return answer == 1024
        >>> check("0.0-2", None) == NOT_YET, check("0.0-2", 1000)
        (True, '다시 해 보세요. 힌트: 2의 10제곱입니다.')
    """
    if exercise_id not in CHECKS:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(sorted(CHECKS)) or 'none'}")
    if answer is None:
        return NOT_YET
    function, hint = CHECKS[exercise_id]
    try:
        right = function(answer)
    except ValueError as reason:
        return f"다시 해 보세요: {reason} 힌트: {hint}"
    return f"정답입니다! ({exercise_id})" if right else f"다시 해 보세요. 힌트: {hint}"


# ------------------------------------------------------------------ 6.4 (checks go here)

# ------------------------------------------------------------------ 6.5

def _integer(answer, what: str) -> int:
    """``answer`` if it is a whole number, else ValueError asking for ``what`` (this block on its own)."""
    import numbers

    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        raise ValueError(f"{what}를 정수 하나로 쓰세요 (지금: {answer!r}).")
    return int(answer)


@exercise("6.5-1", hint="컨볼루션층 하나의 매개변수는 (커널 높이 × 너비 × 입력 채널 수 + 1) × 커널 개수입니다(+1은 바이어스). "
                        "부분 모델은 입력에서 잘라 낸 층까지 모든 층의 매개변수를 가집니다.")
def _partial_model_parameters(answer):
    from .models import cifar10_cnn
    from .vis import partial_model

    return _integer(answer, "매개변수 수") == partial_model(cifar10_cnn(), 1).count_params()


@exercise("6.5-2", hint="세로 방향 구조를 검출하는 커널은 왼쪽에서 오른쪽으로 가며 값이 바뀌고, 위에서 아래로는 거의 그대로입니다. "
                        "세 열이 저마다 고른 색인 커널을 찾으세요. 행마다 고른 커널은 가로 방향 구조를 검출합니다.")
def _vertical_kernel(answer):
    import numpy as np

    from . import imagenet

    index = _integer(answer, "커널 번호(0~31)")
    with np.load(imagenet.weights_path()) as stored:
        kernels = stored["Conv1/0"]                             # (3, 3, 3, 32): the first convolution
    if not 0 <= index < kernels.shape[3]:
        raise ValueError(f"Conv1의 커널 번호는 0~{kernels.shape[3] - 1}입니다 (지금: {index}).")
    norms = np.sqrt((kernels ** 2).sum(axis=(0, 1, 2)))
    if norms[index] < 0.05 * norms.max():
        raise ValueError(f"{index}번 커널은 값이 거의 0이라(회색 한 가지) 아무것도 검출하지 않습니다.")
    grey = kernels[:, :, :, int(index)].sum(axis=2)
    grey = grey - grey.mean()                                   # shares of its energy constant down columns / along rows
    columns, rows = (3 * (grey.mean(axis=axis) ** 2).sum() / (grey ** 2).sum() for axis in (0, 1))
    return columns >= 0.6 and rows <= 0.1


@exercise("6.5-3", hint="out_relu의 높이와 너비는 입력에서 몇 배로 줄어드는지(224 → 7)를 보면 구할 수 있습니다. "
                        "채널 수는 그 층의 커널 개수로 정해지므로 입력 크기와 관계없습니다.")
def _mobilenet_map_shape(answer):
    import keras

    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise ValueError("(높이, 너비, 채널) 세 수를 튜플로 쓰세요.")
    model = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(160, 160, 3))
    return tuple(answer) == tuple(model.get_layer("out_relu").output.shape[1:])


@exercise("6.5-4", hint="grad_cam(…, class_index=…)에 'mountain bike'의 부류 번호를 주고, size=사진.shape[:2]로 사진 크기의 열지도를 받으세요. "
                        "가장 큰 값의 위치는 np.unravel_index(heatmap.argmax(), heatmap.shape)가 (행, 열) = (y, x)로 돌려줍니다.")
def _bicycle_evidence(answer):
    # Boxes (x0, y0, x1, y1) in darknet's dog.jpg (768×576), read off once from a 50-pixel grid drawn over it:
    # the bicycle from its rear wheel to its front wheel and saddle to tyres; the dog from head to tail.
    bicycle, dog = (125, 135, 570, 420), (130, 215, 310, 545)
    import numbers

    if (not isinstance(answer, (tuple, list)) or len(answer) != 2
            or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in answer)):
        raise ValueError("(x, y) 두 수를 튜플로 쓰세요. x는 왼쪽에서부터, y는 위에서부터 센 화소 위치입니다.")
    x, y = (float(value) for value in answer)
    if dog[0] <= x <= dog[2] and dog[1] <= y <= dog[3]:
        raise ValueError("그 자리에는 개가 있습니다. 1위 부류(개)의 열지도가 아닌지, (x, y)의 순서가 바뀌지 않았는지 확인하세요.")
    return bicycle[0] <= x <= bicycle[2] and bicycle[1] <= y <= bicycle[3]

# ------------------------------------------------------------------ 6.6

# ------------------------------------------------------------------ 6.7

# ------------------------------------------------------------------ 6.8

_YOLO_RUNS: dict = {}


def _count(answer, what: str) -> int:
    """``answer`` if it is a whole number, else ValueError saying what is expected."""
    import numbers

    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        raise ValueError(f"{what}를 정수 하나로 쓰세요 (지금: {answer!r}).")
    return int(answer)


def _yolo_boxes(image: str, *, conf_threshold: float = 0.5, nms_threshold: float = 0.4) -> int:
    """How many boxes the notebook's YOLO model (``choose_model``, as its cells choose it) keeps on a
    darknet sample image; the forward pass runs once per image and model."""
    from . import config, darknet, detection

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
    return _count(answer, "후보 상자 수") == sum(3 * (416 // stride) ** 2 for stride in (32, 16, 8))


@exercise("6.8-2", hint="detect()의 conf_threshold만 바꾸고 nms_threshold는 책의 0.4로 두세요. 책의 코드라면 0.5가 "
                        "두 군데(26행의 비교와 34행 NMSBoxes의 세 번째 인자)에 있어 둘 다 바꿔야 합니다. "
                        "답은 0.2에서 남은 상자 수에서 0.5에서 남은 상자 수를 뺀 값입니다.")
def _lower_confidence(answer):
    return _count(answer, "늘어난 상자 수") == _yolo_boxes("kite.jpg", conf_threshold=0.2) - _yolo_boxes("kite.jpg")


@exercise("6.8-3", hint="detect()의 nms_threshold를 바꾸고 conf_threshold는 책의 0.5로 두세요. 답은 비최대 억제 뒤 "
                        "남은 상자 전부의 수입니다(부류와 상관없이).")
def _looser_nms(answer):
    return _count(answer, "남은 상자 수") == _yolo_boxes("dog.jpg", nms_threshold=0.8)


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
