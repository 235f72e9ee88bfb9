"""helpers.transfer: ResNet50's ImageNet weights, the book's model, 표 6-1."""

import json

import numpy as np
import pytest

from helpers import config, transfer
from helpers.files import file_hash


@pytest.fixture
def no_network(monkeypatch):
    monkeypatch.setattr(transfer, "_can_reach", lambda *a, **k: False)


def test_weights_missing_in_full_mode_stop_with_the_file_name(tmp_path, no_network):
    config.set_quick_mode(False)
    path = tmp_path / "models" / transfer.RESNET50_NOTOP
    with pytest.raises(RuntimeError) as error:
        transfer.imagenet_weights(path)
    message = str(error.value)
    assert f"{path} does not exist and the download server cannot be reached" in message
    assert transfer.RESNET50_NOTOP_URL in message


def test_weights_missing_in_quick_mode_return_none_and_a_banner(tmp_path, no_network, capsys):
    config.set_quick_mode(True)
    weights, note = transfer.imagenet_weights(tmp_path / transfer.RESNET50_NOTOP)
    assert weights is None and "무작위로 초기화" in note and str(tmp_path) in note
    assert capsys.readouterr().out == ""  # returned, not printed


def test_weights_cached_damaged_or_downloadable(tmp_path, monkeypatch, no_network):
    path = tmp_path / transfer.RESNET50_NOTOP
    path.write_bytes(b"truncated")
    config.set_quick_mode(False)
    with pytest.raises(RuntimeError, match="is damaged"):
        transfer.imagenet_weights(path)
    monkeypatch.setattr(transfer, "RESNET50_NOTOP_MD5", file_hash(path, "md5"))
    assert transfer.imagenet_weights(path) == ("imagenet", f"ImageNet 가중치: Keras 캐시에 있습니다 ({path}).")
    monkeypatch.setattr(transfer, "_can_reach", lambda *a, **k: True)
    path.unlink()
    weights, note = transfer.imagenet_weights(path)
    assert weights == "imagenet" and "내려받아" in note  # Keras will download it


def test_keras_weights_path_is_in_keras_models_folder():
    path = transfer.keras_weights_path("x.h5")
    assert path.name == "x.h5" and path.parent.name == "models"


@pytest.mark.parametrize("trainable", [True, False])
def test_build_model_variants(trainable):
    cnn = transfer.build_model(5, (32, 32), weights=None, base_trainable=trainable)
    assert cnn.output_shape == (None, 5)
    base = cnn.layers[0]
    assert base.name.startswith("resnet50") and base.trainable is trainable
    head = 2048 * 1024 + 1024 + 1024 * 5 + 5  # Flatten of a 1×1×2048 map → Dense(1024) → Dense(5)
    trainable_count = sum(int(np.prod(w.shape)) for w in cnn.trainable_weights)
    assert (trainable_count == head) is (not trainable)
    assert float(cnn.optimizer.learning_rate) == pytest.approx(2e-5)


def test_table6_1_cache_matches_keras_for_resnet50():
    table = transfer.load_table6_1()
    assert [r["model"] for r in table["rows"]] == [r["model"] for r in transfer.BOOK_TABLE_6_1]
    cached = {r["model"]: r for r in table["rows"]}["ResNet50"]
    assert transfer.count_model("ResNet50") == cached
    assert cached["params"] == 25636712  # the book's figure, recomputed
    with pytest.raises(ValueError, match="keras.applications has no model 'ResNet51'"):
        transfer.count_model("ResNet51")


def test_table6_1_outside_a_clone_is_downloaded_into_the_cache(tmp_path, monkeypatch, env):
    remote = tmp_path / "remote.json"
    remote.write_text(json.dumps({"rows": [{"model": "VGG16"}]}))
    monkeypatch.setattr(config, "REPO_ROOT", tmp_path / "not-a-clone")
    monkeypatch.setattr(transfer, "_table6_1_url", lambda: remote.as_uri())
    env(CH6_CACHE_DIR=tmp_path / "cache")
    assert transfer.load_table6_1() == {"rows": [{"model": "VGG16"}]}
    assert (tmp_path / "cache" / transfer.TABLE6_1_FILE).is_file()
    monkeypatch.setattr(transfer, "_table6_1_url", lambda: (tmp_path / "gone.json").as_uri())
    (tmp_path / "cache" / transfer.TABLE6_1_FILE).unlink()
    with pytest.raises(FileNotFoundError, match=r"run `python tools/table6_1.py`"):
        transfer.load_table6_1()


def test_format_table6_1_flags_differences():
    text = transfer.format_table6_1({"rows": [
        {"model": "Xception", "params": 1, "layers": 134, "layers_with_weights": 126},
        {"model": "VGG16", "params": 138357544, "layers": 22, "layers_with_weights": 16}]})
    xception, vgg16 = text.splitlines()[2:]
    assert "| 1 ≠ |" in xception and "| 126 |" in xception  # depth equals one of the counts
    assert "138,357,544 | 138,357,544 | 23 ≠ |" in vgg16
