"""직접 해 보기 checks of notebook 6.5."""

from __future__ import annotations

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
    import numpy as np

    from ... import imagenet

    index = number(answer, "커널 번호(0~31)를 정수 하나로", integral=True)
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
