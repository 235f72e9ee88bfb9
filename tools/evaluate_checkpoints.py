"""Evaluate every checkpoint on every data copy given, and record the accuracies in the manifest.

    python tools/evaluate_checkpoints.py [DATA_DIR ...]    (none: the data the configuration gives)

Each checkpoint of the manifest (``CH6_CHECKPOINT_DIR`` if set, else the shipped one) is loaded
and evaluated on the whole test set of each folder's data; its entry's ``evaluations`` maps the
data's label (e.g. ``CIFAR-10 10000/2000 (JPEG q≈75 copy, subset)``) to the accuracy in percent.
``tests/test_saved.py`` re-evaluates each checkpoint on whatever data the test machine has and
compares with the figure recorded for that same data (within 0.1 point).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers._course import config, saved  # noqa: E402
from helpers._course.files import atomic_write  # noqa: E402


def evaluate(program: str, folder=None) -> tuple[str, float]:
    """Load ``program``'s checkpoint and evaluate it on the test set of the data in ``folder``
    (default ``CH6_DATA_DIR``); return ``(the data's label, accuracy)``."""
    import keras
    import numpy as np

    from helpers._course import datasets

    builder, name = saved.PROGRAMS[program]
    model = builder()
    saved.load_checkpoint(program, model)
    (x_train, _), (x_test, y_test) = datasets.load(name, folder=folder)
    x = x_test.reshape((len(x_test),) + tuple(model.input_shape[1:])).astype(np.float32) / 255.0
    accuracy = model.evaluate(x, keras.utils.to_categorical(y_test, 10), verbose=0)[1]
    return datasets.label(name, len(x_train), len(x_test), folder=folder), float(accuracy)


def main(argv: list[str]) -> int:
    folders = [Path(a).expanduser() for a in argv] or [None]
    if not all(f is None or f.is_dir() for f in folders):
        print(__doc__)
        return 2
    if config.is_quick():
        print("quick mode shortens the test sets; run with CH6_QUICK=0")
        return 2
    manifest_path = config.checkpoint_dir() / saved.MANIFEST
    manifest = saved.read_manifest()
    for program in sorted(manifest):
        if program not in saved.PROGRAMS:
            continue
        evaluations = manifest[program].setdefault("evaluations", {})
        for folder in folders:
            label, accuracy = evaluate(program, folder=folder)
            evaluations[label] = round(accuracy * 100, 2)
            print(f"{program}: {label}: {accuracy * 100:.2f} %", flush=True)
    with atomic_write(manifest_path) as temporary:
        temporary.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n", encoding="utf-8")
    print("wrote", manifest_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
