"""make checkpoints and make full check their inputs before the first epoch and refuse with a clear message."""

import re
import subprocess
import sys

import numpy as np

from helpers._course import config


def _preflight(command, **variables):
    environment = config.child_environment(**{"CH6_QUICK": "0", **variables})
    return subprocess.run([sys.executable, str(config.REPO_ROOT / "tools" / "preflight.py"), command],
                          env=environment, capture_output=True, text=True, timeout=120)


def _npz(folder, name, n_train, n_test, shape):
    np.savez_compressed(folder / f"{name}.npz", x_train=np.zeros((n_train, *shape), np.uint8),
                        y_train=np.zeros(n_train, np.uint8), x_test=np.zeros((n_test, *shape), np.uint8),
                        y_test=np.zeros(n_test, np.uint8))


def test_the_refresh_commands_check_before_they_train():
    makefile = (config.REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("checkpoints", "full"):
        recipe = re.search(rf"^{target}:.*\n\t(.*)", makefile, re.M).group(1)
        assert f"tools/preflight.py {target}" in recipe, recipe


def test_an_empty_data_folder_is_refused_before_any_training(tmp_path):
    run = _preflight("checkpoints", CH6_DATA_DIR=tmp_path, CH6_CACHE_DIR=tmp_path / "cache")
    assert run.returncode == 1 and run.stdout == ""
    assert "make checkpoints 명령을 시작하지 않습니다" in run.stderr
    assert "데이터셋 mnist, fashion_mnist, cifar10이(가) 없습니다: `make download`" in run.stderr


def test_a_cifar10_subset_and_quick_mode_are_refused(tmp_path):
    _npz(tmp_path, "mnist", 60000, 10000, (28, 28))
    _npz(tmp_path, "fashion_mnist", 60000, 10000, (28, 28))
    _npz(tmp_path, "cifar10", 10000, 2000, (32, 32, 3))
    run = _preflight("checkpoints", CH6_DATA_DIR=tmp_path, CH6_CACHE_DIR=tmp_path / "cache")
    assert run.returncode == 1
    assert "cifar10.npz는 10,000/2,000장으로, 전체 cifar10(50,000/10,000장)이 아닙니다" in run.stderr
    assert "mnist" not in run.stderr.replace("make_full", "")   # the complete sets pass
    _npz(tmp_path, "cifar10", 50000, 10000, (32, 32, 3))
    ready = _preflight("checkpoints", CH6_DATA_DIR=tmp_path, CH6_CACHE_DIR=tmp_path / "cache")
    assert ready.returncode == 0 and "모두 준비되었습니다" in ready.stdout, ready.stderr
    quick = _preflight("checkpoints", CH6_DATA_DIR=tmp_path, CH6_CACHE_DIR=tmp_path / "cache", CH6_QUICK="1")
    assert quick.returncode == 1 and "빠른 모드입니다" in quick.stderr


def test_make_full_also_needs_the_notebooks_files(tmp_path):
    for name, shape, sizes in (("mnist", (28, 28), (60000, 10000)), ("fashion_mnist", (28, 28), (60000, 10000)),
                               ("cifar10", (32, 32, 3), (50000, 10000))):
        _npz(tmp_path, name, *sizes, shape)
    run = _preflight("full", CH6_DATA_DIR=tmp_path, CH6_CACHE_DIR=tmp_path / "cache",
                     CH6_DOWNLOAD_DIR=tmp_path / "downloads", CH6_CUB_DIR=None, CH6_YOLO_MODEL="yolov3")
    assert run.returncode == 1
    assert re.search(r"노트북이 여는 파일 coco\.names, .*yolov3\.weights, cub이\(가\) 없습니다: "
                     r"`make download WITH=yolov3,cub`", run.stderr), run.stderr
