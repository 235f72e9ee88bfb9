"""The book's data sets, returned exactly as ``keras.datasets.*.load_data()`` returns them
(quick mode keeps the first few thousand samples)."""

from ._course import config, datasets

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]
# name -> (title, the full training and test sizes the book uses)
_FULL = {"mnist": ("MNIST", 60000, 10000), "fashion_mnist": ("Fashion-MNIST", 60000, 10000),
         "cifar10": ("CIFAR-10", 50000, 10000)}


def load_mnist():
    """The book's ``mnist.load_data()``: uint8 images (N,28,28) and labels (N,)."""
    return datasets.load("mnist")


def load_fashion_mnist():
    """The book's ``fashion_mnist.load_data()``, in the same form as :func:`load_mnist`."""
    return datasets.load("fashion_mnist")


def load_cifar10():
    """The book's ``cifar10.load_data()``: uint8 images (N,32,32,3) and labels (N,1)."""
    return datasets.load("cifar10")


def describe_data(name: str, x_train, x_test) -> str:
    """One line saying which data a run uses: the set, how many images, where they came from."""
    title, full_train, full_test = _FULL[name]
    notes = ["keras.datasets" if config.data_dir() is None else "오프라인 사본"]
    if (len(x_train), len(x_test)) != (full_train, full_test):
        notes.append("빠른 모드의 부분 집합" if config.is_quick()
                     else f"부분 집합, 책은 {full_train:,}/{full_test:,}장")
    return f"{title} 훈련 {len(x_train):,}장 / 테스트 {len(x_test):,}장 ({', '.join(notes)})"
