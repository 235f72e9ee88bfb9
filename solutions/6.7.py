"""직접 해 보기 해답: 6.7 전이 학습 (notebooks/6.7-transfer-learning.ipynb).

``answer`` makes the right answer, ``wrong`` the common mistakes; tests/test_exercises.py feeds them
through helpers._course.exercises.check.  The models of 6.7-4 are built without pretrained weights and
at 96×96 so that the check runs in seconds: it reads the structure, not the weights.
"""

RUNS = ["6-11-fine-tune", "6-11-book-batch-norm", "6-11-frozen", "6-11-features", "6-11-two-phase", "6-11-scratch"]


def _early_stops(metric="val_loss", first=1, keep_last=False):
    # 6.7-3: the epoch (from 1) of the lowest test loss, for the runs where it came before the last epoch
    from helpers._course.saved import saved_run

    stops = {}
    for name in RUNS:
        values = saved_run(name)["history"][metric]
        best = (values.index(max(values)) if metric.endswith("accuracy") else values.index(min(values))) + first
        if keep_last or best < len(values) - 1 + first:
            stops[name] = best
    return stops


def _second_phase(batch_norms="inference", unfreeze=True):
    # 6.7-4: 1단계(동결) 뒤에 기반 모델을 풀고, 배치 정규화층만 다시 추론 모드로
    from tensorflow.keras.applications import MobileNetV2
    from tensorflow.keras.layers import BatchNormalization

    from helpers.transfer import build_model

    base_model = MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3))
    base_model.trainable = False
    cnn = build_model(base_model, 10)
    base_model.trainable = unfreeze       # 배치 정규화층까지 모두 켜짐
    for layer in base_model.layers:
        if batch_norms == "inference" and isinstance(layer, BatchNormalization):
            layer.trainable = False
        if batch_norms == "only" and not isinstance(layer, BatchNormalization):
            layer.trainable = False
    return cnn


GB = 2**30
IMAGE = 224 * 224 * 3 * 4  # bytes of one float32 image
SOLUTIONS = {
    # 6.7-1: Flatten 7·7·2048 = 100,352 → Dense(1024): 100,352·1024 + 1024; Dense(20): 1024·20 + 20
    "6.7-1": {"answer": lambda: 100352 * 1024 + 1024 + 1024 * 20 + 20,       # 102,781,972
              "wrong": [lambda: 100352 * 1024 + 1024 * 20,                   # biases forgotten
                        lambda: 2048 * 1024 + 1024 + 1024 * 20 + 20,         # 7×7 forgotten (as if pooled)
                        lambda: 23587712 + 100352 * 1024 + 1024 + 1024 * 20 + 20,  # the frozen base counted
                        lambda: 100352 * 1024 + 1024 + 1024 * 200 + 200]},   # 200 classes, not 20
    # 6.7-2: at line 42 both lists and the training array: (2·5,994 + 5,794) images × 602,112 bytes = 9.97 GB
    "6.7-2": {"answer": lambda: (2 * 5994 + 5794) * IMAGE / GB,
              "wrong": [lambda: 2 * 11788 * IMAGE / GB,                      # every image twice: 13.22
                        lambda: 11788 * IMAGE / GB,                          # one copy: 6.61
                        lambda: (5994 + 2 * 5794) * IMAGE / GB,              # line 44 instead: 9.86
                        lambda: (2 * 5994 + 5794) * IMAGE / 1e9,             # GB as 10**9 bytes: 10.71
                        lambda: (2 * 5994 + 5794) * 224 * 224 * 3 / GB]},    # uint8 instead of float32
    # 6.7-3: the book's way (batch norms in training mode) stops at 4, the scratch run at 1
    "6.7-3": {"answer": _early_stops,
              "wrong": [lambda: _early_stops(first=0),                       # epochs counted from 0
                        lambda: _early_stops(metric="val_accuracy"),         # the best accuracy, not loss
                        lambda: _early_stops(keep_last=True),                # the runs that stop at 10 too
                        lambda: {name: epoch + 1 for name, epoch in _early_stops().items()}]},  # where it rises
    "6.7-4": {"answer": _second_phase,
              "wrong": [lambda: _second_phase(batch_norms="training"),      # the book's way
                        lambda: _second_phase(unfreeze=False),              # still frozen
                        lambda: _second_phase(batch_norms="only")]},        # only the batch norms learn
}
