"""Look inside a trained CNN: its kernels and the feature maps of any layer (프로그램 6-6 and beyond).

A layer is given as the book gives it (an index: ``cnn.layers[0]`` is ``0``), by name
(MobileNetV2's ``"out_relu"``) or as the layer itself.  Grad-CAM is in :mod:`helpers.gradcam`.
"""

from __future__ import annotations

import keras
import numpy as np

from .plots import show_images


def normalize(array):
    """Min–max normalise to [0, 1] as the book's lines 42–43 do; a constant array gives zeros.

    Example:
        >>> normalize(np.array([-2.0, 0.0, 2.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    array = np.asarray(array, dtype=np.float32)
    low, high = array.min(), array.max()
    return np.zeros_like(array) if high == low else (array - low) / (high - low)


def get_layer(model, layer):
    """The layer meant by an index, a name or the layer itself."""
    names = [candidate.name for candidate in model.layers]
    if isinstance(layer, keras.layers.Layer):
        if any(layer is candidate for candidate in model.layers):
            return layer
        raise ValueError(f"{layer.name} 층은 이 모델의 층이 아닙니다. 층 번호(0…{len(names) - 1})나 이름을 주세요.")
    if isinstance(layer, str):
        if layer in names:
            return model.layers[names.index(layer)]
        raise ValueError(f"이 모델에는 {layer!r}라는 층이 없습니다. 이 모델의 층: {names}. Keras는 세션마다 이름에 "
                         "번호를 붙이므로(conv2d, conv2d_1 … 또는 conv2d_4 …) 층 번호로 고르는 편이 안전합니다.")
    if not -len(names) <= int(layer) < len(names):
        raise ValueError(f"층 번호 {layer}는 없습니다: 이 모델의 층은 0…{len(names) - 1}번입니다.")
    return model.layers[int(layer)]


def map_layers(model, layers=None) -> list:
    """Indices of the layers whose output is a stack of feature maps (conv, pooling, activation),
    or of ``layers`` (indices or names) after checking that each has maps.

    Dropout is left out (at prediction time it passes its input on unchanged), and so is a
    functional model's input layer.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> map_layers(cifar10_cnn())
        [0, 1, 2, 4, 5, 6]
    """
    if layers is None:
        return [index for index, layer in enumerate(model.layers) if len(layer.output.shape) == 4
                and not isinstance(layer, (keras.layers.Dropout, keras.layers.InputLayer))]
    indices = [model.layers.index(get_layer(model, layer)) for layer in layers]
    for index in indices:
        if len(model.layers[index].output.shape) != 4:
            raise ValueError(f"층 {index}({model.layers[index].name})의 출력은 특징 맵이 아닙니다. "
                             f"특징 맵을 내는 층: {map_layers(model)}")
    return indices


def partial_model(model, layers):
    """A model from the input to one layer (the book's line 65) or, for a list, to several layers at once.

    A ``Sequential`` loaded from a file keeps older traces in ``layer.output``, so its layers are
    traced once more here: all outputs then come from one graph (Grad-CAM needs the gradient
    from one to another).

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> partial_model(cifar10_cnn(), 0).output.shape
        (None, 30, 30, 32)
    """
    chosen = [get_layer(model, layer) for layer in (layers if isinstance(layers, (list, tuple)) else [layers])]
    if not model.built or not model.inputs:
        raise ValueError("이 모델은 아직 입력 모양을 모릅니다(built 전). Sequential의 첫 층으로 "
                         "keras.Input(shape=(32, 32, 3))을 두거나, 데이터에 한 번 호출하세요(cnn(x_test[:1])).")
    if isinstance(model, keras.Sequential):
        x, traced = model.inputs[0], {}
        for layer in model.layers:
            x = traced[id(layer)] = layer(x)
        outputs = [traced[id(layer)] for layer in chosen]
    else:
        outputs = [layer.output for layer in chosen]
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, outputs if isinstance(layers, (list, tuple)) else outputs[0])


def feature_maps(model, layers, image):
    """The feature maps (h, w, channels) of one image at a layer, or a list of them for a list of layers.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> feature_maps(cifar10_cnn(), 2, np.zeros((32, 32, 3))).shape
        (14, 14, 32)
    """
    outputs = partial_model(model, layers)(np.asarray(image, np.float32)[None], training=False)
    if not isinstance(layers, (list, tuple)):
        return np.asarray(outputs)[0]
    return [np.asarray(output)[0] for output in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def _kernel(model, layer):
    target = get_layer(model, layer)
    weights = target.get_weights()
    if not weights or np.ndim(weights[0]) != 4:
        raise ValueError(f"{target.name} 층({type(target).__name__})에는 컨볼루션 커널이 없습니다. 컨볼루션층을 고르세요.")
    return target, weights[0]


def plot_kernels(model, layer=0):
    """The book's kernel figure (lines 41–57): kernel ``i`` in column i, input channel ``j`` in row j.

    The kernels are normalised over the whole layer (lines 42–43) and drawn with that brightness
    (``vmin=0, vmax=1``); at most 32 kernels and 3 input channels.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> len(plot_kernels(cifar10_cnn(), 0).axes)
        96
    """
    target, kernel = _kernel(model, layer)
    kernel = normalize(kernel)
    n_kernel, n_channel = min(32, kernel.shape[3]), min(3, kernel.shape[2])
    pairs = [(i, j) for j in range(n_channel) for i in range(n_kernel)]
    return show_images([kernel[:, :, j, i] for i, j in pairs], [f"{i}_{j}" for i, j in pairs],
                       f"{target.name}의 커널 (층 전체로 정규화한 밝기)", cmap="gray", figsize=(20, n_channel + 0.6),
                       columns=n_kernel, vmin=0, vmax=1)


def rgb_kernels(model, layer=0) -> np.ndarray:
    """A first layer's kernels as RGB pictures (out, h, w, 3) in [0, 1], grey 0.5 being a weight of 0.

    Each kernel is scaled by its own largest |weight|, so a weak kernel's pattern shows as clearly
    as a strong one's; a kernel whose norm is below 5 % of the strongest's stays flat grey.
    """
    target, kernel = _kernel(model, layer)
    if kernel.shape[2] != 3:
        raise ValueError(f"{target.name} 층의 입력은 {kernel.shape[2]}채널이라 RGB로 그릴 수 없습니다: 첫 컨볼루션층을 고르세요.")
    kernels = np.moveaxis(kernel, 3, 0).astype(np.float32)
    norms = np.sqrt((kernels ** 2).sum(axis=(1, 2, 3)))
    strong = (norms > 0) & (norms >= 0.05 * norms.max())
    largest = np.where(strong, np.abs(kernels).max(axis=(1, 2, 3)), 1.0)[:, None, None, None]
    return np.where(strong[:, None, None, None], 0.5 + 0.5 * kernels / largest, 0.5)


def plot_rgb_kernels(model, layer=0):
    """:func:`rgb_kernels` drawn 8 to a row, each titled with its number."""
    pictures = rgb_kernels(model, layer)
    return show_images(list(pictures), [str(i) for i in range(len(pictures))],
                       f"{get_layer(model, layer).name}의 커널을 RGB 영상으로 (회색 = 0)", columns=8, vmin=0, vmax=1)


def plot_all_layers(model, image, n_maps: int = 8, title: str | None = None, *, layers=None, picture=None):
    """One image's first ``n_maps`` feature maps at several layers (default: every layer with maps), a row each.

    Each row starts with the image (or ``picture``: what to show when ``image`` is a preprocessed
    network input) and is labelled with its layer and map size (height×width×channels).
    """
    indices = map_layers(model, layers)
    shown = np.clip(image, 0, 1) if picture is None else picture
    images, titles, labels = [], [], []
    for row, (index, maps) in enumerate(zip(indices, feature_maps(model, indices, image))):
        count = min(n_maps, maps.shape[2])
        images += [shown] + [maps[:, :, c] for c in range(count)] + [None] * (n_maps - count)
        titles += ["입력"] + [f"map{c}" for c in range(n_maps)] if row == 0 else [None] * (n_maps + 1)
        layer = model.layers[index]
        name = f"{index}: {type(layer).__name__}" if isinstance(model, keras.Sequential) else layer.name
        labels.append(f"{name}\n{maps.shape[0]}×{maps.shape[1]}×{maps.shape[2]}")
    return show_images(images, titles, title or "층마다 특징 맵", cmap="gray",
                       figsize=(1.6 * (n_maps + 1), 1.7 * len(indices)), columns=n_maps + 1, row_labels=labels)
