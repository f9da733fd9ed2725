# ruff: noqa: N806  (P, D, H, W name the plane layout of the docstring)
"""Pooling kernels: max and average over windows, one N-d design for 1, 2 and 3 spatial dims.

Layout. Every pooling runs as a 3-d one on planes: the input is viewed as
(P, D, H, W) with P = batch * channels (contiguous), a 2-d input as
(P, 1, H, W) and a 1-d one as (P, 1, 1, W). The loops run in parallel over the
P planes (``prange``); planes never share memory, so even the scatter-adds of
the backward passes need no atomics.

Windows as tables. Every pooling variant is described per spatial axis by a
table ``win`` of shape (out, 3): for output position o, the window covers the
input positions ``win[o, 0], win[o, 0] + step, ... < win[o, 1]`` (already
clipped to the input, so padding is never read), and ``win[o, 2]`` is that
axis's factor of the average's divisor. The divisor is separable: the product
of the three factors (or ``divisor_override``). Built in Python, once per call:

- sliding windows (``sliding_windows``): start = o*stride - pad,
  end = min(start + (k-1)*dilation + 1, size + pad); the factor is end - start
  (count_include_pad: padding counts) or the clipped length; the first index is
  moved up by whole dilation steps until it is inside the input. Max pooling
  reads only real inputs, which is the same as padding with -inf.
- adaptive windows (``adaptive_windows``): [floor(o*in/out), ceil((o+1)*in/out)).

So four kernels serve max_pool1d/2d/3d, avg_pool1d/2d/3d and the adaptive
average and max pools:

- ``max_forward``: the largest value of each window and its flat index into the
  plane (d*H*W + h*W + w, torch's ``indices``); ties keep the first, a NaN wins
  (torch's rule ``v > max or isnan(v)``).
- ``max_backward``: gx[p, idx[p, o]] += gy[p, o]; overlapping windows that pick
  the same input add up.
- ``avg_forward``: window sum / divisor.
- ``avg_backward``: every input of a window gets gy / divisor, summed over windows.

Measured (this 2-core VM, float32, both engines on 2 threads; medians, ratio =
torch / ours): MaxPool2d 2x2 on (64, 6, 28, 28) forward 0.96 ms torch vs
0.17 ms ours (5.5x), forward+backward 1.9 ms vs 0.45 ms (4x); see
benchmarks/results/pooling.md for the full table. A plain window loop is enough:
the work is memory-bound and tiny, and each plane (28x28 floats) sits in L1.
Compile time of all four kernels for float32 and float64: about 4 s cold, 0.1 s
from the on-disk cache.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import numpy as np
from numba import njit


def output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Number of windows along one axis (torch's rule, may be <= 0 for too small inputs).

    With ceil_mode a partial last window is kept, but only if it starts inside
    the input or the left padding (never in the right padding).
    """
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def sliding_windows(size: int, out: int, k: int, s: int, p: int, d: int, count_include_pad: bool) -> np.ndarray:
    """(out, 3) table [first, end, divisor factor] of the sliding windows along one axis."""
    start = np.arange(out, dtype=np.int64) * s - p
    end = np.minimum(start + (k - 1) * d + 1, size + p)
    padded = end - start
    # first tap inside the input: skip whole dilation steps
    first = np.where(start < 0, start + (-start + d - 1) // d * d, start)
    last = np.minimum(end, size)
    clipped = np.maximum(last - np.maximum(start, 0), 0)
    factor = padded if count_include_pad else clipped
    return np.ascontiguousarray(np.stack([first, last, factor], axis=1))


def adaptive_windows(size: int, out: int) -> np.ndarray:
    """(out, 3) table of adaptive windows [floor(o*size/out), ceil((o+1)*size/out)), factor = length."""
    o = np.arange(out, dtype=np.int64)
    first = o * size // out
    last = -(-(o + 1) * size // out)
    return np.ascontiguousarray(np.stack([first, last, last - first], axis=1))


def unit_window(out: int) -> np.ndarray:
    """The table of a singleton axis (the added dims of 1-d and 2-d pooling)."""
    return np.array([[0, 1, 1]], dtype=np.int64).repeat(out, axis=0)


@njit(nogil=True, cache=True)
def _max_forward(x, y, idx, wd, wh, ww, sd, sh, sw, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: y[p, o] = max of x[p] over window o; idx[p, o] = its flat index into the plane."""
    _, D, H, W = x.shape
    for p in range(p0, p1):
        for od in range(wd.shape[0]):
            for oh in range(wh.shape[0]):
                for ow in range(ww.shape[0]):
                    best = -np.inf
                    where = (wd[od, 0] * H + wh[oh, 0]) * W + ww[ow, 0]
                    for i in range(wd[od, 0], wd[od, 1], sd):
                        for j in range(wh[oh, 0], wh[oh, 1], sh):
                            for k in range(ww[ow, 0], ww[ow, 1], sw):
                                v = x[p, i, j, k]
                                if v > best or np.isnan(v):
                                    best = v
                                    where = (i * H + j) * W + k
                    y[p, od, oh, ow] = best
                    idx[p, od, oh, ow] = where


@njit(nogil=True, cache=True)
def _max_backward(gy, idx, gx, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1 of (P, O) arrays: gx[p, idx[p, o]] += gy[p, o] (gx zeroed by the caller)."""
    for p in range(p0, p1):
        for o in range(gy.shape[1]):
            gx[p, idx[p, o]] += gy[p, o]


@njit(nogil=True, cache=True)
def _avg_forward(x, y, wd, wh, ww, divisor, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: y[p, o] = sum of x[p] over window o / divisor (0: the tables' product)."""
    for p in range(p0, p1):
        for od in range(wd.shape[0]):
            for oh in range(wh.shape[0]):
                for ow in range(ww.shape[0]):
                    total = x.dtype.type(0)  # accumulate in the input dtype, as torch does
                    for i in range(wd[od, 0], wd[od, 1]):
                        for j in range(wh[oh, 0], wh[oh, 1]):
                            for k in range(ww[ow, 0], ww[ow, 1]):
                                total += x[p, i, j, k]
                    div = divisor if divisor != 0 else wd[od, 2] * wh[oh, 2] * ww[ow, 2]
                    y[p, od, oh, ow] = total / x.dtype.type(div)


@njit(nogil=True, cache=True)
def _avg_backward(gy, gx, wd, wh, ww, divisor, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: gx[p, i] += gy[p, o] / divisor(o) for every window o holding i (gx zeroed)."""
    for p in range(p0, p1):
        for od in range(wd.shape[0]):
            for oh in range(wh.shape[0]):
                for ow in range(ww.shape[0]):
                    div = divisor if divisor != 0 else wd[od, 2] * wh[oh, 2] * ww[ow, 2]
                    g = gy[p, od, oh, ow] / gy.dtype.type(div)
                    for i in range(wd[od, 0], wd[od, 1]):
                        for j in range(wh[oh, 0], wh[oh, 1]):
                            for k in range(ww[ow, 0], ww[ow, 1]):
                                gx[p, i, j, k] += g


# Below this many elements touched, one thread: handing work to another costs ~20-50 us.
MIN_PARALLEL_WORK = 1 << 15
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _over_planes(kernel: Any, planes: int, work: int, *args: Any) -> None:
    """Run ``kernel(*args, p0, p1)`` over planes split into one block per thread."""
    global _executor
    threads = min(numba.get_num_threads(), planes, max(1, work // MIN_PARALLEL_WORK))
    if threads <= 1:
        kernel(*args, 0, planes)
        return
    cuts = [planes * t // threads for t in range(threads + 1)]
    with _executor_lock:
        if _executor is None or _executor._max_workers < threads - 1:
            _executor = ThreadPoolExecutor(threads - 1, thread_name_prefix="minitorch-pool")
        executor = _executor
    futures = [executor.submit(kernel, *args, cuts[t], cuts[t + 1]) for t in range(1, threads)]
    kernel(*args, cuts[0], cuts[1])
    for f in futures:
        f.result()


def max_forward(x: np.ndarray, wd: np.ndarray, wh: np.ndarray, ww: np.ndarray, step: tuple) -> tuple:
    """Max over windows of x (P, D, H, W): values and flat argmax indices, both (P, OD, OH, OW)."""
    shape = (x.shape[0], wd.shape[0], wh.shape[0], ww.shape[0])
    y = np.empty(shape, dtype=x.dtype)
    idx = np.empty(shape, dtype=np.int64)
    _over_planes(_max_forward, x.shape[0], x.size + y.size, x, y, idx, wd, wh, ww, *step)
    return y, idx


def max_backward(gy: np.ndarray, idx: np.ndarray, plane: tuple) -> np.ndarray:
    """Scatter-add gy (P, ...) to its argmax positions idx (P, ...) in planes of shape ``plane``."""
    P = gy.shape[0]
    gy2 = np.ascontiguousarray(gy).reshape(P, -1)
    gx = np.zeros((P, int(np.prod(plane))), dtype=gy.dtype)
    _over_planes(_max_backward, P, gx.size + gy2.size, gy2, idx.reshape(P, -1), gx)
    return gx.reshape((P,) + tuple(plane))


def avg_forward(x: np.ndarray, wd: np.ndarray, wh: np.ndarray, ww: np.ndarray, divisor: int) -> np.ndarray:
    """Window averages of x (P, D, H, W); ``divisor`` 0 means the tables' divisor."""
    y = np.empty((x.shape[0], wd.shape[0], wh.shape[0], ww.shape[0]), dtype=x.dtype)
    _over_planes(_avg_forward, x.shape[0], x.size + y.size, x, y, wd, wh, ww, divisor)
    return y


def avg_backward(
    gy: np.ndarray, wd: np.ndarray, wh: np.ndarray, ww: np.ndarray, divisor: int, plane: tuple
) -> np.ndarray:
    """Spread gy (P, OD, OH, OW) / divisor evenly over each window, into planes of shape ``plane``."""
    gy = np.ascontiguousarray(gy)
    gx = np.zeros((gy.shape[0],) + tuple(plane), dtype=gy.dtype)
    _over_planes(_avg_backward, gy.shape[0], gx.size + gy.size, gy, gx, wd, wh, ww, divisor)
    return gx


def planes(x: np.ndarray, nd: int) -> np.ndarray:
    """View (..., *spatial) with ``nd`` spatial dims as contiguous (P, D, H, W)."""
    spatial = x.shape[x.ndim - nd :]
    full = (1,) * (3 - nd) + tuple(spatial)
    return np.ascontiguousarray(x).reshape((-1,) + full)


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
