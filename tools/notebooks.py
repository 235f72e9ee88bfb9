"""Keep the committed notebooks clean, execute them section by section, refresh the checked outputs.

    python tools/notebooks.py clean   notebooks/*.ipynb   # strip outputs and counts
    python tools/notebooks.py check   notebooks/*.ipynb   # exit 1 if any is not clean
    python tools/notebooks.py execute notebooks/*.ipynb   # quick mode, every section alone -> build/executed/
    python tools/notebooks.py refresh notebooks/*.ipynb   # the same execution, keep the checked outputs
    python tools/notebooks.py run NOTEBOOK [--until TEXT] [--checkpoints]
                                    # execute (stop before the cell with TEXT; USE_CHECKPOINT = True)
    python tools/notebooks.py results                     # print results/*.json as a table

A cell keeps its output only when it is tagged ``nbval-check-output``; execution counts are
always removed.  ``refresh`` stamps each stored output with a hash of the cell's source
(``ch6_output_of`` in the cell's metadata); ``check`` reports an output whose cell changed since.

The quick-mode execution CI relies on (``execute``; ``tests/test_sections.py`` drives the same
code one section per test): one kernel per notebook; for each ``## `` section the namespace is
emptied (``%reset -f``), the setup cell runs again, then that section's code cells in order.
A cell tagged ``nbval-check-output`` must print what the committed notebook stores, compared
as nbval compares (same sanitizers, ``tests/nbval_sanitize.cfg``).  The executed copy (outputs
in cell order, the setup cell's from its first run) is written to ``build/executed/`` with a
fingerprint of what made it, so later steps (6.7's lesson test, the browser test, ``refresh``)
read it instead of running the notebook again.  ``CH6_TEST_KERNEL`` names the kernel
(default ``python3``; another kernel writes to ``build/executed-<kernel>/``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import nbformat

TAG = "nbval-check-output"
ROOT = Path(__file__).resolve().parent.parent
SANITIZERS = ROOT / "tests" / "nbval_sanitize.cfg"
sys.path.insert(0, str(ROOT))

from helpers._course import config  # noqa: E402
from helpers._course.files import atomic_write  # noqa: E402


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", ())


def source_hash(cell) -> str:
    """What a stored output was made from: the first 16 hex digits of the SHA-256 of the cell's source.
    ``refresh`` stamps it into the cell's metadata (``ch6_output_of``); ``check`` compares."""
    return hashlib.sha256(cell.source.encode("utf-8")).hexdigest()[:16]


def clean(notebook):
    """Strip outputs (except checked cells), execution counts and widget state, in place."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = None
        if not is_checked(cell):
            cell.outputs = []
        cell.metadata.pop("execution", None)
    return notebook


def problems(path: Path) -> list[str]:
    """What keeps a committed notebook from being clean."""
    notebook = nbformat.read(path, as_version=4)
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.execution_count is not None:
            found.append(f"{path.name}: cell {index} has an execution count")
        if cell.outputs and not is_checked(cell):
            found.append(f"{path.name}: cell {index} stores output but is not tagged {TAG}")
        if is_checked(cell) and cell.metadata.get("ch6_output_of") != source_hash(cell):
            found.append(f"{path.name}: cell {index}'s stored output was not made from its current source "
                         "(run `make refresh-outputs`)")
    if notebook.metadata.get("widgets"):
        found.append(f"{path.name}: stores widget state in its metadata (run tools/notebooks.py clean)")
    return found


# ------------------------------------------------------------------ one execution, section by section
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


def sanitizers(path: Path = SANITIZERS) -> list[tuple[str, str]]:
    """The ``(regex, replacement)`` pairs of a sanitizer file, read as nbval reads them."""
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", path.read_text(encoding="utf-8"), flags=re.M)


def _comparable(outputs, patterns) -> dict:
    """nbval's view of a cell's outputs: streams merged per name (``\\r`` and ``\\b`` applied), every
    field except the skipped ones (images, metadata, counts, widget ids) sanitized, by field."""
    streams, merged = {}, []
    for output in outputs:
        if output.get("output_type") == "stream":
            if output["name"] in streams:
                streams[output["name"]]["text"] += output["text"]
                continue
            output = {"output_type": "stream", "name": output["name"], "text": output["text"]}
            streams[output["name"]] = output
        merged.append(output)
    for output in streams.values():
        text = output["text"]
        while True:
            shorter = re.sub(r"[^\n]\x08", "", text)
            if shorter == text:
                break
            text = shorter
        output["text"] = re.sub(r"^.*\r(?=[^\n])", "", text, flags=re.M)
    skip = {"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
            "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}

    def clean(value):
        if not isinstance(value, str):
            return value
        for regex, replace in patterns:
            value = re.sub(regex, replace, value)
        return value

    fields = defaultdict(list)
    for output in merged:
        if output.get("output_type") == "stream":
            output = {output["name"]: output["text"]}
        for key, value in output.items():
            if key == "data":
                for mime, content in value.items():
                    if mime not in skip:
                        fields[mime].append(clean(content))
            elif key not in skip:
                fields[key].append(clean(value))
    return dict(fields)


def output_differences(stored, fresh, patterns=None) -> list[str]:
    """How ``fresh`` outputs differ from the ``stored`` ones as nbval compares them (empty: equal)."""
    patterns = sanitizers() if patterns is None else patterns
    want, got = _comparable(stored, patterns), _comparable(fresh, patterns)
    if set(want) != set(got):
        return [f"output fields differ: stored {sorted(want)}, now {sorted(got)}"]
    return [f"{key}: stored {want[key]!r}\n{' ' * (len(key) + 2)}now    {got[key]!r}"
            for key in want if want[key] != got[key]]


def fingerprint(path: Path, kernel: str | None = None) -> str:
    """What an execution depends on: the notebook's code and tags, everything under helpers/, the
    sanitizers, the kernel and the data folder.  An executed copy with another fingerprint is stale."""
    digest = hashlib.sha256()
    for cell in nbformat.read(path, as_version=4).cells:
        digest.update(json.dumps([cell.cell_type, cell.source, cell.metadata.get("tags", [])]).encode())
    for file in sorted((ROOT / "helpers").rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            digest.update(file.relative_to(ROOT).as_posix().encode() + file.read_bytes())
    digest.update(SANITIZERS.read_bytes())
    digest.update(f"{kernel or config.test_kernel()}|{config.data_dir()}".encode())
    return digest.hexdigest()


def executed_path(path: Path, kernel: str | None = None) -> Path:
    """Where the executed copy of ``path`` goes: build/executed/, or build/executed-<kernel>/ for a
    kernel other than python3 (``CH6_TEST_KERNEL``)."""
    kernel = kernel or config.test_kernel()
    folder = "executed" if kernel == "python3" else f"executed-{re.sub(r'[^A-Za-z0-9._-]', '_', kernel)}"
    return ROOT / "build" / folder / path.name


class SectionRun:
    """One kernel for one notebook; :meth:`section` runs one ``## `` section alone after the setup cell
    and fills the executed copy, which every call writes to ``build/executed/`` (atomically)."""

    def __init__(self, path: Path, cache: Path, kernel: str | None = None, target: Path | None = None):
        from nbclient import NotebookClient

        kernel = kernel or config.test_kernel()
        self.path, self.kernel = Path(path), kernel
        self.target = target or executed_path(self.path, kernel)
        self.notebook = nbformat.read(self.path, as_version=4)
        self.sections = sections(self.notebook)
        self.executed = nbformat.read(self.path, as_version=4)
        for cell in self.executed.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        self.executed.metadata["ch6_executed"] = {
            "fingerprint": fingerprint(self.path, kernel), "kernel": kernel, "quick": True,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sections": {h: "not run" for h, _ in self.sections},
            "seconds": {}}
        # quick mode, a cache of its own, figures inline (no MPLBACKEND), no user model or result folders
        environment = config.child_environment(CH6_QUICK="1", CH6_CACHE_DIR=cache, CH6_MODEL_DIR=None,
                                               CH6_RESULTS_DIR=None, CH6_CHECKPOINT_DIR=None, MPLBACKEND=None)
        scratch = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell() for _ in self.notebook.cells])
        self.client = NotebookClient(scratch, timeout=1800, kernel_name=kernel,
                                     resources={"metadata": {"path": str(self.path.parent)}})
        self.client.km = self.client.create_kernel_manager()
        # the kernel's sockets as files in a private folder, not TCP ports (ipykernel warns about plain TCP)
        self.sockets = tempfile.mkdtemp(prefix="ch6-kernel-")
        self.client.km.transport, self.client.km.ip = "ipc", os.path.join(self.sockets, "k")
        # the kernel process's own stderr (TensorFlow's C++ log lines) goes to a log beside the copy
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.target.with_suffix(".stderr.log"), "w", encoding="utf-8")
        self.client.start_new_kernel(cwd=str(self.path.parent), env=environment, stderr=self.log)
        self.client.start_new_kernel_client()
        self.patterns = sanitizers()

    def _run(self, source: str, index: int):
        cell = nbformat.v4.new_code_cell(source)
        self.client.execute_cell(cell, index)
        return cell

    def section(self, number: int) -> dict:
        """Run section ``number``; returns ``{"heading", "error", "differences", "cells"}`` (error: the
        cell's traceback text or None; differences: one entry per checked cell whose output changed)."""
        from nbclient.exceptions import CellExecutionError, DeadKernelError

        heading, indices = self.sections[number]
        started, error, cells, differences = time.monotonic(), None, {}, []
        self._run("%reset -f", 0)
        try:
            for index in [1, *indices]:
                cells[index] = nbformat.v4.new_code_cell(self.notebook.cells[index].source)
                self.client.execute_cell(cells[index], index)
        except (CellExecutionError, DeadKernelError) as failure:
            error = (f"cell {index}: " + re.sub(r"\x1b\[[0-9;]*m", "", str(failure))[-1500:]
                     + f"\n(the kernel's own stderr: {self.log.name})")
        for index, cell in cells.items():
            if is_checked(self.notebook.cells[index]):
                found = output_differences(self.notebook.cells[index].outputs, cell.outputs, self.patterns)
                if found and not (error and index == max(cells)):
                    differences.append(f"cell {index} ({self.notebook.cells[index].source.splitlines()[0]}):\n  "
                                       + "\n  ".join(found))
            if index != 1 or not self.executed.cells[1].outputs:
                self.executed.cells[index].outputs = cell.outputs
        status = "error" if error else "outputs differ" if differences else "passed"
        record = self.executed.metadata["ch6_executed"]
        record["sections"][heading] = status
        record["seconds"][heading] = round(time.monotonic() - started, 1)
        write(self.target, self.executed)
        return {"heading": heading, "error": error, "differences": differences, "cells": cells}

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        self.client.kc.stop_channels()
        run_sync(self.client.km.shutdown_kernel)(now=True)
        shutil.rmtree(self.sockets, ignore_errors=True)
        self.log.close()


def execute(path: Path, kernel: str | None = None) -> Path:
    """Run every section of ``path`` (see :class:`SectionRun`); returns the executed copy's path
    (its metadata ``ch6_executed.sections`` says how each section went)."""
    with tempfile.TemporaryDirectory(prefix="ch6-execute-") as cache:
        run = SectionRun(path, Path(cache), kernel)
        try:
            for number, (heading, _) in enumerate(run.sections):
                print(f"  {path.name}: {heading} …", end=" ", flush=True)
                result = run.section(number)
                print(run.executed.metadata["ch6_executed"]["sections"][heading], flush=True)
                for problem in filter(None, [result["error"], *result["differences"]]):
                    print(problem, flush=True)
        finally:
            run.close()
    return executed_path(path, kernel)


def executed(path: Path, kernel: str | None = None):
    """The executed copy of ``path`` (build/executed/): read when its fingerprint is current, else
    made now.  Raises RuntimeError naming the sections that stopped with an error."""
    path = Path(path)
    target = executed_path(path, kernel)
    notebook = nbformat.read(target, as_version=4) if target.is_file() else None
    record = notebook.metadata.get("ch6_executed", {}) if notebook else {}
    if record.get("fingerprint") != fingerprint(path, kernel) or "not run" in record["sections"].values():
        print(f"executing {path.name} section by section (no current copy in {target.parent}) …", flush=True)
        notebook = nbformat.read(execute(path, kernel), as_version=4)
        record = notebook.metadata["ch6_executed"]
    failed = [heading for heading, status in record["sections"].items() if status == "error"]
    if failed:
        raise RuntimeError(f"{path.name}: these sections stopped with an error in the quick-mode execution "
                           f"({target}): {failed}; run `make test-sections` to see why")
    return notebook


def refresh(path: Path) -> None:
    """Store the outputs of the checked cells from the quick-mode execution (made now unless current)."""
    notebook = nbformat.read(path, as_version=4)
    fresh = executed(path)
    for cell, ran in zip(notebook.cells, fresh.cells):
        if is_checked(cell):
            cell.outputs = ran.outputs
            cell.metadata["ch6_output_of"] = source_hash(cell)
    write(path, clean(notebook))


def run(path: Path, until: str | None = None, output_dir: Path = ROOT / "build" / "full",
        checkpoints: bool = False) -> Path:
    """Execute a notebook as it is (mode from CH6_QUICK), optionally only up to the first cell
    whose source contains ``until`` and with the instructor's ``USE_CHECKPOINT = True``;
    write the executed copy to ``output_dir``."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    if checkpoints:
        for cell in notebook.cells:
            cell.source = re.sub(r"^USE_CHECKPOINT = False", "USE_CHECKPOINT = True", cell.source, flags=re.M)
    if until:
        stop = next((i for i, c in enumerate(notebook.cells) if until in c.source), None)
        if stop is None:
            raise SystemExit(f"{path}: no cell contains {until!r}")
        notebook.cells = notebook.cells[:stop]
    NotebookClient(notebook, timeout=None, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    target = output_dir / path.name
    write(target, notebook)
    return target


def write(path: Path, notebook) -> None:
    """Write a notebook atomically (never a half-written .ipynb)."""
    with atomic_write(path) as temporary:
        nbformat.write(notebook, str(temporary))


def results_table() -> str:
    rows = ["program | book (%) | measured (%) | epochs | s/epoch | data | date",
            "---|---|---|---|---|---|---"]
    def natural(path):
        return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[-.]", path.stem)]

    for path in sorted((ROOT / "helpers" / "_course" / "saved" / "results").glob("*.json"), key=natural):
        entry = json.loads(path.read_text(encoding="utf-8"))
        if "program" not in entry:
            continue
        rows.append(" | ".join(str(entry.get(key, "—")) for key in (
            "program", "book_accuracy_percent", "test_accuracy_percent", "epochs",
            "seconds_per_epoch", "data", "date")))
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, paths = argv[0], [Path(p) for p in argv[1:]]
    if command == "clean":
        for path in paths:
            write(path, clean(nbformat.read(path, as_version=4)))
        return 0
    if command == "check":
        found = [problem for path in paths for problem in problems(path)]
        print("\n".join(found) or "clean")
        return 1 if found else 0
    if command == "execute":
        statuses = []
        for path in paths:
            target = execute(path)
            statuses += nbformat.read(target, as_version=4).metadata["ch6_executed"]["sections"].values()
            print("wrote", target, flush=True)
        return 0 if set(statuses) <= {"passed"} else 1
    if command == "refresh":
        for path in paths:
            print("refreshing", path, flush=True)
            refresh(path)
        return 0
    if command == "run":
        until = None
        if "--until" in argv:
            until = argv[argv.index("--until") + 1]
        print("wrote", run(paths[0], until, checkpoints="--checkpoints" in argv))
        return 0
    if command == "results":
        print(results_table())
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
