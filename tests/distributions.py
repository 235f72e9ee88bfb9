"""Installed distributions, by their normalised names (PEP 503), for the tests of what installs what."""

import re
from importlib import metadata

from packaging.requirements import Requirement


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def with_dependencies(names) -> set[str]:
    """``names`` and everything they require (no extras), as installed in this environment."""
    seen, todo = set(), [normal(name) for name in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            needed = [Requirement(text) for text in metadata.requires(name) or []]
        except metadata.PackageNotFoundError:
            continue
        todo += [normal(r.name) for r in needed if r.marker is None or r.marker.evaluate({"extra": ""})]
    return seen
