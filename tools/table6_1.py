"""Compute 표 6-1's parameter counts and layer counts from keras.applications (weights=None).

    python tools/table6_1.py            # all 18 models of the book's table → results/table6-1.json
    python tools/table6_1.py ResNet50   # only the named models, printed, nothing written

No weights are downloaded: every model is built with ``weights=None``, which has the same
architecture (and so the same parameter count) as the pretrained one.  File size and top-1 /
top-5 accuracy need the weights and ImageNet, so the notebook shows the book's figures for those.
The notebook (6.7) reads the JSON, so it does not rebuild 18 models (NASNetLarge alone takes a while).
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import sys
import time

from helpers._course import config
from helpers._course.files import atomic_write
from helpers.modern_cnns import BOOK_TABLE_6_1, TABLE6_1_FILE, count_model, format_table6_1


def main(argv: list[str]) -> int:
    import keras
    import tensorflow as tf

    names = argv or [row["model"] for row in BOOK_TABLE_6_1]
    rows = []
    for name in names:
        start = time.perf_counter()
        row = count_model(name)
        rows.append(row)
        print(f"{name:18s} params {row['params']:>12,}  layers {row['layers']:>4}  "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        keras.backend.clear_session()
        gc.collect()
    table = {
        "command": "python tools/table6_1.py",
        "date": _dt.date.today().isoformat(),
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "rows": rows,
    }
    print(format_table6_1(table))
    if argv:
        return 0
    path = config.saved_results_dir() / TABLE6_1_FILE
    with atomic_write(path) as temporary:
        temporary.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(config.REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
