"""직접 해 보기 checks of notebook 6.6."""

from __future__ import annotations

from . import exercise, number


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
    return abs(float(number(answer, "규제 항은 수 하나로")) - 0.01 * (20 * 10) * 0.5**2) < 1e-6


@exercise("6.6-3", hint="증대를 켠 설정에서 generator.flow(...)에 들어가는 배열이 폴드의 훈련 부분(xtrain)인지 "
                        "훈련 집합 전체(x_train)인지 책의 코드에서 보세요.")
def _leaked_share(answer):
    return abs(float(number(answer, "백분율(0~100)을 수 하나로")) - 100.0) < 1e-9


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
