"""Transfer learning (6.7): the ImageNet network 프로그램 6-11 starts from, and the book's model on it.

The book's ResNet50 when Keras has (or can download) its ImageNet weights, in full mode; otherwise
표 6-1's MobileNetV2 with ImageNet weights (:mod:`helpers.imagenet` converts them from a public
TFLite file).  Quick mode always takes MobileNetV2, about 1/14 of ResNet50's computation.
"""

from __future__ import annotations

import socket
from pathlib import Path

from ._course import config

_RESNET50_NOTOP = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"  # what include_top=False loads


def choose_base() -> tuple[str, str]:
    """The base network's name, ``"ResNet50"`` or ``"MobileNetV2"``, and one line saying why."""
    from . import imagenet

    if config.is_quick():
        why = "빠른 모드라서 ResNet50 대신"
    else:
        problem = _resnet50_problem()
        if problem is None:
            return "ResNet50", "예비 학습 모델: 책처럼 ImageNet으로 학습된 ResNet50"
        why = f"ResNet50의 ImageNet 가중치를 구할 수 없어({problem}) 대신"
    imagenet.weights_path()  # the TFLite file: offline folder, cache, or a 4 MB download
    return "MobileNetV2", f"예비 학습 모델: {why} ImageNet으로 학습된 MobileNetV2(표 6-1의 모델)"


def _resnet50_problem() -> str | None:
    """None when ``ResNet50(weights='imagenet', include_top=False)`` will load: Keras's cache holds the
    file with the right MD5, or its server answers (Keras downloads about 90 MB on first use)."""
    from keras.src.applications import resnet
    from keras.src.backend.config import keras_home
    from keras.src.utils.file_utils import validate_file

    path = Path(keras_home()) / "models" / _RESNET50_NOTOP
    if path.is_file() and validate_file(str(path), resnet.WEIGHTS_HASHES["resnet50"][1]):
        return None
    try:
        socket.create_connection(("storage.googleapis.com", 443), timeout=3).close()
        return None
    except OSError:
        damaged = "파일이 손상됨: 지우고 인터넷에 연결하세요, " if path.is_file() else ""
        return f"{damaged}{path} 없음, 내려받을 수 없음"


def preprocess_function(base: str):
    """The base's ``preprocess_input`` (ResNet50: BGR minus ImageNet's means; MobileNetV2: −1 … 1)."""
    import keras

    modules = {"ResNet50": keras.applications.resnet50, "MobileNetV2": keras.applications.mobilenet_v2}
    if base not in modules:
        raise ValueError(f"기반 모델은 {' 또는 '.join(modules)}입니다 (지금: {base!r}).")
    return modules[base].preprocess_input


def make_base(base: str, input_shape=(224, 224, 3), *, pretrained: bool = True):
    """The base without its top, as line 49 makes it (``pretrained=False``: randomly initialised)."""
    import keras

    from . import imagenet

    preprocess_function(base)  # an unknown name is an error
    if base == "ResNet50":
        return keras.applications.ResNet50(weights="imagenet" if pretrained else None, include_top=False,
                                           input_shape=tuple(input_shape))
    if not pretrained:
        return keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=tuple(input_shape))
    return imagenet.mobilenet_v2(include_top=False, input_shape=tuple(input_shape))


def freeze_batch_norms(model) -> int:
    """Put every ``BatchNormalization`` layer of ``model`` (nested models too) in inference mode; return
    how many.  Call it again after ``base_model.trainable=True``, which switches them back on."""
    import keras

    norms = [layer for layer in _all_layers(model) if isinstance(layer, keras.layers.BatchNormalization)]
    for layer in norms:
        layer.trainable = False
    return len(norms)


def training_state(model) -> str:
    """How a model built like 프로그램 6-11 (base + Flatten + two Dense) will train.

    Example:
        >>> import keras
        >>> base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3))
        >>> cnn = build_model(base, 3)
        >>> book = training_state(cnn)
        >>> _ = freeze_batch_norms(base); inference = training_state(cnn)
        >>> base.trainable = False
        >>> book, inference, training_state(cnn)
        ('미세 조정, 배치 정규화층도 학습 모드', '미세 조정, 배치 정규화층은 추론 모드', '동결')
    """
    import keras

    layers = model.layers if isinstance(model, keras.Model) else []
    bases = [layer for layer in layers if isinstance(layer, keras.Model)]
    heads = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    if len(bases) != 1 or len(heads) != 2:
        raise ValueError(f"기반 모델 하나 위에 Flatten과 Dense 두 층을 얹은 Keras 모델이 아닙니다 (지금: {type(model).__name__}). "
                         "프로그램 6-11이나 build_model(base_model, …)처럼 만드세요.")
    if not all(layer.trainable_weights for layer in heads):
        raise ValueError("새로 얹은 Dense층이 동결되어 있습니다: 머리는 언제나 학습되어야 합니다.")
    weighted = [layer for layer in _all_layers(bases[0]) if layer.weights and not hasattr(layer, "layers")]
    learns = {id(layer): bool(layer.trainable_weights) for layer in weighted}
    norms = {id(layer) for layer in weighted if isinstance(layer, keras.layers.BatchNormalization)}
    if not any(learns.values()):
        return "동결"
    if all(learns.values()):
        return "미세 조정, 배치 정규화층도 학습 모드" if norms else "미세 조정"
    if norms and all(learns[key] == (key not in norms) for key in learns):
        return "미세 조정, 배치 정규화층은 추론 모드"
    return "일부 층만 학습"


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):  # a nested model (the base inside Sequential)
            yield from _all_layers(layer)


def build_model(base_model, no_class: int):
    """Lines 50–56 of 프로그램 6-11: ``base_model`` + Flatten + Dense(1024) + softmax, Adam(0.00002)."""
    from keras.layers import Input

    return _compiled([Input(shape=base_model.input_shape[1:]), base_model], no_class)


def build_head(feature_shape, no_class: int):
    """The same head (Flatten, Dense(1024), softmax, Adam(0.00002)) alone, on stored features."""
    from keras.layers import Input

    return _compiled([Input(shape=tuple(feature_shape))], no_class)


def _compiled(layers, no_class):
    from keras.layers import Dense, Flatten
    from keras.models import Sequential
    from keras.optimizers import Adam

    cnn = Sequential([*layers, Flatten(), Dense(1024, activation="relu"), Dense(no_class, activation="softmax")])
    cnn.compile(loss="categorical_crossentropy", optimizer=Adam(0.00002), metrics=["accuracy"])
    return cnn
