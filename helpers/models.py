"""The book's models, built the book's way, for code that needs one without the lesson around it.

The notebooks spell the models out (that is the lesson); tests, benchmarks and notebooks
that only *reuse* a model (6.5 when no saved 6-4 model exists, 6.6's cross-validation)
call these.  Each function returns a compiled ``Sequential`` identical to the book's, with
``Input(shape=…)`` first instead of the deprecated ``input_shape=`` argument.
"""

from __future__ import annotations

import keras
from keras import layers, regularizers


def _compile(model):
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(),
                  metrics=["accuracy"])
    return model


def lenet5():
    """프로그램 6-1: LeNet-5 for 28×28×1 MNIST (C-P-C-P-C-FC-FC).

    Example:
        >>> lenet5().count_params()
        545546
    """
    return _compile(keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(6, (5, 5), padding="same", activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(16, (5, 5), padding="same", activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(120, (5, 5), padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(84, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]))


def mnist_cnn():
    """프로그램 6-2 / 6-3: the keras.io MNIST CNN (C-C-P-dropout-FC-dropout-FC).

    Example:
        >>> mnist_cnn().count_params()
        1199882
    """
    return _compile(keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ]))


def cifar10_cnn(dropout_rate=(0.25, 0.25, 0.5), l2_reg: float = 0.0):
    """프로그램 6-4(a) (and 6-8 … 6-10): the CIFAR-10 CNN, 890,410 parameters.

    ``dropout_rate`` are the three dropout rates of 6-9/6-10 and ``l2_reg`` the L2
    factor on the output layer's kernel (6-10); the defaults are 6-4's model.

    Example:
        >>> cifar10_cnn().count_params()
        890410
    """
    if len(dropout_rate) != 3:
        raise ValueError(f"dropout_rate needs three rates (after each block and the FC layer), got {dropout_rate}")
    return _compile(keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(dropout_rate[0]),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(dropout_rate[1]),
        layers.Flatten(),
        layers.Dense(512, activation="relu"),
        layers.Dropout(dropout_rate[2]),
        layers.Dense(10, activation="softmax",
                     kernel_regularizer=regularizers.l2(l2_reg) if l2_reg else None),
    ]))


def layer_table(model) -> str:
    """Each layer's type, output shape and parameter count, then the total: like ``summary()``
    but without the session-dependent layer names, so notebooks can check it with nbval.

    Example:
        >>> print(layer_table(cifar10_cnn()).splitlines()[-1])
        Total params: 890,410
    """
    rows = [f"{'Layer (type)':<16}{'Output Shape':<22}{'Param #':>10}"]
    for layer in model.layers:
        shape = "(None, " + ", ".join(str(d) for d in layer.output.shape[1:]) + ")"
        rows.append(f"{type(layer).__name__:<16}{shape:<22}{layer.count_params():>10,}")
    rows.append(f"Total params: {model.count_params():,}")
    return "\n".join(rows)
