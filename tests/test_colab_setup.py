"""Each notebook's setup cell, run as in Colab: ``google.colab`` present, the project not installed.

The simulation: a fresh virtual environment that sees every library of this one (Colab's
preinstalled set plays that part) but not the project itself, a fake ``google.colab``
module, and git told to fetch ``https://github.com/ch6-cnn-course/ch6-cnn-notebooks`` from
this repository's committed ``main`` (what GitHub serves).  The setup cell runs verbatim in
IPython; its ``%pip install`` must install the project, and ``helpers.setup()`` must then
pass without anything else being installed.

A second test reads every import of every notebook and of ``helpers/`` and checks that
each comes from Python, from what Colab preinstalls (``tests/colab/runtime.txt``, Colab's own
list) or from the project's own dependencies (``pyproject.toml``), so the setup cell's install is
all a student needs.  The last tests check the Python versions the project claims.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

from helpers._course.config import REPO_ROOT, REPO_URL

from distributions import normal, with_dependencies

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
PROJECT = "ch6-cnn-notebooks"
HIDDEN = re.compile(r"^(helpers|ch6_cnn_notebooks.*|__editable__.*ch6_cnn_notebooks.*)$")


def _setup_cell(path: Path) -> str:
    cells = nbformat.read(path, as_version=4).cells
    return next(c.source for c in cells if c.cell_type == "code")


def _distinct_setup_cells() -> list[tuple[str, list[str]]]:
    """Setup cells that differ (most notebooks share one), each with the notebooks using it."""
    groups: dict[str, list[str]] = {}
    for path in NOTEBOOKS:
        groups.setdefault(_setup_cell(path), []).append(path.stem)
    return list(groups.items())


RUNNER = r'''
import importlib, importlib.util, json, sys, types
import google                                   # the real namespace package (protobuf lives there)
colab = types.ModuleType("google.colab")
sys.modules["google.colab"] = colab
google.colab = colab
before = importlib.util.find_spec("helpers") is not None
importlib.invalidate_caches()
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.colors = "nocolor"                        # plain tracebacks in the test report
result = shell.run_cell(open(sys.argv[1], encoding="utf-8").read())
report = {"helpers_before": before, "success": result.success,
          "error": repr(result.error_before_exec or result.error_in_exec)}
if result.success:
    import helpers
    dist = importlib.metadata.distribution("ch6-cnn-notebooks")
    report.update(helpers_file=helpers.__file__, direct_url=dist.read_text("direct_url.json"),
                  quick=helpers.is_quick())
print("REPORT " + json.dumps(report))
'''


@pytest.fixture(scope="module")
def colab_like(tmp_path_factory):
    """(python, site-packages, environment) of a fresh venv that sees this one's libraries but not the project."""
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("the repository is not a git clone: the Colab cell installs from git")
    reach = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d",
                            str(tmp_path_factory.mktemp("probe")), "setuptools>=68"], capture_output=True, timeout=120)
    if reach.returncode != 0:
        pytest.skip("needs pip's package index (the setup cell's pip builds the project with setuptools from it): "
                    "run where pip can reach its index")
    base = tmp_path_factory.mktemp("colab")
    overlay = base / "preinstalled"
    overlay.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        if not HIDDEN.match(entry.name) and not entry.name.endswith(".pth"):
            (overlay / entry.name).symlink_to(entry)
    target = base / "venv"
    venv.create(target, with_pip=False, symlinks=True)
    python = target / "bin" / "python"
    own_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip())
    (own_site / "colab-preinstalled.pth").write_text(f"{overlay}\n", encoding="utf-8")
    gitconfig = base / "gitconfig"
    gitconfig.write_text(f'[url "{REPO_ROOT.as_uri()}"]\n\tinsteadOf = {REPO_URL}\n'
                         '[protocol "file"]\n\tallow = always\n', encoding="utf-8")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("CH6_", "VIRTUAL_ENV", "PYTHON"))}
    environment.update({"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1",
                        "PIP_DISABLE_PIP_VERSION_CHECK": "1", "MPLBACKEND": "Agg",
                        "PATH": f"{target / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"})
    return python, own_site, environment, base


@pytest.mark.parametrize("source, notebooks", [pytest.param(s, n, id="+".join(n)) for s, n in _distinct_setup_cells()])
def test_setup_cell_installs_the_project_in_colab(colab_like, source, notebooks, tmp_path):
    python, own_site, environment, base = colab_like
    for leftover in own_site.iterdir():                   # each cell starts without the project
        if HIDDEN.match(leftover.name) or leftover.name == "helpers":
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    cell = tmp_path / "setup_cell.py"
    cell.write_text(source, encoding="utf-8")
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    done = subprocess.run([str(python), str(runner), str(cell)], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, f"the simulated Colab run crashed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    report = json.loads(lines[-1][len("REPORT "):])
    assert report["helpers_before"] is False, "the simulation leaked the project: helpers was importable before the cell"
    assert report["success"], f"the setup cell of {notebooks} failed in Colab: {report['error']}\n{done.stdout[-3000:]}"
    assert Path(report["helpers_file"]).is_relative_to(own_site), report["helpers_file"]
    direct = json.loads(report["direct_url"])
    assert direct["url"] == REPO_URL and direct["vcs_info"]["vcs"] == "git"
    installed = sorted(normal(p.name.split("-")[0]) for p in own_site.glob("*.dist-info"))
    assert installed == [normal(PROJECT)], f"the cell installed more than the project: {installed}"
    assert "난수 씨앗(seed)" in done.stdout and "전체 모드" in done.stdout    # helpers.setup() ran; Colab starts in full mode


def _colab_preinstalled() -> set[str]:
    lines = (REPO_ROOT / "tests" / "colab" / "runtime.txt").read_text(encoding="utf-8").splitlines()
    return {normal(line.split("==")[0]) for line in lines if line.strip() and not line.startswith("#")}


def _imports(source: str) -> set[str]:
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(source))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_every_import_is_on_colab_or_a_project_dependency():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    own = {normal(re.split(r"[<>=!~\[ ;]", d)[0]) for d in project["dependencies"]}
    available = with_dependencies(_colab_preinstalled() | own)
    sources = {f"{p.name} cell {i}": c.source for p in NOTEBOOKS
               for i, c in enumerate(nbformat.read(p, as_version=4).cells) if c.cell_type == "code"}
    sources |= {str(p.relative_to(REPO_ROOT)): p.read_text(encoding="utf-8")
                for p in sorted((REPO_ROOT / "helpers").rglob("*.py"))}
    providers = metadata.packages_distributions()
    missing = []
    for where, source in sources.items():
        for module in sorted(_imports(source)):
            if module in sys.stdlib_module_names or module in {"helpers", "google"}:
                continue
            dists = {normal(d) for d in providers.get(module, [])}
            if not dists & available:
                missing.append(f"{where}: import {module} (from {sorted(dists) or 'nothing installed'})")
    assert not missing, ("not on Colab and not in pyproject.toml's dependencies, so the setup cell "
                         "does not install it:\n" + "\n".join(missing))


def test_the_colab_list_is_pinned_and_installs_opencv_5_last():
    lines = (REPO_ROOT / "tests" / "colab" / "runtime.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line.strip() and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[^=\s]+", pin) for pin in pins), "Colab's exact versions only"
    assert {"tensorflow", "keras", "numpy", "matplotlib", "scikit-learn", "ipywidgets"} <= _colab_preinstalled()
    marker = next(i for i, line in enumerate(lines) if line.startswith("# installed last"))
    tail = [line for line in lines[marker + 1:] if line.strip() and not line.startswith("#")]
    major = {pin: int(pin.split("==")[1].split(".")[0]) for pin in pins if pin.startswith("opencv")}
    assert tail and set(tail) == {pin for pin, m in major.items() if m == max(major.values())}, \
        "the newest OpenCV wheels go last: Colab's cv2 is theirs"
    assert any(line.startswith("# python: 3.") for line in lines)
    assert "tools/colab_replica.py refresh" in "\n".join(lines)


def _readme_python_range() -> tuple[int, int]:
    match = re.search(r"Python 3\.(\d+)–3\.(\d+)", (REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    assert match, "README.md names no Python range (Python 3.X–3.Y)"
    return int(match.group(1)), int(match.group(2))


def test_the_python_range_agrees_with_pyproject_the_pins_and_colab():
    """The README's range starts where pyproject's requires-python does and where the pinned
    requirements' own Requires-Python allow (read from the installed packages), and reaches
    Colab's Python.  tests/test_colab_replica.py checks with pip that the pins install on exactly
    that range."""
    from packaging.specifiers import SpecifierSet

    low, high = _readme_python_range()
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == f">=3.{low}"
    pins = [line.split("==")[0] for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if "==" in line and not line.startswith("#")]
    narrowest = []
    for name in pins:
        requires = metadata.metadata(name).get("Requires-Python") or ""
        allowed = [minor for minor in range(8, 20) if SpecifierSet(requires).contains(f"3.{minor}.0")]
        assert low in allowed, f"{name} (Requires-Python {requires}) does not install on 3.{low}"
        narrowest.append(min(allowed))
    assert max(narrowest) == low, f"the pins allow Python 3.{max(narrowest)} and up, the README says 3.{low}"
    colab = next(line for line in (REPO_ROOT / "tests" / "colab" / "runtime.txt").read_text().splitlines()
                 if line.startswith("# python:"))
    assert int(colab.split(":")[1].split(".")[1]) <= high, f"Colab runs {colab}, beyond the README's 3.{high}"


def _replica_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("colab_replica", REPO_ROOT / "tools" / "colab_replica.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_install_check_names_what_changed_and_wants_a_reason_for_each_exception(tmp_path):
    tool = _replica_tool()
    before = {"ipywidgets": "ipywidgets==7.7.1", "numpy": "numpy==2.1.3", "jedi-free": "Jedi_Free==1.0"}
    after = {"ipywidgets": "ipywidgets==8.1.9", "numpy": "numpy==2.1.3", "koreanize-matplotlib": "koreanize-matplotlib==0.1.1"}
    assert tool.changes(before, after) == {"changed": ["ipywidgets==7.7.1 -> 8.1.9"], "removed": ["Jedi_Free==1.0"],
                                           "added": ["koreanize-matplotlib==0.1.1"]}
    allowed = tmp_path / "allowed.txt"
    allowed.write_text("# comment\nIPyWidgets  the explorers need 8\n")
    assert tool.allowed_changes(allowed) == {"ipywidgets": "the explorers need 8"}
    allowed.write_text("numpy\n")
    with pytest.raises(SystemExit, match="'numpy' needs a reason"):
        tool.allowed_changes(allowed)
