# ruff: noqa: N803, N806, E741  (shape names N, C, O, K, P follow the math in the docstring)
"""Direct convolution, stride 1: shifted-row GEMMs, in two layouts (batch-last and per-sample wide).

In a zero-padded input, the input under kernel tap k for output position q sits at a fixed
offset off[k] from q's own place, so with stride 1 the convolution is a matrix product whose
right-hand rows are shifted views of the input itself:

    y[o, j] = sum_{c,k} w[o, c, k] * x_flat[rows[c*K + k] + j] + bias[o]
    dW[o, c*K + k] = sum_j dY[o, j] x_flat[rows[c*K + k] + j]        (the same rows, reduced over j)
    dx_flat[rows[c*K + k] + j] += sum_o w[o, c, k] dY[o, j]           (w^T dY sent back to its rows)

No column matrix is built and no tap is computed twice; gemm.py runs the products with register
tiles. Which numbers j runs over is the layout:

- batch-last (``forward_batch_last``): a block of B samples is copied to xt[c, d, h, w, b]
  (batch innermost). For one output row (zd, zh), the outputs of all B samples are OW*B
  consecutive numbers, and so is the input under each tap: rows[c*K + k] = (c*S + off[k]) * B,
  shifted by (zd*Hp + zh)*Wp*B per output row. Runs are OW*B long with no wasted position.
- wide (``forward_wide``): one sample is the row. Output (zd, zh, zw) sits at
  q = (zd*Hp + zh)*Wp + zw of the padded sample and its tap k at q + off[k], for all
  q < L = ((OD-1)*Hp + OH-1)*Wp + OW at once; the positions with zw >= OW (or zh >= OH) are
  junk, computed and dropped (their gradient set to zero). No batch transposes: the input is
  read in place (or padded sample by sample) and the output compacted row by row.

Bias is added in the copy of the output back to batch-first, and grad bias summed in the copy
of the gradient to the GEMM layout. When: float32 stride-1 convolutions that Winograd does not
take; the wide layout when a sample's run L is long on its own (>= 256) or longer than the
batch-last run OW*B (the dispatch in ``__init__``; LeNet conv1 always, conv2 at batch 1).
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
from numba import njit

from ..gemm import shifted_gemm_nn, shifted_gemm_nt
from ..workers import WORKERS
from ..workspace import GRAD_INPUT, INPUT, OUTPUT, scratch
from .common import NONNEG, _sample_blocks, _sum_partials, output_size

# The grad-bias sums in the gradient copies may be reordered (vectorised): an in-order float
# sum is one add-latency per element, several times slower. Only reassociation:
# no assumptions about NaN or inf.
REASSOCIATE = {"reassoc"}


@njit(cache=True, nogil=True)
def to_batch_last(x, padding, n0, n1, xt):  # pragma: no cover - jitted
    """xt[c, pd + d, ph + h, pw + w, b] = x[n0 + b, c, d, h, w]; xt's padding border must be zero.

    One image row at a time: read contiguously from x, written with stride B into
    xt, whose W lines are reused by the next samples (flat indices, see NONNEG).
    """
    C, D, H, W = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    Dp, Hp, Wp, B = xt.shape[1], xt.shape[2], xt.shape[3], xt.shape[4]
    pd, ph, pw = padding[0], padding[1], padding[2]
    xf, tf = x.reshape(-1), xt.reshape(-1)
    for c in range(C):
        for d in range(D):
            for h in range(H):
                dst = (((c * Dp + pd + d) * Hp + ph + h) * Wp + pw) * B
                for b in range(B):
                    src = ((((n0 + b) * C + c) * D + d) * H + h) * W
                    for w in range(W):
                        tf[(dst + w * B + b) & NONNEG] = xf[(src + w) & NONNEG]


@njit(cache=True, nogil=True)
def from_batch_last(xt, padding, bias, n0, x):  # pragma: no cover - jitted
    """x[n0 + b, c, d, h, w] = xt[c, pd + d, ph + h, pw + w, b] + bias[c] (the interior, batch first again)."""
    C, D, H, W = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    Dp, Hp, Wp, B = xt.shape[1], xt.shape[2], xt.shape[3], xt.shape[4]
    pd, ph, pw = padding[0], padding[1], padding[2]
    has_bias = bias.shape[0] > 0
    xf, tf = x.reshape(-1), xt.reshape(-1)
    for c in range(C):
        add = bias[c] if has_bias else 0
        for d in range(D):
            for h in range(H):
                src = (((c * Dp + pd + d) * Hp + ph + h) * Wp + pw) * B
                for b in range(B):
                    dst = ((((n0 + b) * C + c) * D + d) * H + h) * W
                    for w in range(W):
                        xf[(dst + w) & NONNEG] = tf[(src + w * B + b) & NONNEG] + add


@njit(cache=True, nogil=True, fastmath=REASSOCIATE)
def grad_to_batch_last(gout, n0, n1, gy, gb):  # pragma: no cover - jitted
    """gy[o, zd, zh, zw, b] = gout[n0 + b, o, zd, zh, zw]; gb[o] += its sum (gb may be empty)."""
    O, OD, OH, OW = gout.shape[1], gout.shape[2], gout.shape[3], gout.shape[4]
    B = n1 - n0
    need_bias = gb.shape[0] > 0
    gf, yf = gout.reshape(-1), gy.reshape(-1)
    for o in range(O):
        total = 0.0
        for zd in range(OD):
            for zh in range(OH):
                dst = ((o * OD + zd) * OH + zh) * OW * B
                for b in range(B):
                    src = ((((n0 + b) * O + o) * OD + zd) * OH + zh) * OW
                    for zw in range(OW):
                        v = gf[(src + zw) & NONNEG]
                        yf[(dst + zw * B + b) & NONNEG] = v
                        total += v
        if need_bias:
            gb[o] += total


@njit(cache=True, nogil=True)
def wide_to_output(yw, Hp, Wp, bias, n0, out):  # pragma: no cover - jitted
    """out[n0 + b, o, zd, zh, zw] = yw[b, o, (zd*Hp + zh)*Wp + zw] + bias[o] (drops the wide junk columns)."""
    O, OD, OH, OW = out.shape[1], out.shape[2], out.shape[3], out.shape[4]
    B, L = yw.shape[0], yw.shape[2]
    has_bias = bias.shape[0] > 0
    yf, of = yw.reshape(-1), out.reshape(-1)
    for t in range(B * O):
        add = bias[t % O] if has_bias else 0
        for zd in range(OD):
            for zh in range(OH):
                src = t * L + (zd * Hp + zh) * Wp
                dst = (((n0 * O + t) * OD + zd) * OH + zh) * OW
                for zw in range(OW):
                    of[(dst + zw) & NONNEG] = yf[(src + zw) & NONNEG] + add


@njit(cache=True, nogil=True, fastmath=REASSOCIATE)
def grad_to_wide(gout, n0, n1, Hp, Wp, gyw, gb):  # pragma: no cover - jitted
    """gyw[b, o, (zd*Hp + zh)*Wp + zw] = gout[n0 + b, o, zd, zh, zw], zero at the junk positions;
    gb[o] += the sum of gout[n0:n1, o] (gb may be empty)."""
    O, OD, OH, OW = gout.shape[1], gout.shape[2], gout.shape[3], gout.shape[4]
    L = gyw.shape[2]
    need_bias = gb.shape[0] > 0
    gf, yf = gout.reshape(-1), gyw.reshape(-1)
    for t in range((n1 - n0) * O):
        total = 0.0
        base = t * L
        for row in range(-(-L // Wp)):  # wide rows (zd, zh) = divmod(row, Hp); the last may be short
            zd, zh = row // Hp, row % Hp
            start = row * Wp
            width = min(Wp, L - start)
            valid = OW if zh < OH else 0
            src = (((n0 * O + t) * OD + zd) * OH + zh) * OW
            for zw in range(valid):
                v = gf[(src + zw) & NONNEG]
                yf[(base + start + zw) & NONNEG] = v
                total += v
            for zw in range(valid, width):
                yf[(base + start + zw) & NONNEG] = 0
        if need_bias:
            gb[t % O] += total


def _arr(t) -> np.ndarray:
    return _int_array(tuple(t))


@functools.lru_cache(maxsize=256)
def _int_array(t: tuple) -> np.ndarray:
    """t as an int64 array for the kernels (cached, so shared: nothing writes to it; not marked
    read-only, which Numba would compile as another type)."""
    return np.asarray(t, dtype=np.int64)


class _DirectPlan(NamedTuple):
    """Offset tables of the batch-last shifted GEMMs for one shape and block size B (see the docstring).

    rows[g, c*K + k] = ((g*Cg + c)*S + off[k]) * B   where tap k of channel c starts in xt
    out_rows[g, o]   = (g*Og + o) * plane            where output channel o starts in y / gy
    forward[i]       = (in_base, out_base) of output row i = (zd, zh): its shift in xt,
                       (zd*Hp + zh) * Wp * B, and its start in y / gy, (zd*OH + zh) * OW * B
    backward[i]      = (out_base, in_base), the same pairs the other way round
    perm             the taps in kw-major order (c, kd, kh fastest): rows of one 4-row tile
                     then never overlap when grad input sends them back to xt.
    """

    rows: np.ndarray
    out_rows: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    perm: np.ndarray
    gx_rows: np.ndarray
    padded: tuple
    run: int


def _padded_and_output(shape: tuple, ksize: tuple, padding: tuple, dilation: tuple) -> tuple:
    """((Dp, Hp, Wp), (OD, OH, OW)): the zero-padded input (C, D, H, W) and the stride-1 output sizes."""
    padded = tuple(s + 2 * p for s, p in zip(shape[1:], padding))
    return padded, output_size(shape[1:], ksize, (1, 1, 1), padding, dilation)


def _wide_run(padded: tuple, osize: tuple) -> int:
    """L = ((OD-1)*Hp + OH-1)*Wp + OW: the wide positions of one sample, first output to last."""
    (_, Hp, Wp), (OD, OH, OW) = padded, osize
    return ((OD - 1) * Hp + OH - 1) * Wp + OW


def _tap_offsets(shape: tuple, ksize: tuple, padding: tuple, dilation: tuple) -> tuple:
    """(padded size, output size, off): off[k] is tap k's offset in one padded (D, H, W) image."""
    (Dp, Hp, Wp), osize = _padded_and_output(shape, ksize, padding, dilation)
    a, b, c = np.meshgrid(*(np.arange(k) for k in ksize), indexing="ij")
    off = ((a * dilation[0] * Hp + b * dilation[1]) * Wp + c * dilation[2]).reshape(-1)
    return (Dp, Hp, Wp), osize, off


@functools.lru_cache(maxsize=256)
def _direct_plan(shape: tuple, ksize: tuple, O: int, groups: int, padding: tuple, dilation: tuple, B: int):
    """The _DirectPlan for input (C, D, H, W), kernel ksize, O outputs, groups. Cached: a
    training loop asks for the same few shapes every step, and building the tables costs
    more than a small conv block."""
    C = shape[0]
    (Dp, Hp, Wp), (OD, OH, OW), off = _tap_offsets(shape, ksize, padding, dilation)
    rows = (np.arange(C, dtype=np.int64).reshape(groups, -1, 1) * (Dp * Hp * Wp) + off) * B
    run = OW * B
    plane = OD * OH * run
    out_rows = np.arange(O, dtype=np.int64).reshape(groups, -1) * plane
    zd, zh = np.meshgrid(np.arange(OD), np.arange(OH), indexing="ij")
    in_bases = ((zd * Hp + zh) * Wp * B).reshape(-1).astype(np.int64)
    out_bases = ((zd * OH + zh) * run).reshape(-1).astype(np.int64)
    perm = np.arange(rows[0].size).reshape((C // groups,) + tuple(ksize)).transpose(3, 0, 1, 2).reshape(-1)
    rows = rows.reshape(groups, -1)
    forward = np.stack([in_bases, out_bases], 1)
    backward = np.ascontiguousarray(forward[:, ::-1])
    gx_rows = np.ascontiguousarray(rows[:, perm])
    return _DirectPlan(rows, out_rows, forward, backward, perm, gx_rows, (Dp, Hp, Wp), run)


class _WidePlan(NamedTuple):
    """Offset tables of the per-sample wide shifted GEMMs (see the docstring, layout "wide").

    rows[g, c*K + k] = (g*Cg + c)*Sp + off[k]   tap k of channel c in one padded sample (Sp = Dp*Hp*Wp)
    out_rows[g, o]   = (g*Og + o) * L             output channel o in one sample's wide output (O, L)
    perm             the taps channel-fastest (k, then c): rows of one 4-row tile are then different
                     channels, which never overlap when grad input sends them back
    """

    rows: np.ndarray
    out_rows: np.ndarray
    perm: np.ndarray
    gx_rows: np.ndarray
    padded: tuple
    run: int
    in_stride: int
    out_stride: int


@functools.lru_cache(maxsize=256)
def _wide_plan(shape: tuple, ksize: tuple, O: int, groups: int, padding: tuple, dilation: tuple) -> _WidePlan:
    """The _WidePlan for input (C, D, H, W), kernel ksize, O outputs, groups (cached, as _direct_plan)."""
    C = shape[0]
    padded, osize, off = _tap_offsets(shape, ksize, padding, dilation)
    Sp = math.prod(padded)
    rows = (np.arange(C, dtype=np.int64).reshape(groups, -1, 1) * Sp + off).reshape(groups, -1)
    L = _wide_run(padded, osize)
    out_rows = np.arange(O, dtype=np.int64).reshape(groups, -1) * L
    K = off.size
    perm = np.arange(rows.shape[1]).reshape(C // groups, K).T.reshape(-1)
    gx_rows = np.ascontiguousarray(rows[:, perm])
    return _WidePlan(rows, out_rows, perm, gx_rows, padded, L, C * Sp, O * L)


@functools.lru_cache(maxsize=256)
def _sample_bases(in_stride: int, out_stride: int, B: int) -> np.ndarray:
    """(B, 2) table [(b * in_stride, b * out_stride)]: where each sample of a block starts."""
    b = np.arange(B, dtype=np.int64)
    return np.ascontiguousarray(np.stack([b * in_stride, b * out_stride], 1))


# Samples per wide sub-block: about this many floats of wide output (1 MiB of float32, this
# machine's L2; smaller sub-blocks spend more Python per sample).
WIDE_BLOCK_ELEMENTS = 1 << 18

# Samples per batch-last sub-block: the transposed input and output of more samples leave L2, and
# the copies in and out of the batch-last layout then cost more than the longer runs gain (LeNet
# conv2 forward, 256 samples on one thread: 1.25x faster in sub-blocks of 128 or 64; at 128
# samples one block and two sub-blocks of 64 ran alike). The tests force smaller sub-blocks.
BATCH_LAST_MAX_BLOCK = 128

_NO_PADDING = np.zeros(3, dtype=np.int64)

_NO_BIAS = {"f": np.zeros(0, np.float32), "d": np.zeros(0, np.float64)}


def _sub_blocks(n0: int, n1: int, per: int) -> list[tuple[int, int]]:
    return [(i, min(n1, i + per)) for i in range(n0, n1, per)]


def _wide_source(x, pad, padded: tuple, n0: int, n1: int) -> np.ndarray:
    """Samples n0..n1 of x as one flat array of padded samples: x itself without padding, else a
    zero-bordered copy in this thread's scratch."""
    if not pad.any():
        return x[n0:n1].reshape(-1)
    xp = scratch(INPUT, (n1 - n0, x.shape[1]) + padded, x.dtype, zero=True)
    # a NumPy copy into the interior (a Numba loop does no better, and adds compile time)
    xp[_interior(pad, x.shape[2:])] = x[n0:n1]
    return xp.reshape(-1)


def _interior(pad, size: tuple) -> tuple:
    """The index of the unpadded part of (B, C, *padded) samples."""
    return (slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(pad, size))


def _forward_operands(x, weight, bias, padding, dilation, groups) -> tuple:
    """(x contiguous, w as (groups, Og, Cg*K), bias or an empty array, the output y (N, O, *osize))."""
    N, O = x.shape[0], weight.shape[0]
    osize = output_size(x.shape[2:], weight.shape[2:], (1, 1, 1), padding, dilation)
    x = np.ascontiguousarray(x)
    w = np.ascontiguousarray(weight).reshape(groups, O // groups, -1)
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    return x, w, b, np.empty((N, O) + tuple(osize), dtype=x.dtype)


def forward_wide(x, weight, bias, padding, dilation, groups) -> np.ndarray:
    """y = conv(x, weight) + bias, stride 1, one sample's wide rows at a time."""
    x, w, b, out = _forward_operands(x, weight, bias, padding, dilation, groups)
    O, ksize = out.shape[1], weight.shape[2:]
    plan = _wide_plan(x.shape[1:], ksize, O, groups, tuple(padding), tuple(dilation))
    pad = _arr(padding)
    per = max(1, WIDE_BLOCK_ELEMENTS // (O * plan.run))

    def block(span):
        for n0, n1 in _sub_blocks(*span, per):
            B = n1 - n0
            src = _wide_source(x, pad, plan.padded, n0, n1)
            yw = scratch(OUTPUT, (B, O, plan.run), x.dtype)
            bases = _sample_bases(plan.in_stride, plan.out_stride, B)
            shifted_gemm_nn(w, src, plan.rows, yw.reshape(-1), plan.out_rows, bases, plan.run, True)
            wide_to_output(yw, plan.padded[1], plan.padded[2], b, n0, out)

    WORKERS.map(block, _sample_blocks(x.shape[0]))
    return out


def forward_batch_last(x, weight, bias, padding, dilation, groups, blocks: list) -> np.ndarray:
    """y = conv(x, weight) + bias, stride 1, the batch blocks ``blocks`` in batch-last layout."""
    x, w, b, out = _forward_operands(x, weight, bias, padding, dilation, groups)
    C, O, osize = x.shape[1], weight.shape[0], out.shape[2:]
    pad = _arr(padding)
    key = (x.shape[1:], weight.shape[2:], O, groups, tuple(padding), tuple(dilation))

    def block(span):
        for n0, n1 in _sub_blocks(*span, BATCH_LAST_MAX_BLOCK):
            plan = _direct_plan(*key, n1 - n0)
            xt = scratch(INPUT, (C,) + plan.padded + (n1 - n0,), x.dtype, zero=any(padding))
            to_batch_last(x, pad, n0, n1, xt)
            y = scratch(OUTPUT, (O,) + tuple(osize) + (n1 - n0,), x.dtype)
            xf, yf = xt.reshape(-1), y.reshape(-1)
            shifted_gemm_nn(w, xf, plan.rows, yf, plan.out_rows, plan.forward, plan.run, True)
            from_batch_last(y, _NO_PADDING, b, n0, out)

    WORKERS.map(block, blocks)
    return out


def _backward_operands(x, weight, gout, groups, need_input) -> tuple:
    """(x and gout contiguous, w as (groups, Og, Cg*K), grad x to fill or None)."""
    x = np.ascontiguousarray(x)
    w = np.ascontiguousarray(weight).reshape(groups, weight.shape[0] // groups, -1)
    gx = np.empty(x.shape, x.dtype) if need_input else None
    return x, w, np.ascontiguousarray(gout), gx


def backward_wide(x, weight, gout, padding, dilation, groups, need_input, need_weight, need_bias):
    """(grad x, grad weight, grad bias) of ``forward_wide``; a gradient not asked for is None."""
    x, w, g5, gx = _backward_operands(x, weight, gout, groups, need_input)
    C, O, ksize = x.shape[1], g5.shape[1], weight.shape[2:]
    plan = _wide_plan(x.shape[1:], ksize, O, groups, tuple(padding), tuple(dilation))
    pad = _arr(padding)
    per = max(1, WIDE_BLOCK_ELEMENTS // (O * plan.run))
    # wt[g, r, o] = weight[g*Og + o, c, k] for the taps r = c*K + k, channel-fastest
    wt = np.ascontiguousarray(w.transpose(0, 2, 1)[:, plan.perm]) if need_input else None

    def block(span):
        gw = np.zeros(w.shape, x.dtype) if need_weight else None
        gb = np.zeros(O if need_bias else 0, x.dtype)
        for n0, n1 in _sub_blocks(*span, per):
            B = n1 - n0
            bases = _sample_bases(plan.out_stride, plan.in_stride, B)
            gyw = scratch(OUTPUT, (B, O, plan.run), x.dtype)
            grad_to_wide(g5, n0, n1, plan.padded[1], plan.padded[2], gyw, gb)
            if need_weight:
                src = _wide_source(x, pad, plan.padded, n0, n1)
                shifted_gemm_nt(gyw.reshape(-1), plan.out_rows, src, plan.rows, bases, plan.run, gw)
            if need_input:
                gxp = scratch(GRAD_INPUT, (B, C) + plan.padded, x.dtype, zero=True)
                shifted_gemm_nn(
                    wt, gyw.reshape(-1), plan.out_rows, gxp.reshape(-1), plan.gx_rows, bases, plan.run, False
                )
                gx[n0:n1] = gxp[_interior(pad, x.shape[2:])]
        return gw, gb

    partial = WORKERS.map(block, _sample_blocks(x.shape[0]))
    return _sum_partials(partial, weight.shape, need_weight, need_bias, gx)


def backward_batch_last(x, weight, gout, padding, dilation, groups, need_input, need_weight, need_bias, blocks):
    """(grad x, grad weight, grad bias) of ``forward_batch_last``; a gradient not asked for is None."""
    x, w, g5, gx = _backward_operands(x, weight, gout, groups, need_input)
    C, O = x.shape[1], weight.shape[0]
    pad = _arr(padding)
    key = (x.shape[1:], weight.shape[2:], O, groups, tuple(padding), tuple(dilation))
    plan0 = _direct_plan(*key, 1)
    # wt[g, r, o] = weight[g*Og + o, c, k] for the taps r = c*K + k in kw-major order
    wt = np.ascontiguousarray(w.transpose(0, 2, 1)[:, plan0.perm]) if need_input else None

    def block(span):
        gw = np.zeros(w.shape, x.dtype) if need_weight else None
        gb = np.zeros(O if need_bias else 0, x.dtype)
        for n0, n1 in _sub_blocks(*span, BATCH_LAST_MAX_BLOCK):
            B = n1 - n0
            plan = _direct_plan(*key, B)
            gy = scratch(OUTPUT, (O,) + gout.shape[2:] + (B,), x.dtype)
            grad_to_batch_last(g5, n0, n1, gy, gb)
            gyf = gy.reshape(-1)
            if need_weight:
                xt = scratch(INPUT, (C,) + plan.padded + (B,), x.dtype, zero=any(padding))
                to_batch_last(x, pad, n0, n1, xt)
                shifted_gemm_nt(gyf, plan.out_rows, xt.reshape(-1), plan.rows, plan.backward, plan.run, gw)
            if need_input:
                gxt = scratch(GRAD_INPUT, (C,) + plan.padded + (B,), x.dtype, zero=True)
                shifted_gemm_nn(wt, gyf, plan.out_rows, gxt.reshape(-1), plan.gx_rows, plan.backward, plan.run, False)
                from_batch_last(gxt, pad, _NO_BIAS[x.dtype.char], n0, gx)
        return gw, gb

    return _sum_partials(WORKERS.map(block, blocks), weight.shape, need_weight, need_bias, gx)
