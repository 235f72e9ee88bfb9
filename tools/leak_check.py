"""Measure 프로그램 6-10's leak on one configuration, full size: the same folds, trained the
fixed way (training folds only) and the book's way (whole training set, held-out fold included).

    CH6_QUICK=0 python tools/leak_check.py [CONFIG]     # CONFIG: 100 (default), 101, 110, 111

Writes ``results/6.6-leak-<CONFIG>.json``.  The notebook 6.6 measures all four [1xx]
configurations in full mode; this command measures one in a quarter of the time.
"""

from __future__ import annotations

import sys
import time

import keras
import numpy as np

from helpers import augment, data, models, validation
from helpers._course import config, saved

SETTINGS = {"100": ((0.0, 0.0, 0.0), 0.0), "101": ((0.0, 0.0, 0.0), 0.01),
            "110": ((0.25, 0.25, 0.5), 0.0), "111": ((0.25, 0.25, 0.5), 0.01)}


def main(argv: list[str]) -> int:
    name = argv[0] if argv else "100"
    if name not in SETTINGS:
        print(f"CONFIG must be one of {sorted(SETTINGS)}, got {name!r}")
        return 2
    dropout_rate, l2_reg = SETTINGS[name]
    config.set_seed()
    (x_train, y_train), _ = data.load_cifar10()
    x_train = x_train.astype(np.float32) / 255.0
    y_train = keras.utils.to_categorical(y_train, 10)
    folds = validation.kfold_indices(len(x_train), 5)
    augmentation = augment.augmenter(rotation_range=3.0, width_shift_range=0.1, height_shift_range=0.1,
                                     horizontal_flip=True, interpolation="nearest")  # 책 50행의 생성기
    epochs = config.epochs(10, quick=1)
    start = time.perf_counter()
    fixed = validation.cross_validate(lambda: models.cifar10_cnn(dropout_rate, l2_reg), x_train, y_train,
                                      augment=augmentation, epochs=epochs, folds=folds)
    leaky = validation.cross_validate(lambda: models.cifar10_cnn(dropout_rate, l2_reg), x_train, y_train,
                                      augment=augmentation, epochs=epochs, folds=folds, leak=True)
    entry = {"section": "6.6", "config": name, "epochs": epochs, "samples": len(x_train),
             "fixed_folds": [round(s, 4) for s in fixed], "book_leaky_folds": [round(s, 4) for s in leaky],
             "fixed_mean": round(float(np.mean(fixed)), 4), "book_leaky_mean": round(float(np.mean(leaky)), 4),
             "inflation_points": round(100 * float(np.mean(leaky) - np.mean(fixed)), 2),
             "seconds": round(time.perf_counter() - start), "quick": config.is_quick(),
             "command": f"CH6_QUICK={int(config.is_quick())} python tools/leak_check.py {name}"}
    print(entry)
    if not config.is_quick():
        print("wrote", saved.record(f"6.6-leak-{name}", **entry))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
