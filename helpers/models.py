"""The book's models, for cells that reuse one without the lesson around it, and saving a model.

Each builder returns a compiled ``Sequential`` identical to the book's (``Input(shape=…)`` first,
instead of Keras 3's deprecated ``input_shape=``).  The notebooks spell the models out where they
are the lesson.
"""

from __future__ import annotations

import keras
from keras import layers, regularizers

from ._course import config
from ._course.files import atomic_write


def _compile(model):
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(), metrics=["accuracy"])
    return model


def lenet5():
    """프로그램 6-1: LeNet-5 for 28×28×1 MNIST (C-P-C-P-C-FC-FC), 545,546 parameters."""
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
    """프로그램 6-2 / 6-3: the keras.io MNIST CNN (C-C-P-dropout-FC-dropout-FC), 1,199,882 parameters."""
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

    ``dropout_rate``: the three dropout rates of 6-9/6-10; ``l2_reg``: the L2 factor on the output
    layer's kernel (6-10).  The defaults are 6-4's model.
    """
    if len(dropout_rate) != 3:
        raise ValueError(f"dropout_rate에는 비율 세 개(두 블록 뒤와 FC 뒤)가 필요합니다 (지금 {dropout_rate}).")
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
        layers.Dense(10, activation="softmax", kernel_regularizer=regularizers.l2(l2_reg) if l2_reg else None),
    ]))


def layer_table(model) -> str:
    """Each layer's type, output shape and parameter count, then the total: ``summary()`` without
    the layer names Keras numbers per session, so the table reads the same in every run."""
    rows = [f"{'Layer (type)':<16}{'Output Shape':<22}{'Param #':>10}"]
    for layer in model.layers:
        shape = "(None, " + ", ".join(str(d) for d in layer.output.shape[1:]) + ")"
        rows.append(f"{type(layer).__name__:<16}{shape:<22}{layer.count_params():>10,}")
    rows.append(f"Total params: {model.count_params():,}")
    return "\n".join(rows)


def save_model(model, filename: str):
    """``model.save`` into the user's model folder (``config.model_path``), written under a
    temporary name and renamed when complete: an interrupted save leaves no broken file.
    Returns the path."""
    path = config.model_path(filename)
    if model.optimizer is not None and not model.optimizer.built:  # compiled, never trained (a checkpoint's weights):
        model.optimizer.build(model.trainable_variables)           # else load_model warns the optimizer does not fit
    with atomic_write(path) as temporary:
        model.save(temporary)
    return path
