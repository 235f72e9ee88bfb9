"""Trained checkpoints from the project's own full runs, so a lecture needs no live training.

``checkpoints/`` in the repository holds, per program, the trained weights
(``<program>.weights.npz``: the arrays of ``model.get_weights()``, without optimizer state), the training history (``<program>.history.json``) and one
``MANIFEST.json`` with what each was trained on, its test accuracy, the date, library
versions and SHA-256.  Full-mode runs of the notebooks write them (:func:`save_checkpoint`);
notebooks with ``USE_CHECKPOINT = True`` read them (:func:`load_checkpoint`).

Outside a clone (Colab installs only the package) the files are fetched from the
repository on GitHub and checked against the manifest's SHA-256.
"""

from __future__ import annotations

import datetime as _dt
import json
import tempfile
from pathlib import Path

import numpy as np

from . import config, downloads
from .downloads import file_hash as sha256

MANIFEST = "MANIFEST.json"
REGENERATE = "regenerate them with `make checkpoints` (full-mode training: over an hour on a 2-core CPU)"
# Outside a clone the files come from here (the repository's main branch on GitHub).
RAW_URL = config.REPO_URL.replace("https://github.com/", "https://raw.githubusercontent.com/") + "/main/checkpoints/"


class CheckpointError(RuntimeError):
    """A checkpoint is missing, corrupt or does not fit the model."""


def checkpoint_dir() -> Path:
    """The folder of checkpoints: the repo's ``checkpoints/`` (``CH6_CHECKPOINT_DIR`` overrides).

    Outside a clone it is ``<cache>/checkpoints``, filled from GitHub on first use.

    Example:
        >>> checkpoint_dir().name
        'checkpoints'
    """
    override = config._env("CH6_CHECKPOINT_DIR")
    if override:
        return Path(override).expanduser()
    local = config.REPO_ROOT / "checkpoints"
    return local if (local / MANIFEST).is_file() else config.cache_dir() / "checkpoints"


def read_manifest(folder: Path | None = None) -> dict:
    """The manifest as ``{program: entry}`` (empty when there is none yet).

    Example:
        >>> sorted(read_manifest())  # doctest: +SKIP
        ['6-1', '6-2', '6-3', '6-4', '6-8']
    """
    folder = folder or checkpoint_dir()
    path = folder / MANIFEST
    if not path.is_file():
        _fetch(MANIFEST, folder)
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def save_checkpoint(program: str, model, hist, accuracy: float, data: str,
                    folder: Path | None = None) -> Path | None:
    """In full mode, save weights + history of ``program`` and record them in the manifest.

    Returns the weights path, or None in quick mode (quick-mode models are not worth keeping).

    Example:
        >>> save_checkpoint("6-1", cnn, hist, res[1], "MNIST 60000/10000")  # doctest: +SKIP
        PosixPath('.../checkpoints/6-1.weights.npz')
    """
    if config.is_quick():
        return None
    import keras
    import numpy
    import tensorflow

    folder = folder or config.REPO_ROOT / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / f"{program}.weights.npz"
    history = folder / f"{program}.history.json"
    save_weights(model, weights)
    history_dict = {k: [float(v) for v in values] for k, values in getattr(hist, "history", hist).items()}
    _write_atomically(history, json.dumps(history_dict, indent=1) + "\n")
    manifest = read_manifest(folder)
    manifest[program] = {
        "weights": weights.name,
        "history": history.name,
        "data": data,
        "epochs": len(next(iter(history_dict.values()), [])),
        "test_accuracy_percent": round(float(accuracy) * 100, 2),
        "parameters": int(model.count_params()),
        "date": _dt.date.today().isoformat(),
        "versions": {"tensorflow": tensorflow.__version__, "keras": keras.__version__,
                     "numpy": numpy.__version__},
        "sha256": {weights.name: sha256(weights), history.name: sha256(history)},
    }
    _write_atomically(folder / MANIFEST, json.dumps(dict(sorted(manifest.items())), indent=2) + "\n")
    return weights


def load_checkpoint(program: str, model) -> dict:
    """Load ``program``'s trained weights into ``model`` (built as the book builds it) and
    return its saved training history (a dict that :func:`helpers.plots.plot_history` draws).

    The files are checked against the manifest's SHA-256 first; a missing or changed file
    raises :class:`CheckpointError` saying how to get a good one.

    Example:
        >>> hist = load_checkpoint("6-4", cnn)   # instead of cnn.fit(...)  # doctest: +SKIP
        >>> plot_history(hist)                                              # doctest: +SKIP
    """
    folder = checkpoint_dir()
    manifest = read_manifest(folder)
    if program not in manifest:
        raise CheckpointError(
            f"No checkpoint for 프로그램 {program} in {folder / MANIFEST} "
            f"(it has {sorted(manifest) or 'none'}); {REGENERATE}, or set USE_CHECKPOINT = False to train."
        )
    entry = manifest[program]
    for name, expected in entry["sha256"].items():
        path = folder / name
        if not path.is_file():
            _fetch(name, folder, expected)
        if not path.is_file():
            raise CheckpointError(f"Checkpoint file {path} is missing; {REGENERATE}, "
                                  "or `git checkout checkpoints/` to restore the committed one.")
        found = sha256(path)
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
    history = json.loads((folder / entry["history"]).read_text(encoding="utf-8"))
    print(f"체크포인트 {program}를 불러왔습니다: {entry['data']}, {entry['epochs']}세대 학습, "
          f"기록된 테스트 정확률 {entry['test_accuracy_percent']}% ({entry['date']})")
    return history


def save_weights(model, path: Path) -> Path:
    """Write ``model.get_weights()`` to an ``.npz`` (weights only: no optimizer state), atomically.

    Example:
        >>> save_weights(cnn, Path("cnn.weights.npz"))  # doctest: +SKIP
    """
    path = Path(path)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part.npz", delete=False) as handle:
        temporary = Path(handle.name)
    try:
        np.savez(temporary, *model.get_weights())
        temporary.chmod(0o644)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def load_weights(model, path: Path) -> None:
    """Set ``model``'s weights from a file written by :func:`save_weights`, checking every shape.

    Example:
        >>> load_weights(cnn, Path("cnn.weights.npz"))  # doctest: +SKIP
    """
    with np.load(path) as stored:
        arrays = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    expected = [w.shape for w in model.get_weights()]
    found = [a.shape for a in arrays]
    if expected != found:
        raise CheckpointError(f"{path} holds weights of shapes {found}, but the model needs {expected}: "
                              "build the model exactly as the program does.")
    model.set_weights(arrays)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _fetch(name: str, folder: Path, expected_sha256: str | None = None) -> None:
    """Download one checkpoint file from the repository on GitHub (outside a clone only)."""
    if folder == config.REPO_ROOT / "checkpoints" or config._env("CH6_CHECKPOINT_DIR"):
        return  # in a clone the files are committed; nothing to download
    try:
        downloads.download(RAW_URL + name, folder / name, expected_sha256, progress=False,
                           next_step=f"train instead (USE_CHECKPOINT = False), or clone the repository and {REGENERATE}")
    except downloads.DownloadError as error:
        raise CheckpointError(f"Checkpoint file {name} is not in {folder} and {error}") from None
