"""The one quick-mode execution of every notebook: each section runs alone after the setup cell,
and the checked cells print what the notebook stores.

For each notebook one kernel is started (``CH6_TEST_KERNEL``, default ``python3``; quick mode,
temporary cache); for each ``## `` section (a 프로그램 6-N and everything up to the next ``## ``
heading) the namespace is emptied with ``%reset -f``, the setup cell runs again, then only that
section's code cells (``tools/notebooks.py``'s ``SectionRun``).  A section fails here when

* it leans on a variable, an import or a file made by an earlier section;
* a cell tagged ``nbval-check-output`` prints something else than the committed notebook stores,
  compared as nbval compares (``tests/nbval_sanitize.cfg``);
* a cell shows a figure's repr (``<Figure size …>``) as text, or Matplotlib reports a Korean
  glyph missing from the font.

The executed notebooks land in ``build/executed/`` (outputs in cell order) for the steps that
read them instead of running the notebooks again (6.7's lesson test, the browser test).
"""

import sys

import nbformat
import pytest

from helpers._course import config

sys.path.insert(0, str(config.REPO_ROOT / "tools"))
import notebooks as nbtools  # noqa: E402

NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("6.*.ipynb"))
CASES = [(path, number, heading) for path in NOTEBOOKS
         for number, (heading, _) in enumerate(nbtools.sections(nbformat.read(path, as_version=4)))]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One running kernel per notebook, started on first use, all shut down at the end."""
    started = {}

    def run(path):
        if path not in started:
            started[path] = nbtools.SectionRun(path, tmp_path_factory.mktemp("section-cache"))
        return started[path]

    yield run
    for section_run in started.values():
        section_run.close()


def _stray_figures(cells) -> list[str]:
    return [c.source.splitlines()[0] for c in cells
            if any("<Figure" in o.get("data", {}).get("text/plain", "") and
                   (o.output_type == "execute_result" or "image/png" not in o.get("data", {}))
                   for o in c.outputs)]


def _missing_glyphs(cells) -> list[str]:
    return [f"{c.source.splitlines()[0]}: {o.text.strip()[:200]}" for c in cells for o in c.outputs
            if o.output_type == "stream" and "missing from" in o.text and "font" in o.text]


@pytest.mark.parametrize("path, number, heading", CASES,
                         ids=[f"{p.stem[:3]}-section{n}" for p, n, _ in CASES])
def test_section_runs_alone_after_the_setup_cell(runs, path, number, heading):
    result = runs(path).section(number)
    if result["error"]:
        pytest.fail(f"{path.name}, section {heading!r} does not run on its own after the setup cell:\n"
                    f"{result['error']}")
    assert not result["differences"], (
        f"{path.name}, section {heading!r}: checked cells print something else than the notebook stores "
        "(if the change is meant, `make refresh-outputs`):\n" + "\n".join(result["differences"]))
    cells = list(result["cells"].values())
    assert not _stray_figures(cells), \
        f"cells that show '<Figure …>' as text (end them with plt.show()): {_stray_figures(cells)}"
    assert not _missing_glyphs(cells), f"Korean glyphs missing from the font: {_missing_glyphs(cells)}"


def test_every_notebook_has_its_program_sections():
    headings = {path.name[:3]: [h for _, _, h in [c for c in CASES if c[0] == path]] for path in NOTEBOOKS}
    assert all(any(h.startswith("프로그램 6-") for h in found) for found in headings.values()), headings


# ------------------------------------------------------------------ the comparison can fail
def _stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_comparison_ignores_only_what_the_sanitizers_name():
    patterns = nbtools.sanitizers()
    assert nbtools.output_differences([_stream("세대 1: 3.2 s, 0x7f3a\n")], [_stream("세대 1: 41 s, 0x55e1\n")],
                                      patterns) == []
    assert nbtools.output_differences([_stream("a\n"), _stream("b\n")], [_stream("a\nb\n")], patterns) == []
    changed = nbtools.output_differences([_stream("정확률은 99.1\n")], [_stream("정확률은 98.7\n")], patterns)
    assert changed and "99.1" in changed[0] and "98.7" in changed[0]
    assert nbtools.output_differences([_stream("x\n")], [_stream("x\n", "stderr")], patterns)
    figure = nbformat.v4.new_output("display_data", data={"image/png": "AAAA", "text/plain": "<Figure>"})
    other = nbformat.v4.new_output("display_data", data={"image/png": "BBBB", "text/plain": "<Figure>"})
    assert nbtools.output_differences([figure], [other], patterns) == []      # pictures are not compared
    assert nbtools.output_differences([_stream("x\n")], [_stream("x\n"), figure], patterns)


def test_a_wrong_stored_output_fails_its_section(tmp_path):
    """End to end in a real kernel: a checked cell whose stored output is wrong makes its section fail,
    an unchecked one does not; a section that needs an earlier section's variable fails; the executed
    copy keeps the outputs in cell order and says how each section went."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    checked = new_code_cell("print(6 * 7)", metadata={"tags": [nbtools.TAG]}, outputs=[_stream("41\n")])
    right = new_code_cell("print('sum', 1 + 1)", metadata={"tags": [nbtools.TAG]}, outputs=[_stream("sum 2\n")])
    unchecked = new_code_cell("print(6 * 7)", outputs=[_stream("41\n")])
    notebook = new_notebook(cells=[
        new_markdown_cell("# 6.9 시험"), new_code_cell("SETUP = 1"),
        new_markdown_cell("## 하나"), checked, right, new_code_cell("kept = 5"),
        new_markdown_cell("## 둘"), unchecked, new_code_cell("print(SETUP)"),
        new_markdown_cell("## 셋"), new_code_cell("print(kept)")])
    path = tmp_path / "6.9-probe.ipynb"
    nbformat.write(notebook, path)
    run = nbtools.SectionRun(path, tmp_path / "cache", target=tmp_path / "executed.ipynb")
    try:
        first, second, third = (run.section(n) for n in range(3))
    finally:
        run.close()
    assert first["error"] is None and len(first["differences"]) == 1
    assert "cell 3" in first["differences"][0] and "41" in first["differences"][0] and "42" in first["differences"][0]
    assert second["error"] is None and second["differences"] == []
    assert "NameError" in third["error"] and "kept" in third["error"]
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    assert executed.metadata["ch6_executed"]["sections"] == {"하나": "outputs differ", "둘": "passed", "셋": "error"}
    assert [o.text for o in executed.cells[3].outputs] == ["42\n"] and executed.cells[8].outputs[0].text == "1\n"


def test_the_kernel_is_the_one_ch6_test_kernel_names(tmp_path, env):
    """The Colab replica runs this harness in another kernel: CH6_TEST_KERNEL picks the kernelspec
    (here one that sets a variable), and its executed copies go to a folder of their own."""
    import json

    spec = tmp_path / "jupyter" / "kernels" / "probe-kernel"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "probe", "language": "python", "env": {"PROBE_KERNEL": "yes"}}), encoding="utf-8")
    env(JUPYTER_PATH=tmp_path / "jupyter", CH6_TEST_KERNEL="probe-kernel")
    assert config.test_kernel() == "probe-kernel"
    assert nbtools.executed_path(NOTEBOOKS[0]).parent.name == "executed-probe-kernel"
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    path = tmp_path / "6.9-probe.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# 6.9"), new_code_cell("import os"),
                                       new_markdown_cell("## 하나"), new_code_cell("print(os.environ['PROBE_KERNEL'])")]),
                   path)
    run = nbtools.SectionRun(path, tmp_path / "cache", target=tmp_path / "executed.ipynb")
    try:
        result = run.section(0)
    finally:
        run.close()
    assert result["error"] is None and result["cells"][3].outputs[0].text == "yes\n"


def test_an_executed_copy_is_stale_when_the_code_or_the_tags_change(tmp_path):
    """The fingerprint that lets later steps reuse build/executed/ follows sources and tags, not outputs."""
    from nbformat.v4 import new_code_cell, new_notebook

    path = tmp_path / "6.9-probe.ipynb"
    notebook = new_notebook(cells=[new_code_cell("print(1)")])
    nbformat.write(notebook, path)
    first = nbtools.fingerprint(path)
    notebook.cells[0].outputs = [_stream("1\n")]
    nbformat.write(notebook, path)
    assert nbtools.fingerprint(path) == first
    notebook.cells[0].metadata["tags"] = [nbtools.TAG]
    nbformat.write(notebook, path)
    tagged = nbtools.fingerprint(path)
    notebook.cells[0].source = "print(2)"
    nbformat.write(notebook, path)
    assert len({first, tagged, nbtools.fingerprint(path)}) == 3
    assert nbtools.fingerprint(path, "another-kernel") != nbtools.fingerprint(path)
