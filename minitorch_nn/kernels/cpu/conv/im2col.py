# ruff: noqa: N803, N806, E741  (shape names N, C, O, K, P follow the math in the docstring)
"""Convolution by im2col: the column matrix of the input, then one matrix product.

    col[c*K + k, b*P + q] = x_padded[b, c, tap k of output q]        (K taps, P outputs)
    y[b, o, q]            = sum_r w[o, r] col[r, b*P + q] + bias[o]   (y = W col, per group)
    dW = dY col^T,   dcol = W^T dY,   dx = fold(dcol)                 (fold: the adjoint of unfold)

Why it is fast enough: the gathering is one copy of a strided view of the zero-padded input
(the tap and the output axes are both plain strides of it, whatever the stride and dilation),
its adjoint is one strided slice-add per tap, and the products are NumPy's BLAS: no Numba
loop, so no compile time. When: everything the two float32 paths do not take, i.e. stride
> 1, and all of float64 (the checking dtype: compiling the Numba paths twice would double
their cold compile, and float32 is what the speed is measured on).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..workers import WORKERS, num_threads
from .common import _blocks, _sum_partials, output_size


def unfold(x: np.ndarray, ksize: tuple, stride: tuple, padding: tuple, dilation: tuple, osize: tuple) -> np.ndarray:
    """im2col: col (C*K, B*P) of x (B, C, D, H, W), col[c*K + k, b*P + q] = the input under tap k of output q.

    A strided view does the gathering: in the zero-padded input, tap (a, b, e) of output
    (zd, zh, zw) sits at (a*dd + zd*sd, b*dh + zh*sh, e*dw + zw*sw), so both the tap and the
    output axes are plain strides of it; one reshape copies the view into rows.
    """
    if any(padding):
        x = np.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))
    B, C = x.shape[:2]
    sb, sc, *spatial = x.strides
    tap_strides = tuple(s * d for s, d in zip(spatial, dilation))
    out_strides = tuple(s * st for s, st in zip(spatial, stride))
    view = as_strided(x, (C, *ksize, B, *osize), (sc, *tap_strides, sb, *out_strides), writeable=False)
    return view.reshape(C * math.prod(ksize), B * math.prod(osize))


def fold(col: np.ndarray, shape: tuple, ksize: tuple, stride: tuple, padding: tuple, dilation: tuple, osize: tuple):
    """col2im, the adjoint of ``unfold``: every column entry added back to the input position it came
    from; a (B, C, D, H, W) view of the sums.

    One strided slice-add per tap, into a (C, B, ...) padded buffer whose layout matches the
    column rows (overlapping windows add up, as the taps run one after the other).
    """
    B, C = shape[:2]
    padded = tuple(n + 2 * p for n, p in zip(shape[2:], padding))
    sums = np.zeros((C, B, *padded), col.dtype)
    taps = col.reshape(C, *ksize, B, *osize)
    for tap in np.ndindex(*ksize):
        window = tuple(slice(t * d, t * d + s * (o - 1) + 1, s) for t, d, s, o in zip(tap, dilation, stride, osize))
        sums[(slice(None), slice(None), *window)] += taps[(slice(None), *tap)]
    inside = tuple(slice(p, p + n) for p, n in zip(padding, shape[2:]))
    return sums.transpose(1, 0, 2, 3, 4)[(slice(None), slice(None), *inside)]


def forward(x, weight, bias, stride, padding, dilation, groups) -> np.ndarray:
    """y = conv(x, weight) + bias for any stride, dilation and groups: per block, one im2col and
    one batched NumPy matmul (groups, Og, Cg*K) @ (groups, Cg*K, B*P)."""
    N, C = x.shape[:2]
    O = weight.shape[0]
    ksize = weight.shape[2:]
    osize = output_size(x.shape[2:], ksize, stride, padding, dilation)
    K = math.prod(ksize)
    P = math.prod(osize)
    Cg, Og = C // groups, O // groups
    w = np.ascontiguousarray(weight).reshape(groups, Og, Cg * K)
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    out = np.empty((N, O, P), dtype=x.dtype)
    args = (ksize, stride, padding, dilation, osize)

    def block(span):
        n0, n1 = span
        col = unfold(x[n0:n1], *args).reshape(groups, Cg * K, (n1 - n0) * P)
        # batch first again (a NumPy copy: the strided path is not the speed path)
        y = np.matmul(w, col).reshape(O, n1 - n0, P).transpose(1, 0, 2)
        if b.size:
            np.add(y, b[:, None], out=out[n0:n1])
        else:
            out[n0:n1] = y

    WORKERS.map(block, _blocks(N, C * K, P, num_threads()))
    return out.reshape((N, O) + tuple(osize))


def backward(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight):
    """(grad x, grad weight) of ``forward``: gw = gy col^T summed over the blocks, gx = fold(w^T gy)."""
    N, C = x.shape[:2]
    O = weight.shape[0]
    ksize = weight.shape[2:]
    osize = gout.shape[2:]
    K = math.prod(ksize)
    P = math.prod(osize)
    Cg, Og = C // groups, O // groups
    w = np.ascontiguousarray(weight).reshape(groups, Og, Cg * K)
    g3 = np.ascontiguousarray(gout).reshape(N, O, P)
    gx = np.empty(x.shape, dtype=x.dtype) if need_input else None
    args = (ksize, stride, padding, dilation, osize)
    wt = np.ascontiguousarray(w.transpose(0, 2, 1)) if need_input else None

    def block(span):
        n0, n1 = span
        gy = np.ascontiguousarray(g3[n0:n1].transpose(1, 0, 2)).reshape(groups, Og, (n1 - n0) * P)
        gw = None
        if need_weight:
            col = unfold(x[n0:n1], *args).reshape(groups, Cg * K, (n1 - n0) * P)
            gw = np.matmul(gy, col.transpose(0, 2, 1))
        if need_input:
            gcol = np.matmul(wt, gy)
            gx[n0:n1] = fold(gcol, (n1 - n0, C) + x.shape[2:], *args)
        return gw, None

    partial = WORKERS.map(block, _blocks(N, C * K, P, num_threads()))
    return _sum_partials(partial, weight.shape, need_weight, False, gx)[:2]
