# ruff: noqa: N806  (N, C: batch and classes)
"""Fused softmax cross-entropy on the device: log-softmax and NLL in one kernel, and its backward.

For logits x (N, C), class targets t (N,), class weights w (C,) (ones when absent) and
``ignore_index``:

    lse[n]  = m[n] + log sum_c exp(x[n, c] - m[n]),   m[n] = max_c x[n, c]
    loss[n] = w[t_n] (lse[n] - x[n, t_n]),            0 where t_n = ignore_index
    wt[n]   = w[t_n]                                   (0 where ignored; the mean divides by sum wt)

and, for an upstream gradient s[n] per row (already divided by sum wt for the mean),

    d loss / d x[n, c] = s[n] wt[n] (softmax(x)[n, c] - [c = t_n]),  softmax = exp(x - lse)

Forward: a block per row; its threads stride over the classes for the max, then for the sum
of exponentials, each a shared-memory tree (reduce.py); one launch for the whole loss, where
the unfused log_softmax + nll_loss make the (N, C) log-probabilities, then gather. Backward: a
thread per logit, reading lse[n] saved by the forward (no second pass over the row).
Label smoothing is not fused here.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numba import cuda, from_dtype

from .device import MAX_THREADS, REDUCE_THREADS, THREADS, blocks_for, threads_for, xp
from .reduce import block_max, block_sum


@functools.cache
def _kernels(np_dtype: np.dtype) -> tuple:
    shared_type = from_dtype(np.dtype(np_dtype))
    zero = np.dtype(np_dtype).type(0)
    minus_inf = np.dtype(np_dtype).type(-np.inf)

    @cuda.jit
    def forward(x, target, weight, ignore_index, lse, loss, wt):  # pragma: no cover - compiled
        partial = cuda.shared.array(MAX_THREADS, shared_type)
        n = cuda.blockIdx.x
        C = x.shape[1]
        best = minus_inf
        for c in range(cuda.threadIdx.x, C, cuda.blockDim.x):
            if x[n, c] > best:
                best = x[n, c]
        m = block_max(partial, best)
        total = zero
        for c in range(cuda.threadIdx.x, C, cuda.blockDim.x):
            total += math.exp(x[n, c] - m)
        s = block_sum(partial, total)
        if cuda.threadIdx.x == 0:
            row = m + math.log(s)
            lse[n] = row
            t = target[n]
            if t == ignore_index:
                loss[n] = zero
                wt[n] = zero
            else:
                w = weight[t] if weight.shape[0] > 0 else zero + 1
                loss[n] = w * (row - x[n, t])
                wt[n] = w

    @cuda.jit
    def backward(x, target, lse, scale, gx):  # pragma: no cover - compiled
        N, C = x.shape
        i = cuda.grid(1)
        if i >= N * C:
            return
        n = i // C
        c = i - n * C
        g = math.exp(x[n, c] - lse[n])
        if c == target[n]:
            g -= 1
        gx[n, c] = scale[n] * g

    return forward, backward


def forward(x, target, weight, ignore_index: int) -> tuple:
    """(loss (N,), wt (N,), lse (N,)) of logits x (N, C); ``weight`` None or (C,)."""
    x = xp.ascontiguousarray(x)
    N, C = x.shape
    lse, loss, wt = (xp.empty(N, dtype=x.dtype) for _ in range(3))
    if weight is None:
        weight = xp.zeros(0, dtype=x.dtype)
    if N:
        threads = threads_for(C, REDUCE_THREADS)
        _kernels(x.dtype)[0][N, threads](x, xp.ascontiguousarray(target), weight, ignore_index, lse, loss, wt)
    return loss, wt, lse


def backward(x, target, lse, wt, grad_rows):
    """Gradient of sum_n grad_rows[n] loss[n] with respect to x (N, C)."""
    x = xp.ascontiguousarray(x)
    gx = xp.empty(x.shape, dtype=x.dtype)
    scale = xp.ascontiguousarray((grad_rows * wt).astype(x.dtype))
    if x.size:
        threads = threads_for(x.size, THREADS)
        _kernels(x.dtype)[1][blocks_for(x.size, threads), threads](x, xp.ascontiguousarray(target), lse, scale, gx)
    return gx


__all__ = ["backward", "forward"]
