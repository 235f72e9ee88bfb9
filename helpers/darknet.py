"""YOLO's network read from its darknet cfg: how many weights it has, the network with all-zero
weights (its shapes, without the 248 MB download), and its output layers read off the network
(그림 6-19(b), 6-20).  The files come from :mod:`helpers._course.darknet_files`; the steps of
프로그램 6-12 are in :mod:`helpers.detection`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np


def weight_count(cfg) -> int:
    """How many float32 numbers the cfg's weights file holds (the file: a 20-byte header + 4 bytes each).

    A convolution has one bias per kernel (or, with batch normalisation, bias, scale, mean and
    variance) and kernels × input channels / groups × size × size weights; a route concatenates
    earlier layers' channels.
    """
    parts = re.split(r"^\s*\[(\w+)\]", Path(cfg).read_text(encoding="utf-8", errors="replace"), flags=re.M)
    if len(parts) < 3 or parts[1] not in ("net", "network"):
        raise ValueError(f"{cfg}: darknet cfg 파일이 아닙니다([net] 절로 시작하지 않음). 지우고 다시 내려받으세요.")
    sections = [(kind, {key: value.strip() for key, value in re.findall(r"^\s*(\w+)\s*=([^#\n]*)", body, re.M)})
                for kind, body in zip(parts[1::2], parts[2::2])]
    channels, seen, total = int(sections[0][1].get("channels", 3)), [], 0
    for kind, section in sections[1:]:
        if kind in ("convolutional", "conv"):
            filters, size, groups = int(section["filters"]), int(section["size"]), int(section.get("groups", 1))
            total += filters * (4 if int(section.get("batch_normalize", 0)) else 1)
            total += filters * (channels // groups) * size * size
            channels = filters
        elif kind == "route":
            layers = [int(v) for v in section["layers"].split(",")]
            channels = sum(seen[v] for v in layers) // int(section.get("groups", 1))
        elif kind not in ("shortcut", "upsample", "yolo", "maxpool", "dropout", "region"):
            raise ValueError(f"{cfg}: [{kind}] 층의 가중치 수는 셀 수 없습니다. 진짜 가중치 파일로 신경망을 읽으세요.")
        seen.append(channels)
    return total


def zero_weights_net(cfg):
    """``cv2.dnn.readNetFromDarknet`` of ``cfg`` with all-zero weights, built in memory (shapes only)."""
    import cv2

    header = np.array([0, 2, 0, 0, 0], dtype="<i4")              # version 0.2.0, images seen (int64) 0
    weights = np.concatenate([header.view(np.uint8), np.zeros(4 * weight_count(cfg), np.uint8)])
    return cv2.dnn.readNetFromDarknet(np.fromfile(cfg, dtype=np.uint8), weights)


def output_scales(net, size: int = 448) -> list[dict]:
    """YOLO's output layers and their shapes, read off ``net`` for a ``size``×``size`` input.

    For each output layer: its name, the grid (rows, cols) and channels of the 1×1 convolution
    feeding it (OpenCV puts a permute layer in between), anchors per grid cell and the
    (rows, 85) matrix ``forward`` returns.

    Example:
        >>> needs("yolov3.cfg")
        >>> from helpers._course.darknet_files import darknet_file
        >>> [s["grid"] for s in output_scales(zero_weights_net(darknet_file("yolov3.cfg")), 416)]
        [(13, 13), (26, 26), (52, 52)]
    """
    names = net.getLayerNames()
    ids, _, outputs = net.getLayersShapes([1, 3, size, size])
    shape_of = {names[i - 1]: tuple(int(v) for v in out[0]) for i, out in zip(np.ravel(ids), outputs) if i}
    scales = []
    for name in net.getUnconnectedOutLayersNames():
        feeding = next(n for n in reversed(names[:names.index(name)]) if n.startswith("conv"))
        _, channels, rows, cols = shape_of[feeding]
        out_rows, vector = shape_of[name]
        scales.append({"layer": name, "grid": (rows, cols), "conv": feeding, "channels": channels,
                       "anchors": out_rows // (rows * cols), "vector": vector, "output": (out_rows, vector)})
    return scales


def format_output_scales(scales) -> str:
    """The :func:`output_scales` list as a small text table."""
    lines = ["출력층    격자     앞 컨볼루션 출력     앵커  벡터  forward 결과"]
    for s in scales:
        conv = f"{s['conv']} {s['channels']}×{s['grid'][0]}×{s['grid'][1]}"
        lines.append(f"{s['layer']:<9} {s['grid'][0]}×{s['grid'][1]:<5} {conv:<20} {s['anchors']:<5} "
                     f"{s['vector']:<5} {s['output'][0]}×{s['output'][1]}")
    return "\n".join(lines)


def plot_output_scales(net, size: int = 448):
    """그림 6-20 and 6-19(b) drawn from the network: above, the feature-map side of every layer (the
    outputs marked); below, each output as an S×S×(anchors·85) tensor and one cell's anchors × 85 numbers."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon, Rectangle

    scales = output_scales(net, size)
    names = net.getLayerNames()
    ids, _, outputs = net.getLayersShapes([1, 3, size, size])
    layers = [(int(names[i - 1].rsplit("_", 1)[1]), int(out[0][2])) for i, out in zip(np.ravel(ids), outputs)
              if i and len(out[0]) == 4 and not names[i - 1].startswith("permute")]
    figure = plt.figure(figsize=(15, 8.5))
    top = figure.add_subplot(2, 1, 1)
    top.plot(*zip(*layers), ".-", color="0.6", markersize=3, linewidth=0.8)
    for s in scales:
        index = int(s["layer"].rsplit("_", 1)[1])
        top.plot(index, s["grid"][0], "o", markersize=10, color="tab:red")
        top.annotate(f"{s['layer']}\n{s['grid'][0]}×{s['grid'][1]}×{s['channels']}", (index, s["grid"][0]),
                     xytext=(0, 14), textcoords="offset points", ha="center", fontsize=9, color="tab:red")
    top.set_yscale("log", base=2)
    sides = sorted({side for _, side in layers})
    top.set_yticks(sides, [str(side) for side in sides])
    top.set_ylim(min(sides) / 1.6, max(sides) * 1.6)
    top.set_xlabel("층 번호 (darknet cfg의 순서)")
    top.set_ylabel("특징 맵의 한 변 (화소)")
    top.set_title(f"그림 6-20에 해당: {size}×{size} 입력에서 층마다 특징 맵의 크기 (신경망에서 읽음)")
    for k, s in enumerate(scales):
        ax = figure.add_subplot(2, len(scales) + 1, len(scales) + 2 + k)
        rows, cols = s["grid"]
        depth = 0.35
        ax.add_patch(Polygon([(0, 1), (depth, 1 + depth), (1 + depth, 1 + depth), (1, 1)], facecolor="0.85", edgecolor="k"))
        ax.add_patch(Polygon([(1, 0), (1 + depth, depth), (1 + depth, 1 + depth), (1, 1)], facecolor="0.7", edgecolor="k"))
        ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="k"))
        for line in np.linspace(0, 1, cols + 1)[1:-1]:
            ax.plot([line, line], [0, 1], color="0.6", linewidth=0.4)
            ax.plot([0, 1], [line, line], color="0.6", linewidth=0.4)
        ax.add_patch(Rectangle((0, 1 - 1 / rows), 1 / cols, 1 / rows, facecolor="tab:red"))
        ax.text(0.5, -0.1, f"{rows}×{cols} 격자", ha="center", va="top")
        ax.text(1 + depth + 0.05, 0.5 + depth / 2, f"깊이 {s['channels']}\n= {s['anchors']}×{s['vector']}", fontsize=9,
                va="center")
        ax.set_title(f"{s['layer']}: {rows}×{cols}×{s['channels']}\nforward 결과 {s['output'][0]}×{s['output'][1]}",
                     fontsize=10)
        ax.set_xlim(-0.05, 1.9), ax.set_ylim(-0.25, 1.45), ax.set_aspect("equal"), ax.axis("off")
    cell = figure.add_subplot(2, len(scales) + 1, 2 * (len(scales) + 1))
    anchors, vector = scales[0]["anchors"], scales[0]["vector"]
    starts = [3 * i for i in range(5)] + [15 + 0.5 * i for i in range(vector - 5)]    # 5 wide cells, then the scores
    for anchor in range(anchors):
        y = anchors - 1 - anchor
        for i, start in enumerate(starts):
            cell.add_patch(Rectangle((start, y), 3 if i < 5 else 0.5, 0.8, edgecolor="k", linewidth=0.3 if i >= 5 else 0.8,
                                     facecolor="tab:blue" if i < 4 else "tab:orange" if i == 4 else "tab:green"))
            if i < 5:
                cell.text(start + 1.5, y + 0.4, "xywho"[i], ha="center", va="center", color="white", fontsize=9)
        cell.text(-0.5, y + 0.4, f"앵커 {anchor + 1}", ha="right", va="center", fontsize=9)
    cell.text(15 + 0.25 * (vector - 5), anchors + 0.1, f"부류 점수 {vector - 5}개\n(vec85[5:])", ha="center", fontsize=9)
    cell.text(7.5, anchors + 0.1, "vec85[0:5]", ha="center", fontsize=9)
    cell.set_xlim(-9, starts[-1] + 1), cell.set_ylim(-0.3, anchors + 1.2), cell.axis("off")
    cell.set_title(f"빨간 격자 방 하나의 출력:\n앵커 {anchors}개 × {vector}개 값 (그림 6-19(b)의 벡터)", fontsize=10)
    figure.tight_layout()
    return figure
