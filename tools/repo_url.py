"""Point every Colab badge, Colab install line and link at one repository address.

    python tools/repo_url.py https://github.com/OWNER/NAME      (or: make repo-url URL=...)

The one source is ``REPO_URL`` in ``helpers/_course/config.py``.  This command replaces that address,
and the forms derived from it (``colab.research.google.com/github/OWNER/NAME``,
``raw.githubusercontent.com/OWNER/NAME``, ``git+https://github.com/OWNER/NAME``), in every
file git tracks in this checkout, including ``REPO_URL`` itself.  Run it in a fork, commit,
and the badges open the fork's notebooks.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "helpers" / "_course" / "config.py"
ADDRESS = re.compile(r"https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)")


def current() -> str:
    found = re.search(r'^REPO_URL = "(https://github\.com/[^"]+)"', CONFIG.read_text(encoding="utf-8"), re.M)
    if not found:
        raise SystemExit(f"no REPO_URL = \"https://github.com/…\" line in {CONFIG}")
    return found.group(1)


def forms(url: str) -> list[str]:
    path = url.removeprefix("https://github.com/")
    return [f"https://colab.research.google.com/github/{path}", f"https://raw.githubusercontent.com/{path}",
            f"github.com/{path}"]


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not ADDRESS.fullmatch(argv[0].rstrip("/").removesuffix(".git")):
        print(__doc__)
        print("Give the repository's address as https://github.com/OWNER/NAME.")
        return 2
    new = argv[0].rstrip("/").removesuffix(".git")
    old = current()
    if new == old:
        print(f"already {new}")
        return 0
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    changed = []
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.suffix in {".npz", ".png", ".jpg", ".weights"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        updated = text
        for before, after in zip(forms(old), forms(new)):   # the longest forms first
            updated = updated.replace(before, after)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            changed.append(name)
    print(f"{old} → {new} in {len(changed)} files:\n  " + "\n  ".join(changed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
