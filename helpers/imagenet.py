"""A real ImageNet network for 6.5, 6.7 and 6.8: Keras' MobileNetV2 with public ImageNet weights, and photos for it.

The weights come from a public TFLite file (Apache-2.0), converted once into Keras' layout and
cached (:mod:`helpers._course.tflite`).  The model is an ordinary functional Keras model: its layers
(``Conv1``, ``block_6_expand_relu``, ``out_relu`` …) can be tapped for kernels, feature maps and Grad-CAM.
"""

from __future__ import annotations

import functools

import numpy as np

from ._course import downloads
# segmentation, vision_tasks and transfer use these through this module
from ._course.tflite import MODEL_FILE, ModelFileError, interpreter, weights_path  # noqa: F401

#: ImageNet's bird classes: 7 (cock) … 24 (great grey owl), 80 (black grouse) … 100 (black swan),
#: 127 (white stork) … 146 (albatross).
BIRD_CLASSES = frozenset((*range(7, 25), *range(80, 101), *range(127, 147)))
#: Layers worth looking at: the first convolution (32 kernels 3×3×3), then an early, a middle and a
#: late stack of feature maps (112×112×96, 28×28×192, 7×7×1280; the late one is Grad-CAM's layer).
LAYERS = {"first_conv": "Conv1", "early": "block_1_expand_relu", "middle": "block_6_expand_relu",
          "late": "out_relu"}


def mobilenet_v2(*, include_top: bool = True, input_shape=(224, 224, 3)):
    """``keras.applications.MobileNetV2`` with the ImageNet weights: the 1000-way classifier, or
    with ``include_top=False`` the convolutional base for transfer learning.

    Its batch norms are identities holding the folded biases: keep them in inference mode when fine-tuning.

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite")
        >>> mobilenet_v2(include_top=False).output.shape
        (None, 7, 7, 1280)
    """
    import keras

    model = keras.applications.MobileNetV2(weights=None, include_top=include_top, input_shape=tuple(input_shape))
    with np.load(weights_path()) as stored:
        for layer in model.layers:
            if layer.weights:
                layer.set_weights([stored[f"{layer.name}/{k}"] for k in range(len(layer.weights))])
    return model


def labels() -> list[str]:
    """The 1000 ImageNet class names, in the order of the model's outputs."""
    path = downloads.verify("imagenet_labels.txt", downloads.fetch("imagenet_labels.txt"))
    return path.read_text(encoding="utf-8").splitlines()[1:]          # line 0 is the background


def load_photo(photo) -> np.ndarray:
    """A photo (a path, or an RGB array as ``keras.utils.img_to_array`` gives it) as RGB ``uint8`` (H, W, 3)."""
    if isinstance(photo, np.ndarray):
        if photo.ndim != 3 or photo.shape[2] != 3:
            raise ValueError(f"사진은 RGB 배열(높이, 너비, 3)이어야 합니다. 지금 모양은 {photo.shape}입니다.")
        return photo if photo.dtype == np.uint8 else np.clip(np.round(photo), 0, 255).astype(np.uint8)
    from PIL import Image

    with Image.open(photo) as image:
        return np.asarray(image.convert("RGB"))


def resize(photo) -> np.ndarray:
    """The photo squeezed to 224×224 (bilinear, no crop, so a heat-map at this size stretches back onto the photo)."""
    from PIL import Image

    return np.asarray(Image.fromarray(load_photo(photo)).resize((224, 224), Image.BILINEAR))


def model_input(photo) -> np.ndarray:
    """One photo ready for the model: resized, then ``mobilenet_v2.preprocess_input`` (−1 … 1).

    Example:
        >>> x = model_input(np.full((50, 80, 3), 255, np.uint8))
        >>> x.shape, float(x.max())
        ((224, 224, 3), 1.0)
    """
    from keras.applications import mobilenet_v2 as module

    return module.preprocess_input(resize(photo).astype(np.float32))


@functools.lru_cache(maxsize=1)
def _default_model():
    return mobilenet_v2()


def classify(photo, model=None, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` most probable ImageNet classes of one photo as ``[(label, probability), …]``.

    Example:
        >>> needs("tf2_mobilenet_v2_1.0_224_ptq.tflite", "dog.jpg")
        >>> [label.split(",")[0] for label, p in classify(downloads.fetch("dog.jpg"), k=3)]
        ['malamute', 'German shepherd', 'Siberian husky']
    """
    model = model if model is not None else _default_model()
    # predict_on_batch: traced once per model (about 3 s), then ~15× faster than an eager call
    probabilities = np.asarray(model.predict_on_batch(model_input(photo)[None]))[0]
    names = labels()
    return [(names[i], float(probabilities[i])) for i in np.argsort(-probabilities, kind="stable")[:k]]
