"""Plots the book repeats: accuracy/loss curves, image rows, box plots; Korean fonts.

Figures are drawn inline in Jupyter and headless (Agg) elsewhere: Matplotlib picks the
backend, nothing here forces one.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

def plot_history(hist, metric: str = "accuracy"):
    """Draw the book's two figures from a Keras ``History``: accuracy, then loss.

    Titles, axis labels, legend and grid are the book's (lines 36-56 of 프로그램 6-1).
    ``hist`` may be a ``History`` or its ``.history`` dict.  Returns the two figures.

    Example:
        >>> figures = plot_history({"accuracy": [.9, .95], "val_accuracy": [.92, .96],
        ...                         "loss": [.3, .1], "val_loss": [.25, .12]})
        >>> [f.axes[0].get_title() for f in figures]
        ['Model accuracy', 'Model loss']
    """
    history = getattr(hist, "history", hist)
    missing = [k for k in (metric, "loss") if k not in history]
    if missing:
        raise KeyError(f"history has no {missing}; it has {sorted(history)}")
    figures = []
    for key, title, label in ((metric, "Model accuracy", "Accuracy"), ("loss", "Model loss", "Loss")):
        figure = plt.figure()
        plt.plot(history[key])
        legend = ["Train"]
        if "val_" + key in history:
            plt.plot(history["val_" + key])
            legend.append("Validation")
        plt.title(title)
        plt.ylabel(label)
        plt.xlabel("Epoch")
        plt.legend(legend, loc="best")
        plt.grid()
        plt.show()
        figures.append(figure)
    return figures


def show_images(images, titles=None, suptitle: str | None = None, cmap=None, figsize=None):
    """Draw images in one row with optional titles (the book's image rows in 6-6 and 6-7).

    Example:
        >>> import numpy as np
        >>> figure = show_images(np.zeros((3, 8, 8)), titles=["a", "b", "c"], suptitle="x")
        >>> len(figure.axes)
        3
    """
    count = len(images)
    if titles is not None and len(titles) != count:
        raise ValueError(f"{count} images but {len(titles)} titles")
    figure = plt.figure(figsize=figsize or (max(2 * count, 4), 2.6))
    if suptitle:
        plt.suptitle(suptitle)
    for i in range(count):
        plt.subplot(1, count, i + 1)
        plt.imshow(images[i], cmap=cmap)
        plt.xticks([])
        plt.yticks([])
        if titles is not None:
            plt.title(titles[i])
    plt.show()
    return figure


def boxplot(scores, tick_labels, title: str | None = None, ylabel: str = "Accuracy"):
    """The book's accuracy box plot, with Matplotlib ≥ 3.9's ``tick_labels=``.

    ``scores`` is a list of score lists (one per configuration).  Returns the figure.

    Example:
        >>> figure = boxplot([[.7, .72], [.75, .74]], ["Without Dropout", "With Dropout"])
        >>> [t.get_text() for t in figure.axes[0].get_xticklabels()]
        ['Without Dropout', 'With Dropout']
    """
    if len(scores) != len(tick_labels):
        raise ValueError(f"{len(scores)} score lists but {len(tick_labels)} labels")
    figure = plt.figure()
    plt.grid()
    plt.boxplot(scores, tick_labels=tick_labels)
    if title:
        plt.title(title)
    plt.ylabel(ylabel)
    plt.show()
    return figure
