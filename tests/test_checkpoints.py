import json

import numpy as np
import pytest

from helpers import checkpoints, results


def _tiny_model():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


@pytest.fixture
def saved(tmp_path, env):
    env(CH6_QUICK="0", CH6_CHECKPOINT_DIR=tmp_path)
    model = _tiny_model()
    x, y = np.random.rand(32, 4).astype("float32"), np.eye(3)[np.random.randint(0, 3, 32)]
    hist = model.fit(x, y, epochs=2, verbose=0)
    checkpoints.save_checkpoint("6-x", model, hist, 0.5, data="random 32", folder=tmp_path)
    return tmp_path, model, hist


def test_round_trip_restores_weights_and_history(saved):
    folder, model, hist = saved
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    entry = manifest["6-x"]
    assert entry["epochs"] == 2 and entry["test_accuracy_percent"] == 50.0 and entry["parameters"] == 15
    assert set(entry["sha256"]) == {entry["weights"], entry["history"]}
    assert entry["weights"].startswith("6-x.") and entry["weights"].endswith(".weights.npz")
    fresh = _tiny_model()
    history = checkpoints.load_checkpoint("6-x", fresh)
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(history["loss"], hist.history["loss"], rtol=1e-6)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["MANIFEST.json", entry["weights"], entry["history"]])


def test_quick_mode_saves_nothing(tmp_path, env):
    env(CH6_QUICK="1")
    assert checkpoints.save_checkpoint("6-x", _tiny_model(), {"loss": [1.0]}, 0.1, data="x", folder=tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_changed_file_is_refused(saved):
    folder, _, _ = saved
    weights = json.loads((folder / "MANIFEST.json").read_text())["6-x"]["weights"]
    with open(folder / weights, "r+b") as handle:
        handle.seek(-8, 2)
        handle.write(b"corrupt!")
    with pytest.raises(checkpoints.CheckpointError, match="does not match its SHA-256.*make checkpoints"):
        checkpoints.load_checkpoint("6-x", _tiny_model())


def test_missing_file_and_unknown_program_are_refused(saved):
    folder, _, _ = saved
    (folder / json.loads((folder / "MANIFEST.json").read_text())["6-x"]["history"]).unlink()
    with pytest.raises(checkpoints.CheckpointError, match="is missing.*make checkpoints"):
        checkpoints.load_checkpoint("6-x", _tiny_model())
    with pytest.raises(checkpoints.CheckpointError, match="No checkpoint for 프로그램 6-99"):
        checkpoints.load_checkpoint("6-99", _tiny_model())


def test_a_different_model_is_refused(saved):
    import keras

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5)])
    with pytest.raises(checkpoints.CheckpointError, match="5 parameters|25 parameters"):
        checkpoints.load_checkpoint("6-x", other)


def test_record_run_skips_when_nothing_was_trained(env, tmp_path):
    env(CH6_QUICK="0", CH6_RESULTS_DIR=tmp_path)
    from helpers.measure import EpochTimer

    assert results.record_run("6-x", _tiny_model(), {"loss": [1.0]}, 0.5, EpochTimer(), data="x") is None
    assert list(tmp_path.iterdir()) == []


def test_committed_manifest_lists_every_program_and_stays_small():
    from helpers import config

    folder = config.checkpoint_dir()
    manifest = checkpoints.read_manifest(folder)
    assert sorted(manifest) == sorted(checkpoints.PROGRAMS)
    total = sum((folder / name).stat().st_size for e in manifest.values() for name in e["sha256"])
    assert total <= 30 * 1024 * 1024


@pytest.mark.parametrize("program", sorted(checkpoints.PROGRAMS))
def test_committed_checkpoint_reaches_its_recorded_accuracy(program, offline_data, env):
    """Load each checkpoint and evaluate it on the whole test set of the data this machine has:
    within 0.1 point of the accuracy recorded for that same data (tools/evaluate_checkpoints.py).
    A checkpoint trained on the full CIFAR-10 is checked on the subset's 2,000 test images, which
    are 2,000 of the full test set's 10,000, against its recorded accuracy on exactly those."""
    env(CH6_QUICK="0")
    entry = checkpoints.checkpoint_entry(program)
    label, accuracy = checkpoints.evaluate_checkpoint(program)
    recorded = entry.get("evaluations", {})
    assert label in recorded, (f"checkpoint {program} (trained on {entry['data']}) has no recorded accuracy on "
                               f"{label}: run `python tools/evaluate_checkpoints.py <that data folder>`")
    assert abs(accuracy * 100 - recorded[label]) <= 0.1, (label, accuracy, recorded[label])


def test_the_training_data_evaluation_is_the_recorded_test_accuracy():
    """The manifest's evaluation on the data a checkpoint was trained with is its test accuracy."""
    for program, entry in checkpoints.read_manifest().items():
        trained_on = [label for label in entry.get("evaluations", {}) if entry["data"].startswith(label)]
        assert len(trained_on) == 1, (program, entry["data"], sorted(entry.get("evaluations", {})))
        assert abs(entry["evaluations"][trained_on[0]] - entry["test_accuracy_percent"]) <= 0.1, program


def test_notebook_64_shows_trained_results_from_checkpoints_without_training(offline_data, env, tmp_path):
    """USE_CHECKPOINT = True: every training cell of 6.4 loads its checkpoint instead of fitting,
    and the evaluation on real test images shows a trained network."""
    import re
    import sys

    import nbformat

    from helpers.config import REPO_ROOT

    sys.path.insert(0, str(REPO_ROOT / "tools"))
    import notebooks as nbtools

    env(CH6_QUICK="1", CH6_MODEL_DIR=tmp_path / "models", CH6_RESULTS_DIR=tmp_path / "results")
    executed = nbtools.run(REPO_ROOT / "notebooks" / "6.4-cnn-programming.ipynb",
                           checkpoints=True, output_dir=tmp_path)
    text = "".join(o.get("text", "") for c in nbformat.read(executed, 4).cells
                   if c.cell_type == "code" for o in c.outputs)
    for program in ("6-1", "6-2", "6-3", "6-4"):
        assert f"체크포인트 {program}: " in text
    assert "Epoch 1/" not in text  # nothing was trained
    accuracies = [float(a) for a in re.findall(r"정확률은 ([0-9.]+)", text)]
    assert len(accuracies) == 6  # 6-1, 6-2, 6-3, 6-4, 6-5 from .keras and from .h5
    assert min(accuracies[:2]) > 97 and accuracies[2] > 88 and min(accuracies[3:]) > 55
    assert accuracies[3] == accuracies[4] == accuracies[5]  # saved and reloaded: the same model
    assert not (tmp_path / "results").exists()  # loading a checkpoint records no new result


def test_save_weights_and_load_weights_round_trip_and_check_shapes(tmp_path):
    model = _tiny_model()
    path = checkpoints.save_weights(model, tmp_path / "tiny.weights.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.weights.npz"]  # no temporary file left
    other = _tiny_model()
    checkpoints.load_weights(other, path)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights()))
    import keras

    wider = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5)])
    with pytest.raises(checkpoints.CheckpointError, match=r"shapes \[\(4, 3\), \(3,\)\].*needs \[\(4, 5\), \(5,\)\]"):
        checkpoints.load_weights(wider, path)


def test_a_corrupt_manifest_gets_a_clear_error(tmp_path, env):
    env(CH6_CHECKPOINT_DIR=tmp_path)
    (tmp_path / "MANIFEST.json").write_text('{"6-x": {"weights": ', encoding="utf-8")
    with pytest.raises(checkpoints.CheckpointError, match=r"not valid JSON.*git checkout"):
        checkpoints.read_manifest()
    (tmp_path / "MANIFEST.json").write_text('["6-x"]', encoding="utf-8")
    with pytest.raises(checkpoints.CheckpointError, match="not a checkpoint manifest"):
        checkpoints.load_checkpoint("6-x", _tiny_model())


def test_saving_again_replaces_the_set_and_an_interrupted_save_keeps_the_old_one(saved, monkeypatch):
    folder, model, hist = saved
    first = json.loads((folder / "MANIFEST.json").read_text())["6-x"]
    model.set_weights([w + 1 for w in model.get_weights()])
    checkpoints.save_checkpoint("6-x", model, hist, 0.75, data="random 32", folder=folder)
    second = json.loads((folder / "MANIFEST.json").read_text())["6-x"]
    assert second["weights"] != first["weights"] and second["test_accuracy_percent"] == 75.0
    assert sorted(p.name for p in folder.iterdir()) == sorted(["MANIFEST.json", second["weights"], second["history"]])

    def crash(*args, **kwargs):  # the power goes out while the history is written
        raise KeyboardInterrupt

    model.set_weights([w + 1 for w in model.get_weights()])
    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(checkpoints.json, "dumps", crash)
        checkpoints.save_checkpoint("6-x", model, hist, 0.9, data="random 32", folder=folder)
    assert json.loads((folder / "MANIFEST.json").read_text())["6-x"] == second
    fresh = _tiny_model()
    checkpoints.load_checkpoint("6-x", fresh)  # the previous set still loads, hashes and all
    assert fresh.count_params() == 15


def test_full_runs_save_into_the_users_folder_not_the_shipped_one(env, tmp_path):
    from helpers import config

    env(CH6_QUICK="0", CH6_CHECKPOINT_DIR=None, CH6_CACHE_DIR=tmp_path / "cache")
    model = _tiny_model()
    path = checkpoints.save_checkpoint("6-1", model, {"loss": [1.0]}, 0.5, data="x")
    assert path.parent == tmp_path / "cache" / "my-checkpoints"
    assert checkpoints.checkpoint_entry("6-1")["epochs"] == 30  # the shipped 6-1 is still what loads
    assert config.checkpoint_dir() == config.REPO_ROOT / "checkpoints"
