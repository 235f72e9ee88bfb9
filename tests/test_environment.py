"""Students install what they run: requirements.txt (= environment.yml) holds the notebooks' libraries,
requirements-test.txt adds the test tools; everything is pinned and installed as pinned."""

import ast
import json
import re
import tomllib

from helpers._course.config import REPO_ROOT

from distributions import normal, with_dependencies


def _requirements(name):
    lines = (REPO_ROOT / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith(("#", "-r "))]


def _names(requirements):
    return {re.split(r"[=<>@ ]", r)[0].strip().lower() for r in requirements}


def _conda_pip_section():
    lines = (REPO_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("  - pip:")
    return [line.strip()[2:] for line in lines[start + 1:] if line.startswith("      - ")]


TEST_TOOLS = _names(_requirements("requirements-test.txt"))


def test_environment_yml_installs_exactly_requirements_txt():
    assert _conda_pip_section() == _requirements("requirements.txt")
    assert "  - python=3.11" in (REPO_ROOT / "environment.yml").read_text(encoding="utf-8")


def test_the_students_install_holds_no_test_tool():
    """make lab, environment.yml and the Colab line (pyproject's dependencies) carry the notebooks' libraries only."""
    assert {"pytest", "nbval", "playwright"} <= TEST_TOOLS
    colab = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for where, names in (("requirements.txt", _names(_requirements("requirements.txt"))),
                         ("environment.yml", _names(_conda_pip_section())), ("pyproject.toml", _names(colab))):
        assert not names & TEST_TOOLS, f"{where} installs test tools: {sorted(names & TEST_TOOLS)}"
    assert (REPO_ROOT / "requirements-test.txt").read_text(encoding="utf-8").count("-r requirements.txt") == 1


def test_make_lab_installs_no_test_tool():
    """Everything requirements.txt pulls in (dependencies of dependencies, as installed here) holds no test tool."""
    seen = with_dependencies(_names(_requirements("requirements.txt")))
    assert "jupyterlab" in seen and "numpy" in seen
    assert not seen & {normal(t) for t in TEST_TOOLS}, sorted(seen & {normal(t) for t in TEST_TOOLS})


def test_what_students_run_imports_no_test_tool():
    """helpers/ and the notebooks import nothing that only requirements-test.txt installs."""
    sources = {str(path.relative_to(REPO_ROOT)): path.read_text(encoding="utf-8")
               for path in (REPO_ROOT / "helpers").rglob("*.py")}
    for path in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        sources[path.name] = "\n".join(re.sub(r"^(\s*)[%!].*", r"\1pass", line)   # IPython magics
                                       for block in code for line in block.splitlines())
    offenders = []
    for where, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                       else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            offenders += [f"{where}: {m}" for m in modules if m.split(".")[0].lower() in TEST_TOOLS]
    assert not offenders, offenders


def test_every_requirement_is_pinned_and_opencv_is_4x():
    requirements = _requirements("requirements.txt") + _requirements("requirements-test.txt")
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.]*", r) for r in requirements), requirements
    opencv = [r for r in requirements if r.startswith("opencv")]
    assert opencv and all(r.split("==")[1].startswith("4.") for r in opencv)
    assert {"tensorflow", "numpy", "matplotlib", "scikit-learn", "jupyterlab", "ipywidgets"} <= _names(requirements)


def test_installed_versions_match_the_pins():
    from importlib.metadata import PackageNotFoundError, version

    wrong = []
    for requirement in _requirements("requirements.txt") + _requirements("requirements-test.txt"):
        name, pinned = requirement.split("==")
        try:
            if version(name) != pinned:
                wrong.append(f"{name}: installed {version(name)}, pinned {pinned}")
        except PackageNotFoundError:
            wrong.append(f"{name}: not installed")
    assert not wrong, "run `make install`: " + "; ".join(wrong)
