"""helpers._course.saved: the one mechanism that saves runs and replays them in lectures."""

import json
import sys

import numpy as np
import pytest

from helpers._course import config, saved
from helpers._course.measure import EpochTimer


def _tiny_model():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


@pytest.fixture
def stored(tmp_path, env):
    env(CH6_QUICK="0", CH6_CHECKPOINT_DIR=tmp_path)
    model = _tiny_model()
    x, y = np.random.rand(32, 4).astype("float32"), np.eye(3)[np.random.randint(0, 3, 32)]
    hist = model.fit(x, y, epochs=2, verbose=0)
    saved._save_checkpoint("6-x", model, hist, 0.5, data="random 32", folder=tmp_path)
    return tmp_path, model, hist


def test_round_trip_restores_weights_and_history(stored):
    folder, model, hist = stored
    entry = json.loads((folder / "MANIFEST.json").read_text())["6-x"]
    assert entry["epochs"] == 2 and entry["test_accuracy_percent"] == 50.0 and entry["parameters"] == 15
    fresh = _tiny_model()
    history = saved.load_checkpoint("6-x", fresh)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), fresh.get_weights()))
    np.testing.assert_allclose(history["loss"], hist.history["loss"], rtol=1e-6)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["MANIFEST.json", entry["weights"], entry["history"]])


def test_changed_missing_or_unknown_checkpoints_are_refused_in_korean(stored):
    folder, _, _ = stored
    entry = json.loads((folder / "MANIFEST.json").read_text())["6-x"]
    with open(folder / entry["weights"], "r+b") as handle:
        handle.seek(-8, 2)
        handle.write(b"corrupt!")
    with pytest.raises(saved.CheckpointError, match="SHA-256이 기록.*다릅니다.*make checkpoints"):
        saved.load_checkpoint("6-x", _tiny_model())
    (folder / entry["history"]).unlink()
    with pytest.raises(saved.CheckpointError, match="없거나"):
        saved.load_checkpoint("6-x", _tiny_model())
    with pytest.raises(saved.CheckpointError, match="프로그램 6-99의 체크포인트가 없습니다.*USE_CHECKPOINT = False"):
        saved.load_checkpoint("6-99", _tiny_model())


def test_a_different_model_is_refused(stored):
    import keras

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5)])
    with pytest.raises(saved.CheckpointError, match="매개변수는 25개인데.*15개"):
        saved.load_checkpoint("6-x", other)


def test_a_corrupt_manifest_gets_a_clear_error(tmp_path, env):
    env(CH6_CHECKPOINT_DIR=tmp_path)
    (tmp_path / "MANIFEST.json").write_text('{"6-x": {"weights": ', encoding="utf-8")
    with pytest.raises(saved.CheckpointError, match="올바른 JSON이 아닙니다"):
        saved.read_manifest()


def test_an_interrupted_save_keeps_the_previous_checkpoint(stored, monkeypatch):
    folder, model, hist = stored
    first = json.loads((folder / "MANIFEST.json").read_text())["6-x"]
    model.set_weights([w + 1 for w in model.get_weights()])

    def crash(*args, **kwargs):  # the power goes out while the history is written
        raise KeyboardInterrupt

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(saved.json, "dumps", crash)
        saved._save_checkpoint("6-x", model, hist, 0.9, data="random 32", folder=folder)
    assert json.loads((folder / "MANIFEST.json").read_text())["6-x"] == first
    saved.load_checkpoint("6-x", _tiny_model())  # the previous set still loads, hashes and all
    assert sorted(p.name for p in folder.iterdir()) == sorted(["MANIFEST.json", first["weights"], first["history"]])


def test_record_writes_a_trained_full_mode_run_only(env, tmp_path):
    env(CH6_RESULTS_DIR=tmp_path, CH6_QUICK="1", CH6_CHECKPOINT_DIR=tmp_path / "ckpt")
    timer = EpochTimer()
    timer.seconds = [10.0, 12.0]
    history = {"accuracy": [0.5, 0.6], "loss": [1.0, 0.8]}
    assert saved.record("6-x", accuracy=0.6, hist=history, timer=timer) is None      # quick mode
    assert saved.THIS_RUN["6-x"] == 0.6 and list(tmp_path.iterdir()) == []
    env(CH6_QUICK="0")
    assert saved.record("6-x", accuracy=0.6, hist=history, timer=EpochTimer()) is None  # loaded, not trained
    path = saved.record("6-x", accuracy=0.6, hist=history, timer=timer, data="random")
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert path == tmp_path / "6-x.json" and entry["accuracy"] == 0.6 and entry["history"] == history
    assert entry["epochs"] == 2 and entry["seconds_per_epoch"] == 11.0 and entry["machine"]["cpus"] >= 1
    assert [p.name for p in tmp_path.iterdir()] == ["6-x.json"]  # atomically; no checkpoint for a non-program


def test_full_runs_record_into_the_users_cache_not_the_shipped_runs(env, tmp_path):
    env(CH6_QUICK="0", CH6_RESULTS_DIR=None, CH6_CHECKPOINT_DIR=None, CH6_CACHE_DIR=tmp_path / "cache")
    timer = EpochTimer()
    timer.seconds = [1.0]
    path = saved.record("6-1", accuracy=0.5, hist={"loss": [1.0]}, timer=timer, model=_tiny_model())
    assert path == tmp_path / "cache" / "results" / "6-1.json"
    assert (tmp_path / "cache" / "my-checkpoints" / "MANIFEST.json").is_file()
    assert saved.checkpoint_entry("6-1")["epochs"] == 30  # the shipped 6-1 is still what loads
    assert config.checkpoint_dir() == config.saved_results_dir().parent / "checkpoints"


def test_saved_runs_ship_with_the_package_and_say_where_they_were_made():
    run = saved.saved_run("6.6-dropout-cv")
    assert run["scores"]["with dropout"]["folds"] and "CPU 2개" in saved.describe_saved(run)
    assert saved.saved_run("no-such-run") is None
    manifest = saved.read_manifest()
    assert sorted(manifest) == sorted(saved.PROGRAMS)
    total = sum((config.checkpoint_dir() / name).stat().st_size for e in manifest.values() for name in e["sha256"])
    assert total <= 30 * 1024 * 1024


def test_percent_takes_fractions_only():
    assert saved.percent(0.98974) == "98.97" and saved.percent(1) == "100.00"
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        saved.percent(98.97)


def test_book_table_puts_the_book_beside_this_run_and_says_what_did_not_run(env):
    env(CH6_QUICK="0")
    table = saved.book_table([("6-1", 0.9911, 0.985), ("6-99", None, 0.5), ("6-2", 0.9923, None)])
    assert "6-1 | 99.11 | 98.50" in table and "6-99 | — | 50.00" in table and "6-2 | 99.23 | 실행 안 함" in table
    env(CH6_QUICK="1")
    assert "빠른 모드" in saved.book_table([("6-1", 0.9911, 0.5)]).splitlines()[0]


@pytest.mark.parametrize("program", sorted(saved.PROGRAMS))
def test_shipped_checkpoint_reaches_its_recorded_accuracy(program, offline_data, env):
    """Each checkpoint evaluated on the whole test set of the data this machine has: within 0.1
    point of the accuracy recorded for that same data (tools/evaluate_checkpoints.py)."""
    sys.path.insert(0, str(config.REPO_ROOT / "tools"))
    from evaluate_checkpoints import evaluate

    env(CH6_QUICK="0")
    recorded = saved.checkpoint_entry(program).get("evaluations", {})
    label, accuracy = evaluate(program)
    assert label in recorded, f"no recorded accuracy of {program} on {label}: run tools/evaluate_checkpoints.py"
    assert abs(accuracy * 100 - recorded[label]) <= 0.1, (label, accuracy, recorded[label])
