"""직접 해 보기 해답: 6.6 딥러닝의 규제 (notebooks/6.6-regularization.ipynb).

``answer`` makes the right answer, ``wrong`` a common mistake; tests/test_exercises.py feeds both
through helpers._course.exercises.check.
"""

import numpy as np


def _layers(fill_mode='nearest'):
    # 6.6-1: ImageDataGenerator(rotation_range=45, width_shift_range=0.1) as Keras layers
    import keras
    from keras import layers

    return keras.Sequential([layers.RandomRotation(45 / 360, fill_mode=fill_mode),   # a fraction of a full turn
                             layers.RandomTranslation(0.0, 0.1, fill_mode=fill_mode)])  # height first, then width


def split(n):
    """6.6-4: the last fifth of the training set as the validation set, the rest for training."""
    n_val = n // 5
    return np.arange(n - n_val), np.arange(n - n_val, n)


def leaky_split(n):
    """A common mistake: the validation part is also trained on."""
    return np.arange(n), np.arange(n - n // 5, n)


SOLUTIONS = {
    # the layers' default fill_mode is 'reflect'; the generator's is 'nearest'
    "6.6-1": {"answer": lambda: _layers(), "wrong": lambda: _layers(fill_mode='reflect')},
    # λ‖U‖² = 0.01 × (20×10 weights) × 0.5² = 0.5
    "6.6-2": {"answer": lambda: 0.01 * 20 * 10 * 0.5**2, "wrong": lambda: 0.01 * 20 * 10 * 0.5},
    # the book's augmented branch trains on x_train, every held-out fold included: 100 %
    "6.6-3": {"answer": lambda: 100, "wrong": lambda: 80},
    "6.6-4": {"answer": lambda: split, "wrong": lambda: leaky_split},
}
