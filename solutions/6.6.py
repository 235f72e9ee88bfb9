"""직접 해 보기 해답: 6.6 딥러닝의 규제 (notebooks/6.6-regularization.ipynb).

``answer`` makes the right answer; ``wrong`` holds typical mistakes (a list, or a dict naming each), each a
function making that wrong answer; tests/test_exercises.py feeds them through helpers._course.exercises.check.
tests/test_exercises.py and tests/test_exercises_6_6.py feed them through helpers._course.exercises.check.
"""

import numpy as np


def _layers(rotation=45 / 360, height=0.0, width=0.1, fill_mode='nearest'):
    # 6.6-1: ImageDataGenerator(rotation_range=45, width_shift_range=0.1) as Keras layers
    import keras
    from keras import layers

    return keras.Sequential([layers.RandomRotation(rotation, fill_mode=fill_mode),          # a fraction of a full turn
                             layers.RandomTranslation(height, width, fill_mode=fill_mode)])  # height first, then width


def _histories():
    from helpers._course.saved import load_checkpoint
    from helpers.models import cifar10_cnn

    return load_checkpoint("6-4", cifar10_cnn()), load_checkpoint("6-8", cifar10_cnn())


def overfitting_epoch():
    """6.6-3: the epoch (counted from 1) where 6-4's validation loss is lowest."""
    hist_64, _ = _histories()
    return int(np.argmin(hist_64['val_loss'])) + 1


def gaps(epochs=(30, 30), key='accuracy'):
    """6.6-5: train accuracy - validation accuracy at epoch 30, without (6-4) and with (6-8) augmentation."""
    return tuple(h[key][epoch - 1] - h['val_' + key][epoch - 1] for h, epoch in zip(_histories(), epochs))


def split(n):
    """6.6-4: the last fifth of the training set as the validation set, the rest for training."""
    n_val = n // 5
    return np.arange(n - n_val), np.arange(n - n_val, n)


def first_fifth_split(n):
    return np.arange(n // 5, n), np.arange(n // 5)            # the first fifth, not the last


def shuffled_split(n):
    order = np.random.default_rng(0).permutation(n)            # a random fifth, not the last
    return order[n // 5:], order[:n // 5]


def leaky_split(n):
    return np.arange(n), np.arange(n - n // 5, n)              # the validation part is also trained on


def off_by_one_split(n):
    return np.arange(n - n // 5 - 1), np.arange(n - n // 5 - 1, n)   # one sample too many in validation


WRONGS = {
    # the layers' default fill_mode is 'reflect'; 45/180 is half a turn's fraction; height and width swapped
    "6.6-1": [lambda: _layers(fill_mode='reflect'), lambda: _layers(rotation=45 / 180),
              lambda: _layers(height=0.1, width=0.0)],
    # λ‖U‖² = 0.01 × (20×10 weights) × 0.5² = 0.5: not squared, without λ, 20+10 weights, biases counted
    "6.6-2": [lambda: 0.01 * 20 * 10 * 0.5, lambda: 20 * 10 * 0.5**2, lambda: 0.01 * (20 + 10) * 0.5**2,
              lambda: 0.01 * (20 * 10 + 10) * 0.5**2],
    # counted from 0; the last epoch (where training loss is lowest); the best validation accuracy's epoch
    "6.6-3": [lambda: overfitting_epoch() - 1, lambda: 30, lambda: int(np.argmax(_histories()[0]['val_accuracy'])) + 1],
    "6.6-4": [lambda: first_fifth_split, lambda: shuffled_split, lambda: leaky_split, lambda: off_by_one_split],
    # swapped; validation − train; each run's last epoch (6-8 ran 50); epoch 29 ([28]); the loss instead of accuracy
    "6.6-5": [lambda: gaps()[::-1], lambda: tuple(-g for g in gaps()), lambda: gaps(epochs=(30, 50)),
              lambda: gaps(epochs=(29, 29)), lambda: gaps(key='loss')],
}

SOLUTIONS = {
    "6.6-1": {"answer": lambda: _layers()},
    "6.6-2": {"answer": lambda: 0.01 * 20 * 10 * 0.5**2},
    "6.6-3": {"answer": overfitting_epoch},
    "6.6-4": {"answer": lambda: split},
    "6.6-5": {"answer": gaps},
}
for _id, _entry in SOLUTIONS.items():
    _entry["wrong"] = WRONGS[_id]
