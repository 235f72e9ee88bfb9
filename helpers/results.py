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

    In full mode it also prints, a few batches into the first epoch, an estimate of the
    whole training's run time, measured on this machine, so a student knows what to expect.

    Example:
        >>> timer = EpochTimer()
        >>> # cnn.fit(..., callbacks=[timer]); timer.seconds -> [12.3, 11.9, ...]
    """

    WARMUP_BATCHES = 2   # the first batches include graph tracing; not timed
    TIMED_BATCHES = 5

    def __init__(self, estimate: bool | None = None):
        super().__init__()
        self.seconds: list[float] = []
        self.estimate_seconds: float | None = None
        self._estimate = (not config.is_quick()) if estimate is None else estimate
        self._start = None
        self._batch_clock = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if not self._estimate or self.seconds or self.estimate_seconds is not None:
            return
        if batch + 1 == self.WARMUP_BATCHES:
            self._batch_clock = time.perf_counter()
        elif batch + 1 == self.WARMUP_BATCHES + self.TIMED_BATCHES and self._batch_clock:
            per_batch = (time.perf_counter() - self._batch_clock) / self.TIMED_BATCHES
            steps, n_epochs = self.params.get("steps"), self.params.get("epochs", 1)
            if steps:
                self.estimate_seconds = per_batch * steps * n_epochs
                print(f"예상 학습 시간: 약 {format_duration(self.estimate_seconds)} "
                      f"(세대당 약 {format_duration(per_batch * steps)}, 이 기기에서 처음 배치들로 잰 값)",
                      flush=True)

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def format_duration(seconds: float) -> str:
    """Seconds as a short Korean duration.

    Example:
        >>> format_duration(42), format_duration(150), format_duration(7300)
        ('42초', '2.5분', '2.0시간')
    """
    if seconds < 90:
        return f"{seconds:.0f}초"
    if seconds < 5400:
        return f"{seconds / 60:.1f}분"
    return f"{seconds / 3600:.1f}시간"


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
        **extra,
    }
    if timer is not None and timer.seconds:
        entry["epochs"] = len(timer.seconds)
        entry["seconds_per_epoch"] = round(sum(timer.seconds) / len(timer.seconds), 1)
    return write_result(program, entry)


def write_result(name: str, entry: dict) -> Path:
    """Write ``results/<name>.json``: ``entry`` plus the date and :func:`machine_info`,
    through a temporary file so that no half-written result is ever left.

    Example:
        >>> write_result("6.6-pipeline-speed", {"pipeline_speedup": 7.7})  # doctest: +SKIP
        PosixPath('.../results/6.6-pipeline-speed.json')
    """
    entry = {**entry, "date": _dt.datetime.now().isoformat(timespec="seconds"), "machine": machine_info()}
    folder = config.results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
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


def record_run(program: str, model, hist, accuracy: float, timer: EpochTimer, data: str):
    """After a full-mode training: record the result (:func:`record_result`) and save the
    trained weights and history as the program's checkpoint (``checkpoints/``).

    Does nothing in quick mode, and nothing when no epoch was timed (the model came from a
    checkpoint, not from training).  Returns ``(result_path, weights_path)`` or None.

    Example:
        >>> record_run("6-1", cnn, hist, res[1], timer, data="MNIST 60000/10000")  # doctest: +SKIP
    """
    if config.is_quick() or not timer.seconds:
        return None
    from .checkpoints import save_checkpoint

    return (record_result(program, accuracy, timer, data=data),
            save_checkpoint(program, model, hist, accuracy, data))
