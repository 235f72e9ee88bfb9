"""helpers.results: records written atomically in full mode only, one percent convention, one book table."""

import json

import pytest

from helpers import results
from helpers.measure import EpochTimer


def test_record_result_writes_only_in_full_mode(env, tmp_path):
    env(CH6_RESULTS_DIR=tmp_path, CH6_QUICK="1")
    assert results.record_result("6-1", 0.99) is None
    assert list(tmp_path.iterdir()) == []
    env(CH6_QUICK="0")
    timer = EpochTimer()
    timer.seconds = [10.0, 12.0]
    path = results.record_result("6-1", 0.9911, timer, data="MNIST 60000/10000")
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert path == tmp_path / "6-1.json"
    assert entry["test_accuracy_percent"] == 99.11 and entry["book_accuracy_percent"] == 99.11
    assert entry["epochs"] == 2 and entry["seconds_per_epoch"] == 11.0
    assert entry["machine"]["cpus"] >= 1 and entry["data"] == "MNIST 60000/10000"
    assert [p.name for p in tmp_path.iterdir()] == ["6-1.json"]  # written atomically, nothing else left


def test_results_go_to_the_users_cache_unless_told_otherwise(env, tmp_path):
    env(CH6_RESULTS_DIR=None, CH6_CACHE_DIR=tmp_path / "cache", CH6_QUICK="0")
    path = results.record_result("6-2", 0.99, data="MNIST")
    assert path == tmp_path / "cache" / "results" / "6-2.json"


def test_percent_takes_fractions_only():
    assert results.percent(0.98974) == "98.97" and results.percent(1) == "100.00"
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        results.percent(98.97)


def test_book_table_puts_the_book_beside_this_run_and_says_what_did_not_run(env):
    env(CH6_QUICK="0")
    table = results.book_table([("6-1", 0.9911, 0.985), ("6-99", None, 0.5), ("6-2", 0.9923, None)])
    assert table.splitlines()[0] == "프로그램 | 책 (%) | 이번 실행 (%) [전체 모드]"
    assert "6-1 | 99.11 | 98.50" in table and "6-99 | — | 50.00" in table and "6-2 | 99.23 | 실행 안 함" in table
    env(CH6_QUICK="1")
    assert "빠른 모드" in results.book_table([("6-1", 0.9911, 0.5)]).splitlines()[0]
    assert results.book_table([], title="방식", mode=False).splitlines()[0] == "방식 | 책 (%) | 이번 실행 (%)"


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


def test_record_measurements_writes_numbers_in_full_mode_only(tmp_path, env):
    env(CH6_RESULTS_DIR=tmp_path, CH6_QUICK="1")
    assert results.record_measurements("6.6-pipeline-speed", {"ratio": 3.2}) is None and not list(tmp_path.iterdir())
    env(CH6_QUICK="0")
    path = results.record_measurements("6.6-pipeline-speed", {"ratio": 3.2, "flow_images_per_s": 5000})
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == "6.6-pipeline-speed.json" and entry["ratio"] == 3.2
    with pytest.raises(TypeError, match="not numbers"):
        results.record_measurements("x", {"ratio": "fast"})


def test_saved_result_reads_the_repositorys_results():
    assert results.saved_result("6-1")["program"] == "6-1"
    assert results.saved_result("no-such-result") is None
