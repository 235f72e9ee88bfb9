"""The committed notebooks: frame, Colab badge, cleanliness, no local paths, the book's programs."""

import re
import sys
import tomllib

import nbformat
import pytest

from helpers._course.config import REPO_ROOT, REPO_URL

sys.path.insert(0, str(REPO_ROOT / "tools"))
import notebooks as nbtools  # noqa: E402

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
PROGRAMS = {
    "6.4": ["프로그램 6-1", "프로그램 6-2", "프로그램 6-3", "프로그램 6-4(a)", "프로그램 6-4(b)", "프로그램 6-5"],
    "6.5": ["프로그램 6-6"],
    "6.6": ["프로그램 6-7", "프로그램 6-8", "프로그램 6-9", "프로그램 6-10"],
    "6.7": ["프로그램 6-11"],
    "6.8": ["프로그램 6-12"],
}
LOCAL_PATH = re.compile(r"(/work/|/root/|/home/\w|/tmp/|/Users/|[A-Z]:\\\\)")


def _read(path):
    return nbformat.read(path, as_version=4)


def test_one_notebook_per_section_in_order():
    sections = [p.name[:3] for p in NOTEBOOKS]
    assert sections == sorted(PROGRAMS), f"expected one notebook each for {sorted(PROGRAMS)}, found {sections}"
    for path in NOTEBOOKS:
        assert re.fullmatch(r"6\.[4-8]-[a-z0-9-]+\.ipynb", path.name), path.name


def test_repo_url_is_the_one_in_pyproject():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["urls"]["Repository"] == REPO_URL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_title_and_colab_badge_point_at_this_notebook(path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {path.name[:3]} ")
    own = REPO_URL.replace("https://github.com/", "https://colab.research.google.com/github/")
    own += f"/blob/main/notebooks/{path.name}"
    links = re.findall(r"https://colab\.research\.google\.com/github/[^\s)]+", first.source)
    assert links == [own]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_comes_next(path):
    setup = _read(path).cells[1]
    assert setup.cell_type == "code"
    assert '"google.colab" in sys.modules' in setup.source and "%pip install" in setup.source
    assert REPO_URL.split("//")[1] in setup.source
    assert "helpers.setup(" in setup.source and "set_quick_mode" in setup.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_clean(path):
    assert nbtools.problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_widget_state_is_committed(path):
    assert "widgets" not in _read(path).metadata, "run `make clean-notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lecture_lines_stay_visible_on_slides(path):
    """A cell that prints an accuracy or a comparison table never has its output collapsed."""
    hidden = [c.source.splitlines()[0] for c in _read(path).cells if c.cell_type == "code"
              and ("정확률" in c.source or "book_table" in c.source)
              and (c.metadata.get("collapsed") or c.metadata.get("jupyter", {}).get("outputs_hidden"))]
    assert not hidden, hidden


def test_clean_keeps_only_the_outputs_of_checked_cells():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    plain = new_code_cell("print(1)", outputs=[new_output("stream", text="1")], execution_count=3)
    checked = new_code_cell("print(2)", outputs=[new_output("execute_result", data={"text/plain": "2"},
                                                            execution_count=4)],
                            execution_count=4, metadata={"tags": [nbtools.TAG]})
    notebook = new_notebook(cells=[plain, checked])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cleaned = nbtools.clean(notebook)
    assert "widgets" not in cleaned.metadata and cleaned.cells[0].outputs == []
    assert cleaned.cells[1].outputs[0].data == {"text/plain": "2"}
    assert [c.execution_count for c in cleaned.cells] == [None, None]
    assert cleaned.cells[1].outputs[0].execution_count is None


def test_a_stored_output_whose_cell_changed_is_reported_stale(tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cell = new_code_cell("print(2)", outputs=[new_output("stream", text="2\n")], metadata={"tags": [nbtools.TAG]})
    path = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=[cell]), str(path))
    assert "make refresh-outputs" in " ".join(nbtools.problems(path))   # never stamped
    cell.metadata["ch6_output_of"] = nbtools.source_hash(cell)
    nbformat.write(new_notebook(cells=[cell]), str(path))
    assert nbtools.problems(path) == []
    cell.source = "print(3)"                                           # edited after the refresh
    nbformat.write(new_notebook(cells=[cell]), str(path))
    assert "cell 0's stored output was not made from its current source" in " ".join(nbtools.problems(path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_test_markers_are_cell_tags_not_code(path):
    """A student reads no ``# NBVAL_…`` comment: nbval's markers live in the cell's tags."""
    markers = re.compile(r"^\s*#\s*(NBVAL_\w+|PYTEST_VALIDATE_IGNORE_OUTPUT)\s*$", re.M)
    found = [c.source.splitlines()[0] for c in _read(path).cells if c.cell_type == "code" and markers.search(c.source)]
    assert not found, f"markers in code (make them cell tags, e.g. {nbtools.TAG}): {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checked_cells_keep_their_output(path):
    empty = [c.source.splitlines()[0] for c in _read(path).cells if nbtools.is_checked(c) and not c.outputs]
    assert not empty, f"cells tagged {nbtools.TAG} without a stored output (make refresh-outputs): {empty}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_local_paths(path):
    text = path.read_text(encoding="utf-8")
    assert not LOCAL_PATH.findall(text), LOCAL_PATH.findall(text)[:3]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_book_programs_are_headings(path):
    headings = [line for c in _read(path).cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("#")]
    for program in PROGRAMS[path.name[:3]]:
        assert any(program in h and not h.split(program)[1][:1].isdigit() for h in headings), program


def test_slide_metadata_is_up_to_date():
    """Every notebook opens as RISE slides: `make slides` was run after the last edit."""
    import subprocess

    result = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "slides.py"), "--check",
                             *map(str, NOTEBOOKS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
