"""Records of what a run measured, and the one table that sets them beside the book's figures.

Percent convention: in code, accuracies are fractions, as Keras returns them (``res[1]`` =
0.9911); they become percentages only when shown (:func:`percent`) and in the saved files'
``*_percent`` fields.  :data:`BOOK_ACCURACY` holds the book's printed accuracies as fractions.

Full-mode runs record their results in ``config.results_dir()`` (the user's cache unless a
refresh command points it at the repository's ``results/``); quick-mode runs record nothing.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from pathlib import Path

from . import config
from .files import atomic_write

# Test accuracies printed in the book, chapter 6, as fractions.
BOOK_ACCURACY = {
    "6-1": 0.9911,   # LeNet-5, MNIST, 30 epochs
    "6-2": 0.9923,   # CNN, MNIST, 12 epochs
    "6-3": 0.9271,   # CNN, Fashion-MNIST, 12 epochs
    "6-4": 0.7989,   # CNN, CIFAR-10, 30 epochs
    "6-5": 0.7989,   # the saved 6-4 model, reloaded
    "6-8": 0.8081,   # CNN, CIFAR-10, augmentation, 50 epochs
    "6-11": 0.7553,  # ResNet50 transfer, CUB-200-2011 (20 classes), 10 epochs
}
# Chapter 5's results that the book sets beside 6-1 and 6-3 (6.4.1).
BOOK_CHAPTER5_ACCURACY = {"MLP (5장), MNIST": 0.9799, "프로그램 5-12, fashion MNIST": 0.8967}


def percent(fraction: float, digits: int = 2) -> str:
    """A fraction shown as a percentage with ``digits`` decimals.

    Example:
        >>> percent(0.99105), percent(0.5, digits=0)
        ('99.11', '50')
    """
    value = float(fraction)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"percent() takes a fraction between 0 and 1 (Keras's accuracy), got {value}")
    return f"{value * 100:.{digits}f}"


def book_table(rows, *, title: str = "프로그램", mode: bool = True, missing: str = "실행 안 함") -> str:
    """The book's figures beside this run's, as a Markdown-style table string.

    ``rows`` is a list of ``(name, book, measured)`` with fractions, or None where there is
    no value (a book None is shown as ``—``, a measured None as ``missing``: by default
    ``실행 안 함``, "not run").  With ``mode=True`` the header says whether this run is a
    quick-mode run (not comparable with the book).

    Example:
        >>> env(CH6_QUICK="0"); print(book_table([("6-1", 0.9911, 0.9897), ("6-2", 0.9923, None)]))
        프로그램 | 책 (%) | 이번 실행 (%) [전체 모드]
        ---|---|---
        6-1 | 99.11 | 98.97
        6-2 | 99.23 | 실행 안 함
        >>> print(book_table([("truck", 0.89, None)], title="부류", mode=False, missing="검출 안 됨"))
        부류 | 책 (%) | 이번 실행 (%)
        ---|---|---
        truck | 89.00 | 검출 안 됨
    """
    note = f" [{'빠른 모드: 책과 비교할 수 없음' if config.is_quick() else '전체 모드'}]" if mode else ""
    lines = [f"{title} | 책 (%) | 이번 실행 (%){note}", "---|---|---"]
    for name, book, measured in rows:
        shown = missing if measured is None else percent(measured)
        lines.append(f"{name} | {'—' if book is None else percent(book)} | {shown}")
    return "\n".join(lines)


def machine_info() -> dict:
    """What ran the experiment: CPU count, processor, platform, library versions.

    Example:
        >>> machine_info()["cpus"] >= 1
        True
    """
    import keras
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


def write_result(name: str, entry: dict) -> Path:
    """Write ``<results>/<name>.json``: ``entry`` plus the date and :func:`machine_info`, atomically.

    Example:
        >>> import tempfile; env(CH6_RESULTS_DIR=tempfile.mkdtemp())
        >>> write_result("6.6-example", {"pipeline_speedup": 7.7}).name
        '6.6-example.json'
    """
    entry = {**entry, "date": _dt.datetime.now().isoformat(timespec="seconds"), "machine": machine_info()}
    path = config.results_dir() / f"{name}.json"
    with atomic_write(path) as temporary:
        temporary.write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def record_result(program: str, accuracy: float, timer=None, *, data: str = "", **extra) -> Path | None:
    """In full mode, write ``<results>/<program>.json``: accuracy, epochs, s/epoch, data, machine.

    ``accuracy`` is a fraction (``res[1]``); ``timer`` an :class:`helpers.measure.EpochTimer`.
    In quick mode nothing is written (quick-mode accuracies mean nothing) and None returned.

    Example:
        >>> import tempfile; env(CH6_QUICK="0", CH6_RESULTS_DIR=tempfile.mkdtemp())
        >>> record_result("6-1", 0.9911, data="MNIST 60000/10000").name
        '6-1.json'
    """
    if config.is_quick():
        return None
    book = BOOK_ACCURACY.get(program)
    entry = {"program": program, "test_accuracy_percent": float(percent(accuracy)),
             "book_accuracy_percent": None if book is None else float(percent(book)), "data": data, **extra}
    if timer is not None and timer.seconds:
        entry["epochs"] = len(timer.seconds)
        entry["seconds_per_epoch"] = round(sum(timer.seconds) / len(timer.seconds), 1)
    return write_result(program, entry)


def record_measurements(name: str, measured: dict, **extra) -> Path | None:
    """In full mode, write ``<results>/<name>.json`` with measured numbers (rates, ratios, scores).

    ``measured`` maps a label to a number; anything else is refused.  Nothing is written in
    quick mode (None is returned).

    Example:
        >>> import tempfile; env(CH6_QUICK="0", CH6_RESULTS_DIR=tempfile.mkdtemp())
        >>> record_measurements("6.6-pipeline-speed", {"pipeline_speedup": 7.7}).name
        '6.6-pipeline-speed.json'
    """
    if config.is_quick():
        return None
    bad = [key for key, value in measured.items() if isinstance(value, bool) or not isinstance(value, (int, float))]
    if bad:
        raise TypeError(f"record_measurements: {bad} are not numbers; pass the measured rates and ratios only.")
    return write_result(name, {**{key: round(float(value), 5) for key, value in measured.items()}, **extra})


def record_run(program: str, model, hist, accuracy: float, timer, *, data: str):
    """After a full-mode training: record the result (:func:`record_result`) and save the
    trained weights and history as the program's checkpoint (:func:`helpers.checkpoints.save_checkpoint`).

    Does nothing in quick mode, and nothing when no epoch was timed (the model came from a
    checkpoint, not from training).  Returns ``(result_path, weights_path)`` or None.  Both
    go to the user's cache unless ``CH6_RESULTS_DIR`` / ``CH6_CHECKPOINT_DIR`` say otherwise.

    Example:
        >>> from helpers.measure import EpochTimer
        >>> record_run("6-1", None, {}, 0.99, EpochTimer(), data="MNIST") is None   # nothing was trained
        True
    """
    if config.is_quick() or not timer.seconds:
        return None
    from .checkpoints import save_checkpoint

    return (record_result(program, accuracy, timer, data=data),
            save_checkpoint(program, model, hist, accuracy, data=data))


def saved_result(name: str) -> dict | None:
    """A result this project saved from its own full runs (``results/<name>.json`` of the
    repository), or None when there is none — for lectures that show saved results.

    Example:
        >>> saved_result("6-1")["program"]
        '6-1'
    """
    path = config.saved_results_dir() / f"{name}.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}); restore it with `git checkout {path.name}`.") from None
