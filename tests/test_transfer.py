"""helpers.transfer: which ImageNet base 프로그램 6-11 uses (ResNet50 from Keras's real cache file, else
MobileNetV2), the base, the book's model and head, batch norms kept in inference mode."""

import hashlib
import socket

import keras
import numpy as np
import pytest

from helpers import imagenet, transfer
from helpers._course import config


@pytest.fixture
def pretrained_assets(needs):
    needs(imagenet.MODEL_FILE, "imagenet_labels.txt")


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """An empty Keras cache folder (what KERAS_HOME names), and no network."""
    from keras.src.backend import config as keras_config

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("no network in this test")

    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(tmp_path))
    monkeypatch.setattr(socket, "create_connection", refused)
    return tmp_path


def test_quick_mode_uses_the_imagenet_mobilenet(pretrained_assets):
    config.set_quick_mode(True)
    assert transfer.choose_base() == ("MobileNetV2", "예비 학습 모델: 빠른 모드라서 ResNet50 대신 ImageNet으로 "
                                                     "학습된 MobileNetV2(표 6-1의 모델)")


def test_full_mode_loads_resnet50_from_the_file_keras_caches(keras_home, monkeypatch, pretrained_assets):
    """A real ResNet50 (random weights, include_top=False) saved as the .h5 file Keras caches, in an
    empty KERAS_HOME, with Keras's MD5 table made to hold that file's MD5."""
    import h5py
    from keras.src.applications import resnet
    from keras.src.legacy.saving.legacy_h5_format import save_weights_to_hdf5_group

    config.set_quick_mode(False)
    name, note = transfer.choose_base()  # nothing cached, no network
    assert name == "MobileNetV2" and "ResNet50의 ImageNet 가중치를 구할 수 없어(" in note and "내려받을 수 없음" in note

    original = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(224, 224, 3))
    cached = keras_home / "models" / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    cached.parent.mkdir()
    with h5py.File(cached, "w") as file:
        save_weights_to_hdf5_group(file, original)
    md5 = hashlib.md5(cached.read_bytes()).hexdigest()
    monkeypatch.setitem(resnet.WEIGHTS_HASHES, "resnet50", (resnet.WEIGHTS_HASHES["resnet50"][0], md5))
    assert transfer.choose_base() == ("ResNet50", "예비 학습 모델: 책처럼 ImageNet으로 학습된 ResNet50")
    loaded = transfer.make_base("ResNet50")  # the notebook's line 49: ResNet50(weights='imagenet', …)
    assert len(loaded.get_weights()) == len(original.get_weights()) == 318
    for mine, theirs in zip(loaded.get_weights(), original.get_weights()):
        np.testing.assert_array_equal(mine, theirs)

    cached.write_bytes(cached.read_bytes()[:4096])  # a download cut short
    name, note = transfer.choose_base()
    assert name == "MobileNetV2" and "파일이 손상됨: 지우고" in note


def test_preprocess_function_is_each_models_own():
    pixels = np.array([[[[255.0, 0.0, 128.0]]]])
    np.testing.assert_allclose(transfer.preprocess_function("MobileNetV2")(pixels.copy()),
                               [[[[1.0, -1.0, 128 / 127.5 - 1]]]], atol=1e-6)
    resnet = transfer.preprocess_function("ResNet50")(pixels.copy())
    np.testing.assert_allclose(resnet, [[[[128 - 103.939, 0 - 116.779, 255 - 123.68]]]], atol=1e-3)  # BGR − means
    with pytest.raises(ValueError, match="기반 모델은 ResNet50 또는 MobileNetV2입니다 \\(지금: 'VGG16'\\)"):
        transfer.preprocess_function("VGG16")
    with pytest.raises(ValueError, match="VGG16"):
        transfer.make_base("VGG16")


def test_make_base_pretrained_or_random(pretrained_assets):
    pretrained = transfer.make_base("MobileNetV2", (224, 224, 3))
    reference = imagenet.mobilenet_v2(include_top=False)
    kernel = pretrained.get_layer("block_16_project").get_weights()[0]
    np.testing.assert_array_equal(kernel, reference.get_layer("block_16_project").get_weights()[0])
    scratch = transfer.make_base("MobileNetV2", (224, 224, 3), pretrained=False)
    assert scratch.output.shape == (None, 7, 7, 1280)
    assert not np.allclose(scratch.get_layer("block_16_project").get_weights()[0], kernel)
    resnet = transfer.make_base("ResNet50", (64, 64, 3), pretrained=False)
    assert resnet.name.startswith("resnet50") and resnet.output.shape == (None, 2, 2, 2048)


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


RUNS_6_11 = ("6-11-fine-tune", "6-11-book-batch-norm", "6-11-frozen", "6-11-features", "6-11-two-phase", "6-11-scratch")


@pytest.mark.parametrize("name", RUNS_6_11)
def test_each_training_of_6_7_replays_from_its_saved_run(name, capsys):
    """USE_CHECKPOINT = True: the saved accuracy and curves of the full run, said where and when made."""
    import matplotlib.pyplot as plt

    from helpers._course import saved

    before = len(plt.get_fignums())
    run = saved.show_saved(name)
    shown = capsys.readouterr().out.splitlines()
    assert run["epochs"] == 10 == len(run["history"]["val_accuracy"])
    assert run["accuracy"] == run["history"]["val_accuracy"][-1]  # validation = the test set, as in the book
    assert shown == [saved.describe_saved(run), f"정확률은 {run['accuracy'] * 100:.2f} (저장된 결과, 10세대)"]
    assert shown[0].startswith("저장된 전체 실행 결과 (") and "CPU 2개" in shown[0]
    assert len(plt.get_fignums()) == before + 2  # the book's two figures: accuracy and loss
    plt.close("all")


def test_a_run_nothing_was_saved_for_is_one_line_and_no_training(capsys):
    from helpers._course import saved

    assert saved.show_saved("6-11-never-recorded") is None
    assert capsys.readouterr().out == "저장된 실행 결과 6-11-never-recorded이(가) 없어 학습하지 않고 건너뜁니다.\n"


def test_the_saved_numbers_the_replay_cells_print_are_there():
    from helpers._course.memory import format_memory
    from helpers._course.saved import saved_run

    features = saved_run("6-11-features")
    assert features["frozen_10_epochs_seconds"] / features["features_10_epochs_seconds"] == pytest.approx(
        features["speedup"], rel=1e-2)
    assert 0 < features["extract_seconds"] < features["features_10_epochs_seconds"]
    assert 0 <= saved_run("6-11-scratch")["batch_stats_accuracy"] <= 1
    rows = saved_run("6-11-memory")["rows"]
    assert len(format_memory(rows).splitlines()) == 2 + len(rows) >= 3
