"""Check, before hours of training, that a refresh command has every input it needs; refuse otherwise.

    python tools/preflight.py checkpoints|full

Checks the full mode, the data (the full CIFAR-10: 50,000/10,000), the files the notebooks open
(full: the registry's files, the YOLO model's files, CUB) and the free disk space where the outputs go.
Exit status 1 and one line per problem, each saying what to do.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers._course import config, datasets, downloads  # noqa: E402

FULL_SIZES = {"mnist": (60000, 10000), "fashion_mnist": (60000, 10000), "cifar10": (50000, 10000)}
# Headroom for what a refresh writes: saved models, checkpoints and results (19 MB in helpers/_course/saved/ when
# this was written), Keras's temporaries; preparing CUB from its archive needs the archive's size again.
FREE_BYTES = 500_000_000


def _npz_lengths(path: Path) -> tuple[int, int]:
    """(train, test) lengths from the .npz's array headers, without reading the arrays."""
    with zipfile.ZipFile(path) as archive:
        lengths = []
        for split in ("x_train", "x_test"):
            with archive.open(f"{split}.npy") as handle:
                read = {(1, 0): np.lib.format.read_array_header_1_0,
                        (2, 0): np.lib.format.read_array_header_2_0}[np.lib.format.read_magic(handle)]
                lengths.append(read(handle)[0][0])
    return tuple(lengths)


def problems(command: str) -> list[str]:
    """What stops ``command`` (``checkpoints`` or ``full``) from running to the end; empty when all is ready."""
    found = []
    try:
        if config.is_quick():
            found.append("빠른 모드입니다: 갱신은 전체 모드로만 합니다(CH6_QUICK=0).")
    except ValueError as error:
        found.append(str(error))
    missing = downloads.missing(*datasets.NAMES)
    if missing:
        found.append(f"데이터셋 {', '.join(missing)}이(가) 없습니다: `make download`로 받거나, CH6_DATA_DIR을 "
                     "전체 데이터가 있는 폴더로 정하세요.")
    folder = config.data_dir()
    for name in sorted(set(datasets.NAMES) - set(missing)):
        if folder is not None:
            try:
                lengths = _npz_lengths(folder / f"{name}.npz")
            except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
                found.append(f"{folder / f'{name}.npz'}을(를) 읽을 수 없습니다({error}): 좋은 사본으로 바꾸세요.")
                continue
            if lengths != FULL_SIZES[name]:
                found.append(f"{folder / f'{name}.npz'}는 {lengths[0]:,}/{lengths[1]:,}장으로, 전체 {name}"
                             f"({FULL_SIZES[name][0]:,}/{FULL_SIZES[name][1]:,}장)이 아닙니다: 전체 데이터가 있는 "
                             "폴더를 CH6_DATA_DIR로 정하거나(공유 자료: ../shared/tools/make_full_cifar10.py OUT_DIR), "
                             "CH6_DATA_DIR을 지워 Keras의 전체 데이터를 쓰세요.")
    if command == "full":
        model = config.yolo_model_name()
        wanted = [n for n in downloads.REGISTRY if n not in downloads.ON_REQUEST]
        wanted += [f"{model}.cfg", f"{model}.weights"] if f"{model}.cfg" in downloads.REGISTRY else []
        absent = downloads.missing(*dict.fromkeys(wanted), "cub")
        if absent:
            asks = ",".join(key for key, name in (("yolov3", "yolov3.weights"), ("cub", "cub")) if name in absent)
            found.append(f"노트북이 여는 파일 {', '.join(absent)}이(가) 없습니다: `make download"
                         f"{' WITH=' + asks if asks else ''}`로 먼저 받으세요.")
    outputs = {ROOT / "helpers" / "_course" / "saved", config.cache_dir()}
    for place in sorted(outputs):
        existing = next(p for p in [place, *place.parents] if p.exists())
        free = shutil.disk_usage(existing).free
        if free < FREE_BYTES:
            found.append(f"{place}에 빈 공간이 {free / 1e6:,.0f} MB뿐입니다(적어도 {FREE_BYTES / 1e6:,.0f} MB 필요): "
                         "공간을 비우거나 CH6_CACHE_DIR을 다른 디스크로 정하세요.")
    return found


def main(argv: list[str]) -> int:
    if argv not in (["checkpoints"], ["full"]):
        print(__doc__)
        return 2
    found = problems(argv[0])
    if found:
        print(f"make {argv[0]} 명령을 시작하지 않습니다(학습 전에 확인한 문제 {len(found)}개):", *found, sep="\n  - ",
              file=sys.stderr)
        return 1
    print(f"make {argv[0]}: 데이터, 파일, 디스크 공간 모두 준비되었습니다.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
