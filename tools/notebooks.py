"""Keep the committed notebooks clean, and refresh the outputs nbval checks.

    python tools/notebooks.py clean   notebooks/*.ipynb   # strip outputs and counts
    python tools/notebooks.py check   notebooks/*.ipynb   # exit 1 if any is not clean
    python tools/notebooks.py refresh notebooks/*.ipynb   # run in quick mode, keep checked outputs
    python tools/notebooks.py run NOTEBOOK [--until TEXT] [--checkpoints]
                                    # execute (stop before the cell with TEXT; USE_CHECKPOINT = True)
    python tools/notebooks.py results                     # print results/*.json as a table

A cell keeps its output only when it is tagged ``nbval-check-output`` (nbval compares it);
execution counts are always removed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

TAG = "nbval-check-output"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers._course.files import atomic_write  # noqa: E402


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", ())


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
    if notebook.metadata.get("widgets"):
        found.append(f"{path.name}: stores widget state in its metadata (run tools/notebooks.py clean)")
    return found


def refresh(path: Path) -> None:
    from nbclient import NotebookClient

    from helpers._course import config

    notebook = nbformat.read(path, as_version=4)
    # quick mode, and a cache of its own: a refresh never touches the user's ~/.cache/ch6
    environment = config.child_environment(CH6_QUICK="1", CH6_CACHE_DIR=ROOT / "build" / "test-cache",
                                           CH6_MODEL_DIR=None, CH6_RESULTS_DIR=None, CH6_CHECKPOINT_DIR=None)
    NotebookClient(notebook, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute(env=environment)
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
