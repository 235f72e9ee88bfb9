"""직접 해 보기 해답: 6.4 컨볼루션 신경망 프로그래밍 (notebooks/6.4-cnn-programming.ipynb).

``answer`` makes the right answer, ``wrong`` a common mistake; tests/test_exercises.py feeds both
through helpers._course.exercises.check.
"""


def _functional_lenet5():
    # 6.4-3: 프로그램 6-1의 LeNet-5를 functional API로
    from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
    from tensorflow.keras.models import Model

    inputs = Input(shape=(28, 28, 1))
    x = Conv2D(6, (5, 5), padding='same', activation='relu')(inputs)
    x = MaxPooling2D(pool_size=(2, 2))(x)
    x = Conv2D(16, (5, 5), padding='same', activation='relu')(x)
    x = MaxPooling2D(pool_size=(2, 2))(x)
    x = Conv2D(120, (5, 5), padding='same', activation='relu')(x)
    x = Flatten()(x)
    x = Dense(84, activation='relu')(x)
    outputs = Dense(10, activation='softmax')(x)
    return Model(inputs=inputs, outputs=outputs)


def _functional_lenet5_without_same_padding():
    from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
    from tensorflow.keras.models import Model

    inputs = Input(shape=(28, 28, 1))
    x = MaxPooling2D(pool_size=(2, 2))(Conv2D(6, (5, 5), activation='relu')(inputs))
    x = MaxPooling2D(pool_size=(2, 2))(Conv2D(16, (5, 5), activation='relu')(x))
    x = Flatten()(x)
    return Model(inputs=inputs, outputs=Dense(10, activation='softmax')(Dense(84, activation='relu')(x)))


def _mnist_cnn(kernel_size):
    # 6.4-4: 프로그램 6-2의 모델, 두 컨볼루션층의 커널 크기만 바꿈
    from tensorflow.keras.layers import Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D
    from tensorflow.keras.models import Sequential

    cnn = Sequential()
    cnn.add(Input(shape=(28, 28, 1)))
    cnn.add(Conv2D(32, kernel_size, activation='relu'))
    cnn.add(Conv2D(64, kernel_size, activation='relu'))
    cnn.add(MaxPooling2D(pool_size=(2, 2)))
    cnn.add(Dropout(0.25))
    cnn.add(Flatten())
    cnn.add(Dense(128, activation='relu'))
    cnn.add(Dropout(0.5))
    cnn.add(Dense(10, activation='softmax'))
    return cnn


SOLUTIONS = {
    # 6.4-1: ⌊(32 + 2·0 − 5)/2⌋ + 1 = 14, and 16 kernels give 16 channels
    "6.4-1": {"answer": lambda: (14, 14, 16), "wrong": lambda: (14, 14, 3)},
    # 6.4-2: ⌊(28 + 2p − 5)/1⌋ + 1 = 28  ⇒  p = 2 (on each side; 4 in total)
    "6.4-2": {"answer": lambda: 2, "wrong": lambda: 4},
    "6.4-3": {"answer": _functional_lenet5, "wrong": _functional_lenet5_without_same_padding},
    # 6.4-4: fewer parameters (872,714 instead of 1,199,882): the 5×5 kernels shrink the maps to 20×20 → 10×10×64 = 6,400 inputs of Dense(128)
    "6.4-4": {"answer": lambda: _mnist_cnn((5, 5)), "wrong": lambda: _mnist_cnn((3, 3))},
}
