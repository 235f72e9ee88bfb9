"""Convolution by hand (6.2): what ``Conv2D`` computes for one channel and one kernel, as NumPy loops.

As in Keras, the kernel is not flipped (mathematically a cross-correlation, which deep learning
calls convolution).  Along each axis the output has ``⌊(n + 2p − h) / s⌋ + 1`` pixels for an input
of ``n`` pixels, a kernel of ``h``, stride (보폭) ``s`` and zero padding (덧대기) ``p`` on each side.
"""

from __future__ import annotations

import numpy as np


def output_size(n: int, h: int, *, stride: int = 1, padding: int = 0) -> int:
    """The output size ``⌊(n + 2p − h) / s⌋ + 1`` of a convolution (or pooling) along one axis.

    Example:
        >>> output_size(32, 5)                       # LeNet-5's first convolution: 32 → 28
        28
        >>> output_size(28, 3, stride=2, padding=1)  # ⌊(28 + 2 − 3) / 2⌋ + 1
        14
    """
    for name, value in (("n", n), ("h", h), ("stride", stride), ("padding", padding)):
        if isinstance(value, bool) or int(value) != value:
            raise TypeError(f"output_size: {name}는 정수여야 합니다 (지금 {value!r}). ({name} must be a whole number)")
    if n < 1 or h < 1 or stride < 1 or padding < 0:
        raise ValueError(f"output_size: n, h, stride는 1 이상, padding은 0 이상이어야 합니다 "
                         f"(지금 n={n}, h={h}, stride={stride}, padding={padding}).")
    if h > n + 2 * padding:
        raise ValueError(f"output_size: {h}화소 커널이 양쪽에 {padding}씩 덧댄 {n}화소 안에 들어가지 않습니다. "
                         f"커널을 줄이거나 padding을 {(h - n + 1) // 2} 이상으로 하세요. (the kernel does not fit)")
    return (n + 2 * padding - h) // stride + 1


def conv2d(image, kernel, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Convolve a 2-D ``image`` with a 2-D ``kernel`` by loops: zero padding, then stride.

    Example:
        >>> image = np.arange(16).reshape(4, 4)
        >>> conv2d(image, np.ones((2, 2)), stride=2)       # sums of the four 2×2 blocks
        array([[10., 18.],
               [42., 50.]])
        >>> conv2d(np.ones((3, 3)), np.ones((3, 3)), padding=1)[0]   # corners see 4 pixels
        array([4., 6., 4.])
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"conv2d는 2차원 영상 하나와 2차원 커널 하나를 받습니다(지금 {image.shape}, {kernel.shape}). "
                         "채널 하나를 고르세요, 예: image[:, :, 0]")
    kh, kw = kernel.shape
    out_h = output_size(image.shape[0], kh, stride=stride, padding=padding)
    out_w = output_size(image.shape[1], kw, stride=stride, padding=padding)
    padded = np.pad(image, padding)  # 덧대기: p rows/columns of zeros on every side
    out = np.zeros((out_h, out_w))
    for i in range(out_h):                   # 특징 맵의 행
        for j in range(out_w):               # 특징 맵의 열
            top, left = i * stride, j * stride  # 보폭만큼 건너뛴 위치
            out[i, j] = np.sum(kernel * padded[top:top + kh, left:left + kw])  # 겹친 화소끼리 곱해 더함
    return out
