"""6.7.1 현대적인 컨볼루션 신경망 모델: 표 6-1 recounted, and 그림 6-16 drawn from data — VGG-16's
layers, GoogLeNet's inception module, and a residual block read off Keras's ResNet50."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

# --- 그림 6-16(a) VGG-16 (Simonyan & Zisserman, 2015, configuration D) ------------------------------
VGG16_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))  # (3×3 kernels per layer, layers) per block
VGG16_DENSE = (4096, 4096, 1000)

# --- 그림 6-16(b) GoogLeNet's inception (3a) module (Szegedy et al., 2015, Table 1) --------------------
INCEPTION_3A = {"input": (28, 28, 192), "branches": (
    (("1×1 conv", 64),),
    (("1×1 conv", 96), ("3×3 conv", 128)),
    (("1×1 conv", 16), ("5×5 conv", 32)),
    (("3×3 최대 풀링", None), ("1×1 conv", 32)))}

_COLOURS = {"1×1": "#bcbddc", "conv": "#9ecae1", "풀링": "#fdae6b", "FC": "#a1d99b", "": "#dddddd"}


def vgg16_layers(size: int = 224) -> list[tuple[str, tuple, int]]:
    """VGG-16's layers from :data:`VGG16_BLOCKS` and :data:`VGG16_DENSE`: ``(layer, output shape,
    parameters)``; a 3×3 convolution from c to k channels has 3·3·c·k weights and k biases."""
    rows, channels = [], 3
    for kernels, count in VGG16_BLOCKS:
        for _ in range(count):
            rows.append((f"3×3 conv, {kernels}", (size, size, kernels), 3 * 3 * channels * kernels + kernels))
            channels = kernels
        size //= 2
        rows.append(("최대 풀링, /2", (size, size, channels), 0))
    inputs = size * size * channels
    for units in VGG16_DENSE:
        rows.append((f"FC {units}", (units,), inputs * units + units))
        inputs = units
    return rows


def _box(ax, x, y, width, height, text, **text_options):
    colour = next(c for key, c in _COLOURS.items() if key in text)
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.02",
                                facecolor=colour, edgecolor="#555555"))
    ax.text(x, y, text, ha="center", va="center", fontsize=9, **text_options)


def plot_vgg16(rows):
    """그림 6-16(a): the rows of :func:`vgg16_layers` left to right (box height ∝ the map's side)."""
    fig, ax = plt.subplots(figsize=(12, 3.6))
    for i, (name, shape, _) in enumerate(rows):
        height = 2.6 * shape[0] / 224 + 0.9 if len(shape) == 3 else 1.6
        _box(ax, i, 0, 0.8, height, name, rotation=90)
        if len(shape) == 3 and (i == 0 or "풀링" in rows[i - 1][0]):
            ax.text(i, -1.95, f"{shape[0]}×{shape[1]}", ha="left", fontsize=8)
    ax.annotate("", xy=(len(rows) - 0.4, -2.3), xytext=(-0.4, -2.3), arrowprops={"arrowstyle": "->"})
    ax.text(-0.4, -2.65, "입력 224×224×3", fontsize=8)
    ax.text(len(rows) - 0.4, -2.65, "softmax", ha="right", fontsize=8)
    ax.set(xlim=(-0.7, len(rows) - 0.3), ylim=(-2.8, 2.0), title="그림 6-16(a) VGG-16: 3×3 컨볼루션층 13개 + 완전연결층 3개")
    ax.axis("off")
    return fig


def plot_inception_module(module=INCEPTION_3A):
    """그림 6-16(b): an inception module's four branches side by side, concatenated along the channels."""
    height, width, channels = module["input"]
    out = sum(branch[-1][1] for branch in module["branches"])
    fig, ax = plt.subplots(figsize=(9, 4.4))
    _box(ax, 1.5, 3.2, 3.4, 0.5, f"이전 층 ({height}×{width}×{channels})")
    _box(ax, 1.5, -0.2, 3.4, 0.5, f"채널 방향으로 이어 붙임 ({height}×{width}×{out})")
    for column, branch in enumerate(module["branches"]):
        ys = [2.1, 1.0][:len(branch)] if len(branch) == 2 else [1.55]
        for (name, kernels), y in zip(branch, ys):
            _box(ax, column, y, 0.85, 0.5, name if kernels is None else f"{name}\n{kernels}개")
        for start, end in zip([2.95, *[y - 0.25 for y in ys]], [*[y + 0.25 for y in ys], 0.05]):
            ax.annotate("", xy=(column, end), xytext=(column, start), arrowprops={"arrowstyle": "->"})
    ax.set(xlim=(-0.6, 3.6), ylim=(-0.6, 3.6), title="그림 6-16(b) GoogLeNet의 인셉션 모듈 (3a): 보라색은 1×1 컨볼루션")
    ax.axis("off")
    return fig


# --- 그림 6-16(c): a residual block, read off a Keras ResNet ----------------------------------------

def residual_block(model, block: str = "conv2_block2") -> list[dict]:
    """The layers of one residual block of a Keras ResNet, in order: ``name``, ``type``, ``shape``
    (output) and ``inputs`` (the layers it reads, from the model's config)."""
    rows = []
    for layer in model.get_config()["layers"]:
        if layer["name"].startswith(block + "_"):
            rows.append({"name": layer["name"], "type": layer["class_name"],
                         "shape": tuple(model.get_layer(layer["name"]).output.shape[1:]),
                         "inputs": _inbound_names(layer["inbound_nodes"])})
    if not rows:
        raise ValueError(f"the model has no layers named {block}_…; ResNet50's blocks are conv2_block1 … conv5_block3")
    return rows


def _inbound_names(value) -> list[str]:
    """Layer names in the ``keras_history`` entries of a layer config's ``inbound_nodes``."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return [value["config"]["keras_history"][0]]
        return [name for item in value.values() for name in _inbound_names(item)]
    if isinstance(value, (list, tuple)):
        return [name for item in value for name in _inbound_names(item)]
    return []


def format_block(rows) -> str:
    """The rows of :func:`residual_block` as a table; the ``Add`` row marks the shortcut."""
    lines = ["층 | 종류 | 출력 모양 | 입력", "---|---|---|---"]
    for row in rows:
        inputs = (" + ".join([f"{row['inputs'][0]} (지름길)", *row["inputs"][1:]]) if row["type"] == "Add"
                  else ", ".join(row["inputs"]))
        lines.append(f"{row['name']} | {row['type']} | {'×'.join(map(str, row['shape']))} | {inputs}")
    return "\n".join(lines)


# --- 표 6-1 ----------------------------------------------------------------------------------------

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
    """Build ``keras.applications.<name>(weights=None)`` (with its top) and count its parameters,
    ``len(model.layers)`` and the layers that hold weights; nothing is downloaded."""
    import keras

    builder = getattr(keras.applications, name, None)
    if builder is None:
        raise ValueError(f"keras.applications has no model {name!r}")
    model = builder(weights=None)
    return {"model": name, "params": int(model.count_params()), "layers": len(model.layers),
            "layers_with_weights": sum(1 for layer in model.layers if layer.weights)}


def load_table6_1() -> dict:
    """The counts ``python tools/table6_1.py`` saved (shipped with the package)."""
    from ._course.saved import saved_run

    return saved_run(TABLE6_1_FILE.removesuffix(".json"))


def format_table6_1(computed: dict) -> str:
    """The book's 표 6-1 beside the recounted columns; ``≠`` marks a book figure that equals neither count."""
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
