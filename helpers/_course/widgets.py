"""The instructors' live explorers: feature maps (6.5) and detections (6.8), redrawn when a control moves.

In a Jupyter kernel they show ipywidgets controls (ipywidgets 7, as Colab has, or 8); a viewer
that cannot run widgets (nbval, GitHub's static page) shows a picture of the first drawing
instead.  Outside a kernel they draw one static figure.
"""

from __future__ import annotations

import base64
import io

import matplotlib.pyplot as plt
import numpy as np

from .. import vis
from ..plots import show_images

_MOST_MAPS = 64          # maps drawn at once: a late layer has 1,280


def _in_kernel() -> bool:
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _display(box, mime: str, data: bytes, text: str) -> None:
    """Show the widget, with ``data`` (a picture of its first drawing) for viewers without widgets.

    The widget's own entry is written out here: ipywidgets 8 would give it through
    ``_repr_mimebundle_``, which ipywidgets 7 lacks; both display a widget as this entry."""
    from IPython.display import display

    display({"application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0,
                                                          "model_id": box.model_id},
             mime: base64.b64encode(data).decode("ascii"), "text/plain": text}, raw=True)


def feature_map_explorer(model, images, names=None, *, image_index: int = 0, layer=None, layers=None,
                         pictures=None):
    """A slider for the image, a dropdown for the layer and a range slider for the channels.

    ``names`` title the images (class names, photo names); ``layers`` are the layers offered
    (indices or names; default every layer with feature maps) and ``layer`` the first shown;
    ``pictures`` are shown as the input when ``images`` are preprocessed network inputs.
    Returns the ``VBox``: ``box.controls`` holds the three controls, ``box.figure`` the last drawing.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> box = feature_map_explorer(cifar10_cnn(), np.zeros((3, 32, 32, 3)))
        >>> box.controls["image"].value = 2          # redraws
        >>> box.figure.texts[0].get_text()[:4]
        '영상 2'
    """
    import ipywidgets as widgets
    from IPython.display import display

    images = np.asarray(images)
    offered = vis.map_layers(model, layers)
    start = offered[0] if layer is None else vis.map_layers(model, [layer])[0]
    if start not in offered:
        raise ValueError(f"층 {start}는 탐색기가 보여 주는 층({offered})에 없습니다.")

    def channels(index):
        return int(model.layers[index].output.shape[-1])

    def label(index):
        h, w, c = model.layers[index].output.shape[1:]
        return f"{index}: {model.layers[index].name} {h}×{w}×{c}"

    controls = {
        "image": widgets.IntSlider(value=image_index, min=0, max=len(images) - 1, description="영상 번호",
                                   continuous_update=False),
        "layer": widgets.Dropdown(options=[(label(i), i) for i in offered], value=start, description="층"),
        "channels": widgets.IntRangeSlider(value=(0, min(15, channels(start) - 1)), min=0, max=channels(start) - 1,
                                           description="채널", continuous_update=False),
    }
    output = widgets.Output()
    box = widgets.VBox([widgets.HBox(list(controls.values())), output])
    box.controls, box.figure = controls, None
    cache = {}                    # image -> its maps at every offered layer: a slider does not run the model again
    adjusting = []                # set while a layer change resets the channel slider
    live = _in_kernel()

    def draw():
        k, index = controls["image"].value, controls["layer"].value
        if k not in cache:
            cache[k] = dict(zip(offered, vis.feature_maps(model, offered, images[k])))
        maps = cache[k][index]
        first, last = controls["channels"].value
        shown = list(range(first, min(last, first + _MOST_MAPS - 1) + 1))
        per_row = min(16, len(shown))
        cells, titles = [], []
        for row in range(0, len(shown), per_row):
            chunk = shown[row:row + per_row]
            blank = [None] * (per_row - len(chunk))
            picture = (np.clip(images[k], 0, 1) if pictures is None else pictures[k]) if row == 0 else None
            cells += [picture] + [maps[:, :, c] for c in chunk] + blank
            titles += ["입력" if row == 0 else None] + [f"map{c}" for c in chunk] + blank
        name = f" ({names[k]})" if names is not None else ""
        return show_images(cells, titles, f"영상 {k}{name} — 층 {label(index)}의 특징 맵 {shown[0]}…{shown[-1]}",
                           cmap="gray", figsize=(1.25 * (per_row + 1), 1.45 * len(cells) / (per_row + 1) + 0.5),
                           columns=per_row + 1)

    def redraw(change=None):
        if adjusting:
            return
        if change is not None and change["owner"] is controls["layer"]:
            slider, top = controls["channels"], channels(change["new"]) - 1
            low, high = slider.value
            adjusting.append(True)
            try:                                      # the new layer may have more or fewer maps
                slider.max = max(top, slider.min)
                slider.value = (min(low, top), min(high, top))
            finally:
                adjusting.clear()
        box.figure = draw()
        if live:
            with output:
                output.clear_output(wait=True)
                display(box.figure)
        if live or change is not None:
            plt.close(box.figure)                     # shown already, or a redraw without a screen

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    if not live:
        plt.show()
        return box
    picture = io.BytesIO()
    box.figure.savefig(picture, format="png", dpi=80, bbox_inches="tight")
    _display(box, "image/png", picture.getvalue(), "특징 맵 탐색기 (위젯을 실행할 수 없는 곳에서는 첫 그림)")
    return box


def detection_explorer(net, classes):
    """6.8's explorer: an image chooser and sliders for the confidence and NMS thresholds.

    Each image goes through the network once; a slider re-runs only decode and NMS
    (``detect(..., outputs=...)``) and redraws the picture.  Returns the ``VBox``:
    ``box.controls``, ``box.result`` (the last :func:`helpers.detection.detect` result), ``box.text`` (the text under
    the picture) and, outside a kernel, ``box.figure``.
    """
    import html

    import cv2
    import ipywidgets as widgets

    from .. import detection
    from .darknet_files import sample_images

    images = sample_images()
    colors = detection.class_colors(len(classes))
    passes = {}                                     # path -> (image, outputs, seconds of the one forward pass)
    # The picture goes into an Image widget as JPEG bytes, not a Matplotlib figure inside an
    # Output widget: big figures in Output widgets can stall headless runners (nbclient).
    controls = {
        "image": widgets.Dropdown(options=[(p.name, p) for p in images], description="영상"),
        "confidence": widgets.FloatSlider(value=0.5, min=0.05, max=0.95, step=0.05, description="신뢰도"),
        "nms": widgets.FloatSlider(value=0.4, min=0.05, max=0.95, step=0.05, description="NMS"),
    }
    picture = widgets.Image(format="jpeg", layout=widgets.Layout(max_width="800px"))
    caption = widgets.HTML()
    box = widgets.VBox([widgets.HBox(list(controls.values())), picture, caption])
    box.controls, box.result, box.text, box.figure = controls, None, "", None

    def redraw(change=None):
        path = controls["image"].value
        if path not in passes:
            img = detection.load_image(path)
            passes[path] = (img, *detection.forward(net, img))
        img, outputs, seconds = passes[path]
        box.result = detection.detect(net, img, classes, conf_threshold=controls["confidence"].value,
                                      nms_threshold=controls["nms"].value, outputs=outputs)
        drawn = detection.draw_detections(img, box.result.detections, classes, colors)
        picture.value = cv2.imencode(".jpg", drawn)[1].tobytes()
        box.text = (f"{path.name}: 전방 계산(forward) 한 번 {seconds * 1000:.0f} ms · "
                    f"신뢰도 > {controls['confidence'].value:.2f} · NMS {controls['nms'].value:.2f} → "
                    f"{len(box.result.detections)}개\n" + detection.detection_table(box.result.detections))
        caption.value = f"<pre>{html.escape(box.text)}</pre>"
        return drawn

    for control in controls.values():
        control.observe(redraw, names="value")
    drawn = redraw()
    if not _in_kernel():
        box.figure = detection.show_bgr(drawn, box.text.splitlines()[0]).figure
        plt.show()
        return box
    _display(box, "image/jpeg", picture.value, box.text)
    return box
