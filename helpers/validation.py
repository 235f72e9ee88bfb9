"""k-fold cross-validation (프로그램 6-9, 6-10) that cannot leak, and the book's leaky 6-10 to compare with.

In 6-10 the book's augmented branch trains on the *whole* training set
(``generator.flow(x_train, …)``), so every held-out fold was also trained on.
:func:`cross_validate` trains each fold on that fold's training part only (augmentation
included) and scores it on the held-out fold; ``leak=True`` keeps the book's behaviour.
"""

from __future__ import annotations

import time

import numpy as np

from ._course import config
from ._course.measure import EpochTimer, format_duration
from .augment import augmented_dataset


def kfold_indices(n: int, k: int = 5):
    """The book's ``KFold(k).split`` as a list of ``(train_index, val_index)`` pairs.

    Not shuffled, as in the book, so fold *i* holds consecutive samples.  Make the folds once
    and give them to every configuration, so all are scored on the same folds.

    Example:
        >>> [(len(train), val.tolist()) for train, val in kfold_indices(10, k=5)]
        [(8, [0, 1]), (8, [2, 3]), (8, [4, 5]), (8, [6, 7]), (8, [8, 9])]
    """
    from sklearn.model_selection import KFold

    if not 2 <= k <= n:
        raise ValueError(f"k={k}: k-겹 교차 검증에는 2 ≤ k ≤ 샘플 수({n})여야 합니다.")
    return list(KFold(k).split(np.zeros(n)))


def cross_validate(build_model, x, y, *, augment=None, epochs: int = 10, batch_size: int = 128,
                   folds, leak: bool = False) -> list[float]:
    """Train a fresh ``build_model()`` on each fold's training part (augmented on the fly with
    ``augment``); return each held-out fold's accuracy.

    ``leak=True`` is 프로그램 6-10 as printed, only to measure its leak: with ``augment`` it
    trains on all of ``x``, the held-out fold included.  In full mode the first fold prints
    how long all folds will take.
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x는 {len(x)}개, y는 {len(y)}개입니다: 샘플과 레이블이 하나씩 짝이 맞아야 합니다.")
    for number, (train, val) in enumerate(folds):
        if np.intersect1d(train, val).size:
            raise ValueError(f"폴드 {number}: 훈련 부분과 검증 폴드에 모두 들어 있는 샘플이 "
                             f"{np.intersect1d(train, val).size}개입니다. kfold_indices()로 폴드를 만드세요.")
        if max(np.max(train), np.max(val)) >= len(x):
            raise ValueError(f"폴드 {number}에 {len(x)} 이상의 번호가 있습니다: 다른 데이터로 만든 폴드입니다.")
    scores = []
    for number, (train_index, val_index) in enumerate(folds):
        model = build_model()
        seen = np.arange(len(x)) if (leak and augment is not None) else train_index  # the book's leak
        callbacks = [EpochTimer()] if number == 0 and not config.is_quick() else []
        started = time.perf_counter()
        model.fit(augmented_dataset(x[seen], y[seen], augment, batch_size), epochs=epochs, verbose=0,
                  shuffle=False, callbacks=callbacks)  # the pipeline shuffles
        scores.append(float(model.evaluate(x[val_index], y[val_index], verbose=0)[1]))
        if callbacks:
            print(f"교차 검증 {len(folds)}폴드 예상 시간: 약 {format_duration((time.perf_counter() - started) * len(folds))}",
                  flush=True)
    return scores
