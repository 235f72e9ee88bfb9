"""`make download`: fetch everything the notebooks and tests need, so that afterwards they run offline.

    python tools/download.py [--with cub,yolov3,yolov3-tiny,resnet50]

The data sets go through keras.datasets (into ~/.keras/datasets), the registry's files
(helpers/_course/downloads.py) into the download folder (~/.cache/ch6), each checked against its
checksum.  The big files are fetched only when asked (--with), and their sizes are said first.
Files already here (the cache, or the offline assets CH6_DATA_DIR names) are not fetched again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers._course import config, datasets, downloads  # noqa: E402

# --with choices: the registry's big files, and ResNet50's ImageNet weights (Keras's own cache, 6.7 full mode)
ASKED = {"cub": "CUB_200_2011.tgz", "yolov3": "yolov3.weights", "yolov3-tiny": "yolov3-tiny.weights",
         "resnet50": None}


def _size(name: str) -> str:
    size = downloads.REGISTRY[name].size
    return f"{size / 1e6:,.1f} MB" if size else "크기 미상"


def plan(asked: list[str]) -> tuple[list[str], list[str]]:
    """``(data sets, registry files)`` still to fetch: all but those here, the big ones only if asked."""
    files = [name for name in downloads.REGISTRY if name not in downloads.ON_REQUEST]
    files += [ASKED[key] for key in asked if ASKED[key]]
    return downloads.missing(*datasets.NAMES), downloads.missing(*files)


def _resnet50() -> None:
    import keras

    from helpers import transfer

    keras.utils.get_file(transfer.RESNET50_NOTOP, transfer.RESNET50_NOTOP_URL, cache_subdir="models",
                         file_hash=transfer.RESNET50_NOTOP_MD5)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with", dest="asked", default="", help=f"comma-separated: {', '.join(ASKED)}")
    asked = [key.strip() for key in parser.parse_args(argv).asked.split(",") if key.strip()]
    unknown = sorted(set(asked) - set(ASKED))
    if unknown:
        parser.error(f"--with {', '.join(unknown)}: 알 수 없는 이름입니다. 고를 수 있는 것: {', '.join(ASKED)}")
    data_sets, files = plan(asked)
    print(f"내려받을 곳: {config.download_dir()} (파일), {config.keras_dir() / 'datasets'} (데이터셋)")
    print(f"데이터셋 {len(data_sets)}개 (keras.datasets): {', '.join(data_sets) or '모두 있음'}")
    total = sum(downloads.REGISTRY[name].size or 0 for name in files)
    print(f"파일 {len(files)}개, {total / 1e6:,.1f} MB: {', '.join(files) or '모두 있음'}")
    for key, name in ASKED.items():
        if key not in asked and name and downloads.missing(name):
            print(f"  요청할 때만: {name} ({_size(name)}) → make download WITH={key}")
    if "resnet50" not in asked:
        print("  요청할 때만: ResNet50의 ImageNet 가중치(6.7 전체 모드) → make download WITH=resnet50")

    failed = []
    for name in data_sets:
        try:
            datasets.load(name)
            print(f"✓ {name}")
        except datasets.DatasetUnavailableError as error:
            failed.append(f"{name}: {error}")
    for name in files:
        try:
            print(f"✓ {name} → {downloads.fetch(name)}")
        except downloads.DownloadError as error:
            failed.append(str(error))
    if "resnet50" in asked:
        try:
            _resnet50()
            print("✓ ResNet50 ImageNet 가중치")
        except Exception as error:  # Keras raises plain Exceptions for network errors
            failed.append(f"ResNet50 ImageNet 가중치: {type(error).__name__}: {error}")
    if failed:
        print(f"\n{len(failed)}개를 받지 못했습니다. 인터넷 연결을 확인하고 다시 실행하세요(받은 것은 남아 있습니다):",
              *failed, sep="\n", file=sys.stderr)
        return 1
    print("모두 준비되었습니다: 이제 인터넷 없이 노트북과 테스트를 돌릴 수 있습니다.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
