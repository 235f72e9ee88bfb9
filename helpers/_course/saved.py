"""What the project's own full runs saved, and what a run records: one mechanism for replay.

The saved runs ship inside the package (``helpers/_course/saved/``), so a clone, an editable
install and Colab's ``pip install`` all have them without a download:

* ``saved/checkpoints/``: trained weights (``<program>.weights.npz``, the arrays of
  ``model.get_weights()``), training histories and ``MANIFEST.json`` (data, epochs, accuracy,
  date, versions, SHA-256 of every file) for the programs whose model later cells use.
* ``saved/results/``: one JSON per recorded run (``accuracy`` as a fraction, ``history`` as
  Keras gives it, measured numbers, ``data``, ``date``, ``machine``).

A lecture with ``USE_CHECKPOINT = True`` calls :func:`load_checkpoint` or :func:`saved_run`
instead of ``fit``.  A full-mode run calls :func:`record`, which writes into the user's cache
(``config.results_dir()``, ``config.checkpoint_output_dir()``); only the refresh commands
(``make checkpoints``, ``make full``) point those at ``saved/``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from pathlib import Path

import numpy as np

from .. import models
from . import config
from .files import WrongFileError, atomic_write, check_hash, file_hash

MANIFEST = "MANIFEST.json"
_REGENERATE = "`make checkpoints`로 다시 만들 수 있습니다 (전체 모드 학습: 2코어 CPU에서 몇 시간)"
# program -> (the function in helpers.models that builds its model, data set) of each shipped checkpoint
PROGRAMS = {"6-1": (models.lenet5, "mnist"), "6-2": (models.mnist_cnn, "mnist"),
            "6-3": (models.mnist_cnn, "fashion_mnist"), "6-4": (models.cifar10_cnn, "cifar10"),
            "6-8": (models.cifar10_cnn, "cifar10")}

# Test accuracies printed in the book, chapter 6, as fractions.
BOOK_ACCURACY = {"6-1": 0.9911, "6-2": 0.9923, "6-3": 0.9271, "6-4": 0.7989, "6-5": 0.7989,
                 "6-8": 0.8081, "6-11": 0.7553}
# Chapter 5's results that the book sets beside 6-1 and 6-3 (6.4.1).
BOOK_CHAPTER5_ACCURACY = {"MLP (5장), MNIST": 0.9799, "프로그램 5-12, fashion MNIST": 0.8967}

THIS_RUN: dict = {}   # name -> accuracy (a fraction) recorded in this kernel by record()


class CheckpointError(RuntimeError):
    """A checkpoint is missing, damaged or does not fit the model."""


# ----------------------------------------------------------------------------- reading what was saved
def read_manifest(folder=None) -> dict:
    """The checkpoint manifest as ``{program: entry}`` (empty when the folder has none)."""
    path = Path(folder or config.checkpoint_dir()) / MANIFEST
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{path}가 올바른 JSON이 아닙니다({error}). 저장소에서 다시 받거나 "
                              f"{_REGENERATE}. ({path} is not valid JSON.)") from None
    return manifest


def checkpoint_entry(program: str) -> dict:
    """The manifest entry of ``program``: data, epochs, recorded accuracy, date, files."""
    folder = config.checkpoint_dir()
    manifest = read_manifest(folder)
    if program not in manifest:
        raise CheckpointError(f"{folder}에 프로그램 {program}의 체크포인트가 없습니다(있는 것: {sorted(manifest) or '없음'}). "
                              f"USE_CHECKPOINT = False로 학습하세요. {_REGENERATE}.")
    return manifest[program]


def load_checkpoint(program: str, model) -> dict:
    """Put ``program``'s trained weights into ``model`` (built as the book builds it) and return
    the saved training history, a dict that :func:`helpers.plots.plot_history` draws.

    Every file is checked against the manifest's SHA-256 first.

    Example:
        >>> from helpers.models import lenet5
        >>> sorted(load_checkpoint("6-1", lenet5()))
        ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    """
    folder = config.checkpoint_dir()
    entry = checkpoint_entry(program)
    for name, expected in entry["sha256"].items():
        path = folder / name
        try:
            check_hash(path, f"sha256:{expected}")
        except (OSError, WrongFileError):
            raise CheckpointError(f"체크포인트 파일 {path}가 없거나 SHA-256이 기록({MANIFEST})과 다릅니다(손상되었거나 바뀜). "
                                  f"프로젝트를 다시 설치하거나(`git checkout {folder}`) {_REGENERATE}.")
    if model.count_params() != entry["parameters"]:
        raise CheckpointError(f"모델의 매개변수는 {model.count_params():,}개인데 체크포인트 {program}은 "
                              f"{entry['parameters']:,}개인 모델에서 저장했습니다: 프로그램 {program}과 똑같이 모델을 만드세요.")
    with np.load(folder / entry["weights"]) as stored:
        arrays = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    if [a.shape for a in arrays] != [w.shape for w in model.get_weights()]:
        raise CheckpointError(f"{entry['weights']}의 가중치 모양이 모델과 다릅니다: 프로그램 {program}과 똑같이 모델을 만드세요.")
    model.set_weights(arrays)
    return json.loads((folder / entry["history"]).read_text(encoding="utf-8"))


def describe_checkpoint(program: str) -> str:
    """One Korean line saying what checkpoint ``program`` is: data, epochs, accuracy, date.

    Example:
        >>> describe_checkpoint("6-1")[:16]
        '체크포인트 6-1: MNIST'
    """
    entry = checkpoint_entry(program)
    return (f"체크포인트 {program}: {entry['data']}, {entry['epochs']}세대 학습, "
            f"기록된 테스트 정확률 {entry['test_accuracy_percent']}% ({entry['date']})")


def saved_run(name: str) -> dict | None:
    """The run ``name`` that this project saved from its own full runs (``saved/results/<name>.json``),
    or None when nothing was saved under that name."""
    path = config.saved_results_dir() / f"{name}.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}가 올바른 JSON이 아닙니다({error}): 프로젝트를 다시 설치하세요.") from None


def describe_saved(run: dict) -> str:
    """One Korean line saying where and when a saved run was made."""
    machine = run.get("machine", {})
    where = f"CPU {machine['cpus']}개, TensorFlow {machine.get('tensorflow', '?')}" if machine else "기계 정보 없음"
    data = f", {run['data']}" if run.get("data") else ""
    return f"저장된 전체 실행 결과 ({run.get('date', '?')[:10]}{data}; {where})"


def show_saved(name: str) -> dict | None:
    """A lecture's stand-in for a training (``USE_CHECKPOINT = True``): print where and when the saved
    run ``name`` was made and its test accuracy, draw its training curves, and return it; when
    nothing was saved, one line saying so and None."""
    from ..plots import plot_history

    run = saved_run(name)
    if run is None:
        print(f"저장된 실행 결과 {name}이(가) 없어 학습하지 않고 건너뜁니다.")
        return None
    print(describe_saved(run))
    if run.get("accuracy") is not None:
        print(f"정확률은 {run['accuracy'] * 100:.2f} (저장된 결과, {run.get('epochs', '?')}세대)")
    if run.get("history"):
        plot_history(run["history"])
    return run


# ----------------------------------------------------------------------------- recording a run
def record(name: str, *, accuracy: float | None = None, hist=None, timer=None, model=None,
           data: str = "", **numbers) -> Path | None:
    """Remember this kernel's result of ``name`` (the comparison tables read :data:`THIS_RUN`);
    after a full-mode training also write it to ``config.results_dir()/<name>.json`` and, with
    ``model`` for a program of :data:`PROGRAMS`, save its checkpoint.

    Nothing is written in quick mode, nor when no epoch was timed (the model came from a
    checkpoint).  Returns the result's path or None.
    """
    if accuracy is not None:
        THIS_RUN[name] = float(accuracy)
    trained = timer is not None and bool(timer.seconds)
    if config.is_quick() or not (trained or numbers):
        return None
    entry = {"name": name, "data": data, **{k: _plain(v) for k, v in numbers.items()}}
    if accuracy is not None:
        entry["accuracy"] = float(accuracy)
    if hist is not None:
        entry["history"] = _history(hist)
    if trained:
        entry["epochs"] = len(timer.seconds)
        entry["seconds_per_epoch"] = round(sum(timer.seconds) / len(timer.seconds), 1)
    path = _write_json(config.results_dir() / f"{name}.json", {**entry, **_provenance()})
    if model is not None and name in PROGRAMS and trained:
        _save_checkpoint(name, model, hist, accuracy, data=data)
    return path


def _save_checkpoint(program: str, model, hist, accuracy: float, *, data: str, folder=None) -> Path:
    """Save weights and history of ``program`` and switch the manifest to them in one rename,
    so an interrupted save leaves the previous checkpoint whole."""
    import keras
    import tensorflow

    folder = Path(folder or config.checkpoint_output_dir())
    manifest = read_manifest(folder)
    history = _history(hist)
    weights_path, history_path = folder / f"{program}.weights.npz", folder / f"{program}.history.json"
    staged = {path: path.with_name(f".{program}.new.{path.name.split('.', 1)[1]}") for path in (weights_path, history_path)}
    try:
        with atomic_write(staged[weights_path]) as temporary:
            np.savez(temporary, *model.get_weights())
        with atomic_write(staged[history_path]) as temporary:
            temporary.write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")
        manifest[program] = {
            "weights": weights_path.name, "history": history_path.name, "data": data,
            "epochs": len(next(iter(history.values()), [])), "test_accuracy_percent": round(100 * float(accuracy), 2),
            "parameters": int(model.count_params()), "date": _dt.date.today().isoformat(),
            "versions": {"tensorflow": tensorflow.__version__, "keras": keras.__version__, "numpy": np.__version__},
            "sha256": {path.name: file_hash(new) for path, new in staged.items()},
        }
        for path, new in staged.items():
            os.replace(new, path)
    finally:
        for new in staged.values():
            new.unlink(missing_ok=True)
    _write_json(folder / MANIFEST, dict(sorted(manifest.items())))
    return weights_path


def _history(hist) -> dict:
    return {k: [float(v) for v in values] for k, values in getattr(hist, "history", hist).items()}


def _plain(value):
    """Numbers, strings, lists and dicts as JSON can hold them (NumPy scalars become floats)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _provenance() -> dict:
    import keras
    import tensorflow

    return {"date": _dt.datetime.now().isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                        "python": platform.python_version(), "tensorflow": tensorflow.__version__,
                        "keras": keras.__version__, "numpy": np.__version__}}


def _write_json(path: Path, entry: dict) -> Path:
    with atomic_write(path) as temporary:
        temporary.write_text(json.dumps(entry, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the book beside this run
def percent(fraction: float, digits: int = 2) -> str:
    """A fraction (Keras's accuracy) shown as a percentage.

    Example:
        >>> percent(0.99105), percent(0.5, digits=0)
        ('99.11', '50')
    """
    value = float(fraction)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"percent() takes a fraction between 0 and 1 (Keras's accuracy), got {value}")
    return f"{value * 100:.{digits}f}"


def book_table(rows, *, title: str = "프로그램", mode: bool = True, missing: str = "실행 안 함") -> str:
    """The book's figures beside this run's: ``rows`` of ``(name, book, measured)`` fractions or None.

    Example:
        >>> env(CH6_QUICK="0"); print(book_table([("6-1", 0.9911, 0.9897), ("6-2", 0.9923, None)]))
        프로그램 | 책 (%) | 이번 실행 (%) [전체 모드]
        ---|---|---
        6-1 | 99.11 | 98.97
        6-2 | 99.23 | 실행 안 함
    """
    note = f" [{'빠른 모드: 책과 비교할 수 없음' if config.is_quick() else '전체 모드'}]" if mode else ""
    lines = [f"{title} | 책 (%) | 이번 실행 (%){note}", "---|---|---"]
    for name, book, measured in rows:
        shown = missing if measured is None else percent(measured)
        lines.append(f"{name} | {'—' if book is None else percent(book)} | {shown}")
    return "\n".join(lines)
