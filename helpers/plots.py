"""Plots the book repeats: accuracy/loss curves, grids of images, box plots.

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


def show_images(images, titles=None, suptitle: str | None = None, cmap=None, figsize=None, *,
                columns: int | None = None, row_labels=None, vmin=None, vmax=None):
    """Draw images in a grid, row after row, ``columns`` to a row (default: one row); returns the figure.

    ``None`` leaves a cell empty; ``titles`` has one entry per image (``None`` for no title),
    ``row_labels`` one per row (written left of the row); ``cmap``, ``vmin`` and ``vmax`` go to ``imshow``.

    Example:
        >>> import numpy as np
        >>> figure = show_images([np.zeros((8, 8))] * 5 + [None], titles=list("abcde") + [None], columns=3)
        >>> len(figure.axes), figure.axes[4].get_title()
        (5, 'e')
    """
    count = len(images)
    columns = columns or count
    rows = -(-count // columns)
    if titles is not None and len(titles) != count:
        raise ValueError(f"{count} images but {len(titles)} titles")
    if row_labels is not None and len(row_labels) != rows:
        raise ValueError(f"{rows} rows but {len(row_labels)} row labels")
    figure = plt.figure(figsize=figsize or (max(1.3 * columns, 4), 1.5 * rows + 0.6))
    if suptitle:
        figure.suptitle(suptitle)
    for i, image in enumerate(images):
        if image is None:
            continue
        axes = figure.add_subplot(rows, columns, i + 1)
        axes.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
        axes.set_xticks([])
        axes.set_yticks([])
        if titles is not None and titles[i] is not None:
            axes.set_title(titles[i], fontsize=9)
        if row_labels is not None and i % columns == 0:
            axes.set_ylabel(row_labels[i // columns], fontsize=9, rotation=0, ha="right", va="center")
    if row_labels is not None:
        figure.tight_layout()
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
