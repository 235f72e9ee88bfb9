"""직접 해 보기 해답: 6.7 전이 학습 (notebooks/6.7-transfer-learning.ipynb).

``answer`` makes the right answer, ``wrong`` a common mistake; tests/test_exercises.py feeds both
through helpers._course.exercises.check.  The models are built without pretrained weights and at 96×96
so that the check runs in seconds: the checks read the structure, not the weights.
"""


def _base():
    from tensorflow.keras.applications import MobileNetV2

    return MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3))


def _frozen(freeze=True):
    # 6.7-3: 49행 뒤에 base_model.trainable=False, 그다음 50~56행의 머리
    from helpers.transfer import build_model

    base_model = _base()
    if freeze:
        base_model.trainable = False
    return build_model(base_model, 10)


def _second_phase(keep_batch_norms_frozen=True):
    # 6.7-4: 1단계(동결) 뒤에 기반 모델을 풀고, 배치 정규화층만 다시 추론 모드로
    from tensorflow.keras.layers import BatchNormalization

    from helpers.transfer import build_model

    base_model = _base()
    base_model.trainable = False
    cnn = build_model(base_model, 10)
    base_model.trainable = True          # 배치 정규화층까지 모두 켜짐
    if keep_batch_norms_frozen:
        for layer in base_model.layers:
            if isinstance(layer, BatchNormalization):
                layer.trainable = False
    return cnn


SOLUTIONS = {
    # 6.7-1: Flatten 7·7·2048 = 100,352 → Dense(1024): 100,352·1024 + 1024; Dense(20): 1024·20 + 20
    "6.7-1": {"answer": lambda: 100352 * 1024 + 1024 + 1024 * 20 + 20,       # 102,781,972
              "wrong": lambda: 100352 * 1024 + 1024 * 20},                   # biases forgotten
    # 6.7-2: 2 copies × 11,788 images × 224·224·3 values × 4 bytes = 13.22 GB (2**30 bytes)
    "6.7-2": {"answer": lambda: 2 * 11788 * 224 * 224 * 3 * 4 / 2**30,
              "wrong": lambda: 11788 * 224 * 224 * 3 * 4 / 2**30},           # one copy only
    "6.7-3": {"answer": _frozen, "wrong": lambda: _frozen(freeze=False)},
    "6.7-4": {"answer": _second_phase, "wrong": lambda: _second_phase(keep_batch_norms_frozen=False)},
}
