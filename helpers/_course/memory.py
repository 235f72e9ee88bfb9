"""Peak memory of a data loader, measured in a fresh child process (support code for 6.7).

프로그램 6-11 holds every image in RAM as float32; :func:`helpers.image_folders.stream_dataset`
reads batches from disk.  :func:`peak_memory` runs one loader over train+test in a new Python
process and reports its peak resident memory above the memory after importing TensorFlow;
:func:`compare_memory` does it for both loaders and several class counts (skipping the in-RAM
loader where it would not fit), :func:`format_memory` makes the rows a table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import config
from ..image_folders import list_classes, load_in_memory, stream_dataset

LOADERS = ("in_memory", "stream")


def in_memory_bytes(n_images: int, image_size=(224, 224)) -> int:
    """Bytes the in-RAM loader needs at its peak: float32 images, list plus array copy (×2).

    Example:
        >>> in_memory_bytes(1000)  # 1,000 images at 224×224: 2 × 1000 × 224 × 224 × 3 × 4 bytes
        1204224000
    """
    height, width = image_size
    return 2 * n_images * height * width * 3 * 4


def peak_memory(loader: str, root, classes, *, image_size=(224, 224), batch_size: int = 16) -> dict:
    """Peak RSS of a fresh Python process that reads ``root``'s train+test with ``loader``.

    ``loader`` is ``"in_memory"`` (the book: both sets as arrays) or ``"stream"`` (one pass
    over :func:`helpers.image_folders.stream_dataset` batches).  The child imports TensorFlow
    first; on Linux the peak counter (VmHWM) is then reset, so ``increase_mb`` is the loader's
    own peak above the memory after imports.  Returns ``{"loader", "classes", "images",
    "baseline_mb", "peak_mb", "increase_mb", "seconds"}``.

    Example:
        >>> from helpers.image_folders import sample_folders
        >>> root = sample_folders(["Bobolink"], parts=("train", "test"))
        >>> result = peak_memory("stream", root, ["Bobolink"], image_size=(32, 32))
        >>> result["images"], result["peak_mb"] >= result["baseline_mb"] > 50
        (2, True)
    """
    if loader not in LOADERS:
        raise ValueError(f"loader must be 'in_memory' or 'stream', got {loader!r}")
    args = json.dumps({"loader": loader, "root": str(root), "classes": list(classes),
                       "image_size": list(image_size), "batch_size": batch_size})
    code = "import sys, helpers._course.memory as m; m._memory_child(sys.argv[1])"
    env = config.child_environment(TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(config.REPO_ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", code, args], capture_output=True, text=True, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        killed = " (killed: probably out of memory)" if done.returncode in (-9, 137) else ""
        raise RuntimeError(f"measuring {loader} memory failed with exit code {done.returncode}"
                           f"{killed}:\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])


def _memory_child(arguments: str) -> None:
    """Run in a fresh process by :func:`peak_memory`; prints one JSON line (its only output)."""
    import psutil

    args = json.loads(arguments)
    import keras  # noqa: F401  (imports TensorFlow: part of the baseline)
    import tensorflow as tf  # noqa: F401
    from keras.applications.resnet50 import preprocess_input  # noqa: F401

    baseline = psutil.Process().memory_info().rss
    resettable = _reset_peak()
    start = time.perf_counter()
    root, classes, size = Path(args["root"]), args["classes"], tuple(args["image_size"])
    n = 0
    if args["loader"] == "in_memory":
        kept = []
        for part in ("train", "test"):
            x, y = load_in_memory(root / part, classes, size)
            kept.append((x, y))
            n += len(x)
    else:
        for part in ("train", "test"):
            for x, _ in stream_dataset(root / part, classes, size, batch_size=args["batch_size"]):
                n += int(x.shape[0])
    peak = _peak_bytes()
    if not resettable:
        peak = max(peak, psutil.Process().memory_info().rss)
    mb = 2 ** 20
    print(json.dumps({"loader": args["loader"], "classes": len(classes), "images": n,
                      "baseline_mb": round(baseline / mb, 1), "peak_mb": round(peak / mb, 1),
                      "increase_mb": round(max(0, peak - baseline) / mb, 1),
                      "seconds": round(time.perf_counter() - start, 1)}))


def _reset_peak() -> bool:
    """Reset Linux's peak-RSS counter (VmHWM) of this process; False where that is impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak_bytes() -> int:
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    if sys.platform == "win32":
        import psutil

        return psutil.Process().memory_info().peak_wset
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def compare_memory(root, *, class_counts=(20, 200), image_size=(224, 224)) -> list[dict]:
    """Peak memory of both loaders for each class count (capped at the classes available).

    The classes are spread evenly (20 of 200 = the book's every-tenth class).  Where the
    in-RAM loader would need more than 70 % of the RAM now available it is not run (it would
    crash the machine), and its row says how much it would need.  Returns the rows; each
    measurement is a child process (a few seconds each).  :func:`format_memory` tabulates them.

    Example:
        >>> from helpers.image_folders import sample_folders
        >>> root = sample_folders(["Bobolink"], parts=("train", "test"))
        >>> rows = compare_memory(root, class_counts=(20,), image_size=(32, 32))
        >>> [(row["classes"], row["images"], row["in_memory"]["images"], row["stream"]["images"]) for row in rows]
        [(1, 2, 2, 2)]
    """
    import psutil

    root = Path(root)
    every = list_classes(root / "train")
    rows = []
    for count in sorted({min(c, len(every)) for c in class_counts}):
        step = max(1, len(every) // count)
        classes = every[step - 1::step][:count]
        n_images = sum(1 for part in ("train", "test") for c in classes
                       for name in os.listdir(root / part / c) if not name.startswith("."))
        need = in_memory_bytes(n_images, image_size)
        available = psutil.virtual_memory().available
        row = {"classes": count, "images": n_images, "image_size": list(image_size),
               "in_memory_estimate_mb": round(need / 2 ** 20, 1)}
        if need > 0.7 * available:
            row["in_memory"] = None
            row["in_memory_note"] = (f"not run: needs about {need / 2**30:.1f} GB, "
                                     f"{available / 2**30:.1f} GB available")
        else:
            row["in_memory"] = peak_memory("in_memory", root, classes, image_size=image_size)
        row["stream"] = peak_memory("stream", root, classes, image_size=image_size)
        rows.append(row)
    return rows


def format_memory(rows) -> str:
    """The rows of :func:`compare_memory` as a small Korean table (MB above the import baseline).

    Example:
        >>> print(format_memory([{"classes": 10, "images": 570, "in_memory_estimate_mb": 654.0,
        ...     "in_memory": {"increase_mb": 700.0}, "stream": {"increase_mb": 60.0}}]))
        부류 | 영상 | 책의 방식: RAM에 통째로 (MB) | 스트리밍 tf.data (MB) | 계산값: 배열 2벌 (MB)
        ---|---|---|---|---
        10 | 570 | 700.0 | 60.0 | 654.0
    """
    lines = ["부류 | 영상 | 책의 방식: RAM에 통째로 (MB) | 스트리밍 tf.data (MB) | 계산값: 배열 2벌 (MB)",
             "---|---|---|---|---"]
    for row in rows:
        in_ram = (f"{row['in_memory']['increase_mb']:.1f}" if row.get("in_memory")
                  else f"측정 안 함 ({row.get('in_memory_note', '')})")
        lines.append(f"{row['classes']} | {row['images']} | {in_ram} | "
                     f"{row['stream']['increase_mb']:.1f} | {row['in_memory_estimate_mb']:.1f}")
    return "\n".join(lines)
