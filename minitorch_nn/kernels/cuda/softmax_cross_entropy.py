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


# The two steps of the loss as torch's graph has them (LogSoftmaxBackward0 <- NllLossBackward0):
# F.cross_entropy on device tensors runs these, so each node's backward is its own kernel.


@functools.cache
def _step_kernels(np_dtype: np.dtype) -> tuple:
    shared_type = from_dtype(np.dtype(np_dtype))
    zero = np.dtype(np_dtype).type(0)
    minus_inf = np.dtype(np_dtype).type(-np.inf)

    @cuda.jit
    def log_softmax_rows(x, y):  # pragma: no cover - compiled
        # y[n, c] = x[n, c] - lse[n]: a block per row, the max and the sum of exponentials as block trees
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
        lse = m + math.log(block_sum(partial, total))
        for c in range(cuda.threadIdx.x, C, cuda.blockDim.x):
            y[n, c] = x[n, c] - lse

    @cuda.jit
    def log_softmax_rows_backward(grad, y, gx):  # pragma: no cover - compiled
        # gx[n, c] = grad[n, c] - exp(y[n, c]) sum_c' grad[n, c']
        partial = cuda.shared.array(MAX_THREADS, shared_type)
        n = cuda.blockIdx.x
        C = y.shape[1]
        total = zero
        for c in range(cuda.threadIdx.x, C, cuda.blockDim.x):
            total += grad[n, c]
        s = block_sum(partial, total)
        for c in range(cuda.threadIdx.x, C, cuda.blockDim.x):
            gx[n, c] = grad[n, c] - math.exp(y[n, c]) * s

    @cuda.jit
    def nll_rows(logp, target, weight, ignore_index, loss, wt):  # pragma: no cover - compiled
        # a thread per row: loss[n] = -w[t_n] logp[n, t_n], wt[n] = w[t_n] (both 0 where ignored)
        n = cuda.grid(1)
        if n >= logp.shape[0]:
            return
        t = target[n]
        if t == ignore_index:
            loss[n] = zero
            wt[n] = zero
        else:
            w = weight[t] if weight.shape[0] > 0 else zero + 1
            loss[n] = -w * logp[n, t]
            wt[n] = w

    @cuda.jit
    def nll_rows_backward(target, scale, gx):  # pragma: no cover - compiled
        # a thread per entry: gx[n, c] = -scale[n] where c = t_n (scale = g_n w[t_n]), else 0
        N, C = gx.shape
        i = cuda.grid(1)
        if i >= N * C:
            return
        n = i // C
        c = i - n * C
        gx[n, c] = -scale[n] if c == target[n] else zero

    return log_softmax_rows, log_softmax_rows_backward, nll_rows, nll_rows_backward


def log_softmax_forward(x):
    """log_softmax over the last axis of x (N, C)."""
    x = xp.ascontiguousarray(x)
    y = xp.empty(x.shape, dtype=x.dtype)
    if x.size:
        _step_kernels(x.dtype)[0][x.shape[0], threads_for(x.shape[1], REDUCE_THREADS)](x, y)
    return y


def log_softmax_backward(grad, y):
    """dx = grad - exp(y) * sum(grad) over the last axis of (N, C)."""
    grad, y = xp.ascontiguousarray(grad), xp.ascontiguousarray(y)
    gx = xp.empty(y.shape, dtype=grad.dtype)
    if y.size:
        _step_kernels(y.dtype)[1][y.shape[0], threads_for(y.shape[1], REDUCE_THREADS)](grad, y, gx)
    return gx


def nll_forward(logp, target, weight, ignore_index: int) -> tuple:
    """(loss (N,), wt (N,)) of log-probabilities (N, C); ``weight`` None or (C,)."""
    logp = xp.ascontiguousarray(logp)
    N = logp.shape[0]
    loss, wt = xp.empty(N, dtype=logp.dtype), xp.empty(N, dtype=logp.dtype)
    weight = xp.zeros(0, dtype=logp.dtype) if weight is None else xp.ascontiguousarray(weight.astype(logp.dtype))
    if N:
        threads = threads_for(N, THREADS)
        _step_kernels(logp.dtype)[2][blocks_for(N, threads), threads](
            logp, xp.ascontiguousarray(target), weight, ignore_index, loss, wt
        )
    return loss, wt


def nll_backward(target, scale, classes: int):
    """The (N, C) gradient: -scale[n] at (n, t_n), 0 elsewhere."""
    N = scale.shape[0]
    gx = xp.empty((N, classes), dtype=scale.dtype)
    if gx.size:
        threads = threads_for(gx.size, THREADS)
        _step_kernels(scale.dtype)[3][blocks_for(gx.size, threads), threads](
            xp.ascontiguousarray(target), xp.ascontiguousarray(scale), gx
        )
    return gx


__all__ = ["backward", "forward", "log_softmax_backward", "log_softmax_forward", "nll_backward", "nll_forward"]
