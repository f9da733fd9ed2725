# ruff: noqa: N806  (P, D, H, W name the plane layout, as in kernels/cpu/pooling.py)
"""Max and average pooling on the device, on the CPU kernels' window tables.

Same layout and window description as ``kernels/cpu/pooling.py`` (read its docstring): the
input as planes (P, D, H, W), and per axis a table ``win`` (out, 3) of [first tap, tap count,
divisor factor], built once per shape on the host and copied to the device. The tables hold
every case (padding, dilation, ceil_mode, count_include_pad, adaptive windows), so the
kernels never test for padding and have no case analysis of their own.

- ``max_forward``: a thread per output: the max over its window and the flat index of the
  winner in its plane (torch's ``indices``; a NaN wins, ties keep the first tap).
- ``max_backward``: a thread per output adds its gradient at its index with an atomic add
  (overlapping windows may pick the same input); an index outside the plane (a window wholly
  in the padding) adds nowhere, as on the CPU.
- ``avg_forward``: a thread per output: window sum / divisor, summed in the input dtype.
- ``avg_backward``: a thread per input gathers gy / divisor from the windows that hold it.
  Windows along an axis are runs of consecutive taps whose starts never decrease, so the
  windows holding input i along an axis are found by a scan of that axis's table; no atomics,
  and the sum order is fixed (deterministic).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numba import cuda

from ..cpu.pooling import adaptive_windows, output_size, sliding_windows, unit_window
from .device import THREADS, blocks_for, threads_for, to_device, unravel_3d, xp


@functools.cache
def _kernels(np_dtype: np.dtype) -> tuple:
    one = np.dtype(np_dtype).type(1)
    zero = np.dtype(np_dtype).type(0)
    minus_inf = np.dtype(np_dtype).type(-np.inf)

    @cuda.jit
    def max_forward(x, y, idx, wd, wh, ww, sd, sh, sw):  # pragma: no cover - compiled
        P, D, H, W = x.shape
        OD, OH, OW = wd.shape[0], wh.shape[0], ww.shape[0]
        i = cuda.grid(1)
        if i >= P * OD * OH * OW:
            return
        plane_depth, oh, ow = unravel_3d(i, OH, OW)
        p, od = plane_depth // OD, plane_depth % OD
        d0, h0, w0 = wd[od, 0], wh[oh, 0], ww[ow, 0]
        best = minus_inf
        where = (d0 * H + h0) * W + w0
        for a in range(wd[od, 1]):
            for b in range(wh[oh, 1]):
                for c in range(ww[ow, 1]):
                    d, h, w = d0 + a * sd, h0 + b * sh, w0 + c * sw
                    v = x[p, d, h, w]
                    if v > best or v != v:
                        best = v
                        where = (d * H + h) * W + w
        y[p, od, oh, ow] = best
        idx[p, od, oh, ow] = where

    @cuda.jit
    def max_backward(gy, idx, gx):  # pragma: no cover - compiled
        P, Q = gy.shape
        i = cuda.grid(1)
        if i >= P * Q:
            return
        p = i // Q
        q = idx[p, i - p * Q]
        if 0 <= q < gx.shape[1]:
            cuda.atomic.add(gx, (p, q), gy[p, i - p * Q])

    @cuda.jit
    def avg_forward(x, y, wd, wh, ww, divisor):  # pragma: no cover - compiled
        P = x.shape[0]
        OD, OH, OW = wd.shape[0], wh.shape[0], ww.shape[0]
        i = cuda.grid(1)
        if i >= P * OD * OH * OW:
            return
        plane_depth, oh, ow = unravel_3d(i, OH, OW)
        p, od = plane_depth // OD, plane_depth % OD
        total = zero
        for d in range(wd[od, 0], wd[od, 0] + wd[od, 1]):
            for h in range(wh[oh, 0], wh[oh, 0] + wh[oh, 1]):
                for w in range(ww[ow, 0], ww[ow, 0] + ww[ow, 1]):
                    total += x[p, d, h, w]
        div = divisor if divisor != 0 else wd[od, 2] * wh[oh, 2] * ww[ow, 2]
        y[p, od, oh, ow] = total / (one * div)

    @cuda.jit
    def avg_backward(gy, gx, wd, wh, ww, divisor):  # pragma: no cover - compiled
        P, D, H, W = gx.shape
        OD, OH, OW = wd.shape[0], wh.shape[0], ww.shape[0]
        i = cuda.grid(1)
        if i >= P * D * H * W:
            return
        plane_depth, h, w = unravel_3d(i, H, W)
        p, d = plane_depth // D, plane_depth % D
        total = zero
        for od in range(OD):
            if not (wd[od, 0] <= d < wd[od, 0] + wd[od, 1]):
                continue
            for oh in range(OH):
                if not (wh[oh, 0] <= h < wh[oh, 0] + wh[oh, 1]):
                    continue
                for ow in range(OW):
                    if not (ww[ow, 0] <= w < ww[ow, 0] + ww[ow, 1]):
                        continue
                    div = divisor if divisor != 0 else wd[od, 2] * wh[oh, 2] * ww[ow, 2]
                    total += gy[p, od, oh, ow] / (one * div)
        gx[p, d, h, w] = total

    return max_forward, max_backward, avg_forward, avg_backward


def _launch(kernel, work: int, *args) -> None:
    if work:
        threads = threads_for(work, THREADS)
        kernel[blocks_for(work, threads), threads](*args)


def max_forward(x, wd, wh, ww, step: tuple) -> tuple:
    """Max over windows of x (P, D, H, W): values and flat argmax indices, both (P, OD, OH, OW)."""
    x = xp.ascontiguousarray(x)
    shape = (x.shape[0], wd.shape[0], wh.shape[0], ww.shape[0])
    y = xp.empty(shape, dtype=x.dtype)
    idx = xp.empty(shape, dtype=np.int64)
    tables = [to_device(t) for t in (wd, wh, ww)]
    _launch(_kernels(x.dtype)[0], y.size, x, y, idx, *tables, *step)
    return y, idx


def max_backward(gy, idx, plane: tuple):
    """Add gy (P, OD, OH, OW) at its argmax positions idx into zeroed planes of shape ``plane``."""
    P = gy.shape[0]
    gx = xp.zeros((P, math.prod(plane)), dtype=gy.dtype)
    gy2 = xp.ascontiguousarray(gy).reshape(P, -1)
    _launch(_kernels(gy.dtype)[1], gy2.size, gy2, xp.ascontiguousarray(idx).reshape(P, -1), gx)
    return gx.reshape((P,) + tuple(plane))


def avg_forward(x, wd, wh, ww, divisor: int):
    """Window averages of x (P, D, H, W); ``divisor`` 0 means the tables' divisor."""
    x = xp.ascontiguousarray(x)
    y = xp.empty((x.shape[0], wd.shape[0], wh.shape[0], ww.shape[0]), dtype=x.dtype)
    tables = [to_device(t) for t in (wd, wh, ww)]
    _launch(_kernels(x.dtype)[2], y.size, x, y, *tables, divisor)
    return y


def avg_backward(gy, wd, wh, ww, divisor: int, plane: tuple):
    """Spread gy (P, OD, OH, OW) / divisor evenly over each window, into planes of shape ``plane``."""
    gx = xp.empty((gy.shape[0],) + tuple(plane), dtype=gy.dtype)
    tables = [to_device(t) for t in (wd, wh, ww)]
    _launch(_kernels(gy.dtype)[3], gx.size, xp.ascontiguousarray(gy), gx, *tables, divisor)
    return gx


def planes(x, nd: int):
    """View (..., *spatial) with ``nd`` spatial dims as contiguous (P, D, H, W)."""
    spatial = x.shape[x.ndim - nd :]
    return xp.ascontiguousarray(x).reshape((-1,) + (1,) * (3 - nd) + tuple(spatial))


__all__ = [
    "adaptive_windows",
    "avg_backward",
    "avg_forward",
    "max_backward",
    "max_forward",
    "output_size",
    "planes",
    "sliding_windows",
    "unit_window",
]
