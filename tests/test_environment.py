"""requirements.txt is the one source of truth; environment.yml must install exactly that set."""

import re

from helpers._course.config import REPO_ROOT


def _requirements():
    lines = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _conda_pip_section():
    lines = (REPO_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("  - pip:")
    return [line.strip()[2:] for line in lines[start + 1:] if line.startswith("      - ")]


def test_environment_yml_installs_exactly_requirements_txt():
    assert _conda_pip_section() == _requirements()


def test_environment_yml_is_python_311():
    assert "  - python=3.11" in (REPO_ROOT / "environment.yml").read_text(encoding="utf-8")


def test_every_requirement_is_pinned_and_opencv_is_4x():
    requirements = _requirements()
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.]*", r) for r in requirements), requirements
    opencv = [r for r in requirements if r.startswith("opencv")]
    assert opencv and all(r.split("==")[1].startswith("4.") for r in opencv)
    names = {r.split("==")[0].lower() for r in requirements}
    assert {"tensorflow", "numpy", "matplotlib", "scikit-learn", "jupyterlab", "nbval", "ipywidgets"} <= names


def test_installed_versions_match_the_pins():
    from importlib.metadata import PackageNotFoundError, version

    wrong = []
    for requirement in _requirements():
        name, pinned = requirement.split("==")
        try:
            if version(name) != pinned:
                wrong.append(f"{name}: installed {version(name)}, pinned {pinned}")
        except PackageNotFoundError:
            wrong.append(f"{name}: not installed")
    assert not wrong, "run `make install`: " + "; ".join(wrong)
