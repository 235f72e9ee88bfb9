"""Every file the course can download, in one registry, fetched by one call.

:data:`REGISTRY` names each downloadable file once (d2l's ``DATA_HUB`` idea): the folder kind
it belongs to, its sources (tried in turn), its checksum and, for big files, its size.
:func:`fetch` returns the file from the offline folder the configuration names
(:func:`helpers._course.config.asset_dir`), else from the cache, else downloads it into the cache.
:func:`download` streams each source to a temporary file beside the target and renames it
only when complete and its checksum matches, so an interrupted or wrong download never sits
under the real name.

To add a downloadable file: add one line to :data:`REGISTRY` (sources, checksum, size), and
call ``fetch("<name>")`` where it is used.
"""

from __future__ import annotations

import http.client
import urllib.request
from pathlib import Path
from typing import NamedTuple

from . import config
from .files import atomic_write, file_hash


_NAMES = {"sha256": "SHA-256", "md5": "MD5"}


class DownloadError(RuntimeError):
    """No source gave the file, or none gave it with the expected checksum.

    ``failures`` holds ``(source, what went wrong)`` for every source tried (empty when
    nothing was tried), so a caller can name the cause without parsing the message.
    """

    def __init__(self, message: str, *, failures=()):
        super().__init__(message)
        self.failures = tuple(failures)


class Entry(NamedTuple):
    """One downloadable file (a record; :func:`fetch` does the work).

    ``kind`` is the folder kind (``"darknet"``, ``"pretrained"``, ``"images"``, ``"cub"``): where
    :func:`helpers._course.config.asset_dir` looks for an offline copy and the cache sub-folder.
    ``checksum`` is ``"sha256:<hex>"``, ``"md5:<hex>"`` or None (not published; not checked).

    Example:
        >>> REGISTRY["coco.names"].kind
        'darknet'
    """

    kind: str
    sources: tuple
    checksum: str | None = None
    size: int | None = None


_DARKNET_RAW = "https://raw.githubusercontent.com/pjreddie/darknet/{ref}/{path}"
_DARKNET_COMMIT = "f6afaabcdf85f77e7aff2ec55c020c0e297c77f9"
_FASTEST_RAW = ("https://raw.githubusercontent.com/dog-qiuqiu/Yolo-Fastest/{ref}/"
                "ModelZoo/yolo-fastest-1.1_coco/{name}")
_FASTEST_COMMIT = "96a2900d163196c396e73f3fdab04ca4dd9a2f70"
_CORAL_RAW = "https://github.com/google-coral/test_data/raw/{ref}/{name}"
_CORAL_COMMIT = "104342d2d3480b3e66203073dac24f4e2dbb4c41"


def _darknet(path: str) -> tuple:
    return tuple(_DARKNET_RAW.format(ref=ref, path=path) for ref in (_DARKNET_COMMIT, "master"))


def _fastest(name: str) -> tuple:
    return tuple(_FASTEST_RAW.format(ref=ref, name=name) for ref in (_FASTEST_COMMIT, "master"))


def _coral(name: str) -> tuple:
    return (_CORAL_RAW.format(ref=_CORAL_COMMIT, name=name),)


# SHA-256 values: the small darknet, Yolo-Fastest and Coral files were hashed from the files
# themselves (the offline assets' MANIFEST, copied from the pinned commits above).
# yolov3.weights 523e4e69…, yolov3-tiny.weights dccea06f…: published in public download
# registries that also list the yolov3.cfg hash (a keras ``get_file`` table of darknet files,
# the AUR zmeventnotification PKGBUILD).  CUB's MD5 is the one several independent public CUB
# loaders publish (torchvision-style ``tgz_md5``, pytorch-metric-learning).
REGISTRY: dict[str, Entry] = {
    # 6.8: darknet models, class names and sample images
    "coco.names": Entry("darknet", _darknet("data/coco.names"),
                        "sha256:634a1132eb33f8091d60f2c346ababe8b905ae08387037aed883953b7329af84"),
    "yolov3.cfg": Entry("darknet", _darknet("cfg/yolov3.cfg"),
                        "sha256:22489ea38575dfa36c67a90048e8759576416a79d32dc11e15d2217777b9a953"),
    "yolov3.weights": Entry("darknet", (
        "https://pjreddie.com/media/files/yolov3.weights",          # the book's source; now redirects
        "https://data.pjreddie.com/files/yolov3.weights",           # where it redirects to
        "https://huggingface.co/spaces/Epitech/Scarecrow/resolve/main/yolov3.weights"),  # public mirror
        "sha256:523e4e69e1d015393a1b0a441cef1d9c7659e3eb2d7e15f793f060a21b32f297", 248_007_048),
    "yolov3-tiny.cfg": Entry("darknet", _darknet("cfg/yolov3-tiny.cfg"),
                             "sha256:84eb7a675ef87c906019ff5a6e0effe275d175adb75100dcb47f0727917dc2c7"),
    "yolov3-tiny.weights": Entry("darknet", (
        "https://pjreddie.com/media/files/yolov3-tiny.weights",
        "https://data.pjreddie.com/files/yolov3-tiny.weights"),
        "sha256:dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c"),
    "yolo-fastest-1.1.cfg": Entry("darknet", _fastest("yolo-fastest-1.1.cfg"),
                                  "sha256:f6df5775c1e862998cf69046eba9265be3ae84dfe8b2caab7529823f0795bf70"),
    "yolo-fastest-1.1.weights": Entry("darknet", _fastest("yolo-fastest-1.1.weights"),
                                      "sha256:1c445c42bbd6df63edea2cc69f99667b5650d663ca11e34b116240740cd42890",
                                      1_384_268),
    "yolo-fastest-1.1-xl.cfg": Entry("darknet", _fastest("yolo-fastest-1.1-xl.cfg"),
                                     "sha256:c458427acc4fbeabceff4528ef7b65b066c0308ce599460f8ba299eba63abad3"),
    "yolo-fastest-1.1-xl.weights": Entry("darknet", _fastest("yolo-fastest-1.1-xl.weights"),
                                         "sha256:fac5fb41786c1f38f04972a658443b189f48720d7d117f9a044100e98a35b0c5",
                                         3_693_964),
    **{f"{image}.jpg": Entry("darknet", _darknet(f"data/{image}.jpg"))
       for image in ("dog", "eagle", "giraffe", "horses", "kite", "person", "scream")},
    # 6.5, 6.7, 6.8: real pretrained networks as public TFLite files (Apache-2.0)
    "tf2_mobilenet_v2_1.0_224_ptq.tflite": Entry(
        "pretrained", _coral("tf2_mobilenet_v2_1.0_224_ptq.tflite"),
        "sha256:5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c", 4_070_174),
    "imagenet_labels.txt": Entry(
        "pretrained", _coral("imagenet_labels.txt"),
        "sha256:b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1", 21_686),
    "deeplabv3_mnv2_pascal_quant.tflite": Entry(
        "pretrained", _coral("deeplabv3_mnv2_pascal_quant.tflite"),
        "sha256:350af47fd346ea6d74b58833a351f583ba860e9806ec5bd292ff8d8f1f249398", 2_193_224),
    "pascal_voc_segmentation_labels.txt": Entry(
        "pretrained", _coral("pascal_voc_segmentation_labels.txt"),
        "sha256:7337a2b06728385fb3e1106416c67bfddf69628598b1f2f0db6a63cd63fb6b1e", 263),
    # 6.7: the official CUB-200-2011 archive: Caltech's record, then two public copies (fast.ai's S3 data
    # bucket, the Zenodo copy learn2learn downloads); the MD5 refuses any other file.  The size, 1,150,585,339
    # bytes, is the one public CUB downloaders publish with this MD5 (not measured here: no copy offline).
    "CUB_200_2011.tgz": Entry("cub", (
        "https://data.caltech.edu/records/65de6-vp158/files/CUB_200_2011.tgz",
        "https://s3.amazonaws.com/fast-ai-imageclas/CUB_200_2011.tgz",
        "https://zenodo.org/record/8000562/files/CUB_200_2011.tgz"),
        "md5:97eceeb196236b17998738112f37df78", 1_150_585_339),
}


def fetch(name: str, *, download: bool = True, progress: bool = True, max_bytes: int | None = None) -> Path:
    """The path of registered file ``name``: the offline copy, else the cache, else downloaded.

    With ``download=False``, or when the file is bigger than ``max_bytes``, nothing is
    downloaded and a missing file raises :class:`DownloadError` saying where it was looked for.

    Example:
        >>> fetch("coco.names").name
        'coco.names'
    """
    entry = _entry(name)
    places = _places(entry.kind)
    for folder in places:
        if (folder / name).is_file():
            return folder / name
    too_big = max_bytes is not None and (entry.size or 0) > max_bytes
    if not download or too_big:
        why = f"it is {entry.size / 1e6:,.0f} MB, more than this call may download" if too_big else "downloading is off"
        raise DownloadError(f"{name} is not in {' or '.join(map(str, places))}, and {why}. "
                            f"Next step: download it from {entry.sources[0]} and put it in {places[0]}.")
    return download_file(_sources(name, entry), config.cache_dir() / entry.kind / name, entry.checksum,
                         progress=progress, next_step=f"put the file in {places[0]}")


def verify(name: str, path) -> Path:
    """Check a file against its registered checksum; raise :class:`DownloadError` if it differs.

    Example:
        >>> verify("coco.names", fetch("coco.names")).name
        'coco.names'
    """
    entry = _entry(name)
    if entry.checksum:
        algorithm, expected = entry.checksum.split(":")
        found = file_hash(path, algorithm)
        if found != expected:
            raise DownloadError(f"{path} is not the expected {name}: its {_NAMES[algorithm]} is {found[:12]}…, "
                                f"expected {expected[:12]}… (a damaged or different file). "
                                f"Delete it; the course downloads a good copy from {entry.sources[0]}.")
    return Path(path)


def download_file(urls, dest, checksum: str | None = None, progress: bool = True, timeout: float = 30,
                  next_step: str | None = None) -> Path:
    """Fetch ``dest`` from the first of ``urls`` that works and whose bytes match ``checksum``.

    ``checksum`` is ``"sha256:<hex>"`` / ``"md5:<hex>"`` (a bare hex string means SHA-256) or
    None.  Each source is streamed to a temporary file beside ``dest`` and renamed only when
    complete and verified.  Raises :class:`DownloadError` listing every source's error and
    ``next_step`` (what the user can do instead).

    Example:
        >>> import tempfile
        >>> source = Path(tempfile.mkdtemp()) / "hello.txt"
        >>> _ = source.write_text("hello")
        >>> download_file(source.as_uri(), source.with_name("copy.txt"), progress=False).read_text()
        'hello'
    """
    dest = Path(dest)
    urls = [urls] if isinstance(urls, str) else list(urls)
    algorithm, expected = (checksum.split(":") if ":" in checksum else ("sha256", checksum)) if checksum else (None, None)
    failures = []
    for url in urls:
        try:
            with atomic_write(dest) as part:
                _stream(url, part, progress, timeout)
                if expected is not None:
                    found = file_hash(part, algorithm)
                    if found != expected.lower():
                        raise ValueError(f"{_NAMES[algorithm]} is {found[:12]}…, expected {expected[:12]}… "
                                         "(wrong or damaged file)")
            return dest
        except (OSError, ValueError, http.client.HTTPException) as error:   # URLError, HTTPError are OSErrors
            failures.append((url, f"{type(error).__name__}: {error}"))
    next_step = next_step or f"download the file yourself and put it at {dest}"
    raise DownloadError(
        f"could not download {dest.name} from any of {len(urls)} source(s):\n" +
        "\n".join(f"  {url}: {what}" for url, what in failures) +
        f"\nNext step: check the internet connection, or {next_step}.",
        failures=failures)


def _entry(name: str) -> Entry:
    try:
        return REGISTRY[name]
    except KeyError:
        raise DownloadError(f"{name!r} is not a file the course downloads; registered files: "
                            f"{', '.join(sorted(REGISTRY))}.") from None


def _places(kind: str) -> list[Path]:
    offline = config.asset_dir(kind)
    return list(dict.fromkeys(([offline] if offline else []) + [config.cache_dir() / kind]))


def _sources(name: str, entry: Entry) -> list[str]:
    return config.download_sources(name) or list(entry.sources)


def _stream(url: str, part: Path, progress: bool, timeout: float) -> None:
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

