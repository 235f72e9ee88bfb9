"""Look inside a trained CNN: kernels (grey or RGB), feature maps of any layer, several layers on one page.

프로그램 6-6 draws the first layer's kernels and feature maps with twenty lines of
Matplotlib; these functions draw the same figures for *any* layer and any image, so the
notebook and the lecture explorer (:mod:`helpers.widgets`) share one implementation.
They take the book's ``Sequential`` and functional models alike (the ImageNet MobileNetV2
of :mod:`helpers.imagenet`, whose layers are best named: ``"Conv1"``, ``"out_relu"``).
Grad-CAM, which goes beyond the book's 6.5, is in :mod:`helpers.gradcam`.

Layers can be given by index (``0``, as the book's ``cnn.layers[0]``), by name
(``"conv2d"``) or as the layer object.  Layer names are numbered per session in Keras
(``conv2d``, ``conv2d_1`` … or ``conv2d_4`` …), so printing by index is what stays stable.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def normalize(array):
    """Min–max normalise to [0, 1] as the book's lines 42–43 do; a constant array gives zeros.

    Example:
        >>> normalize(np.array([-2.0, 0.0, 2.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    array = np.asarray(array, dtype=np.float32)
    low, high = float(array.min()), float(array.max())
    if high == low:
        return np.zeros_like(array)
    return (array - low) / (high - low)


def get_layer(model, layer):
    """The layer meant by an index, a name or the layer itself, with a clear error otherwise.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> type(get_layer(cifar10_cnn(), 0)).__name__
        'Conv2D'
    """
    if not isinstance(layer, (int, np.integer, str)):
        if any(layer is candidate for candidate in model.layers):
            return layer
        raise ValueError(f"layer {getattr(layer, 'name', layer)!r} is not a layer of this model; "
                         f"pass an index 0…{len(model.layers) - 1} or one of {layer_names(model)}")
    if isinstance(layer, str):
        for candidate in model.layers:
            if candidate.name == layer:
                return candidate
        raise ValueError(
            f"This model has no layer named {layer!r}. Its layers are {layer_names(model)}. "
            "Keras numbers names per session (conv2d, conv2d_1 … or conv2d_4 …): print "
            "[layer.name for layer in cnn.layers] to see this run's names, or pass an index.")
    index = int(layer)
    if not -len(model.layers) <= index < len(model.layers):
        raise ValueError(f"layer index {index} is out of range: this model has "
                         f"{len(model.layers)} layers (0…{len(model.layers) - 1}): {layer_names(model)}")
    return model.layers[index]


def layer_names(model) -> list:
    """The names of the model's layers, in order.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> len(layer_names(cifar10_cnn()))
        12
    """
    return [layer.name for layer in model.layers]


def map_layers(model) -> list:
    """Indices of the layers whose output is a stack of feature maps (conv, pooling, activations …).

    Dropout layers are left out: at prediction time they pass their input through unchanged;
    so is a functional model's input layer (it holds the image, not maps).

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> map_layers(cifar10_cnn())
        [0, 1, 2, 4, 5, 6]
    """
    return [index for index, layer in enumerate(model.layers)
            if len(layer.output.shape) == 4 and type(layer).__name__ not in ("Dropout", "InputLayer")]


def conv_layers(model) -> list:
    """Indices of the Conv2D layers (the book selects them with ``'conv' in layer.name``).

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> conv_layers(cifar10_cnn())
        [0, 1, 4, 5]
    """
    return [index for index, layer in enumerate(model.layers) if type(layer).__name__ == "Conv2D"]


def _inputs(model):
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise ValueError(
            "This model has no inputs yet, so no partial model can be cut from it. Start the "
            "Sequential with keras.Input(shape=(32, 32, 3)), or call it once on data, e.g. cnn(x_test[:1]).")
    return inputs


def partial_model(model, layers):
    """A model from the input to one layer (the book's line 65) or to several layers at once.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> partial_model(cifar10_cnn(), 0).output.shape
        (None, 30, 30, 32)
    """
    import keras

    inputs = _inputs(model)
    if isinstance(layers, (list, tuple)):
        outputs = [get_layer(model, layer).output for layer in layers]
    else:
        outputs = get_layer(model, layers).output
    return keras.Model(inputs=inputs[0] if len(inputs) == 1 else inputs, outputs=outputs)


def run(model, images):
    """Run ``model`` on a batch: called directly for a few images, ``predict`` in batches for many.

    Calling a freshly cut partial model directly avoids building a new ``predict`` function
    (and TensorFlow's "retracing" warning) every time a slider moves.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> run(cifar10_cnn(), np.zeros((2, 32, 32, 3))).shape
        (2, 10)
    """
    batch = np.asarray(images, dtype=np.float32)
    if len(batch) <= 32:
        outputs = model(batch, training=False)
        if isinstance(outputs, (list, tuple)):
            return [np.asarray(output) for output in outputs]
        return np.asarray(outputs)
    return model.predict(batch, verbose=0)


def feature_maps(model, layer, images):
    """Feature maps of ``layer`` for a batch of images (N,H,W,C) or one image (H,W,C).

    One image in gives its maps (h, w, channels); a batch gives (N, h, w, channels).

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> feature_maps(cifar10_cnn(), 2, np.zeros((32, 32, 3))).shape
        (14, 14, 32)
    """
    images = np.asarray(images, dtype=np.float32)
    single = images.ndim == 3
    batch = images[None] if single else images
    maps = np.asarray(run(partial_model(model, layer), batch))
    return maps[0] if single else maps


def _kernel(model, layer):
    """The layer and its kernel (h, w, in, out), or a clear error for a layer without one."""
    target = get_layer(model, layer)
    weights = target.get_weights()
    if not weights or np.ndim(weights[0]) != 4:
        raise ValueError(f"layer {target.name!r} ({type(target).__name__}) has no convolution kernel; "
                         f"choose one of the Conv2D layers {[model.layers[i].name for i in conv_layers(model)]}")
    return target, weights[0]


def plot_kernels(model, layer=0, n_kernel: int = 32, n_channel: int | None = None, title: str | None = None):
    """The book's kernel figure: kernel ``i`` in column i, input channel ``j`` in row j, title ``i_j``.

    Kernels are min–max normalised over the whole layer (lines 42–43), so grey levels
    compare across kernels.  Deeper layers have many input channels; ``n_channel`` caps the
    rows (default: all of the first layer's 3, at most 3 elsewhere).

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> len(plot_kernels(cifar10_cnn(), 0).axes)
        96
    """
    target, kernel = _kernel(model, layer)
    kernel = normalize(kernel)
    n_kernel = min(n_kernel, kernel.shape[3])
    n_channel = min(n_channel or 3, kernel.shape[2])
    figure = plt.figure(figsize=(20, n_channel))
    figure.suptitle(title or f"Kernels of {target.name}")
    for i in range(n_kernel):
        for j in range(n_channel):
            axes = figure.add_subplot(n_channel, n_kernel, j * n_kernel + i + 1)
            axes.imshow(kernel[:, :, j, i], cmap="gray", vmin=0, vmax=1)
            axes.set_xticks([]); axes.set_yticks([])
            axes.set_title(f"{i}_{j}", fontsize=8)
    return figure


def rgb_kernels(model, layer=0, floor: float = 0.05) -> np.ndarray:
    """A first layer's kernels as RGB pictures (out, h, w, 3) in [0, 1]: grey 0.5 is a weight of 0.

    Each kernel is scaled by its own largest |weight| (0.5 ± 0.5), so a weak kernel's pattern
    shows as clearly as a strong one's; kernels whose norm is below ``floor`` × the strongest
    kernel's norm detect next to nothing and stay flat grey.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> rgb_kernels(cifar10_cnn()).shape
        (32, 3, 3, 3)
    """
    target, kernel = _kernel(model, layer)
    if kernel.shape[2] != 3:
        raise ValueError(f"layer {target.name!r} takes {kernel.shape[2]} input channels, not RGB: "
                         "only a first convolution's kernels can be drawn as colour pictures")
    kernels = np.moveaxis(kernel, 3, 0).astype(np.float32)
    norms = np.sqrt((kernels ** 2).sum(axis=(1, 2, 3)))
    largest = np.abs(kernels).max(axis=(1, 2, 3))
    strong = norms >= floor * norms.max() if norms.max() > 0 else np.zeros(len(kernels), bool)
    scale = np.where(strong, largest, 1.0)[:, None, None, None]
    return np.where(strong[:, None, None, None], 0.5 + 0.5 * kernels / scale, 0.5)


def plot_rgb_kernels(model, layer=0, n_columns: int = 8, title: str | None = None):
    """:func:`rgb_kernels` as a grid of colour pictures titled with each kernel's number.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> figure = plot_rgb_kernels(cifar10_cnn())
        >>> len(figure.axes), figure.axes[5].get_title()
        (32, '5')
    """
    target = get_layer(model, layer)
    pictures = rgb_kernels(model, layer)
    n_rows = -(-len(pictures) // n_columns)
    figure = plt.figure(figsize=(1.3 * n_columns, 1.45 * n_rows + 0.4))
    figure.suptitle(title or f"Kernels of {target.name} as RGB pictures (grey = 0)")
    for i, picture in enumerate(pictures):
        axes = figure.add_subplot(n_rows, n_columns, i + 1)
        axes.imshow(picture, interpolation="nearest", vmin=0, vmax=1)
        axes.set_xticks([]); axes.set_yticks([])
        axes.set_title(str(i), fontsize=9)
    return figure


def plot_feature_maps(maps, channels=None, n_columns: int = 16, title: str | None = None,
                      figsize=None):
    """The book's feature-map grid: map ``i`` in grey with the title ``map{i}`` (lines 73–80).

    ``maps`` is one image's maps (h, w, channels); ``channels`` which ones to draw
    (default all), 16 to a row as in the book's 2×16 figure.

    Example:
        >>> figure = plot_feature_maps(np.random.rand(30, 30, 32))
        >>> len(figure.axes), figure.axes[31].get_title()
        (32, 'map31')
    """
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"plot_feature_maps needs one image's maps (h, w, channels), got shape {maps.shape}; "
                         "for a batch pass maps[k]")
    channels = list(range(maps.shape[2])) if channels is None else list(channels)
    bad = [c for c in channels if not 0 <= c < maps.shape[2]]
    if bad or not channels:
        raise ValueError(f"channels {bad or channels} do not exist: these maps have channels 0…{maps.shape[2] - 1}")
    n_columns = min(n_columns, len(channels))
    n_rows = -(-len(channels) // n_columns)
    figure = plt.figure(figsize=figsize or (20, 1.5 * n_rows))
    if title:
        figure.suptitle(title)
    for position, channel in enumerate(channels):
        axes = figure.add_subplot(n_rows, n_columns, position + 1)
        axes.imshow(maps[:, :, channel], cmap="gray")
        axes.set_xticks([]); axes.set_yticks([])
        axes.set_title(f"map{channel}", fontsize=9)
    return figure


def plot_all_layers(model, image, n_maps: int = 8, title: str | None = None, *, layers=None, picture=None):
    """One image's feature maps at several layers (default: every conv and pooling layer), a row each.

    The first column is the image (``picture`` if given: what to show when ``image`` is a
    preprocessed network input); each row shows the first ``n_maps`` maps and is labelled
    with the layer and its map size, so the shrinking 30→28→14→12→10→5 of the CIFAR-10 CNN,
    or MobileNetV2's 112→28→7 while channels grow 96→192→1280, is visible at a glance.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> figure = plot_all_layers(cifar10_cnn(), np.zeros((32, 32, 3)), n_maps=4)
        >>> len(figure.axes)
        30
    """
    indices = map_layers(model) if layers is None else [model.layers.index(get_layer(model, l)) for l in layers]
    if not indices:
        raise ValueError("this model has no conv or pooling layers to show")
    outputs = run(partial_model(model, indices), np.asarray(image, np.float32)[None])
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    shown = np.clip(image, 0, 1) if picture is None else picture
    n_columns = n_maps + 1
    figure = plt.figure(figsize=(1.6 * n_columns, 1.7 * len(indices)))
    figure.suptitle(title or "Feature maps of every conv / pooling layer")
    for row, (index, maps) in enumerate(zip(indices, outputs)):
        maps = np.asarray(maps)[0]
        layer = model.layers[index]
        name = f"{index}: {type(layer).__name__}" if _is_sequential(model) else layer.name
        axes = figure.add_subplot(len(indices), n_columns, row * n_columns + 1)
        axes.imshow(shown)
        axes.set_xticks([]); axes.set_yticks([])
        axes.set_ylabel(f"{name}\n{maps.shape[0]}×{maps.shape[1]}×{maps.shape[2]}",
                        fontsize=9, rotation=0, ha="right", va="center")
        for column in range(min(n_maps, maps.shape[2])):
            axes = figure.add_subplot(len(indices), n_columns, row * n_columns + column + 2)
            axes.imshow(maps[:, :, column], cmap="gray")
            axes.set_xticks([]); axes.set_yticks([])
            if row == 0:
                axes.set_title(f"map{column}", fontsize=9)
    figure.tight_layout()
    return figure


def _is_sequential(model) -> bool:
    import keras

    return isinstance(model, keras.Sequential)
