"""helpers.imagenet and helpers._course.tflite on the real TFLite file: the converted Keras MobileNetV2
against the LiteRT interpreter, layer by layer and photo by photo; wrong files; the conversion cache.

The model is converted once per test run into a temporary cache (module fixture).  Every test
needs the TFLite file and the photos (offline assets or `make download`) and skips with a reason
without them.
"""

import shutil
import time
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import imagenet
from helpers._course import config, downloads, tflite

PHOTOS = ("cat.png", "grace_hopper.png", "bird.png", "dragonfly.png", "hot_dog.jpg")
STEP = 1 / 256                     # the TFLite output's quantisation step (uint8, scale 1/256)
DOG_CLASSES = range(151, 269)      # ImageNet classes 151 (Chihuahua) … 268 (Mexican hairless)


def keras_probabilities(photo, model):
    return np.asarray(model.predict_on_batch(imagenet.model_input(photo)[None]))[0]


def tflite_probabilities(photo):
    """The interpreter's 1000 class probabilities (the int8 original; quantised in steps of 1/256)."""
    opened = tflite.interpreter()
    source, target = opened.get_input_details()[0], opened.get_output_details()[0]
    opened.set_tensor(source["index"], imagenet.resize(photo)[None])   # uint8; the file's scale does /127.5 − 1
    opened.invoke()
    scale, zero_point = target["quantization"]
    return ((opened.get_tensor(target["index"])[0].astype(np.float32) - zero_point) * scale)[1:]


def top_k(scores, k):
    names = imagenet.labels()
    return [(names[i], float(scores[i])) for i in np.argsort(-np.asarray(scores), kind="stable")[:k]]


def _assets(needs):
    needs(*PHOTOS, "dog.jpg", imagenet.MODEL_FILE, "imagenet_labels.txt", "mobilenet_v1_0.5_160_quant.tflite")
    return SimpleNamespace(images=downloads.fetch("cat.png").parent, pretrained=downloads.fetch(imagenet.MODEL_FILE).parent)


@pytest.fixture(scope="module")
def converted(tmp_path_factory, needs):
    """The ImageNet MobileNetV2, converted once into a temporary cache; the conversion's time."""
    assets = _assets(needs)
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CH6_CACHE_DIR", str(cache))
        start = time.perf_counter()
        model = imagenet.mobilenet_v2()
        yield SimpleNamespace(model=model, cache=cache, seconds=time.perf_counter() - start, **vars(assets))


def test_labels_drop_the_background_line_and_dogs_are_151_to_268(converted):
    names = imagenet.labels()
    assert len(names) == 1000 and "background" not in names
    assert names[285] == "Egyptian cat" and names[652] == "military uniform"
    assert names[DOG_CLASSES[0]] == "Chihuahua" and names[DOG_CLASSES[-1]] == "Mexican hairless"
    assert names[150] == "sea lion" and names[269].startswith("timber wolf")   # the neighbours are not dogs


def test_the_converted_weights_are_the_dequantised_tflite_constants(converted):
    with np.load(tflite.weights_path()) as stored:
        layers = {name.split("/")[0] for name in stored.files}
    assert len(layers) == 105                            # 52 conv/depthwise + 52 batch norms + the classifier
    opened = tflite.interpreter()
    by_name = {t["name"].split(";")[0]: t for t in opened.get_tensor_details()}
    first = by_name["MobileNetV2/Conv2d_0_0/Conv2D"]
    q = opened.get_tensor(first["index"])                  # [O, H, W, I] int8, one scale per output channel
    scales = first["quantization_parameters"]["scales"]
    expected = np.transpose(q.astype(np.float32) * scales[:, None, None, None], (1, 2, 3, 0))
    np.testing.assert_allclose(converted.model.get_layer("Conv1").get_weights()[0], expected, rtol=1e-6)
    gamma, beta, mean, variance = converted.model.get_layer("bn_Conv1").get_weights()
    assert np.all(gamma == 1) and np.all(mean == 0) and np.allclose(variance + 1e-3, 1)
    assert np.abs(beta).max() > 0.1                        # the folded bias, not zeros
    kernel, bias = converted.model.get_layer("predictions").get_weights()
    assert kernel.shape == (1280, 1000) and bias.shape == (1000,)


@pytest.mark.filterwarnings("ignore:Warning. Enabling `experimental_preserve_all_tensors`:UserWarning")
def test_each_keras_layer_reproduces_the_interpreter_s_layer_to_one_quantisation_step(converted):
    """Fed the interpreter's own (dequantised) input, a Keras layer gives the interpreter's output
    to within one int8 step (measured: 0.5, i.e. rounding).  A wrong layout, scale or bias would
    be off by many steps.  Reading intermediate tensors needs ``experimental_preserve_all_tensors``,
    a public constructor option meant for debugging; the library modules do not use it."""
    from ai_edge_litert.interpreter import Interpreter

    opened = Interpreter(model_path=str(downloads.fetch(tflite.MODEL_FILE)), experimental_preserve_all_tensors=True)
    opened.allocate_tensors()
    opened.set_tensor(opened.get_input_details()[0]["index"], imagenet.resize(converted.images / "cat.png")[None])
    opened.invoke()
    details = opened.get_tensor_details()

    def activation(name):
        index = next(t["index"] for t in details if t["name"].split(";")[0] == name
                     and t["dtype"] == np.int8 and len(t["quantization_parameters"]["scales"]) == 1)
        scale, zero_point = details[index]["quantization"]
        return (opened.get_tensor(index).astype(np.float32) - zero_point) * scale, scale

    cases = [("tfl.quantize", ["Conv1", "bn_Conv1", "Conv1_relu"], "MobileNetV2/Conv2d_0_0/relu6/Relu6"),
             ("MobileNetV2/expanded_conv_4/expand/relu6/Relu6",
              ["block_3_pad", "block_3_depthwise", "block_3_depthwise_BN", "block_3_depthwise_relu"],
              "MobileNetV2/expanded_conv_4/depthwise/relu6/Relu6"),
             ("MobileNetV2/expanded_conv_8/depthwise/relu6/Relu6", ["block_7_project", "block_7_project_BN"],
              "MobileNetV2/expanded_conv_8/project/batch_norm/FusedBatchNormV3"),
             ("MobileNetV2/expanded_conv_17/project/batch_norm/FusedBatchNormV3", ["Conv_1", "Conv_1_bn", "out_relu"],
              "MobileNetV2/Conv2d_18_1/relu6/Relu6")]
    for source, layers, target in cases:
        x, _ = activation(source)
        for layer in layers:
            x = converted.model.get_layer(layer)(x, training=False)
        expected, step = activation(target)
        assert np.abs(np.asarray(x) - expected).max() <= 1.0 * step + 1e-6, (source, target)
    pooled, _ = activation("MobileNetV2/top/Reshape/Reshape")
    logits, step = activation("MobileNetV2/top/SpatialSqueeze/Reshape")
    kernel, bias = converted.model.get_layer("predictions").get_weights()
    assert np.abs(pooled.reshape(1, 1280) @ kernel + bias - logits[:, 1:]).max() <= step + 1e-5


@pytest.mark.parametrize("photo", PHOTOS)
def test_keras_ranks_the_classes_as_the_interpreter_does(converted, photo):
    """Top-1 equal; the top-5 in the interpreter's order wherever its output can tell two classes
    apart (it is quantised in steps of 1/256: below 2 steps apart two classes count as tied);
    every class the interpreter gives ≥ 0.01 is in Keras' top 5.  The top-1 probability may differ
    by the int8 activations' rounding: measured up to 0.064 (hot_dog.jpg), so 0.08 here."""
    keras_p = keras_probabilities(converted.images / photo, converted.model)
    tflite_p = tflite_probabilities(converted.images / photo)
    names = imagenet.labels()
    keras_top = [name for name, _ in imagenet.classify(converted.images / photo, converted.model, k=5)]
    tflite_top = top_k(tflite_p, 5)
    assert keras_top[0] == tflite_top[0][0]
    assert abs(keras_p.max() - tflite_p.max()) <= 0.08
    for i, (first, p_first) in enumerate(tflite_top):
        for second, p_second in tflite_top[i + 1:]:
            if p_first - p_second >= 2 * STEP - 1e-9:
                assert keras_p[names.index(first)] > keras_p[names.index(second)], (first, second)
    assert {name for name, p in tflite_top if p >= 0.01} <= set(keras_top)


def test_the_named_photos_get_their_known_labels(converted):
    assert imagenet.classify(converted.images / "cat.png", converted.model, k=1)[0][0] == "Egyptian cat"
    assert imagenet.classify(converted.images / "grace_hopper.png", converted.model, k=1)[0][0] == "military uniform"
    for photo in ("cat.png", "grace_hopper.png"):
        label, probability = imagenet.classify(converted.images / photo, converted.model, k=1)[0]
        assert probability > 0.5, (photo, label, probability)


def test_dog_jpg_has_a_dog_among_the_top5(converted):
    dogs = {imagenet.labels()[i] for i in DOG_CLASSES}
    top5 = imagenet.classify(downloads.fetch("dog.jpg"), converted.model)
    assert len(top5) == 5 and any(name in dogs for name, _ in top5), top5
    assert all(0 <= p <= 1 for _, p in top5) and [p for _, p in top5] == sorted((p for _, p in top5), reverse=True)


def test_photos_are_read_as_rgb_and_prepared_as_keras_does(converted):
    photo = imagenet.load_photo(converted.images / "cat.png")
    assert photo.shape == (341, 512, 3) and photo.dtype == np.uint8
    assert imagenet.resize(photo).shape == (224, 224, 3)
    x = imagenet.model_input(photo)
    from keras.applications.mobilenet_v2 import preprocess_input

    np.testing.assert_allclose(x, preprocess_input(imagenet.resize(photo).astype(np.float32)))
    assert x.min() >= -1 and x.max() <= 1
    assert np.array_equal(imagenet.load_photo(photo.astype(np.float32)), photo)   # img_to_array's floats
    with pytest.raises(ValueError, match="RGB 배열"):
        imagenet.load_photo(np.zeros((4, 4)))


def test_classify_orders_by_probability(converted):
    p = keras_probabilities(converted.images / "cat.png", converted.model)
    top = imagenet.classify(converted.images / "cat.png", converted.model, k=3)
    assert [name for name, _ in top] == [imagenet.labels()[i] for i in np.argsort(-p)[:3]]
    assert np.allclose([q for _, q in top], np.sort(p)[::-1][:3])


def test_the_model_can_be_tapped_for_kernels_and_feature_maps(converted):
    import keras

    kernel = converted.model.get_layer(imagenet.LAYERS["first_conv"]).get_weights()[0]
    assert kernel.shape == (3, 3, 3, 32)
    taps = keras.Model(converted.model.input,
                       [converted.model.get_layer(imagenet.LAYERS[k]).output for k in ("early", "middle", "late")])
    maps = taps(imagenet.model_input(converted.images / "bird.png")[None])
    assert [tuple(m.shape) for m in maps] == [(1, 112, 112, 96), (1, 28, 28, 192), (1, 7, 7, 1280)]
    assert all(float(np.asarray(m).max()) > 0 for m in maps)


def test_bases_for_transfer_learning_share_the_weights(converted):
    base = imagenet.mobilenet_v2(include_top=False, input_shape=(224, 224, 3))
    assert base.output.shape == (None, 7, 7, 1280)
    np.testing.assert_array_equal(base.get_layer("block_16_project").get_weights()[0],
                                  converted.model.get_layer("block_16_project").get_weights()[0])


def test_the_second_call_loads_the_cache_without_converting(converted, monkeypatch):
    cached = tflite.weights_path()
    assert cached.parent == converted.cache / "converted" and cached.is_file()
    stamp = cached.stat().st_mtime_ns

    def refuse(path):
        raise AssertionError("converted again although the cache exists")

    monkeypatch.setattr(tflite, "_convert", refuse)
    again = imagenet.mobilenet_v2()
    assert cached.stat().st_mtime_ns == stamp
    np.testing.assert_array_equal(again.get_layer("Conv1").get_weights()[0],
                                  converted.model.get_layer("Conv1").get_weights()[0])


@pytest.mark.parametrize("bad", ["corrupt", "another model"])
def test_a_wrong_tflite_file_gets_a_clear_error_and_no_cache_entry(converted, tmp_path, env, bad):
    folder = tmp_path / "pretrained"
    folder.mkdir()
    target = folder / tflite.MODEL_FILE
    if bad == "corrupt":
        target.write_bytes(downloads.fetch(tflite.MODEL_FILE).read_bytes()[:100_000])
    else:
        shutil.copy(downloads.fetch("mobilenet_v1_0.5_160_quant.tflite"), target)
    env(CH6_CACHE_DIR=tmp_path / "cache", CH6_DOWNLOAD_DIR=tmp_path / "cache", CH6_PRETRAINED_DIR=folder)
    with pytest.raises(downloads.DownloadError) as error:
        imagenet.mobilenet_v2()
    message = str(error.value)
    assert f"is not the expected {tflite.MODEL_FILE}" in message and "Delete it" in message
    assert str(target) in message
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.npz"))
    with pytest.raises(downloads.DownloadError, match="is not the expected"):
        tflite.interpreter()
