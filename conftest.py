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


def needs(*names):
    """Skip the calling test or doctest unless every registered file in ``names`` is already here
    (offline assets or the cache): tests never download, and say what to do instead."""
    from helpers._course import downloads

    missing = []
    for name in names:
        try:
            downloads.fetch(name, download=False)
        except downloads.DownloadError:
            missing.append(name)
    if missing:
        pytest.skip(f"needs {', '.join(missing)}: run `make download` (or set CH6_DATA_DIR to the offline assets)")


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
def pytest_configure(config):
    """Tests never write into the user's cache: unless the caller chose a cache (make test does),
    use the repository's ignored ``build/test-cache``."""
    import os
    from pathlib import Path

    os.environ.setdefault("CH6_CACHE_DIR", str(Path(__file__).resolve().parent / "build" / "test-cache"))


# ------------------------------------------------------------------ skips that must not happen
_DATA_SKIPS = []


def pytest_runtest_logreport(report):
    """Remember tests skipped for want of the offline data (their reason names CH6_DATA_DIR)."""
    if report.skipped and "CH6_DATA_DIR" in str(report.longrepr):
        _DATA_SKIPS.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """With the offline data present, a test that skipped for want of them is a failure."""
    from helpers._course import config

    folder = config.data_dir()
    if _DATA_SKIPS and folder is not None and folder.is_dir():
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"FAILED: CH6_DATA_DIR={folder} holds the offline data, yet these tests "
                                f"skipped for want of it: {', '.join(_DATA_SKIPS)}", red=True)
        session.exitstatus = 1
