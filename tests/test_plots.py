import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plots

HISTORY = {"accuracy": [0.90, 0.95], "val_accuracy": [0.92, 0.96],
           "loss": [0.30, 0.10], "val_loss": [0.25, 0.12]}


def test_plot_history_draws_the_books_two_figures():
    figures = plots.plot_history(HISTORY)
    titles = [f.axes[0].get_title() for f in figures]
    assert titles == ["Model accuracy", "Model loss"]
    accuracy_axes = figures[0].axes[0]
    assert accuracy_axes.get_xlabel() == "Epoch" and accuracy_axes.get_ylabel() == "Accuracy"
    assert [t.get_text() for t in accuracy_axes.get_legend().get_texts()] == ["Train", "Validation"]
    np.testing.assert_allclose(accuracy_axes.lines[1].get_ydata(), HISTORY["val_accuracy"])


def test_plot_history_accepts_a_keras_history_without_validation():
    class FakeHistory:
        history = {"accuracy": [0.5], "loss": [1.0]}

    figures = plots.plot_history(FakeHistory())
    assert [t.get_text() for t in figures[1].axes[0].get_legend().get_texts()] == ["Train"]


def test_plot_history_names_missing_keys():
    with pytest.raises(KeyError, match="has no"):
        plots.plot_history({"acc": [1]})


def test_show_images_and_boxplot():
    figure = plots.show_images(np.random.rand(4, 8, 8, 3), titles=list("abcd"), suptitle="row")
    assert [a.get_title() for a in figure.axes] == list("abcd")
    with pytest.raises(ValueError, match="4 images but 2 titles"):
        plots.show_images(np.zeros((4, 8, 8)), titles=["a", "b"])
    figure = plots.boxplot([[0.7, 0.72, 0.71], [0.75, 0.74, 0.76]], ["Without Dropout", "With Dropout"])
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["Without Dropout", "With Dropout"]
    with pytest.raises(ValueError, match="2 score lists but 1 labels"):
        plots.boxplot([[1], [2]], ["x"])


def test_show_images_lays_out_a_grid_with_empty_cells_and_row_labels():
    images = [np.full((4, 4), float(k)) for k in range(5)]
    figure = plots.show_images(images[:2] + [None] + images[2:], titles=["0", "1", None, "2", "3", "4"],
                               columns=3, row_labels=["첫 행", "둘째 행"], cmap="gray", vmin=0, vmax=10)
    assert len(figure.axes) == 5                                   # the empty cell has no axes
    positions = [a.get_subplotspec().num1 for a in figure.axes]
    assert positions == [0, 1, 3, 4, 5]                            # row after row, 3 to a row
    assert [a.get_ylabel() for a in figure.axes] == ["첫 행", "", "둘째 행", "", ""]
    image = figure.axes[3].get_images()[0]
    assert image.get_clim() == (0, 10) and image.get_cmap().name == "gray" and image.get_array()[0, 0] == 3
    with pytest.raises(ValueError, match="2 rows but 1 row labels"):
        plots.show_images(images, columns=3, row_labels=["x"])
