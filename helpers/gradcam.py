"""Grad-CAM: where in the image lies the evidence for a class (Selvaraju et al., 2017).

Beyond the book's 6.5, which draws kernels and feature maps (:mod:`helpers.vis`): the
gradient of one class score with respect to one layer's feature maps says how much each
map matters for that class; the weighted maps, resized to the image, are a heat-map.
:func:`grad_cam` works on the book's ``Sequential`` CIFAR-10 network and on functional
models such as the ImageNet MobileNetV2 of :mod:`helpers.imagenet` (``layer="out_relu"``),
and can return the heat-map at a photo's full resolution for :func:`plot_overlay`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .vis import _inputs, conv_layers, get_layer, normalize


def grad_cam(model, image, *, layer=None, class_index: int | None = None, size=None):
    """Grad-CAM heat-map (Selvaraju et al., 2017) of one image, in [0, 1].

    The gradient of the class score (before softmax) with respect to the maps of ``layer``
    (default: the last Conv2D; for MobileNetV2 name it, ``layer="out_relu"``), averaged over
    each map, weighs the maps; their ReLU'd sum, resized to ``size`` (height, width; default
    the image's own, e.g. a photo's shape when ``image`` is its 224×224 network input), shows
    where the evidence for the class lies.  ``class_index`` defaults to the predicted class.
    Works on any one-input Keras model, ``Sequential`` or functional.
    Returns ``(heatmap, class_index, probabilities)``.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> heatmap, label, probs = grad_cam(cifar10_cnn(), np.random.rand(32, 32, 3), size=(48, 64))
        >>> heatmap.shape, bool(0 <= heatmap.min() <= heatmap.max() <= 1), probs.shape
        ((48, 64), True, (10,))
    """
    import keras
    import tensorflow as tf

    if layer is None:
        convs = conv_layers(model)
        if not convs:
            raise ValueError("this model has no Conv2D layer; pass layer= (e.g. the name of its last feature maps)")
        layer = convs[-1]
    target = get_layer(model, layer)
    if len(target.output.shape) != 4:
        raise ValueError(f"layer {target.name!r} gives {tuple(target.output.shape)}, not feature maps "
                         "(batch, h, w, channels): choose a conv, pooling or activation layer before the classifier")
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise ValueError(f"grad_cam takes one image (h, w, channels), got shape {image.shape}; pass x_test[k]")
    last = model.layers[-1]
    strip_softmax = getattr(last, "activation", None) is keras.activations.softmax and hasattr(last, "kernel")
    inputs = _inputs(model)
    cam_model = keras.Model(inputs=inputs[0] if len(inputs) == 1 else inputs,
                            outputs=[target.output, last.input if strip_softmax else last.output])
    x = tf.convert_to_tensor(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)                                # so the maps are recorded even in a frozen model
        maps, scores = cam_model(x, training=False)
        if strip_softmax:                            # the class score before softmax
            scores = tf.matmul(scores, last.kernel) + (last.bias if last.use_bias else 0.0)
        if class_index is None:
            class_index = int(tf.argmax(scores[0]))
        if not 0 <= int(class_index) < scores.shape[-1]:
            raise ValueError(f"class_index {class_index} is out of range: this model has {scores.shape[-1]} classes "
                             f"(0…{scores.shape[-1] - 1})")
        score = scores[0, int(class_index)]
    gradients = tape.gradient(score, maps)
    weights = tf.reduce_mean(gradients, axis=(1, 2))                     # one weight per map
    cam = tf.nn.relu(tf.reduce_sum(maps * weights[:, None, None, :], axis=-1))[..., None]
    size = tuple(int(side) for side in (size if size is not None else image.shape[:2]))
    cam = tf.image.resize(cam, size, method="bilinear")[0, :, :, 0].numpy()
    probabilities = tf.nn.softmax(scores[0]).numpy() if strip_softmax else np.asarray(scores[0])
    return normalize(cam), int(class_index), probabilities


def plot_overlay(picture, heatmaps, titles=None, *, alpha: float = 0.45, title: str | None = None):
    """The picture, then each heat-map (same height and width) drawn over it, side by side.

    Example:
        >>> figure = plot_overlay(np.zeros((60, 80, 3), np.uint8), [np.random.rand(60, 80)], ["a"])
        >>> len(figure.axes), figure.axes[1].get_title()
        (2, 'a')
    """
    picture = np.asarray(picture)
    heatmaps = [np.asarray(heatmap) for heatmap in heatmaps]
    wrong = [heatmap.shape for heatmap in heatmaps if heatmap.shape != picture.shape[:2]]
    if wrong:
        raise ValueError(f"heat-maps of shape {wrong} do not fit the picture's {picture.shape[:2]}: "
                         "compute them with grad_cam(..., size=picture.shape[:2])")
    titles = list(titles) if titles is not None else [""] * len(heatmaps)
    count = len(heatmaps) + 1
    figure = plt.figure(figsize=(4.2 * count, 4.2 * picture.shape[0] / picture.shape[1] + 0.7))
    if title:
        figure.suptitle(title)
    for k, (heatmap, name) in enumerate(zip([None] + heatmaps, ["input"] + titles)):
        axes = figure.add_subplot(1, count, k + 1)
        axes.imshow(picture)
        if heatmap is not None:
            axes.imshow(heatmap, cmap="jet", alpha=alpha, vmin=0, vmax=1)
        axes.set_xticks([]); axes.set_yticks([])
        axes.set_title(name, fontsize=10)
    return figure


def plot_grad_cam(model, images, labels=None, class_names=None, layer=None, alpha: float = 0.45):
    """Images (top row) and their Grad-CAM heat-maps over them (bottom row), titled with the prediction.

    ``labels`` are the true classes (ints, or Keras's (N,1) array) for the titles.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> figure = plot_grad_cam(cifar10_cnn(), np.random.rand(3, 32, 32, 3))
        >>> len(figure.axes)
        6
    """
    images = np.asarray(images, dtype=np.float32)
    count = len(images)
    figure = plt.figure(figsize=(2.2 * count, 5))
    figure.suptitle("Grad-CAM: where the evidence for the predicted class lies")
    for k in range(count):
        heatmap, predicted, probabilities = grad_cam(model, images[k], layer=layer)
        name = class_names[predicted] if class_names is not None else str(predicted)
        top = figure.add_subplot(2, count, k + 1)
        top.imshow(np.clip(images[k], 0, 1))
        top.set_xticks([]); top.set_yticks([])
        if labels is not None:
            true = int(np.ravel(labels[k])[0]) if np.ndim(labels[k]) else int(labels[k])
            top.set_title("true: " + (class_names[true] if class_names is not None else str(true)), fontsize=9)
        bottom = figure.add_subplot(2, count, count + k + 1)
        bottom.imshow(np.clip(images[k], 0, 1))
        bottom.imshow(heatmap, cmap="jet", alpha=alpha, vmin=0, vmax=1)
        bottom.set_xticks([]); bottom.set_yticks([])
        bottom.set_title(f"pred: {name} ({probabilities[predicted]:.2f})", fontsize=9)
    return figure
