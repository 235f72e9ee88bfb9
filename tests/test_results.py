import json

import numpy as np

from helpers import results


def test_record_result_writes_only_in_full_mode(env, tmp_path):
    env(CH6_RESULTS_DIR=tmp_path, CH6_QUICK="1")
    assert results.record_result("6-1", 0.99) is None
    assert list(tmp_path.iterdir()) == []
    env(CH6_QUICK="0")
    timer = results.EpochTimer()
    timer.seconds = [10.0, 12.0]
    path = results.record_result("6-1", 0.9911, timer, data="MNIST 60000/10000")
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert path == tmp_path / "6-1.json"
    assert entry["test_accuracy_percent"] == 99.11 and entry["book_accuracy_percent"] == 99.11
    assert entry["epochs"] == 2 and entry["seconds_per_epoch"] == 11.0
    assert entry["machine"]["cpus"] >= 1 and entry["data"] == "MNIST 60000/10000"
    assert not list(tmp_path.glob("*.part"))  # written atomically


def test_epoch_timer_times_real_epochs():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(loss="mse", optimizer="sgd")
    timer = results.EpochTimer()
    model.fit(np.zeros((8, 4)), np.zeros((8, 2)), epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)


def test_compare_with_book_puts_book_beside_measured(capsys, env):
    env(CH6_QUICK="0")
    table = results.compare_with_book({"6-1": 0.985, "6-99": 50.0})
    assert "6-1 | 99.11 | 98.50" in table and "6-99 | — | 50.00" in table
    assert table in capsys.readouterr().out


def test_epoch_timer_prints_an_estimate_in_full_mode(capsys, env):
    import keras

    env(CH6_QUICK="0")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(loss="mse", optimizer="sgd")
    timer = results.EpochTimer()
    model.fit(np.zeros((40, 4)), np.zeros((40, 2)), batch_size=2, epochs=2, verbose=0, callbacks=[timer])
    out = capsys.readouterr().out
    assert "예상 학습 시간" in out and timer.estimate_seconds > 0
    env(CH6_QUICK="1")
    quiet = results.EpochTimer()
    model.fit(np.zeros((40, 4)), np.zeros((40, 2)), batch_size=2, epochs=1, verbose=0, callbacks=[quiet])
    assert "예상 학습 시간" not in capsys.readouterr().out and quiet.estimate_seconds is None


def test_format_duration():
    assert [results.format_duration(s) for s in (42, 150, 7300)] == ["42초", "2.5분", "2.0시간"]


def test_machine_info_names_the_machine_and_libraries():
    import tensorflow

    info = results.machine_info()
    assert info["cpus"] >= 1 and info["tensorflow"] == tensorflow.__version__
    assert {"processor", "platform", "python", "keras", "numpy"} <= set(info)


def test_write_result_adds_date_and_machine_and_leaves_no_part_file(env, tmp_path):
    env(CH6_RESULTS_DIR=tmp_path / "results")
    path = results.write_result("6.6-test", {"pipeline_speedup": 7.7})
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert entry["pipeline_speedup"] == 7.7 and entry["machine"]["cpus"] >= 1 and entry["date"][:2] == "20"
    assert [p.name for p in path.parent.iterdir()] == ["6.6-test.json"]
