# ruff: noqa: N803, N806, E741  (shape names N, C, O, K follow the math)
"""Direct convolution on the device: forward, grad input, grad weight and grad bias.

Arrays are 5-d (N, C, D, H, W), the weight (O, C/groups, KD, KH, KW), geometry 3-tuples, as
the CPU kernels see them, so conv1d, conv2d and conv3d are all this one kernel (ops/conv.py
views the lower ranks as 3-d). With g = o // (O/groups) and the tap k = (c, kd, kh, kw):

    y[n, o, z]      = b[o] + sum_k w[o, k] x[n, g*Cg + c, z*s - p + kd*dil]        (bounds: zero padding)
    gx[n, ci, i]    = sum_{o in group, k: i = z*s - p + kd*dil} w[o, ci - g*Cg, k] gy[n, o, z]
    gw[o, k]        = sum_{n, z} gy[n, o, z] x[n, g*Cg + c, z*s - p + kd*dil]
    gb[o]           = sum_{n, z} gy[n, o, z]

How the threads split it:

- forward: a block per (n, o) and tile of output positions, a thread per output. The block's
  threads read the same filter w[o] at every tap, so they stage it in shared memory, TILE taps
  at a time, one global read per tap per block instead of per thread; x is read with
  neighbouring threads on neighbouring positions (coalesced along W).
- grad input: the same shape of work with the roles swapped: a block per (n, ci) and tile of
  input positions, a thread per input gathering from the outputs its taps reach (a gather, not
  a scatter: no atomics, deterministic), the group's filters w[:, ci] staged in shared memory.
- grad weight / grad bias: one block per weight (or bias) entry; its threads stride over the
  N * OD*OH*OW products, then a tree reduction in shared memory sums the partials.

No im2col buffer is built: the convolutions of the notes' models are small, and launch count,
not FLOPs, is what they cost on a GPU. Chosen for every dtype and shape on the device.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import cuda, from_dtype

from .device import MAX_THREADS, REDUCE_THREADS, blocks_for, threads_for, unravel_3d, xp
from .reduce import block_sum

# Filter taps staged in shared memory per pass of the forward and grad-input kernels.
TILE = 256


@functools.cache
def _kernels(np_dtype: np.dtype) -> tuple:
    """The four kernels for one float dtype (shared arrays and accumulators are typed per dtype)."""
    zero = np.dtype(np_dtype).type(0)
    shared_type = from_dtype(np.dtype(np_dtype))

    @cuda.jit
    def forward(x, w, bias, y, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw, groups):  # pragma: no cover
        tile = cuda.shared.array(TILE, shared_type)
        O, OD, OH, OW = y.shape[1], y.shape[2], y.shape[3], y.shape[4]
        D, H, W = x.shape[2], x.shape[3], x.shape[4]
        n = cuda.blockIdx.x // O
        o = cuda.blockIdx.x - n * O
        pos = cuda.blockIdx.y * cuda.blockDim.x + cuda.threadIdx.x
        active = pos < OD * OH * OW
        zd, zh, zw = unravel_3d(pos, OH, OW)
        K = KD * KH * KW
        taps = w.shape[1]
        c0 = (o // (O // groups)) * (taps // K)
        acc = zero
        for start in range(0, taps, TILE):
            t = cuda.threadIdx.x
            while t < TILE and start + t < taps:
                tile[t] = w[o, start + t]
                t += cuda.blockDim.x
            cuda.syncthreads()
            if active:
                for j in range(min(TILE, taps - start)):
                    tap = start + j
                    c = tap // K
                    r = tap - c * K
                    kd, kh, kw = unravel_3d(r, KH, KW)
                    i_d = zd * sd - pd + kd * dd
                    i_h = zh * sh - ph + kh * dh
                    i_w = zw * sw - pw + kw * dw
                    if 0 <= i_d < D and 0 <= i_h < H and 0 <= i_w < W:
                        acc += tile[j] * x[n, c0 + c, i_d, i_h, i_w]
            cuda.syncthreads()
        if active:
            if bias.shape[0] > 0:
                acc += bias[o]
            y[n, o, zd, zh, zw] = acc

    @cuda.jit
    def grad_input(gy, w, gx, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw, groups):  # pragma: no cover
        tile = cuda.shared.array(TILE, shared_type)
        C, D, H, W = gx.shape[1], gx.shape[2], gx.shape[3], gx.shape[4]
        O, OD, OH, OW = gy.shape[1], gy.shape[2], gy.shape[3], gy.shape[4]
        n = cuda.blockIdx.x // C
        ci = cuda.blockIdx.x - n * C
        pos = cuda.blockIdx.y * cuda.blockDim.x + cuda.threadIdx.x
        active = pos < D * H * W
        i_d, i_h, i_w = unravel_3d(pos, H, W)
        K = KD * KH * KW
        Cg, Og = C // groups, O // groups
        g = ci // Cg
        c = ci - g * Cg
        taps = Og * K  # (o in the group, kernel offset)
        acc = zero
        for start in range(0, taps, TILE):
            t = cuda.threadIdx.x
            while t < TILE and start + t < taps:
                oo = (start + t) // K
                tile[t] = w[g * Og + oo, c * K + (start + t - oo * K)]
                t += cuda.blockDim.x
            cuda.syncthreads()
            if active:
                for j in range(min(TILE, taps - start)):
                    oo = (start + j) // K
                    r = start + j - oo * K
                    kd, kh, kw = unravel_3d(r, KH, KW)
                    td = i_d + pd - kd * dd
                    th = i_h + ph - kh * dh
                    tw = i_w + pw - kw * dw
                    if td < 0 or th < 0 or tw < 0 or td % sd != 0 or th % sh != 0 or tw % sw != 0:
                        continue
                    zd, zh, zw = td // sd, th // sh, tw // sw
                    if zd < OD and zh < OH and zw < OW:
                        acc += tile[j] * gy[n, g * Og + oo, zd, zh, zw]
            cuda.syncthreads()
        if active:
            gx[n, ci, i_d, i_h, i_w] = acc

    @cuda.jit
    def grad_weight(x, gy, gw, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw, groups):  # pragma: no cover
        partial = cuda.shared.array(MAX_THREADS, shared_type)
        N, D, H, W = x.shape[0], x.shape[2], x.shape[3], x.shape[4]
        O, OD, OH, OW = gy.shape[1], gy.shape[2], gy.shape[3], gy.shape[4]
        taps = gw.shape[1]
        K = KD * KH * KW
        o = cuda.blockIdx.x // taps
        tap = cuda.blockIdx.x - o * taps
        c = tap // K
        r = tap - c * K
        kd, kh, kw = unravel_3d(r, KH, KW)
        ci = (o // (O // groups)) * (taps // K) + c
        P = OD * OH * OW
        acc = zero
        i = cuda.threadIdx.x
        while i < N * P:
            n = i // P
            pos = i - n * P
            zd, zh, zw = unravel_3d(pos, OH, OW)
            i_d = zd * sd - pd + kd * dd
            i_h = zh * sh - ph + kh * dh
            i_w = zw * sw - pw + kw * dw
            if 0 <= i_d < D and 0 <= i_h < H and 0 <= i_w < W:
                acc += gy[n, o, zd, zh, zw] * x[n, ci, i_d, i_h, i_w]
            i += cuda.blockDim.x
        total = block_sum(partial, acc)
        if cuda.threadIdx.x == 0:
            gw[o, tap] = total

    @cuda.jit
    def grad_bias(gy, gb):  # pragma: no cover
        partial = cuda.shared.array(MAX_THREADS, shared_type)
        N = gy.shape[0]
        P = gy.shape[2] * gy.shape[3] * gy.shape[4]
        o = cuda.blockIdx.x
        acc = zero
        i = cuda.threadIdx.x
        while i < N * P:
            n = i // P
            pos = i - n * P
            zd, zh, zw = unravel_3d(pos, gy.shape[3], gy.shape[4])
            acc += gy[n, o, zd, zh, zw]
            i += cuda.blockDim.x
        total = block_sum(partial, acc)
        if cuda.threadIdx.x == 0:
            gb[o] = total

    return forward, grad_input, grad_weight, grad_bias


def _geometry(weight_shape, stride, padding, dilation) -> tuple:
    return (*weight_shape[2:], *stride, *padding, *dilation)


def output_shape(x_shape, weight_shape, stride, padding, dilation) -> tuple:
    spatial = tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, s, p, d in zip(x_shape[2:], weight_shape[2:], stride, padding, dilation)
    )
    return (x_shape[0], weight_shape[0]) + spatial


def conv_forward(x, weight, bias, stride, padding, dilation, groups):
    """y (N, O, OD, OH, OW) = conv(x (N, C, D, H, W), weight (O, C/g, KD, KH, KW)) + bias (empty: none)."""
    x = xp.ascontiguousarray(x)
    w = xp.ascontiguousarray(weight).reshape(weight.shape[0], -1)
    shape = output_shape(x.shape, weight.shape, stride, padding, dilation)
    y = xp.empty(shape, dtype=x.dtype)
    positions = shape[2] * shape[3] * shape[4]
    if y.size == 0:
        return y
    # no bias: an empty stand-in of its own (the simulator copies each argument back)
    bias = xp.zeros(0, dtype=x.dtype) if bias is None else xp.ascontiguousarray(bias)
    threads = threads_for(positions)
    forward = _kernels(x.dtype)[0]
    grid = (shape[0] * shape[1], blocks_for(positions, threads))
    forward[grid, threads](x, w, bias, y, *_geometry(weight.shape, stride, padding, dilation), groups)
    return y


def conv_backward(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight, need_bias=False):
    """(grad x, grad weight, grad bias) of ``conv_forward`` for gout (N, O, OD, OH, OW); None where not asked."""
    _, grad_input, grad_weight, grad_bias = _kernels(x.dtype)
    geometry = _geometry(weight.shape, stride, padding, dilation)
    x = xp.ascontiguousarray(x)
    gout = xp.ascontiguousarray(gout)
    gx = gw = gb = None
    if need_input:
        w = xp.ascontiguousarray(weight).reshape(weight.shape[0], -1)
        gx = xp.zeros(x.shape, dtype=x.dtype)
        positions = x.shape[2] * x.shape[3] * x.shape[4]
        if gx.size and gout.size:
            threads = threads_for(positions)
            grad_input[(x.shape[0] * x.shape[1], blocks_for(positions, threads)), threads](
                gout, w, gx, *geometry, groups
            )
    reduced = gout.shape[0] * gout.shape[2] * gout.shape[3] * gout.shape[4]
    threads = threads_for(reduced, REDUCE_THREADS)
    if need_weight:
        gw = xp.zeros((weight.shape[0], int(np.prod(weight.shape[1:]))), dtype=x.dtype)
        if gw.size and reduced:
            grad_weight[gw.size, threads](x, gout, gw, *geometry, groups)
        gw = gw.reshape(weight.shape)
    if need_bias:
        gb = xp.zeros(weight.shape[0], dtype=x.dtype)
        if gb.size and reduced:
            grad_bias[gb.size, threads](gout, gb)
    return gx, gw, gb


__all__ = ["conv_backward", "conv_forward", "output_shape"]
