"""The notebooks on a replica of Google Colab's runtime (``make test-colab`` builds it with
tools/colab_replica.py from tests/colab/runtime.txt and installs the project as the setup cell does).

pytest and nbclient run here, in the project's own .venv; the notebooks' code runs in the kernel
``colab-replica`` (the replica's Python, found through ``JUPYTER_PATH``).  Installing the test
tools into the replica would change Colab's traitlets and nbclient and stop it being Colab.
Skipped unless ``CH6_TEST_KERNEL=colab-replica`` (the make targets set it).  What the tests
measure (setup-cell and replay seconds) goes to build/colab/timings.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from helpers._course import config

ROOT = config.REPO_ROOT
REPLICA = ROOT / "build" / "colab"
PYTHON = REPLICA / "venv" / "bin" / "python"
KERNEL = "colab-replica"
NOTEBOOKS = {path.name[:3]: path for path in sorted((ROOT / "notebooks").glob("6.*.ipynb"))}
REPLAY_LIMIT = 120      # seconds: an instructor waits for the replay live (issue 23)

if os.environ.get("CH6_TEST_KERNEL") != KERNEL or not PYTHON.exists():
    pytest.skip("runs in the Colab replica: make test-colab (or make test-colab-ci)", allow_module_level=True)


def _tool():
    spec = importlib.util.spec_from_file_location("colab_replica", ROOT / "tools" / "colab_replica.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _record(name: str, seconds: float) -> None:
    path = REPLICA / "timings.json"
    timings = json.loads(path.read_text()) if path.exists() else {}
    timings[name] = round(seconds, 1)
    path.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n")


def _setup_cell(notebook: str) -> str:
    return nbformat.read(NOTEBOOKS[notebook], as_version=4).cells[1].source


def _environment(cache: Path, **values) -> dict:
    """The kernel's environment: this run's settings, a cache of its own, inline figures."""
    return config.child_environment(CH6_CACHE_DIR=cache, CH6_MODEL_DIR=None, CH6_RESULTS_DIR=None,
                                    CH6_CHECKPOINT_DIR=None, MPLBACKEND=None, **values)


def run_in_replica(sources: list[str], environment: dict, *, cwd: Path = ROOT / "notebooks", timeout: int = 900):
    """Run ``sources`` as cells in a fresh replica kernel; return (cells, seconds per cell).
    A failing cell raises nbclient's CellExecutionError (its message holds the traceback)."""
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    client = NotebookClient(notebook, kernel_name=KERNEL, timeout=timeout, resources={"metadata": {"path": str(cwd)}})
    seconds = []
    with client.setup_kernel(env=environment, cwd=str(cwd)):
        for index, cell in enumerate(notebook.cells):
            start = time.perf_counter()
            client.execute_cell(cell, index)
            seconds.append(time.perf_counter() - start)
    return notebook.cells, seconds


def _text(cell, name: str = "stdout") -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == name)


def _value(cell):
    """What a cell printed last, as JSON."""
    return json.loads(_text(cell).strip().splitlines()[-1])


# ------------------------------------------------------------------ the replica and the install

def test_the_replica_is_colab_and_the_install_changed_none_of_it():
    tool = _tool()
    before, after = ({tool.normal(line.split("==")[0]): line for line in (REPLICA / name).read_text().split()}
                     for name in ("freeze-before.txt", "freeze-after.txt"))
    first, last, _ = tool.read_pins(tool.RUNTIME)
    listed = {tool.normal(pin.split("==")[0]): pin.split("==")[1] for pin in first + last}
    assert {name: line.split("==")[1] for name, line in before.items()} == listed, \
        "the replica is not tests/colab/runtime.txt"
    assert "ch6-cnn-notebooks" in after, "the project was not installed into the replica (tools/colab_replica.py install)"
    diff = tool.changes(before, after)
    allowed = tool.allowed_changes()
    bad = [e for e in diff["changed"] + diff["removed"] if tool.normal(e.split("==")[0]) not in allowed]
    assert not bad, f"installing the project changed Colab's packages: {bad}"
    assert not set(allowed) - {tool.normal(e.split("==")[0]) for e in diff["changed"] + diff["removed"]}, \
        "tests/colab/allowed-changes.txt allows a change that no longer happens: remove it"


# ------------------------------------------------------------------ the setup cell of every notebook

OPENCV_TIMER = """
# The test's stopwatch around the setup cell's OpenCV step
import time
from helpers._course import session
_step = session._use_opencv4
def _timed(_step=_step):
    start = time.perf_counter()
    try:
        return _step()
    finally:
        print(f"OPENCV_SECONDS {time.perf_counter() - start:.2f}")
session._use_opencv4 = _timed
"""
AFTER_SETUP = ("import sys, json, importlib.metadata as m; cv2 = sys.modules.get('cv2'); print(json.dumps([sys.version.split()[0], "
               "cv2 and cv2.__version__, cv2 and hasattr(cv2.dnn, 'readNetFromDarknet'), m.version('ipywidgets')]))")


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS), ids=[f"nb{n.replace('.', '')}" for n in sorted(NOTEBOOKS)])
def test_setup_cell_runs_on_colab(notebook, tmp_path):
    """Each notebook's setup cell, verbatim, in a fresh replica kernel with an empty cache; 6.8's
    (which asks for cv2) again in a new kernel, as after a runtime restart, with the cache kept."""
    opencv = "cv2" in _setup_cell(notebook)
    runs = ("first", "later") if opencv else ("first",)
    for run in runs:
        cells, seconds = run_in_replica([OPENCV_TIMER, _setup_cell(notebook), AFTER_SETUP],
                                        _environment(tmp_path / "cache"))
        out = _text(cells[1])
        assert "난수 씨앗(seed): 2024" in out and "USE_CHECKPOINT = False" in out and "tensorflow 2.20.0" in out, out
        python, cv2, darknet, ipywidgets = _value(cells[2])
        assert python.startswith(_colab_python()) and ipywidgets == "7.7.1", (python, ipywidgets)
        _record(f"setup cell {notebook} ({run} run)", seconds[1])
        if opencv:
            assert cv2.startswith("4.") and darknet and f"cv2 {cv2}" in out, out
            line = next(l for l in out.splitlines() if l.startswith("OpenCV: "))
            assert line.startswith("OpenCV: 이 런타임의 5.0.0.93에는") and ("전에 " in line) == (run == "later"), line
            step = float(re.search(r"OPENCV_SECONDS ([\d.]+)", out).group(1))
            _record(f"  its OpenCV 4.x step ({run} run)", step)
        else:                           # Keras imports the runtime's cv2 (5.x) itself: left as it is
            assert "OPENCV_SECONDS" not in out and "OpenCV:" not in out
    frozen = subprocess.run([str(PYTHON), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True).stdout
    assert frozen == "".join(line + "\n" for line in (REPLICA / "freeze-after.txt").read_text().split()), \
        "the setup cell changed the replica's packages"


def _colab_python() -> str:
    _, _, wanted = _tool().read_pins(_tool().RUNTIME)
    return ".".join(wanted.split(".")[:2])


def test_without_network_the_opencv_message_says_what_to_run(tmp_path):
    """No package index reachable: the setup fails with the Korean message, and leaves nothing behind."""
    (tmp_path / "no-wheels").mkdir()
    environment = _environment(tmp_path / "cache", PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1",
                               PIP_FIND_LINKS=tmp_path / "no-wheels", CH6_QUICK="1")
    done = subprocess.run([str(PYTHON), "-c", "import helpers; helpers.setup(modules=('numpy', 'cv2'))"],
                          cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()
    assert last[-1] == '%pip install "opencv-python-headless==4.14.0.94"', done.stderr[-2000:]
    assert last[-2].startswith("RuntimeError: 이 런타임의 OpenCV 5.0.0.93에는 프로그램 6-12(YOLOv3)가 쓰는 "
                               "readNetFromDarknet이 없어 OpenCV 4.x를 받으려 했지만 받지 못했습니다")
    assert last[-2].endswith("인터넷 연결을 확인하고 새 셀에서 다음 줄을 실행한 다음, 런타임(커널)을 다시 시작한 뒤"
                             "(Colab: 런타임 → 세션 다시 시작) 이 셀부터 다시 실행하세요.")
    assert list((tmp_path / "cache" / "opencv4").iterdir()) == []


# ------------------------------------------------------------------ Korean font and widgets

FONT_CHECK = r'''
import json, warnings, matplotlib, matplotlib.pyplot as plt
from pathlib import Path
from matplotlib import font_manager
import koreanize_matplotlib
figure, axes = plt.subplots()
axes.set_title("정확률 (Model accuracy)"); axes.set_xlabel("세대"); axes.plot([1, 2, 3])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always"); figure.canvas.draw()
used = sorted({font_manager.findfont(t.get_fontproperties()) for t in figure.findobj(matplotlib.text.Text) if t.get_text()})
print(json.dumps([used, str(Path(koreanize_matplotlib.__file__).parent), [str(w.message) for w in caught]]))
'''

SYSTEM_NANUM = r'''
# What Debian's fonts-nanum would add: a NanumGothic that Matplotlib lists before koreanize's own.
import importlib.util, shutil, tempfile
from pathlib import Path
from matplotlib import font_manager
bundled = Path(importlib.util.find_spec("koreanize_matplotlib").submodule_search_locations[0]) / "fonts"
copy = Path(tempfile.mkdtemp()) / "NanumGothic.ttf"
shutil.copy(bundled / "NanumGothic.ttf", copy)
font_manager.fontManager.addfont(str(copy))
font_manager.fontManager.ttflist.insert(0, font_manager.fontManager.ttflist.pop())
'''


def test_korean_text_uses_the_font_the_project_brings(tmp_path):
    """Colab's OS has no Korean font: figures must use koreanize-matplotlib's, even where a system
    NanumGothic exists (this machine may have fonts-nanum from the browser test)."""
    cells, _ = run_in_replica([SYSTEM_NANUM, _setup_cell("6.4"), FONT_CHECK], _environment(tmp_path / "cache"))
    used, bundled, warned = _value(cells[2])
    assert used and all(Path(path).is_relative_to(bundled) for path in used), used
    assert not [w for w in warned if "missing from" in w], warned


WIDGETS = r'''
import json, numpy as np, keras, ipywidgets
from keras import layers
from helpers import detection
from helpers._course import darknet_files, widgets
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input(shape=(16, 16, 3)), layers.Conv2D(4, 3, activation="relu"),
                          layers.MaxPooling2D(2), layers.Conv2D(6, 3, activation="relu"), layers.Flatten(),
                          layers.Dense(3, activation="softmax")])
images = np.random.default_rng(0).random((4, 16, 16, 3)).astype("float32")
maps = widgets.feature_map_explorer(model, images)              # live: a kernel, as in a lecture
'''
WIDGETS_DRIVE = r'''
first = maps.figure
maps.controls["image"].value = 3
maps_changed = maps.figure is not first and maps.figure.texts[0].get_text().startswith("영상 3")
model = darknet_files.choose_model("yolo-fastest-1.1-xl", download=False)
net = detection.read_net(model.weights, model.cfg)
boxes = widgets.detection_explorer(net, detection.load_classes(model.names))
before = sorted(d["label"] for d in boxes.result.detections)
boxes.controls["confidence"].value = 0.9
print(json.dumps([ipywidgets.__version__, maps_changed, before, sorted(d["label"] for d in boxes.result.detections)]))
'''


def test_both_explorers_redraw_under_colabs_ipywidgets(tmp_path):
    cells, _ = run_in_replica([_setup_cell("6.8"), WIDGETS, WIDGETS_DRIVE], _environment(tmp_path / "cache", CH6_QUICK="1"))
    version, maps_changed, before, after = _value(cells[2])
    assert version == "7.7.1"
    shown = [o for cell in cells[1:] for o in cell.outputs if o.output_type == "display_data"]
    assert sum("application/vnd.jupyter.widget-view+json" in o.data for o in shown) == 2, shown
    assert maps_changed
    assert before == ["bicycle", "car", "dog"] and after == ["bicycle", "dog"]


# ------------------------------------------------------------------ lecture replay: no training

REPLAY_GUARD = r'''
# The replay test's guard: no network but the loopback, and every Keras fit() refused and counted.
import socket, keras
_connect = socket.socket.connect
def _loopback_only(self, address, _connect=_connect):
    if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(f"the replay test allows no network ({address[0]})")
    return _connect(self, address)
socket.socket.connect = _loopback_only
FIT_CALLS = []
def _no_fit(self, *args, **kwargs):
    FIT_CALLS.append(type(self).__name__)
    raise RuntimeError("USE_CHECKPOINT = True, yet a cell called fit()")
keras.Model.fit = _no_fit
'''


@pytest.mark.parametrize("notebook", ["6.4", "6.5", "6.6", "6.7"], ids=["nb64", "nb65", "nb66", "nb67"])
def test_lecture_replay_trains_nothing(notebook, tmp_path):
    """USE_CHECKPOINT = True in full mode: every cell runs, none calls fit(), within two minutes."""
    from nbclient.exceptions import CellExecutionError

    source = nbformat.read(NOTEBOOKS[notebook], as_version=4)
    setup = source.cells[1].source
    assert setup.count("USE_CHECKPOINT = False") == 1
    code = [cell.source for cell in source.cells[2:] if cell.cell_type == "code"]
    start = time.perf_counter()
    try:
        cells, _ = run_in_replica([REPLAY_GUARD, setup.replace("USE_CHECKPOINT = False", "USE_CHECKPOINT = True")]
                                  + code + ["import json; print(json.dumps(FIT_CALLS))"],
                                  _environment(tmp_path / "cache", CH6_QUICK="0"))
    except CellExecutionError as error:
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
        pytest.fail(f"{notebook} replay failed:\n{message[-2500:]}")
    seconds = time.perf_counter() - start
    _record(f"replay {notebook} (USE_CHECKPOINT = True, full mode, kernel start included)", seconds)
    assert _value(cells[-1]) == []
    epochs = [c.source.splitlines()[0] for c in cells if "Epoch 1/" in _text(c)]
    assert not epochs, f"cells that trained: {epochs}"
    assert seconds <= REPLAY_LIMIT, f"{notebook}'s replay took {seconds:.0f} s (limit {REPLAY_LIMIT} s)"


# ------------------------------------------------------------------ the Python versions the README claims

def test_the_pinned_requirements_install_on_exactly_the_pythons_the_readme_names(tmp_path):
    """For each Python version the README claims, pip finds a wheel for every pin of requirements.txt;
    for the versions just outside the range it does not (so the claim is neither too wide nor too narrow)."""
    low, high = _readme_python_range()
    results = {}
    for minor in range(low - 1, high + 2):
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "-q", "--no-deps",
                               "--only-binary=:all:", "--ignore-installed", "--python-version", f"3.{minor}",
                               "--target", str(tmp_path / "t"), "-r", str(ROOT / "requirements.txt")],
                              capture_output=True, text=True)
        results[minor] = done.returncode == 0
    assert results == {m: low <= m <= high for m in results}, f"installs on 3.x: {results}"


def _readme_python_range() -> tuple[int, int]:
    match = re.search(r"Python 3\.(\d+)–3\.(\d+)", (ROOT / "README.md").read_text(encoding="utf-8"))
    return int(match.group(1)), int(match.group(2))
