"""The notebooks in JupyterLab in a real Chromium, in quick mode, as a student and an instructor see them.

6.4 and 6.8 run as a student runs them: Run → Run All Cells in one kernel, wait until the kernel
is idle and no cell is queued, save, then check

* every code cell ran and none shows an error (read back from the saved notebook);
* every figure is an image the browser decoded (no ``<Figure size …>`` text instead);
* no Korean glyph went missing from the font (the boxes students complain about);
* 6.8's detection explorer renders as live controls, and moving a slider redraws its picture.

6.5, 6.6 and 6.7 are not executed again: the browser opens the copies the section test executed
(``build/executed/``, read through ``tools/notebooks.py``, made now if missing or stale) and checks
that every stored figure renders; then, in 6.5, the instructor's steps: run the setup cell and the
feature-map explorer's section cell by cell (Run → Run Selected Cell) and move a slider.

A last test opens each notebook, with ``tools/slides.py``'s metadata, as RISE slides
(``jupyterlab-rise``) and checks the slide, sub-slide and fragment counts.

Screenshots land in ``test-output/browser/<notebook>.png`` (and ``…-figure.png``,
``…-widget-<n>-before/after.png``, ``…-rise.png``).
"""

from __future__ import annotations

import os
import re
import sys
import time

import nbformat
import pytest

from helpers._course import config

NOTEBOOKS = sorted((config.REPO_ROOT / "notebooks").glob("*.ipynb"))
RUN_ALL = [p for p in NOTEBOOKS if p.name[:3] in ("6.4", "6.8")]     # a student's Run All, in the browser
EXECUTED = [p for p in NOTEBOOKS if p not in RUN_ALL]                  # opened as the section test executed them
LIVE = {"6.5": "feature_map_explorer("}                                # explorers an instructor runs live there
RUN_TIMEOUT = float(os.environ.get("CH6_BROWSER_TIMEOUT", "2400"))   # seconds per notebook
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"                      # the notebook on show
PLOTTING = re.compile(r"\b(plt\.show|plot_history|show_images|boxplot)\(")
# Figures worth a look in every run: 그림 6-18's three panels, Grad-CAM on photos (screenshots kept).
SHOWCASE = re.compile(r"\b(three_tasks|overlay_heatmap|plot_grad_cam)\(")

PROMPTS_JS = """(panel) => {
  const root = document.querySelector(panel);
  const code = [...root.querySelectorAll('.jp-Notebook .jp-Cell')].filter(c => c.classList.contains('jp-CodeCell'));
  const indicator = root.querySelector('.jp-Notebook-ExecutionIndicator');
  return {prompts: code.map(c => (c.querySelector('.jp-InputPrompt')?.textContent || '').trim()),
          status: indicator ? indicator.getAttribute('data-status') : null};
}"""

CELL_IMAGES_JS = """(panel) => [...document.querySelector(panel).querySelectorAll('.jp-Notebook .jp-Cell')].map(cell =>
  [...cell.querySelectorAll('.jp-OutputArea-output img')].map(img =>
    ({loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth})))"""


def _menu(page, menu: str, command: str) -> None:
    """Click a main-menu entry the way a student does: <menu> → the item bound to <command>."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').first.click()


def _wait_until_idle(page, timeout: float) -> list[str]:
    """Wait until no cell is queued or running ([*]) and the kernel is idle for three polls."""
    deadline, calm = time.monotonic() + timeout, 0
    state = {}
    while time.monotonic() < deadline:
        state = page.evaluate(PROMPTS_JS, PANEL)
        busy = any("*" in p for p in state["prompts"]) or state["status"] not in ("idle", None)
        calm = 0 if busy else calm + 1
        if calm >= 3:
            return state["prompts"]
        page.wait_for_timeout(1000)
    raise AssertionError(f"the notebook was still running after {timeout:.0f} s "
                         f"(prompts {state.get('prompts')}, kernel {state.get('status')}); "
                         "raise CH6_BROWSER_TIMEOUT or look at the screenshot")


def _accept_dialogs(page) -> None:
    """Accept a dialog JupyterLab may show (e.g. Select Kernel) with its default button."""
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    while dialog.count():
        dialog.first.click()
        page.wait_for_timeout(500)


def _open(page, lab, name: str) -> None:
    workspace = re.sub(r"[^a-z0-9]+", "-", name.lower())         # a fresh workspace: no other tabs restored
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={lab.token}")
    page.locator(f"{PANEL} .jp-Notebook .jp-Cell").first.wait_for()
    deadline = time.monotonic() + 120
    while not any(s["notebook"]["path"].endswith(name) and s.get("kernel") for s in lab.api("GET", "/api/sessions")):
        assert time.monotonic() < deadline, f"no kernel started for {name} within 120 s"
        _accept_dialogs(page)
        page.wait_for_timeout(500)
    page.locator(f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=120_000)
    _accept_dialogs(page)


def _save(page, lab, name: str):
    path = lab.root / name
    before = path.stat().st_mtime_ns
    _menu(page, "File", "docmanager:save")
    deadline = time.monotonic() + 60
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)
    return nbformat.read(path, as_version=4)


def _errors(notebook) -> list[str]:
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        first = cell.source.splitlines()[0] if cell.source else ""
        for output in cell.outputs:
            if output.output_type == "error":
                found.append(f"cell {index} ({first!r}): {output.ename}: {output.evalue}")
            text = output.get("text", "") if output.output_type == "stream" else ""
            if "missing from font" in text or "missing from current font" in text:
                found.append(f"cell {index} ({first!r}): Korean glyphs missing from the font: {text.strip()[:200]}")
        pictures = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        figure_text = [o for o in cell.outputs if "<Figure size" in o.get("data", {}).get("text/plain", "")]
        if figure_text and not pictures:
            found.append(f"cell {index} ({first!r}): a figure came out as text, not an image")
    return found


def _figure_reprs(notebook) -> list[str]:
    """Cells that print a figure's repr (``<Figure size …>``, ``[<Figure …>]``) as visible text.

    Jupyter stores every figure as ``display_data`` with an ``image/png`` and a ``text/plain``
    fallback (``<Figure size 640x480 with 1 Axes>``) that JupyterLab does not show; that
    fallback is not a stray repr.  A stray repr is the figure object returned as the cell's
    value (an ``execute_result``), or such text without a picture beside it.
    """
    return [f"cell {i} ({c.source.splitlines()[0]!r}) shows '<Figure …>' as text "
            "(end the cell with plt.show() instead of a returned figure)"
            for i, c in enumerate(notebook.cells) if c.cell_type == "code"
            and any("<Figure" in o.get("data", {}).get("text/plain", "")
                    and (o.output_type == "execute_result" or "image/png" not in o.get("data", {}))
                    for o in c.outputs)]


def _figure_cells(notebook) -> list[int]:
    """Code cells that must show a figure: they output a PNG, or they call a plotting function and
    showed something (a cell whose plotting branch did not run, e.g. 6.7's book-way training in
    quick mode, shows nothing at all)."""
    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        pngs = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        if pngs or (PLOTTING.search(cell.source) and cell.outputs):
            cells.append(index)
    return cells


def _widget_cells(notebook) -> list[int]:
    return [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"
            and any(WIDGET_MIME in o.get("data", {}) for o in c.outputs)]


def _decoded(image) -> int:
    """Wait until the browser has decoded ``image`` completely; return its width in pixels."""
    width = image.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert width > 0, "an image in the notebook could not be decoded"
    return width


def _check_widget(page, cell, label: str, output_dir) -> None:
    """The widget in ``cell`` has live controls; moving its first slider redraws its picture."""
    view = cell.locator(".jp-OutputArea-output .jupyter-widgets").first
    view.wait_for(timeout=60_000)
    text = cell.locator(".jp-Cell-outputArea").first.inner_text()
    assert "Error displaying widget" not in text and "Loading widget" not in text, text[:300]
    sliders = cell.locator(".widget-slider, .widget-hslider")
    assert sliders.count() >= 1, f"{label}: no slider rendered (the widget fell back to a static picture?)"
    picture = cell.locator(".jp-OutputArea-output .jupyter-widgets img").first
    picture.wait_for(timeout=120_000)
    cell.scroll_into_view_if_needed()
    _decoded(picture)
    before_src = picture.get_attribute("src")
    before_png = picture.screenshot(path=str(output_dir / f"{label}-before.png"))
    readout = sliders.first.locator(".widget-readout")
    handle = sliders.first.locator(".noUi-handle").first
    images = cell.locator(".jp-OutputArea-output .jupyter-widgets img")
    moved = changed = False
    # One step first; a small step may leave the picture as it was (no detection crosses a
    # threshold), so then try both ends of the slider.
    for key in ("ArrowRight", "End", "Home"):
        value_before = readout.inner_text() if readout.count() else None
        handle.focus()
        handle.press(key)
        page.wait_for_timeout(300)
        moved = moved or (readout.count() and readout.inner_text() != value_before)
        _wait_until_idle(page, 120)                 # the kernel has redrawn (or had nothing to redraw)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not changed:
            changed = images.count() > 0 and images.first.get_attribute("src") != before_src
            page.wait_for_timeout(250)
        if changed:
            break
    assert moved or not readout.count(), f"{label}: the slider did not move"
    current = cell.locator(".jp-OutputArea-output .jupyter-widgets img").first
    current.wait_for()
    _decoded(current)
    after_png = current.screenshot(path=str(output_dir / f"{label}-after.png"))
    assert current.get_attribute("src") != before_src and after_png != before_png, \
        f"{label}: moving the slider did not change the drawn image"


def _check_figures(page, notebook, path, output_dir, skip=()) -> None:
    """Every cell that must show a figure shows images the browser decoded; showcase cells are kept
    as screenshots; no figure's repr shows as text."""
    dom_cells = page.locator(f"{PANEL} .jp-Notebook .jp-Cell")
    assert dom_cells.count() == len(notebook.cells)
    images = page.evaluate(CELL_IMAGES_JS, PANEL)
    figure_cells = [i for i in _figure_cells(notebook) if i not in skip]
    for index in figure_cells:
        first = notebook.cells[index].source.splitlines()[0]
        assert images[index], f"cell {index} ({first!r}) should show a figure but shows no image"
        assert all(i["loaded"] for i in images[index]), f"cell {index} ({first!r}): an image did not load"
    if figure_cells:
        dom_cells.nth(figure_cells[0]).screenshot(path=str(output_dir / f"{path.stem}-figure.png"))
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and SHOWCASE.search(cell.source) and index not in skip:
            assert images[index], f"cell {index} ({cell.source.splitlines()[0]!r}) shows no picture"
            dom_cells.nth(index).screenshot(path=str(output_dir / f"{path.stem}-cell{index}.png"))
    assert not _figure_reprs(notebook), "\n".join(_figure_reprs(notebook))


def _run_cell(page, index: int) -> None:
    """Select code cell ``index`` and run it the way an instructor does: Run → Run Selected Cell."""
    cell = page.locator(f"{PANEL} .jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").first.click()
    _menu(page, "Run", "notebook:run-cell")
    page.wait_for_timeout(1000)
    _wait_until_idle(page, RUN_TIMEOUT)


@pytest.mark.parametrize("path", RUN_ALL, ids=lambda p: p.stem)
def test_notebook_runs_in_jupyterlab(page, lab, output_dir, path):
    _open(page, lab, path.name)
    started = time.monotonic()
    _menu(page, "Run", "runmenu:run-all")
    page.wait_for_timeout(2000)
    try:
        prompts = _wait_until_idle(page, RUN_TIMEOUT)
    finally:
        page.screenshot(path=str(output_dir / f"{path.stem}.png"))
    seconds = time.monotonic() - started
    notebook = _save(page, lab, path.name)
    print(f"{path.name}: ran in {seconds:.0f} s through the browser")

    not_run = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and c.execution_count is None]
    assert not _errors(notebook), "\n".join(_errors(notebook))
    assert not not_run, f"cells {not_run} did not run (prompts {prompts})"
    _check_figures(page, notebook, path, output_dir)
    dom_cells = page.locator(f"{PANEL} .jp-Notebook .jp-Cell")
    for n, index in enumerate(_widget_cells(notebook)):
        _check_widget(page, dom_cells.nth(index), f"{path.stem}-widget-{n}", output_dir)
    page.screenshot(path=str(output_dir / f"{path.stem}.png"))


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.stem)
def test_executed_notebook_shows_its_figures(page, lab, output_dir, path):
    """The section test's executed copy, opened in JupyterLab: its figures render; its explorer runs live."""
    sys.path.insert(0, str(config.REPO_ROOT / "tools"))
    import notebooks as nbtools

    notebook = nbtools.executed(path)
    nbtools.write(lab.root / path.name, notebook)
    assert not _errors(notebook), "\n".join(_errors(notebook))
    widgets = _widget_cells(notebook)          # stored widget views have no live model: checked live below
    started = time.monotonic()
    _open(page, lab, path.name)
    _check_figures(page, notebook, path, output_dir, skip=widgets)
    page.screenshot(path=str(output_dir / f"{path.stem}.png"))
    print(f"{path.name}: {len(_figure_cells(notebook)) - len(widgets)} figure cells rendered "
          f"in {time.monotonic() - started:.0f} s")
    if path.name[:3] not in LIVE:
        return
    call = LIVE[path.name[:3]]
    section = next(cells for _, cells in nbtools.sections(notebook)
                   if any(call in notebook.cells[i].source for i in cells))
    started = time.monotonic()
    for index in [1, *section]:
        _run_cell(page, index)
    saved = _save(page, lab, path.name)
    assert not _errors(saved), "\n".join(_errors(saved))
    explorer = next(i for i in section if call in notebook.cells[i].source)
    _check_widget(page, page.locator(f"{PANEL} .jp-Notebook .jp-Cell").nth(explorer),
                  f"{path.stem}-widget-0", output_dir)
    print(f"{path.name}: the setup cell and section {section} ran live, explorer redrawn, "
          f"in {time.monotonic() - started:.0f} s")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_opens_as_rise_slides(page, lab, output_dir, path):
    """With tools/slides.py's metadata, jupyterlab-rise shows each slide/sub-slide/fragment as planned."""
    sys.path.insert(0, str(config.REPO_ROOT / "tools"))
    import slides

    notebook = slides.apply(nbformat.read(path, as_version=4))
    target = lab.root / f"{path.stem}-slides.ipynb"                 # a copy: the committed file stays as it is
    slides.write(target, notebook)
    kinds = [c.metadata.slideshow.slide_type for c in notebook.cells]
    page.goto(f"{lab.url}/rise/{target.name}?token={lab.token}")
    page.locator(".reveal .slides > section").first.wait_for(timeout=120_000)
    page.wait_for_timeout(2000)
    shown = page.evaluate("""() => ({
        slides: document.querySelectorAll('.reveal .slides > section').length,
        subslides: document.querySelectorAll('.reveal .slides > section > section').length,
        fragments: document.querySelectorAll('.reveal .slides .fragment').length})""")
    page.screenshot(path=str(output_dir / f"{path.stem}-rise.png"))
    assert shown == {"slides": kinds.count("slide"),
                     "subslides": kinds.count("slide") + kinds.count("subslide"),
                     "fragments": kinds.count("fragment")}, shown
