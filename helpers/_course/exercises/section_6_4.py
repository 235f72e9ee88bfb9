"""직접 해 보기 checks of notebook 6.4."""

from __future__ import annotations

from . import exercise, number


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
    from ...convolution import output_size

    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise ValueError("(높이, 너비, 채널) 세 수를 튜플로 쓰세요.")
    side = output_size(32, 5, stride=2, padding=0)
    return tuple(answer) == (side, side, 16)


@exercise("6.4-2", hint="공식 ⌊(n+2p−h)/s⌋+1에 n=28, h=5, s=1을 넣고 결과가 28이 되는 p를 찾으세요. "
                        "p는 한쪽 변에 덧대는 화소 수입니다.")
def _same_padding(answer):
    from ...convolution import output_size

    padding = number(answer, "덧대기는 정수 하나로", integral=True)
    return padding >= 0 and output_size(28, 5, stride=1, padding=int(padding)) == 28


@exercise("6.4-3", hint="6.4.2항의 functional API 셀처럼 Input에서 시작해 층을 텐서에 차례로 적용하고 "
                        "Model(inputs=…,outputs=…)로 묶으세요. 프로그램 6-1의 padding='same'도 빠뜨리지 마세요.")
def _functional_lenet(answer):
    import keras
    from ...models import lenet5

    if isinstance(answer, keras.Sequential):
        raise ValueError("Sequential이 아니라 functional API(Model(inputs=…, outputs=…))로 만드세요.")
    return _same_model(answer, lenet5())


@exercise("6.4-4", hint="Conv2D(32,(3,3),…)의 두 번째 인자가 커널 크기입니다. 두 컨볼루션층 모두 바꾸고, "
                        "나머지 층(풀링, 드롭아웃, Dense)은 프로그램 6-2 그대로 두세요.")
def _bigger_kernels(answer):
    import keras
    from ...models import mnist_cnn

    config = mnist_cnn().get_config()  # 프로그램 6-2's model, with 5×5 kernels in both convolutions
    for layer in config["layers"]:
        layer.pop("build_config", None)  # rebuilt from the input: the shapes after the convolutions change
        if layer["class_name"] == "Conv2D":
            layer["config"]["kernel_size"] = (5, 5)
    return _same_model(answer, keras.Sequential.from_config(config))
