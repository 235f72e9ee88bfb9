"""Evaluate every checkpoint on every data copy given, and record the accuracies in the manifest.

    python tools/evaluate_checkpoints.py DATA_DIR [DATA_DIR ...]

Each checkpoint in ``checkpoints/MANIFEST.json`` (``CH6_CHECKPOINT_DIR`` if set) is loaded and
evaluated on the whole test set of each folder's data; its entry's ``evaluations`` maps the
data's label (e.g. ``CIFAR-10 10000/2000 (JPEG q≈75 copy, subset)``) to the accuracy in percent.
``tests/test_checkpoints.py`` then re-evaluates each checkpoint on whatever data the test
machine has and compares with the recorded figure for that same data (within 0.1 point).
A checkpoint trained on the full CIFAR-10 is thus also checked, exactly, on the offline
subset's 2,000 test images.  ``make checkpoints`` runs this after training.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers import checkpoints, config  # noqa: E402
from helpers.files import atomic_write  # noqa: E402


def main(argv: list[str]) -> int:
    folders = [Path(a).expanduser() for a in argv]
    if not folders or not all(f.is_dir() for f in folders):
        print(__doc__)
        return 2
    if config.is_quick():
        print("quick mode shortens the test sets; run with CH6_QUICK=0")
        return 2
    manifest_path = config.checkpoint_dir() / checkpoints.MANIFEST
    manifest = checkpoints.read_manifest()
    for program in sorted(manifest):
        if program not in checkpoints.PROGRAMS:
            continue
        evaluations = manifest[program].setdefault("evaluations", {})
        for folder in folders:
            label, accuracy = checkpoints.evaluate_checkpoint(program, folder=folder)
            evaluations[label] = round(accuracy * 100, 2)
            print(f"{program}: {label}: {accuracy * 100:.2f} %", flush=True)
    with atomic_write(manifest_path) as temporary:
        temporary.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n", encoding="utf-8")
    print("wrote", manifest_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
