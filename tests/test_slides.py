"""tools/slides.py: slide metadata for RISE, on a copy of a real notebook (never the committed one)."""

import shutil
import subprocess
import sys

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers._course.config import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import slides  # noqa: E402

NOTEBOOK = REPO_ROOT / "notebooks" / "6.4-cnn-programming.ipynb"
SCRIPT = REPO_ROOT / "tools" / "slides.py"


@pytest.fixture
def copy(tmp_path):
    if not NOTEBOOK.is_file():
        pytest.skip(f"{NOTEBOOK.name} is not in notebooks/")
    target = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, target)
    # start from a notebook without slide metadata (the committed ones already have it)
    notebook = nbformat.read(target, as_version=4)
    notebook.metadata.pop("rise", None)
    for cell in notebook.cells:
        cell.metadata.pop("slideshow", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.get("jupyter", {}).pop("outputs_hidden", None)
    nbformat.write(notebook, target)
    return target


class _Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run_slides(capsys):
    """Run ``tools/slides.py <args>`` in this process; returns code, stdout and stderr."""

    def run(*args):
        capsys.readouterr()
        code = slides.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return _Result(code, out, err)

    return run


def test_command_line_runs_as_a_script(copy):
    result = subprocess.run([sys.executable, str(SCRIPT), "--check", str(copy)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and "expected 'slide'" in result.stdout


def _types(path):
    return [c.metadata.get("slideshow", {}).get("slide_type") for c in nbformat.read(path, as_version=4).cells]


def test_every_program_section_is_a_slide_and_every_cell_has_a_type(copy, run_slides):
    assert run_slides(copy).returncode == 0
    notebook = nbformat.read(copy, as_version=4)
    types = _types(copy)
    assert None not in types and set(types) <= {"slide", "subslide", "fragment"}
    assert types[0] == "slide"
    programs = [i for i, c in enumerate(notebook.cells)
                if c.cell_type == "markdown" and c.source.startswith("## 프로그램")]
    assert len(programs) >= 5             # 6-1, 6-2, 6-3, 6-4(a), 6-5 (6-4(b), 6-4(a)'s line 59, is a ### part of 6-4(a))
    assert all(types[i] == "slide" for i in programs)
    slides_at = [i for i, t in enumerate(types) if t == "slide"]
    assert all(notebook.cells[i].source.lstrip().startswith(("# ", "## ")) for i in slides_at)
    assert notebook.metadata["rise"]["scroll"] is True


def test_training_logs_are_collapsed_and_figures_are_not(copy, run_slides):
    run_slides(copy)
    notebook = nbformat.read(copy, as_version=4)
    fits = [c for c in notebook.cells if c.cell_type == "code" and ".fit(" in c.source]
    plots = [c for c in notebook.cells if c.cell_type == "code" and "plot_history(" in c.source]
    assert fits and plots
    assert all(c.metadata["jupyter"]["outputs_hidden"] is True and c.metadata["collapsed"] is True for c in fits)
    assert not any(c.metadata.get("jupyter", {}).get("outputs_hidden") for c in plots)


def test_outputs_and_sources_are_untouched(copy, run_slides):
    before = nbformat.read(copy, as_version=4)
    run_slides(copy)
    after = nbformat.read(copy, as_version=4)
    assert [(c.source, c.get("outputs")) for c in before.cells] == [(c.source, c.get("outputs")) for c in after.cells]
    assert after.metadata["kernelspec"] == before.metadata["kernelspec"]


def test_idempotent_and_check_mode(copy, run_slides):
    first = run_slides("--check", copy)
    assert first.returncode == 1 and "expected 'slide'" in first.stdout and "tools/slides.py" in first.stdout
    assert run_slides(copy).stdout.startswith("updated")
    once = copy.read_bytes()
    again = run_slides(copy)
    assert again.stdout.startswith("unchanged") and copy.read_bytes() == once
    ok = run_slides("--check", copy)
    assert ok.returncode == 0 and "up to date" in ok.stdout


def test_check_notices_a_hand_edited_slide_type(copy, run_slides):
    run_slides(copy)
    notebook = nbformat.read(copy, as_version=4)
    notebook.cells[2].metadata["slideshow"]["slide_type"] = "skip"
    nbformat.write(notebook, copy)
    result = run_slides("--check", copy)
    assert result.returncode == 1 and "cell 2" in result.stdout and "'skip'" in result.stdout


def test_stored_long_output_is_collapsed_even_without_fit():
    long_text = "".join(f"line {i}\n" for i in range(slides.LONG_OUTPUT_LINES + 5))
    cell = new_code_cell("print(report)", outputs=[new_output("stream", name="stdout", text=long_text)])
    short = new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")])
    notebook = slides.apply(new_notebook(cells=[new_markdown_cell("# 6.9 t"), cell, short]))
    assert notebook.cells[1].metadata["jupyter"]["outputs_hidden"] is True
    assert "jupyter" not in notebook.cells[2].metadata and "collapsed" not in notebook.cells[2].metadata


def test_collapse_is_undone_when_a_cell_no_longer_needs_it():
    cell = new_code_cell("x = 1")
    cell.metadata.update({"collapsed": True, "jupyter": {"outputs_hidden": True, "source_hidden": True}})
    notebook = slides.apply(new_notebook(cells=[new_markdown_cell("# 6.9 t"), cell]))
    assert "collapsed" not in cell.metadata and cell.metadata["jupyter"] == {"source_hidden": True}
    assert notebook.cells[1] is cell


def test_code_after_code_starts_a_subslide():
    cells = [new_markdown_cell("# 6.9 t"), new_markdown_cell("## 프로그램 6-1 x"), new_code_cell("a = 1"),
             new_code_cell("b = 2"), new_markdown_cell("### 소제목"), new_markdown_cell("설명"),
             new_code_cell("c = 3")]
    types = [c.metadata.slideshow.slide_type for c in slides.apply(new_notebook(cells=cells)).cells]
    assert types == ["slide", "slide", "fragment", "subslide", "subslide", "fragment", "fragment"]


def test_missing_file_and_no_arguments_say_what_to_do(tmp_path, run_slides):
    missing = run_slides(tmp_path / "nope.ipynb")
    assert missing.returncode == 2 and "no such notebook" in missing.stderr and "nope.ipynb" in missing.stderr
    usage = run_slides()
    assert usage.returncode == 2 and "--check" in usage.stdout


def test_failed_write_leaves_the_old_file_whole(copy, monkeypatch):
    original = copy.read_bytes()

    def broken(notebook, path, *args, **kwargs):
        Path(path).write_text('{"half": ', encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(slides.nbformat, "write", broken)
    with pytest.raises(OSError):
        slides.write(copy, slides.apply(nbformat.read(copy, as_version=4)))
    assert copy.read_bytes() == original
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]
