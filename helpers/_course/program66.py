"""프로그램 6-6's model and test set again, for the sections of notebook 6.5 that run on their own.

The program's own section builds the model (the 6-4 checkpoint with ``USE_CHECKPOINT = True``;
otherwise 6.4's saved ``my_cnn.keras``, or a model trained there and saved under that name);
the sections after it call :func:`model_and_test_set`, which loads the same model without training.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from . import config, saved

_MODEL_FILE = "my_cnn.keras"     # 프로그램 6-4(b)'s file, in the user's model folder


def model_and_test_set(use_checkpoint: bool):
    """``(cnn, x_test, test_labels, source)``: the model as 프로그램 6-6's section left it, CIFAR-10's
    test images in [0, 1], their classes (N,) and one Korean line saying which model it is."""
    import keras

    from ..data import load_cifar10
    from ..models import cifar10_cnn

    path = config.model_path(_MODEL_FILE)
    if not use_checkpoint and path.is_file():
        cnn = keras.models.load_model(path)
        day = _dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
        source = f"이 컴퓨터에 저장된 {_MODEL_FILE} ({day}에 저장)"
    else:
        cnn = cifar10_cnn()
        saved.load_checkpoint("6-4", cnn)
        source = saved.describe_checkpoint("6-4")
        if not use_checkpoint:
            source += f" — 저장된 {_MODEL_FILE}가 없어 대신 씀 (프로그램 6-6 절을 실행하면 그 모델을 씁니다)"
    (_, _), (x_test, y_test) = load_cifar10()
    return cnn, x_test.astype(np.float32) / 255.0, y_test.ravel(), source
