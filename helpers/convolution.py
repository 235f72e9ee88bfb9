"""Convolution by hand: section 6.2's 2-D convolution as plain NumPy loops, and its output size.

What a ``Conv2D`` layer computes for one input channel and one kernel, written out so a
student can follow every multiplication: the kernel slides over the (zero-padded) image
by ``stride`` pixels, and each output pixel is the sum of the products of the kernel with
the pixels under it.  As in Keras (and in the book's 6.2), the kernel is not flipped:
mathematically this is a cross-correlation, which deep learning calls convolution.

The output size, per axis, for an input of size ``n``, a kernel of size ``h``, stride
(보폭) ``s`` and zero padding (덧대기) ``p`` on each side is

    m = ⌊(n + 2p − h) / s⌋ + 1

(:func:`output_size`).  Keras's ``padding='valid'`` is ``p = 0``; for an odd ``h``,
``padding='same'`` gives the size of ``p = (h − 1) / 2``, i.e. ``⌈n / s⌉``.  (With a
stride above 1, TensorFlow may put the extra padding pixel on the bottom/right only, so
the *values* of a strided ``'same'`` convolution are shifted against a symmetric ``p``; the
sizes agree.)
"""

from __future__ import annotations

import numpy as np


def output_size(n: int, h: int, *, stride: int = 1, padding: int = 0) -> int:
    """The output size ``⌊(n + 2p − h) / s⌋ + 1`` of a convolution (or pooling) along one axis.

    ``n`` is the input size, ``h`` the kernel size, ``stride`` the step ``s`` and
    ``padding`` the number ``p`` of zero rows (columns) added on each side.

    Example:
        >>> output_size(32, 5)                       # LeNet-5's first convolution: 32 → 28
        28
        >>> output_size(28, 3, stride=2, padding=1)  # ⌊(28 + 2 − 3) / 2⌋ + 1
        14
    """
    for name, value in (("n", n), ("h", h), ("stride", stride), ("padding", padding)):
        if isinstance(value, bool) or int(value) != value:
            raise TypeError(f"output_size: {name} must be a whole number, got {value!r}")
    if n < 1 or h < 1:
        raise ValueError(f"output_size: the input ({n}) and the kernel ({h}) need at least one pixel")
    if stride < 1:
        raise ValueError(f"output_size: stride must be at least 1, got {stride}")
    if padding < 0:
        raise ValueError(f"output_size: padding must be 0 or more, got {padding}")
    if h > n + 2 * padding:
        raise ValueError(f"output_size: a {h}-pixel kernel does not fit in {n} pixels padded by {padding} "
                         f"on each side; use a smaller kernel or padding ≥ {(h - n + 1) // 2}")
    return (n + 2 * padding - h) // stride + 1


def conv2d(image, kernel, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Convolve a 2-D ``image`` with a 2-D ``kernel`` by loops: zero padding, then stride.

    Output pixel ``(i, j)`` is ``sum(kernel * padded[i·s : i·s + h, j·s : j·s + w])``; the
    output has the size :func:`output_size` gives for each axis.  Returns float64.

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
        raise ValueError(f"conv2d takes one 2-D image and one 2-D kernel, got shapes {image.shape} and "
                         f"{kernel.shape}; pick one channel, e.g. image[:, :, 0]")
    kh, kw = kernel.shape
    out_h = output_size(image.shape[0], kh, stride=stride, padding=padding)
    out_w = output_size(image.shape[1], kw, stride=stride, padding=padding)
    padded = np.pad(image, padding)  # 덧대기: p rows/columns of zeros on every side
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride
            total = 0.0
            for u in range(kh):
                for v in range(kw):
                    total += kernel[u, v] * padded[top + u, left + v]
            out[i, j] = total
    return out
