"""`make test-no-assets`: the unit tests and doctests as a new user without the offline assets runs them.

    python tools/no_assets.py [--keep]

A fresh clone of HEAD in a temporary folder (so no ../shared beside it), a fresh empty HOME (no warm
~/.cache/ch6 or ~/.keras), CH6_DATA_DIR and every other CH6_* setting unset, no network (a new network
namespace when `unshare` allows it, else proxies that refuse; 127.0.0.1 still works).  Passes when both
runs have no failure and every skip says what to do; prints the counts and the time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = {"unit tests": ["tests/", "--ignore=tests/test_sections.py"], "doctests": ["--doctest-modules", "helpers"]}
# Skips that are not about a missing file (they say why themselves).
OTHER_SKIPS = ("the repository is not a git clone", "only with the offline assets",
               "runs in the Colab replica", "needs pip's package index")


def _offline(command: list[str]) -> list[str]:
    """``command`` in a new network namespace with only the loopback up, when this machine allows it."""
    if shutil.which("unshare") and shutil.which("ip") and subprocess.run(
            ["unshare", "-rn", "ip", "link", "set", "lo", "up"], capture_output=True).returncode == 0:
        return ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    return command


def main(argv: list[str]) -> int:
    folder = Path(tempfile.mkdtemp(prefix="ch6-no-assets-"))
    repo, home = folder / "repo", folder / "home"
    home.mkdir()
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    refuse = "http://127.0.0.1:9"   # nothing listens there: a download that slips past the namespace fails at once
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "CH6_QUICK": "1", "MPLBACKEND": "Agg",
                   "CH6_CACHE_DIR": str(repo / "build" / "test-cache"), "http_proxy": refuse, "https_proxy": refuse,
                   "HTTP_PROXY": refuse, "HTTPS_PROXY": refuse, "no_proxy": "127.0.0.1,localhost"}
    failed, lines = False, []
    for name, arguments in RUNS.items():
        start = time.perf_counter()
        command = _offline([sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", *arguments])
        run = subprocess.run(command, cwd=repo, env=environment, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        summary = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
        counts = {key: int(n) for n, key in re.findall(r"(\d+) (passed|skipped|failed|errors?)", summary)}
        vague = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")
                 and "make download" not in line and not any(reason in line for reason in OTHER_SKIPS)]
        lines.append(f"{name}: {counts.get('passed', 0)} passed, {counts.get('skipped', 0)} skipped, "
                     f"{counts.get('failed', 0) + counts.get('error', 0) + counts.get('errors', 0)} failed "
                     f"({seconds:.0f} s)")
        if run.returncode != 0 or vague:
            failed = True
            lines += [f"  {line}" for line in run.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
            lines += [f"  skip without what to do: {line}" for line in vague]
            if not counts:
                print(run.stdout[-3000:], run.stderr[-3000:], sep="\n")
    print("without the offline assets (fresh clone of HEAD, empty HOME, no network):", *lines, sep="\n  ")
    if "--keep" in argv:
        print(f"kept: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
