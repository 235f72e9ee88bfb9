"""Trained checkpoints from the project's own full runs, so a lecture needs no live training.

A checkpoint folder holds, per program, the trained weights (``<program>.<hash>.weights.npz``:
the arrays of ``model.get_weights()``, no optimizer state), the training history
(``<program>.<hash>.history.json``) and one ``MANIFEST.json`` saying what each was trained
on, its test accuracy, the date, library versions and every file's SHA-256.

* Loading (:func:`load_checkpoint`) reads ``config.checkpoint_dir()``: the repository's
  ``checkpoints/`` in a clone; outside a clone (Colab) the files are fetched from the
  repository on GitHub and checked against the manifest.
* Saving (:func:`save_checkpoint`, called by full-mode runs through
  :func:`helpers.results.record_run`) writes ``config.checkpoint_output_dir()``: the user's
  cache, unless ``make checkpoints`` points ``CH6_CHECKPOINT_DIR`` at the repository.

Saving is atomic as a set: the new files get new names (their content hash), the manifest is
replaced in one rename, and only then are the program's old files removed, so an interrupted
save leaves the previous checkpoint whole.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import numpy as np

from . import config, downloads
from .files import atomic_write, file_hash
from .results import percent

MANIFEST = "MANIFEST.json"
REGENERATE = "regenerate them with `make checkpoints` (full-mode training: hours on a 2-core CPU)"
# Outside a clone the files come from here (the repository's main branch on GitHub).
RAW_URL = config.REPO_URL.replace("https://github.com/", "https://raw.githubusercontent.com/") + "/main/checkpoints/"


# program -> (model builder in helpers.models, data set): what each shipped checkpoint is
PROGRAMS = {"6-1": ("lenet5", "mnist"), "6-2": ("mnist_cnn", "mnist"), "6-3": ("mnist_cnn", "fashion_mnist"),
            "6-4": ("cifar10_cnn", "cifar10"), "6-8": ("cifar10_cnn", "cifar10")}


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupt or does not fit the model."""


def read_manifest(folder: Path | None = None) -> dict:
    """The manifest as ``{program: entry}`` (empty when there is none yet).

    Example:
        >>> sorted(read_manifest())[:2]
        ['6-1', '6-2']
    """
    folder = Path(folder) if folder else config.checkpoint_dir()
    path = folder / MANIFEST
    if not path.is_file():
        _fetch(MANIFEST, folder)
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{path} is not valid JSON ({error}): it was damaged or half-edited. "
                              f"Restore it with `git checkout {path}`, delete it, or {REGENERATE}.") from None
    if not isinstance(manifest, dict) or not all(isinstance(e, dict) and "sha256" in e for e in manifest.values()):
        raise CheckpointError(f"{path} is not a checkpoint manifest (expected {{program: {{…, 'sha256': …}}}}). "
                              f"Restore it with `git checkout {path}`, or {REGENERATE}.")
    return manifest


def save_checkpoint(program: str, model, hist, accuracy: float, *, data: str,
                    folder: Path | None = None) -> Path | None:
    """In full mode, save weights + history of ``program`` and record them in the manifest.

    ``folder`` defaults to ``config.checkpoint_output_dir()``.  Returns the weights path, or
    None in quick mode (quick-mode models are not worth keeping).

    Example:
        >>> import tempfile, keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> env(CH6_QUICK="0"); folder = Path(tempfile.mkdtemp())
        >>> save_checkpoint("6-x", model, {"loss": [0.5]}, 0.5, data="example", folder=folder).name[:4]
        '6-x.'
    """
    if config.is_quick():
        return None
    import keras
    import tensorflow

    folder = Path(folder) if folder else config.checkpoint_output_dir()
    manifest = read_manifest(folder) if (folder / MANIFEST).is_file() else {}
    history_dict = {k: [float(v) for v in values] for k, values in getattr(hist, "history", hist).items()}
    history_text = json.dumps(history_dict, indent=1) + "\n"
    weights = _write_by_content(folder, program, "weights.npz", lambda path: np.savez(path, *model.get_weights()))
    history = _write_by_content(folder, program, "history.json",
                                lambda path: path.write_text(history_text, encoding="utf-8"))
    old = manifest.get(program, {})
    manifest[program] = {
        "weights": weights.name,
        "history": history.name,
        "data": data,
        "epochs": len(next(iter(history_dict.values()), [])),
        "test_accuracy_percent": float(percent(accuracy)),
        "parameters": int(model.count_params()),
        "date": _dt.date.today().isoformat(),
        "versions": {"tensorflow": tensorflow.__version__, "keras": keras.__version__, "numpy": np.__version__},
        "sha256": {weights.name: file_hash(weights), history.name: file_hash(history)},
    }
    with atomic_write(folder / MANIFEST) as temporary:   # the one step that switches to the new set
        temporary.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n", encoding="utf-8")
    for name in set(old.get("sha256", {})) - set(manifest[program]["sha256"]):
        (folder / name).unlink(missing_ok=True)
    return weights


def load_checkpoint(program: str, model) -> dict:
    """Load ``program``'s trained weights into ``model`` (built as the book builds it) and
    return its saved training history (a dict that :func:`helpers.plots.plot_history` draws).

    The files are checked against the manifest's SHA-256 first; a missing or changed file
    raises :class:`CheckpointError` saying how to get a good one.  :func:`describe` says
    what was loaded.

    Example:
        >>> from helpers.models import lenet5
        >>> sorted(load_checkpoint("6-1", lenet5()))
        ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    """
    folder = config.checkpoint_dir()
    entry = checkpoint_entry(program, folder)
    for name, expected in entry["sha256"].items():
        path = folder / name
        if not path.is_file():
            _fetch(name, folder, expected)
        if not path.is_file():
            raise CheckpointError(f"Checkpoint file {path} is missing; {REGENERATE}, "
                                  "or `git checkout checkpoints/` to restore the committed one.")
        found = file_hash(path)
        if found != expected:
            raise CheckpointError(
                f"Checkpoint file {path} does not match its SHA-256 in {MANIFEST} "
                f"(expected {expected[:12]}…, found {found[:12]}…): it is corrupt or was changed. "
                f"Restore it with `git checkout checkpoints/` or {REGENERATE}."
            )
    if model.count_params() != entry["parameters"]:
        raise CheckpointError(
            f"The model has {model.count_params():,} parameters but checkpoint {program} was saved from "
            f"one with {entry['parameters']:,}: build the model exactly as 프로그램 {program} does."
        )
    load_weights(model, folder / entry["weights"])
    return json.loads((folder / entry["history"]).read_text(encoding="utf-8"))


def checkpoint_entry(program: str, folder: Path | None = None) -> dict:
    """The manifest entry of ``program``: data, epochs, recorded test accuracy, date, files.

    Example:
        >>> checkpoint_entry("6-1")["epochs"]
        30
    """
    folder = Path(folder) if folder else config.checkpoint_dir()
    manifest = read_manifest(folder)
    if program not in manifest:
        raise CheckpointError(
            f"No checkpoint for 프로그램 {program} in {folder / MANIFEST} "
            f"(it has {sorted(manifest) or 'none'}); {REGENERATE}, or set USE_CHECKPOINT = False to train."
        )
    return manifest[program]


def describe(program: str) -> str:
    """One Korean line saying what checkpoint ``program`` is: data, epochs, accuracy, date.

    Example:
        >>> describe("6-1")[:16]
        '체크포인트 6-1: MNIST'
    """
    entry = checkpoint_entry(program)
    return (f"체크포인트 {program}: {entry['data']}, {entry['epochs']}세대 학습, "
            f"기록된 테스트 정확률 {entry['test_accuracy_percent']}% ({entry['date']})")


def evaluate_checkpoint(program: str, *, folder=None) -> tuple[str, float]:
    """Load ``program``'s checkpoint and evaluate it on the whole test set of the data in
    ``folder`` (default ``CH6_DATA_DIR``); return ``(the data's label, accuracy)``.

    The label (:func:`helpers.data.dataset_label`) names the copy of the data, so a result is
    only ever compared with one recorded on the same data (the manifest's ``evaluations``).

    Example:
        >>> env(CH6_QUICK="0"); label, accuracy = evaluate_checkpoint("6-1")
        >>> label, accuracy > 0.98
        ('MNIST 60000/10000 (lossless copy)', True)
    """
    import keras

    from . import data, models

    builder, name = PROGRAMS[program]
    model = getattr(models, builder)()
    load_checkpoint(program, model)
    (x_train, _), (x_test, y_test) = data.load_dataset(name, folder=folder)
    x = x_test.reshape((len(x_test),) + tuple(model.input_shape[1:])).astype(np.float32) / 255.0
    accuracy = model.evaluate(x, keras.utils.to_categorical(y_test, 10), verbose=0)[1]
    return data.dataset_label(name, len(x_train), len(x_test), folder=folder), float(accuracy)


def save_weights(model, path: Path) -> Path:
    """Write ``model.get_weights()`` to an ``.npz`` (weights only: no optimizer state), atomically.

    Example:
        >>> import tempfile, keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> save_weights(model, Path(tempfile.mkdtemp()) / "m.weights.npz").name
        'm.weights.npz'
    """
    with atomic_write(path) as temporary:
        np.savez(temporary, *model.get_weights())
    return Path(path)


def load_weights(model, path: Path) -> None:
    """Set ``model``'s weights from a file written by :func:`save_weights`, checking every shape.

    Example:
        >>> import tempfile, keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> load_weights(model, save_weights(model, Path(tempfile.mkdtemp()) / "m.weights.npz"))
    """
    with np.load(path) as stored:
        arrays = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    expected = [w.shape for w in model.get_weights()]
    found = [a.shape for a in arrays]
    if expected != found:
        raise CheckpointError(f"{path} holds weights of shapes {found}, but the model needs {expected}: "
                              "build the model exactly as the program does.")
    model.set_weights(arrays)


def _write_by_content(folder: Path, program: str, kind: str, write) -> Path:
    """Write a file through ``write(path)`` and name it ``<program>.<first 8 of its SHA-256>.<kind>``."""
    staged = folder / f".{program}.new.{kind}"
    with atomic_write(staged) as temporary:
        write(temporary)
    final = folder / f"{program}.{file_hash(staged)[:8]}.{kind}"
    staged.replace(final)
    return final


def _fetch(name: str, folder: Path, expected_sha256: str | None = None) -> None:
    """Download one checkpoint file from the repository on GitHub (outside a clone only)."""
    if folder == config.REPO_ROOT / "checkpoints" or config.checkpoint_dir_is_configured():
        return  # in a clone the files are committed, and a configured folder is the user's own
    try:
        downloads.download_file(RAW_URL + name, folder / name, expected_sha256, progress=False,
                                next_step=f"train instead (USE_CHECKPOINT = False), or clone the repository and {REGENERATE}")
    except downloads.DownloadError as error:
        raise CheckpointError(f"Checkpoint file {name} is not in {folder} and {error}") from None
