"""Record what a run measured (full mode) and set it beside the book's printed figures."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import time
from pathlib import Path

import keras

from . import config

# Test accuracies (%) printed in the book, chapter 6.
BOOK_ACCURACY = {
    "6-1": 99.11,   # LeNet-5, MNIST, 30 epochs
    "6-2": 99.23,   # CNN, MNIST, 12 epochs
    "6-3": 92.71,   # CNN, Fashion-MNIST, 12 epochs
    "6-4": 79.89,   # CNN, CIFAR-10, 30 epochs
    "6-5": 79.89,   # the saved 6-4 model, reloaded
    "6-8": 80.81,   # CNN, CIFAR-10, augmentation, 50 epochs
    "6-11": 75.53,  # ResNet50 transfer, CUB-200-2011 (20 classes), 10 epochs
}


class EpochTimer(keras.callbacks.Callback):
    """Keras callback that keeps the wall-clock seconds of every epoch in ``.seconds``.

    Example:
        >>> timer = EpochTimer()
        >>> # cnn.fit(..., callbacks=[timer]); timer.seconds -> [12.3, 11.9, ...]
    """

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def machine_info() -> dict:
    """What ran the experiment: CPU count, processor, platform, library versions.

    Example:
        >>> machine_info()["cpus"] >= 1
        True
    """
    import numpy
    import tensorflow

    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tensorflow.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
    }


def record_result(program: str, accuracy: float, timer: EpochTimer | None = None,
                  data: str = "", **extra) -> Path | None:
    """In full mode, write ``results/<program>.json`` with accuracy, epochs, s/epoch, machine.

    ``accuracy`` is a fraction (``res[1]``) or a percentage; it is stored as a percentage.
    In quick mode nothing is written (quick-mode accuracies mean nothing) and None returned.

    Example:
        >>> record_result("6-1", 0.9911, timer, data="MNIST 60k/10k")  # doctest: +SKIP
        PosixPath('.../results/6-1.json')
    """
    if config.is_quick():
        return None
    percent = float(accuracy) * 100 if float(accuracy) <= 1.0 else float(accuracy)
    entry = {
        "program": program,
        "test_accuracy_percent": round(percent, 2),
        "book_accuracy_percent": BOOK_ACCURACY.get(program),
        "data": data,
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine_info(),
        **extra,
    }
    if timer is not None and timer.seconds:
        entry["epochs"] = len(timer.seconds)
        entry["seconds_per_epoch"] = round(sum(timer.seconds) / len(timer.seconds), 1)
    folder = config.results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{program}.json"
    temporary = path.with_suffix(".json.part")
    temporary.write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def compare_with_book(measured: dict) -> str:
    """A table of this run's test accuracies beside the book's; printed and returned.

    ``measured`` maps program → accuracy (fraction or percent).

    Example:
        >>> print(compare_with_book({"6-1": 0.99}))  # doctest: +ELLIPSIS
        프로그램 | 책 (%) | 이번 실행 (%)...
    """
    mode = "빠른 모드: 비교 불가" if config.is_quick() else "전체 모드"
    lines = [f"프로그램 | 책 (%) | 이번 실행 (%) [{mode}]", "---|---|---"]
    for program, accuracy in measured.items():
        percent = float(accuracy) * 100 if float(accuracy) <= 1.0 else float(accuracy)
        book = BOOK_ACCURACY.get(program)
        lines.append(f"{program} | {book if book is not None else '—'} | {percent:.2f}")
    table = "\n".join(lines)
    print(table)
    return table
