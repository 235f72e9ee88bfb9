"""직접 해 보기 checks of notebook 6.5."""

from __future__ import annotations

import functools
import numbers

import numpy as np

from . import exercise, number


@exercise("6.5-1", hint="컨볼루션층 하나의 매개변수는 (커널 높이 × 너비 × 입력 채널 수 + 1) × 커널 개수입니다(+1은 바이어스). "
                        "부분 모델은 입력에서 잘라 낸 층까지 모든 층의 매개변수를 가집니다.")
def _partial_model_parameters(answer):
    from ...models import cifar10_cnn
    from ...vis import partial_model

    return number(answer, "매개변수 수를 정수 하나로", integral=True) == partial_model(cifar10_cnn(), 1).count_params()


@exercise("6.5-2", hint="세로 방향 구조를 검출하는 커널은 왼쪽에서 오른쪽으로 가며 값이 바뀌고, 위에서 아래로는 거의 그대로입니다. "
                        "세 열이 저마다 고른 색인 커널을 찾으세요. 행마다 고른 커널은 가로 방향 구조를 검출합니다.")
def _vertical_kernel(answer):
    from ..tflite import weights_path

    index = number(answer, "커널 번호(0~31)를 정수 하나로", integral=True)
    with np.load(weights_path()) as stored:
        kernels = stored["Conv1/0"]                             # (3, 3, 3, 32): the first convolution
    if not 0 <= index < kernels.shape[3]:
        raise ValueError(f"Conv1의 커널 번호는 0~{kernels.shape[3] - 1}입니다 (지금: {index}).")
    norms = np.sqrt((kernels ** 2).sum(axis=(0, 1, 2)))
    if norms[index] < 0.05 * norms.max():
        raise ValueError(f"{index}번 커널은 값이 거의 0이라(회색 한 가지) 아무것도 검출하지 않습니다.")
    grey = kernels[:, :, :, index].sum(axis=2)
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


@functools.lru_cache(maxsize=1)
def _dog_peak() -> tuple[int, int, int, int]:
    """(x, y) of the largest value of dog.jpg's top-1 Grad-CAM at the photo's size, and the photo's width and height."""
    from ... import imagenet
    from ...gradcam import grad_cam
    from .. import downloads

    photo = imagenet.load_photo(downloads.fetch("dog.jpg"))
    heatmap, _, _ = grad_cam(imagenet.mobilenet_v2(), imagenet.model_input(photo), layer="out_relu",
                             size=photo.shape[:2])
    y, x = np.unravel_index(heatmap.argmax(), heatmap.shape)
    return int(x), int(y), photo.shape[1], photo.shape[0]


@exercise("6.5-4", hint="grad_cam(mobilenet, x, layer='out_relu', size=photo.shape[:2])로 사진 크기의 열지도를 받으세요(class_index를 "
                        "주지 않으면 1위 부류). 가장 큰 값의 위치는 np.unravel_index(heatmap.argmax(), heatmap.shape)가 "
                        "(행, 열) = (y, x)로 돌려줍니다.")
def _dog_evidence(answer):
    if (not isinstance(answer, (tuple, list)) or len(answer) != 2
            or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in answer)):
        raise ValueError("(x, y) 두 수를 튜플로 쓰세요. x는 왼쪽에서부터, y는 위에서부터 센 화소 위치입니다.")
    x, y, width, height = _dog_peak()
    if not (0 <= answer[0] < width and 0 <= answer[1] < height):
        raise ValueError(f"dog.jpg는 {width}×{height}입니다: 사진 안의 좌표를 쓰세요.")
    # 5 % of the width: a heat-map computed at 224×224 and scaled up lands within a few pixels
    return float(np.hypot(answer[0] - x, answer[1] - y)) <= 0.05 * width


@functools.lru_cache(maxsize=1)
def _confused_airplane() -> int:
    """The class the 6-4 checkpoint gives the airplane it misclassifies most confidently (first 1,000 test images)."""
    from ...data import load_cifar10
    from ...models import cifar10_cnn
    from ..saved import load_checkpoint

    model = cifar10_cnn()
    load_checkpoint("6-4", model)
    (_, _), (x_test, y_test) = load_cifar10()
    probabilities = model.predict(x_test[:1000].astype(np.float32) / 255.0, verbose=0)
    predicted, truth = probabilities.argmax(axis=1), y_test[:1000].ravel()
    wrong = np.flatnonzero((truth == 0) & (predicted != 0))
    return int(predicted[wrong[np.argmax(probabilities[wrong, predicted[wrong]])]])


@exercise("6.5-5", hint="아래 줄 열지도의 붉은 곳(모델이 고른 부류의 증거)이 비행기의 어느 부분에 있는지, 그 모양이 CIFAR-10의 "
                        "어느 부류와 닮았는지 보세요. 물 위에 떠 있는 수상 비행기도 있습니다. 부류 이름(영어)이나 번호로 쓰세요.")
def _confused_class(answer):
    from ...data import CIFAR10_CLASSES

    if isinstance(answer, str):
        if answer.strip().lower() not in CIFAR10_CLASSES:
            raise ValueError(f"부류 이름은 {CIFAR10_CLASSES} 가운데 하나입니다 (지금: {answer!r}).")
        answer = CIFAR10_CLASSES.index(answer.strip().lower())
    return number(answer, "부류 이름이나 번호 하나로", integral=True) == _confused_airplane()
