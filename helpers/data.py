"""The book's datasets, returned exactly as ``keras.datasets.*.load_data()`` returns them.

``load_mnist()`` is the book's ``mnist.load_data()``: Keras downloads the data once (or, with
the course's offline data configured, reads a local copy); in quick mode only the first few
thousand samples come back.
"""

from ._course import datasets

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]


def load_mnist():
    """MNIST as ``((x_train, y_train), (x_test, y_test))``: uint8, (N,28,28) and (N,)."""
    return datasets.load("mnist")


def load_fashion_mnist():
    """Fashion-MNIST, in the same form as :func:`load_mnist`."""
    return datasets.load("fashion_mnist")


def load_cifar10():
    """CIFAR-10 as Keras gives it: uint8 (N,32,32,3) images and (N,1) labels."""
    return datasets.load("cifar10")


def describe(x_train, y_train, x_test, y_test) -> str:
    """One line saying the sizes of a loaded dataset and whether it is a quick-mode subset."""
    from ._course import config

    text = f"train {tuple(x_train.shape)}, test {tuple(x_test.shape)}"
    return text + (" — 빠른 모드 부분 집합" if config.is_quick() else "")
