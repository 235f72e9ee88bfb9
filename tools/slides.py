"""Give every notebook the cell metadata that turns it into slides (RISE for JupyterLab).

    python tools/slides.py notebooks/*.ipynb           # write the slide metadata in place
    python tools/slides.py --check notebooks/*.ipynb   # exit 1 if a notebook is not up to date

The layout follows the notebook's own structure, so running it again changes nothing:

* the title cell (``# 6.X …``) and every ``## …`` section (each ``## 프로그램 6-N …``) start a slide;
* a ``### …`` heading starts a sub-slide (reveal.js: one step down);
* a code cell right after an explanation, and any other markdown cell, is a fragment
  (it appears on the next key press); a code cell right after another code cell starts
  a sub-slide, so a slide never holds a whole program;
* cells whose output is long (training logs of ``fit``, or more than
  ``LONG_OUTPUT_LINES`` stored lines) have their output collapsed; a click on the
  collapsed bar opens it.  Cells that draw a figure or a widget, and cells that print what
  a lecture needs (accuracies ``정확률은 …``, comparison tables), are never collapsed: a
  notebook keeps ``fit`` and the evaluation in separate cells so the log can fold away.

Only the ``slideshow`` key, the output-collapse keys of each cell and the notebook's
``rise`` key are written; outputs and everything else stay as they are.  In JupyterLab
with ``jupyterlab-rise`` installed: open the notebook, press Alt+R (or View → Render as
slideshow).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers._course.files import atomic_write  # noqa: E402

LONG_OUTPUT_LINES = 25
LONG_OUTPUT_CALL = re.compile(r"\.(fit|fit_generator)\(")  # training logs; summary() stays open (the room reads it)
DRAWS = re.compile(r"\b(plt\.|plot_history|show_saved|show_images|boxplot|imshow|explorer|display\()")
# Lines a lecture needs on the slide itself: accuracies and comparison tables are never collapsed.
LECTURE_LINES = re.compile(r"정확률|book_table|print\(.*(\||표|table)")
RISE_SETTINGS = {"scroll": True, "start_slideshow_at": "beginning", "slideNumber": "c/t"}


def _first_line(cell) -> str:
    return cell.source.lstrip().split("\n", 1)[0]


def slide_type(cell, previous=None) -> str:
    """The reveal.js role of ``cell``, given the cell before it (``None`` for the first).

    Example:
        >>> from nbformat.v4 import new_markdown_cell, new_code_cell
        >>> slide_type(new_markdown_cell("## 프로그램 6-1 LeNet-5"), None)
        'slide'
        >>> slide_type(new_code_cell("x = 1"), new_code_cell("y = 2"))
        'subslide'
    """
    if cell.cell_type == "markdown":
        line = _first_line(cell)
        if previous is None or re.match(r"#{1,2}\s", line):
            return "slide"
        if re.match(r"###\s", line):
            return "subslide"
        return "fragment"
    if previous is not None and previous.cell_type == "code":
        return "subslide"
    return "fragment"


def _output_lines(cell) -> int:
    lines = 0
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            lines += str(output.get("text", "")).count("\n")
        else:
            lines += str(output.get("data", {}).get("text/plain", "")).count("\n")
    return lines


def has_long_output(cell) -> bool:
    """True when the cell's output is long enough to collapse on a slide (and draws nothing).

    Example:
        >>> from nbformat.v4 import new_code_cell
        >>> has_long_output(new_code_cell("hist=cnn.fit(x_train,y_train,epochs=30,verbose=2)"))
        True
        >>> has_long_output(new_code_cell("plot_history(hist)"))
        False
        >>> has_long_output(new_code_cell("hist=cnn.fit(x_train,y_train); print('정확률은',res[1]*100)"))
        False
    """
    if cell.cell_type != "code" or DRAWS.search(cell.source) or LECTURE_LINES.search(cell.source):
        return False
    return bool(LONG_OUTPUT_CALL.search(cell.source)) or _output_lines(cell) > LONG_OUTPUT_LINES


def apply(notebook):
    """Write the slide metadata into ``notebook`` (in place) and return it.

    Example:
        >>> from nbformat.v4 import new_notebook, new_markdown_cell, new_code_cell
        >>> nb = apply(new_notebook(cells=[new_markdown_cell("# 6.4 제목"), new_code_cell("import helpers")]))
        >>> [c.metadata.slideshow.slide_type for c in nb.cells]
        ['slide', 'fragment']
    """
    previous = None
    for cell in notebook.cells:
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell, previous)}
        if cell.cell_type == "code":
            if has_long_output(cell):
                cell.metadata["collapsed"] = True
                cell.metadata.setdefault("jupyter", {})["outputs_hidden"] = True
            else:
                cell.metadata.pop("collapsed", None)
                jupyter = cell.metadata.get("jupyter", {})
                jupyter.pop("outputs_hidden", None)
                if not jupyter:
                    cell.metadata.pop("jupyter", None)
        previous = cell
    notebook.metadata["rise"] = dict(RISE_SETTINGS)
    return notebook


def problems(path: Path) -> list[str]:
    """What differs between ``path`` and what :func:`apply` would write (empty when up to date).

    Example:
        >>> from nbformat.v4 import new_notebook, new_markdown_cell
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "x.ipynb"
        >>> write(path, new_notebook(cells=[new_markdown_cell("# 6.4 제목")]))
        >>> problems(path)[:1]
        ["x.ipynb: cell 0 ('# 6.4 제목') has slide type 'none', expected 'slide'"]
    """
    notebook = nbformat.read(path, as_version=4)
    wanted = apply(nbformat.read(path, as_version=4))
    found = []
    for index, (have, want) in enumerate(zip(notebook.cells, wanted.cells)):
        if have.metadata != want.metadata:
            have_type = have.metadata.get("slideshow", {}).get("slide_type", "none")
            found.append(f"{path.name}: cell {index} ({_first_line(have)[:40]!r}) has slide type "
                         f"{have_type!r}, expected {want.metadata['slideshow']['slide_type']!r}"
                         + ("" if have_type != want.metadata["slideshow"]["slide_type"]
                            else " (output collapse differs)"))
    if notebook.metadata.get("rise") != wanted.metadata["rise"]:
        found.append(f"{path.name}: notebook metadata 'rise' is {notebook.metadata.get('rise')!r}")
    return found


def write(path: Path, notebook) -> None:
    """Write ``notebook`` to ``path`` through a temporary file, so a crash leaves the old file whole.

    Example:
        >>> from nbformat.v4 import new_notebook
        >>> import tempfile
        >>> write(Path(tempfile.mkdtemp()) / "x.ipynb", new_notebook())
    """
    with atomic_write(path) as temporary:
        nbformat.write(notebook, str(temporary))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(arg) for arg in argv if arg != "--check"]
    if not paths:
        print(__doc__)
        return 2
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    if check:
        found = [problem for path in paths for problem in problems(path)]
        if found:
            print("\n".join(found))
            print(f"run: python tools/slides.py {' '.join(map(str, paths))}")
            return 1
        print(f"slides up to date: {len(paths)} notebook(s)")
        return 0
    for path in paths:
        before = path.read_bytes()
        write(path, apply(nbformat.read(path, as_version=4)))
        print(("updated " if path.read_bytes() != before else "unchanged ") + str(path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
