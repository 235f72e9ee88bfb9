"""Real-browser test set-up: JupyterLab on a free loopback port, driven by Debian's Chromium.

This folder is skipped by ``pytest tests/`` (``make test-unit`` stays fast); it runs only
when pytest is pointed at it, as ``make test-browser`` does::

    CH6_DATA_DIR=... .venv/bin/python -m pytest -q tests/browser

Needs: ``apt-get install chromium`` (``/usr/bin/chromium``; ``CH6_CHROMIUM`` overrides) and
``pip install playwright`` (never ``playwright install``: it downloads its own browser).
JupyterLab runs on copies of the notebooks in a temporary folder, so autosave never
touches the committed files, and it is shut down even when a test fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from helpers._course import config

HERE = Path(__file__).resolve().parent
OUTPUT_DIR = config.REPO_ROOT / "test-output" / "browser"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def pytest_ignore_collect(collection_path, config):
    """Collect this folder only when a command-line argument names it (or a file in it)."""
    for arg in config.args:
        target = Path(arg.split("::")[0]).resolve()
        if target == HERE or HERE in target.parents:
            return None
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _lab_settings(folder: Path) -> None:
    """User settings for a clean, predictable JupyterLab: every cell in the DOM, no pop-ups."""
    _write_json(folder / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
                {"windowingMode": "none", "autoStartDefaultKernel": True})
    _write_json(folder / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                {"checkForUpdates": False, "fetchNews": "false"})


class Lab:
    """A running JupyterLab server: its base URL, token and the folder it serves."""

    def __init__(self, url: str, token: str, root: Path, process: subprocess.Popen):
        self.url, self.token, self.root, self.process = url, token, root, process

    def api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel (frees TensorFlow's memory between notebooks)."""
        for kernel in self.api("GET", "/api/kernels") or []:
            try:
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
            except OSError:
                pass


def _stop(process: subprocess.Popen) -> None:
    """Stop JupyterLab and its kernels: SIGTERM to its process group, SIGKILL after 20 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def lab(tmp_path_factory, output_dir):
    """JupyterLab on 127.0.0.1:<free port> with a token, in quick mode, serving copies of the notebooks."""
    if config.data_dir() is None:
        pytest.skip("CH6_DATA_DIR is not set to the offline datasets folder (make test-browser sets it)")
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(config.REPO_ROOT / "notebooks", root,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _lab_settings(base / "settings")
    port, token = _free_port(), secrets.token_hex(16)
    environment = dict(os.environ)
    environment.pop("MPLBACKEND", None)               # figures must go inline, not to Agg
    environment.update({
        "CH6_QUICK": "1",
        "CH6_DATA_DIR": str(config.data_dir()),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
    })
    log = open(output_dir / "jupyterlab.log", "w", encoding="utf-8")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--port-retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")                # CI runs as root
    process = subprocess.Popen(command, cwd=root, env=environment, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, root, process)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {process.returncode} while starting; "
                                   f"see {output_dir / 'jupyterlab.log'}")
            try:
                server.api("GET", "/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer on port {port} within 120 s; "
                                       f"see {output_dir / 'jupyterlab.log'}") from None
                time.sleep(0.5)
        yield server
    finally:
        _stop(process)
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through Playwright, with a fresh profile (a browser context)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (see requirements.txt)")
    executable = os.environ.get("CH6_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).is_file():
        pytest.skip(f"no Chromium at {executable}: run `apt-get install -y chromium` "
                    "(or set CH6_CHROMIUM to a Chromium binary)")
    profile = Path(tempfile.mkdtemp(prefix="ch6-chromium-"))
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, lab):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        page.close()
        lab.shutdown_kernels()
