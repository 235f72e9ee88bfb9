"""The notebook's first cell: check the libraries, seed every random generator, set the Korean
font, and print the banner that says which mode runs and where the data come from."""

from __future__ import annotations

from .config import data_dir, is_quick, quick_mode_source, set_seed

# Oldest versions the notebooks are written for; OpenCV must stay below 5 (no Darknet importer).
MIN_VERSIONS = {"tensorflow": "2.16", "keras": "3.0", "numpy": "1.26", "matplotlib": "3.9",
                "sklearn": "1.3", "cv2": "4.5"}


def check_versions(modules=("tensorflow", "keras", "numpy", "matplotlib", "sklearn", "cv2")) -> dict:
    """Import the given libraries, compare with :data:`MIN_VERSIONS`, return ``{name: version}``.

    Raises ``RuntimeError`` with the fix when a library is too old, or when OpenCV is 5.x
    (5.0 removed the Darknet importer that 프로그램 6-12 needs).

    Example:
        >>> from packaging.version import Version
        >>> Version(check_versions(("numpy",))["numpy"]) >= Version(MIN_VERSIONS["numpy"])
        True
    """
    import importlib

    from packaging.version import Version

    found = {}
    for name in modules:
        module = importlib.import_module(name)
        version = str(getattr(module, "__version__", "0"))
        found[name] = version
        if Version(version) < Version(MIN_VERSIONS.get(name, "0")):
            raise RuntimeError(
                f"{name} {version} is older than the {MIN_VERSIONS[name]} these notebooks need: "
                "run `pip install -r requirements.txt` (or `make lab`)."
            )
        if name == "cv2" and Version(version) >= Version("5"):
            raise RuntimeError(
                f"OpenCV {version} has no Darknet importer (removed in 5.0), so YOLOv3 cannot load. "
                'Install a 4.x release: pip install "opencv-python-headless<5"'
            )
    return found


def setup(modules=("tensorflow", "keras", "numpy", "matplotlib", "sklearn"), *, use_checkpoint: bool = False) -> None:
    """The first cell of every notebook: check versions, seed every RNG, Korean font, and print
    the banner (versions, seed, mode and how it was chosen, where the data come from).

    It is the one helper that prints instead of returning: the banner is its job.

    Example:
        >>> env(CH6_QUICK="1", CH6_DATA_DIR=None); setup(modules=("numpy",))  # doctest: +ELLIPSIS
        numpy ...
        난수 씨앗(seed): 2024
        ⚡ 빠른 모드 (환경 변수 CH6_QUICK=1): ...
    """
    found = check_versions(modules)
    value = set_seed()
    use_korean_font()
    print(" · ".join(f"{name} {version}" for name, version in found.items()))
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
        print("데이터: CH6_DATA_DIR에서 읽습니다 (오프라인).")
    print("강의용 재생(USE_CHECKPOINT = True): 학습하지 않고 이 프로젝트가 저장한 전체 실행 결과를 보여 줍니다." if use_checkpoint
          else "USE_CHECKPOINT = False: 학습 셀이 직접 학습합니다 (강의에서 학습 없이 보이려면 True로 바꾸고 이 셀을 다시 실행).")


KOREAN_FONT = "NanumGothic"


def use_korean_font() -> str:
    """Make Korean text in figures render as Korean (not boxes); return the font's file.

    Uses the NanumGothic font that ships inside the ``koreanize-matplotlib`` package,
    so it works the same in JupyterLab, Colab and CI without a system font.

    Example:
        >>> use_korean_font().endswith(".ttf")
        True
    """
    import matplotlib.pyplot
    from matplotlib import font_manager

    try:
        import koreanize_matplotlib  # noqa: F401  (registers NanumGothic and sets rcParams)
    except ImportError:
        raise RuntimeError(
            "Korean text needs the koreanize-matplotlib package: "
            "run `pip install koreanize-matplotlib` (it is in requirements.txt)."
        ) from None
    matplotlib.pyplot.rcParams["font.family"] = KOREAN_FONT
    matplotlib.pyplot.rcParams["axes.unicode_minus"] = False
    return font_manager.findfont(KOREAN_FONT, fallback_to_default=False)
