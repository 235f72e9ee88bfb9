"""TFLite files: the LiteRT interpreter of a registered file, and MobileNetV2's weights put back into Keras.

``tf2_mobilenet_v2_1.0_224_ptq.tflite`` (Apache-2.0, 4 MB, in :data:`downloads.REGISTRY`) is Keras'
``MobileNetV2`` (alpha 1.0, 224×224) trained on ImageNet, stored with int8 weights and the batch
norms folded into the convolutions.  :func:`weights_path` turns it into the weights of
``keras.applications.MobileNetV2(weights=None)`` once, cached under the file's SHA-256:

* each constant is dequantised, ``scale × (q − zero_point)``, one scale per output channel;
* kernels go into Keras' layout (conv ``[O,H,W,I]`` → ``[H,W,I,O]``, depthwise ``[1,H,W,C]`` →
  ``[H,W,C,1]``, classifier ``[1001,1,1,1280]`` → ``[1280,1000]``);
* each folded bias becomes the β of a batch norm that is otherwise the identity (γ 1, moving mean 0,
  moving variance 1 − ε, so ``(x − 0) / √(1 − ε + ε) · 1 + β = x + β``);
* output 0 of the 1001-way classifier (background) is dropped.

Each weight tensor's name in the file says which block it belongs to
(``MobileNetV2/expanded_conv_5/project/Conv2D``), which gives its Keras layer (``block_4_project``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from . import config, downloads
from .files import atomic_write

MODEL_FILE = "tf2_mobilenet_v2_1.0_224_ptq.tflite"
_EPSILON = 1e-3           # the ε of keras.applications.MobileNetV2's batch norms


class ModelFileError(RuntimeError):
    """A TFLite file that the LiteRT interpreter cannot read."""


def interpreter(name: str = MODEL_FILE):
    """The LiteRT interpreter of registered file ``name`` (checked against its SHA-256 once), ready to run."""
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
        raise ModelFileError(f"{path}를 TFLite 모델로 읽을 수 없습니다({error}). 파일을 지우고 다시 실행하면 "
                             "새로 내려받습니다. (The LiteRT interpreter cannot read this file.)") from None
    return opened


def _keras_layer(tflite_name: str) -> str | None:
    """Keras layer name for a TFLite weight tensor name (the part before the first ';')."""
    scope = tflite_name.split(";")[0].split("/")
    if len(scope) < 2 or scope[0] != "MobileNetV2":
        return None
    fixed = {"Conv2d_0_0": "Conv1", "Conv2d_18_1": "Conv_1"}
    if scope[1] in fixed:
        return fixed[scope[1]]
    if scope[1:3] == ["top", "Conv2d_1x1_output"]:
        return "predictions"
    match = re.fullmatch(r"expanded_conv_(\d+)", scope[1])
    if match and len(scope) > 2 and scope[2] in ("expand", "depthwise", "project"):
        block = int(match.group(1)) - 1
        return f"expanded_conv_{scope[2]}" if block == 0 else f"block_{block}_{scope[2]}"
    return None


def _convert(path) -> dict:
    """The file's weights as ``{Keras layer name: [arrays]}`` (105 layers)."""
    opened = _open(path)
    kernels, biases = {}, {}
    for tensor in opened.get_tensor_details():
        layer, shape = _keras_layer(tensor["name"]), tuple(tensor["shape"])
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
    weights = {"predictions": [kernels["predictions"][1:, 0, 0, :].T.copy(), biases["predictions"][1:].copy()]}
    convs = (["Conv1", "expanded_conv_depthwise", "expanded_conv_project", "Conv_1"]
             + [f"block_{block}_{part}" for block in range(1, 17) for part in ("expand", "depthwise", "project")])
    batch_norms = {"Conv1": "bn_Conv1", "Conv_1": "Conv_1_bn"}
    for layer in convs:
        weights[layer] = [np.transpose(kernels[layer], (1, 2, 3, 0)).copy()]   # [O,H,W,I] → [H,W,I,O]
        ones = np.ones_like(biases[layer])
        weights[batch_norms.get(layer, f"{layer}_BN")] = [ones, biases[layer], np.zeros_like(ones), ones - _EPSILON]
    return weights


def weights_path() -> Path:
    """MobileNetV2's converted weights (``<cache>/converted/…npz``), converting the checked TFLite file on first use."""
    digest = downloads.REGISTRY[MODEL_FILE].checksum.split(":")[1]
    target = config.cache_dir() / "converted" / f"mobilenet_v2_imagenet_{digest[:16]}.npz"
    if not target.is_file():
        weights = _convert(downloads.verify(MODEL_FILE, downloads.fetch(MODEL_FILE)))
        arrays = {f"{layer}/{k}": array for layer, values in weights.items() for k, array in enumerate(values)}
        with atomic_write(target) as temporary:
            np.savez(temporary, **arrays)
    return target
