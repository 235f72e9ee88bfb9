"""The darknet files of 6.8 (infrastructure; no student needs to open this).

Each model's cfg, weights and class names by name, from the offline folder, the cache or a
hash-checked download (:func:`helpers._course.downloads.fetch`); :func:`choose_model` takes the
configured model (``CH6_YOLO_MODEL``, default ``yolov3``) when its files can be had and are whole,
else Yolo-Fastest, and says which and why.  Every failure is one error,
:class:`~helpers._course.downloads.DownloadError`, whose message says in Korean what happened and
what to do (the English details follow).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from . import config, downloads
from .downloads import DownloadError

_MODELS = ("yolov3", "yolov3-tiny", "yolo-fastest-1.1", "yolo-fastest-1.1-xl")
_FALLBACK = "yolo-fastest-1.1-xl"
_QUICK_LIMIT = 50_000_000   # bytes: quick mode downloads nothing bigger (yolov3.weights is 248 MB)

# What each darknet sample photo shows, as COCO classes: one tuple per kind of object, holding the labels
# that count as right.  Written by a person looking at the photos (not measured): dog.jpg's white pickup
# passes as car or truck, its red motorcycle is half hidden behind the tree; scream.jpg is a painting.
SAMPLE_PHOTOS = {
    "dog.jpg": (("bicycle",), ("dog",), ("car", "truck"), ("motorcycle",)),
    "person.jpg": (("person",), ("dog",), ("horse",)),
    "horses.jpg": (("horse",),),
    "eagle.jpg": (("bird",),),
    "giraffe.jpg": (("giraffe",), ("zebra",)),
    "kite.jpg": (("kite",), ("person",)),
    "scream.jpg": (("person",),),
}


def _unavailable(filename: str, error: DownloadError, limit: int | None) -> str:
    """Why a registered file cannot be had, in Korean."""
    if not error.failures:
        size = downloads.REGISTRY[filename].size or 0
        why = "빠른 모드에서는 내려받지 않습니다" if limit and size > limit else "내려받지 않았습니다(download=False)"
        return f"{filename} 파일({size / 1e6:,.0f}MB)이 {config.darknet_dir()}에 없고, {why}"
    return f"{filename} 파일을 내려받지 못했습니다(" + "; ".join(f"{url}: {what}" for url, what in error.failures) + ")"


def darknet_file(filename: str) -> Path:
    """A darknet file by name (``"dog.jpg"``, ``"yolov3.cfg"``, ``"coco.names"`` …): offline copy, cache or download."""
    try:
        return downloads.fetch(filename)
    except DownloadError as error:
        raise DownloadError(f"{filename} 파일을 구하지 못했습니다. 인터넷 연결을 확인하고 셀을 다시 실행하거나, "
                            f"파일을 직접 받아 {config.darknet_dir()}에 두세요.\n{error}", failures=error.failures) from None


def sample_images() -> list[Path]:
    """The darknet sample photos (dog.jpg first)."""
    return [darknet_file(name) for name in SAMPLE_PHOTOS]


def choose_model(name=None, *, download: bool | None = None) -> SimpleNamespace:
    """The files of the configured model if they can be had and are whole, else Yolo-Fastest 1.1-XL.

    Returns ``model`` with ``name``, ``cfg``, ``weights``, ``names`` (paths) and ``notice`` (which
    model, and why not the configured one).  ``download=None``: in quick mode nothing over 50 MB
    is downloaded (YOLOv3's weights are 248 MB), in full mode everything is; ``False``: nothing is.
    """
    from ..darknet import weight_count

    name = str(name or config.yolo_model_name())
    limit = _QUICK_LIMIT if download is None and config.is_quick() else None
    reasons = []
    for candidate in dict.fromkeys((name, _FALLBACK)):
        try:
            if candidate in _MODELS:
                files = []
                for filename in (f"{candidate}.cfg", f"{candidate}.weights", "coco.names"):
                    try:
                        files.append(downloads.fetch(filename, download=download is not False, max_bytes=limit))
                    except DownloadError as error:
                        raise DownloadError(_unavailable(filename, error, limit), failures=error.failures) from None
                cfg, weights, names = files
            else:                                   # the path of a .cfg file, its .weights beside it
                cfg = Path(candidate).expanduser().with_suffix(".cfg")
                weights = cfg.with_suffix(".weights")
                names = cfg.with_name("coco.names") if cfg.with_name("coco.names").is_file() else darknet_file("coco.names")
                for path in (cfg, weights):
                    if not path.is_file():
                        raise DownloadError(f"{path} 파일이 없습니다. 모델(choose_model의 인자나 CH6_YOLO_MODEL)로는 "
                                            f"등록된 이름({', '.join(_MODELS)})이나, .weights 파일이 옆에 있는 .cfg 파일의 "
                                            "경로를 주세요")
            expected = 4 * weight_count(cfg)
            size = weights.stat().st_size
            if size - expected not in (16, 20):     # the header is 16 or 20 bytes
                raise DownloadError(
                    f"{weights.name} 파일은 {size:,}바이트인데 {cfg.name} 파일에는 {expected + 20:,}바이트가 필요합니다: "
                    + ("내려받다 끊긴 파일입니다. 이 파일을 지우고 셀을 다시 실행하세요(다시 내려받습니다)" if size < expected
                       else "다른 모델의 가중치입니다. 같은 이름의 .cfg 파일과 함께 쓰세요") + f" ({weights})")
            classes = {int(n) for n in re.findall(r"^\s*classes\s*=\s*(\d+)", cfg.read_text(encoding="utf-8"), re.M)}
            count = len([line for line in names.read_text(encoding="utf-8").splitlines() if line.strip()])
            if classes and classes != {count}:
                raise DownloadError(f"{cfg.name} 파일은 부류 {min(classes)}개를 예측하는데 {names.name} 파일에는 {count}개가 있습니다: "
                                    "이 모델의 부류 이름 파일(COCO 모델이면 coco.names)을 쓰세요")
        except (DownloadError, ValueError) as error:      # ValueError: a cfg weight_count cannot read
            reasons.append(str(error))
            continue
        notice = f"모델: {candidate} (설정 {cfg.name}, 가중치 {weights.name})"
        if candidate != name:
            notice = (f"⚠ {name} 모델을 쓸 수 없습니다 — {reasons[0]}.\n"
                      f"  같은 코드를 YOLOv3 계열의 작은 모델 {_FALLBACK}(COCO로 학습한 실제 가중치)로 실행합니다. "
                      "검출 결과와 신뢰도는 책의 YOLOv3와 다릅니다.\n"
                      + (f"  {name} 모델로 실행하려면 전체 모드(helpers.set_quick_mode(False))에서 인터넷에 연결해 "
                         "이 셀을 다시 실행하세요.\n" if limit else "") + notice)
        return SimpleNamespace(name=candidate, cfg=cfg, weights=weights, names=names, notice=notice)
    raise DownloadError(f"YOLO 모델 파일을 구하지 못했습니다 — {' / '.join(reasons)}.\n할 일: 인터넷 연결을 확인하고 셀을 "
                        f"다시 실행하세요. 인터넷이 없으면 {_FALLBACK}.cfg, {_FALLBACK}.weights, coco.names를 "
                        f"{config.darknet_dir()}에 두세요.")
