"""Peak memory of 프로그램 6-11's way of reading CUB (every image in RAM) against streaming, each
measured in a fresh Python process (6.7's '디스크에서 스트리밍하기')."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import config
from ..image_folders import list_classes, list_images, stream_dataset

_LOADERS = ("in_memory", "stream")


def _in_memory_bytes(n_images: int, image_size=(224, 224)) -> int:
    """Bytes the book's lines 16–47 take from the OS at their peak on Linux: every float32 image twice.

    The data alive at once peak at line 42 (both lists and the training array), but the training
    list freed there stays with the C library, and line 44's test array is new memory.

    Example:
        >>> _in_memory_bytes(570) / 2**20  # MB: 2 × 570 images of 224 × 224 × 3 × 4 bytes
        654.609375
    """
    height, width = image_size
    return 2 * n_images * height * width * 3 * 4


def _peak_memory(loader: str, root, classes, *, image_size=(224, 224), batch_size: int = 16) -> dict:
    """Peak memory of a fresh Python process that reads ``root``'s train and test sets with ``loader``:
    ``"in_memory"`` (the book's loops, then ``np.asarray``) or ``"stream"`` (one pass over
    :func:`helpers.image_folders.stream_dataset`), above its memory after importing TensorFlow."""
    if loader not in _LOADERS:
        raise ValueError(f"loader must be 'in_memory' or 'stream', got {loader!r}")
    args = json.dumps({"loader": loader, "root": str(root), "classes": list(classes),
                       "image_size": list(image_size), "batch_size": batch_size})
    env = config.child_environment(TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(config.REPO_ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-c", "import sys, helpers._course.memory as m; m._child(sys.argv[1])",
                           args], capture_output=True, text=True, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        killed = " (killed: probably out of memory)" if done.returncode in (-9, 137) else ""
        raise RuntimeError(f"measuring {loader} memory failed with exit code {done.returncode}{killed}:\n"
                           f"{done.stderr[-2000:]}")
    return json.loads(lines[-1])


def _child(arguments: str) -> None:
    """Run by :func:`_peak_memory` in a fresh process; prints one JSON line."""
    import numpy as np
    import psutil
    import tensorflow  # noqa: F401  (part of the baseline)
    from keras.preprocessing import image

    args = json.loads(arguments)
    root, classes, size = Path(args["root"]), args["classes"], tuple(args["image_size"])
    baseline = psutil.Process().memory_info().rss
    resettable = _reset_peak()
    start = time.perf_counter()
    n = 0
    if args["loader"] == "in_memory":  # the book's order: both lists (16–41), then lines 42 and 44
        lists = [[image.img_to_array(image.load_img(path, target_size=size))
                  for path in list_images(root / part, classes)[0]] for part in ("train", "test")]
        x_train = np.asarray(lists[0])
        lists[0] = None
        x_test = np.asarray(lists[1])
        n = len(x_train) + len(x_test)
    else:
        for part in ("train", "test"):
            for x, _ in stream_dataset(root / part, classes, size, batch_size=args["batch_size"],
                                       preprocess=lambda x: x):
                n += int(x.shape[0])
    peak = _peak_bytes() if resettable else max(_peak_bytes(), psutil.Process().memory_info().rss)
    mb = 2 ** 20
    print(json.dumps({"loader": args["loader"], "images": n, "baseline_mb": round(baseline / mb, 1),
                      "peak_mb": round(peak / mb, 1), "increase_mb": round(max(0, peak - baseline) / mb, 1),
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
    import psutil

    if sys.platform == "win32":
        return psutil.Process().memory_info().peak_wset
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def compare_memory(root, *, class_counts=(20, 200), image_size=(224, 224)) -> list[dict]:
    """Peak memory of both ways for each class count (capped at the classes there are; spread evenly,
    as the book's every tenth).  The in-RAM way is not run where it would need more than 70 % of the
    memory available now (it would crash the machine); its row says how much it would need."""
    import psutil

    root = Path(root)
    every = list_classes(root / "train")
    rows = []
    for count in sorted({min(c, len(every)) for c in class_counts}):
        step = len(every) // count
        classes = every[step - 1::step][:count]
        n_train, n_test = (len(list_images(root / part, classes)[0]) for part in ("train", "test"))
        need = _in_memory_bytes(n_train + n_test, image_size)
        available = psutil.virtual_memory().available
        row = {"classes": count, "train_images": n_train, "test_images": n_test, "image_size": list(image_size),
               "in_memory_estimate_mb": round(need / 2 ** 20, 1)}
        if need > 0.7 * available:
            row["in_memory"] = None
            row["in_memory_note"] = f"실행 안 함: 약 {need / 2**30:.1f} GB 필요, {available / 2**30:.1f} GB 남음"
        else:
            row["in_memory"] = _peak_memory("in_memory", root, classes, image_size=image_size)
        row["stream"] = _peak_memory("stream", root, classes, image_size=image_size)
        rows.append(row)
    return rows


def format_memory(rows) -> str:
    """The rows of :func:`compare_memory` as a table (MB above the memory after importing TensorFlow)."""
    lines = ["부류 | 훈련/테스트 영상 | 책의 방식: RAM에 통째로 (MB) | 스트리밍 tf.data (MB) | 계산값: 영상 전체 두 벌 (MB)",
             "---|---|---|---|---"]
    for row in rows:
        in_ram = f"{row['in_memory']['increase_mb']:.1f}" if row.get("in_memory") else row["in_memory_note"]
        lines.append(f"{row['classes']} | {row['train_images']}/{row['test_images']} | {in_ram} | "
                     f"{row['stream']['increase_mb']:.1f} | {row['in_memory_estimate_mb']:.1f}")
    return "\n".join(lines)
