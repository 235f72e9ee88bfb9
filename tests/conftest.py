"""Shared test set-up: headless plots, quick-mode state reset, offline data location, a repository copy."""

import os
import shutil
import subprocess

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from helpers._course import config  # noqa: E402


@pytest.fixture(autouse=True)
def _reset_quick_override():
    yield
    config.set_quick_mode(None)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def offline_data():
    """The offline dataset folder (CH6_DATA_DIR); tests that need real data skip without it."""
    folder = config.data_dir()
    if folder is None or not folder.is_dir():
        pytest.skip("CH6_DATA_DIR is not set to the offline datasets folder (make test sets it)")
    return folder


@pytest.fixture
def repo_copy(tmp_path):
    """A committed git checkout of the tracked files (those under 2 MB), for commands that change
    or inspect a repository: they run there without touching this one."""
    files = subprocess.run(["git", "ls-files"], cwd=config.REPO_ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    target = tmp_path / "repo"
    for name in files:
        source = config.REPO_ROOT / name
        if source.is_file() and source.stat().st_size < 2_000_000:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "copy"]):
        subprocess.run(git + command, cwd=target, check=True, capture_output=True)
    return target


@pytest.fixture
def mnist_for_cnn(offline_data, env):
    """Quick-mode MNIST prepared as 프로그램 6-1 prepares it: (N,28,28,1) float32 in [0,1],
    one-hot labels; the seed set.  Returns ``x_train, y_train, x_test, y_test``."""
    import keras
    import numpy as np

    from helpers import data

    env(CH6_QUICK="1")
    config.set_seed()
    (x_train, y_train), (x_test, y_test) = data.load_mnist()

    def images(x):
        return x.reshape(-1, 28, 28, 1).astype(np.float32) / 255.0

    return (images(x_train), keras.utils.to_categorical(y_train, 10),
            images(x_test), keras.utils.to_categorical(y_test, 10))


@pytest.fixture(scope="module")
def small_cnn():
    """C-P-C-FC like the CIFAR-10 CNN, but 16×16 inputs and a few channels (fast)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input(shape=(16, 16, 3)),
        layers.Conv2D(4, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25),
        layers.Conv2D(6, (3, 3), activation="relu"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])
