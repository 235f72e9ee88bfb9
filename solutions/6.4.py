"""직접 해 보기 해답: 6.4 컨볼루션 신경망 프로그래밍 (notebooks/6.4-cnn-programming.ipynb).

``answer`` makes the right answer; ``wrong`` names typical mistakes, each a function making that
wrong answer.  tests/test_exercises.py feeds them all through helpers._course.exercises.check.
"""


def _lowest_validation_loss_epoch(key="val_loss", first=1):
    # 6.4-2: 저장된 6-4의 학습 곡선에서 검증 손실이 가장 낮은 세대 (첫 세대 = 1)
    import numpy as np
    from helpers._course import saved
    from helpers.models import cifar10_cnn

    hist = saved.load_checkpoint("6-4", cifar10_cnn())
    best = np.argmax(hist[key]) if "accuracy" in key else np.argmin(hist[key])
    return int(best) + first


def _functional_lenet5(*, padding='same', third_conv=True, input_side=28, activation='relu'):
    # 6.4-3: 프로그램 6-1의 LeNet-5를 functional API로
    from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
    from tensorflow.keras.models import Model

    inputs = Input(shape=(input_side, input_side, 1))
    x = Conv2D(6, (5, 5), padding=padding, activation=activation)(inputs)
    x = MaxPooling2D(pool_size=(2, 2))(x)
    x = Conv2D(16, (5, 5), padding=padding, activation=activation)(x)
    x = MaxPooling2D(pool_size=(2, 2))(x)
    if third_conv:
        x = Conv2D(120, (5, 5), padding=padding, activation=activation)(x)
    x = Flatten()(x)
    x = Dense(84, activation='relu')(x)
    outputs = Dense(10, activation='softmax')(x)
    return Model(inputs=inputs, outputs=outputs)


def _sequential_lenet5():
    from helpers.models import lenet5

    return lenet5()


def _mnist_cnn(first=(5, 5), second=(5, 5)):
    # 6.4-4: 프로그램 6-2의 모델, 두 컨볼루션층의 커널 크기만 바꿈
    from tensorflow.keras.layers import Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D
    from tensorflow.keras.models import Sequential

    cnn = Sequential()
    cnn.add(Input(shape=(28, 28, 1)))
    cnn.add(Conv2D(32, first, activation='relu'))
    cnn.add(Conv2D(64, second, activation='relu'))
    cnn.add(MaxPooling2D(pool_size=(2, 2)))
    cnn.add(Dropout(0.25))
    cnn.add(Flatten())
    cnn.add(Dense(128, activation='relu'))
    cnn.add(Dropout(0.5))
    cnn.add(Dense(10, activation='softmax'))
    return cnn


# 6.4-4: 28 → 24 → 20 (5×5 valid 두 번) → 10 (풀링), Flatten = 10×10×64 = 6,400 (3×3이면 12×12×64 = 9,216).
# 매개변수: (5·5·1+1)·32 + (5·5·32+1)·64 + (6400+1)·128 + (128+1)·10 = 832 + 51,264 + 819,328 + 1,290 = 872,714,
# 프로그램 6-2의 1,199,882보다 줄어듦: 커널이 커져 늘어난 컨볼루션 가중치보다 Dense(128)의 입력이 줄어든 몫이 큼.
SOLUTIONS = {
    # 6.4-1: ⌊(32 + 2·0 − 5)/2⌋ + 1 = 14, and 16 kernels give 16 channels
    "6.4-1": {"answer": lambda: (14, 14, 16),
              "wrong": {"channels of the input": lambda: (14, 14, 3),
                        "channels first (swapped axes)": lambda: (16, 14, 14),
                        "rounded up, off by one": lambda: (15, 15, 16),
                        "stride forgotten": lambda: (28, 28, 16)}},
    "6.4-2": {"answer": _lowest_validation_loss_epoch,
              "wrong": {"counted from 0 (np.argmin), off by one": lambda: _lowest_validation_loss_epoch(first=0),
                        "lowest training loss": lambda: _lowest_validation_loss_epoch("loss"),
                        "highest validation accuracy": lambda: _lowest_validation_loss_epoch("val_accuracy"),
                        "the last epoch": lambda: 30}},
    "6.4-3": {"answer": _functional_lenet5,
              "wrong": {"Sequential instead of functional": _sequential_lenet5,
                        "third Conv2D(120) forgotten": lambda: _functional_lenet5(third_conv=False),
                        "no activation on the convolutions": lambda: _functional_lenet5(activation=None),
                        "the 1998 LeNet-5 (32×32, no padding)": lambda: _functional_lenet5(padding='valid',
                                                                                            input_side=32)}},
    "6.4-4": {"answer": lambda: (_mnist_cnn(), 6400, 872714),
              "wrong": {"kernels left at 3×3": lambda: (_mnist_cnn((3, 3), (3, 3)), 9216, 1199882),
                        "only the first kernel changed": lambda: (_mnist_cnn((5, 5), (3, 3)), 6400, 872714),
                        "Flatten thought unchanged": lambda: (_mnist_cnn(), 9216, 872714),
                        "pooling forgotten in Flatten": lambda: (_mnist_cnn(), 25600, 872714),
                        "biases forgotten": lambda: (_mnist_cnn(), 6400, 872714 - (32 + 64 + 128 + 10)),
                        "total thought to grow": lambda: (_mnist_cnn(), 6400, 1199882)}},
}
