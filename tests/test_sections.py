"""Every section of every notebook runs on its own after the setup cell, as an instructor uses them.

For each notebook one kernel is started (quick mode, temporary cache); for each ``## `` section
(a 프로그램 6-N and everything up to the next ``## `` heading) the namespace is emptied with
``%reset -f``, the setup cell runs again, then only that section's code cells.  A section that
leans on a variable, an import or a file made by an earlier section fails here.  The same run
checks that no cell shows a figure's repr (``<Figure size …>``) as text.
"""

import os
import re

import nbformat
import pytest

from helpers._course import config

NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("6.*.ipynb"))


def sections(notebook) -> list[tuple[str, list[int]]]:
    """``(heading, code cell indices)`` of each ``## `` section that has code (setup cell excluded)."""
    found, heading, cells = [], None, []
    for index, cell in enumerate(notebook.cells):
        first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        if cell.cell_type == "markdown" and re.match(r"##\s", first):
            if heading and cells:
                found.append((heading, cells))
            heading, cells = first[3:].strip(), []
        elif cell.cell_type == "code" and heading and index > 1:
            cells.append(index)
    if heading and cells:
        found.append((heading, cells))
    return found


CASES = [(path, number, heading) for path in NOTEBOOKS
         for number, (heading, _) in enumerate(sections(nbformat.read(path, as_version=4)))]


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    """One running kernel per notebook, started on first use, all shut down at the end."""
    from nbclient import NotebookClient

    cache = tmp_path_factory.mktemp("section-cache")
    environment = config.child_environment(CH6_QUICK="1", CH6_CACHE_DIR=cache, CH6_MODEL_DIR=None,
                                           CH6_RESULTS_DIR=None, CH6_CHECKPOINT_DIR=None, MPLBACKEND=None)
    started = {}

    def kernel(path):
        if path not in started:
            notebook = nbformat.read(path, as_version=4)
            client = NotebookClient(notebook, timeout=900, kernel_name=os.environ.get("CH6_TEST_KERNEL", "python3"),
                                    resources={"metadata": {"path": str(path.parent)}})
            client.km = client.create_kernel_manager()
            client.start_new_kernel(cwd=str(path.parent), env=environment)
            client.start_new_kernel_client()
            started[path] = client
        return started[path]

    yield kernel
    from jupyter_core.utils import run_sync

    for client in started.values():
        client.kc.stop_channels()
        run_sync(client.km.shutdown_kernel)(now=True)


def _run(client, source: str, index: int):
    cell = nbformat.v4.new_code_cell(source)
    client.execute_cell(cell, index)
    return cell


@pytest.mark.parametrize("path, number, heading", CASES,
                         ids=[f"{p.stem[:3]}-section{n}" for p, n, _ in CASES])
def test_section_runs_alone_after_the_setup_cell(kernels, path, number, heading):
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    client = kernels(path)
    _run(client, "%reset -f", 0)
    try:
        _run(client, notebook.cells[1].source, 1)
        cells = [_run(client, notebook.cells[i].source, i) for i in sections(notebook)[number][1]]
    except CellExecutionError as error:
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
        pytest.fail(f"{path.name}, section {heading!r} does not run on its own after the setup cell:\n"
                    f"{message[-1500:]}")
    stray = [c.source.splitlines()[0] for c in cells
             if any("<Figure" in o.get("data", {}).get("text/plain", "") and
                    (o.output_type == "execute_result" or "image/png" not in o.get("data", {}))
                    for o in c.outputs)]
    assert not stray, f"cells that show '<Figure …>' as text (end them with plt.show()): {stray}"


def test_every_notebook_has_its_program_sections():
    headings = {path.name[:3]: [h for _, _, h in [c for c in CASES if c[0] == path]] for path in NOTEBOOKS}
    assert all(any(h.startswith("프로그램 6-") for h in found) for found in headings.values()), headings
