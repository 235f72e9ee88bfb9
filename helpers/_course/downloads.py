"""Every file the course downloads, in one registry; :func:`fetch` gives its path.

:func:`fetch` looks in the offline folder (:func:`helpers._course.config.asset_dir`), then in the
download folder, else downloads: each source in turn, into a temporary file renamed only when the
checksum matched, so nothing half-written or wrong ever sits under the real name.  A registry
``.bmp`` source (``cat.png`` from ``cat.bmp``) is stored in the registry name's format after the check
(Pillow, pixels unchanged); offline, the converted copy in ``images/`` is used.
To add a file: one :data:`REGISTRY` line (sources, checksum, size, licence), then ``fetch(name)``.
``tools/download.py`` (``make download``) fetches them all ahead of time.
"""

from __future__ import annotations

import http.client
import urllib.request
from pathlib import Path
from typing import NamedTuple

from . import config
from .files import WrongFileError, atomic_write, check_hash


class DownloadError(RuntimeError):
    """A registered file is not here and could not be downloaded; the message says what to do.
    ``failures`` holds ``(source, what went wrong)`` for each source tried."""

    def __init__(self, message: str, *, failures=()):
        super().__init__(message)
        self.failures = tuple(failures)


class _Entry(NamedTuple):
    kind: str                  # the folder kind: darknet, pretrained, images or cub
    sources: tuple             # tried in turn
    checksum: str | None       # "sha256:<hex>" or "md5:<hex>" of the source's bytes
    size: int | None           # bytes of the source (None: not published, not measured here)


_DARKNET = "https://raw.githubusercontent.com/pjreddie/darknet/f6afaabcdf85f77e7aff2ec55c020c0e297c77f9/"
_FASTEST = ("https://raw.githubusercontent.com/dog-qiuqiu/Yolo-Fastest/96a2900d163196c396e73f3fdab04ca4dd9a2f70/"
            "ModelZoo/yolo-fastest-1.1_coco/")
_CORAL = "https://raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41/"


def _darknet(path: str, sha256: str, size: int) -> _Entry:
    return _Entry("darknet", (_DARKNET + path,), f"sha256:{sha256}", size)


def _fastest(name: str, sha256: str, size: int) -> _Entry:
    return _Entry("darknet", (_FASTEST + name,), f"sha256:{sha256}", size)


def _coral(kind: str, name: str, sha256: str, size: int) -> _Entry:
    return _Entry(kind, (_CORAL + name,), f"sha256:{sha256}", size)


# Checksums and sizes of the pinned commits' files, hashed from the files themselves (the offline
# assets' MANIFEST.md).  yolov3.weights, yolov3-tiny.weights: SHA-256 as public registries publish it
# (a keras get_file table of darknet files, the AUR zmeventnotification PKGBUILD); CUB's MD5 and size:
# as public CUB loaders publish them (torchvision-style tgz_md5, pytorch-metric-learning).
REGISTRY: dict[str, _Entry] = {
    # 6.8 — darknet/YOLO (public domain: YOLO LICENSE v2, "Darknet is public domain"; Yolo-Fastest: the same
    # licence file).  Sample photos: the images' own copyright is not stated.
    "coco.names": _darknet("data/coco.names",
                           "634a1132eb33f8091d60f2c346ababe8b905ae08387037aed883953b7329af84", 625),
    "yolov3.cfg": _darknet("cfg/yolov3.cfg", "22489ea38575dfa36c67a90048e8759576416a79d32dc11e15d2217777b9a953", 8_342),
    "yolov3.weights": _Entry("darknet", (
        "https://pjreddie.com/media/files/yolov3.weights",          # the book's source; now redirects
        "https://data.pjreddie.com/files/yolov3.weights",           # where it redirects to
        "https://huggingface.co/spaces/Epitech/Scarecrow/resolve/main/yolov3.weights"),  # public mirror
        "sha256:523e4e69e1d015393a1b0a441cef1d9c7659e3eb2d7e15f793f060a21b32f297", 248_007_048),
    "yolov3-tiny.cfg": _darknet("cfg/yolov3-tiny.cfg",
                                "84eb7a675ef87c906019ff5a6e0effe275d175adb75100dcb47f0727917dc2c7", 1_915),
    "yolov3-tiny.weights": _Entry("darknet", (
        "https://pjreddie.com/media/files/yolov3-tiny.weights", "https://data.pjreddie.com/files/yolov3-tiny.weights"),
        "sha256:dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c", None),
    "yolo-fastest-1.1.cfg": _fastest("yolo-fastest-1.1.cfg",
                                     "f6df5775c1e862998cf69046eba9265be3ae84dfe8b2caab7529823f0795bf70", 9_685),
    "yolo-fastest-1.1.weights": _fastest("yolo-fastest-1.1.weights",
                                         "1c445c42bbd6df63edea2cc69f99667b5650d663ca11e34b116240740cd42890", 1_384_268),
    "yolo-fastest-1.1-xl.cfg": _fastest("yolo-fastest-1.1-xl.cfg",
                                        "c458427acc4fbeabceff4528ef7b65b066c0308ce599460f8ba299eba63abad3", 9_696),
    "yolo-fastest-1.1-xl.weights": _fastest("yolo-fastest-1.1-xl.weights",
                                            "fac5fb41786c1f38f04972a658443b189f48720d7d117f9a044100e98a35b0c5", 3_693_964),
    "dog.jpg": _darknet("data/dog.jpg", "5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866", 163_759),
    "eagle.jpg": _darknet("data/eagle.jpg", "f95f57297fd51a6c5ddceb5ed6916fa759d1d65f402fee34c05b31a9608755c0", 141_886),
    "giraffe.jpg": _darknet("data/giraffe.jpg",
                            "00dc48a9b2af8a1fe4c4b79319726591f1033c7e1150f21e7577a79f3b6659f1", 382_965),
    "horses.jpg": _darknet("data/horses.jpg",
                           "c8f0a677a1356569e2ce71d2fa88c1030c0ae57ecf5e14170e02d9a86a20dcb4", 133_495),
    "kite.jpg": _darknet("data/kite.jpg", "87410f52f79cc256c3949b48a3548632c07c8e9943468ef8caa6250f6643be8e", 1_415_684),
    "person.jpg": _darknet("data/person.jpg",
                           "cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1", 113_880),
    "scream.jpg": _darknet("data/scream.jpg",
                           "dcab7bae866fbb396e01ab27a9c8d2d40b3e80911dafb05a5fa18d1bac6b8d17", 174_515),
    # 6.5, 6.7, 6.8 — pretrained TFLite networks and their labels (google-coral/test_data: Apache-2.0)
    "tf2_mobilenet_v2_1.0_224_ptq.tflite": _coral(
        "pretrained", "tf2_mobilenet_v2_1.0_224_ptq.tflite",
        "5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c", 4_070_174),
    "imagenet_labels.txt": _coral("pretrained", "imagenet_labels.txt",
                                  "b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1", 21_686),
    "deeplabv3_mnv2_pascal_quant.tflite": _coral(
        "pretrained", "deeplabv3_mnv2_pascal_quant.tflite",
        "350af47fd346ea6d74b58833a351f583ba860e9806ec5bd292ff8d8f1f249398", 2_193_224),
    "mobilenet_v1_0.5_160_quant.tflite": _coral(   # another network: the tests' wrong model file
        "pretrained", "mobilenet_v1_0.5_160_quant.tflite",
        "3cc6d2ca460abd2e0f699a6d0d2550c6b61c6e3b0e27a3616e384ea74cb86f43", 1_392_846),
    "pascal_voc_segmentation_labels.txt": _coral(
        "pretrained", "pascal_voc_segmentation_labels.txt",
        "7337a2b06728385fb3e1106416c67bfddf69628598b1f2f0db6a63cd63fb6b1e", 263),
    # 6.5, 6.8 — sample photos from google-coral/test_data; the checksums are the originals' (BMP files are
    # converted to PNG, pixels unchanged).  Licences per that repository's COPYRIGHT file: grace_hopper public
    # domain (US Naval History and Heritage Command); the others CC BY 2.0 (Open Images V5).
    "cat.png": _coral("images", "cat.bmp", "34f235786382686111728287fd26d4c24dd8c25de8233469d6eeb301888ce0a9", 523_914),
    "grace_hopper.png": _coral("images", "grace_hopper.bmp",
                               "c43444bf3b1b1e3080551ca194bd231da4b67f20fc91454502915a6b806b614f", 921_738),
    "bird.png": _coral("images", "bird.bmp", "3fd22d6ed352b8e721d9982e38ed655f8429e168bb53ad205c6f3cdfa848e994", 526_986),
    "dragonfly.png": _coral("images", "dragonfly.bmp",
                            "bb42efbdd3ef1a06cc17cc4db862373be91d74eec2fcdeeb6665247a3ae6ce52", 642_186),
    "hot_dog.jpg": _coral("images", "hot_dog.jpg",
                          "ed6952e022eb71c0d0b1ff068dcee3abed056dfa1852f041c35f138c4ff15b2e", 200_930),
    "bird_segmentation.png": _coral("images", "bird_segmentation.bmp",
                                    "24dbd0ca9c379b5b8d055026e073a3ffb54ad72ac0746d31d16da9306865ee48", 790_158),
    "bird_segmentation_mask.png": _coral("images", "bird_segmentation_mask.bmp",
                                         "6b21e7b7c5825bba126b4588a917339c915e7073db29d9f3d404ba8aeed53454", 265_788),
    # 6.7 — the official CUB-200-2011 archive (research, non-commercial): Caltech's record, then two public copies
    # (fast.ai's S3 bucket, the Zenodo copy learn2learn uses).
    "CUB_200_2011.tgz": _Entry("cub", (
        "https://data.caltech.edu/records/65de6-vp158/files/CUB_200_2011.tgz",
        "https://s3.amazonaws.com/fast-ai-imageclas/CUB_200_2011.tgz",
        "https://zenodo.org/record/8000562/files/CUB_200_2011.tgz"),
        "md5:97eceeb196236b17998738112f37df78", 1_150_585_339),
}

# Big, and needed only by a full-mode run or another CH6_YOLO_MODEL: `make download` names them with their
# sizes and fetches them only when asked.
ON_REQUEST = ("CUB_200_2011.tgz", "yolov3.weights", "yolov3-tiny.weights")

_checked: set = set()   # (path, size, mtime) of local copies already checked in this process


def fetch(name: str, *, download: bool = True, progress: bool = True, max_bytes: int | None = None) -> Path:
    """The path of registered file ``name``: the offline copy, else the downloaded one, else a checked download.

    With ``download=False``, or when the file is bigger than ``max_bytes``, a missing file raises
    :class:`DownloadError` saying where it was looked for and what to do.
    """
    entry = _entry(name)
    path = _local(name)
    if path is not None:
        return verify(name, path)
    target = config.download_dir() / entry.kind / name
    too_big = max_bytes is not None and (entry.size or 0) > max_bytes
    if not download or too_big:
        why = (f"{entry.size / 1e6:,.0f} MB라 이 호출은 내려받지 않습니다" if too_big else "내려받기가 꺼져 있습니다")
        raise DownloadError(f"{name} 파일이 없고 {why}. `make download`로 미리 받거나, {entry.sources[0]}에서 받아 "
                            f"{target.parent}에 두세요. / {name} is not in {' or '.join(map(str, _places(entry.kind)))}"
                            f", and {'it is too big for this call' if too_big else 'downloading is off'}.")
    return _download(name, entry, target, progress)


def verify(name: str, path) -> Path:
    """Return ``path`` if it holds registered file ``name`` (its checksum, once per process); else raise
    :class:`DownloadError` saying what to do.  Converted files (``cat.png``) are not re-checked."""
    entry, path = _entry(name), Path(path)
    status = path.stat()
    key = (str(path), status.st_size, status.st_mtime_ns)
    if entry.checksum and not _converted(entry.sources[0], path) and key not in _checked:
        try:
            check_hash(path, entry.checksum)
        except WrongFileError as error:
            raise DownloadError(f"{error} 이 파일을 지우고 다시 실행하면 새로 받습니다. / {path} is not the expected "
                                f"{name}. Delete it; the course downloads a good copy from {entry.sources[0]}.") from None
        _checked.add(key)
    return path


def missing(*names: str) -> list[str]:
    """The names among ``names`` not here yet, downloading nothing: registered files, the data sets
    (``mnist``, ``fashion_mnist``, ``cifar10``) and ``cub`` (a prepared CUB folder or its archive)."""
    from . import datasets

    def here(name):
        if name in datasets.NAMES:
            return datasets.available(name)
        if name == "cub":
            return (config.cub_dir() / "train").is_dir() or _local("CUB_200_2011.tgz") is not None
        return _local(name) is not None

    return [name for name in names if not here(name)]


def _entry(name: str) -> _Entry:
    try:
        return REGISTRY[name]
    except KeyError:
        raise DownloadError(f"{name!r}은(는) 이 과정이 내려받는 파일이 아닙니다. 등록된 파일: {', '.join(sorted(REGISTRY))}. "
                            f"/ {name!r} is not a file the course downloads.") from None


def _places(kind: str) -> list[Path]:
    offline = config.asset_dir(kind)
    return list(dict.fromkeys(([offline] if offline else []) + [config.download_dir() / kind]))


def _local(name: str) -> Path | None:
    return next((folder / name for folder in _places(_entry(name).kind) if (folder / name).is_file()), None)


def _converted(source: str, target: Path) -> bool:
    """A .bmp source is stored as the registry's .png (its checksum is the .bmp's)."""
    return Path(source).suffix.lower() == ".bmp" != Path(target).suffix.lower()


def _download(name: str, entry: _Entry, target: Path, progress: bool) -> Path:
    """Try each source; keep the first whose bytes match the checksum (converted if the suffix differs)."""
    failures = []
    for url in config.download_sources(name) or entry.sources:
        try:
            with atomic_write(target) as part:
                _stream(url, part, progress)
                if entry.checksum:
                    check_hash(part, entry.checksum)
                if _converted(url, target):
                    from PIL import Image

                    with Image.open(part) as image:
                        image.load()
                        image.save(part, format=Image.registered_extensions()[target.suffix.lower()])
            return target
        except (OSError, ValueError, http.client.HTTPException) as error:   # URLError, HTTPError are OSErrors
            failures.append((url, f"{type(error).__name__}: {error}"))
    listed = "\n".join(f"  {url}: {what}" for url, what in failures)
    place = _places(entry.kind)[0]
    raise DownloadError(f"{name} 파일을 내려받지 못했습니다. 인터넷 연결을 확인하고 다시 실행하거나, 파일을 직접 받아 "
                        f"{place}에 두세요(인터넷이 없는 곳: CH6_DATA_DIR에 오프라인 자료). "
                        f"/ could not download {name} from any of {len(failures)} source(s):\n{listed}\n"
                        f"Next step: check the internet connection, or put the file in {place}.", failures=failures)


def _stream(url: str, part: Path, progress: bool, timeout: float = 30) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "ch6-cnn-notebooks"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0) or None
        from tqdm.auto import tqdm

        with tqdm(total=total, unit="B", unit_scale=True, desc=Path(url).name, leave=False,
                  disable=not progress) as bar:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                out.write(chunk)
                bar.update(len(chunk))
        if total is not None and out.tell() != total:
            raise ValueError(f"connection closed after {out.tell():,} of {total:,} bytes")
