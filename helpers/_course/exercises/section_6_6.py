"""직접 해 보기 checks of notebook 6.6.  6.6-3 and 6.6-5 read the training curves saved with the
project's checkpoints 6-4 and 6-8 (full runs), so their answers do not move between runs."""

from __future__ import annotations

import numpy as np

from . import exercise, number


def _history(program: str) -> dict:
    from helpers.models import cifar10_cnn

    from ..saved import load_checkpoint

    return load_checkpoint(program, cifar10_cnn())


@exercise("6.6-1", hint="RandomRotation은 각도가 아니라 한 바퀴(360°)에 대한 비율을 받습니다. RandomTranslation은 "
                        "높이 비율을 먼저, 너비 비율을 다음에 받습니다. 생성기의 기본 채우기 방식(fill_mode)도 맞추세요.")
def _generator_as_layers(answer):
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
    return abs(float(number(answer, "규제 항은 수 하나로")) - 0.01 * (20 * 10) * 0.5**2) < 1e-6


@exercise("6.6-3", hint="hist_64['val_loss']에서 가장 작은 값이 몇 번째 세대인지 찾으세요(np.argmin). "
                        "세대는 1부터 셉니다. 정확률이 아니라 손실을 보세요.")
def _overfitting_epoch(answer):
    return number(answer, "세대 번호를 정수 하나로", integral=True) == int(np.argmin(_history("6-4")["val_loss"])) + 1


@exercise("6.6-4", hint="np.arange(n)을 두 부분으로 자르면 됩니다. 검증 부분은 앞이 아니라 마지막 n//5개이고, "
                        "나머지가 훈련 부분입니다. 섞지 말고 순서대로 자르세요.")
def _validation_split(answer):
    if not callable(answer):
        raise ValueError("answer에 함수 이름(split)을 넣으세요. split(n)이 (train_index, val_index)를 돌려줘야 합니다.")
    for n in (10, 101, 6000):
        try:
            train, val = (np.ravel(part) for part in answer(n))
        except (TypeError, ValueError):
            raise ValueError(f"split({n})이 (train_index, val_index) 두 배열을 돌려주지 않습니다.") from None
        if np.intersect1d(train, val).size:
            raise ValueError(f"split({n})의 훈련 부분과 검증 부분이 겹칩니다: 검증할 샘플을 학습하게 됩니다.")
        if not np.array_equal(np.sort(np.concatenate([train, val])), np.arange(n)):
            raise ValueError(f"split({n})의 두 부분을 합치면 0…{n - 1}이 빠짐없이 한 번씩 나와야 합니다.")
        if not np.array_equal(np.sort(val), np.arange(n - n // 5, n)):
            return False
    return True


@exercise("6.6-5", hint="30세대째는 목록의 30번째 값, 곧 [29]입니다. 간격은 훈련 정확률(accuracy) − 검증 "
                        "정확률(val_accuracy)이고, 답은 (6-4의 간격, 6-8의 간격) 순서입니다.")
def _augmentation_gap(answer):
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise ValueError("두 수를 (증대 없는 6-4의 간격, 증대한 6-8의 간격)처럼 튜플로 쓰세요.")
    gaps = [history["accuracy"][29] - history["val_accuracy"][29] for history in map(_history, ("6-4", "6-8"))]
    return all(abs(float(number(given, "간격은 수로")) - gap) < 1e-3 for given, gap in zip(answer, gaps))
