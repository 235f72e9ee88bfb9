"""직접 해 보기 checks of notebook 6.7."""

from __future__ import annotations

from . import exercise, number


@exercise("6.7-1", hint="Flatten이 내놓는 값은 ResNet50의 224×224 특징 맵 7×7×2048개입니다. Dense층의 매개변수는 입력 수 × "
                        "출력 수 + 바이어스(출력 수)이고, 동결한 기반 모델의 가중치는 세지 않습니다.")
def _frozen_trainable_parameters(answer):
    return number(answer, "정수 하나로", integral=True) == 7 * 7 * 2048 * 1024 + 1024 + 1024 * 20 + 20


@exercise("6.7-2", hint="영상 한 장은 224×224×3개의 float32(4바이트)입니다. 리스트에 모은 뒤 np.asarray로 한 벌 더 만드는 "
                        "순간 몇 벌이 메모리에 있는지 세세요. 1 GB는 2**30바이트입니다.")
def _in_memory_gigabytes(answer):
    from ..memory import in_memory_bytes

    expected = in_memory_bytes(11788, (224, 224)) / 2**30
    return abs(number(answer, "수 하나로") - expected) <= 0.01 * expected


@exercise("6.7-3", hint="기반 모델을 만든 다음 줄, 머리를 얹기 전에 책이 말한 한 줄을 넣으세요. 학습되는 가중치는 머리의 것뿐입니다.")
def _frozen_model(answer):
    from ...transfer import training_state

    return training_state(answer) == "동결"


@exercise("6.7-4", hint="base_model.trainable=True가 배치 정규화층에 무엇을 하는지 생각해 보세요. 2단계에서는 배치 정규화층만 "
                        "추론 모드(trainable=False)이고, 나머지 층은 모두 학습되어야 합니다.")
def _second_phase(answer):
    from ...transfer import training_state

    return training_state(answer) == "미세 조정, 배치 정규화층은 추론 모드"
