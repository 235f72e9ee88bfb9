"""helpers._course.session: the setup cell's checks, banner, Korean font and OpenCV 4.x on a 5.x runtime."""

import shutil
import subprocess
import sys
import types
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager

from helpers._course import config, session

PIP_LINE = '%pip install "opencv-python-headless==4.14.0.94"'


def test_check_versions_reports_and_rejects_in_korean(monkeypatch):
    found = session._check_versions(("numpy", "matplotlib"))
    assert set(found) == {"numpy", "matplotlib"}
    import cv2

    monkeypatch.setattr(cv2, "__version__", "5.0.0")
    with pytest.raises(RuntimeError, match="readNetFromDarknet이 없습니다") as error:
        session._check_versions(("cv2",))
    assert PIP_LINE in str(error.value) and "다시 시작" in str(error.value)
    monkeypatch.setattr(np, "__version__", "1.20.0")
    with pytest.raises(RuntimeError, match=r"numpy 1\.20\.0은\(는\) 너무 오래되었습니다.*pip install -r requirements\.txt"):
        session._check_versions(("numpy",))
    with pytest.raises(RuntimeError, match=r"no_such_library을\(를\) 불러올 수 없습니다.*pip install no_such_library"):
        session._check_versions(("no_such_library",))


def test_setup_prints_versions_seed_and_how_the_mode_was_chosen(env, capsys):
    env(CH6_QUICK="1", CH6_SEED="5", CH6_DATA_DIR=None)
    assert session.setup(modules=("numpy",)) is None
    out = capsys.readouterr().out
    assert f"numpy {np.__version__}" in out and "난수 씨앗(seed): 5" in out
    assert "⚡ 빠른 모드 (환경 변수 CH6_QUICK=1)" in out and "USE_CHECKPOINT = False" in out
    env(CH6_QUICK="0")
    session.setup(modules=("numpy",), use_checkpoint=True)
    out = capsys.readouterr().out
    assert "전체 모드 (환경 변수 CH6_QUICK=0)" in out and "강의용 재생(USE_CHECKPOINT = True)" in out
    config.set_quick_mode(True)
    session.setup(modules=("numpy",))
    assert "빠른 모드 (helpers.set_quick_mode()로 정함)" in capsys.readouterr().out


def test_the_banner_names_the_data_not_a_variable(env, capsys, tmp_path):
    rows = {"x_train": np.zeros((5, 28, 28), np.uint8), "x_test": np.zeros((2, 28, 28), np.uint8)}
    np.savez(tmp_path / "mnist.npz", **rows, y_train=np.zeros(5, np.uint8), y_test=np.zeros(2, np.uint8))
    env(CH6_DATA_DIR=tmp_path)
    session.setup(modules=("numpy",))
    out = capsys.readouterr().out
    assert f"데이터: 오프라인 사본 — MNIST 일부 5/2 ({tmp_path})" in out
    assert "CH6_" not in out.replace("CH6_QUICK", "")          # the mode line may name the variable it read
    env(CH6_DATA_DIR=None)
    session.setup(modules=("numpy",))
    assert "데이터:" not in capsys.readouterr().out               # keras.datasets: the loaders say what they read


def test_the_banner_counts_the_shared_offline_copy(offline_data):
    line = session._data_line(offline_data)
    assert "MNIST 전체 60,000/10,000" in line and "CIFAR-10 " in line


# ------------------------------------------------------------------ OpenCV 4.x on a 5.x runtime

def _fake_cv2(folder: Path, version: str) -> Path:
    (folder / "cv2").mkdir(parents=True)
    (folder / "cv2" / "__init__.py").write_text(f'__version__ = "{version[:5]}"\n')
    (folder / "cv2" / "version.py").write_text(f'opencv_version = "{version}"\n')
    return folder


@pytest.fixture
def runtime_with_opencv5(tmp_path, monkeypatch, env):
    """A kernel whose ``import cv2`` would give 5.0 (cv2 not imported yet) and an empty cache; pip is
    replaced by a stand-in that records its command and installs a fake 4.14 where ``--target`` says."""
    monkeypatch.setattr(sys, "path", [str(_fake_cv2(tmp_path / "site", "5.0.0.93"))] + sys.path)
    monkeypatch.delitem(sys.modules, "cv2", raising=False)
    env(CH6_CACHE_DIR=tmp_path / "cache")
    calls = []

    def pip(command, **kwargs):
        calls.append((command, kwargs))
        _fake_cv2(Path(command[command.index("--target") + 1]), "4.14.0.94")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(session.subprocess, "run", pip)
    return tmp_path / "cache" / "opencv4", calls


def test_opencv4_is_installed_beside_the_runtime_and_used_first(runtime_with_opencv5):
    folder, calls = runtime_with_opencv5
    assert session._cv2_version_on_path() == "5.0.0.93"
    line = session._use_opencv4()
    target = folder / "opencv-python-headless-4.14.0.94"
    assert line == (f"OpenCV: 이 런타임의 5.0.0.93에는 Darknet 모델을 읽는 함수가 없어, OpenCV 4.14.0.94 버전을 "
                    f"{target}에 받아 이 커널에서 씁니다 (런타임에 설치된 패키지는 그대로).")
    (command, kwargs), = calls
    assert command[:3] == [sys.executable, "-m", "pip"] and command[-1] == "opencv-python-headless==4.14.0.94"
    assert {"--no-deps", "--only-binary=:all:"} <= set(command)
    assert Path(kwargs["env"]["TMPDIR"]).parent.parent == folder   # pip's scratch space is inside the cache
    assert sys.path[0] == str(target) and session._cv2_version_on_path() == "4.14.0.94"
    assert sorted(p.name for p in folder.iterdir()) == [target.name]   # nothing temporary left
    assert session._use_opencv4() is None                           # the same kernel again: 4.x already
    sys.path.remove(str(target))                                    # a new kernel: 5.0 again, the folder kept
    assert f"전에 {target}에 받아 둔 OpenCV 4.14.0.94 버전을" in session._use_opencv4() and len(calls) == 1   # no pip
    assert sys.path.count(str(target)) == 1


def test_an_interrupted_install_is_never_used_and_is_cleaned_up(runtime_with_opencv5):
    folder, calls = runtime_with_opencv5
    dead = folder / ".opencv-python-headless-4.14.0.94.999999999.tmp"
    (dead / "files" / "cv2").mkdir(parents=True)                   # pip killed half-way, long ago
    session._use_opencv4()
    assert not dead.exists() and len(calls) == 1


def test_without_network_the_message_is_korean_and_exact(runtime_with_opencv5, monkeypatch):
    folder, _ = runtime_with_opencv5
    failed = subprocess.CompletedProcess([], 1, "", "ERROR: No matching distribution found for opencv-python-headless==4.14.0.94")
    monkeypatch.setattr(session.subprocess, "run", lambda command, **kwargs: failed)
    with pytest.raises(RuntimeError) as error:
        session.setup(modules=("cv2",))
    message = str(error.value)
    assert message.startswith("이 런타임의 OpenCV 5.0.0.93에는 프로그램 6-12(YOLOv3)가 쓰는 readNetFromDarknet이 없어")
    assert "No matching distribution" in message and "인터넷 연결을 확인하고" in message
    assert message.endswith("새 셀에서 다음 줄을 실행한 다음, 런타임(커널)을 다시 시작한 뒤(Colab: 런타임 → 세션 다시 시작) "
                            f"이 셀부터 다시 실행하세요.\n{PIP_LINE}")
    assert list(folder.iterdir()) == []                             # no half-written folder


def test_a_runtime_with_opencv4_is_never_touched(monkeypatch, capsys):
    monkeypatch.setattr(session.subprocess, "run", lambda *a, **k: pytest.fail("pip must not run"))
    path = list(sys.path)
    session.setup(modules=("cv2",))
    import cv2

    assert cv2.__version__.startswith("4.") and sys.path == path
    assert "OpenCV:" not in capsys.readouterr().out


def test_an_opencv5_already_imported_asks_for_a_restart(monkeypatch):
    monkeypatch.setitem(sys.modules, "cv2", types.SimpleNamespace(__version__="5.0.0"))
    with pytest.raises(RuntimeError, match=r"OpenCV 5\.0\.0을\(를\) 이미 불러와서 4\.x로 바꿀 수 없습니다\. 런타임"):
        session._use_opencv4()


# ------------------------------------------------------------------ Google Drive cache on Colab

def test_a_cache_on_google_drive_is_mounted_first(monkeypatch, env, tmp_path, capsys):
    mounted = []
    drive = types.SimpleNamespace(mount=lambda where: mounted.append(where) or (tmp_path / "MyDrive").mkdir())
    colab = types.ModuleType("google.colab")
    colab.drive = drive
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(session, "_DRIVE", tmp_path)
    env(CH6_CACHE_DIR=tmp_path / "MyDrive" / "ch6-cache", CH6_DATA_DIR=None)
    session.setup(modules=("numpy",))
    assert mounted == [str(tmp_path)]
    assert f"캐시: 구글 드라이브 {tmp_path / 'MyDrive' / 'ch6-cache'}" in capsys.readouterr().out
    session.setup(modules=("numpy",))                               # mounted already: not again
    assert len(mounted) == 1


# ------------------------------------------------------------------ Korean font

def test_korean_text_uses_the_bundled_font_even_with_a_system_copy(tmp_path, monkeypatch):
    import koreanize_matplotlib

    bundled = Path(koreanize_matplotlib.__file__).parent
    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", list(manager.ttflist))
    system = tmp_path / "NanumGothic.ttf"                          # what Debian's fonts-nanum adds, listed first
    shutil.copy(bundled / "fonts" / "NanumGothic.ttf", system)
    manager.addfont(str(system))
    manager.ttflist.insert(0, manager.ttflist.pop())
    manager._findfont_cached.cache_clear()
    assert font_manager.findfont("NanumGothic") == str(system)     # without the fix the system copy wins
    path = session._use_korean_font()
    assert Path(path).is_relative_to(bundled) and path.endswith("NanumGothic.ttf")
    figure = plt.figure()
    plt.title("정확률")
    plt.xlabel("세대")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.canvas.draw()
    assert not [w for w in caught if "missing from" in str(w.message)]
    used = {font_manager.findfont(t.get_fontproperties()) for t in figure.findobj(plt.Text) if t.get_text()}
    assert used and all(Path(p).is_relative_to(bundled) for p in used), used
    from matplotlib.ft2font import FT2Font

    font = FT2Font(path)
    assert all(font.get_char_index(ord(char)) != 0 for char in "정확률손실")   # the glyphs exist


def test_a_missing_korean_font_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "koreanize_matplotlib", None)         # import fails
    with pytest.raises(RuntimeError, match=r"koreanize-matplotlib를 불러올 수 없습니다.*pip install koreanize-matplotlib setuptools"):
        session._use_korean_font()
