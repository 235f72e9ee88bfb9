"""직접 해 보기 해답: 6.8 물체 검출 (notebooks/6.8-object-detection.ipynb).

``answer`` makes the right answer; ``wrong`` holds typical mistakes (a list, or a dict naming each), each a
function making that wrong answer; tests/test_exercises.py feeds them through helpers._course.exercises.check.  The answers are computed here a second way (shapes read off the
network, the book's own lines 09–34), not with the checks' code.
"""

import cv2
import numpy as np

from helpers import darknet, detection
from helpers._course import darknet_files


def candidates(size):
    """6.8-1: YOLOv3's candidate boxes for a size×size input, read off the network (output_scales)."""
    net = darknet.zero_weights_net(darknet_files.darknet_file("yolov3.cfg"))
    return sum(scale["output"][0] for scale in darknet.output_scales(net, size))


def book_detections(image):
    """The book's lines 09–34 with the notebook's model on a darknet sample photo, each kept box with its
    85-vector and the grid side of the output layer it came from; and the class names."""
    model = darknet_files.choose_model()
    yolo_model = detection.read_net(model.weights, model.cfg)
    classes = detection.load_classes(model.names)
    img = detection.load_image(darknet_files.darknet_file(image))
    height, width, channels = img.shape
    yolo_model.setInput(cv2.dnn.blobFromImage(img, 1.0 / 256, (448, 448), (0, 0, 0), swapRB=True, crop=False))
    output3 = yolo_model.forward(yolo_model.getUnconnectedOutLayersNames())
    grids = [scale["grid"][0] for scale in darknet.output_scales(yolo_model)]
    found, boxes, confidences = [], [], []
    for output, grid in zip(output3, grids):
        for vec85 in output:
            scores = vec85[5:]
            class_id = np.argmax(scores)
            if scores[class_id] > 0.5:
                centerx, centery = int(vec85[0] * width), int(vec85[1] * height)
                w, h = int(vec85[2] * width), int(vec85[3] * height)
                boxes.append([int(centerx - w / 2), int(centery - h / 2), w, h])
                confidences.append(float(scores[class_id]))
                found.append({"label": classes[class_id], "confidence": confidences[-1], "vec85": vec85, "grid": grid,
                              "box": boxes[-1]})
    return [found[i] for i in np.ravel(cv2.dnn.NMSBoxes(boxes, confidences, 0.5, 0.4))], classes


def vehicle_scores(car_index=None, truck_index=None, *, offset=5):
    """6.8-2: the car and truck scores in the 85-vector of dog.jpg's most confident car/truck box.
    The indices and the offset are there to make the common mistakes."""
    found, classes = book_detections("dog.jpg")
    vehicle = max((d for d in found if d["label"] in ("car", "truck")), key=lambda d: d["confidence"])
    car = classes.index("car") if car_index is None else car_index
    truck = classes.index("truck") if truck_index is None else truck_index
    return float(vehicle["vec85"][offset + car]), float(vehicle["vec85"][offset + truck])


def grids(*, smallest=min):
    """6.8-3: the grid side of dog.jpg's dog box and of kite.jpg's smallest box."""
    dog = next(d for d in book_detections("dog.jpg")[0] if d["label"] == "dog")
    kite = smallest(book_detections("kite.jpg")[0], key=lambda d: d["box"][2] * d["box"][3])
    return dog["grid"], kite["grid"]


def iou(a, b):
    """6.8-4: intersection over union of two [x, y, w, h] boxes."""
    width = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    height = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    overlap = width * height
    return overlap / (a[2] * a[3] + b[2] * b[3] - overlap)


def iou_without_clamp(a, b):
    """A common mistake: boxes that do not overlap get a 'negative' width × negative height > 0."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return width * height / (a[2] * a[3] + b[2] * b[3] - width * height)


def iou_over_sum(a, b):
    """A common mistake: dividing by the sum of the areas (the overlap counted twice)."""
    width = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    height = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return width * height / (a[2] * a[3] + b[2] * b[3])


def iou_of_corners(a, b):
    """A common mistake: reading [x, y, w, h] as the corners [x1, y1, x2, y2]."""
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    overlap = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - overlap
    return overlap / union if union else 0.0


SOLUTIONS = {
    # (13² + 26² + 52²) × 3 anchors at 416×416
    "6.8-1": {"answer": lambda: candidates(416), "wrong": [lambda: candidates(416) // 3,       # anchors forgotten
                        lambda: candidates(448),                                          # the table's 448
                        lambda: 3 * (416 // 32 + 416 // 16 + 416 // 8),                  # sides not squared
                        lambda: candidates(416) * 85]},                                   # numbers, not boxes
    "6.8-2": {"answer": lambda: vehicle_scores(), "wrong": [lambda: vehicle_scores(offset=0),  # vec85[2], vec85[7]
                        lambda: vehicle_scores()[::-1],                                   # car and truck swapped
                        lambda: vehicle_scores(offset=4),                                 # off by one: o, then classes
                        lambda: (vehicle_scores()[0], vehicle_scores()[0])]},            # the winner's score twice
    "6.8-3": {"answer": lambda: grids(), "wrong": [lambda: grids()[::-1],                      # swapped
                        lambda: (7, 7),                                                   # YOLOv1's grid
                        lambda: (grids()[0], grids()[0]),                                 # one grid for all
                        lambda: (13, 26)]},                                               # the grids at 416
    "6.8-4": {"answer": lambda: iou, "wrong": [lambda: iou_without_clamp,
                        lambda: iou_over_sum, lambda: iou_of_corners]},
}
