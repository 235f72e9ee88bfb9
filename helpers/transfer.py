"""Transfer learning (section 6.7): which pretrained base, and 프로그램 6-11's model.

* :func:`choose_base` picks the ImageNet network of 프로그램 6-11: the book's ResNet50 whenever
  Keras' ImageNet weights can be had (its cache or its download server, full mode), otherwise
  the ImageNet MobileNetV2 converted from a public TFLite file (:mod:`helpers.imagenet`, 표 6-1's
  MobileNetV2; always in quick mode).  Random initialisation is left only for a machine that has
  neither file, in quick mode, and the note says so.  :func:`make_base` builds the chosen base
  without its top, :func:`preprocess_function` is its ``preprocess_input``.
* :func:`build_model` is lines 50–56 of 프로그램 6-11 (base + Flatten + Dense(1024) + softmax,
  Adam 2e-5); :func:`build_head` is the same head on stored features (fast feature extraction);
  :func:`freeze_batch_norms` keeps every batch normalisation layer in inference mode.

표 6-1 and the residual block of 그림 6-16 are in :mod:`helpers.modern_cnns`.  The data live elsewhere: CUB-200-2011 in :mod:`helpers._course.cub`, the loaders in
:mod:`helpers.image_folders`, the memory measurement in :mod:`helpers._course.memory`.
TensorFlow is imported inside the functions that need it.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import NamedTuple

from ._course import config
from ._course.files import WrongFileError, check_hash

# --- ImageNet weights of ResNet50 without its top (what Keras downloads for include_top=False) --
RESNET50_NOTOP = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
RESNET50_NOTOP_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
                      + RESNET50_NOTOP)
RESNET50_NOTOP_MD5 = "4d473c1dd8becc155b73f8504c6f6626"  # keras/src/applications/resnet.py
BASE_NAMES = ("ResNet50", "MobileNetV2")


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


def resnet50_weights(path=None) -> tuple[bool, str]:
    """``(True, how)`` when ResNet50's ImageNet weights can be had, else ``(False, why not)``.

    They can be had when Keras's cache (``path``, default :func:`keras_weights_path`) holds the
    file with the right MD5, or when the download server answers (Keras downloads it on first
    use, about 90 MB).  A damaged file is reported as such.

    Example:
        >>> import tempfile
        >>> damaged = Path(tempfile.mkdtemp()) / RESNET50_NOTOP
        >>> _ = damaged.write_bytes(b"half a download")
        >>> resnet50_weights(damaged)[1].endswith("delete it")
        True
    """
    path = Path(path) if path is not None else keras_weights_path(RESNET50_NOTOP)
    if path.is_file():
        try:
            check_hash(path, f"md5:{RESNET50_NOTOP_MD5}")
            return True, f"Keras 캐시에 있음 ({path})"
        except WrongFileError:
            return False, f"{path} is damaged (its MD5 is not {RESNET50_NOTOP_MD5}); delete it"
    if _can_reach():
        return True, "처음 쓸 때 Keras가 내려받아 캐시에 저장함 (약 90 MB)"
    return False, f"{path} does not exist and the download server cannot be reached"


class Base(NamedTuple):
    """The pretrained base 프로그램 6-11 uses: its name, ``weights`` (``"imagenet"`` or None), a note.

    Example:
        >>> Base("MobileNetV2", "imagenet", "…").name
        'MobileNetV2'
    """

    name: str
    weights: str | None
    note: str


def choose_base(*, path=None) -> Base:
    """The ImageNet network for 프로그램 6-11 and a one-line note for the notebook to print.

    Full mode: the book's ResNet50 when :func:`resnet50_weights` says its weights can be had,
    otherwise the ImageNet MobileNetV2 of :mod:`helpers.imagenet` (converted from its TFLite
    file, which comes from the offline folder, the cache or a 4 MB download).  Quick mode:
    always that MobileNetV2 (224×224: 0.56 GFLOPs per image against ResNet50's 7.7, by
    :func:`helpers._course.measure.flops_per_sample`, so the lesson runs in CI).  Only when neither file can be had: quick mode returns ``weights=None`` with a
    warning that the accuracies mean nothing; full mode raises ``RuntimeError`` naming both files.

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt")
        >>> env(CH6_QUICK="1"); base = choose_base()
        >>> base.name, base.weights
        ('MobileNetV2', 'imagenet')
    """
    from ._course import downloads
    from . import imagenet

    resnet_problem = None
    if not config.is_quick():
        available, how = resnet50_weights(path)
        if available:
            return Base("ResNet50", "imagenet", f"예비 학습 모델: 책처럼 ImageNet으로 학습된 ResNet50 ({how}).")
        resnet_problem = how
    try:
        imagenet.weights_path()
    except downloads.DownloadError as error:
        if config.is_quick():
            rule = "⚠ " + "=" * 70
            return Base("MobileNetV2", None, "\n".join([
                rule, "⚠ 빠른 모드: ImageNet으로 학습된 가중치 파일을 하나도 구할 수 없어 MobileNetV2를 무작위로 초기화합니다.",
                "⚠ 아래의 '미세 조정'과 '동결'은 전이 학습이 아니며, 정확률은 아무 의미가 없습니다.",
                f"⚠ 필요한 파일: {imagenet.MODEL_FILE} ({downloads.REGISTRY[imagenet.MODEL_FILE].sources[0]})", rule]))
        raise RuntimeError(
            f"No ImageNet weights are available: ResNet50's: {resnet_problem}; MobileNetV2's: {error}. "
            f"Download {RESNET50_NOTOP_URL} into {keras_weights_path().parent}, or {imagenet.MODEL_FILE} "
            f"into the pretrained/ folder beside CH6_DATA_DIR, and run again.") from None
    if config.is_quick():
        why = "빠른 모드라서 ResNet50 대신"
    else:
        why = f"ResNet50의 ImageNet 가중치를 구할 수 없어({resnet_problem}) 대신"
    return Base("MobileNetV2", "imagenet", f"예비 학습 모델: {why} ImageNet으로 학습된 MobileNetV2"
                                           f"(표 6-1의 모델, 공개 TFLite 파일에서 변환)를 씁니다.")


def preprocess_function(base: Base | str):
    """The base's ``preprocess_input`` (ResNet50: BGR minus the ImageNet means; MobileNetV2: −1 … 1).

    Example:
        >>> import numpy as np
        >>> float(preprocess_function("MobileNetV2")(np.full((1, 2, 2, 3), 255.0)).max())
        1.0
    """
    name = base.name if isinstance(base, Base) else base
    if name == "ResNet50":
        from keras.applications.resnet50 import preprocess_input
    elif name == "MobileNetV2":
        from keras.applications.mobilenet_v2 import preprocess_input
    else:
        raise ValueError(f"base must be one of {BASE_NAMES}, got {name!r}")
    return preprocess_input


def make_base(base: Base, input_shape=(224, 224, 3), *, pretrained: bool = True):
    """The base without its top (``include_top=False``), as 프로그램 6-11's line 49 makes it.

    ``pretrained=False`` (or a base without weights) gives the same network randomly
    initialised, for the scratch run.

    Example:
        >>> make_base(Base("MobileNetV2", None, ""), (96, 96, 3)).output.shape
        (None, 3, 3, 1280)
    """
    import keras

    from . import imagenet

    weights = base.weights if pretrained else None
    if base.name == "ResNet50":
        return keras.applications.ResNet50(weights=weights, include_top=False, input_shape=tuple(input_shape))
    if base.name != "MobileNetV2":
        raise ValueError(f"base must be one of {BASE_NAMES}, got {base.name!r}")
    if weights is None:
        return keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=tuple(input_shape))
    return imagenet.mobilenet_v2(include_top=False, input_shape=tuple(input_shape))


def freeze_batch_norms(model) -> int:
    """Put every ``BatchNormalization`` layer of ``model`` (nested models too) in inference mode.

    ``layer.trainable=False`` on a batch norm makes Keras normalise with the moving mean and
    variance the network learnt, not with the statistics of the current batch (keras.io's
    transfer-learning guide).  Call it again after ``base_model.trainable=True``, which switches
    them back on.  Returns how many layers it set.

    Example:
        >>> import keras
        >>> base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3))
        >>> freeze_batch_norms(base)
        52
    """
    import keras

    count = 0
    for layer in _all_layers(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
            count += 1
    return count


def training_state(model) -> str:
    """How a model built like 프로그램 6-11 (base + Flatten + two Dense) will train.

    ``"동결"`` (frozen base), ``"미세 조정, 배치 정규화층은 추론 모드"``, ``"미세 조정, 배치 정규화층도
    학습 모드"`` (the book's way), ``"미세 조정"`` (a base without batch norms) or ``"일부 층만 학습"``.  A model of another shape, or one whose
    new head is frozen, raises ``ValueError`` with a Korean reason (the 직접 해 보기 checks show it).

    Example:
        >>> import keras
        >>> base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3))
        >>> cnn = build_model(base, 3)
        >>> before = training_state(cnn); base.trainable = False
        >>> before, training_state(cnn)
        ('미세 조정, 배치 정규화층도 학습 모드', '동결')
    """
    import keras

    layers = getattr(model, "layers", None) if isinstance(model, keras.Model) else None
    bases = [layer for layer in layers or [] if isinstance(layer, keras.Model)]
    heads = [layer for layer in layers or [] if isinstance(layer, keras.layers.Dense)]
    if len(bases) != 1 or len(heads) != 2:
        raise ValueError(f"기반 모델 하나 위에 Flatten과 Dense 두 층을 얹은 Keras 모델이 아닙니다 (지금: {type(model).__name__}). "
                         "프로그램 6-11이나 build_model(base_model, …)처럼 만드세요.")
    if not all(layer.trainable_weights for layer in heads):
        raise ValueError("새로 얹은 Dense층이 동결되어 있습니다: 머리는 언제나 학습되어야 합니다.")
    weighted = [layer for layer in _all_layers(bases[0]) if layer.weights and not hasattr(layer, "layers")]
    norms = {id(layer) for layer in weighted if isinstance(layer, keras.layers.BatchNormalization)}
    if not any(layer.trainable_weights for layer in weighted):
        return "동결"
    if all(layer.trainable_weights for layer in weighted):
        return "미세 조정, 배치 정규화층도 학습 모드" if norms else "미세 조정"
    if norms and all(bool(layer.trainable_weights) == (id(layer) not in norms) for layer in weighted):
        return "미세 조정, 배치 정규화층은 추론 모드"
    return "일부 층만 학습"


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):          # a nested model (the base inside Sequential)
            yield from _all_layers(layer)


def build_model(base_model, no_class: int, *, learning_rate: float = 2e-5):
    """프로그램 6-11's lines 50–56, compiled: ``base_model`` + Flatten + Dense(1024) + softmax.

    Same optimizer (Adam, the book's 0.00002) and loss as the book.  Whether the base is
    frozen or its batch norms are in inference mode is set on ``base_model`` before the call.

    Example:
        >>> import keras
        >>> base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3))
        >>> build_model(base, 3).output_shape
        (None, 3)
    """
    from keras.layers import Dense, Flatten, Input
    from keras.models import Sequential
    from keras.optimizers import Adam

    cnn = Sequential()
    cnn.add(Input(shape=base_model.input_shape[1:]))
    cnn.add(base_model)
    cnn.add(Flatten())
    cnn.add(Dense(1024, activation="relu"))
    cnn.add(Dense(no_class, activation="softmax"))
    cnn.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate), metrics=["accuracy"])
    return cnn


def build_head(feature_shape, no_class: int, *, learning_rate: float = 2e-5):
    """The head of :func:`build_model` alone, on stored features of shape ``feature_shape``.

    Fast feature extraction: the frozen base's features are computed once, and this head
    learns from them.  Its layers can later be put on top of the base
    (``Sequential([Input(...), base_model, *head.layers])``) for the two-phase recipe.

    Example:
        >>> head = build_head((7, 7, 1280), 10)
        >>> [type(layer).__name__ for layer in head.layers], head.count_params()
        (['Flatten', 'Dense', 'Dense'], 64236554)
    """
    from keras.layers import Dense, Flatten, Input
    from keras.models import Sequential
    from keras.optimizers import Adam

    head = Sequential([Input(shape=tuple(feature_shape)), Flatten(), Dense(1024, activation="relu"),
                       Dense(no_class, activation="softmax")])
    head.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate), metrics=["accuracy"])
    return head
