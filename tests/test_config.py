from pathlib import Path

import numpy as np
import pytest

from helpers import config


def test_quick_mode_follows_env_and_override(env):
    env(CH6_QUICK="0")
    assert not config.is_quick()
    assert config.epochs(30) == 30 and config.pick(50000, 5000) == 50000
    env(CH6_QUICK="1")
    assert config.is_quick()
    assert config.epochs(30) == 2 and config.epochs(30, quick=1) == 1 and config.epochs(1) == 1
    assert config.pick(50000, 5000) == 5000
    config.set_quick_mode(False)  # an instructor's switch wins over the variable
    assert not config.is_quick() and config.epochs(12) == 12
    config.set_quick_mode(None)
    assert config.is_quick()


def test_full_mode_is_the_default(env):
    env(CH6_QUICK=None)
    assert not config.is_quick()


def test_epochs_rejects_nonsense():
    with pytest.raises(ValueError, match="at least 1"):
        config.epochs(0)


def test_seed_makes_numpy_and_keras_repeat(env):
    import keras

    env(CH6_SEED="11")
    assert config.set_seed() == 11
    first = np.random.rand(3), keras.random.uniform((3,)).numpy()
    config.set_seed()
    second = np.random.rand(3), keras.random.uniform((3,)).numpy()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_after_set_seed_fit_still_reshuffles_numpy_data_every_epoch():
    """keras.utils.set_random_seed alone makes fit(x, y) repeat one batch order in every epoch."""
    import keras

    config.set_seed()
    seen = []

    class Spy(keras.layers.Layer):
        def call(self, x, training=None):
            if training:
                seen.append(tuple(np.asarray(x).ravel().astype(int)))
            return x

    x = np.arange(32, dtype=np.float32)[:, None]
    model = keras.Sequential([keras.Input((1,)), Spy(), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd", run_eagerly=True)
    model.fit(x, x, batch_size=8, epochs=3, verbose=0)
    first_batches = [seen[i] for i in (0, 4, 8)]
    assert len(set(first_batches)) == 3, f"the same batch order in every epoch: {first_batches}"
    assert all(sorted(sum(seen[i:i + 4], ())) == list(range(32)) for i in (0, 4, 8))  # each epoch sees all


def test_bad_seed_gets_a_clear_error(env):
    env(CH6_SEED="abc")
    with pytest.raises(ValueError, match="CH6_SEED must be a whole number"):
        config.seed()


def test_paths_come_from_the_environment(env, tmp_path):
    assets = tmp_path / "assets"
    (assets / "datasets").mkdir(parents=True)
    (assets / "darknet").mkdir()
    (assets / "cub200_sample").mkdir()
    env(CH6_DATA_DIR=assets / "datasets", CH6_CUB_DIR=None, CH6_DARKNET_DIR=None,
        CH6_CACHE_DIR=tmp_path / "cache", CH6_MODEL_DIR=None)
    assert config.data_dir() == assets / "datasets"
    assert config.darknet_dir() == assets / "darknet"  # sibling of the data folder
    assert config.cub_dir() == assets / "cub200_sample"
    assert config.model_path("m.keras") == tmp_path / "cache" / "models" / "m.keras"
    assert (tmp_path / "cache" / "models").is_dir()
    env(CH6_DARKNET_DIR=tmp_path / "mine", CH6_CUB_DIR=tmp_path / "birds", CH6_DATA_DIR=None)
    assert config.darknet_dir() == tmp_path / "mine"
    assert config.cub_dir() == tmp_path / "birds"
    assert config.data_dir() is None


def test_defaults_without_any_variable(env):
    env(CH6_DATA_DIR=None, CH6_CACHE_DIR=None, CH6_DARKNET_DIR=None, CH6_CUB_DIR=None,
        CH6_YOLO_MODEL=None, CH6_RESULTS_DIR=None)
    assert config.cache_dir() == Path.home() / ".cache" / "ch6"
    assert config.darknet_dir() == config.cache_dir() / "darknet"
    assert config.cub_dir() == config.cache_dir() / "CUB200"
    assert config.yolo_model_name() == "yolov3"
    assert config.results_dir() == config.REPO_ROOT / "results"


def test_check_versions_reports_and_rejects(monkeypatch):
    found = config.check_versions(("numpy", "matplotlib"))
    assert set(found) == {"numpy", "matplotlib"}
    import cv2

    monkeypatch.setattr(cv2, "__version__", "5.0.0")
    with pytest.raises(RuntimeError, match="Darknet importer"):
        config.check_versions(("cv2",))
    import numpy

    monkeypatch.setattr(numpy, "__version__", "1.20.0")
    with pytest.raises(RuntimeError, match="pip install -r requirements.txt"):
        config.check_versions(("numpy",))


def test_setup_prints_mode_and_seed(env, capsys):
    env(CH6_QUICK="1", CH6_SEED="5")
    info = config.setup(modules=("numpy",))
    out = capsys.readouterr().out
    assert info == {"versions": {"numpy": np.__version__}, "seed": 5, "quick": True}
    assert "빠른 모드" in out and "난수 씨앗(seed): 5" in out
    env(CH6_QUICK="0")
    config.setup(modules=("numpy",))
    assert "전체 모드" in capsys.readouterr().out


def test_model_dir_follows_env_and_defaults_to_the_cache(env, tmp_path):
    env(CH6_MODEL_DIR=None, CH6_CACHE_DIR=tmp_path / "cache")
    assert config.model_dir() == tmp_path / "cache" / "models"
    env(CH6_MODEL_DIR=tmp_path / "mine")
    assert config.model_dir() == tmp_path / "mine"


def test_in_colab_looks_for_the_colab_module(monkeypatch):
    import sys
    import types

    assert config.in_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert config.in_colab() is True
