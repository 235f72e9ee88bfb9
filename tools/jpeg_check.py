"""How much does one JPEG generation cost 프로그램 6-4's CNN?  (Why the shipped 6-4 is below the book.)

    CH6_QUICK=0 CH6_DATA_DIR=<folder with cifar10.npz> python tools/jpeg_check.py [N_TRAIN] [EPOCHS]

The offline CIFAR-10 is a copy decoded from JPEG files (quality ≈ 75, colour subsampled 4:2:0,
i.e. colour stored at 16×16 for a 32×32 image); the book trained on the original pixels.  The
original cannot be had offline, so this measures the next best thing: the same CNN trained and
tested the book's way (batch 128, Adam) on the copy as it is, and on the copy passed through one
more JPEG generation (quality 75 as the copy, and a harsher 50; 4:2:0 both).  The differences
show how sensitive this model is to JPEG loss on these data.  Writes ``results/6.4-jpeg-check.json``
(``CH6_RESULTS_DIR``); both runs use the same seed, the same first N_TRAIN training images
(default 10000) and the whole test set.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers import data, models  # noqa: E402
from helpers._course import datasets  # noqa: E402
from helpers._course import config, saved  # noqa: E402


def jpeg_again(images: np.ndarray, quality: int = 75) -> np.ndarray:
    """Each uint8 RGB image encoded as JPEG (``quality``, 4:2:0) and decoded again."""
    from PIL import Image

    out = np.empty_like(images)
    for i, image in enumerate(images):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="JPEG", quality=quality, subsampling=2)
        out[i] = np.asarray(Image.open(buffer).convert("RGB"))
    return out


def train_and_test(x_train, y_train, x_test, y_test, epochs: int) -> dict:
    import keras

    config.set_seed()
    model = models.cifar10_cnn()
    started = time.perf_counter()
    model.fit(x_train.astype(np.float32) / 255.0, keras.utils.to_categorical(y_train, 10), batch_size=128,
              epochs=epochs, verbose=2)
    accuracy = model.evaluate(x_test.astype(np.float32) / 255.0, keras.utils.to_categorical(y_test, 10), verbose=0)[1]
    return {"test_accuracy_percent": round(float(accuracy) * 100, 2), "seconds": round(time.perf_counter() - started)}


def main(argv: list[str]) -> int:
    n_train = int(argv[0]) if argv else 10000
    epochs = int(argv[1]) if len(argv) > 1 else 30
    (x_train, y_train), (x_test, y_test) = data.load_cifar10()
    x_train, y_train = x_train[:n_train], y_train[:n_train]
    label = datasets.label("cifar10", len(data.load_cifar10()[0][0]), len(x_test))
    runs = {"copy as is": train_and_test(x_train, y_train, x_test, y_test, epochs)}
    change = {}
    for quality in (75, 50):
        again_train, again_test = jpeg_again(x_train, quality), jpeg_again(x_test, quality)
        name = f"one more JPEG generation, quality {quality}"
        change[name] = round(float(np.abs(again_test.astype(int) - x_test.astype(int)).mean()), 2)
        runs[name] = train_and_test(again_train, y_train, again_test, y_test, epochs)
    entry = {"data": label, "train_images": n_train, "test_images": len(x_test), "epochs": epochs,
             "runs": runs, "mean_abs_pixel_change": change,
             "cost_points": {name: round(runs["copy as is"]["test_accuracy_percent"] - run["test_accuracy_percent"], 2)
                             for name, run in runs.items() if name != "copy as is"},
             "command": f"CH6_QUICK=0 python tools/jpeg_check.py {n_train} {epochs}"}
    print(entry)
    if not config.is_quick():
        print("wrote", saved.record("6.4-jpeg-check", **entry))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
