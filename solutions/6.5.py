"""직접 해 보기 해답: 6.5 컨볼루션 신경망의 시각화 (notebooks/6.5-visualization.ipynb).

``answer`` makes the right answer; ``wrong`` holds typical mistakes (a list, or a dict naming each), each a
function making that wrong answer; tests/test_exercises.py feeds them through helpers._course.exercises.check.
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
def _dog_photo_peaks():
    # 6.5-4: dog.jpg의 1위 부류(개)와 'mountain bike'의 Grad-CAM 최댓값 (x, y), 사진 크기와 224×224에서
    import numpy as np

    from helpers import imagenet
    from helpers._course import downloads
    from helpers.gradcam import grad_cam

    mobilenet = imagenet.mobilenet_v2()
    photo = imagenet.load_photo(downloads.fetch("dog.jpg"))
    x = imagenet.model_input(photo)
    bike = imagenet.labels().index("mountain bike, all-terrain bike, off-roader")
    peaks = {}
    for name, class_index, size in (("top1", None, photo.shape[:2]), ("bike", bike, photo.shape[:2]),
                                    ("top1 at 224", None, None)):
        heatmap, _, _ = grad_cam(mobilenet, x, layer="out_relu", class_index=class_index, size=size)
        y, x_ = np.unravel_index(heatmap.argmax(), heatmap.shape)   # (행, 열) = (y, x)
        peaks[name] = (int(x_), int(y))
    return peaks


@functools.lru_cache(maxsize=1)
def _confused_airplanes():
    # 6.5-5: 6-4 체크포인트 모델이 테스트 영상 앞 1,000장에서 틀린 비행기 영상들, 가장 확신한 것부터
    import numpy as np

    from helpers.data import CIFAR10_CLASSES, load_cifar10
    from helpers.models import cifar10_cnn
    from helpers._course.saved import load_checkpoint

    cnn = cifar10_cnn()
    load_checkpoint("6-4", cnn)
    (_, _), (x_test, y_test) = load_cifar10()
    p = cnn.predict(x_test[:1000].astype(np.float32) / 255.0, verbose=0)
    predicted, truth = p.argmax(axis=1), y_test[:1000].ravel()
    wrong = np.flatnonzero((truth == 0) & (predicted != 0))
    order = wrong[np.argsort(-p[wrong, predicted[wrong]])]
    first = order[0]
    return {"predicted": CIFAR10_CLASSES[predicted[first]],
            "second": CIFAR10_CLASSES[int(np.argsort(p[first])[-2])],
            "next": [CIFAR10_CLASSES[predicted[k]] for k in order[1:] if predicted[k] != predicted[first]]}


SOLUTIONS = {
    # 6.5-1: (3·3·3 + 1)·32 = 896 for layer 0, plus (3·3·32 + 1)·32 = 9,248 for layer 1: 10,144
    "6.5-1": {"answer": lambda: _partial_model_parameters(1), 
              # layer 1 only; layer 0 only; both layers without their biases; layer 1's kernel weights only; a string
              "wrong": [lambda: 9248, lambda: 896, lambda: 10080, lambda: 9216, lambda: "10144"]},
    # 6.5-2: each of kernel 17's three columns is nearly one colour, and the colour changes from left to
    # right (a vertical edge); kernel 8 changes from top to bottom instead (a horizontal structure)
    "6.5-2": {"answer": lambda: 17, 
              # a horizontal structure; 32 kernels are numbered 0…31; a kernel that is (almost) all zeros; a colour blob
              "wrong": [lambda: 8, lambda: 32, lambda: _flat_kernel(), lambda: _least_directional_kernel()]},
    # 6.5-3: out_relu is the input shrunk 32 times (224 → 7), so 160 → 5; 1280 channels whatever the input
    "6.5-3": {"answer": _mobilenet_map_shape, 
              # the 224 shape; channels first; only the first two numbers; channels scaled with the input too; 160/16
              "wrong": [lambda: (7, 7, 1280), lambda: (1280, 5, 5), lambda: (5, 5), lambda: (5, 5, 914),
                        lambda: (10, 10, 1280)]},
    # 6.5-4: the top-1 class (a dog breed) has its evidence on the dog, left of and below the photo's centre
    "6.5-4": {"answer": lambda: _dog_photo_peaks()["top1"], 
              # the photo's centre, no Grad-CAM; (y, x) swapped; the bicycle's peak; the peak read off the 224×224 map
              "wrong": [lambda: (384, 288), lambda: _dog_photo_peaks()["top1"][::-1], lambda: _dog_photo_peaks()["bike"],
                        lambda: _dog_photo_peaks()["top1 at 224"]]},
    # 6.5-5: the model's evidence for 'ship' lies on the fuselage seen head-on or on a seaplane's floats
    "6.5-5": {"answer": lambda: _confused_airplanes()["predicted"], 
              # the true class; the model's second choice; another confused airplane's class; a plausible flying thing
              "wrong": [lambda: "airplane", lambda: _confused_airplanes()["second"],
                        lambda: _confused_airplanes()["next"][0], lambda: "bird"]},
}


def _flat_kernel():
    # 6.5-2's wrong answer: the first Conv1 kernel whose norm is below 5 % of the strongest (grey in the figure)
    import numpy as np

    from helpers._course.tflite import weights_path

    with np.load(weights_path()) as stored:
        norms = np.sqrt((stored["Conv1/0"] ** 2).sum(axis=(0, 1, 2)))
    return int(np.flatnonzero(norms < 0.05 * norms.max())[0])


def _least_directional_kernel():
    # 6.5-2's wrong answer: a strong kernel whose grey levels change least along rows and columns (a blob)
    import numpy as np

    from helpers._course.tflite import weights_path

    with np.load(weights_path()) as stored:
        kernels = stored["Conv1/0"]
    norms = np.sqrt((kernels ** 2).sum(axis=(0, 1, 2)))
    best, score = None, None
    for k in np.flatnonzero(norms >= 0.05 * norms.max()):
        grey = kernels[:, :, :, k].sum(axis=2)
        grey = grey - grey.mean()
        directional = max(3 * (grey.mean(axis=a) ** 2).sum() / (grey ** 2).sum() for a in (0, 1))
        if score is None or directional < score:
            best, score = int(k), directional
    return best
