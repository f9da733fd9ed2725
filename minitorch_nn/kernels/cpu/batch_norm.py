"""Batch normalisation of float32 (N, C, M) arrays: one compiled pass per channel for each step.

Why. NumPy's batch norm makes a float64 copy of the input, then runs a pass over the whole array
for the mean, the variance, the centring, the scaling and the affine map, each with its own
temporary (and as many again in the backward). Here a channel's N strided blocks are read twice
for its statistics (the float64 mean, then the float64 sum of squared deviations: the two-pass
variance, accurate where E[x^2] - E[x]^2 cancels), then once to write y = (x - mean) * scale + bias
with scale = weight / sqrt(var + eps). The backward reads the upstream gradient and the input twice
per channel: once for the float64 sums sum(g) and sum(g (x - mean)), once to write the input
gradient. The input is saved for the backward instead of x-hat, so the forward writes one array.
The math is ops/normalization.py's.

Channels are independent, so the channels are cut into one block per thread (the engine's worker
pool, as pooling.py does). Chosen for float32 host arrays once compiled (jit.py); float64 and
everything else runs the NumPy code of ops/normalization.py.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types

from .jit import KernelGroup, array
from .workers import WORKERS, num_threads

# fastmath "reassoc" only: LLVM may vectorise the float64 sums (reordering their additions)
_SUMS = {"reassoc"}

# Below this many elements one thread does it all (a hand-off to a pool thread costs more).
MIN_PARALLEL_WORK = 1 << 16


@njit(cache=True, nogil=True, fastmath=_SUMS)
def _forward(x, weight, bias, eps, training, mean, var, scale, y, c0, c1):  # pragma: no cover - jitted
    """Channels c0..c1: mean and biased var (float64; given when not training), scale = weight * rstd,
    y = (x - mean) * scale + bias."""
    n_, _, m = x.shape
    count = n_ * m
    for c in range(c0, c1):
        if training:
            total = 0.0
            for n in range(n_):
                for j in range(m):
                    total += x[n, c, j]
            mu = total / count
            square = 0.0
            for n in range(n_):
                for j in range(m):
                    d = x[n, c, j] - mu
                    square += d * d
            mean[c] = mu
            var[c] = square / count
        rstd = 1.0 / math.sqrt(var[c] + eps)
        s = np.float32(weight[c] * np.float32(rstd))
        mu32 = np.float32(mean[c])
        b = bias[c]
        scale[c] = np.float32(rstd)
        for n in range(n_):
            for j in range(m):
                y[n, c, j] = (x[n, c, j] - mu32) * s + b


@njit(cache=True, nogil=True, fastmath=_SUMS)
def _backward(grad, x, mean, rstd, weight, training, want_input, gx, gw, gb, c0, c1):  # pragma: no cover - jitted
    """Channels c0..c1: gb = sum(g), gw = sum(g x-hat), and (want_input) gx: in training
    w r (g - sum(g) / count - x-hat sum(g x-hat) / count), else w r g."""
    n_, _, m = x.shape
    count = n_ * m
    for c in range(c0, c1):
        mu32 = np.float32(mean[c])
        sum_g = 0.0
        sum_gx = 0.0
        for n in range(n_):
            for j in range(m):
                g = grad[n, c, j]
                sum_g += g
                sum_gx += g * (x[n, c, j] - mu32)
        r = rstd[c]
        gb[c] = sum_g
        gw[c] = sum_gx * r
        if not want_input:
            continue
        k = np.float32(weight[c] * r)
        if training:
            shift = np.float32(sum_g / count)
            slope = np.float32(sum_gx * r * r / count)
            for n in range(n_):
                for j in range(m):
                    gx[n, c, j] = k * (grad[n, c, j] - shift - (x[n, c, j] - mu32) * slope)
        else:
            for n in range(n_):
                for j in range(m):
                    gx[n, c, j] = k * grad[n, c, j]


def _split(work: int, channels: int, run) -> None:
    """run(c0, c1) over all channels: in this thread for small work, else one block per thread."""
    threads = max(1, min(num_threads(), channels, work // MIN_PARALLEL_WORK))
    if threads == 1:
        run(0, channels)
        return
    cuts = [channels * t // threads for t in range(threads + 1)]
    WORKERS.map(lambda span: run(*span), list(zip(cuts[:-1], cuts[1:])))


def usable(x: np.ndarray) -> bool:
    """Do the kernels serve this input (float32, non-empty; compiled, else its compile is asked for)?"""
    return x.dtype == np.float32 and x.size > 0 and (_GROUP.usable or _GROUP.ready())


def forward(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float, training: bool, mean=None, var=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(y, mean, var, rstd) of x (N, C, ...): batch statistics in training (float64), else the given ones."""
    x3 = np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)
    channels = x.shape[1]
    if training:
        mean, var = np.empty(channels), np.empty(channels)
    else:
        mean, var = mean.astype(np.float64), var.astype(np.float64)
    rstd = np.empty(channels, dtype=np.float32)
    y = np.empty_like(x3)
    weight, bias = np.ascontiguousarray(weight, np.float32), np.ascontiguousarray(bias, np.float32)
    _split(
        x3.size * (3 if training else 1),
        channels,
        lambda c0, c1: _forward(x3, weight, bias, float(eps), training, mean, var, rstd, y, c0, c1),
    )
    return y.reshape(x.shape), mean, var, rstd


def backward(
    grad: np.ndarray,
    x: np.ndarray,
    mean: np.ndarray,
    rstd: np.ndarray,
    weight: np.ndarray,
    training: bool,
    want_input: bool,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """(gx or None, gw, gb) of ``forward`` for upstream gradient ``grad``."""
    shape = x.shape
    x3 = np.ascontiguousarray(x).reshape(shape[0], shape[1], -1)
    g3 = np.ascontiguousarray(grad, np.float32).reshape(x3.shape)
    channels = shape[1]
    gx = np.empty_like(x3) if want_input else np.empty((1, 1, 1), np.float32)
    gw, gb = np.empty(channels), np.empty(channels)
    weight = np.ascontiguousarray(weight, np.float32)
    _split(
        x3.size * 2,
        channels,
        lambda c0, c1: _backward(g3, x3, mean, rstd, weight, training, want_input, gx, gw, gb, c0, c1),
    )
    return (gx.reshape(shape) if want_input else None), gw.astype(np.float32), gb.astype(np.float32)


_F1, _F3, _D1 = array(types.float32, 1), array(types.float32, 3), array(types.float64, 1)
_INT, _BOOL = types.int64, types.boolean
_GROUP = KernelGroup(
    "batch-norm",
    [
        (_forward, (_F3, _F1, _F1, types.float64, _BOOL, _D1, _D1, _F1, _F3, _INT, _INT)),
        (_backward, (_F3, _F3, _D1, _F1, _F1, _BOOL, _BOOL, _F3, _D1, _D1, _INT, _INT)),
    ],
)
