"""Shared test set-up: headless plots, quick-mode state reset, the data sets, a repository copy."""

import http.server
import shutil
import subprocess
import threading

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from helpers._course import config  # noqa: E402


@pytest.fixture(autouse=True)
def _reset_quick_override():
    yield
    config.set_quick_mode(None)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def offline_data(needs):
    """The three data sets are here without a download (CH6_DATA_DIR or Keras's cache), else the test skips;
    returns CH6_DATA_DIR's folder, or None when Keras's cache holds them."""
    needs("mnist", "fashion_mnist", "cifar10")
    return config.data_dir()


@pytest.fixture
def repo_copy(tmp_path):
    """A committed git checkout of the tracked files (those under 2 MB), for commands that change
    or inspect a repository: they run there without touching this one."""
    files = subprocess.run(["git", "ls-files"], cwd=config.REPO_ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    target = tmp_path / "repo"
    for name in files:
        source = config.REPO_ROOT / name
        if source.is_file() and source.stat().st_size < 2_000_000:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "copy"]):
        subprocess.run(git + command, cwd=target, check=True, capture_output=True)
    return target


@pytest.fixture
def mnist_for_cnn(needs, env):
    """Quick-mode MNIST prepared as 프로그램 6-1 prepares it: (N,28,28,1) float32 in [0,1],
    one-hot labels; the seed set.  Returns ``x_train, y_train, x_test, y_test``."""
    import keras
    import numpy as np

    from helpers import data

    needs("mnist")
    env(CH6_QUICK="1")
    config.set_seed()
    (x_train, y_train), (x_test, y_test) = data.load_mnist()

    def images(x):
        return x.reshape(-1, 28, 28, 1).astype(np.float32) / 255.0

    return (images(x_train), keras.utils.to_categorical(y_train, 10),
            images(x_test), keras.utils.to_categorical(y_test, 10))


@pytest.fixture(scope="module")
def small_cnn():
    """C-P-C-FC like the CIFAR-10 CNN, but 16×16 inputs and a few channels (fast)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input(shape=(16, 16, 3)),
        layers.Conv2D(4, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25),
        layers.Conv2D(6, (3, 3), activation="relu"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ])


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files[path]``; ``server.broken[path]`` = bytes sent before hanging up."""

    def do_GET(self):  # noqa: N802
        self.server.requests.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = self.server.broken.get(self.path)
        self.wfile.write(body if cut is None else body[:cut])
        self.wfile.flush()
        if cut is not None:
            self.connection.close()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1: put bytes in ``server.files["/name"]``, get ``server.url("/name")``;
    ``server.requests`` lists the paths asked for."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files, httpd.broken, httpd.requests = {}, {}, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = lambda path: f"http://127.0.0.1:{httpd.server_address[1]}{path}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True, scope="session")
def _korean_font():
    """Figures carry Korean text, as in the notebooks (whose setup cell sets this font): no missing-glyph warnings."""
    from helpers._course import session

    session._use_korean_font()
