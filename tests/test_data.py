import numpy as np
import pytest

from helpers import data
from helpers._course import datasets


@pytest.mark.parametrize("name, image_shape, label_shape", [
    ("mnist", (28, 28), ()),
    ("fashion_mnist", (28, 28), ()),
    ("cifar10", (32, 32, 3), (1,)),  # Keras gives CIFAR labels as (N, 1)
])
def test_loaders_match_keras_format(needs, env, name, image_shape, label_shape):
    needs(name)
    env(CH6_QUICK="0")
    (x_train, y_train), (x_test, y_test) = datasets.load(name)
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert x.dtype == np.uint8 and y.dtype == np.uint8
        assert x.shape[1:] == image_shape and y.shape == (len(x),) + label_shape
        assert 0 <= y.min() and y.max() == 9
    if name != "cifar10":  # MNIST and Fashion-MNIST are complete offline
        assert (len(x_train), len(x_test)) == (60000, 10000)
    # every class is present and the images are real (not blank)
    assert len(np.unique(y_train)) == 10 and x_train.std() > 30


@pytest.mark.needs("mnist")
def test_quick_mode_takes_a_subset(env):
    env(CH6_QUICK="1")
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert (len(x_train), len(y_train), len(x_test), len(y_test)) == (6000, 6000, 1000, 1000)
    env(CH6_QUICK="0")
    (full_train, _), _ = data.load_mnist()
    np.testing.assert_array_equal(full_train[:6000], x_train)  # the first samples, same order


def test_missing_file_names_the_variable_and_file(env, tmp_path):
    env(CH6_DATA_DIR=tmp_path)
    with pytest.raises(datasets.DatasetUnavailableError, match=r"CH6_DATA_DIR이 .*인데 그 폴더에 cifar10\.npz이 없습니다"):
        data.load_cifar10()


def test_corrupt_file_is_rejected(env, tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not a zip file at all")
    env(CH6_DATA_DIR=tmp_path)
    with pytest.raises(datasets.DatasetUnavailableError, match="읽을 수 있는 데이터 파일이 아닙니다"):
        data.load_mnist()


def test_wrong_shapes_are_rejected(env, tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((4, 32, 32), np.uint8), y_train=np.zeros(4),
             x_test=np.zeros((2, 32, 32), np.uint8), y_test=np.zeros(2))
    env(CH6_DATA_DIR=tmp_path)
    with pytest.raises(datasets.DatasetUnavailableError, match=r"mnist에는 \(N, 28, 28\) 모양의 영상"):
        data.load_mnist()


def test_offline_without_data_dir_gives_one_clear_error(env, monkeypatch, tmp_path):
    import keras

    def no_network():
        raise OSError("[Errno -3] Temporary failure in name resolution")

    env(CH6_DATA_DIR=None)
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", no_network)
    with pytest.raises(datasets.DatasetUnavailableError,
                       match=r"Fashion-MNIST을\(를\) keras.datasets로 내려받지 못했습니다.*`make download`.*CH6_DATA_DIR"):
        data.load_fashion_mnist()


def test_unknown_dataset():
    with pytest.raises(ValueError, match="choose one of"):
        datasets.load("imagenet")


def test_describe_data_says_what_a_run_reads(env, tmp_path):
    full_train, full_test = np.zeros((50000, 1)), np.zeros((10000, 1))
    env(CH6_QUICK="0", CH6_DATA_DIR=None)
    assert data.describe_data("cifar10", full_train, full_test) == "CIFAR-10 훈련 50,000장 / 테스트 10,000장 (keras.datasets)"
    env(CH6_DATA_DIR=tmp_path)
    assert (data.describe_data("cifar10", full_train[:10000], full_test[:2000])
            == "CIFAR-10 훈련 10,000장 / 테스트 2,000장 (오프라인 사본, 부분 집합, 책은 50,000/10,000장)")
    env(CH6_QUICK="1")
    assert (data.describe_data("mnist", np.zeros((6000, 1)), np.zeros((1000, 1)))
            == "MNIST 훈련 6,000장 / 테스트 1,000장 (오프라인 사본, 빠른 모드의 부분 집합)")


def test_dataset_label_names_the_copy_of_the_data(env, tmp_path, monkeypatch):
    from helpers._course import files

    _npz(tmp_path)
    env(CH6_DATA_DIR=tmp_path)
    assert datasets.label("mnist", 4, 2) == "MNIST 4/2 (offline copy)"
    monkeypatch.setitem(datasets._KNOWN_FILES, files.file_hash(tmp_path / "mnist.npz"), "lossless copy")
    assert datasets.label("mnist", 4, 2) == "MNIST 4/2 (lossless copy)"
    env(CH6_DATA_DIR=None)
    assert datasets.label("fashion_mnist", 60000, 10000) == "Fashion-MNIST 60000/10000 (keras.datasets)"


def test_the_offline_assets_are_known_copies(needs):
    """The shared assets' files are the ones KNOWN_FILES names (skips without them)."""
    from helpers._course import config

    if config.data_dir() is None:
        pytest.skip("only with the offline assets: set CH6_DATA_DIR to their datasets folder")
    needs("mnist", "cifar10")
    assert datasets.label("cifar10", 10000, 2000) == "CIFAR-10 10000/2000 (JPEG q≈75 copy, subset)"
    assert datasets.label("mnist", 60000, 10000) == "MNIST 60000/10000 (lossless copy)"


def test_available_needs_no_network(env, tmp_path):
    env(CH6_DATA_DIR=None, KERAS_HOME=tmp_path)
    assert not datasets.available("fashion_mnist")
    for name in ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz"):
        (tmp_path / "datasets" / "fashion-mnist").mkdir(parents=True, exist_ok=True)
        (tmp_path / "datasets" / "fashion-mnist" / name).write_bytes(b"")
    assert datasets.available("fashion_mnist") and not datasets.available("cifar10")


def _npz(folder, **changes):
    arrays = {"x_train": np.zeros((4, 28, 28), np.uint8), "y_train": np.arange(4, dtype=np.uint8),
              "x_test": np.zeros((2, 28, 28), np.uint8), "y_test": np.arange(2, dtype=np.uint8)}
    arrays.update(changes)
    np.savez(folder / "mnist.npz", **arrays)


@pytest.mark.parametrize("changes, message", [
    ({"x_train": np.linspace(0.1, 0.9, 4 * 28 * 28, dtype=np.float32).reshape(4, 28, 28)},
     r"0\.1…0\.9의 실수로, 이미 255로 나눈 화소입니다"),
    ({"y_train": np.eye(10, dtype=np.uint8)[:4]}, r"\(4, 10\)로, 원-핫 부호화된 것 같습니다.*np\.argmax"),
    ({"y_test": np.array([0, 300])}, r"y_test의 레이블이 0…300입니다"),
    ({"y_test": np.array([-1, 2])}, r"y_test의 레이블이 -1…2입니다"),
    ({"x_test": np.full((2, 28, 28), 300.0)}, r"x_test의 값이 300…300입니다\. 화소는 0…255의 정수"),
])
def test_a_data_file_in_the_wrong_form_gets_a_clear_error(tmp_path, env, changes, message):
    _npz(tmp_path, **changes)
    env(CH6_DATA_DIR=tmp_path, CH6_QUICK="0")
    with pytest.raises(datasets.DatasetUnavailableError, match=message):
        data.load_mnist()


def test_float_pixels_that_are_whole_numbers_are_accepted(tmp_path, env):
    _npz(tmp_path, x_train=np.full((4, 28, 28), 255.0, np.float32))
    env(CH6_DATA_DIR=tmp_path, CH6_QUICK="0")
    (x_train, _), _ = data.load_mnist()
    assert x_train.dtype == np.uint8 and x_train.max() == 255
