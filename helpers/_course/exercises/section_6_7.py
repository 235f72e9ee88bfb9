"""직접 해 보기 checks of notebook 6.7."""

from __future__ import annotations

from . import exercise, number

# The six saved full-mode runs of 6.7 (helpers/_course/saved/results/<name>.json).
_RUNS = ("6-11-fine-tune", "6-11-book-batch-norm", "6-11-frozen", "6-11-features", "6-11-two-phase",
             "6-11-scratch")


@exercise("6.7-1", hint="Flatten이 내놓는 값은 ResNet50의 224×224 특징 맵 7×7×2048개입니다. Dense층의 매개변수는 입력 수 × "
                        "출력 수 + 바이어스(출력 수)이고, 동결한 기반 모델의 가중치는 세지 않습니다.")
def _frozen_trainable_parameters(answer):
    return number(answer, "정수 하나로", integral=True) == 7 * 7 * 2048 * 1024 + 1024 + 1024 * 20 + 20


@exercise("6.7-2", hint="42행과 44행에서 각각 무엇이 살아 있는지 세어 보세요. 42행이 x_train을 배열로 바꾼 뒤에야 훈련 "
                        "리스트가 풀려납니다. 영상 한 장은 224×224×3개의 float32(4바이트), 1 GB는 2**30바이트입니다.")
def _book_peak_gigabytes(answer):
    image = 224 * 224 * 3 * 4  # bytes of one float32 image
    expected = (2 * 5994 + 5794) * image / 2**30  # line 42: both lists and the training array
    return abs(number(answer, "GB 단위의 수 하나로") - expected) <= 0.005 * expected


def _stops() -> dict:
    """``{run: epoch}`` (from 1) of the saved runs whose lowest test loss came before their last epoch."""
    from ..saved import saved_run

    stops = {}
    for name in _RUNS:
        losses = saved_run(name)["history"]["val_loss"]
        best = losses.index(min(losses)) + 1
        if best < len(losses):
            stops[name] = best
    return stops


@exercise("6.7-3", hint="실행마다 history['val_loss']에서 가장 작은 값의 위치를 찾으세요. 파이썬의 위치는 0부터, 세대는 "
                        "1부터 셉니다. 정확률(val_accuracy)이 아니라 손실을 보고, 마지막(10번째) 세대에서 멈추는 실행은 빼세요.")
def _early_stops(answer):
    if not isinstance(answer, dict):
        raise ValueError('{"실행 이름": 세대, …} 꼴의 딕셔너리로 답하세요.')
    return {name: number(epoch, "세대를 정수로", integral=True) for name, epoch in answer.items()} == _stops()


@exercise("6.7-4", hint="base_model.trainable=True가 배치 정규화층에 무엇을 하는지 생각해 보세요. 2단계에서는 배치 정규화층만 "
                        "추론 모드(trainable=False)이고, 나머지 층은 모두 학습되어야 합니다.")
def _second_phase(answer):
    from ...transfer import training_state

    return training_state(answer) == "미세 조정, 배치 정규화층은 추론 모드"
