# ruff: noqa: N803, N806  (P, D, H, W name the plane layout of the docstring)
"""Pooling kernels: max and average over windows, one N-d design for 1, 2 and 3 spatial dims.

Layout. Every pooling runs as a 3-d one on planes: the input is viewed as
(P, D, H, W) with P = batch * channels (contiguous), a 2-d input as
(P, 1, H, W) and a 1-d one as (P, 1, 1, W). Planes never share memory, so the
planes can be split between threads with no atomics, even in the scatter-adds
of the backward passes.

Windows as tables. Every pooling variant is described per spatial axis by a
table ``win`` of shape (out, 3): for output position o, the window reads the
``win[o, 1]`` input positions ``win[o, 0] + t * step`` (already clipped to the
input, so padding is never read), and ``win[o, 2]`` is that axis's factor of
the average's divisor. The divisor is separable: the product of the three
factors (or ``divisor_override``). Built in Python once per shape (cached):

- sliding windows (``sliding_windows``): start = o*stride - pad,
  end = min(start + (k-1)*dilation + 1, size + pad); the factor is end - start
  (count_include_pad: padding counts) or the part inside the input; the first
  tap is moved up by whole dilation steps until it is inside the input. Max
  pooling reads only real inputs, which is the same as padding with -inf.
  ``output_size`` is torch's rule, ceil_mode included (a last partial window
  is kept only if it starts inside the input or the left padding).
- adaptive windows (``adaptive_windows``): [floor(o*in/out), ceil((o+1)*in/out)).

So four kernels serve max_pool1d/2d/3d, avg_pool1d/2d/3d and the adaptive
average and max pools:

- ``_max_forward``: the largest value of each window and its flat index into
  the plane (d*H*W + h*W + w, torch's ``indices``); taps in torch's order, ties
  keep the first, a NaN wins (torch's rule ``v > max or isnan(v)``).
- ``_max_backward``: gx[p, idx[p, o]] += gy[p, o]; overlapping windows that
  pick the same input add up.
- ``_avg_forward``: window sum / divisor, summed in the input dtype as torch does.
- ``_avg_backward``: every input of a window gets gy / divisor, summed over windows.

Empty windows. With dilation, a window can fall wholly in the padding (size 1,
kernel 2, padding 1, dilation 2: taps at -1 and 1). Its max is -inf, and its
index is torch's: the first tap moved up into range, which lies past the
plane. Its output depends on no input, so its gradient goes nowhere (torch's
CPU kernel adds it at that index, in the next plane's memory: we do not).

float64, the checking dtype, runs in NumPy on the same window tables
(``_max_forward_numpy`` and friends): every window's taps are gathered at
once into a (planes, outputs, taps) array, the taps outside a window masked
(-inf for max, 0 for the sums), then argmax or sum; the backward passes are
one ``np.bincount`` scatter-add. Only float32 is the speed dtype, so only it
pays the Numba kernels' compile time.

Why the float32 kernels are fast:

- Windows are tables of (first tap, tap count, divisor factor), so the inner
  loops do no integer division and never test for padding, and index each plane flat.
- Full 2x2 windows (2-d, the common case) take an unrolled path: the general
  loops have tiny tap counts only known at run time, and their loop overhead,
  not the arithmetic or branch misses, is the cost; with constant trip counts
  LLVM unrolls them.
- The exact 2x2, stride-2 tiling of even planes (LeNet's and the CIFAR model's
  pooling) has its own two-pass kernel, ``_max_forward_2x2``: a loop per output
  row is W/2 long, too short for LLVM's 16-float vectors, so the first pass
  takes the max of every horizontal pair over the whole block at once, and the
  second the max of the two pairs above each other.
- Other 2-d poolings with a block of at least ``MIN_GRID`` full windows (ResNet's 3x3 stride-2 max
  pool, average pools) take the grid kernels (``_max_forward_grid``, ``_avg_forward_grid``,
  ``_avg_backward_grid``): a plane is split once into its stride phases (for stride 2 x 2: the
  four planes of even/odd rows and columns), where the t-th tap of every block output lies at one
  fixed offset from the output's position on a grid of the phase width. Each tap is then one long
  contiguous loop over the whole block (a row of outputs alone, 15 long, is too short for LLVM's
  vectors, and a strided row is not vectorised at all); the border windows take the scalar loops.
  Per output the taps and their order are the scalar kernels', so the results are the same bits.
- The backward kernels zero each gradient plane themselves, just before the
  scatter-add touches it (the plane is then in cache), instead of an np.zeros.

Parallelism. Each kernel is serial over a range of planes and releases the
GIL. Work above ``MIN_PARALLEL_WORK`` taps is cut into one block of planes per
thread, run on the engine's worker pool (workers.py; the calling thread runs
the first block); less runs in the calling thread, because a hand-off to a
pool thread costs more than a small pooling. Not Numba's ``prange``: its
OpenMP workers spin after each parallel region and take the cores from the
convolutions that follow (and a prange per kernel multiplies compile time).
Timings against torch: benchmarks/results/pooling.md (bench_pooling.py).

Until a float32 kernel is compiled (it compiles in the background, ``jit.py``), its call runs
the float64 NumPy code above on the float32 arrays: the same windows, the same tie and NaN
rules, the same indices.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from numba import njit, types

from .gemm import NONNEG
from .jit import KernelGroup, array
from .workers import WORKERS, num_threads
from .workspace import GRAD_INPUT, INPUT, OUTPUT, scratch


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


@functools.lru_cache(maxsize=256)  # a model reuses a few shapes; the tables are never written
def sliding_windows(size: int, out: int, k: int, s: int, p: int, d: int, count_include_pad: bool) -> np.ndarray:
    """(out, 3) table [first, taps, divisor factor] of the sliding windows along one axis."""
    start = np.arange(out, dtype=np.int64) * s - p
    end = np.minimum(start + (k - 1) * d + 1, size + p)
    padded = end - start
    # first tap inside the input: skip whole dilation steps
    first = np.where(start < 0, start + (-start + d - 1) // d * d, start)
    last = np.minimum(end, size)
    taps = np.maximum((last - first + d - 1) // d, 0)
    clipped = np.maximum(last - np.maximum(start, 0), 0)
    factor = padded if count_include_pad else clipped
    return np.ascontiguousarray(np.stack([first, taps, factor], axis=1))


@functools.lru_cache(maxsize=256)
def adaptive_windows(size: int, out: int) -> np.ndarray:
    """(out, 3) table of adaptive windows [floor(o*size/out), ceil((o+1)*size/out)): [first, length, length]."""
    o = np.arange(out, dtype=np.int64)
    first = o * size // out
    last = -(-(o + 1) * size // out)
    return np.ascontiguousarray(np.stack([first, last - first, last - first], axis=1))


@functools.lru_cache(maxsize=256)
def unit_window(out: int) -> np.ndarray:
    """The table of a singleton axis (the added dims of 1-d and 2-d pooling)."""
    return np.array([[0, 1, 1]], dtype=np.int64).repeat(out, axis=0)


@njit(inline="always")
def _take(v, q, best, where):  # pragma: no cover - compiled
    """torch's max-pool step: a larger value or a NaN takes over (ties keep the earlier tap)."""
    if v > best or v != v:
        return v, q
    return best, where


@njit(nogil=True, cache=True)
def _max_forward(x, y, idx, wd, wh, ww, sd, sh, sw, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: y[p, o] = max of x[p] over window o; idx[p, o] = its flat index into the plane."""
    P, D, H, W = x.shape
    OD, OH, OW = wd.shape[0], wh.shape[0], ww.shape[0]
    xf = x.reshape(P, D * H * W)  # flat planes: one index per tap, no wrap-around of 4 indices
    yf = y.reshape(P, OD * OH * OW)
    idf = idx.reshape(P, OD * OH * OW)
    for p in range(p0, p1):
        xp = xf[p]
        o = 0
        for od in range(OD):
            d0, nd = wd[od, 0], wd[od, 1]
            for oh in range(OH):
                h0, nh = wh[oh, 0], wh[oh, 1]
                for ow in range(OW):
                    w0, nw = ww[ow, 0], ww[ow, 1]
                    best = -np.inf
                    where = (d0 * H + h0) * W + w0
                    if nd == 1 and nh == 2 and nw == 2:
                        # the common full 2x2 window, unrolled (constant trip counts)
                        q = where
                        best, where = _take(xp[q], q, best, where)
                        best, where = _take(xp[q + sw], q + sw, best, where)
                        q = (d0 * H + h0 + sh) * W + w0
                        best, where = _take(xp[q], q, best, where)
                        best, where = _take(xp[q + sw], q + sw, best, where)
                    else:
                        for a in range(nd):
                            for b in range(nh):
                                row = ((d0 + a * sd) * H + h0 + b * sh) * W + w0
                                for c in range(nw):
                                    q = row + c * sw
                                    best, where = _take(xp[q], q, best, where)
                    yf[p, o] = best
                    idf[p, o] = where
                    o += 1


@njit(nogil=True, cache=True)
def _max_forward_2x2(x, y, idx, pair_max, pair_right, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1 of the 2x2, stride-2 tiling of even H x W planes (D = 1): max and flat argmax.

    Two passes, so that the first runs over one long contiguous stretch (LLVM vectorises
    it; a loop per output row is only W/2 long, too short for 16-float vectors):
      1. pair_max[u] = larger of x[2u], x[2u + 1] (every horizontal pair of the block),
         pair_right[u] = 1 if it was the right one (int32: int8 was 15% slower);
      2. y = larger of the two pairs above each other, its index rebuilt from both choices.
    Same answer as the taps in torch's order (a, b / c, d) with torch's rule: each pass keeps
    the first of equal values and lets a NaN take over, so the result is the first maximum,
    or the last NaN.
    """
    _, _, H, W = x.shape
    OH, OW = H // 2, W // 2
    # the block's planes as flat views, sliced once; plain indices (no ``& NONNEG``): LLVM must
    # see x[2u], x[2u + 1] as one interleaved stream to vectorise pass 1
    xb = x.reshape(-1)[p0 * H * W : p1 * H * W]
    yb = y.reshape(-1)[p0 * OH * OW : p1 * OH * OW]
    jb = idx.reshape(-1)[p0 * OH * OW : p1 * OH * OW]
    for u in range((p1 - p0) * H * OW):
        a = xb[2 * u]
        b = xb[2 * u + 1]
        right = (b > a) | (b != b)
        pair_max[u] = b if right else a
        pair_right[u] = 1 if right else 0
    for r in range((p1 - p0) * OH):  # output rows of the block; row r reads pair rows 2r, 2r + 1
        top = 2 * r * OW
        out = r * OW
        row = 2 * (r % OH) * W
        for ow in range(OW):
            t = pair_max[top + ow]
            b = pair_max[top + OW + ow]
            down = (b > t) | (b != b)
            yb[out + ow] = b if down else t
            across = pair_right[top + OW + ow] if down else pair_right[top + ow]
            jb[out + ow] = row + (W if down else 0) + 2 * ow + across


@njit(nogil=True, cache=True)
def _max_backward(gy, idx, gx, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: gx[p] = 0, then gx[p, idx[p, o]] += gy[p, o].

    A window wholly in the padding (see "Empty windows") has an index outside the plane: its
    output depends on no input, so its gradient goes nowhere.
    """
    P = gy.shape[0]
    gyf = gy.reshape(P, gy.size // P)
    idf = idx.reshape(P, idx.size // P)
    gxf = gx.reshape(P, gx.size // P)
    size = gxf.shape[1]
    for p in range(p0, p1):
        gxf[p, :] = 0  # zeroed here, by the thread that fills the plane (first touch, in cache)
        for o in range(gyf.shape[1]):
            i = idf[p, o]
            if 0 <= i < size:
                gxf[p, i] += gyf[p, o]


@njit(nogil=True, cache=True)
def _avg_forward(x, y, wd, wh, ww, divisor, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: y[p, o] = sum of x[p] over window o / divisor (0: the tables' product)."""
    P, D, H, W = x.shape
    OD, OH, OW = wd.shape[0], wh.shape[0], ww.shape[0]
    xf = x.reshape(P, D * H * W)
    yf = y.reshape(P, OD * OH * OW)
    for p in range(p0, p1):
        xp = xf[p]
        o = 0
        for od in range(OD):
            for oh in range(OH):
                for ow in range(OW):
                    w0, nw = ww[ow, 0], ww[ow, 1]
                    total = x.dtype.type(0)  # accumulate in the input dtype, as torch does
                    if wd[od, 1] == 1 and wh[oh, 1] == 2 and nw == 2:
                        # the full 2x2 window, unrolled; same summation order as the loop
                        row = (wd[od, 0] * H + wh[oh, 0]) * W + w0
                        total += xp[row]
                        total += xp[row + 1]
                        total += xp[row + W]
                        total += xp[row + W + 1]
                    else:
                        for i in range(wd[od, 0], wd[od, 0] + wd[od, 1]):
                            for j in range(wh[oh, 0], wh[oh, 0] + wh[oh, 1]):
                                row = (i * H + j) * W + w0
                                for c in range(nw):
                                    total += xp[row + c]
                    div = divisor if divisor != 0 else wd[od, 2] * wh[oh, 2] * ww[ow, 2]
                    yf[p, o] = total / x.dtype.type(div)
                    o += 1


@njit(nogil=True, cache=True)
def _avg_backward(gy, gx, wd, wh, ww, divisor, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: gx[p] = 0, then gx[p, i] += gy[p, o] / divisor(o) for every window o holding i."""
    P, D, H, W = gx.shape
    OD, OH, OW = wd.shape[0], wh.shape[0], ww.shape[0]
    gxf = gx.reshape(P, D * H * W)
    gyf = gy.reshape(P, OD * OH * OW)
    for p in range(p0, p1):
        gp = gxf[p]
        gp[:] = 0
        o = 0
        for od in range(OD):
            for oh in range(OH):
                for ow in range(OW):
                    w0, nw = ww[ow, 0], ww[ow, 1]
                    div = divisor if divisor != 0 else wd[od, 2] * wh[oh, 2] * ww[ow, 2]
                    g = gyf[p, o] / gy.dtype.type(div)
                    if wd[od, 1] == 1 and wh[oh, 1] == 2 and nw == 2:
                        row = (wd[od, 0] * H + wh[oh, 0]) * W + w0  # the full 2x2 window, unrolled
                        gp[row] += g
                        gp[row + 1] += g
                        gp[row + W] += g
                        gp[row + W + 1] += g
                    else:
                        for i in range(wd[od, 0], wd[od, 0] + wd[od, 1]):
                            for j in range(wh[oh, 0], wh[oh, 0] + wh[oh, 1]):
                                row = (i * H + j) * W + w0
                                for c in range(nw):
                                    gp[row + c] += g
                    o += 1


@njit(inline="always")
def _max_window(xp, W, h0, nh, sh, w0, nw, sw):  # pragma: no cover - compiled
    """Max and flat index of one window of a 2-d plane (taps in torch's order), as in ``_max_forward``."""
    best = xp.dtype.type(-np.inf)
    where = h0 * W + w0
    for b in range(nh):
        row = (h0 + b * sh) * W + w0
        for c in range(nw):
            q = row + c * sw
            best, where = _take(xp[q], q, best, where)
    return best, where


@njit(inline="always")
def _split_phases(xp, sub, H, W, rs, cs):  # pragma: no cover - compiled
    """sub[((r % rs * cs + k % cs) * Hs + r // rs) * Ws + k // cs] = plane[r, k] (Hs, Ws = H / rs, W / cs
    rounded up): the plane split into its rs * cs stride phases, each a small contiguous plane."""
    hs, ws = -(-H // rs), -(-W // cs)
    for r in range(H):
        row = r * W
        base = (r % rs * cs * hs + r // rs) * ws
        if cs == 2:  # the common stride with constant indices: LLVM vectorises the deinterleave
            odd = base + hs * ws
            for m in range(W // 2):
                sub[(base + m) & NONNEG] = xp[(row + 2 * m) & NONNEG]
                sub[(odd + m) & NONNEG] = xp[(row + 2 * m + 1) & NONNEG]
            if W % 2:
                sub[base + W // 2] = xp[row + W - 1]
        else:
            for k in range(W):
                sub[base + k % cs * hs * ws + k // cs] = xp[row + k]


@njit(inline="always")
def _merge_phases(sub, gp, H, W, rs, cs):  # pragma: no cover - compiled
    """The inverse of ``_split_phases``: plane[r, k] = its element of the phase planes."""
    hs, ws = -(-H // rs), -(-W // cs)
    for r in range(H):
        row = r * W
        base = (r % rs * cs * hs + r // rs) * ws
        if cs == 2:
            odd = base + hs * ws
            for m in range(W // 2):
                gp[(row + 2 * m) & NONNEG] = sub[(base + m) & NONNEG]
                gp[(row + 2 * m + 1) & NONNEG] = sub[(odd + m) & NONNEG]
            if W % 2:
                gp[row + W - 1] = sub[base + W // 2]
        else:
            for k in range(W):
                gp[row + k] = sub[base + k % cs * hs * ws + k // cs]


@njit(inline="always")
def _phase_offset(H, W, rs, cs, r, k):  # pragma: no cover - compiled
    """Where input (r, k) is in the phase planes of ``_split_phases``."""
    hs, ws = -(-H // rs), -(-W // cs)
    return ((r % rs * cs + k % cs) * hs + r // rs) * ws + k // cs


@njit(inline="always")
def _grid_block(wh, ww, rows, cols, W):  # pragma: no cover - compiled
    """The block of full windows of a grid kernel: taps (kh, kw) per window, the first window's first
    input (r0, k0), the grid's row pitch ws (one phase plane's width) and its length up to the last
    real output."""
    rlo, rhi, rs = rows
    clo, chi, cs = cols
    ws = -(-W // cs)
    return wh[rlo, 1], ww[clo, 1], wh[rlo, 0], ww[clo, 0], ws, (rhi - rlo - 1) * ws + chi - clo


@njit(nogil=True, cache=True)
def _max_forward_grid(x, y, idx, wh, ww, dh, dw, rows, cols, sub, best, pick, p0, p1):  # pragma: no cover
    """Planes p0..p1 of a 2-d max pool (D = 1), the full windows vectorised over the whole block of outputs.

    ``rows`` = (lo, hi, stride) and ``cols`` likewise: the outputs lo..hi of each axis have full windows,
    their first taps ``stride`` apart. Split into its stride phases (``_split_phases``), the plane holds
    the t-th tap of all those outputs at one fixed step: output (oh, ow) of the block at grid position
    (oh - lo) * Ws + (ow - lo) reads phase offset + that position. So each tap is one long loop over
    the grid (its Ws - n padding columns computed and dropped), which LLVM vectorises; ``pick`` keeps
    the tap number, and the flat index is rebuilt once per output. The border outputs take the scalar
    loop of ``_max_forward``. Same taps in torch's order per output, so the same answer, ties and NaNs
    included.
    """
    P, _, H, W = x.shape
    OH, OW = wh.shape[0], ww.shape[0]
    xf = x.reshape(P, H * W)
    yf = y.reshape(P, OH * OW)
    idf = idx.reshape(P, OH * OW)
    rlo, rhi, rs = rows
    clo, chi, cs = cols
    kh, kw, r0, k0, ws, length = _grid_block(wh, ww, rows, cols, W)
    # flat index of each block output's first tap, and each tap's offset from it (no division per output)
    start = np.zeros(length, dtype=np.int64)
    for oh in range(rlo, rhi):
        for ow in range(clo, chi):
            start[(oh - rlo) * ws + ow - clo] = (r0 + (oh - rlo) * rs) * W + k0 + (ow - clo) * cs
    offset = np.empty(kh * kw, dtype=np.int64)
    for b in range(kh):
        for c in range(kw):
            offset[b * kw + c] = b * dh * W + c * dw
    for p in range(p0, p1):
        xp = xf[p]
        for oh in range(OH):
            for ow in range(OW):
                if oh < rlo or oh >= rhi or ow < clo or ow >= chi:
                    o = oh * OW + ow
                    yf[p, o], idf[p, o] = _max_window(xp, W, wh[oh, 0], wh[oh, 1], dh, ww[ow, 0], ww[ow, 1], dw)
        _split_phases(xp, sub, H, W, rs, cs)
        for t in range(length):
            best[t] = -np.inf
            pick[t] = 0
        tap = 0
        for b in range(kh):
            for c in range(kw):
                at = _phase_offset(H, W, rs, cs, r0 + b * dh, k0 + c * dw)
                for t in range(length):
                    v = sub[(at + t) & NONNEG]
                    m = best[t]
                    take = (v > m) | (v != v)
                    best[t] = v if take else m
                    pick[t] = tap if take else pick[t]
                tap += 1
        for oh in range(rlo, rhi):
            g = (oh - rlo) * ws - clo
            o = oh * OW
            for ow in range(clo, chi):
                yf[p, o + ow] = best[g + ow]
                idf[p, o + ow] = start[g + ow] + offset[pick[g + ow]]


@njit(inline="always")
def _grid_divisors(wh, ww, divisor, rows, cols, ws, length, one):  # pragma: no cover - compiled
    """The divisor of every block output at its grid position (1 in the padding columns)."""
    divisors = np.full(length, one)
    for oh in range(rows[0], rows[1]):
        for ow in range(cols[0], cols[1]):
            div = divisor if divisor != 0 else wh[oh, 2] * ww[ow, 2]
            divisors[(oh - rows[0]) * ws + ow - cols[0]] = div
    return divisors


@njit(nogil=True, cache=True)
def _avg_forward_grid(x, y, wh, ww, divisor, rows, cols, sub, total, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1 of a 2-d average pool (D = 1), the full windows over a grid as ``_max_forward_grid``.

    The same taps summed in the same order per output as ``_avg_forward``, so the same sums.
    """
    P, _, H, W = x.shape
    OH, OW = wh.shape[0], ww.shape[0]
    xf = x.reshape(P, H * W)
    yf = y.reshape(P, OH * OW)
    rlo, rhi, rs = rows
    clo, chi, cs = cols
    kh, kw, r0, k0, ws, length = _grid_block(wh, ww, rows, cols, W)
    zero = x.dtype.type(0)
    divisors = _grid_divisors(wh, ww, divisor, rows, cols, ws, length, x.dtype.type(1))
    for p in range(p0, p1):
        xp = xf[p]
        for oh in range(OH):
            for ow in range(OW):
                if oh < rlo or oh >= rhi or ow < clo or ow >= chi:
                    s = zero
                    for r in range(wh[oh, 0], wh[oh, 0] + wh[oh, 1]):
                        for k in range(ww[ow, 0], ww[ow, 0] + ww[ow, 1]):
                            s += xp[r * W + k]
                    div = divisor if divisor != 0 else wh[oh, 2] * ww[ow, 2]
                    yf[p, oh * OW + ow] = s / x.dtype.type(div)
        _split_phases(xp, sub, H, W, rs, cs)
        for t in range(length):
            total[t] = zero
        for b in range(kh):
            for c in range(kw):
                at = _phase_offset(H, W, rs, cs, r0 + b, k0 + c)
                for t in range(length):
                    total[t] += sub[(at + t) & NONNEG]
        for t in range(length):
            total[t] /= divisors[t]
        for oh in range(rlo, rhi):
            g = (oh - rlo) * ws
            yf[p, oh * OW + clo : oh * OW + chi] = total[g : g + chi - clo]


@njit(nogil=True, cache=True)
def _avg_backward_grid(gy, gx, wh, ww, divisor, rows, cols, sub, share, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: the gradient of ``_avg_forward_grid``. The block's gy / divisor laid out on the grid
    (0 in its padding columns), added tap by tap into the phase planes, merged back into the plane;
    then the border windows one by one."""
    P, _, H, W = gx.shape
    OH, OW = wh.shape[0], ww.shape[0]
    gxf = gx.reshape(P, H * W)
    gyf = gy.reshape(P, OH * OW)
    rlo, rhi, rs = rows
    clo, chi, cs = cols
    kh, kw, r0, k0, ws, length = _grid_block(wh, ww, rows, cols, W)
    divisors = _grid_divisors(wh, ww, divisor, rows, cols, ws, length, gy.dtype.type(1))
    share[:length] = 0  # the padding columns stay 0: they add nothing where they land
    for p in range(p0, p1):
        gp = gxf[p]
        sub[:] = 0
        for oh in range(rlo, rhi):
            g = (oh - rlo) * ws
            share[g : g + chi - clo] = gyf[p, oh * OW + clo : oh * OW + chi]
        for t in range(length):
            share[t] /= divisors[t]
        for b in range(kh):
            for c in range(kw):
                at = _phase_offset(H, W, rs, cs, r0 + b, k0 + c)
                for t in range(length):
                    sub[(at + t) & NONNEG] += share[t]
        _merge_phases(sub, gp, H, W, rs, cs)
        for oh in range(OH):
            for ow in range(OW):
                if oh < rlo or oh >= rhi or ow < clo or ow >= chi:
                    div = divisor if divisor != 0 else wh[oh, 2] * ww[ow, 2]
                    g = gyf[p, oh * OW + ow] / gy.dtype.type(div)
                    for r in range(wh[oh, 0], wh[oh, 0] + wh[oh, 1]):
                        for k in range(ww[ow, 0], ww[ow, 0] + ww[ow, 1]):
                            gp[r * W + k] += g


@njit(nogil=True, cache=True)
def _avg_forward_2x2(x, y, pair_sum, divisor, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1 of the average over the 2x2, stride-2 tiling of even planes (D = 1).

    Two passes as ``_max_forward_2x2``: the sums of every horizontal pair of the block in one long loop,
    then each output adds the pair below it tap by tap, so the sum is ((a + b) + c) + d as in
    ``_avg_forward``, the same bits.
    """
    _, _, H, W = x.shape
    OH, OW = H // 2, W // 2
    xb = x.reshape(-1)[p0 * H * W : p1 * H * W]
    yb = y.reshape(-1)[p0 * OH * OW : p1 * OH * OW]
    for u in range((p1 - p0) * H * OW):
        pair_sum[u] = xb[2 * u] + xb[2 * u + 1]
    div = x.dtype.type(divisor)
    for r in range((p1 - p0) * OH):  # output row r: pair row 2r and input row 2r + 1
        top = 2 * r * OW
        below = (2 * r + 1) * W
        out = r * OW
        for ow in range(OW):
            yb[out + ow] = (pair_sum[top + ow] + xb[below + 2 * ow] + xb[below + 2 * ow + 1]) / div


@njit(nogil=True, cache=True)
def _avg_backward_2x2(gy, gx, divisor, p0, p1):  # pragma: no cover - compiled
    """Planes p0..p1: the gradient of ``_avg_forward_2x2``; the windows do not overlap, so each input
    of a window gets its gy / divisor once (no sums, no zeroing)."""
    _, _, H, W = gx.shape
    OH, OW = H // 2, W // 2
    gxb = gx.reshape(-1)[p0 * H * W : p1 * H * W]
    gyb = gy.reshape(-1)[p0 * OH * OW : p1 * OH * OW]
    div = gy.dtype.type(divisor)
    for r in range((p1 - p0) * OH):
        row = 2 * r * W
        out = r * OW
        for ow in range(OW):
            g = gyb[out + ow] / div
            gxb[row + 2 * ow] = g
            gxb[row + 2 * ow + 1] = g
            gxb[row + W + 2 * ow] = g
            gxb[row + W + 2 * ow + 1] = g


MAX_FORWARD, MAX_BACKWARD, AVG_FORWARD, AVG_BACKWARD, MAX_FORWARD_2X2 = 0, 1, 2, 3, 4
MAX_FORWARD_GRID, AVG_FORWARD_GRID, AVG_BACKWARD_GRID, AVG_FORWARD_2X2, AVG_BACKWARD_2X2 = 5, 6, 7, 8, 9

# Below this much work (taps visited) one thread does it all: handing a block to a pool
# thread costs about as much as this work (workers.py).
MIN_PARALLEL_WORK = 1 << 16
_NO_INDEX = np.zeros((1, 1, 1, 1), dtype=np.int64)
_NO_WINDOW = np.zeros((1, 3), dtype=np.int64)


def _kernel(kind: int, src, dst, idx, tables, step, divisor, span) -> Callable[[int, int], None]:
    """Kernel ``kind`` bound to its arrays: a function of the plane range (p0, p1)."""
    if kind == MAX_FORWARD:
        return lambda p0, p1: _max_forward(src, dst, idx, *tables, *step, p0, p1)
    if kind == MAX_FORWARD_2X2:
        return lambda p0, p1: _max_forward_2x2(
            src,
            dst,
            idx,
            scratch(INPUT, ((p1 - p0) * src.shape[2] * src.shape[3] // 2,), src.dtype),
            scratch(OUTPUT, ((p1 - p0) * src.shape[2] * src.shape[3] // 2,), np.int32),
            p0,
            p1,
        )
    if kind == MAX_BACKWARD:
        return lambda p0, p1: _max_backward(src, idx, dst, p0, p1)
    if kind in (MAX_FORWARD_GRID, AVG_FORWARD_GRID, AVG_BACKWARD_GRID):
        _, wh, ww = tables
        rows, cols = span
        height, width = (dst if kind == AVG_BACKWARD_GRID else src).shape[2:]
        phases = (-(-height // rows[2]) * rows[2] * -(-width // cols[2]) * cols[2],)
        grid = ((rows[1] - rows[0] - 1) * -(-width // cols[2]) + cols[1] - cols[0],)
        if kind == MAX_FORWARD_GRID:
            return lambda p0, p1: _max_forward_grid(
                src,
                dst,
                idx,
                wh,
                ww,
                step[1],
                step[2],
                rows,
                cols,
                scratch(GRAD_INPUT, phases, src.dtype),
                scratch(INPUT, grid, src.dtype),
                scratch(OUTPUT, grid, np.int32),
                p0,
                p1,
            )
        grid_kernel = _avg_forward_grid if kind == AVG_FORWARD_GRID else _avg_backward_grid
        return lambda p0, p1: grid_kernel(
            src,
            dst,
            wh,
            ww,
            divisor,
            rows,
            cols,
            scratch(GRAD_INPUT, phases, src.dtype),
            scratch(INPUT, grid, src.dtype),
            p0,
            p1,
        )
    if kind == AVG_FORWARD_2X2:
        return lambda p0, p1: _avg_forward_2x2(
            src, dst, scratch(INPUT, ((p1 - p0) * src.shape[2] * src.shape[3] // 2,), src.dtype), divisor, p0, p1
        )
    if kind == AVG_BACKWARD_2X2:
        return lambda p0, p1: _avg_backward_2x2(src, dst, divisor, p0, p1)
    if kind == AVG_FORWARD:
        return lambda p0, p1: _avg_forward(src, dst, *tables, divisor, p0, p1)
    return lambda p0, p1: _avg_backward(src, dst, *tables, divisor, p0, p1)


def _run(
    kind: int, work: int, src, dst, idx=_NO_INDEX, tables=(_NO_WINDOW,) * 3, step=(1, 1, 1), divisor=0, span=None
) -> None:
    """Run kernel ``kind`` on all planes: in the calling thread for small work, else one block per thread."""
    run = _kernel(kind, src, dst, idx, tables, step, divisor, span)
    planes = src.shape[0]
    threads = max(1, min(num_threads(), planes, work // MIN_PARALLEL_WORK))
    if threads == 1:
        run(0, planes)
        return
    cuts = [planes * t // threads for t in range(threads + 1)]
    # the kernels release the GIL: the blocks run at once on the engine's pool
    WORKERS.map(lambda span: run(*span), list(zip(cuts[:-1], cuts[1:])))


# The grid kernels pay off from this many outputs with full windows per plane (fewer: the scalar loops).
MIN_GRID = 16


def _full_span(table: np.ndarray) -> tuple[int, int, int] | None:
    """(lo, hi, stride): the windows lo..hi of one axis that have the full tap count, their first taps
    ``stride`` apart (None if those are not one such run)."""
    taps = table[:, 1]
    full = np.flatnonzero(taps == taps.max(initial=0))
    if full.size == 0 or taps[full[0]] == 0:
        return None
    lo, hi = int(full[0]), int(full[-1]) + 1
    firsts = table[lo:hi, 0]
    stride = int(firsts[1] - firsts[0]) if hi - lo > 1 else 1
    if hi - lo != full.size or stride <= 0 or np.any(np.diff(firsts) != stride):
        return None
    return lo, hi, stride


def _grid_span(tables: tuple) -> tuple | None:
    """(rows, cols) full-window spans for the grid kernels: 2-d pooling (D = 1) with at least MIN_GRID
    outputs of full windows per plane, else None."""
    wd, wh, ww = tables
    if wd.shape[0] != 1 or wd[0, 0] != 0 or wd[0, 1] != 1:
        return None
    rows, cols = _full_span(wh), _full_span(ww)
    if rows is None or cols is None or (rows[1] - rows[0]) * (cols[1] - cols[0]) < MIN_GRID:
        return None
    return rows, cols


def _tiles_2x2(shape: tuple, tables: tuple, step: tuple) -> bool:
    """True for 2-d 2x2 windows at stride 2 that tile even planes exactly (no padding, no dilation)."""
    _, D, H, W = shape
    wd, wh, ww = tables
    return (
        D == 1
        and H % 2 == 0
        and W % 2 == 0
        and tuple(step) == (1, 1, 1)
        and wh.shape[0] == H // 2
        and ww.shape[0] == W // 2
        and all(_is_pair_tiling(t) for t in (wh, ww))
    )


def _is_pair_tiling(table: np.ndarray) -> bool:
    """Is this axis's window table the one of kernel 2, stride 2, no padding over an even length?"""
    out = table.shape[0]
    expected = sliding_windows(2 * out, out, 2, 2, 0, 1, True)  # cached: max_pool2d(x, 2) passes this very table
    return table is expected or np.array_equal(table[:, :2], expected[:, :2])


def _taps(tables) -> int:
    return math.prod(max(int(t[:, 1].max(initial=0)), 1) for t in tables)


def _gather_table(tables: tuple, step: tuple, plane: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(where, real), both (outputs, taps): the flat plane index of every tap of every window, and
    whether that tap is in the window. Windows are padded to the longest one's tap count; a padded
    tap repeats the window's first one. An empty window's first "tap" is torch's index for it,
    which may lie outside the plane: gather through ``np.where(real, where, 0)``."""
    _, H, W = plane
    per_axis = []
    for table, s in zip(tables, step):
        t = np.arange(max(int(table[:, 1].max(initial=0)), 1))
        real = t < table[:, 1:2]
        per_axis.append((np.where(real, table[:, :1] + t * s, table[:, :1]), real))
    (pd, rd), (ph, rh), (pw, rw) = per_axis
    # axes (od, oh, ow, a, b, c): window (od, oh, ow), tap (a, b, c)
    where = (pd[:, None, None, :, None, None] * H + ph[None, :, None, None, :, None]) * W + pw[
        None, None, :, None, None, :
    ]
    real = rd[:, None, None, :, None, None] & rh[None, :, None, None, :, None] & rw[None, None, :, None, None, :]
    outputs = where.shape[0] * where.shape[1] * where.shape[2]
    return where.reshape(outputs, -1), real.reshape(outputs, -1)


def _divisors(tables: tuple, divisor: int) -> np.ndarray:
    """(outputs,) divisor of each window: ``divisor`` or the product of the tables' factors."""
    if divisor:
        return np.full(math.prod(t.shape[0] for t in tables), divisor)
    wd, wh, ww = tables
    return (wd[:, 2, None, None] * wh[None, :, 2, None] * ww[None, None, :, 2]).reshape(-1)


def _max_forward_numpy(x: np.ndarray, tables: tuple, step: tuple) -> tuple:
    """The float64 max pool: every window's taps gathered at once, then max and argmax.

    torch's rule as in ``_take``: the first of equal maxima, or the last NaN.
    """
    where, real = _gather_table(tables, step, x.shape[1:])
    taps = np.where(real, x.reshape(x.shape[0], -1)[:, np.where(real, where, 0)], -np.inf)
    pick = taps.argmax(axis=2)
    nan = np.isnan(taps)
    last_nan = nan.shape[2] - 1 - nan[:, :, ::-1].argmax(axis=2)
    pick = np.where(nan.any(axis=2), last_nan, pick)
    y = np.take_along_axis(taps, pick[:, :, None], axis=2)[:, :, 0]
    idx = where[np.arange(where.shape[0]), pick]
    shape = (x.shape[0],) + tuple(t.shape[0] for t in tables)
    return y.reshape(shape), idx.reshape(shape)


def _scatter_add(values: np.ndarray, flat: np.ndarray, planes: int, plane: tuple) -> np.ndarray:
    """Planes (planes, *plane) of sums: values[p, ...] added at flat plane index flat[..., ] (a bincount;
    flat is broadcast against values, so one table can serve every plane)."""
    size = math.prod(plane)
    offsets = (np.arange(planes) * size).reshape((-1,) + (1,) * (values.ndim - 1))
    sums = np.bincount((flat + offsets).reshape(-1), weights=values.reshape(-1), minlength=planes * size)
    return sums.astype(values.dtype, copy=False).reshape((planes,) + tuple(plane))


def _avg_forward_numpy(x: np.ndarray, tables: tuple, divisor: int) -> np.ndarray:
    """The float64 average pool: every window's taps gathered (the ones outside it as 0), summed, divided."""
    where, real = _gather_table(tables, (1, 1, 1), x.shape[1:])
    sums = np.where(real, x.reshape(x.shape[0], -1)[:, np.where(real, where, 0)], 0).sum(axis=2)
    y = (sums / _divisors(tables, divisor)).astype(x.dtype, copy=False)  # the divisors are integers
    return y.reshape((x.shape[0],) + tuple(t.shape[0] for t in tables))


def _avg_backward_numpy(gy: np.ndarray, tables: tuple, divisor: int, plane: tuple) -> np.ndarray:
    """The float64 average-pool gradient: gy / divisor sent to every tap of its window, summed."""
    where, real = _gather_table(tables, (1, 1, 1), plane)
    share = (gy.reshape(gy.shape[0], -1) / _divisors(tables, divisor)).astype(gy.dtype, copy=False)
    return _scatter_add(np.where(real, share[:, :, None], 0), np.where(real, where, 0), gy.shape[0], plane)


def max_forward(x: np.ndarray, wd: np.ndarray, wh: np.ndarray, ww: np.ndarray, step: tuple) -> tuple:
    """Max over windows of x (P, D, H, W): values and flat argmax indices, both (P, OD, OH, OW)."""
    tables = (wd, wh, ww)
    if x.dtype == np.float32:
        tiles = _tiles_2x2(x.shape, tables, step)
        span = None if tiles else _grid_span(tables)
        group = _MAX_2X2_FORWARD if tiles else _MAX_GRID_FORWARD if span else _MAX_FORWARD
        if group.usable or group.ready():
            shape = (x.shape[0], wd.shape[0], wh.shape[0], ww.shape[0])
            y = np.empty(shape, dtype=x.dtype)
            idx = np.empty(shape, dtype=np.int64)
            if tiles:
                _run(MAX_FORWARD_2X2, y.size * 4, x, y, idx)
            elif span:
                _run(MAX_FORWARD_GRID, y.size * _taps(tables), x, y, idx, tables, step, span=span)
            else:
                _run(MAX_FORWARD, y.size * _taps(tables), x, y, idx, tables, step)
            return y, idx
    return _max_forward_numpy(x, tables, step)


def max_backward(gy: np.ndarray, idx: np.ndarray, plane: tuple) -> np.ndarray:
    """Scatter-add gy (P, OD, OH, OW) to its argmax positions idx in planes of shape ``plane``."""
    if gy.dtype != np.float32 or not (_MAX_BACKWARD.usable or _MAX_BACKWARD.ready()):
        inside = (idx >= 0) & (idx < math.prod(plane))  # see _max_backward
        return _scatter_add(np.where(inside, gy, 0), np.where(inside, idx, 0), gy.shape[0], plane)
    gy = np.ascontiguousarray(gy)
    gx = np.empty((gy.shape[0],) + tuple(plane), dtype=gy.dtype)
    # a zeroing and a scatter: an eighth of a tap per number (LeNet's poolings stay on one thread,
    # where a second one would cost more than it saves)
    _run(MAX_BACKWARD, (gx.size + gy.size) // 8, gy, gx, np.ascontiguousarray(idx))
    return gx


def avg_forward(x: np.ndarray, wd: np.ndarray, wh: np.ndarray, ww: np.ndarray, divisor: int) -> np.ndarray:
    """Window averages of x (P, D, H, W); ``divisor`` 0 means the tables' divisor."""
    tables = (wd, wh, ww)
    tiles = x.dtype == np.float32 and _tiles_2x2(x.shape, tables, (1, 1, 1))
    span = _grid_span(tables) if x.dtype == np.float32 and not tiles else None
    group = _AVG_2X2 if tiles else _AVG_GRID_FORWARD if span else _AVG_FORWARD
    if x.dtype != np.float32 or not (group.usable or group.ready()):
        return _avg_forward_numpy(x, tables, divisor)
    y = np.empty((x.shape[0], wd.shape[0], wh.shape[0], ww.shape[0]), dtype=x.dtype)
    if tiles:
        _run(AVG_FORWARD_2X2, y.size * 4, x, y, divisor=divisor or 4)
    elif span:
        _run(AVG_FORWARD_GRID, y.size * _taps(tables), x, y, tables=tables, divisor=divisor, span=span)
    else:
        _run(AVG_FORWARD, y.size * _taps(tables), x, y, tables=tables, divisor=divisor)
    return y


def avg_backward(
    gy: np.ndarray, wd: np.ndarray, wh: np.ndarray, ww: np.ndarray, divisor: int, plane: tuple
) -> np.ndarray:
    """Spread gy (P, OD, OH, OW) / divisor evenly over each window, into planes of shape ``plane``."""
    tables = (wd, wh, ww)
    tiles = gy.dtype == np.float32 and _tiles_2x2((gy.shape[0],) + tuple(plane), tables, (1, 1, 1))
    span = _grid_span(tables) if gy.dtype == np.float32 and not tiles else None
    group = _AVG_2X2 if tiles else _AVG_GRID_BACKWARD if span else _AVG_BACKWARD
    if gy.dtype != np.float32 or not (group.usable or group.ready()):
        return _avg_backward_numpy(gy, tables, divisor, plane)
    gy = np.ascontiguousarray(gy)
    gx = np.empty((gy.shape[0],) + tuple(plane), dtype=gy.dtype)
    work = gx.size + gy.size * _taps(tables)
    if tiles:
        _run(AVG_BACKWARD_2X2, gx.size, gy, gx, divisor=divisor or 4)
    elif span:
        _run(AVG_BACKWARD_GRID, work, gy, gx, tables=tables, divisor=divisor, span=span)
    else:
        _run(AVG_BACKWARD, work, gy, gx, tables=tables, divisor=divisor)
    return gx


# The float32 kernels with the argument types ``_kernel`` passes them (contiguous planes and
# window tables, int64 scalars).
_F1, _F4 = array(types.float32, 1), array(types.float32, 4)
_I2, _I4, _INT = array(types.int64, 2), array(types.int64, 4), types.int64
_MAX_FORWARD = KernelGroup("pool-max-forward", [(_max_forward, (_F4, _F4, _I4, _I2, _I2, _I2) + (_INT,) * 5)])
_MAX_2X2_FORWARD = KernelGroup(
    "pool-max-2x2-forward", [(_max_forward_2x2, (_F4, _F4, _I4, _F1, array(types.int32, 1), _INT, _INT))]
)
_MAX_BACKWARD = KernelGroup("pool-max-backward", [(_max_backward, (_F4, _I4, _F4, _INT, _INT))])
_AVG_FORWARD = KernelGroup("pool-avg-forward", [(_avg_forward, (_F4, _F4, _I2, _I2, _I2, _INT, _INT, _INT))])
_AVG_BACKWARD = KernelGroup("pool-avg-backward", [(_avg_backward, (_F4, _F4, _I2, _I2, _I2, _INT, _INT, _INT))])
_AVG_2X2 = KernelGroup(
    "pool-avg-2x2",
    [(_avg_forward_2x2, (_F4, _F4, _F1, _INT, _INT, _INT)), (_avg_backward_2x2, (_F4, _F4, _INT, _INT, _INT))],
)
_SPAN = types.UniTuple(types.int64, 3)
_MAX_GRID_FORWARD = KernelGroup(
    "pool-max-grid-forward",
    [
        (
            _max_forward_grid,
            (_F4, _F4, _I4, _I2, _I2, _INT, _INT, _SPAN, _SPAN, _F1, _F1, array(types.int32, 1), _INT, _INT),
        )
    ],
)
_AVG_GRID_FORWARD = KernelGroup(
    "pool-avg-grid-forward", [(_avg_forward_grid, (_F4, _F4, _I2, _I2, _INT, _SPAN, _SPAN, _F1, _F1, _INT, _INT))]
)
_AVG_GRID_BACKWARD = KernelGroup(
    "pool-avg-grid-backward", [(_avg_backward_grid, (_F4, _F4, _I2, _I2, _INT, _SPAN, _SPAN, _F1, _F1, _INT, _INT))]
)


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


def describe_path(kind: str, x_shape: tuple, kernel_size, stride=None, padding=0) -> str:
    """Which kernel a float32 2-d pooling (``kind`` "max" or "avg"; sizes as ints or pairs) takes, and on
    how many threads, for benchmark tables."""
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(stride) if stride else (kh, kw)
    n, c, h, w = x_shape
    oh, ow = output_size(h, kh, sh, ph, 1, False), output_size(w, kw, sw, pw, 1, False)
    tables = (unit_window(1), sliding_windows(h, oh, kh, sh, ph, 1, True), sliding_windows(w, ow, kw, sw, pw, 1, True))
    outputs = n * c * oh * ow
    if _tiles_2x2((n * c, 1, h, w), tables, (1, 1, 1)):
        name, work = f"{kind} 2x2 tiling", outputs * 4
    elif _grid_span(tables):
        name, work = f"{kind} grid", outputs * _taps(tables)
    else:
        name, work = f"{kind} windows", outputs * _taps(tables)
    threads = max(1, min(num_threads(), n * c, work // MIN_PARALLEL_WORK))
    return f"{name}, {threads} thread{'s' if threads > 1 else ''}"
