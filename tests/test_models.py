import numpy as np
import pytest

from helpers import models


@pytest.mark.parametrize("build, params", [
    (models.lenet5, 545_546), (models.mnist_cnn, 1_199_882), (models.cifar10_cnn, 890_410),
])
def test_book_models_have_the_books_parameter_counts(build, params):
    assert build().count_params() == params


def test_cifar10_cnn_options():
    model = models.cifar10_cnn(dropout_rate=(0.0, 0.0, 0.0), l2_reg=0.01)
    rates = [layer.rate for layer in model.layers if layer.__class__.__name__ == "Dropout"]
    assert rates == [0.0, 0.0, 0.0]
    assert model.layers[-1].kernel_regularizer is not None
    with pytest.raises(ValueError, match="비율 세 개"):
        models.cifar10_cnn(dropout_rate=(0.5,))


def test_layer_table_ends_with_the_total():
    table = models.layer_table(models.cifar10_cnn())
    assert table.splitlines()[-1] == "Total params: 890,410"
    assert "Conv2D          (None, 30, 30, 32)" in table


def test_lenet5_really_learns_mnist_in_quick_mode(mnist_for_cnn):
    """프로그램 6-1 through the helpers, quick mode: test accuracy must reach 0.90."""
    from helpers._course import config

    x_train, y_train, x_test, y_test = mnist_for_cnn
    cnn = models.lenet5()
    cnn.fit(x_train, y_train, batch_size=128, epochs=config.epochs(30), verbose=0)
    accuracy = cnn.evaluate(x_test, y_test, verbose=0)[1]
    assert accuracy >= 0.90, f"LeNet-5 reached only {accuracy:.3f} on real MNIST in quick mode"


def test_save_model_writes_whole_files_into_the_users_model_folder(env, tmp_path, monkeypatch):
    import keras

    env(CH6_CACHE_DIR=tmp_path, CH6_MODEL_DIR=None)
    model = models.cifar10_cnn()
    path = models.save_model(model, "my_cnn.keras")
    assert path == tmp_path / "models" / "my_cnn.keras"
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(0).random((2, 32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)

    def interrupted(self, filepath, *args, **kwargs):
        open(filepath, "wb").write(b"half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        models.save_model(model, "my_cnn.keras")
    assert sorted(p.name for p in path.parent.iterdir()) == ["my_cnn.keras"]  # no temporary left behind
    keras.models.load_model(path)  # the earlier file is still whole
