"""helpers/ stays small by rule: every public name is used outside the tests, and no two public
functions share a name (a notebook imports them bare into one kernel).

"Used" means referenced in code (not in a docstring or comment) by a notebook, a solution, a tool,
the benchmark, or another module of the package, or named as code in a notebook's text (a function the
notebook tells students to call).  Errors are public by nature: a student's cell shows them.
"""

import ast
import importlib
import inspect
import pkgutil
import re

import nbformat

import helpers
from helpers._course import config

ROOT = config.REPO_ROOT


# Public for a reason no code shows.
EXEMPT = {"REPO_URL": "tools/repo_url.py rewrites it as text, with every link to the repository"}


def _modules():
    yield helpers
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        yield importlib.import_module(info.name)


def public_names(modules=None):
    """(module, name) of every public function, class and constant defined in helpers/."""
    for module in (_modules() if modules is None else modules):
        for name, obj in vars(module).items():
            if name.startswith("_") or inspect.ismodule(obj):
                continue
            defined_here = getattr(obj, "__module__", module.__name__) == module.__name__
            error = inspect.isclass(obj) and issubclass(obj, Exception)
            if ((inspect.isfunction(obj) or inspect.isclass(obj)) and defined_here or name.isupper()) \
                    and not error and name not in EXEMPT:
                yield module.__name__, name


def _identifiers(source: str) -> set:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.name.split(".")[-1])
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
    return names


def _notebook_text_code(path) -> set:
    """Identifiers a notebook's text names as code: `helpers._course.cub.prepare_cub(...)`."""
    cells = nbformat.read(path, as_version=4).cells
    spans = [span for cell in cells if cell.cell_type == "markdown" for span in re.findall(r"`([^`]+)`", cell.source)]
    return {word for span in spans for word in re.findall(r"[A-Za-z_]\w*", span)}


def _notebook_code(path) -> str:
    cells = nbformat.read(path, as_version=4).cells
    lines = [line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
             for cell in cells if cell.cell_type == "code" for line in cell.source.splitlines()]
    return "\n".join(lines)


def uses() -> dict:
    """identifier -> the places (files or helpers modules) whose code uses it."""
    found = {}
    sources = [(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
               for folder in ("solutions", "tools", "benchmarks") for path in (ROOT / folder).rglob("*.py")]
    sources += [(path.relative_to(ROOT).as_posix(), _notebook_code(path)) for path in (ROOT / "notebooks").glob("*.ipynb")]
    sources += [(module.__name__, inspect.getsource(module)) for module in _modules()]
    for place, source in sources:
        for name in _identifiers(source):
            found.setdefault(name, set()).add(place)
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        for name in _notebook_text_code(path):
            found.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return found


def unused_names(modules=None, used=None):
    used = uses() if used is None else used
    return [f"{module}.{name}" for module, name in public_names(modules) if not used.get(name, set()) - {module}]


def test_every_public_name_is_used_outside_the_tests():
    unused = unused_names()
    assert not unused, f"public names nothing but the tests uses (make them private or delete them): {unused}"


def test_no_two_public_functions_share_a_name():
    owners = {}
    for module, name in public_names():
        obj = getattr(importlib.import_module(module), name)
        if inspect.isfunction(obj):
            owners.setdefault(name, set()).add(module)
    shared = {name: sorted(modules) for name, modules in owners.items() if len(modules) > 1}
    assert not shared, f"functions with the same name in several modules: {shared}"


def test_the_rule_catches_an_unused_name():
    """The check can fail: a module's public function that only that module mentions is reported."""
    import types

    probe = types.ModuleType("helpers.probe")
    exec("def lonely():\n    return 1\ndef _private():\n    return lonely()\n", probe.__dict__)
    assert unused_names([probe], used={"lonely": {"helpers.probe"}}) == ["helpers.probe.lonely"]
    assert unused_names([probe], used={"lonely": {"helpers.probe", "notebooks/6.4-cnn-programming.ipynb"}}) == []
