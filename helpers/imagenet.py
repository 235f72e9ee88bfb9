"""A real ImageNet MobileNetV2, offline: the public TFLite file's weights put back into Keras.

``tf2_mobilenet_v2_1.0_224_ptq.tflite`` (Apache-2.0, 4 MB, in :data:`helpers._course.downloads.REGISTRY`)
is Keras' ``MobileNetV2`` (alpha 1.0, 224×224) trained on ImageNet, stored with int8 weights and
the batch norms folded into the convolutions.  :func:`mobilenet_v2` rebuilds
``keras.applications.MobileNetV2(weights=None)`` and gives it those weights:

* each constant is dequantised, ``scale × (q − zero_point)`` with one scale per output channel;
* kernels are put in Keras' layout (conv ``[O,H,W,I]`` → ``[H,W,I,O]``, depthwise
  ``[1,H,W,C]`` → ``[H,W,C,1]``, classifier ``[1001,1,1,1280]`` → ``[1280,1000]``);
* each folded bias becomes the β of a batch norm that is otherwise the identity (γ 1, moving
  mean 0, moving variance 1 − ε, so ``(x − 0) / √(1 − ε + ε) · 1 + β = x + β``);
* output 0 of the 1001-way classifier (background) is dropped: 1000 ImageNet classes remain.

The file is read with the LiteRT interpreter (``ai-edge-litert``; ``tf.lite.Interpreter`` is
deprecated) through its public ``get_tensor_details``/``get_tensor``: each weight tensor's name
says which block it belongs to (``MobileNetV2/expanded_conv_5/project/Conv2D``), which maps it to
a Keras layer name (``block_4_project``).  The conversion runs once; its result is cached in
``<cache>/converted/`` under the file's SHA-256.  The result is an ordinary functional Keras
model: its layers (``Conv1``, ``block_6_expand_relu``, ``out_relu`` …) can be tapped for
kernels, feature maps and Grad-CAM (:data:`LAYERS`).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from ._course import config, downloads
from ._course.files import atomic_write

MODEL_FILE = "tf2_mobilenet_v2_1.0_224_ptq.tflite"
LABELS_FILE = "imagenet_labels.txt"
SIZE = 224
EPSILON = 1e-3           # the ε of keras.applications.MobileNetV2's batch norms
#: ImageNet classes 151 (Chihuahua) … 268 (Mexican hairless) are the dog breeds.
DOG_CLASSES = range(151, 269)
#: ImageNet's bird classes: 7 (cock) … 24 (great grey owl), 80 (black grouse) … 100 (black swan),
#: 127 (white stork) … 146 (albatross).
BIRD_CLASSES = frozenset((*range(7, 25), *range(80, 101), *range(127, 147)))
#: Layers worth looking at: the first convolution (32 kernels 3×3×3), an early, a middle and a
#: late stack of feature maps (112×112×96, 28×28×192, 7×7×1280; the late one is Grad-CAM's layer).
LAYERS = {"first_conv": "Conv1", "early": "block_1_expand_relu", "middle": "block_6_expand_relu",
          "late": "out_relu"}


class ModelFileError(RuntimeError):
    """A TFLite file that cannot be read, or is not the network it should be."""


def interpreter(name: str = MODEL_FILE):
    """The LiteRT interpreter of a registered TFLite file, checked against its SHA-256, ready to run.

    The file comes from :func:`helpers._course.downloads.fetch` (the offline folder, else the cache,
    else a download).  A damaged or different file raises
    :class:`helpers._course.downloads.DownloadError` saying what to do.  One interpreter per file is
    kept for the session (checked once, reused).

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt")
        >>> interpreter().get_input_details()[0]["shape"].tolist()
        [1, 224, 224, 3]
    """
    path = downloads.fetch(name)
    status = path.stat()
    return _checked_interpreter(name, str(path), status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=4)
def _checked_interpreter(name: str, path: str, _mtime: int, _size: int):
    downloads.verify(name, path)
    return _open(path)


def _open(path):
    from ai_edge_litert.interpreter import Interpreter

    try:
        opened = Interpreter(model_path=str(path))
        opened.allocate_tensors()
    except (ValueError, RuntimeError) as error:
        raise ModelFileError(f"{path} cannot be read as a TFLite model ({error}). Delete it and run again: "
                             "the course downloads a good copy.") from None
    return opened


def _keras_layer(tflite_name: str) -> str | None:
    """Keras layer name for a TFLite weight tensor name (the part before the first ';')."""
    scope = tflite_name.split(";")[0].split("/")
    if len(scope) < 2 or scope[0] != "MobileNetV2":
        return None
    if scope[1] == "Conv2d_0_0":
        return "Conv1"
    if scope[1] == "Conv2d_18_1":
        return "Conv_1"
    if scope[1:3] == ["top", "Conv2d_1x1_output"]:
        return "predictions"
    match = re.fullmatch(r"expanded_conv_(\d+)", scope[1])
    if match and len(scope) > 2 and scope[2] in ("expand", "depthwise", "project"):
        block = int(match.group(1)) - 1
        return f"expanded_conv_{scope[2]}" if block == 0 else f"block_{block}_{scope[2]}"
    return None


def convert(path) -> dict:
    """Read a MobileNetV2 TFLite file into Keras weights: ``{layer name: [arrays]}``.

    Conv and depthwise layers get their kernel, the batch norm after each gets
    ``[γ=1, β=folded bias, mean=0, variance=1−ε]``, ``predictions`` gets the 1000-way
    classifier.  Raises :class:`ModelFileError` when the file is not this network.

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt")
        >>> weights = convert(downloads.fetch(MODEL_FILE))
        >>> weights["Conv1"][0].shape, weights["predictions"][0].shape, len(weights)
        ((3, 3, 3, 32), (1280, 1000), 105)
    """
    opened = _open(path)
    kernels, biases = {}, {}
    for tensor in opened.get_tensor_details():
        layer = _keras_layer(tensor["name"])
        shape = tuple(tensor["shape"])
        if layer is None or tensor["dtype"] not in (np.int8, np.int32) or len(shape) not in (1, 4):
            continue
        quantization = tensor["quantization_parameters"]
        scales, zero_points = quantization["scales"], quantization["zero_points"]
        if len(scales) < 2 or len(scales) != shape[quantization["quantized_dimension"]]:
            continue                                   # activations: one scale per tensor; weights: per channel
        axis = [1] * len(shape)
        axis[quantization["quantized_dimension"]] = -1
        values = (opened.get_tensor(tensor["index"]).astype(np.float32)
                  - zero_points.reshape(axis)) * scales.reshape(axis)
        (kernels if len(shape) == 4 else biases)[layer] = values
    expected = _expected_layers()
    missing = sorted(name for name in expected if name not in kernels or name not in biases)
    if missing:
        raise ModelFileError(
            f"{path} is not the Keras MobileNetV2 of {MODEL_FILE}: it has no weights for {len(missing)} of its "
            f"{len(expected)} layers (e.g. {missing[:3]}). Use {MODEL_FILE} from {downloads.REGISTRY[MODEL_FILE].sources[0]}.")
    weights = {}
    for layer, batch_norm in expected.items():
        kernel, bias = kernels[layer], biases[layer]
        if layer == "predictions":                     # [1001,1,1,1280] → [1280,1000], background dropped
            weights[layer] = [kernel[1:, 0, 0, :].T.copy(), bias[1:].copy()]
            continue
        # conv [O,H,W,I] → [H,W,I,O]; depthwise [1,H,W,C] → [H,W,C,1]: the same axis order
        weights[layer] = [np.transpose(kernel, (1, 2, 3, 0)).copy()]
        ones = np.ones_like(bias)                      # identity batch norm: (x − 0) / √(1 − ε + ε) · 1 + β
        weights[batch_norm] = [ones, bias, np.zeros_like(bias), ones - EPSILON]
    _check_shapes(weights, path)
    return weights


def _check_shapes(weights: dict, path) -> None:
    """Load the weights into a Keras MobileNetV2 once, so a file of another shape fails here."""
    import keras

    model = keras.applications.MobileNetV2(weights=None)
    try:
        for layer in model.layers:
            if layer.weights:
                layer.set_weights(weights[layer.name])
    except (KeyError, ValueError) as error:
        raise ModelFileError(f"{path} does not fit keras.applications.MobileNetV2 (alpha 1.0): {error}. "
                             f"Use {MODEL_FILE} from {downloads.REGISTRY[MODEL_FILE].sources[0]}.") from None


def _expected_layers() -> dict:
    """Keras layers that carry a folded kernel → the batch norm after each (None for the classifier)."""
    convs = (["Conv1", "expanded_conv_depthwise", "expanded_conv_project"]
             + [f"block_{block}_{part}" for block in range(1, 17) for part in ("expand", "depthwise", "project")])
    expected = {name: f"{name}_BN" for name in convs}
    expected.update({"Conv1": "bn_Conv1", "Conv_1": "Conv_1_bn", "predictions": None})
    return expected


def weights_path() -> Path:
    """The converted weights (``<cache>/converted/…npz``), converting the TFLite file on first use.

    The name carries the SHA-256 the TFLite file must have; the file is fetched and checked
    against it before converting, so a damaged or different file raises
    :class:`helpers._course.downloads.DownloadError` and nothing is cached.

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt")
        >>> weights_path().name
        'mobilenet_v2_imagenet_5d3137241276e79c.npz'
    """
    digest = downloads.REGISTRY[MODEL_FILE].checksum.split(":")[1]
    target = config.cache_dir() / "converted" / f"mobilenet_v2_imagenet_{digest[:16]}.npz"
    if not target.is_file():
        source = downloads.verify(MODEL_FILE, downloads.fetch(MODEL_FILE))
        weights = convert(source)
        arrays = {f"{layer}/{k}": array for layer, values in weights.items() for k, array in enumerate(values)}
        with atomic_write(target) as temporary:
            np.savez(temporary, **arrays)
    return target


def mobilenet_v2(*, include_top: bool = True, input_shape=(SIZE, SIZE, 3), pooling: str | None = None,
                 classifier_activation: str | None = "softmax"):
    """Keras' MobileNetV2 with the ImageNet weights of the TFLite file (converted once, then cached).

    ``include_top=True``: the 1000-way classifier (``classifier_activation=None`` gives the
    scores before softmax, as Grad-CAM wants).  ``include_top=False``: the convolutional base
    for transfer learning (``pooling="avg"`` ends in the 1280 pooled features).  Its batch
    norms are identities with the folded biases; keep them in inference mode when fine-tuning.

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt")
        >>> base = mobilenet_v2(include_top=False, input_shape=(224, 224, 3))
        >>> base.output.shape
        (None, 7, 7, 1280)
    """
    import keras

    path = weights_path()
    model = keras.applications.MobileNetV2(weights=None, include_top=include_top, input_shape=tuple(input_shape),
                                           pooling=pooling, classifier_activation=classifier_activation)
    with np.load(path) as stored:
        for layer in model.layers:
            if layer.weights:
                layer.set_weights([stored[f"{layer.name}/{k}"] for k in range(len(layer.weights))])
    return model


def labels() -> list[str]:
    """The 1000 ImageNet class names, in the order of the model's outputs (background dropped).

    Example:
        >>> needs("imagenet_labels.txt")
        >>> names = labels()
        >>> len(names), names[285], names[DOG_CLASSES[0]]
        (1000, 'Egyptian cat', 'Chihuahua')
    """
    path = downloads.verify(LABELS_FILE, downloads.fetch(LABELS_FILE))
    return path.read_text(encoding="utf-8").splitlines()[1:]


def load_photo(photo) -> np.ndarray:
    """A photo as an RGB ``uint8`` array (H, W, 3) at its own size.

    ``photo`` is a path, or an RGB array: ``uint8``, or floats 0…255 as ``keras.utils.img_to_array``
    gives them.

    Example:
        >>> needs("cat.png")
        >>> load_photo(downloads.fetch("cat.png")).shape
        (341, 512, 3)
    """
    if isinstance(photo, np.ndarray):
        if photo.ndim != 3 or photo.shape[2] != 3:
            raise ValueError(f"a photo is an RGB array (height, width, 3), got shape {photo.shape}")
        return photo if photo.dtype == np.uint8 else np.clip(np.round(photo), 0, 255).astype(np.uint8)
    from PIL import Image

    with Image.open(photo) as image:
        return np.asarray(image.convert("RGB"))


def resize(photo, size: int = SIZE) -> np.ndarray:
    """The photo squeezed to ``size``×``size`` (bilinear, no crop), ``uint8``: what the network sees.

    No crop, so a heat map at this size stretches back onto the whole photo.

    Example:
        >>> resize(np.zeros((480, 640, 3), np.uint8)).shape
        (224, 224, 3)
    """
    from PIL import Image

    image = Image.fromarray(load_photo(photo))
    return np.asarray(image.resize((size, size), Image.BILINEAR))


def model_input(photo, size: int = SIZE) -> np.ndarray:
    """One photo ready for the Keras model: resized, ``mobilenet_v2.preprocess_input`` (−1 … 1).

    Example:
        >>> x = model_input(np.full((50, 80, 3), 255, np.uint8))
        >>> x.shape, float(x.max())
        ((224, 224, 3), 1.0)
    """
    from keras.applications import mobilenet_v2 as module

    return module.preprocess_input(resize(photo, size).astype(np.float32))


@functools.lru_cache(maxsize=1)
def _default_model():
    return mobilenet_v2()


def probabilities(photo, model=None) -> np.ndarray:
    """The Keras model's 1000 class probabilities for one photo (default model: :func:`mobilenet_v2`).

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt", "cat.png")
        >>> p = probabilities(downloads.fetch("cat.png"))
        >>> p.shape, labels()[int(p.argmax())]
        ((1000,), 'Egyptian cat')
    """
    model = model if model is not None else _default_model()
    # predict_on_batch: traced once per model (about 3 s), then ~15× faster than an eager call
    return np.asarray(model.predict_on_batch(model_input(photo)[None]))[0]


def tflite_probabilities(photo) -> np.ndarray:
    """The TFLite interpreter's 1000 class probabilities for one photo (the int8 original).

    Its output is quantised in steps of 1/256, so small probabilities may tie.

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt", "grace_hopper.png")
        >>> p = tflite_probabilities(downloads.fetch("grace_hopper.png"))
        >>> labels()[int(p.argmax())]
        'military uniform'
    """
    opened = interpreter(MODEL_FILE)
    source, target = opened.get_input_details()[0], opened.get_output_details()[0]
    opened.set_tensor(source["index"], resize(photo, SIZE)[None])   # uint8; the file's scale does /127.5 − 1
    opened.invoke()
    scale, zero_point = target["quantization"]
    output = (opened.get_tensor(target["index"])[0].astype(np.float32) - zero_point) * scale
    return output[1:]                                   # drop background


def top_k(scores, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` most probable classes as ``[(label, probability), …]``, most probable first.

    Ties keep the lower class index first.

    Example:
        >>> needs("imagenet_labels.txt")
        >>> p = np.zeros(1000); p[[285, 281]] = [0.7, 0.2]
        >>> top_k(p, 2)
        [('Egyptian cat', 0.7), ('tabby, tabby cat', 0.2)]
    """
    values = np.asarray(scores, dtype=np.float64).ravel()
    names = labels()
    order = np.argsort(-values, kind="stable")[:k]
    return [(names[i], float(values[i])) for i in order]


def classify(photo, model=None, k: int = 5) -> list[tuple[str, float]]:
    """Top-``k`` ImageNet labels with probabilities for one photo (a path or an RGB array).

    With a model built with ``classifier_activation=None`` the numbers are scores before softmax.

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "imagenet_labels.txt", "cat.png")
        >>> classify(downloads.fetch("cat.png"), k=1)[0][0]
        'Egyptian cat'
    """
    return top_k(probabilities(photo, model), k)
