"""CUB-200-2011 (6.7) in the book's ``train/<class>/``, ``test/<class>/`` folders: downloaded on first
use (the official ``CUB_200_2011.tgz``, 1.15 GB, MD5 checked) and sorted by its official split.

Quick mode with nothing prepared takes only :data:`_QUICK_CLASSES` from the same archive into
``<cache>/CUB200-quick``.  Every folder is built in a hidden sibling and renamed when complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import zlib
from pathlib import Path

from . import config, downloads
from .files import WrongFileError, atomic_write, check_hash

_CUB_ARCHIVE = "CUB_200_2011.tgz"
_CUB_PAGE = "https://data.caltech.edu/records/65de6-vp158"
_CUB_LISTS = ("classes.txt", "images.txt", "train_test_split.txt")
_PREPARED_MARKER = ".prepared.json"
_QUICK_FOLDER = "CUB200-quick"
# The species of the offline sample (cub200_sample/), as CUB names them after the number.
_QUICK_CLASSES = ("Black_footed_Albatross", "Groove_billed_Ani", "Parakeet_Auklet", "Red_winged_Blackbird",
                 "Yellow_headed_Blackbird", "Bobolink", "Indigo_Bunting", "Lazuli_Bunting", "Painted_Bunting",
                 "Spotted_Catbird")


class CubError(RuntimeError):
    """The CUB archive or folder is missing, damaged or not in the expected layout."""


def ensure_cub(*, quick: bool | None = None, progress: bool = True) -> Path:
    """The folder :func:`helpers._course.config.cub_dir` names when it holds ``train/`` and ``test/``;
    otherwise, the first time only, the official archive downloaded (one line says so first) and
    prepared by :func:`prepare_cub` (quick mode: :data:`_QUICK_CLASSES` only, in its own folder)."""
    folder = config.cub_dir()
    if (folder / "train").is_dir() and (folder / "test").is_dir():
        return folder
    quick = config.is_quick() if quick is None else quick
    target = config.cache_dir() / _QUICK_FOLDER if quick else folder
    if (target / _PREPARED_MARKER).is_file():
        return target
    if target.exists():
        raise CubError(f"{target} 폴더가 있지만 prepare_cub가 만든 train/, test/ 폴더가 없습니다: "
                       "그 폴더를 지우거나, CH6_CUB_DIR에 준비된 CUB 폴더를 지정하세요.")
    if downloads.missing(_CUB_ARCHIVE):
        from tqdm.auto import tqdm

        tqdm.write(_download_notice(quick=quick))  # before a long download, not a returned value
    archive = downloads.fetch(_CUB_ARCHIVE, progress=progress)   # fetch checks the MD5, cached or downloaded
    return prepare_cub(archive, target, verify=False, classes=_QUICK_CLASSES if quick else None, progress=progress)


def data_label(no_class: int, n_train: int, n_test: int, base: str) -> str:
    """What a run of 프로그램 6-11 learnt from, as its records say it."""
    return f"CUB-200-2011 {no_class}부류, 훈련 {n_train}장 / 테스트 {n_test}장, 224×224, {base}"


def _download_notice(*, quick: bool = False) -> str:
    """The one line :func:`ensure_cub` writes before it downloads the archive."""
    size = downloads.REGISTRY[_CUB_ARCHIVE].size
    text = (f"CUB-200-2011이 없어 공식 압축 파일 {_CUB_ARCHIVE}({size / 1e9:.2f} GB)를 처음 한 번 내려받습니다"
            f" → {config.download_dir() / 'cub'}")
    return text + (f" (빠른 모드: 그중 {len(_QUICK_CLASSES)}부류만 준비)" if quick else "")


def prepare_cub(source, target=None, *, verify: bool = True, classes=None, progress: bool = True) -> Path:
    """Sort the official archive (MD5 checked unless ``verify=False``) or its extracted folder (linked
    or copied, never moved) into ``target/train/<class>`` and ``target/test/<class>`` by
    ``train_test_split.txt``; ``classes`` keeps only those (``"013.Bobolink"`` or ``"Bobolink"``).
    Running again returns at once; an interrupted run leaves nothing under ``target``."""
    source = Path(source).expanduser()
    target = Path(target).expanduser() if target else config.cache_dir() / "CUB200"
    if (target / _PREPARED_MARKER).is_file():
        return target
    if target.exists():
        raise CubError(f"{target} 폴더가 있지만 prepare_cub가 만든(또는 끝낸) 것이 아닙니다: 지우거나 target=에 다른 곳을 주세요.")
    if not source.exists():
        raise CubError(f"{source}가 없습니다. helpers._course.cub.ensure_cub()로 {_CUB_ARCHIVE}를 내려받거나, "
                       f"{_CUB_PAGE}에서 받아 그 파일(또는 푼 폴더)의 경로를 주세요.")
    staging = target.with_name(f".{target.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)  # left over from an interrupted run
    staging.mkdir(parents=True)
    try:
        if source.is_file():
            if verify:
                _verify(source, progress)
            root = _extract(source, staging / "_extracted", classes, progress)
            place = os.replace          # the extracted copy is ours to move
        else:
            root = _find_root(source)
            place = _link_or_copy       # never move a student's own files
        counts = _arrange(root, staging, place=place, classes=classes, progress=progress)
        shutil.rmtree(staging / "_extracted", ignore_errors=True)
        counts["source"] = source.name
        with atomic_write(staging / _PREPARED_MARKER) as marker:
            marker.write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
        staging.replace(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _progress(*, total=None, desc: str, enabled: bool, iterable=None, unit: str = "it"):
    """The one progress bar of this module (bytes when ``unit="B"``)."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, disable=not enabled, unit=unit,
                unit_scale=unit == "B", leave=False)


def _verify(archive: Path, progress: bool) -> None:
    try:
        check_hash(archive, downloads.REGISTRY[_CUB_ARCHIVE].checksum, progress)
    except WrongFileError as error:
        raise CubError(f"{error} — 공식 {_CUB_ARCHIVE}가 아닙니다(덜 받았거나 다른 파일). 지우고 "
                       f"helpers._course.cub.ensure_cub()를 실행하세요(내려받아 확인함; 또는 {_CUB_PAGE}에서 받으세요).") from None


def _wanted(class_name: str, classes) -> bool:
    return classes is None or class_name in classes or class_name.split(".", 1)[-1] in classes


def _extract(archive: Path, into: Path, classes, progress) -> Path:
    """Extract the three lists and the wanted classes' images; return the folder holding them."""
    wanted, extracted = set(_CUB_LISTS), set()
    try:
        with open(archive, "rb") as raw, _progress(total=archive.stat().st_size, desc=f"풀기 {archive.name}",
                                                   enabled=progress, unit="B") as bar:
            with tarfile.open(fileobj=_CountingReader(raw, bar), mode="r|*") as tar:
                for member in tar:
                    parts = Path(member.name).parts
                    inner = parts[1:] if len(parts) > 1 else parts
                    is_image = len(inner) == 3 and inner[0] == "images" and _wanted(inner[1], classes)
                    if not member.isfile() or not ("/".join(inner) in wanted or is_image):
                        continue
                    if ".." in parts or Path(member.name).is_absolute():
                        raise CubError(f"{archive}에 안전하지 않은 경로 {member.name!r}가 있습니다: 공식 압축 파일이 아닙니다.")
                    destination = into / member.name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as data, open(destination, "wb") as out:
                        shutil.copyfileobj(data, out)
                    extracted.add("/".join(inner))
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise CubError(f"{archive}를 .tgz로 읽을 수 없습니다({type(error).__name__}: {error}). 손상되었거나 덜 받은 "
                       "파일입니다: 지우고 helpers._course.cub.ensure_cub()로 다시 내려받으세요.") from None
    missing = wanted - extracted
    if missing:
        raise CubError(f"{archive}에 {', '.join(sorted(missing))}가 없습니다: 공식 {_CUB_ARCHIVE}가 아닙니다"
                       f"({_CUB_PAGE}에서 받으세요).")
    return _find_root(into)


class _CountingReader:
    """A read-only file wrapper that advances a progress bar by the bytes read."""

    def __init__(self, raw, bar):
        self._raw, self._bar = raw, bar

    def read(self, size=-1):
        data = self._raw.read(size)
        self._bar.update(len(data))
        return data


def _find_root(folder: Path) -> Path:
    """The folder holding images/ and the three lists: ``folder`` or one level below."""
    for candidate in [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        if all((candidate / name).is_file() for name in _CUB_LISTS) and (candidate / "images").is_dir():
            return candidate
    raise CubError(f"{folder}(또는 그 안의 폴더)에 공식 CUB 구조(images/, {', '.join(_CUB_LISTS)})가 없습니다. "
                   f"푼 CUB_200_2011 폴더나 .tgz 파일({_CUB_PAGE})을 주거나, helpers._course.cub.ensure_cub()로 내려받으세요.")


def _read_pairs(path: Path) -> dict[str, str]:
    pairs = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split(maxsplit=1)
        if len(fields) != 2:
            raise CubError(f"{path.name}의 {number}번째 줄은 '<번호> <값>'이어야 합니다 (지금: {line!r}).")
        pairs[fields[0]] = fields[1].strip()
    return pairs


def _arrange(root: Path, into: Path, *, place, classes, progress) -> dict:
    """Put every image of images.txt (of the wanted classes) into train/ or test/ by the split."""
    class_names = {name for name in _read_pairs(root / "classes.txt").values() if _wanted(name, classes)}
    if classes is not None:
        found = {name.split(".", 1)[-1] for name in class_names} | class_names
        missing = [name for name in classes if name not in found]
        if missing:
            raise CubError(f"classes.txt에 {', '.join(missing)} 부류가 없습니다: 부류 이름은 '013.Bobolink' 또는 'Bobolink'처럼 씁니다.")
    images = _read_pairs(root / "images.txt")
    split = _read_pairs(root / "train_test_split.txt")
    counts = {"train": 0, "test": 0, "classes": len(class_names)}
    if classes is not None:
        counts["subset"] = sorted(class_names)
    for image_id, relative in _progress(iterable=sorted(images.items()), total=len(images), desc="정리",
                                        enabled=progress):
        class_name = Path(relative).parent.name
        if not _wanted(class_name, classes):
            continue
        if split.get(image_id) not in {"0", "1"}:
            raise CubError(f"train_test_split.txt에 영상 {image_id}({relative})의 0/1 값이 없습니다.")
        if class_name not in class_names:
            raise CubError(f"images.txt의 {relative}는 classes.txt에 없는 폴더 {class_name!r}에 있습니다.")
        origin = root / "images" / relative
        if not origin.is_file():
            raise CubError(f"images.txt에 있는 {relative}가 없습니다({origin}): 압축 파일이나 폴더가 완전하지 않습니다.")
        part = "train" if split[image_id] == "1" else "test"
        destination = into / part / class_name / Path(relative).name
        destination.parent.mkdir(parents=True, exist_ok=True)
        place(origin, destination)
        counts[part] += 1
    return counts


def _link_or_copy(origin: Path, destination: Path) -> None:
    try:
        os.link(origin, destination)
    except OSError:
        shutil.copy2(origin, destination)
