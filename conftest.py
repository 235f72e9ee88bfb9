"""pytest set-up shared by the unit tests and the nbval notebook run.

Committed notebooks carry no execution counts (tests/test_notebooks.py enforces it), but
nbval treats a cell without one as "unrun" and refuses to compare its stored output
("Unrun reference cell has outputs").  So when nbval reads a notebook, the cells tagged
``nbval-check-output`` that keep an output are marked as run.
"""

import nbformat

TAG = "nbval-check-output"


class _NbformatMarkingCheckedCellsRun:
    """nbformat, except that ``read`` gives checked cells an execution count."""

    def __getattr__(self, name):
        return getattr(nbformat, name)

    @staticmethod
    def read(*args, **kwargs):
        notebook = nbformat.read(*args, **kwargs)
        for cell in notebook.cells:
            if (cell.cell_type == "code" and TAG in cell.metadata.get("tags", ()) and cell.outputs
                    and cell.execution_count is None):
                cell.execution_count = 1
        return notebook


try:
    from nbval import plugin as _nbval_plugin
except ImportError:  # nbval not installed: only the unit tests run
    pass
else:
    _nbval_plugin.nbformat = _NbformatMarkingCheckedCellsRun()


import pytest  # noqa: E402


@pytest.fixture
def env(monkeypatch):
    """Set or clear CH6_* variables for one test or example: env(CH6_QUICK="1", CH6_DATA_DIR=None)."""

    def _set(**values):
        for key, value in values.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, str(value))

    return _set


HOW_TO_GET = "run `make download`, or set CH6_DATA_DIR to the offline assets' datasets folder"
_NEEDS_SKIPS = set()   # every name a test skipped for


def needs(*names):
    """Skip the calling test or doctest unless every file in ``names`` is here without a download: registered
    files (``"cat.png"``), data sets (``"mnist"``, ``"fashion_mnist"``, ``"cifar10"``) or ``"cub"``.
    Tests never download; the reason names the files and what to do."""
    from helpers._course import downloads

    missing = downloads.missing(*names)
    if missing:
        _NEEDS_SKIPS.update(missing)
        pytest.skip(f"needs {', '.join(missing)}: {HOW_TO_GET}")


@pytest.fixture(scope="session", name="needs")
def _needs_fixture():
    """``needs`` for a test or fixture body: ``def test_x(needs): needs("dog.jpg")``."""
    return needs


def pytest_configure(config):
    config.addinivalue_line("markers", "needs(*names): skip unless these files are here (see conftest.needs)")
    _use_test_cache()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """``@pytest.mark.needs("cat.png", "mnist")`` skips before any fixture is set up."""
    for marker in item.iter_markers("needs"):
        needs(*marker.args)


@pytest.fixture(autouse=True)
def _doctest_environment(request, env):
    """Doctest examples may call ``env(CH6_X="…")`` (undone after the example), ``needs("dog.jpg")``
    (skip unless that file is here) and switch quick mode (reset after the example), as the unit tests do."""
    namespace = request.getfixturevalue("doctest_namespace")
    namespace["env"] = env
    namespace["needs"] = needs
    yield
    from helpers._course import config

    config.set_quick_mode(None)


# ------------------------------------------------------------------ what a test run may write
def _use_test_cache():
    """Tests never write into the user's cache: unless the caller chose one (make test does), they use the
    repository's ignored ``build/test-cache``; they still read what `make download` put in the user's cache."""
    import os
    from pathlib import Path

    from helpers._course import config

    os.environ.setdefault("CH6_DOWNLOAD_DIR", str(config.download_dir()))
    os.environ.setdefault("CH6_CACHE_DIR", str(Path(__file__).resolve().parent / "build" / "test-cache"))


# ------------------------------------------------------------------ skips that must not happen
def pytest_sessionfinish(session, exitstatus):
    """A test skipped for a file whose offline folder exists (CH6_DATA_DIR, or darknet/, pretrained/, images/ beside
    it) fails the run: CI must not pass by skipping.  Files fetched only on request (CUB, YOLOv3) may be absent."""
    from helpers._course import config, datasets, downloads

    def offline_folder_exists(name):
        if name in datasets.NAMES:
            return config.data_dir() is not None and config.data_dir().is_dir()
        entry = downloads.REGISTRY.get(name)
        return entry is not None and name not in downloads.ON_REQUEST and config.asset_dir(entry.kind) is not None

    absent = sorted(filter(offline_folder_exists, _NEEDS_SKIPS))
    if absent:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"FAILED: the offline assets (CH6_DATA_DIR={config.data_dir()}) lack {', '.join(absent)}, "
                                "which tests skipped for: complete the assets, or fix the test's needs(...).", red=True)
        session.exitstatus = 1
