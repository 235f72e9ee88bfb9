"""helpers.transfer: which ImageNet base 프로그램 6-11 uses, the base, the book's model and head,
batch norms kept in inference mode."""

import keras
import numpy as np
import pytest

from helpers import imagenet, transfer
from helpers._course import config, downloads
from helpers._course.files import file_hash


@pytest.fixture
def no_network(monkeypatch):
    monkeypatch.setattr(transfer, "_can_reach", lambda *a, **k: False)


@pytest.fixture
def pretrained_assets(needs):
    needs(imagenet.MODEL_FILE, "imagenet_labels.txt")


@pytest.fixture
def no_mobilenet_file(monkeypatch):
    def missing():
        raise downloads.DownloadError(f"{imagenet.MODEL_FILE} is not in /nowhere, and downloading failed")

    monkeypatch.setattr(imagenet, "weights_path", missing)


def test_resnet50_weights_missing_damaged_cached_or_downloadable(tmp_path, monkeypatch, no_network):
    path = tmp_path / transfer.RESNET50_NOTOP
    assert transfer.resnet50_weights(path) == (
        False, f"{path} does not exist and the download server cannot be reached")
    path.write_bytes(b"truncated")
    available, why = transfer.resnet50_weights(path)
    assert not available and why == f"{path} is damaged (its MD5 is not {transfer.RESNET50_NOTOP_MD5}); delete it"
    monkeypatch.setattr(transfer, "RESNET50_NOTOP_MD5", file_hash(path, "md5"))
    assert transfer.resnet50_weights(path) == (True, f"Keras 캐시에 있음 ({path})")
    monkeypatch.setattr(transfer, "_can_reach", lambda *a, **k: True)
    path.unlink()
    available, how = transfer.resnet50_weights(path)
    assert available and "내려받아" in how  # Keras will download it


def test_keras_weights_path_is_in_keras_models_folder():
    path = transfer.keras_weights_path("x.h5")
    assert path.name == "x.h5" and path.parent.name == "models"


def test_quick_mode_uses_the_imagenet_mobilenet_even_when_resnet50_could_be_had(pretrained_assets, monkeypatch):
    monkeypatch.setattr(transfer, "resnet50_weights", lambda path=None: (True, "cached"))
    config.set_quick_mode(True)
    base = transfer.choose_base()
    assert (base.name, base.weights) == ("MobileNetV2", "imagenet")
    assert base.note.startswith("예비 학습 모델: 빠른 모드라서 ResNet50 대신 ImageNet으로 학습된 MobileNetV2")
    assert "\n" not in base.note  # one line


def test_full_mode_takes_resnet50_when_its_weights_can_be_had(monkeypatch):
    monkeypatch.setattr(transfer, "resnet50_weights", lambda path=None: (True, "Keras 캐시에 있음 (/x)"))
    config.set_quick_mode(False)
    assert transfer.choose_base() == ("ResNet50", "imagenet",
                                      "예비 학습 모델: 책처럼 ImageNet으로 학습된 ResNet50 (Keras 캐시에 있음 (/x)).")


def test_full_mode_without_resnet50_says_why_and_uses_the_mobilenet(pretrained_assets, tmp_path, no_network):
    config.set_quick_mode(False)
    base = transfer.choose_base(path=tmp_path / transfer.RESNET50_NOTOP)
    assert (base.name, base.weights) == ("MobileNetV2", "imagenet")
    assert "ResNet50의 ImageNet 가중치를 구할 수 없어" in base.note and "cannot be reached" in base.note
    assert "\n" not in base.note


def test_random_initialisation_only_when_no_pretrained_file_exists(tmp_path, no_network, no_mobilenet_file):
    config.set_quick_mode(True)
    base = transfer.choose_base(path=tmp_path / transfer.RESNET50_NOTOP)
    assert (base.name, base.weights) == ("MobileNetV2", None)
    assert "무작위로 초기화" in base.note and "아무 의미가 없습니다" in base.note and imagenet.MODEL_FILE in base.note
    config.set_quick_mode(False)
    with pytest.raises(RuntimeError) as error:
        transfer.choose_base(path=tmp_path / transfer.RESNET50_NOTOP)
    message = str(error.value)
    assert transfer.RESNET50_NOTOP_URL in message and imagenet.MODEL_FILE in message and "does not exist" in message


def test_preprocess_function_is_each_models_own():
    pixels = np.array([[[[255.0, 0.0, 128.0]]]])
    np.testing.assert_allclose(transfer.preprocess_function("MobileNetV2")(pixels.copy()),
                               [[[[1.0, -1.0, 128 / 127.5 - 1]]]], atol=1e-6)
    resnet = transfer.preprocess_function(transfer.Base("ResNet50", "imagenet", ""))(pixels.copy())
    np.testing.assert_allclose(resnet, [[[[128 - 103.939, 0 - 116.779, 255 - 123.68]]]], atol=1e-3)  # BGR − means
    with pytest.raises(ValueError, match="base must be one of"):
        transfer.preprocess_function("VGG16")


def test_make_base_pretrained_or_random(pretrained_assets):
    base = transfer.Base("MobileNetV2", "imagenet", "")
    pretrained = transfer.make_base(base, (224, 224, 3))
    reference = imagenet.mobilenet_v2(include_top=False)
    kernel = pretrained.get_layer("block_16_project").get_weights()[0]
    np.testing.assert_array_equal(kernel, reference.get_layer("block_16_project").get_weights()[0])
    scratch = transfer.make_base(base, (224, 224, 3), pretrained=False)
    assert scratch.output.shape == (None, 7, 7, 1280)
    assert not np.allclose(scratch.get_layer("block_16_project").get_weights()[0], kernel)
    resnet = transfer.make_base(transfer.Base("ResNet50", None, ""), (64, 64, 3))
    assert resnet.name.startswith("resnet50") and resnet.output.shape == (None, 2, 2, 2048)
    with pytest.raises(ValueError, match="base must be one of"):
        transfer.make_base(transfer.Base("VGG16", None, ""))


def _small_base():
    return keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3))


def _count(weights):
    return sum(int(np.prod(w.shape)) for w in weights)


@pytest.mark.parametrize("trainable", [True, False])
def test_build_model_is_the_books_head_on_the_base(trainable):
    base_model = _small_base()
    base_model.trainable = trainable
    cnn = transfer.build_model(base_model, 5)
    assert cnn.output_shape == (None, 5) and cnn.layers[0] is base_model
    assert [type(layer).__name__ for layer in cnn.layers[1:]] == ["Flatten", "Dense", "Dense"]
    head = 1280 * 1024 + 1024 + 1024 * 5 + 5  # Flatten of a 1×1×1280 map → Dense(1024) → Dense(5)
    assert (_count(cnn.trainable_weights) == head) is (not trainable)
    assert float(cnn.optimizer.learning_rate) == pytest.approx(2e-5)


def test_freeze_batch_norms_reaches_nested_models_and_survives_unfreezing():
    base_model = _small_base()
    norms = [layer for layer in base_model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    cnn = transfer.build_model(base_model, 3)
    assert transfer.freeze_batch_norms(cnn) == len(norms) == 52
    assert not any(layer.trainable for layer in norms)
    base_model.trainable = False                 # the first phase …
    base_model.trainable = True                  # … and the second: every layer on again, batch norms too …
    assert all(layer.trainable for layer in norms)
    transfer.freeze_batch_norms(base_model)      # … so the batch norms are put back
    convs = [layer for layer in base_model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert not any(layer.trainable for layer in norms) and all(layer.trainable for layer in convs)
    # in inference mode a batch norm's output does not depend on the batch
    x = np.random.default_rng(0).normal(size=(4, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(base_model(x[:2], training=True)),
                               np.asarray(base_model(x, training=True))[:2], rtol=1e-4, atol=1e-5)


def test_build_head_learns_on_features_and_its_layers_go_on_the_base():
    head = transfer.build_head((1, 1, 1280), 4)
    assert head.count_params() == 1280 * 1024 + 1024 + 1024 * 4 + 4
    base_model = _small_base()
    two_phase = keras.Sequential([keras.Input((32, 32, 3)), base_model, *head.layers])
    x = np.random.default_rng(1).normal(size=(2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(two_phase(x)), np.asarray(head(base_model(x))), rtol=1e-5, atol=1e-6)


def test_imagenet_bird_classes_are_birds(pretrained_assets):
    names = imagenet.labels()
    assert len(imagenet.BIRD_CLASSES) == 59
    assert {names[i].split(",")[0] for i in (7, 13, 24, 80, 100, 127, 146)} == {
        "cock", "junco", "great grey owl", "black grouse", "black swan", "white stork", "albatross"}
    assert names[6].startswith("stingray") and names[25].startswith("European fire salamander")


def test_training_state_names_each_way_of_training():
    base_model = _small_base()
    cnn = transfer.build_model(base_model, 3)
    assert transfer.training_state(cnn) == "미세 조정, 배치 정규화층도 학습 모드"   # the book's 6-11
    transfer.freeze_batch_norms(base_model)
    assert transfer.training_state(cnn) == "미세 조정, 배치 정규화층은 추론 모드"   # this notebook's 6-11
    base_model.trainable = False
    assert transfer.training_state(cnn) == "동결"
    base_model.get_layer("Conv1").trainable = True
    assert transfer.training_state(cnn) == "일부 층만 학습"
    plain = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3)])
    assert transfer.training_state(transfer.build_model(plain, 2)) == "미세 조정"


def test_training_state_explains_a_wrong_model():
    with pytest.raises(ValueError, match="Flatten과 Dense 두 층을 얹은 Keras 모델이 아닙니다 \\(지금: int\\)"):
        transfer.training_state(3)
    with pytest.raises(ValueError, match="Flatten과 Dense 두 층"):
        transfer.training_state(_small_base())
    cnn = transfer.build_model(_small_base(), 3)
    cnn.layers[-1].trainable = False
    with pytest.raises(ValueError, match="새로 얹은 Dense층이 동결되어 있습니다"):
        transfer.training_state(cnn)
