"""The helpers package keeps its promise: every public function has a docstring with an
example, and a test in tests/ that calls it by name."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import helpers

TESTS = Path(__file__).parent


def public_api():
    """(module name, name, object) of every public function and class defined in helpers/."""
    for info in pkgutil.iter_modules(helpers.__path__):
        module = importlib.import_module(f"helpers.{info.name}")
        for name, obj in vars(module).items():
            if (not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                    and obj.__module__ == module.__name__):
                yield info.name, name, obj


def test_the_api_is_found():
    names = {name for _, name, _ in public_api()}
    assert {"load_mnist", "cross_validate", "shift_flip", "fetch", "detect", "atomic_write"} <= names
    assert len(names) > 100


def test_every_public_function_has_a_docstring_with_an_example():
    missing = [f"helpers.{module}.{name}" for module, name, obj in public_api()
               if not (inspect.isclass(obj) and issubclass(obj, Exception))  # errors only need a docstring
               and "Example" not in (inspect.getdoc(obj) or "")]
    undocumented = [f"helpers.{module}.{name}" for module, name, obj in public_api() if not inspect.getdoc(obj)]
    assert not missing and not undocumented, (missing, undocumented)


def test_every_public_function_is_called_by_a_test():
    tests = "\n".join(path.read_text(encoding="utf-8") for path in TESTS.rglob("test_*.py")
                      if path.name != Path(__file__).name)
    untested = [f"helpers.{module}.{name}" for module, name, obj in public_api()
                if inspect.isfunction(obj) and not re.search(rf"\b{name}\(", tests)]
    assert not untested, f"write a test that calls each of: {untested}"


def test_examples_run_rather_than_being_skipped():
    """Docstring examples are executed (pytest --doctest-modules helpers in make test): none is skipped."""
    skipped = [f"{path.name}:{number}" for path in sorted(Path(helpers.__file__).parent.rglob("*.py"))
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if "doctest: +SKIP" in line]
    assert not skipped, f"rewrite or delete these examples instead of skipping them: {skipped}"


def test_each_module_stays_small():
    """One job a module: none grows past ~350 lines (CONTRIBUTING.md's module map)."""
    long = {path.name: n for path in sorted(Path(helpers.__file__).parent.rglob("*.py"))
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 360}
    assert not long, f"split these modules by job: {long}"
