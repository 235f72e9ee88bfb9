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

def _number(answer, expected: str, kind=None) -> float:
    """``answer`` if it is a number (of ``kind``, e.g. numbers.Integral), else ValueError saying what is expected."""
    import numbers

    if isinstance(answer, bool) or not isinstance(answer, kind or numbers.Real):
        raise ValueError(f"{expected} 쓰세요 (지금: {answer!r}).")
    return answer


def _same_model(answer, reference) -> bool:
    """True when ``answer`` has ``reference``'s input shape, layers (type and settings) and parameter count."""
    import keras

    if not isinstance(answer, keras.Model):
        raise ValueError(f"answer에 Keras 모델을 넣으세요 (지금: {type(answer).__name__}).")
    if tuple(answer.input_shape) != tuple(reference.input_shape):
        raise ValueError(f"입력 모양이 {tuple(answer.input_shape)}입니다. 프로그램과 같은 입력이어야 합니다.")
    keys = ("filters", "kernel_size", "strides", "padding", "activation", "units", "pool_size", "rate")

    def signature(model):
        return [(type(layer).__name__, [str(layer.get_config().get(k)) for k in keys])
                for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return signature(answer) == signature(reference) and answer.count_params() == reference.count_params()


@exercise("6.4-1", hint="높이와 너비는 ⌊(n+2p−h)/s⌋+1로 구합니다(padding='valid'이면 p=0). "
                        "채널 수는 입력의 채널 수가 아니라 커널 개수(filters)입니다.")
def _feature_map_shape(answer):
    from .convolution import output_size

    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise ValueError("(높이, 너비, 채널) 세 수를 튜플로 쓰세요.")
    side = output_size(32, 5, stride=2, padding=0)
    return tuple(answer) == (side, side, 16)


@exercise("6.4-2", hint="공식 ⌊(n+2p−h)/s⌋+1에 n=28, h=5, s=1을 넣고 결과가 28이 되는 p를 찾으세요. "
                        "p는 한쪽 변에 덧대는 화소 수입니다.")
def _same_padding(answer):
    import numbers
    from .convolution import output_size

    padding = _number(answer, "덧대기는 정수 하나로", numbers.Integral)
    return padding >= 0 and output_size(28, 5, stride=1, padding=int(padding)) == 28


@exercise("6.4-3", hint="6.4.2항의 functional API 셀처럼 Input에서 시작해 층을 텐서에 차례로 적용하고 "
                        "Model(inputs=…,outputs=…)로 묶으세요. 프로그램 6-1의 padding='same'도 빠뜨리지 마세요.")
def _functional_lenet(answer):
    import keras
    from .models import lenet5

    if isinstance(answer, keras.Sequential):
        raise ValueError("Sequential이 아니라 functional API(Model(inputs=…, outputs=…))로 만드세요.")
    return _same_model(answer, lenet5())


@exercise("6.4-4", hint="Conv2D(32,(3,3),…)의 두 번째 인자가 커널 크기입니다. 두 컨볼루션층 모두 바꾸고, "
                        "나머지 층(풀링, 드롭아웃, Dense)은 프로그램 6-2 그대로 두세요.")
def _bigger_kernels(answer):
    import keras
    from .models import mnist_cnn

    config = mnist_cnn().get_config()  # 프로그램 6-2's model, with 5×5 kernels in both convolutions
    for layer in config["layers"]:
        layer.pop("build_config", None)  # rebuilt from the input: the shapes after the convolutions change
        if layer["class_name"] == "Conv2D":
            layer["config"]["kernel_size"] = (5, 5)
    return _same_model(answer, keras.Sequential.from_config(config))

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

@exercise("6.6-1", hint="RandomRotation은 각도가 아니라 한 바퀴(360°)에 대한 비율을 받습니다. RandomTranslation은 "
                        "높이 비율을 먼저, 너비 비율을 다음에 받습니다. 생성기의 기본 채우기 방식(fill_mode)도 맞추세요.")
def _generator_as_layers(answer):
    import numpy as np

    steps = {type(layer).__name__: layer for layer in getattr(answer, "layers", None) or []}
    if sorted(steps) != ["RandomRotation", "RandomTranslation"] or len(answer.layers) != 2:
        raise ValueError("회전 층 하나와 이동 층 하나를 keras.Sequential([...])로 묶어 answer에 넣으세요.")
    rotation, shift = steps["RandomRotation"], steps["RandomTranslation"]

    def pair(factor):  # Keras takes 0.1 to mean (-0.1, 0.1)
        return np.ravel(factor) if np.size(factor) == 2 else np.array([-abs(factor), abs(factor)], float)
    return (np.allclose(pair(rotation.factor), [-45 / 360, 45 / 360]) and np.allclose(pair(shift.height_factor), 0)
            and np.allclose(pair(shift.width_factor), [-0.1, 0.1])
            and rotation.fill_mode == shift.fill_mode == "nearest")


@exercise("6.6-2", hint="L2 규제 항은 λ × (가중치 제곱의 합)입니다. 가중치는 입력 20 × 출력 10개이고, "
                        "바이어스는 kernel_regularizer에 들어가지 않습니다.")
def _l2_by_hand(answer):
    return abs(float(_number(answer, "규제 항은 수 하나로")) - 0.01 * (20 * 10) * 0.5**2) < 1e-6


@exercise("6.6-3", hint="증대를 켠 설정에서 generator.flow(...)에 들어가는 배열이 폴드의 훈련 부분(xtrain)인지 "
                        "훈련 집합 전체(x_train)인지 책의 코드에서 보세요.")
def _leaked_share(answer):
    return abs(float(_number(answer, "백분율(0~100)을 수 하나로")) - 100.0) < 1e-9


@exercise("6.6-4", hint="np.arange(n)을 두 부분으로 자르면 됩니다. 검증 부분은 n//5개, 나머지는 훈련 부분이고 "
                        "둘은 겹치지 않아야 합니다.")
def _validation_split(answer):
    import numpy as np

    if not callable(answer):
        raise ValueError("answer에 함수 이름(split)을 넣으세요. split(n)이 (train_index, val_index)를 돌려줘야 합니다.")
    for n in (10, 101, 6000):
        try:
            train, val = (np.ravel(part) for part in answer(n))
        except (TypeError, ValueError):
            raise ValueError(f"split({n})이 (train_index, val_index) 두 배열을 돌려주지 않습니다.") from None
        if np.intersect1d(train, val).size:
            raise ValueError(f"split({n})의 훈련 부분과 검증 부분이 겹칩니다: 검증할 영상을 학습하게 됩니다.")
        if not np.array_equal(np.sort(np.concatenate([train, val])), np.arange(n)):
            raise ValueError(f"split({n})의 두 부분을 합치면 0…{n - 1}이 빠짐없이 한 번씩 나와야 합니다.")
        if len(val) != n // 5:
            return False
    return True

# ------------------------------------------------------------------ 6.7

def _transfer_number(answer, integral: bool = False):
    import numbers

    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral if integral else numbers.Real):
        raise ValueError(f"{'정수' if integral else '수'} 하나로 쓰세요 (지금: {answer!r}).")
    return answer


@exercise("6.7-1", hint="Flatten이 내놓는 값은 ResNet50의 224×224 특징 맵 7×7×2048개입니다. Dense층의 매개변수는 입력 수 × "
                        "출력 수 + 바이어스(출력 수)이고, 동결한 기반 모델의 가중치는 세지 않습니다.")
def _frozen_trainable_parameters(answer):
    return _transfer_number(answer, integral=True) == 7 * 7 * 2048 * 1024 + 1024 + 1024 * 20 + 20


@exercise("6.7-2", hint="영상 한 장은 224×224×3개의 float32(4바이트)입니다. 리스트에 모은 뒤 np.asarray로 한 벌 더 만드는 "
                        "순간 몇 벌이 메모리에 있는지 세세요. 1 GB는 2**30바이트입니다.")
def _in_memory_gigabytes(answer):
    from .memory import in_memory_bytes

    expected = in_memory_bytes(11788, (224, 224)) / 2**30
    return abs(_transfer_number(answer) - expected) <= 0.01 * expected


@exercise("6.7-3", hint="기반 모델을 만든 다음 줄, 머리를 얹기 전에 책이 말한 한 줄을 넣으세요. 학습되는 가중치는 머리의 것뿐입니다.")
def _frozen_model(answer):
    from .transfer import training_state

    return training_state(answer) == "동결"


@exercise("6.7-4", hint="base_model.trainable=True가 배치 정규화층에 무엇을 하는지 생각해 보세요. 2단계에서는 배치 정규화층만 "
                        "추론 모드(trainable=False)이고, 나머지 층은 모두 학습되어야 합니다.")
def _second_phase(answer):
    from .transfer import training_state

    return training_state(answer) == "미세 조정, 배치 정규화층은 추론 모드"

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
