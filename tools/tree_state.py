"""Check that a test run changed nothing it must not: tracked files and the user's saved models.

    python tools/tree_state.py save STATE.json      # before the tests
    python tools/tree_state.py compare STATE.json   # after: exit 1 naming what changed

The state is ``git status --porcelain`` of the repository and the SHA-256 of every file in the
user's default model folder (``~/.cache/ch6/models``, whatever ``CH6_CACHE_DIR`` the tests use).
``make test`` runs both around the whole suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers._course.files import atomic_write, file_hash  # noqa: E402

USER_MODELS = Path.home() / ".cache" / "ch6" / "models"


def state() -> dict:
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    models = {str(p.relative_to(USER_MODELS)): file_hash(p)
              for p in sorted(USER_MODELS.rglob("*")) if p.is_file()} if USER_MODELS.is_dir() else {}
    return {"git_status": sorted(status), "user_models": models}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"save", "compare"}:
        print(__doc__)
        return 2
    path = Path(argv[1])
    if argv[0] == "save":
        with atomic_write(path) as temporary:
            temporary.write_text(json.dumps(state(), indent=1), encoding="utf-8")
        return 0
    before, after = json.loads(path.read_text(encoding="utf-8")), state()
    problems = [f"git status: new {line!r}" for line in after["git_status"] if line not in before["git_status"]]
    problems += [f"git status: {line!r} went away" for line in before["git_status"] if line not in after["git_status"]]
    for name in sorted(set(before["user_models"]) | set(after["user_models"])):
        if before["user_models"].get(name) != after["user_models"].get(name):
            problems.append(f"{USER_MODELS / name} was changed, created or deleted")
    if problems:
        print("The test run changed what it must not (tests write only to temporary folders):")
        print("\n".join(f"  {p}" for p in problems))
        return 1
    print(f"tree unchanged: git status as before ({len(after['git_status'])} entries), "
          f"{len(after['user_models'])} files in {USER_MODELS} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
