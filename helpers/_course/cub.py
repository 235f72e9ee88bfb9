"""CUB-200-2011 (section 6.7): downloaded on first use, prepared into the book's folders.

The book expects ``CUB200/train/<class>/*.jpg`` and ``CUB200/test/<class>/*.jpg``.
:func:`ensure_cub` returns such a folder, downloading and preparing it the first time:

* the folder :func:`helpers._course.config.cub_dir` names, when it already holds ``train/`` and
  ``test/`` (``CH6_CUB_DIR``, the offline sample beside ``CH6_DATA_DIR``, an earlier run);
* otherwise the official ``CUB_200_2011.tgz`` (1.15 GB) comes through
  :func:`helpers._course.downloads.fetch` (sources from the registry, or ``CH6_CUB_URLS``; MD5 checked;
  a progress bar; never a half file under the final name) and :func:`prepare_cub` sorts its
  images into ``train/`` and ``test/`` by the official split (``train_test_split.txt``).

Quick mode with nothing prepared downloads the same archive but prepares only
:data:`QUICK_CLASSES`, the ten species of the offline sample (``cub200_sample``), into
``<cache>/CUB200-quick``, so quick mode sees the same birds with or without the offline assets
(split by the official ``train_test_split.txt``).  The downloaded archive stays in
``<cache>/cub/`` (delete it to free 1.15 GB; a later full-mode run would download it again).
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

CUB_ARCHIVE = "CUB_200_2011.tgz"
CUB_PAGE = "https://data.caltech.edu/records/65de6-vp158"
CUB_LISTS = ("classes.txt", "images.txt", "train_test_split.txt")
PREPARED_MARKER = ".prepared.json"
QUICK_FOLDER = "CUB200-quick"
# The species of the offline sample (cub200_sample/), as CUB names them after the number.
QUICK_CLASSES = ("Black_footed_Albatross", "Groove_billed_Ani", "Parakeet_Auklet", "Red_winged_Blackbird",
                 "Yellow_headed_Blackbird", "Bobolink", "Indigo_Bunting", "Lazuli_Bunting", "Painted_Bunting",
                 "Spotted_Catbird")


class CubError(RuntimeError):
    """The CUB archive or folder is missing, damaged or not in the expected layout."""


def ensure_cub(*, quick: bool | None = None, progress: bool = True) -> Path:
    """The CUB-200-2011 folder in the book's ``train/<class>`` + ``test/<class>`` layout.

    Returns :func:`helpers._course.config.cub_dir` when it holds ``train/`` and ``test/`` (even a
    complete CUB in quick mode: the notebook picks its classes).  Otherwise, the first time
    only: writes one line saying how big the download is and where it goes, fetches the
    official archive (checked against the MD5 in :data:`helpers._course.downloads.REGISTRY`, each
    source in turn; a dropped connection falls through to the next) and prepares it with
    :func:`prepare_cub` into ``cub_dir()`` (full mode) or ``<cache>/CUB200-quick`` with
    :data:`QUICK_CLASSES` only (quick mode; ``quick=None`` follows :func:`helpers.is_quick`).
    No source working raises :class:`helpers._course.downloads.DownloadError` naming each source.

    Example:
        >>> import tempfile
        >>> birds = Path(tempfile.mkdtemp())
        >>> for part in ("train", "test"):
        ...     (birds / part / "Bobolink").mkdir(parents=True)
        >>> env(CH6_CUB_DIR=str(birds)); ensure_cub() == birds
        True
    """
    folder = config.cub_dir()
    if (folder / "train").is_dir() and (folder / "test").is_dir():
        return folder
    quick = config.is_quick() if quick is None else quick
    target = config.cache_dir() / QUICK_FOLDER if quick else folder
    if (target / PREPARED_MARKER).is_file():
        return target
    if target.exists():
        raise CubError(f"{target} exists but holds no train/ and test/ folders made by prepare_cub: "
                       "delete it, or set CH6_CUB_DIR to a prepared CUB folder.")
    if downloads.missing(CUB_ARCHIVE):
        from tqdm.auto import tqdm

        tqdm.write(download_notice(quick=quick))  # before a long download, not a returned value
    archive = downloads.fetch(CUB_ARCHIVE, progress=progress)   # fetch checks the MD5, cached or downloaded
    return prepare_cub(archive, target, verify=False, classes=QUICK_CLASSES if quick else None, progress=progress)


def download_notice(*, quick: bool = False) -> str:
    """The one line :func:`ensure_cub` writes before it downloads the archive.

    Example:
        >>> env(CH6_DOWNLOAD_DIR="/tmp/c")
        >>> download_notice()
        'CUB-200-2011이 없어 공식 압축 파일 CUB_200_2011.tgz(1.15 GB)를 처음 한 번 내려받습니다 → /tmp/c/cub'
    """
    size = downloads.REGISTRY[CUB_ARCHIVE].size
    text = (f"CUB-200-2011이 없어 공식 압축 파일 {CUB_ARCHIVE}({size / 1e9:.2f} GB)를 처음 한 번 내려받습니다"
            f" → {config.download_dir() / 'cub'}")
    return text + (f" (빠른 모드: 그중 {len(QUICK_CLASSES)}부류만 준비)" if quick else "")


def prepare_cub(source, target=None, *, verify: bool = True, classes=None, progress: bool = True) -> Path:
    """Turn the official CUB-200-2011 archive or folder into ``train/<class>`` + ``test/<class>``.

    ``source`` is ``CUB_200_2011.tgz`` (checked against the registry's MD5 unless
    ``verify=False``) or the folder it extracts to (holding ``images/``, ``classes.txt``,
    ``images.txt`` and ``train_test_split.txt``, or its parent; its files are hard-linked or
    copied, never moved).  ``target`` defaults to ``<cache>/CUB200``.  The official split
    decides train or test; class folders keep the official names (``001.Black_footed_Albatross``
    …).  ``classes`` keeps only the named classes (``"013.Bobolink"`` or ``"Bobolink"``).

    The work happens in a hidden sibling folder renamed to ``target`` only when complete, with
    a marker file inside: running again returns at once, an interrupted run leaves nothing
    under ``target``.  A wrong MD5, a damaged archive or a folder without the official lists
    raises :class:`CubError` saying what to do.  Returns ``target``.

    Example:
        >>> import tempfile
        >>> official = Path(tempfile.mkdtemp()) / "CUB_200_2011"
        >>> (official / "images" / "013.Bobolink").mkdir(parents=True)
        >>> for name in ("a.jpg", "b.jpg"):
        ...     _ = (official / "images" / "013.Bobolink" / name).write_bytes(b"jpeg")
        >>> _ = (official / "classes.txt").write_text("13 013.Bobolink\\n")
        >>> _ = (official / "images.txt").write_text("1 013.Bobolink/a.jpg\\n2 013.Bobolink/b.jpg\\n")
        >>> _ = (official / "train_test_split.txt").write_text("1 1\\n2 0\\n")
        >>> target = prepare_cub(official, official.parent / "CUB200", progress=False)
        >>> sorted(str(p.relative_to(target)) for p in target.rglob("*.jpg"))
        ['test/013.Bobolink/b.jpg', 'train/013.Bobolink/a.jpg']
    """
    source = Path(source).expanduser()
    target = Path(target).expanduser() if target else config.cache_dir() / "CUB200"
    if (target / PREPARED_MARKER).is_file():
        return target
    if target.exists():
        raise CubError(f"{target} exists but was not made (or not finished) by prepare_cub: "
                       "delete it, or pass another target=.")
    if not source.exists():
        raise CubError(f"{source} does not exist. Run helpers._course.cub.ensure_cub() to download {CUB_ARCHIVE}, "
                       f"or download it from {CUB_PAGE} and pass the path of the file (or of its extracted folder).")
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
        with atomic_write(staging / PREPARED_MARKER) as marker:
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
        check_hash(archive, downloads.REGISTRY[CUB_ARCHIVE].checksum, progress)
    except WrongFileError as error:
        raise CubError(f"{error} — not the official {CUB_ARCHIVE}: the download is incomplete or not the official "
                       "file. Delete it and run helpers._course.cub.ensure_cub(), which downloads and checks it "
                       f"(or download it from {CUB_PAGE}).") from None


def _wanted(class_name: str, classes) -> bool:
    return classes is None or class_name in classes or class_name.split(".", 1)[-1] in classes


def _extract(archive: Path, into: Path, classes, progress) -> Path:
    """Extract the three lists and the wanted classes' images; return the folder holding them."""
    wanted, extracted = set(CUB_LISTS), set()
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
                        raise CubError(f"{archive} contains an unsafe path {member.name!r}; "
                                       "it is not the official archive.")
                    destination = into / member.name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as data, open(destination, "wb") as out:
                        shutil.copyfileobj(data, out)
                    extracted.add("/".join(inner))
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise CubError(f"{archive} could not be read as a .tgz archive ({type(error).__name__}: {error}). "
                       "It is damaged or incomplete: delete it and run helpers._course.cub.ensure_cub() "
                       "to download it again.") from None
    missing = wanted - extracted
    if missing:
        raise CubError(f"{archive} has no {', '.join(sorted(missing))}: it is not the official "
                       f"{CUB_ARCHIVE} (download it from {CUB_PAGE}).")
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
        if all((candidate / name).is_file() for name in CUB_LISTS) and (candidate / "images").is_dir():
            return candidate
    raise CubError(f"{folder} does not hold the official CUB layout (images/, {', '.join(CUB_LISTS)}), "
                   f"neither directly nor in a sub-folder. Pass the extracted CUB_200_2011 folder or the "
                   f".tgz itself (from {CUB_PAGE}), or run helpers._course.cub.ensure_cub() to download it.")


def _read_pairs(path: Path) -> dict[str, str]:
    pairs = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split(maxsplit=1)
        if len(fields) != 2:
            raise CubError(f"{path.name}, line {number}: expected '<id> <value>', got {line!r}.")
        pairs[fields[0]] = fields[1].strip()
    return pairs


def _arrange(root: Path, into: Path, *, place, classes, progress) -> dict:
    """Put every image of images.txt (of the wanted classes) into train/ or test/ by the split."""
    class_names = {name for name in _read_pairs(root / "classes.txt").values() if _wanted(name, classes)}
    if classes is not None:
        found = {name.split(".", 1)[-1] for name in class_names} | class_names
        missing = [name for name in classes if name not in found]
        if missing:
            raise CubError(f"classes.txt has no class {', '.join(missing)}; its classes are named like "
                           "'013.Bobolink' (or pass 'Bobolink').")
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
            raise CubError(f"train_test_split.txt has no 0/1 entry for image {image_id} ({relative}).")
        if class_name not in class_names:
            raise CubError(f"images.txt: {relative} is in folder {class_name!r}, which classes.txt does not list.")
        origin = root / "images" / relative
        if not origin.is_file():
            raise CubError(f"images.txt lists {relative}, but {origin} is missing: "
                           "the archive or folder is incomplete.")
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
