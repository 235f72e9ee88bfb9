"""Google Colab's runtime, replicated here: what `make test-colab` runs the notebooks in.

    python tools/colab_replica.py build [--cache DIR]    # build/colab/venv from tests/colab/runtime.txt
    python tools/colab_replica.py install                # the setup cell's pip install; fails if it changed Colab
    python tools/colab_replica.py refresh FREEZE [OS_INFO]  # rewrite tests/colab/runtime.txt from Colab's list

``build`` makes a virtual environment with the interpreter closest to Colab's (the list's
``# python:`` line: that minor version where pyenv or PATH has it, else the newest here, said
in the output), installs the list's packages at Colab's versions with ``--no-deps`` (the OpenCV
wheels last, as on Colab, so that ``import cv2`` gives 5.x) and registers the kernel
``colab-replica`` under build/colab/share/jupyter (point ``JUPYTER_PATH`` there; nothing goes
into ~/.local).  With ``--cache DIR`` the pristine replica is built once into DIR and each run
gets a hard-linked copy of it (seconds instead of minutes: unpacking 2.9 GB dominates a build,
and a local wheelhouse saved nothing here).

``install`` installs the project exactly as the notebooks' setup cell does (its ``%pip install``
flags, non-editable) but from this clone's tracked files instead of GitHub, records
``pip list`` before and after (build/colab/freeze-before.txt, freeze-after.txt) and exits 1 if
a package of Colab's changed version or disappeared, unless tests/colab/allowed-changes.txt
lists it with its reason.

``refresh`` takes Colab's published ``pip-freeze.txt`` (googlecolab/backend-info; and its
``os-info.txt`` for the Python version) and rewrites tests/colab/runtime.txt: the packages
the notebooks import or the project's install could touch, and everything they need, resolved
by pip for that Python against Colab's versions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "tests" / "colab" / "runtime.txt"
ALLOWED = ROOT / "tests" / "colab" / "allowed-changes.txt"
BUILD = ROOT / "build" / "colab"
KERNEL = "colab-replica"
LAST = "# installed last"
REFRESH_HINT = ("Colab's list changes: python tools/colab_replica.py refresh <pip-freeze.txt> [os-info.txt] "
                "(github.com/googlecolab/backend-info), then make test-colab")
# What the notebooks and helpers import, the Jupyter stack a Colab kernel runs on, and what the
# project's own dependencies would otherwise upgrade; `refresh` adds what these need.
TOP = ["tensorflow", "keras", "numpy", "scipy", "matplotlib", "scikit-learn", "pillow", "h5py", "ml-dtypes",
       "protobuf", "ipywidgets", "widgetsnbextension", "jupyterlab-widgets", "ipykernel", "ipython", "traitlets",
       "jupyter-client", "jupyter-core", "tqdm", "packaging", "psutil", "requests", "flatbuffers",
       "typing-extensions", "setuptools", "pip"]


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> tuple[list[str], list[str], str]:
    """(pins installed first, pins installed last, Colab's Python version) of a runtime list."""
    first, last, python, group = [], [], "", None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# python:"):
            python = line.split(":", 1)[1].strip()
        elif line.startswith(LAST):
            group = last
        elif line.strip() and not line.startswith("#"):
            (first if group is None else group).append(line.strip())
    return first, last, python


def freeze_of(python: Path) -> dict[str, str]:
    """``{normal name: "Name==version"}`` of what ``python``'s pip lists."""
    text = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
                          capture_output=True, text=True, check=True).stdout
    return {normal(line.split("==")[0]): line for line in text.splitlines() if "==" in line}


def allowed_changes(path: Path = ALLOWED) -> dict[str, str]:
    """``{normal name: why}`` from the allow-list (``name  reason`` per line)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.strip().partition(" ")
            if not why.strip():
                raise SystemExit(f"{path}: {name!r} needs a reason on its line")
            found[normal(name)] = why.strip()
    return found


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """What an install did to a freeze: Colab's packages changed or removed, packages added."""
    return {"changed": [f"{before[n]} -> {after[n].split('==')[1]}" for n in sorted(before)
                        if n in after and after[n] != before[n]],
            "removed": [before[n] for n in sorted(before) if n not in after],
            "added": [after[n] for n in sorted(after) if n not in before]}


def choose_python(wanted: str) -> tuple[Path, str]:
    """The interpreter for the replica: Colab's minor version if this machine has it, else the newest."""
    candidates = {}
    for path in sorted((Path.home() / ".pyenv" / "versions").glob("3.*/bin/python3")):
        candidates[path] = path.parent.parent.name
    for minor in range(8, 20):
        found = shutil.which(f"python3.{minor}")
        if found:
            version = subprocess.run([found, "-c", "import platform; print(platform.python_version())"],
                                     capture_output=True, text=True).stdout.strip()
            candidates.setdefault(Path(found), version)

    def key(item):
        return tuple(int(part) for part in re.findall(r"\d+", item[1])[:3])

    minor = ".".join(wanted.split(".")[:2])
    same = [item for item in candidates.items() if item[1].startswith(minor + ".")]
    if not candidates:
        raise SystemExit("no Python 3 interpreter found for the replica")
    return max(same or candidates.items(), key=key)


def run(*command, **kwargs):
    print("+", " ".join(str(part) for part in command), flush=True)
    return subprocess.run([str(part) for part in command], check=True, **kwargs)


def build(cache: Path | None, folder: Path = BUILD) -> None:
    """Make ``folder/venv`` a replica of the list: a hard-linked copy of the pristine one kept in
    ``cache`` (built there first when the list or the interpreter changed), or built in place."""
    start = time.perf_counter()
    first, last, wanted = read_pins(RUNTIME)
    interpreter, version = choose_python(wanted)
    exact = version.split(".")[:2] == wanted.split(".")[:2]
    print(f"Colab runs Python {wanted}; the replica uses Python {version} ({interpreter})"
          + ("" if exact else f": this machine has no {'.'.join(wanted.split('.')[:2])}, so this is the newest it has"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    expected = {normal(p.split("==")[0]): p for p in first + last}
    if cache is None:
        _build_venv(interpreter, first, last, expected, folder / "venv")
        how = "built"
    else:
        key = hashlib.sha256(RUNTIME.read_bytes() + str(interpreter).encode() + version.encode()).hexdigest()[:12]
        pristine = cache / key
        if not (pristine / "complete").is_file():
            for old in cache.glob("*") if cache.is_dir() else []:
                shutil.rmtree(old, ignore_errors=True)             # replicas of earlier lists
            work = cache / f".{key}.tmp"
            _build_venv(interpreter, first, last, expected, work / "venv")
            (work / "complete").write_text(RUNTIME.read_text(encoding="utf-8"), encoding="utf-8")
            os.replace(work, pristine)
            how = "built"
        else:
            how = "copied"
        # Hard links: pip replaces files (unlink, then write) rather than writing into them, so
        # installing into the copy never changes the pristine replica.
        run("cp", "-al", pristine / "venv", folder / "venv")
        how += f" (pristine replica kept in {pristine})"
    python = folder / "venv" / "bin" / "python"
    _check(python, expected)
    write_kernel(python, version, folder)
    cv2 = subprocess.run([python, "-c", "import importlib.util, pathlib; s = importlib.util.find_spec('cv2'); "
                          "print(pathlib.Path(s.origin).with_name('version.py').read_text().split('\"')[1])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    print(f"replica {how}: {len(expected)} packages at Colab's versions, `import cv2` would give {cv2}; "
          f"kernel {KERNEL!r} in {folder / 'share' / 'jupyter'} (JUPYTER_PATH); {time.perf_counter() - start:.0f} s")
    print(REFRESH_HINT)


def _build_venv(interpreter: Path, first: list[str], last: list[str], expected: dict, venv: Path) -> None:
    shutil.rmtree(venv.parent, ignore_errors=True)
    venv.parent.mkdir(parents=True)
    run(interpreter, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check"]
    pip_pin = [p for p in first if normal(p.split("==")[0]) == "pip"]
    run(*pip, "install", "-q", *pip_pin)
    for group, name in (([p for p in first if p not in pip_pin], "first.txt"), (last, "last.txt")):
        (venv.parent / name).write_text("\n".join(group) + "\n", encoding="utf-8")
        run(*pip, "install", "-q", "--no-deps", "-r", venv.parent / name)
    _check(venv / "bin" / "python", expected)


def _check(python: Path, expected: dict) -> None:
    frozen = freeze_of(python)
    wrong = [f"{expected[n]} (got {frozen.get(n, 'nothing')})" for n in expected
             if normal(frozen.get(n, "")) != normal(expected[n])]
    extra = sorted(set(frozen) - set(expected))
    if wrong or extra:
        raise SystemExit(f"the replica differs from {RUNTIME.relative_to(ROOT)}: {wrong} {extra}")


def write_kernel(python: Path, version: str, folder: Path) -> None:
    """The replica's kernelspec, found through JUPYTER_PATH=<folder>/share/jupyter."""
    spec = folder / "share" / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        # -Xfrozen_modules=off and PYDEVD_DISABLE_FILE_VALIDATION quiet debugpy's start-up warning on 3.12+
        "argv": [str(python.absolute()), "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Colab replica (Python {version})", "language": "python",
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}}, indent=1), encoding="utf-8")


def setup_cell_install() -> list[str]:
    """The ``pip install`` arguments of the notebooks' setup cell, before the project's URL."""
    import nbformat

    commands = set()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        source = nbformat.read(path, as_version=4).cells[1].source
        match = re.search(r'%pip install ([^\n"]*)"ch6-cnn-notebooks @ git\+[^"]+"', source)
        if not match:
            raise SystemExit(f"{path.name}: its setup cell has no '%pip install \"ch6-cnn-notebooks @ git+…\"'")
        commands.add(match.group(1).strip())
    if len(commands) != 1:
        raise SystemExit(f"the setup cells install differently: {sorted(commands)}")
    return commands.pop().split()


def install(folder: Path = BUILD) -> int:
    python = folder / "venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"no replica in {folder}: run `python tools/colab_replica.py build` first")
    source = folder / "source"                         # what git would serve: the tracked files
    shutil.rmtree(source, ignore_errors=True)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, tracked.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    before = freeze_of(python)
    (folder / "freeze-before.txt").write_text("\n".join(before.values()) + "\n", encoding="utf-8")
    start = time.perf_counter()
    run(python, "-m", "pip", "install", *setup_cell_install(), source)
    seconds = time.perf_counter() - start
    after = freeze_of(python)
    (folder / "freeze-after.txt").write_text("\n".join(after.values()) + "\n", encoding="utf-8")
    found, allowed = changes(before, after), allowed_changes()
    print(f"the setup cell's install took {seconds:.0f} s; it added {', '.join(found['added']) or 'nothing'}")
    bad = []
    for kind in ("changed", "removed"):
        for entry in found[kind]:
            why = allowed.get(normal(entry.split("==")[0]))
            print(f"  {kind}: {entry}" + (f"  (allowed: {why})" if why else "  NOT ALLOWED"))
            bad += [] if why else [entry]
    if bad:
        print(f"the project's install changed Colab's packages: {bad}. Fix pyproject.toml's dependencies, or add "
              f"each to {ALLOWED.relative_to(ROOT)} with the reason it must change.")
        return 1
    print("Colab's preinstalled packages: unchanged" + (" (apart from the allowed ones)" if allowed else ""))
    return 0


def refresh(freeze: Path, os_info: Path | None) -> None:
    lines = freeze.read_text(encoding="utf-8").splitlines()
    pins = {normal(l.split("==")[0]): l.strip() for l in lines if "==" in l and not l.startswith("#")}
    os_info = os_info or next(iter(sorted(freeze.parent.glob("os-info*.txt"))), None)
    text = os_info.read_text(encoding="utf-8") if os_info else ""
    match = re.search(r"^Python (3\.\d+\.\d+)", text, re.M)
    if not match:
        raise SystemExit("give Colab's os-info.txt (its 'Python 3.x.y' line says which Python to replicate)")
    python_version = match.group(1)
    interpreter, version = choose_python(python_version)
    opencv = sorted((p for n, p in pins.items() if n.startswith("opencv-")),
                    key=lambda p: [int(x) for x in p.split("==")[1].split(".")])
    newest = opencv[-1].split("==")[1].split(".")[0] if opencv else None
    last = [p for p in opencv if p.split("==")[1].split(".")[0] == newest]
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        (work / "constraints.txt").write_text("\n".join(pins.values()) + "\n", encoding="utf-8")
        wanted = [name for name in TOP if name in pins] + [p.split("==")[0] for p in opencv] + [str(ROOT)]
        run(interpreter, "-m", "venv", work / "venv")
        run(work / "venv" / "bin" / "python", "-m", "pip", "install", "-q", "--dry-run", "--disable-pip-version-check",
            "--ignore-installed", "--report", work / "report.json", "-c", work / "constraints.txt", *wanted)
        report = json.loads((work / "report.json").read_text(encoding="utf-8"))
    resolved = {normal(item["metadata"]["name"]) for item in report["install"]}
    kept = sorted((pins[n] for n in resolved | {"pip"} if n in pins and pins[n] not in last), key=str.lower)
    header = [f"# Google Colab's runtime as its published list {freeze.name} gives it (Python {python_version}): the",
              "# packages the chapter-6 notebooks import or the project's install could touch, and everything they",
              "# need, at Colab's exact versions.  `make test-colab` builds its replica from this file.",
              f"# {REFRESH_HINT}.",
              f"# python: {python_version}"]
    RUNTIME.write_text("\n".join(header + kept + [f"{LAST}, in this order: Colab's `import cv2` is the last "
                                                  "OpenCV wheel's"] + last) + "\n", encoding="utf-8")
    print(f"{RUNTIME.relative_to(ROOT)}: {len(kept) + len(last)} packages for Python {python_version} "
          f"(resolved with {version}); OpenCV last: {', '.join(last) or 'none'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build").add_argument("--cache", type=Path)
    commands.add_parser("install")
    update = commands.add_parser("refresh")
    update.add_argument("freeze", type=Path)
    update.add_argument("os_info", type=Path, nargs="?")
    arguments = parser.parse_args(argv)
    if arguments.command == "build":
        build(arguments.cache)
    elif arguments.command == "install":
        return install()
    else:
        refresh(arguments.freeze, arguments.os_info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
