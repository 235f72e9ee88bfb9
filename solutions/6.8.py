"""직접 해 보기 해답: 6.8 물체 검출 (notebooks/6.8-object-detection.ipynb).

``answer`` makes the right answer, ``wrong`` a common mistake; tests/test_exercises.py feeds both
through helpers._course.exercises.check.  The answers are computed here a second way (shapes read off the
network, the book's own lines 20–34), not with the checks' code.
"""

import cv2
import numpy as np

from helpers import darknet, detection


def candidates(size):
    """6.8-1: YOLOv3's candidate boxes for a size×size input, read off the network (output_scales)."""
    return sum(scale["output"][0] for scale in darknet.output_scales(darknet.darknet_file("yolov3.cfg"), size))


def book_boxes(image, *, line26=0.5, line34=0.5, nms=0.4):
    """The book's lines 09–34 on a darknet sample image with the notebook's model: the boxes NMS keeps."""
    model, _ = darknet.choose_model(download=False)
    yolo_model = detection.read_net(model.weights, model.cfg)
    img = detection.load_image(darknet.darknet_file(image))
    height, width, channels = img.shape
    yolo_model.setInput(cv2.dnn.blobFromImage(img, 1.0 / 256, (448, 448), (0, 0, 0), swapRB=True, crop=False))
    output3 = yolo_model.forward(yolo_model.getUnconnectedOutLayersNames())
    confidences, boxes = [], []
    for output in output3:
        for vec85 in output:
            scores = vec85[5:]
            confidence = scores[np.argmax(scores)]
            if confidence > line26:
                centerx, centery = int(vec85[0] * width), int(vec85[1] * height)
                w, h = int(vec85[2] * width), int(vec85[3] * height)
                boxes.append([int(centerx - w / 2), int(centery - h / 2), w, h])
                confidences.append(float(confidence))
    return len(np.ravel(cv2.dnn.NMSBoxes(boxes, confidences, line34, nms)))


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


SOLUTIONS = {
    # (13² + 26² + 52²) × 3 anchors at 416×416
    "6.8-1": {"answer": lambda: candidates(416), "wrong": lambda: candidates(416) // 3},
    # both 0.5s of the book's code lowered to 0.2; the mistake changes line 26 only, so NMS still drops < 0.5
    "6.8-2": {"answer": lambda: book_boxes("kite.jpg", line26=0.2, line34=0.2) - book_boxes("kite.jpg"),
              "wrong": lambda: book_boxes("kite.jpg", line26=0.2) - book_boxes("kite.jpg")},
    # the mistake keeps the book's NMS threshold 0.4
    "6.8-3": {"answer": lambda: book_boxes("dog.jpg", nms=0.8), "wrong": lambda: book_boxes("dog.jpg")},
    "6.8-4": {"answer": lambda: iou, "wrong": lambda: iou_without_clamp},
}
