"""pytest set-up shared by the unit tests and the nbval notebook run.

Committed notebooks carry no execution counts (tests/test_notebooks.py enforces it), but
nbval treats a cell without one as "unrun" and refuses to compare its stored output
("Unrun reference cell has outputs").  So when nbval reads a notebook, the cells marked
``# NBVAL_CHECK_OUTPUT`` that keep an output are marked as run.
"""

import nbformat

MARKER = "NBVAL_CHECK_OUTPUT"


class _NbformatMarkingCheckedCellsRun:
    """nbformat, except that ``read`` gives checked cells an execution count."""

    def __getattr__(self, name):
        return getattr(nbformat, name)

    @staticmethod
    def read(*args, **kwargs):
        notebook = nbformat.read(*args, **kwargs)
        for cell in notebook.cells:
            if (cell.cell_type == "code" and MARKER in cell.source and cell.outputs
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


@pytest.fixture(autouse=True)
def _doctest_environment(request, monkeypatch):
    """Doctest examples may call ``env(CH6_X="…")`` (undone after the example) and switch quick
    mode (reset after the example), as the unit tests do."""
    namespace = request.getfixturevalue("doctest_namespace")

    def env(**values):
        for key, value in values.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, str(value))

    namespace["env"] = env
    yield
    from helpers import config

    config.set_quick_mode(None)
