"""Transfer learning on CUB-200-2011 (section 6.7, 프로그램 6-11).

* Getting the data: :func:`prepare_cub` turns the official ``CUB_200_2011.tgz`` (or its
  extracted folder) into the ``train/<class>/*.jpg`` + ``test/<class>/*.jpg`` layout the book
  expects, using the official split.
* The book's loader, fixed: :func:`list_classes` (sorted), :func:`select_classes`
  (the book's every-tenth class), :func:`load_in_memory` (labels 0 … n-1, non-RGB files
  reported before Keras silently converts them).
* Past the book's memory limit: :func:`stream_dataset` reads batches from disk with ``tf.data``;
  :func:`peak_memory` / :func:`compare_memory` measure the peak RSS of both loaders.
* Models: :func:`imagenet_weights` (cached / downloadable / neither), :func:`build_model`
  (the book's ResNet50 + Flatten + Dense(1024) + softmax, fine-tuned, frozen or from scratch).
* 표 6-1: :data:`BOOK_TABLE_6_1`, :func:`count_model`, :func:`load_table6_1`, :func:`format_table6_1`.

TensorFlow is imported inside the functions that need it, so preparing data stays light.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import zlib
from pathlib import Path

from . import config
from .downloads import file_hash

# --- the official archive -------------------------------------------------------------------
CUB_ARCHIVE = "CUB_200_2011.tgz"
CUB_URL = "https://data.caltech.edu/records/65de6-vp158/files/CUB_200_2011.tgz"
# MD5 as published, identically, by several independent public CUB loaders (torchvision-style
# `tgz_md5`, pytorch-metric-learning).  Not re-computed here: the archive is not available offline.
CUB_MD5 = "97eceeb196236b17998738112f37df78"
CUB_LISTS = ("classes.txt", "images.txt", "train_test_split.txt")
PREPARED_MARKER = ".prepared.json"

# --- ImageNet weights of ResNet50 without its top (what Keras downloads for include_top=False) --
RESNET50_NOTOP = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
RESNET50_NOTOP_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
                      + RESNET50_NOTOP)
RESNET50_NOTOP_MD5 = "4d473c1dd8becc155b73f8504c6f6626"  # keras/src/applications/resnet.py

NON_RGB_CHOICES = ("skip", "convert")


class CubError(RuntimeError):
    """The CUB archive or folder is missing, damaged or not in the expected layout."""


# ============================================================================================
# Getting CUB-200-2011
# ============================================================================================

def _bar(total, desc, enabled, unit="B"):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, unit=unit,
                unit_scale=unit == "B", leave=False)


def prepare_cub(source, target=None, expected_md5: str | None = CUB_MD5,
                progress: bool = True) -> Path:
    """Turn the official CUB-200-2011 archive or folder into ``train/<class>`` + ``test/<class>``.

    ``source`` is ``CUB_200_2011.tgz`` or the folder it extracts to (the one holding
    ``images/``, ``classes.txt``, ``images.txt`` and ``train_test_split.txt``, or its parent).
    ``target`` defaults to ``<cache>/CUB200``, where :func:`helpers.config.cub_dir` looks
    when ``CH6_CUB_DIR`` and ``CH6_DATA_DIR`` are unset.  The official split
    (``train_test_split.txt``) decides train or test; class folders keep the official names
    (``001.Black_footed_Albatross`` …), so sorting them gives the official class order.

    The work happens in a hidden sibling folder that is renamed to ``target`` only when
    complete, and a marker file records it: running again returns at once.  An archive whose
    MD5 differs from ``expected_md5`` (pass None to skip the check), a damaged archive or a
    folder without the official lists raises :class:`CubError` saying what to do.

    Example:
        >>> prepare_cub("CUB_200_2011.tgz")  # doctest: +SKIP
        PosixPath('/home/me/.cache/ch6/CUB200')
    """
    source = Path(source).expanduser()
    target = Path(target).expanduser() if target else config.cache_dir() / "CUB200"
    if (target / PREPARED_MARKER).is_file():
        info = json.loads((target / PREPARED_MARKER).read_text(encoding="utf-8"))
        print(f"이미 준비되어 있습니다: {target} (훈련 {info['train']}장, 테스트 {info['test']}장, "
              f"{info['classes']}부류)")
        return target
    if target.exists():
        raise CubError(f"{target} exists but was not made (or not finished) by prepare_cub: "
                       "delete it, or pass another target=.")
    if not source.exists():
        raise CubError(f"{source} does not exist. Download {CUB_ARCHIVE} from {CUB_URL} "
                       "and pass the path of the downloaded file (or of its extracted folder).")
    staging = target.with_name(f".{target.name}.partial")
    if staging.exists():
        shutil.rmtree(staging)  # left over from an interrupted run
    staging.mkdir(parents=True)
    try:
        if source.is_file():
            root = _extract_archive(source, staging / "_extracted", expected_md5, progress)
            place = os.replace          # the extracted copy is ours to move
        else:
            root = _find_root(source)
            place = _link_or_copy       # never move a student's own files
        counts = _arrange(root, staging, place, progress)
        shutil.rmtree(staging / "_extracted", ignore_errors=True)
        counts["source"] = source.name
        (staging / PREPARED_MARKER).write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
        staging.replace(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(f"준비 완료: {target} (훈련 {counts['train']}장, 테스트 {counts['test']}장, "
          f"{counts['classes']}부류)")
    if config.cub_dir() != target:
        print(f"노트북이 이 폴더를 쓰게 하려면 CH6_CUB_DIR={target} 로 설정하세요.")
    return target


def _extract_archive(archive: Path, into: Path, expected_md5, progress) -> Path:
    """Extract the images and the three lists from the archive; return the folder holding them."""
    if expected_md5:
        found = file_hash(archive, "md5", progress)
        if found != expected_md5:
            raise CubError(
                f"{archive} has MD5 {found}, but the official {CUB_ARCHIVE} has {expected_md5}: "
                f"the download is incomplete or not the official file. Download it again from {CUB_URL}.")
    wanted = set(CUB_LISTS)
    size = archive.stat().st_size
    extracted = set()
    try:
        with open(archive, "rb") as raw, _bar(size, f"풀기 {archive.name}", progress) as bar:
            reader = _CountingReader(raw, bar)
            with tarfile.open(fileobj=reader, mode="r|*") as tar:
                for member in tar:
                    parts = Path(member.name).parts
                    name_in_root = "/".join(parts[1:]) if len(parts) > 1 else member.name
                    keep = (name_in_root in wanted
                            or (name_in_root.startswith("images/") and member.isfile()))
                    if not keep or not (member.isfile() or member.isdir()):
                        continue
                    if ".." in parts or Path(member.name).is_absolute():
                        raise CubError(f"{archive} contains an unsafe path {member.name!r}; "
                                       "it is not the official archive.")
                    destination = into / member.name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as data, open(destination, "wb") as out:
                        shutil.copyfileobj(data, out)
                    extracted.add(name_in_root)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        if isinstance(error, CubError):
            raise
        raise CubError(f"{archive} could not be read as a .tgz archive ({type(error).__name__}: "
                       f"{error}). It is damaged or incomplete: download it again from {CUB_URL}.") from None
    missing = wanted - extracted
    if missing:
        raise CubError(f"{archive} has no {', '.join(sorted(missing))}: it is not the official "
                       f"{CUB_ARCHIVE} (download it from {CUB_URL}).")
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
                   f"neither directly nor in a sub-folder. Extract {CUB_ARCHIVE} from {CUB_URL} "
                   "and pass the CUB_200_2011 folder (or the .tgz itself).")


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


def _arrange(root: Path, into: Path, place, progress) -> dict:
    """Put every image of images.txt into train/ or test/ by train_test_split.txt."""
    classes = _read_pairs(root / "classes.txt")
    images = _read_pairs(root / "images.txt")
    split = _read_pairs(root / "train_test_split.txt")
    class_names = set(classes.values())
    counts = {"train": 0, "test": 0, "classes": len(classes)}
    for image_id, relative in _iter(sorted(images.items()), len(images), "정리", progress):
        if image_id not in split or split[image_id] not in {"0", "1"}:
            raise CubError(f"train_test_split.txt has no 0/1 entry for image {image_id} ({relative}).")
        class_name = Path(relative).parent.name
        if class_name not in class_names:
            raise CubError(f"images.txt: {relative} is in folder {class_name!r}, "
                           "which classes.txt does not list.")
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


def _iter(items, total, desc, progress):
    from tqdm.auto import tqdm

    return tqdm(items, total=total, desc=desc, disable=not progress, leave=False)


def _link_or_copy(origin: Path, destination: Path) -> None:
    try:
        os.link(origin, destination)
    except OSError:
        shutil.copy2(origin, destination)


# ============================================================================================
# The book's loader, fixed
# ============================================================================================

def list_classes(folder) -> list[str]:
    """The class folders of ``folder``, SORTED (the book's ``os.listdir`` order is arbitrary).

    Example:
        >>> list_classes(cub_dir() / "train")[:2]  # doctest: +SKIP
        ['001.Black_footed_Albatross', '002.Laysan_Albatross']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} is not a folder. 프로그램 6-11 needs CUB-200-2011 in train/<class>/ and "
            "test/<class>/ folders: run helpers.transfer.prepare_cub('CUB_200_2011.tgz') "
            "or set CH6_CUB_DIR to such a folder.")
    return sorted(entry.name for entry in os.scandir(folder) if entry.is_dir())


def select_classes(classes, class_reduce: float) -> list[str]:
    """The book's class subset: every ``round(1/class_reduce)``-th class (``i%10==9`` for 0.1).

    Example:
        >>> select_classes([f"c{i:03d}" for i in range(200)], 0.1)[:3]
        ['c009', 'c019', 'c029']
    """
    if not 0 < class_reduce <= 1:
        raise ValueError(f"class_reduce must be in (0, 1], got {class_reduce}")
    step = max(1, round(1 / class_reduce))
    return [name for i, name in enumerate(classes) if i % step == step - 1]


def image_mode(path) -> str:
    """The colour mode stored in an image file (``'RGB'``, ``'L'`` grey, ``'CMYK'`` …).

    Keras's ``load_img`` converts every file to RGB, so the book's ``getbands()!=3`` check
    after it never fires; this looks at the file itself (reads only the header).

    Example:
        >>> image_mode("bird.jpg")  # doctest: +SKIP
        'RGB'
    """
    from PIL import Image

    with Image.open(path) as img:
        return img.mode


def list_images(folder, classes, non_rgb: str = "skip", report=print):
    """The image paths and labels (0 … len(classes)-1, by position in ``classes``).

    Files are sorted within each class.  Files whose mode is not RGB are reported in the
    book's words; ``non_rgb="skip"`` leaves them out (the book's intent), ``"convert"`` keeps
    them (they are converted to RGB when read).

    Example:
        >>> paths, labels = list_images(cub_dir() / "train", ["Bobolink"])  # doctest: +SKIP
    """
    if non_rgb not in NON_RGB_CHOICES:
        raise ValueError(f"non_rgb must be one of {NON_RGB_CHOICES}, got {non_rgb!r}")
    folder = Path(folder)
    paths, labels = [], []
    for label, class_name in enumerate(classes):
        class_folder = folder / class_name
        if not class_folder.is_dir():
            raise FileNotFoundError(
                f"{class_folder} is missing: the train and test folders must have the same "
                "class folders (prepare_cub makes them so).")
        for fname in sorted(os.listdir(class_folder)):
            path = class_folder / fname
            mode = image_mode(path)
            if mode != "RGB":
                action = "건너뜀" if non_rgb == "skip" else "RGB로 변환"
                report(f"주의: 유효하지 않은 영상 발생 {class_name} {fname} (모드 {mode}, {action})")
                if non_rgb == "skip":
                    continue
            paths.append(str(path))
            labels.append(label)
    return paths, labels


def load_in_memory(folder, classes, image_size=(224, 224), non_rgb: str = "skip"):
    """The book's loader (프로그램 6-11, lines 16–45), fixed: every image in RAM at once.

    Returns ``x`` (float32, ResNet50-preprocessed, shape ``(n, *image_size, 3)``) and ``y``
    (int labels 0 … len(classes)-1; the book used folder positions 9, 19, …).  Like the book,
    it collects a list and then copies it into one array, so it needs about twice the data.

    Example:
        >>> x, y = load_in_memory(cub_dir() / "train", ["Bobolink", "Indigo_Bunting"])  # doctest: +SKIP
        >>> x.shape, sorted(set(y))  # doctest: +SKIP
        ((60, 224, 224, 3), [0, 1])
    """
    import numpy as np
    from keras.applications.resnet50 import preprocess_input
    from keras.preprocessing import image

    paths, labels = list_images(folder, classes, non_rgb)
    x = []
    for path in paths:
        img = image.load_img(path, target_size=tuple(image_size))  # converts to RGB
        x.append(preprocess_input(image.img_to_array(img)))
    x = np.asarray(x, dtype=np.float32).reshape(len(paths), *image_size, 3)
    return x, np.asarray(labels, dtype=np.int64)


def stream_dataset(folder, classes, image_size=(224, 224), batch_size: int = 16,
                   shuffle: bool = False, non_rgb: str = "skip"):
    """A ``tf.data.Dataset`` of ``(images, one-hot labels)`` batches read from disk as needed.

    Same files, labels, resizing (nearest, like ``load_img``) and ``preprocess_input`` as
    :func:`load_in_memory`, but only a few batches are in memory at a time, so all 200
    classes fit.  ``shuffle=True`` reshuffles every epoch (for training).

    Example:
        >>> train_ds = stream_dataset(cub_dir() / "train", classes, shuffle=True)  # doctest: +SKIP
        >>> cnn.fit(train_ds, epochs=10, validation_data=test_ds)  # doctest: +SKIP
    """
    import tensorflow as tf
    from keras.applications.resnet50 import preprocess_input

    paths, labels = list_images(folder, classes, non_rgb)
    if not paths:
        raise ValueError(f"no images found under {folder} for classes {list(classes)[:3]} …")
    data = tf.data.Dataset.from_tensor_slices((paths, labels))
    if shuffle:
        data = data.shuffle(len(paths), seed=config.seed(), reshuffle_each_iteration=True)
    n_classes = len(classes)
    height, width = image_size

    def load(path, label):
        raw = tf.io.read_file(path)
        img = tf.io.decode_image(raw, channels=3, expand_animations=False)
        img = tf.image.resize(img, (height, width), method="nearest")
        img = tf.cast(img, tf.float32)
        img.set_shape((height, width, 3))
        return preprocess_input(img), tf.one_hot(label, n_classes)

    data = data.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


# ============================================================================================
# Memory: the book's in-RAM loader against streaming
# ============================================================================================

def in_memory_bytes(n_images: int, image_size=(224, 224)) -> int:
    """Bytes the in-RAM loader needs at its peak: float32 images, list plus array copy (×2).

    Example:
        >>> in_memory_bytes(1000) / 2**30  # 1,000 images at 224×224
        1.1214923858642578
    """
    height, width = image_size
    return 2 * n_images * height * width * 3 * 4


def peak_memory(loader: str, root, classes, image_size=(224, 224), batch_size: int = 16) -> dict:
    """Peak RSS of a fresh Python process that reads train+test with ``loader``.

    ``loader`` is ``"in_memory"`` (the book: both sets as arrays) or ``"stream"`` (one pass
    over :func:`stream_dataset` batches).  The child imports TensorFlow first; on Linux the
    peak counter (VmHWM) is then reset, so ``increase_mb`` is the loader's own peak above the
    memory after imports.  Returns ``{"loader", "classes", "images", "baseline_mb",
    "peak_mb", "increase_mb", "seconds"}``.

    Example:
        >>> peak_memory("stream", cub_dir(), list_classes(cub_dir() / "train"))["increase_mb"]  # doctest: +SKIP
        61.2
    """
    if loader not in {"in_memory", "stream"}:
        raise ValueError(f"loader must be 'in_memory' or 'stream', got {loader!r}")
    args = json.dumps({"loader": loader, "root": str(root), "classes": list(classes),
                       "image_size": list(image_size), "batch_size": batch_size})
    code = "import sys, helpers.transfer as t; t._memory_child(sys.argv[1])"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": os.pathsep.join(
        [str(config.REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code, args], capture_output=True, text=True, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        killed = " (killed: probably out of memory)" if done.returncode in (-9, 137) else ""
        raise RuntimeError(f"measuring {loader} memory failed with exit code {done.returncode}"
                           f"{killed}:\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])


def _memory_child(arguments: str) -> None:
    """Run in a fresh process by :func:`peak_memory`; prints one JSON line."""
    import psutil

    args = json.loads(arguments)
    import keras  # noqa: F401  (imports TensorFlow: part of the baseline)
    import tensorflow as tf  # noqa: F401
    from keras.applications.resnet50 import preprocess_input  # noqa: F401

    baseline = psutil.Process().memory_info().rss
    resettable = _reset_peak()
    start = time.perf_counter()
    root, classes, size = Path(args["root"]), args["classes"], tuple(args["image_size"])
    n = 0
    if args["loader"] == "in_memory":
        kept = []
        for part in ("train", "test"):
            x, y = load_in_memory(root / part, classes, size)
            kept.append((x, y))
            n += len(x)
    else:
        for part in ("train", "test"):
            for x, _ in stream_dataset(root / part, classes, size, args["batch_size"]):
                n += int(x.shape[0])
    peak = _peak_bytes()
    if not resettable:
        peak = max(peak, psutil.Process().memory_info().rss)
    mb = 2 ** 20
    print(json.dumps({"loader": args["loader"], "classes": len(classes), "images": n,
                      "baseline_mb": round(baseline / mb, 1), "peak_mb": round(peak / mb, 1),
                      "increase_mb": round(max(0, peak - baseline) / mb, 1),
                      "seconds": round(time.perf_counter() - start, 1)}))


def _reset_peak() -> bool:
    """Reset Linux's peak-RSS counter (VmHWM) of this process; False where that is impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak_bytes() -> int:
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    if sys.platform == "win32":
        import psutil

        return psutil.Process().memory_info().peak_wset
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def compare_memory(root, class_counts=(20, 200), image_size=(224, 224)) -> list[dict]:
    """Peak memory of both loaders for each class count (capped at the classes available).

    The classes are spread evenly (20 of 200 = the book's every-tenth class).  Where the
    in-RAM loader would need more than 70 % of the RAM now available it is not run (it would
    crash the machine), and its row says how much it would need.  Prints a table; returns rows.

    Example:
        >>> rows = compare_memory(cub_dir(), (20, 200))  # doctest: +SKIP
        부류 | 영상 | 책의 방식(RAM에 통째로) | 스트리밍(tf.data)
    """
    import psutil

    root = Path(root)
    every = list_classes(root / "train")
    rows = []
    for count in sorted({min(c, len(every)) for c in class_counts}):
        classes = every[max(1, len(every) // count) - 1::max(1, len(every) // count)][:count]
        n_images = sum(len(os.listdir(root / part / c)) for part in ("train", "test") for c in classes)
        need = in_memory_bytes(n_images, image_size)
        available = psutil.virtual_memory().available
        row = {"classes": count, "images": n_images, "image_size": list(image_size),
               "in_memory_estimate_mb": round(need / 2 ** 20, 1)}
        if need > 0.7 * available:
            row["in_memory"] = None
            row["in_memory_note"] = (f"not run: needs about {need / 2**30:.1f} GB, "
                                     f"{available / 2**30:.1f} GB available")
        else:
            row["in_memory"] = peak_memory("in_memory", root, classes, image_size)
        row["stream"] = peak_memory("stream", root, classes, image_size)
        rows.append(row)
    print(format_memory(rows))
    return rows


def format_memory(rows) -> str:
    """The rows of :func:`compare_memory` as a small Korean table (MB above the import baseline).

    Example:
        >>> print(format_memory([{"classes": 10, "images": 570, "in_memory_estimate_mb": 654.0,
        ...     "in_memory": {"increase_mb": 700.0}, "stream": {"increase_mb": 60.0}}]))
        부류 | 영상 | 책의 방식: RAM에 통째로 (MB) | 스트리밍 tf.data (MB) | 계산값: 배열 2벌 (MB)
        ---|---|---|---|---
        10 | 570 | 700.0 | 60.0 | 654.0
    """
    lines = ["부류 | 영상 | 책의 방식: RAM에 통째로 (MB) | 스트리밍 tf.data (MB) | 계산값: 배열 2벌 (MB)",
             "---|---|---|---|---"]
    for row in rows:
        in_ram = (f"{row['in_memory']['increase_mb']:.1f}" if row.get("in_memory")
                  else f"측정 안 함 ({row.get('in_memory_note', '')})")
        lines.append(f"{row['classes']} | {row['images']} | {in_ram} | "
                     f"{row['stream']['increase_mb']:.1f} | {row['in_memory_estimate_mb']:.1f}")
    return "\n".join(lines)


# ============================================================================================
# ImageNet weights and the models
# ============================================================================================

def _keras_home() -> Path:
    try:
        from keras.src.backend.config import keras_home

        return Path(keras_home()).expanduser()
    except ImportError:  # a Keras without the private accessor
        return Path.home() / ".keras"


def keras_weights_path(filename: str = RESNET50_NOTOP) -> Path:
    """Where Keras caches a pretrained weight file (``~/.keras/models/<filename>``).

    Example:
        >>> keras_weights_path().name
        'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'
    """
    return _keras_home() / "models" / filename


def _can_reach(host: str = "storage.googleapis.com", port: int = 443, timeout: float = 3.0) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def imagenet_weights() -> str | None:
    """``"imagenet"`` when ResNet50's ImageNet weights can be had, else None or an error.

    They can be had when Keras's cache holds the file (with the right MD5) or the download
    server answers.  Otherwise full mode raises ``RuntimeError`` naming the file, its URL
    and where to put it; quick mode prints a banner and returns None (random initialisation,
    so its accuracy means nothing).

    Example:
        >>> weights = imagenet_weights()  # doctest: +SKIP
        >>> base_model = ResNet50(weights=weights, include_top=False, input_shape=(224,224,3))  # doctest: +SKIP
    """
    path = keras_weights_path(RESNET50_NOTOP)
    problem = None
    if path.is_file():
        if file_hash(path, "md5") == RESNET50_NOTOP_MD5:
            print("ImageNet 가중치: Keras 캐시에 있습니다.")
            return "imagenet"
        problem = f"{path} is damaged (its MD5 is not {RESNET50_NOTOP_MD5}); delete it"
    if problem is None and _can_reach():
        print("ImageNet 가중치: 처음 쓸 때 내려받아 Keras 캐시에 저장합니다 (약 90 MB).")
        return "imagenet"
    problem = problem or f"{path} does not exist and the download server cannot be reached"
    message = (f"ResNet50's ImageNet weights are not available: {problem}. Download "
               f"{RESNET50_NOTOP_URL} on a machine with internet and put the file at {path} "
               f"(or run this notebook once with internet; Keras caches it there).")
    if config.is_quick():
        print("⚠ " + "=" * 70)
        print("⚠ 빠른 모드: ImageNet 가중치를 구할 수 없어 ResNet50을 무작위로 초기화합니다.")
        print("⚠ 아래의 '미세 조정'과 '동결'은 전이 학습이 아니며, 정확률은 아무 의미가 없습니다.")
        print(f"⚠ 필요한 파일: {RESNET50_NOTOP} → Keras 캐시의 models/ 폴더")
        print("⚠ " + "=" * 70)
        return None
    raise RuntimeError(message)


def build_model(no_class: int, image_size=(224, 224), weights: str | None = "imagenet",
                base_trainable: bool = True, learning_rate: float = 2e-5):
    """프로그램 6-11's model, compiled: ResNet50 base + Flatten + Dense(1024) + softmax.

    ``base_trainable=False`` is the book's frozen variant (``base_model.trainable=False``);
    ``weights=None`` trains from scratch.  Same optimizer (Adam 2e-5) and loss as the book.

    Example:
        >>> cnn = build_model(3, (32, 32), weights=None)
        >>> cnn.output_shape
        (None, 3)
    """
    from keras.applications.resnet50 import ResNet50
    from keras.layers import Dense, Flatten, Input
    from keras.models import Sequential
    from keras.optimizers import Adam

    base_model = ResNet50(weights=weights, include_top=False, input_shape=(*image_size, 3))
    base_model.trainable = base_trainable
    cnn = Sequential()
    cnn.add(Input(shape=(*image_size, 3)))
    cnn.add(base_model)
    cnn.add(Flatten())
    cnn.add(Dense(1024, activation="relu"))
    cnn.add(Dense(no_class, activation="softmax"))
    cnn.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate), metrics=["accuracy"])
    return cnn


# ============================================================================================
# 표 6-1
# ============================================================================================

# 표 6-1 as printed in the book (from keras.io/applications of its time).  depth None = '-'.
BOOK_TABLE_6_1 = [
    {"model": "Xception", "size": "88MB", "top1": 0.790, "top5": 0.945, "params": 22910480, "depth": 126},
    {"model": "VGG16", "size": "528MB", "top1": 0.713, "top5": 0.901, "params": 138357544, "depth": 23},
    {"model": "VGG19", "size": "549MB", "top1": 0.713, "top5": 0.900, "params": 143667240, "depth": 26},
    {"model": "ResNet50", "size": "98MB", "top1": 0.749, "top5": 0.921, "params": 25636712, "depth": None},
    {"model": "ResNet101", "size": "171MB", "top1": 0.764, "top5": 0.928, "params": 44707176, "depth": None},
    {"model": "ResNet152", "size": "232MB", "top1": 0.766, "top5": 0.931, "params": 60419944, "depth": None},
    {"model": "ResNet50V2", "size": "98MB", "top1": 0.760, "top5": 0.930, "params": 25613800, "depth": None},
    {"model": "ResNet101V2", "size": "171MB", "top1": 0.772, "top5": 0.938, "params": 44675560, "depth": None},
    {"model": "ResNet152V2", "size": "232MB", "top1": 0.780, "top5": 0.942, "params": 60380648, "depth": None},
    {"model": "InceptionV3", "size": "92MB", "top1": 0.779, "top5": 0.937, "params": 23851784, "depth": 159},
    {"model": "InceptionResNetV2", "size": "215MB", "top1": 0.803, "top5": 0.953, "params": 55873736, "depth": 572},
    {"model": "MobileNet", "size": "16MB", "top1": 0.704, "top5": 0.895, "params": 4253864, "depth": 88},
    {"model": "MobileNetV2", "size": "14MB", "top1": 0.713, "top5": 0.901, "params": 3538984, "depth": 88},
    {"model": "DenseNet121", "size": "33MB", "top1": 0.750, "top5": 0.923, "params": 8062504, "depth": 121},
    {"model": "DenseNet169", "size": "57MB", "top1": 0.762, "top5": 0.932, "params": 14307880, "depth": 169},
    {"model": "DenseNet201", "size": "80MB", "top1": 0.773, "top5": 0.936, "params": 20242984, "depth": 201},
    {"model": "NASNetMobile", "size": "23MB", "top1": 0.744, "top5": 0.919, "params": 5326716, "depth": None},
    {"model": "NASNetLarge", "size": "343MB", "top1": 0.825, "top5": 0.960, "params": 88949818, "depth": None},
]
TABLE6_1_FILE = "table6-1.json"


def count_model(name: str) -> dict:
    """Build ``keras.applications.<name>(weights=None)`` (with its ImageNet top) and count it.

    ``layers`` is ``len(model.layers)`` (input layer included), which is how the book's
    depth column was counted (VGG16: 23).  No weights are downloaded.

    Example:
        >>> count_model("MobileNetV2")["params"]
        3538984
    """
    import keras

    builder = getattr(keras.applications, name, None)
    if builder is None:
        raise ValueError(f"keras.applications has no model {name!r}")
    model = builder(weights=None)
    return {"model": name, "params": int(model.count_params()), "layers": len(model.layers),
            "layers_with_weights": sum(1 for layer in model.layers if layer.weights)}


def load_table6_1() -> dict:
    """The table that ``python tools/table6_1.py`` computed (``results/table6-1.json``).

    Outside a clone (Colab installs only the package) it is fetched from the repository.

    Example:
        >>> len(load_table6_1()["rows"])
        18
    """
    path = config.REPO_ROOT / "results" / TABLE6_1_FILE
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    url = (config.REPO_URL.replace("https://github.com/", "https://raw.githubusercontent.com/")
           + f"/main/results/{TABLE6_1_FILE}")
    try:
        import urllib.request

        with urllib.request.urlopen(url, timeout=20) as response:
            return json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError):
        raise FileNotFoundError(
            f"results/{TABLE6_1_FILE} is missing and {url} could not be read: "
            "run `python tools/table6_1.py` in the repository to compute it.") from None


def format_table6_1(computed: dict) -> str:
    """The book's 표 6-1 beside the computed counts; ``≠`` marks a difference from the book.

    Two layer counts are shown: ``len(model.layers)`` (input layer included) and the layers
    that hold weights (what keras.io now calls depth).  A book depth is flagged when it
    equals neither.

    Example:
        >>> print(format_table6_1({"rows": [{"model": "VGG16", "params": 138357544, "layers": 23,
        ...                                  "layers_with_weights": 16}]}))
        모델 | 파일 크기(책) | 1순위(책) | 5순위(책) | 매개변수(책) | 매개변수(Keras) | 깊이(책) | 층 수(Keras) | 가중치 있는 층(Keras)
        ---|---|---|---|---|---|---|---|---
        VGG16 | 528MB | 0.713 | 0.901 | 138,357,544 | 138,357,544 | 23 | 23 | 16
    """
    book = {row["model"]: row for row in BOOK_TABLE_6_1}
    lines = ["모델 | 파일 크기(책) | 1순위(책) | 5순위(책) | 매개변수(책) | 매개변수(Keras) | 깊이(책) | "
             "층 수(Keras) | 가중치 있는 층(Keras)", "---|---|---|---|---|---|---|---|---"]
    for row in computed["rows"]:
        printed = book[row["model"]]
        params = f"{row['params']:,}" + ("" if row["params"] == printed["params"] else " ≠")
        depth = "-" if printed["depth"] is None else str(printed["depth"])
        if printed["depth"] is not None and printed["depth"] not in (row["layers"], row["layers_with_weights"]):
            depth += " ≠"
        lines.append(f"{row['model']} | {printed['size']} | {printed['top1']:.3f} | {printed['top5']:.3f} | "
                     f"{printed['params']:,} | {params} | {depth} | {row['layers']} | {row['layers_with_weights']}")
    return "\n".join(lines)
