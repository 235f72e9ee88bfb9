"""A live feature-map explorer for lectures: pick an image, a layer and a range of channels.

In JupyterLab (or Colab, VS Code) :func:`feature_map_explorer` shows ipywidgets controls
and redraws the maps in place.  Where no widget front-end exists (nbval, CI, a static
render on GitHub) the same output falls back to one static figure, because the widget is
displayed together with a PNG of its first drawing and each viewer shows the richest
form it can.
"""

from __future__ import annotations

import base64
import io

import matplotlib.pyplot as plt
import numpy as np

from . import vis


def layer_options(model, layers=None) -> list:
    """Dropdown choices ``(label, index)``: ``layers`` (indices or names), default every conv and pooling layer.

    A ``Sequential`` model's layers are labelled by type (names change per session), a
    functional model's by name (MobileNetV2's ``block_6_expand_relu``).

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> layer_options(cifar10_cnn())[2][0]
        '2: MaxPooling2D 14×14×32'
    """
    import keras

    indices = vis.map_layers(model) if layers is None else [model.layers.index(vis.get_layer(model, l)) for l in layers]
    options = []
    for index in indices:
        layer = model.layers[index]
        if len(layer.output.shape) != 4:
            raise ValueError(f"layer {index} ({layer.name}) has no feature maps to show; choose among "
                             f"{[model.layers[i].name for i in vis.map_layers(model)][:12]} …")
        h, w, c = layer.output.shape[1:]
        name = type(layer).__name__ if isinstance(model, keras.Sequential) else layer.name
        options.append((f"{index}: {name} {h}×{w}×{c}", index))
    return options


def explorer_figure(model, images, image_index: int, layer, channels=(0, 15), class_names=None,
                    labels=None, cache: dict | None = None, *, layers=None, pictures=None):
    """The figure the explorer draws: the chosen image, then maps ``channels[0]…channels[1]`` of ``layer``.

    ``cache`` (a dict) keeps each image's maps of every offered layer (``layers``, see
    :func:`layer_options`), so moving a slider does not run the model again.  ``pictures``
    are what to show as the input (e.g. photos when ``images`` are preprocessed network inputs).

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> figure = explorer_figure(cifar10_cnn(), np.zeros((2, 32, 32, 3)), 1, 0, (0, 7))
        >>> len(figure.axes)
        9
    """
    images = np.asarray(images)
    if not 0 <= image_index < len(images):
        raise ValueError(f"image_index {image_index} is out of range: there are {len(images)} images (0…{len(images) - 1})")
    index = model.layers.index(vis.get_layer(model, layer))
    options = layer_options(model, layers)
    cache = {} if cache is None else cache
    if image_index not in cache:
        indices = [i for _, i in options]
        outputs = vis.run(vis.partial_model(model, indices), images[image_index:image_index + 1])
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        cache[image_index] = {i: np.asarray(m)[0] for i, m in zip(indices, outputs)}
    if index not in cache[image_index]:
        raise ValueError(f"layer {index} ({model.layers[index].name}) has no feature maps to show here; "
                         f"choose one of {[label for label, _ in options]}")
    maps = cache[image_index][index]
    first, last = int(channels[0]), min(int(channels[1]), maps.shape[2] - 1)
    shown = list(range(first, last + 1))
    per_row = min(16, len(shown))                 # the input in column 0, then up to 16 maps a row
    n_columns, n_rows = per_row + 1, -(-len(shown) // per_row)
    figure = plt.figure(figsize=(1.25 * n_columns, 1.45 * n_rows + 0.5))
    layer_name = model.layers[index].name
    title = f"image {image_index}"
    if labels is not None:
        true = int(np.ravel(labels[image_index])[0])
        title += f" ({class_names[true] if class_names is not None else true})"
    figure.suptitle(f"{title} — feature maps {first}…{last} of layer {index} "
                    f"({layer_name}, {maps.shape[0]}×{maps.shape[1]}×{maps.shape[2]})")
    axes = figure.add_subplot(n_rows, n_columns, 1)
    axes.imshow(np.clip(images[image_index], 0, 1) if pictures is None else pictures[image_index])
    axes.set_xticks([]); axes.set_yticks([])
    axes.set_title("input", fontsize=9)
    for position, channel in enumerate(shown):
        row, column = divmod(position, per_row)
        axes = figure.add_subplot(n_rows, n_columns, row * n_columns + column + 2)
        axes.imshow(maps[:, :, channel], cmap="gray")
        axes.set_xticks([]); axes.set_yticks([])
        axes.set_title(f"map{channel}", fontsize=9)
    return figure


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def feature_map_explorer(model, images, labels=None, class_names=None, image_index: int = 1,
                         layer=None, channels=(0, 15), live: bool | None = None, *, layers=None, pictures=None):
    """Show the explorer: IntSlider (image), Dropdown (layer), IntRangeSlider (channels).

    The dropdown offers ``layers`` (indices or names; default every conv and pooling layer,
    see :func:`layer_options`) and starts at ``layer`` (default the first offered).  For a
    network that takes preprocessed inputs (MobileNetV2: −1 … 1) pass the photos to show as
    ``pictures``, in the same order as ``images``.

    ``live=None`` decides by itself: inside a Jupyter kernel it displays the widgets (with
    a static PNG of the first drawing as the fallback for viewers without widgets);
    elsewhere, or with ``live=False``, it just draws one static figure.  Returns the
    ``ipywidgets.VBox``; ``box.figure`` is the figure drawn last and ``box.controls`` the
    three controls, so the callback can be driven without a browser.

    Example:
        >>> from helpers.models import cifar10_cnn
        >>> box = feature_map_explorer(cifar10_cnn(), np.zeros((3, 32, 32, 3)), live=False)
        >>> box.controls["image"].value = 2          # redraws
        >>> box.figure.texts[0].get_text().startswith("image 2")
        True
    """
    import ipywidgets as widgets
    from IPython.display import display

    images = np.asarray(images)
    options = layer_options(model, layers)
    if not options:
        raise ValueError("this model has no conv or pooling layers to explore")
    start = options[0][1] if layer is None else model.layers.index(vis.get_layer(model, layer))
    if start not in [index for _, index in options]:
        raise ValueError(f"layer {layer!r} has no feature maps; choose one of {[label for label, _ in options]}")
    live = _in_kernel() if live is None else live

    def channel_count(index):
        return int(model.layers[index].output.shape[-1])

    controls = {
        "image": widgets.IntSlider(value=image_index, min=0, max=len(images) - 1, description="영상 번호",
                                   continuous_update=False),
        "layer": widgets.Dropdown(options=options, value=start, description="층"),
        "channels": widgets.IntRangeSlider(value=(channels[0], min(channels[1], channel_count(start) - 1)),
                                           min=0, max=channel_count(start) - 1, description="채널",
                                           continuous_update=False),
    }
    output = widgets.Output()
    box = widgets.VBox([widgets.HBox(list(controls.values())), output])
    box.controls, box.figure, box.cache = controls, None, {}

    adjusting = []                                # set while a layer change resets the channel slider

    def redraw(change=None):
        if adjusting:
            return None
        if change is not None and change["owner"] is controls["layer"]:
            top = channel_count(change["new"]) - 1
            slider = controls["channels"]
            low, high = slider.value
            adjusting.append(True)
            try:
                slider.max = top                      # the new layer may have more or fewer maps
                slider.value = (min(low, top), min(high, top))
            finally:
                adjusting.clear()
        figure = explorer_figure(model, images, controls["image"].value, controls["layer"].value,
                                 controls["channels"].value, class_names, labels, box.cache,
                                 layers=layers, pictures=pictures)
        box.figure = figure
        if live:
            with output:
                output.clear_output(wait=True)
                display(figure)
        if live or change is not None:
            plt.close(figure)                         # shown already, or a redraw without a screen
        return figure

    for control in controls.values():
        control.observe(redraw, names="value")
    figure = redraw()
    if not live:
        plt.show()
        return box
    bundle = box._repr_mimebundle_() or {}
    bundle["image/png"] = _png(figure)
    bundle["text/plain"] = "feature-map explorer (the static figure shows where widgets cannot run)"
    display(bundle, raw=True)
    return box


# ----------------------------------------------------------------------------- 6.8: detection explorer

def detection_explorer(net, classes, images=None, *, size: int = 448, colors=None, live: bool | None = None):
    """Instructor tool for 6.8: an image chooser and sliders for the confidence and NMS thresholds.

    Each image goes through the network once (:func:`helpers.detection.forward`); moving a
    slider re-runs only decode + NMS (``detect(..., outputs=...)``) and redraws the picture in
    place.  ``live=None`` decides as :func:`feature_map_explorer` does: inside a Jupyter kernel
    it displays the widgets (with a JPEG of the first drawing for viewers without widgets);
    elsewhere, or with ``live=False``, it draws one static figure.  Returns the
    ``ipywidgets.VBox``; ``box.controls`` holds the three controls, ``box.result`` the last
    :func:`helpers.detection.detect` result, ``box.text`` the text under the picture and,
    without widgets, ``box.figure`` the static figure.

    Example:
        >>> needs("yolo-fastest-1.1-xl.weights", "dog.jpg")
        >>> from helpers import detection
        >>> from helpers._course import darknet_files
        >>> model = darknet_files.choose_model("yolo-fastest-1.1-xl")
        >>> box = detection_explorer(detection.read_net(model.weights, model.cfg), detection.load_classes(model.names),
        ...                          [darknet_files.darknet_file("dog.jpg")], live=False)
        >>> sorted(d["label"] for d in box.result.detections)
        ['bicycle', 'car', 'dog']
        >>> box.controls["confidence"].value = 0.9       # redraws: fewer boxes pass
        >>> [d["label"] for d in box.result.detections]
        ['bicycle', 'dog']
    """
    import html
    from pathlib import Path

    import cv2
    import ipywidgets as widgets
    from IPython.display import display

    from . import detection
    from ._course.darknet_files import sample_images

    images = [Path(p) for p in (images if images is not None else sample_images())]
    colors = detection.class_colors(len(classes)) if colors is None else colors
    live = _in_kernel() if live is None else live
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
            passes[path] = (img, *detection.forward(net, img, size))
        img, outputs, seconds = passes[path]
        result = detection.detect(net, img, classes, conf_threshold=controls["confidence"].value,
                                  nms_threshold=controls["nms"].value, size=size, outputs=outputs)
        drawn = detection.draw_detections(img, result.detections, classes, colors)
        picture.value = cv2.imencode(".jpg", drawn)[1].tobytes()
        box.result = result
        box.text = (f"{path.name}: 전방 계산(forward) 한 번 {seconds * 1000:.0f} ms · "
                    f"신뢰도 > {controls['confidence'].value:.2f} · NMS {controls['nms'].value:.2f} → "
                    f"{len(result.detections)}개\n" + detection.detection_table(result.detections))
        caption.value = f"<pre>{html.escape(box.text)}</pre>"
        return drawn

    for control in controls.values():
        control.observe(redraw, names="value")
    drawn = redraw()
    if not live:
        box.figure = detection.show_bgr(drawn, box.text.splitlines()[0]).figure
        plt.show()
        return box
    bundle = box._repr_mimebundle_() or {}
    bundle["image/jpeg"] = base64.b64encode(picture.value).decode("ascii")
    bundle["text/plain"] = box.text
    display(bundle, raw=True)
    return box
