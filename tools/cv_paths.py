"""Does the input path change 6-9/6-10's cross-validation scores?  One configuration, same folds.

프로그램 6-9 trains each fold with ``fit(x, y, batch_size=128)`` on NumPy arrays (the book's loop);
6-10 here trains through :func:`helpers.validation.cross_validate` (a ``tf.data`` pipeline).
With no augmentation, no dropout and no L2 ([000]) both do the same job.  This script trains
the first ``--folds`` folds both ways under ``--seeds`` different seeds and prints the
held-out accuracies, so the gap between 6-9's "without dropout" and 6-10's [000] can be told
apart from seed noise.  ``results/6.6-cv-paths.json`` was measured while ``helpers.set_seed``
still set TensorFlow's global seed, which made the NumPy path repeat one batch order in every
epoch (3.5 points lower on every fold); ``set_seed`` no longer does that.

    CH6_QUICK=0 python tools/cv_paths.py --folds 2 --seeds 42 7
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers import data, models, validation
from helpers._course import config  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=2, help="how many of the 5 folds to train (default 2)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)
    import keras

    (x, y), _ = data.load_cifar10()
    x = x.astype(np.float32) / 255.0
    y = keras.utils.to_categorical(y, 10)
    folds = validation.kfold_indices(len(x), 5)[:args.folds]
    rows = []
    for seed in args.seeds:
        for path in ("numpy fit (6-9, book)", "tf.data (helpers.cross_validate)"):
            config.set_seed(seed)
            if path.startswith("numpy"):
                scores = []
                for train, val in folds:
                    model = models.cifar10_cnn((0.0, 0.0, 0.0))
                    model.fit(x[train], y[train], batch_size=128, epochs=args.epochs, verbose=0)
                    scores.append(float(model.evaluate(x[val], y[val], verbose=0)[1]))
            else:
                scores = validation.cross_validate(lambda: models.cifar10_cnn((0.0, 0.0, 0.0)), x, y,
                                                   epochs=args.epochs, folds=folds)
            rows.append({"seed": seed, "path": path, "folds": [round(s, 4) for s in scores],
                         "mean": round(float(np.mean(scores)), 4)})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    if not config.is_quick():
        from helpers._course.saved import record

        print("written:", record("6.6-cv-paths", **{"section": "6.6", "samples": len(x), "epochs": args.epochs,
                                                        "command": "CH6_QUICK=0 python tools/cv_paths.py "
                                                                   + " ".join(argv or sys.argv[1:]),
                                                        "runs": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
