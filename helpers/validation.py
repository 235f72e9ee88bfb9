"""k-fold cross-validation that cannot leak, and the book's leaky variant to compare with.

프로그램 6-9 and 6-10 score each configuration by 5-fold cross-validation.  In 6-10 the
book's augmented branch trains on the *whole* training set (``generator.flow(x_train, …)``),
so every "held-out" fold was also trained on, and it monitors the test set.
:func:`cross_validate` builds each fold's training pipeline from that fold's training
indices only (augmentation included) and scores only on the held-out fold; with
``leak=True`` it keeps the book's behaviour, for measuring the leak on the same folds.
"""

from __future__ import annotations

import numpy as np

from .augment import augmented_dataset


def kfold_indices(n: int, k: int = 5):
    """The book's ``KFold(k).split`` as a list of ``(train_index, val_index)`` pairs.

    Not shuffled, as in the book, so fold *i* holds consecutive samples.  Compute the folds
    once and pass them to every configuration so all of them are scored on the same folds.

    Example:
        >>> [(len(t), len(v)) for t, v in kfold_indices(10, k=5)]
        [(8, 2), (8, 2), (8, 2), (8, 2), (8, 2)]
    """
    from sklearn.model_selection import KFold

    if not 2 <= k <= n:
        raise ValueError(f"k={k}: k-fold cross-validation needs 2 ≤ k ≤ the number of samples ({n}).")
    return [(train, val) for train, val in KFold(k).split(np.zeros(n))]


def _check(x, y, folds):
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match one to one.")
    for number, (train, val) in enumerate(folds):
        if np.intersect1d(train, val).size:
            raise ValueError(f"fold {number}: {np.intersect1d(train, val).size} indices are in both the "
                             "training and the held-out part; build the folds with kfold_indices().")
        if max(np.max(train), np.max(val)) >= len(x):
            raise ValueError(f"fold {number} has an index ≥ {len(x)}: the folds were made for other data.")


def cross_validate(build_model, x, y, *, k: int = 5, augment=None, epochs: int = 10,
                   batch_size: int = 128, folds=None, verbose: int = 0, leak: bool = False) -> list[float]:
    """Train a fresh model on each fold's training part; return each held-out fold's accuracy.

    ``build_model()`` returns a compiled Keras model.  ``augment`` (e.g.
    :func:`helpers.augment.shift_flip`) is applied on the fly, to the training part only.
    ``folds`` defaults to :func:`kfold_indices`; pass the same list to compare
    configurations on the same folds.  Nothing of the held-out fold reaches ``fit``.

    ``leak=True`` is 프로그램 6-10's loop as printed, only to measure its leak: with
    ``augment`` it trains on all of ``x`` (the book's ``generator.flow(x_train, …)``),
    held-out fold included, then scores on the held-out fold.  (Without ``augment`` the book
    trains on the fold's training part, which is correct.)  The book's
    ``validation_data=(x_test, y_test)`` only monitors, so it is left out.

    In full mode the first fold's fit prints its run-time estimate, then the estimate for all folds.

    Example:
        >>> import keras
        >>> def build():
        ...     model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
        ...     model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
        ...     return model
        >>> x = np.random.rand(20, 2).astype("float32"); y = np.eye(2)[(x[:, 0] > 0.5).astype(int)]
        >>> len(cross_validate(build, x, y, k=4, epochs=1))
        4
    """
    import time

    from ._course import config
    from ._course.measure import EpochTimer, format_duration

    x, y = np.asarray(x), np.asarray(y)
    folds = kfold_indices(len(x), k) if folds is None else folds
    _check(x, y, folds)
    scores = []
    for number, (train_index, val_index) in enumerate(folds):
        model = build_model()
        seen = np.arange(len(x)) if (leak and augment is not None) else train_index  # the book's leak
        training = augmented_dataset(x[seen], y[seen], augment, batch_size)
        started = time.perf_counter()
        callbacks = [EpochTimer()] if number == 0 and not config.is_quick() else []
        model.fit(training, epochs=epochs, verbose=verbose, shuffle=False, callbacks=callbacks)  # the pipeline shuffles
        scores.append(float(model.evaluate(x[val_index], y[val_index], verbose=0)[1]))
        if callbacks:
            print(f"교차 검증 {len(folds)}폴드 예상 시간: 약 {format_duration((time.perf_counter() - started) * len(folds))}",
                  flush=True)
    return scores


def record_scores(scores: dict, *, name: str, **extra):
    """In full mode, record each configuration's fold scores and mean as ``name`` (see ``saved.record``)."""
    from ._course.saved import record

    table = {label: {"folds": [round(float(v), 5) for v in values], "mean": round(float(np.mean(values)), 5)}
             for label, values in scores.items()}
    return record(name, scores=table, **extra)
