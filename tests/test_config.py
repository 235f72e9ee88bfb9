from pathlib import Path

import numpy as np
import pytest

from helpers._course import config


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
    assert not config.is_quick() and config.quick_mode_source() == "default"


@pytest.mark.parametrize("value", ["2", "y", "quick", "ja", "1.0"])
def test_an_unknown_quick_setting_is_refused_not_read_as_full_mode(env, value):
    env(CH6_QUICK=value)
    with pytest.raises(ValueError, match=r"환경 변수 CH6_QUICK=.*빠른 모드는 CH6_QUICK=1.*accepted values: 1, true, yes, on, 0"):
        config.is_quick()


@pytest.mark.parametrize("value, quick", [("1", True), ("TRUE", True), ("on", True), ("0", False), ("off", False)])
def test_the_documented_quick_settings(env, value, quick):
    env(CH6_QUICK=value)
    assert config.is_quick() is quick and config.quick_mode_source() == f"CH6_QUICK={value}"


@pytest.mark.parametrize("value", ["0", "1", 1, 0])
def test_set_quick_mode_takes_only_true_false_or_none(value):
    with pytest.raises(TypeError, match="True, False or None"):
        config.set_quick_mode(value)


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
    with pytest.raises(ValueError, match="환경 변수 CH6_SEED는 정수여야 합니다\\(지금 'abc'\\)"):
        config.seed()


def test_paths_come_from_the_environment(env, tmp_path):
    assets = tmp_path / "assets"
    (assets / "datasets").mkdir(parents=True)
    (assets / "darknet").mkdir()
    (assets / "cub200_sample").mkdir()
    env(CH6_DATA_DIR=assets / "datasets", CH6_CUB_DIR=None, CH6_DARKNET_DIR=None,
        CH6_CACHE_DIR=tmp_path / "cache", CH6_MODEL_DIR=None)
    assert config.data_dir() == assets / "datasets"
    assert config.asset_dir("darknet") == assets / "darknet"  # sibling of the data folder
    assert config.cub_dir() == assets / "cub200_sample"
    assert config.model_path("m.keras") == tmp_path / "cache" / "models" / "m.keras"
    assert (tmp_path / "cache" / "models").is_dir()
    env(CH6_DARKNET_DIR=tmp_path / "mine", CH6_CUB_DIR=tmp_path / "birds", CH6_DATA_DIR=None)
    assert config.asset_dir("darknet") == tmp_path / "mine"
    assert config.cub_dir() == tmp_path / "birds"
    assert config.data_dir() is None


def test_defaults_without_any_variable(env):
    env(CH6_DATA_DIR=None, CH6_CACHE_DIR=None, CH6_DARKNET_DIR=None, CH6_CUB_DIR=None,
        CH6_YOLO_MODEL=None, CH6_RESULTS_DIR=None, CH6_CHECKPOINT_DIR=None, CH6_PRETRAINED_DIR=None,
        CH6_IMAGES_DIR=None, CH6_CUB_URLS=None, CH6_DOWNLOAD_DIR=None, KERAS_HOME=None)
    cache = Path.home() / ".cache" / "ch6"
    assert config.cache_dir() == config.download_dir() == cache
    assert config.keras_dir() == Path.home() / ".keras"
    assert config.asset_dir("darknet") is None
    assert config.cub_dir() == cache / "CUB200"
    assert config.yolo_model_name() == "yolov3"
    # ordinary runs write only into the user's cache, never into the repository
    assert config.results_dir() == cache / "results"
    assert config.checkpoint_output_dir() == cache / "my-checkpoints"
    assert config.checkpoint_dir() == config.saved_results_dir().parent / "checkpoints"  # the shipped ones are read
    assert config.asset_dir("pretrained") is None and config.asset_dir("cub") is None
    assert config.download_sources("CUB_200_2011.tgz") is None


def test_checkpoint_dir_is_honoured_for_reading_and_writing(env, tmp_path):
    env(CH6_CHECKPOINT_DIR=tmp_path / "ckpt")
    assert config.checkpoint_dir() == config.checkpoint_output_dir() == tmp_path / "ckpt"


def test_asset_folders_and_download_sources_follow_the_environment(env, tmp_path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "pretrained").mkdir()
    env(CH6_DATA_DIR=tmp_path / "datasets", CH6_PRETRAINED_DIR=None, CH6_IMAGES_DIR=None)
    assert config.asset_dir("pretrained") == tmp_path / "pretrained"
    assert config.asset_dir("images") is None  # no sibling folder
    env(CH6_IMAGES_DIR=tmp_path / "photos", CH6_CUB_URLS="http://127.0.0.1:1/a.tgz  http://127.0.0.1:2/b.tgz")
    assert config.asset_dir("images") == tmp_path / "photos"
    assert config.download_sources("CUB_200_2011.tgz") == ["http://127.0.0.1:1/a.tgz", "http://127.0.0.1:2/b.tgz"]
    assert config.download_sources("coco.names") is None
    with pytest.raises(ValueError, match="unknown kind"):
        config.asset_dir("weights")


def test_child_environment_adds_and_removes_variables(env):
    env(CH6_SEED="3")
    child = config.child_environment(CH6_QUICK="1", CH6_SEED=None)
    assert child["CH6_QUICK"] == "1" and "CH6_SEED" not in child and "PATH" in child


def test_only_config_reads_environment_variables():
    """config.py is the one reader of settings: no other project file reads os.environ or getenv."""
    import re

    pattern = re.compile(r"os\.environ|getenv")
    offenders = []
    for folder in ("helpers", "tools", "benchmarks"):
        for path in sorted((config.REPO_ROOT / folder).rglob("*.py")):
            if path.name == "config.py" and folder == "helpers":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(config.REPO_ROOT)}:{number}: {line.strip()}")
    assert not offenders, "read settings through helpers._course.config instead:\n" + "\n".join(offenders)


def test_model_path_follows_env_and_defaults_to_the_cache(env, tmp_path):
    env(CH6_MODEL_DIR=None, CH6_CACHE_DIR=tmp_path / "cache")
    assert config.model_path("a.keras") == tmp_path / "cache" / "models" / "a.keras"
    env(CH6_MODEL_DIR=tmp_path / "mine")
    assert config.model_path("a.keras") == tmp_path / "mine" / "a.keras" and (tmp_path / "mine").is_dir()


def test_downloads_and_keras_cache_follow_env(env, tmp_path):
    env(CH6_CACHE_DIR=tmp_path / "cache", CH6_DOWNLOAD_DIR=None, KERAS_HOME=tmp_path / "keras")
    assert config.download_dir() == tmp_path / "cache" and config.keras_dir() == tmp_path / "keras"
    env(CH6_DOWNLOAD_DIR=tmp_path / "downloads")
    assert config.download_dir() == tmp_path / "downloads" and config.cache_dir() == tmp_path / "cache"


def test_saved_results_are_the_repositorys():
    assert config.saved_results_dir() == config.REPO_ROOT / "helpers" / "_course" / "saved" / "results"
    assert (config.saved_results_dir() / "6-1.json").is_file()
