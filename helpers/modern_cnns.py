"""6.7.1 현대적인 컨볼루션 신경망 모델: 표 6-1 recounted, and a residual block of 그림 6-16 read off ResNet50.

* 표 6-1: :data:`BOOK_TABLE_6_1` (the book's figures), :func:`count_model` (recounted from
  ``keras.applications`` with ``weights=None``), :func:`load_table6_1` (the counts
  ``tools/table6_1.py`` saved) and :func:`format_table6_1`.
* 그림 6-16(c): :func:`residual_block` reads one residual block off a Keras ResNet (its layers,
  shapes and what feeds each, from the model's config), :func:`format_block` makes it a table.

No weights are needed: the structure and the parameter counts are the same without them.
"""

from __future__ import annotations

import json

from ._course import config

# --- 그림 6-16(c): a residual block, read off a Keras ResNet -------------------------------------

def residual_block(model, block: str = "conv2_block2") -> list[dict]:
    """The layers of one residual block of a Keras ResNet, in order, with what feeds each.

    Each row: ``name``, ``type`` (the Keras class), ``shape`` (output, without the batch) and
    ``inputs`` (the layers it reads, from the model's config).  The ``Add`` layer reads two:
    the block's input (the shortcut) and the last batch norm (the residual F(x)).

    Example:
        >>> import keras
        >>> resnet = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(64, 64, 3))
        >>> add = [row for row in residual_block(resnet) if row["type"] == "Add"][0]
        >>> add["inputs"]
        ['conv2_block1_out', 'conv2_block2_3_bn']
    """
    rows = []
    for layer in model.get_config()["layers"]:
        if not layer["name"].startswith(block + "_"):
            continue
        shape = model.get_layer(layer["name"]).output.shape[1:]
        rows.append({"name": layer["name"], "type": layer["class_name"], "shape": tuple(shape),
                     "inputs": _history_names(layer["inbound_nodes"])})
    if not rows:
        raise ValueError(f"the model has no layers named {block}_…; ResNet50's blocks are conv2_block1 … conv5_block3")
    return rows


def _history_names(value) -> list[str]:
    """Layer names in the ``keras_history`` entries of a layer config's ``inbound_nodes``."""
    if isinstance(value, dict):
        history = value.get("config", {}).get("keras_history") if value.get("class_name") == "__keras_tensor__" else None
        if history:
            return [history[0]]
        return [name for item in value.values() for name in _history_names(item)]
    if isinstance(value, (list, tuple)):
        return [name for item in value for name in _history_names(item)]
    return []


def format_block(rows) -> str:
    """The rows of :func:`residual_block` as a table; the ``Add`` row marks the shortcut.

    Example:
        >>> print(format_block([{"name": "b_add", "type": "Add", "shape": (56, 56, 256),
        ...                      "inputs": ["a_out", "b_3_bn"]}]))
        층 | 종류 | 출력 모양 | 입력
        ---|---|---|---
        b_add | Add | 56×56×256 | a_out (지름길) + b_3_bn
    """
    lines = ["층 | 종류 | 출력 모양 | 입력", "---|---|---|---"]
    for row in rows:
        inputs = " + ".join([f"{row['inputs'][0]} (지름길)", *row["inputs"][1:]]) if row["type"] == "Add" \
            else ", ".join(row["inputs"])
        lines.append(f"{row['name']} | {row['type']} | {'×'.join(map(str, row['shape']))} | {inputs}")
    return "\n".join(lines)


# --- 표 6-1 ------------------------------------------------------------------------------------

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
    """The table that ``python tools/table6_1.py`` computed, shipped with the package's saved runs."""
    from ._course.saved import saved_run

    return saved_run(TABLE6_1_FILE.removesuffix(".json"))


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
