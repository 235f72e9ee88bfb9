"""직접 해 보기 checks of notebook 6.4."""

from __future__ import annotations

from . import exercise, number


def _same_model(answer, reference) -> bool:
    """True when ``answer`` has ``reference``'s input shape, layers (type and settings) and parameter count."""
    import keras

    if not isinstance(answer, keras.Model):
        raise ValueError(f"Keras 모델을 넣으세요 (지금: {type(answer).__name__}).")
    if tuple(answer.input_shape) != tuple(reference.input_shape):
        raise ValueError(f"입력 모양이 {tuple(answer.input_shape)}입니다. 프로그램과 같은 입력이어야 합니다.")
    keys = ("filters", "kernel_size", "strides", "padding", "activation", "units", "pool_size", "rate")

    def signature(model):
        return [(type(layer).__name__, [str(layer.get_config().get(k)) for k in keys])
                for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return signature(answer) == signature(reference) and answer.count_params() == reference.count_params()


@exercise("6.4-1", hint="높이와 너비는 ⌊(n+2p−h)/s⌋+1로 구합니다(padding='valid'이면 p=0, 나눗셈은 내림). "
                        "채널 수는 입력의 채널 수가 아니라 커널 개수(filters)이고, 순서는 (높이, 너비, 채널)입니다.")
def _feature_map_shape(answer):
    from ...convolution import output_size

    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise ValueError("(높이, 너비, 채널) 세 수를 튜플로 쓰세요.")
    side = output_size(32, 5, stride=2, padding=0)
    return tuple(answer) == (side, side, 16)


@exercise("6.4-2", hint="정확률이 아니라 검증 손실(hist['val_loss'])에서 가장 작은 값을 찾으세요. "
                        "그래프의 가로축과 np.argmin은 0부터 세므로, 첫 세대를 1로 세려면 1을 더합니다.")
def _lowest_validation_loss(answer):
    from ...models import cifar10_cnn
    from ..saved import load_checkpoint

    epoch = number(answer, "세대 번호를 정수 하나로", integral=True)
    val_loss = load_checkpoint("6-4", cifar10_cnn())["val_loss"]
    return epoch == 1 + min(range(len(val_loss)), key=val_loss.__getitem__)


@exercise("6.4-3", hint="6.4.2항의 functional API 셀처럼 Input에서 시작해 층을 텐서에 차례로 적용하고 "
                        "Model(inputs=…,outputs=…)로 묶으세요. 프로그램 6-1의 28×28×1 입력, padding='same', "
                        "세 번째 Conv2D(120)도 빠뜨리지 마세요.")
def _functional_lenet(answer):
    import keras
    from ...models import lenet5

    if isinstance(answer, keras.Sequential):
        raise ValueError("Sequential이 아니라 functional API(Model(inputs=…, outputs=…))로 만드세요.")
    return _same_model(answer, lenet5())


@exercise("6.4-4", hint="두 컨볼루션층 모두 커널을 (5,5)로 바꾸고 나머지 층은 프로그램 6-2 그대로 두세요. "
                        "valid 컨볼루션은 한 번에 h−1 화소씩 줄이고 풀링은 절반으로 줄입니다: Flatten의 크기는 "
                        "(높이×너비×채널)이고, Dense의 매개변수는 (입력 수+1)×출력 수입니다(+1은 바이어스).")
def _bigger_kernels(answer):
    import keras
    from ...models import mnist_cnn

    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise ValueError("(모델, Flatten의 출력 크기, 전체 매개변수 수) 세 가지를 튜플로 쓰세요.")
    model, flatten_size, total = answer
    config = mnist_cnn().get_config()  # 프로그램 6-2's model, with 5×5 kernels in both convolutions
    for layer in config["layers"]:
        layer.pop("build_config", None)  # rebuilt from the input: the shapes after the convolutions change
        if layer["class_name"] == "Conv2D":
            layer["config"]["kernel_size"] = (5, 5)
    reference = keras.Sequential.from_config(config)
    flatten = next(layer for layer in reference.layers if type(layer).__name__ == "Flatten")
    flatten_size = number(flatten_size, "Flatten의 출력 크기를 정수 하나로", integral=True)
    total = number(total, "전체 매개변수 수를 정수 하나로", integral=True)
    return (_same_model(model, reference) and flatten_size == flatten.output.shape[-1]
            and total == reference.count_params())
