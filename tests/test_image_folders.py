"""helpers.image_folders: the book's loader fixed (order, labels, colour modes, stray files) and streaming."""

import io
import os

import numpy as np
import pytest
from PIL import Image

from helpers import image_folders

CLASSES = ["001.Alpha_bird", "002.Beta_bird", "003.Gamma_bird"]


def _jpeg(mode="RGB", seed=0, size=(40, 30)) -> bytes:
    rng = np.random.default_rng(seed)
    img = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).convert(mode)
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG")
    return buffer.getvalue()


def _train_test(tmp_path, modes=None):
    """train/test folders whose creation order differs (listdir order may follow it)."""
    modes = modes or {}
    for part, order in (("train", CLASSES), ("test", CLASSES[::-1])):
        for class_name in order:
            folder = tmp_path / part / class_name
            folder.mkdir(parents=True)
            for k in range(2):
                mode = modes.get((part, class_name, k), "RGB")
                (folder / f"img{k}.jpg").write_bytes(_jpeg(mode, seed=k))
    return tmp_path


def test_class_numbering_is_sorted_and_same_for_train_and_test(tmp_path):
    root = _train_test(tmp_path)
    classes = image_folders.list_classes(root / "train")
    assert classes == sorted(classes) == image_folders.list_classes(root / "test") == CLASSES
    _, train_labels = image_folders.list_images(root / "train", classes)
    test_paths, test_labels = image_folders.list_images(root / "test", classes)
    assert train_labels == test_labels == [0, 0, 1, 1, 2, 2]
    assert [os.path.basename(os.path.dirname(p)) for p in test_paths][::2] == CLASSES


def test_hidden_entries_are_not_classes_nor_images(tmp_path):
    root = _train_test(tmp_path)
    (root / "train" / ".ipynb_checkpoints").mkdir()
    (root / "train" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "train" / "notes.txt").write_text("a file beside the classes is not a class")
    (root / "train" / CLASSES[0] / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "train" / CLASSES[0] / ".ipynb_checkpoints").mkdir()
    assert image_folders.list_classes(root / "train") == CLASSES
    paths, labels = image_folders.list_images(root / "train", CLASSES)
    assert len(paths) == 6 and labels == [0, 0, 1, 1, 2, 2]


def _identity(x):
    return x


def test_a_non_image_file_in_a_class_folder_is_an_error_naming_it(tmp_path):
    root = _train_test(tmp_path)
    stray = root / "train" / CLASSES[1] / "README.txt"
    stray.write_text("not a bird")
    with pytest.raises(ValueError) as error:
        image_folders.list_images(root / "train", CLASSES)
    assert str(error.value) == f"{stray}는 영상 파일이 아닙니다: 부류 폴더에는 영상만 두세요(옮기거나 지우세요)."
    with pytest.raises(ValueError, match="README.txt"):
        image_folders.stream_dataset(root / "train", CLASSES, (16, 16), preprocess=_identity)


def test_a_subfolder_in_a_class_folder_is_an_error_naming_it(tmp_path):
    root = _train_test(tmp_path)
    (root / "test" / CLASSES[2] / "more").mkdir()
    with pytest.raises(ValueError, match=f"{CLASSES[2]}/more는 영상 파일이 아닙니다"):
        image_folders.load_in_memory(root / "test", CLASSES, image_size=(16, 16), preprocess=_identity)


def test_labels_fit_to_categorical(tmp_path):
    import keras

    root = _train_test(tmp_path)
    x, y = image_folders.load_in_memory(root / "train", CLASSES[1:], image_size=(16, 16), preprocess=_identity)
    assert x.shape == (4, 16, 16, 3) and x.dtype == np.float32
    assert keras.utils.to_categorical(y, 2).shape == (4, 2)  # the book's labels 9, 19 … would fail here


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_non_rgb_files_are_warned_about_and_skipped(tmp_path, mode):
    root = _train_test(tmp_path, {("train", CLASSES[0], 1): mode})
    assert image_folders.image_mode(root / "train" / CLASSES[0] / "img1.jpg") == mode
    with pytest.warns(UserWarning, match=rf"유효하지 않은 영상 발생 {CLASSES[0]} img1.jpg \(모드 {mode}, 건너뜀\)"):
        x, y = image_folders.load_in_memory(root / "train", CLASSES, image_size=(16, 16), preprocess=_identity)
    assert len(x) == 5 and list(y) == [0, 1, 1, 2, 2]


def test_missing_folders_say_how_to_get_cub(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"폴더가 없습니다. .* helpers._course.cub.ensure_cub\(\)로 준비"):
        image_folders.list_classes(tmp_path / "nothing")
    _train_test(tmp_path)
    with pytest.raises(FileNotFoundError, match="train과 test에는 같은 부류 폴더가 있어야 합니다"):
        image_folders.list_images(tmp_path / "test", ["999.Missing"])


def test_stream_matches_the_in_memory_loader(tmp_path):
    root = _train_test(tmp_path)
    x, y = image_folders.load_in_memory(root / "test", CLASSES, image_size=(20, 24), preprocess=_identity)
    batches = list(image_folders.stream_dataset(root / "test", CLASSES, (20, 24), batch_size=4, preprocess=_identity))
    xs = np.concatenate([b[0].numpy() for b in batches])
    ys = np.concatenate([b[1].numpy() for b in batches])
    assert [len(b[0]) for b in batches] == [4, 2]
    assert xs.shape == x.shape and (ys.argmax(1) == y).all() and ys.shape == (6, 3)
    # same files, labels, nearest resizing and preprocessing; JPEG decoders differ by a few levels
    assert np.abs(xs - x).max() <= 8


def test_stream_trains_a_model(tmp_path):
    import keras

    root = _train_test(tmp_path)
    data = image_folders.stream_dataset(root / "train", CLASSES, (16, 16), batch_size=4, shuffle=True,
                                        preprocess=_identity)
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    hist = model.fit(data, epochs=2, verbose=0, shuffle=False)  # the dataset shuffles itself
    assert len(hist.history["loss"]) == 2 and np.isfinite(hist.history["loss"]).all()


def test_the_book_uses_a_tenth_of_a_complete_cub_and_all_of_a_sample():
    complete = [f"{i:03d}.Bird_{i}" for i in range(1, 201)]
    chosen = image_folders.select_book_classes(complete)
    assert len(chosen) == 20 and chosen[0] == "010.Bird_10" and chosen[-1] == "200.Bird_200"  # i%10==9
    assert chosen == [name for i, name in enumerate(complete) if i % 10 == 9]
    assert image_folders.select_book_classes(CLASSES) == CLASSES
    assert len(image_folders.select_book_classes(complete[:99])) == 99


def test_loaders_take_the_models_own_preprocessing(tmp_path):
    from keras.applications.mobilenet_v2 import preprocess_input

    root = _train_test(tmp_path)
    raw, _ = image_folders.load_in_memory(root / "test", CLASSES, (20, 24), preprocess=_identity)
    mobile, _ = image_folders.load_in_memory(root / "test", CLASSES, (20, 24), preprocess=preprocess_input)
    np.testing.assert_allclose(mobile, raw / 127.5 - 1, atol=1e-5)
    assert raw.min() >= 0 and raw.max() > 200 and mobile.min() >= -1 and mobile.max() <= 1
    streamed = np.concatenate([b[0].numpy() for b in image_folders.stream_dataset(
        root / "test", CLASSES, (20, 24), batch_size=4, preprocess=preprocess_input)])
    assert streamed.min() >= -1 and streamed.max() <= 1 and np.abs(streamed - mobile).max() <= 8 / 127.5
