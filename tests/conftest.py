"""Shared test set-up: headless plots, quick-mode state reset, offline data location."""

import os

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from helpers import config  # noqa: E402


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
def env(monkeypatch):
    """Set or clear CH6_* variables for one test: env(CH6_QUICK="1", CH6_DATA_DIR=None)."""

    def _set(**values):
        for key, value in values.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, str(value))

    return _set
