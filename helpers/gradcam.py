"""Grad-CAM (Selvaraju et al., 2017): where in the image lies the evidence for a class.

The gradient of one class score (before softmax) with respect to one layer's feature maps,
averaged over each map, says how much that map matters for the class; the maps weighted so
and summed, then resized to the image, are a heat-map.  Beyond the book's 6.5.
"""

from __future__ import annotations

import keras
import matplotlib
import numpy as np

from .plots import show_images
from .vis import get_layer, map_layers, normalize, partial_model


def grad_cam(model, image, *, layer=None, class_index: int | None = None, size=None):
    """Grad-CAM heat-map of one image in [0, 1]; returns ``(heatmap, class_index, probabilities)``.

    ``layer``: whose maps (default the last ``Conv2D``; MobileNetV2's is ``"out_relu"``);
    ``class_index``: which class (default the predicted one); ``size``: (height, width) of the
    heat-map (default the image's, e.g. ``photo.shape[:2]`` for a photo's 224×224 network input).

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> heatmap, label, probs = grad_cam(cifar10_cnn(), np.random.rand(32, 32, 3), size=(48, 64))
        >>> heatmap.shape, probs.shape
        ((48, 64), (10,))
    """
    import tensorflow as tf

    if layer is None:
        convs = [i for i in map_layers(model) if isinstance(model.layers[i], keras.layers.Conv2D)]
        if not convs:
            raise ValueError("이 모델에는 Conv2D 층이 없습니다: layer=로 마지막 특징 맵을 내는 층의 이름을 주세요.")
        layer = convs[-1]
    target = get_layer(model, map_layers(model, [layer])[0])
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise ValueError(f"grad_cam은 영상 한 장(높이, 너비, 채널)을 받습니다. 지금 모양은 {image.shape}입니다: x_test[k]처럼 주세요.")
    last = model.layers[-1]
    softmax = isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax
    # the maps of ``target``, and the scores: for a softmax output, the input of the last Dense layer
    taps = partial_model(model, [target, -2 if softmax else -1])
    x = tf.convert_to_tensor(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)                                # so the maps are recorded even in a frozen model
        maps, scores = taps(x, training=False)
        if softmax:                                  # the class scores before softmax
            scores = tf.matmul(scores, last.kernel) + (last.bias if last.use_bias else 0.0)
        class_index = int(tf.argmax(scores[0])) if class_index is None else int(class_index)
        if not 0 <= class_index < scores.shape[-1]:
            raise ValueError(f"class_index {class_index}는 없습니다: 이 모델의 부류는 0…{scores.shape[-1] - 1}번입니다.")
        score = scores[0, class_index]
    weights = tf.reduce_mean(tape.gradient(score, maps), axis=(1, 2))        # one weight per map
    cam = tf.nn.relu(tf.reduce_sum(maps * weights[:, None, None, :], axis=-1))[..., None]
    cam = tf.image.resize(cam, size if size is not None else image.shape[:2])[0, :, :, 0].numpy()
    probabilities = tf.nn.softmax(scores[0]).numpy() if softmax else np.asarray(scores[0])
    return normalize(cam), class_index, probabilities


def overlay_heatmap(picture, heatmap, alpha: float = 0.45) -> np.ndarray:
    """The picture with the heat-map laid over it in the ``jet`` colours (red: strong evidence), RGB in [0, 1]."""
    picture = np.asarray(picture)
    if picture.shape[:2] != np.shape(heatmap):
        raise ValueError(f"열지도의 모양 {np.shape(heatmap)}이 영상의 {picture.shape[:2]}와 다릅니다: "
                         "grad_cam(..., size=photo.shape[:2])로 구하세요.")
    picture = picture / 255 if picture.dtype == np.uint8 else picture.astype(np.float32)
    return np.clip((1 - alpha) * picture + alpha * matplotlib.colormaps["jet"](heatmap)[..., :3], 0, 1)


def plot_grad_cam(model, images, labels=None, class_names=None, layer=None):
    """The images (top row, titled with the true class) and their Grad-CAM over them (bottom row, the prediction)."""
    images = np.clip(np.asarray(images, dtype=np.float32), 0, 1)
    name = (lambda k: class_names[k]) if class_names is not None else str
    cams = [grad_cam(model, image, layer=layer) for image in images]
    titles = [f"정답: {name(int(np.ravel(label)[0]))}" for label in labels] if labels is not None else [None] * len(images)
    titles += [f"예측: {name(k)} ({p[k]:.2f})" for _, k, p in cams]
    return show_images(list(images) + [overlay_heatmap(image, heatmap) for image, (heatmap, _, _) in zip(images, cams)],
                       titles, "Grad-CAM: 예측한 부류의 증거가 있는 곳", figsize=(2.2 * len(images), 5),
                       columns=len(images))
