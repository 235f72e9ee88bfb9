"""직접 해 보기 해답: 6.5 컨볼루션 신경망의 시각화 (notebooks/6.5-visualization.ipynb).

``answer`` makes the right answer, ``wrong`` a common mistake; tests/test_exercises.py feeds both
through helpers._course.exercises.check.
"""

import functools


def _partial_model_parameters(layer):
    # 6.5-1: 책의 65행처럼 부분 모델을 떼어 내되 층 1까지 (층 0까지면 896개)
    from tensorflow.keras.models import Model

    from helpers.models import cifar10_cnn

    cnn = cifar10_cnn()
    return Model(inputs=cnn.inputs, outputs=cnn.layers[layer].output).count_params()


def _mobilenet_map_shape():
    # 6.5-3: 모델을 만들어 보면 확인할 수 있음 (가중치 없이 구조만)
    import keras

    model = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(160, 160, 3))
    return tuple(model.get_layer("out_relu").output.shape[1:])


@functools.lru_cache(maxsize=1)
def _dog_photo_cams():
    # 6.5-4: dog.jpg의 1위 부류와 'mountain bike'의 Grad-CAM, 사진 크기로
    import numpy as np

    from helpers import imagenet
    from helpers._course import downloads
    from helpers.gradcam import grad_cam

    mobilenet = imagenet.mobilenet_v2()
    photo = imagenet.load_photo(downloads.fetch("dog.jpg"))
    x = imagenet.model_input(photo)
    bike = imagenet.labels().index("mountain bike, all-terrain bike, off-roader")
    peaks = {}
    for name, class_index in (("top1", None), ("bike", bike)):
        heatmap, _, _ = grad_cam(mobilenet, x, layer="out_relu", class_index=class_index, size=photo.shape[:2])
        y, x_ = np.unravel_index(heatmap.argmax(), heatmap.shape)   # (행, 열) = (y, x)
        peaks[name] = (int(x_), int(y))
    return peaks


SOLUTIONS = {
    # 6.5-1: (3·3·3 + 1)·32 = 896 for layer 0, plus (3·3·32 + 1)·32 = 9,248 for layer 1: 10,144
    "6.5-1": {"answer": lambda: _partial_model_parameters(1), "wrong": lambda: 9248},
    # 6.5-2: each of kernel 17's three columns is nearly one colour, and the colour changes from left to
    # right (a vertical edge); kernel 8 changes from top to bottom instead (a horizontal structure)
    "6.5-2": {"answer": lambda: 17, "wrong": lambda: 8},
    # 6.5-3: out_relu is the input shrunk 32 times (224 → 7), so 160 → 5; 1280 channels whatever the input
    "6.5-3": {"answer": _mobilenet_map_shape, "wrong": lambda: (7, 7, 1280)},
    # 6.5-4: the bicycle's evidence lies on its frame, right of the dog; the top-1 class's peak lies on the dog
    "6.5-4": {"answer": lambda: _dog_photo_cams()["bike"], "wrong": lambda: _dog_photo_cams()["top1"]},
}
