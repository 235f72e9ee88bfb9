"""The notebook's first cell: check the libraries, seed every random generator, set the Korean
font, make ``import cv2`` give OpenCV 4.x where the runtime ships 5.x (Colab), and print the
banner that says which mode runs and which data the notebook reads."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .config import cache_dir, child_environment, data_dir, is_quick, quick_mode_source, set_seed

# Oldest versions the notebooks are written for; OpenCV must stay below 5 (no Darknet importer).
_MIN_VERSIONS = {"tensorflow": "2.16", "keras": "3.0", "numpy": "1.26", "matplotlib": "3.9",
                "sklearn": "1.3", "cv2": "4.5"}
_PIP_NAMES = {"cv2": "opencv-python-headless", "sklearn": "scikit-learn"}
# requirements.txt's OpenCV.  5.0 removed cv2.dnn.readNetFromDarknet, which 프로그램 6-12 needs.
_OPENCV4 = "opencv-python-headless==4.14.0.94"
_RESTART = "런타임(커널)을 다시 시작한 뒤(Colab: 런타임 → 세션 다시 시작) 이 셀부터 다시 실행하세요"
_DRIVE = Path("/content/drive")                  # where Colab mounts Google Drive
_KOREAN_FONT = "NanumGothic"
# The datasets' official sizes (train, test), to say whether an offline copy is whole.
_DATASETS = {"mnist": ("MNIST", 60000, 10000), "fashion_mnist": ("Fashion-MNIST", 60000, 10000),
            "cifar10": ("CIFAR-10", 50000, 10000)}


def _check_versions(modules=("tensorflow", "keras", "numpy", "matplotlib", "sklearn", "cv2")) -> dict:
    """Import the given libraries, compare with :data:`_MIN_VERSIONS`, return ``{name: version}``;
    a missing or too old library (or OpenCV 5.x) raises ``RuntimeError`` saying what to install."""
    from packaging.version import Version

    found = {}
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            raise RuntimeError(f"{name}을(를) 불러올 수 없습니다({error}). `pip install {_PIP_NAMES.get(name, name)}`"
                               f"(로컬에서는 `pip install -r requirements.txt`)로 설치하고 {_RESTART}.") from error
        version = found[name] = str(getattr(module, "__version__", "0"))
        if Version(version) < Version(_MIN_VERSIONS.get(name, "0")):
            raise RuntimeError(f"{name} {version}은(는) 너무 오래되었습니다. 이 노트북에는 {_MIN_VERSIONS[name]} 이상이 "
                               f"필요합니다: `pip install -r requirements.txt`(또는 `make lab`)로 설치하고 {_RESTART}.")
        if name == "cv2" and Version(version) >= Version("5"):
            raise RuntimeError(f"OpenCV {version}에는 프로그램 6-12(YOLOv3)가 쓰는 readNetFromDarknet이 없습니다"
                               f'(5.0에서 제거). `%pip install "{_OPENCV4}"`를 실행하고 {_RESTART}.')
    return found


def _cv2_version_on_path() -> str | None:
    """The OpenCV version ``import cv2`` would give, read from ``cv2/version.py`` without importing
    it (importing would fix the version for the kernel's lifetime); None if there is no cv2 package."""
    spec = importlib.util.find_spec("cv2")
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        return None
    version_file = Path(spec.origin).parent / "version.py"
    match = re.search(r'opencv_version\s*=\s*"([^"]+)"', version_file.read_text()) if version_file.is_file() else None
    return match.group(1) if match else None


def _use_opencv4() -> str | None:
    """Where the ``cv2`` on the path is 5.x (Colab since 2026-08: three OpenCV wheels share one
    ``cv2/`` folder), install :data:`_OPENCV4` once into ``<cache>/opencv4`` and put that folder
    first on ``sys.path``, so that ``import cv2`` gives 4.x in this kernel and the runtime's own
    packages stay as they are.  Return the line to print, or None when nothing had to change.

    pip installs into a temporary sibling that is renamed into place only when complete, so an
    interrupted run leaves no half folder behind."""
    if "cv2" in sys.modules:                        # too late to choose: the kernel has one already
        version = str(getattr(sys.modules["cv2"], "__version__", "0"))
        if int(version.split(".")[0]) >= 5:
            raise RuntimeError(f"OpenCV {version}을(를) 이미 불러와서 4.x로 바꿀 수 없습니다. {_RESTART}"
                               " (준비 셀을 cv2보다 먼저 실행해야 합니다).")
        return None
    version = _cv2_version_on_path()
    if version is None or int(version.split(".")[0]) < 5:
        return None                                 # 4.x (or no OpenCV: _check_versions says so)
    target = cache_dir() / "opencv4" / _OPENCV4.replace("==", "-")
    fresh = not (target / "cv2" / "version.py").is_file()
    if fresh:
        _pip_install_into(target, version)
    if str(target) not in sys.path:
        sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    now = _cv2_version_on_path()
    if now is None or not now.startswith("4."):
        raise RuntimeError(f"{target}에 받은 OpenCV를 쓸 수 없습니다({now}). 그 폴더를 지우고 {_RESTART}.")
    where = f"OpenCV {now} 버전을 {target}에 받아" if fresh else f"전에 {target}에 받아 둔 OpenCV {now} 버전을"
    return (f"OpenCV: 이 런타임의 {version}에는 Darknet 모델을 읽는 함수가 없어, {where} 이 커널에서 씁니다 "
            "(런타임에 설치된 패키지는 그대로).")


def _pip_install_into(target: Path, version: str) -> None:
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        if not _running(int(leftover.name.split(".")[-2])):
            shutil.rmtree(leftover, ignore_errors=True)      # an interrupted earlier run's
    work = target.parent / f".{target.name}.{os.getpid()}.tmp"
    (work / "tmp").mkdir(parents=True, exist_ok=True)     # pip's own scratch space too: nothing leaks
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--only-binary=:all:",
                           "--disable-pip-version-check", "--target", str(work / "files"), _OPENCV4],
                          capture_output=True, text=True, env=child_environment(TMPDIR=work / "tmp"))
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        reason = (done.stderr.strip().splitlines() or ["pip이 실패했습니다"])[-1]
        raise RuntimeError(
            f"이 런타임의 OpenCV {version}에는 프로그램 6-12(YOLOv3)가 쓰는 readNetFromDarknet이 없어 OpenCV 4.x를 "
            f"받으려 했지만 받지 못했습니다({reason}). 인터넷 연결을 확인하고 새 셀에서 다음 줄을 실행한 다음, {_RESTART}.\n"
            f'%pip install "{_OPENCV4}"')
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work / "files", target)
    shutil.rmtree(work, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def setup(modules=("tensorflow", "keras", "numpy", "matplotlib", "sklearn"), *, use_checkpoint: bool = False) -> None:
    """The first cell of every notebook: check versions (and bring OpenCV 4.x when ``cv2`` is
    asked for), seed every RNG, Korean font, and print the banner (versions, seed, mode and how it
    was chosen, the data, replay or training).

    It is the one helper that prints instead of returning: the banner is its job.

    Example:
        >>> env(CH6_QUICK="1", CH6_DATA_DIR=None); setup(modules=("numpy",))  # doctest: +ELLIPSIS
        numpy ...
        난수 씨앗(seed): 2024
        ⚡ 빠른 모드 (환경 변수 CH6_QUICK=1): ...
    """
    cache = _mount_drive_for(cache_dir())
    opencv = _use_opencv4() if "cv2" in modules else None
    found = _check_versions(modules)
    value = set_seed()
    _use_korean_font()
    print(" · ".join(f"{name} {version}" for name, version in found.items()))
    if opencv:
        print(opencv)
    if "tensorflow" in found:
        # Asking for devices here makes TensorFlow's one-time CUDA probe log in this cell.
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        print(f"GPU: {len(gpus)}개" if gpus else
              "GPU: 없음 — CPU로 실행합니다 (전체 모드는 오래 걸립니다; Colab에서는 런타임 > GPU).")
    print(f"난수 씨앗(seed): {value}")
    source = quick_mode_source()
    how = {"set_quick_mode": "helpers.set_quick_mode()로 정함", "default": "기본값"}.get(source, f"환경 변수 {source}")
    if is_quick():
        print(f"⚡ 빠른 모드 ({how}): 세대 수와 데이터를 줄여 실행합니다. 정확률은 책과 비교할 수 없습니다.")
    else:
        print(f"전체 모드 ({how}): 책과 같은 설정으로 실행합니다 (CPU에서는 오래 걸릴 수 있습니다).")
    if data_dir() is not None:
        print(_data_line(data_dir()))
    if cache.is_relative_to(_DRIVE):
        print(f"캐시: 구글 드라이브 {cache} (새 런타임에서도 받은 파일이 남습니다)")
    print("강의용 재생(USE_CHECKPOINT = True): 학습하지 않고 이 프로젝트가 저장한 전체 실행 결과를 보여 줍니다." if use_checkpoint
          else "USE_CHECKPOINT = False: 학습 셀이 직접 학습합니다 (강의에서 학습 없이 보이려면 True로 바꾸고 이 셀을 다시 실행).")


def _mount_drive_for(cache: Path) -> Path:
    """On Colab, a cache on Google Drive (the setup cell's ``%env CH6_CACHE_DIR=/content/drive/…``
    line) needs the drive mounted first; mount it (Colab asks for permission once)."""
    if "google.colab" in sys.modules and cache.is_relative_to(_DRIVE) and not (_DRIVE / "MyDrive").is_dir():
        from google.colab import drive

        drive.mount(str(_DRIVE))
    return cache


def _data_line(folder: Path) -> str:
    """The banner's line on the offline data: which datasets, how many images, whole or a part."""
    found = []
    for name, (title, *whole) in _DATASETS.items():
        if (folder / f"{name}.npz").is_file():
            sizes = _npz_rows(folder / f"{name}.npz")
            found.append(title if sizes is None else
                         f"{title} {'전체' if list(sizes) == whole else '일부'} {sizes[0]:,}/{sizes[1]:,}")
    return f"데이터: 오프라인 사본 — {' · '.join(found) or '이 폴더에는 데이터 파일이 없습니다'} ({folder})"


def _npz_rows(path: Path) -> tuple[int, int] | None:
    """Rows of ``x_train`` and ``x_test`` in a .npz, read from the array headers only."""
    import zipfile

    import numpy as np

    try:
        with zipfile.ZipFile(path) as archive:
            rows = []
            for key in ("x_train", "x_test"):
                with archive.open(f"{key}.npy") as member:
                    major, minor = np.lib.format.read_magic(member)
                    rows.append(getattr(np.lib.format, f"read_array_header_{major}_{minor}")(member)[0][0])
        return rows[0], rows[1]
    except (OSError, KeyError, ValueError, AttributeError, zipfile.BadZipFile):
        return None


def _use_korean_font() -> str:
    """Make Korean text in figures render as Korean (not boxes); return the font's file.

    Uses the NanumGothic that ships inside ``koreanize-matplotlib`` (Colab's OS has no Korean
    font), ahead of any system copy, so figures look the same everywhere."""
    import matplotlib.pyplot
    from matplotlib import font_manager

    try:
        import koreanize_matplotlib  # registers its fonts and sets rcParams
    except ImportError as error:     # on Python 3.12+ it also needs setuptools (distutils)
        raise RuntimeError(f"그림의 한글에 쓰는 koreanize-matplotlib를 불러올 수 없습니다({error}). "
                           f"`pip install koreanize-matplotlib setuptools`로 설치하고 {_RESTART}.") from None
    bundled = Path(koreanize_matplotlib.__file__).parent
    # Matplotlib keeps the first of equally good fonts, and system fonts (e.g. Debian's fonts-nanum)
    # come first: put the bundled files ahead, then forget earlier look-ups.
    font_manager.fontManager.ttflist.sort(key=lambda font: not Path(font.fname).is_relative_to(bundled))
    getattr(font_manager.fontManager._findfont_cached, "cache_clear", lambda: None)()
    matplotlib.pyplot.rcParams["font.family"] = _KOREAN_FONT
    matplotlib.pyplot.rcParams["axes.unicode_minus"] = False
    return font_manager.findfont(_KOREAN_FONT, fallback_to_default=False)
