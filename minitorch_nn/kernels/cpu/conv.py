# ruff: noqa: N803, N806, E741  (shape names N, C, O, K, P follow the math in the docstring)
"""Convolution kernels: three algorithms, chosen by shape, in Numba (and NumPy for the strided one).

One N-d design: every convolution is run as a 3-d one. A 1-d input (N, C, L)
is viewed as (N, C, 1, 1, L) and a 2-d one as (N, C, 1, H, W), with kernel,
stride, padding and dilation of 1/0 in the added dims, so one set of kernels
serves conv1d, conv2d and conv3d.

1. Winograd F(2x2, 3x3) (``winograd_*``): 2-d 3x3 kernels, stride 1, no
   dilation or groups, padding <= 2. Each 4x4 input patch d (stride 2) becomes
   V = B^T d B, each kernel U = G g G^T, and a 2x2 output tile is A^T (U . V) A;
   the 16 products U[xi] @ V[xi] (O, C) @ (C, tiles) are 16 GEMMs with 2.25x
   fewer multiplies than im2col (on gemm.py's kernels where they have their
   AVX-512 tile, else NumPy's matmul; see the measurements below). Grad input is the same algorithm on the output
   gradient with the kernel flipped and in/out channels swapped (padding 2 - p);
   grad weight is G^T (sum over tiles of (A dY A^T)[xi] V[xi]^T) G, the adjoint
   of each step. Every transform is exact linear algebra, so float64 results
   match torch to ~1e-14 and float32 to ~1e-5.
2. Direct, batch-last (``direct_forward`` / ``direct_backward``): every other
   stride-1 convolution. A block of B samples is copied to xt[c, d, h, w, b]
   (zero-padded, batch innermost). Then for one output row (zd, zh) the outputs
   of all B samples, y[o, zd, zh, zw, b], are OW*B consecutive numbers, and so
   is the input under each kernel tap:

       y[o, zd, zh, j] = sum_{c,k} w[o, c, k] * xt_flat[rows[c*K + k] + base(zd, zh) + j]

   with rows[c*K + k] = (c*S + off[k]) * B and off[k] the tap's offset in one
   padded image. That is a GEMM whose right-hand rows are shifted views of xt:
   no column matrix is built and no position is wasted (gemm.py runs it with
   register tiles). Grad weight is the same shifted rows against the output
   gradient (reduction over j), grad input is w^T gy scattered back to the rows
   it came from (col2im, one output row at a time, so it stays in cache).
   Per-sample "wide" layout (``_forward_wide`` / ``_backward_wide``): the same
   shifted GEMMs with one sample as the row: in a padded sample, output
   position (zd, zh, zw) sits at q = (zd*Hp + zh)*Wp + zw, and the input under
   tap k at q + off[k], for all q < L = ((OD-1)*Hp + OH-1)*Wp + OW at once. The
   positions with zw >= OW (and zh >= OH in 3-d) are junk, computed and dropped
   (their gradient is set to zero). No batch transposes: the input is read in
   place (or padded sample by sample), and the output compacted row by row.
   Chosen when a sample's run L is at least 256 or longer than the batch-last
   run OW*B: LeNet conv1 (L = 892) always, conv2 (L = 136) at batch 1.
3. Strided im2col (``unfold``/``fold``): everything else (stride > 1, and all
   of float64), in NumPy. The column matrix is one copy of a strided view of
   the zero-padded input (tap and output axes are both plain strides of it);
   its adjoint adds the columns back, one strided slice per tap; the GEMMs are
   NumPy's. Against the Numba loops it replaced (one thread, float32): im2col
   3.4 vs 3.7 ms at (32, 64, 32, 32) k3 s2 p1, col2im 3.9 vs 3.8 ms; at k7
   (K = 49 slices) col2im 0.88 vs 0.47 ms. Both Numba loops in two dtypes
   were 1.5 s of cold compile.

float64 is the checking dtype (finite differences, reference accuracy), not the
speed one, so it always takes path 3: compiling paths 1 and 2 for both dtypes
made the cold compile of all conv kernels 14.5 s instead of about 9 s. The
float32 tests against torch are what check paths 1 and 2.

Bias add is fused into the output reorder of paths 1 and 2, and grad bias
into their gradient reorder; path 3 reorders with NumPy.

Cold compile of every conv kernel (benchmarks/bench_conv.py): 10.6-11.6 s
until 2026-11-30, then 8.9-9.6 s after four cuts: the NN GEMM's two-row tile
went (rows past the 4-row tiles run one at a time), the Winograd input
transform de-interleaves each row through one zero-padded row buffer (fewer
loops; 1.24 -> 0.90 s, and 10% faster), the output-gradient transform kept
its simpler form (a flat rewrite compiled 0.6 s longer and ran no faster),
and path 3's reorders moved to NumPy. Path 3 in NumPy: 7.1-7.2 s, all of it
float32 (with the pooling kernels, float32 only too: 9.2 s). The register-tiled
GEMM and the worker pool's polling loops took that to 8.4-9.6 s; then the
Winograd weight transforms (once a call: two BLAS contractions) and the
wide path's padding copies moved to NumPy: conv 5.5-6.0 s, with the pooling
kernels 7.4-7.8 s (benchmarks/bench_conv.py, "With the pooling kernels").

Parallelism. The batch is cut into blocks, one per thread, run on the
engine's worker pool (workers.py); every kernel is ``nogil``, NumPy's matmul
releases the GIL, and BLAS runs single-threaded in each block.

Measurements (this 2-core VM, float32, both engines on 2 threads, ratio =
torch / ours for forward+backward):
- prange kernels + 2-thread BLAS: CIFAR 0.13-0.16x (OpenBLAS and Numba's OpenMP
  workers spin after each call and fight for the 2 cores); BLAS pinned to one
  thread: 0.39-0.51x; serial kernels on a 2-thread Python pool: 0.52x.
- Winograd at CIFAR: forward 36 -> 19 ms, fwd+bwd 112 -> 64 ms: 0.95x. Its
  transforms were 3x faster after splitting loops so each has one store stream
  (LLVM drops vectorisation when many arrays may alias) and de-interleaving even
  and odd columns first (unit-stride loops).
- Slicing views inside hot loops costs an atomic reference count per view; the
  copy loops index flat arrays with ``& NONNEG`` instead (it also lets LLVM drop
  the negative-index wrap-around, which otherwise turns loads into gathers).
- Stride 1 was first a "wide" im2col + NumPy GEMM (column rows copied per
  sample over all padded columns: 36% extra work at LeNet conv2): conv1 1.25x,
  conv2 0.46x fwd+bwd. The GEMMs there are skinny (16 x 150 x a few hundred);
  OpenBLAS ran them at 80-105 GFLOP/s on one core but two Python threads calling
  it reached only ~125 GFLOP/s together, while a Numba register-tiled loop scales
  ~1.9x. Per-sample direct GEMMs over the wide positions (no im2col) ran at
  ~76 GFLOP/s a core, limited by the short rows (136 positions). Batch-last
  makes the rows OW*B long (320 at conv2 with B=32) with no padded columns.
- Wide vs batch-last (one thread, forward / backward ms, noisy machine):
  conv1 batch 64 0.26-0.37 / 0.28-0.40 vs 0.32-0.53 / 0.31-0.47 (the batch
  transposes were half of conv1's time); batch 1 conv1 0.020 / 0.026 vs
  0.033 / 0.039, conv2 0.024 / 0.048 vs 0.050 / 0.121 (batch-last rows are
  only OW = 10 long there); conv2 batch 64 0.55 / 1.28 vs 0.38 / 0.64
  (wide rows of 136 are too short), hence the rule above.
- The grad-bias sums in the gradient copies were in-order float sums (one
  add latency per element): with reassociation allowed, conv1's copy of the
  gradient to batch-last 0.086 -> 0.073 ms and the wide one 3x faster.
- Copies between batch-first and batch-last go in runs of 16 along w: a plain
  loop over the batch innermost strides 4 KiB and thrashes one L1 set (the
  output reorder at LeNet conv1 took 0.17 ms that way, 0.07 ms in runs).
- Until 2026-11-30 (an AMD EPYC Zen 5 VM with AVX-512; each engine warmed for
  50 ms before it is timed, benchmarks/timing.py), forward+backward over four
  runs: LeNet conv1 1.95-2.42x, conv2 0.89-1.05x, conv2 at batch 256
  0.92-1.15x; CIFAR 0.94-0.99x with NumPy's OpenBLAS on its own kernels for
  this CPU (SkylakeX, AVX-512) and 0.74-0.91x with the Haswell kernels this
  machine's environment forces (OPENBLAS_CORETYPE=Haswell): the Winograd
  products are NumPy matmuls, ~95-112 GFLOP/s a core on Haswell kernels,
  150-185 on SkylakeX ones. The Winograd transforms' rewrite (output 0.10 ->
  0.03 ms a CIFAR sample, input 0.146 -> 0.110) had taken CIFAR from 0.74x to
  the 0.94-0.99x above on the same BLAS. Forward alone, conv2 was ~0.4x: our NN
  kernel ran at ~100-115 GFLOP/s a core, loading and storing its four output
  rows every four taps.
- Then the NN kernel began to keep a 4 x 64 tile of sums in registers across
  all taps (gemm.py: conv2's forward GEMM 107 -> 224-239 GFLOP/s a core, its
  grad-input GEMM 80 -> 130-205), and the worker pool began to hand off by
  polling (workers.py: 52-76 -> 15-29 us a parallel call). Three runs
  (benchmarks/results/conv.md): LeNet conv1 4.39-4.42x, conv2 1.38-1.44x
  (forward alone 0.71-0.72x: torch's oneDNN runs it at ~170 GFLOP/s a core,
  and our batch-last copies and hand-off are half of our 0.16 ms), conv2 at
  batch 256 1.23-1.40x, batch 1 conv1 2.6-3.0x and conv2 ~2.0-2.6x; CIFAR
  0.88-0.96x, 0.72x with the forced Haswell BLAS.
- Then the 16 Winograd products moved onto the register-tiled GEMM, as its 16
  groups (``_products_on_our_gemm``): 150-165 GFLOP/s a core against
  OpenBLAS's 185 on SkylakeX kernels and 112 on Haswell ones, but CIFAR
  forward+backward takes 40-43 ms on it whichever kernels NumPy runs (NumPy's
  matmul: 41 and 53 ms). Two things made it pay: storing the sums without
  zeroing or reading M first (it was 47 ms before), and rows of V and M an odd
  number of cache lines long (``_tile_row``: 256-tile rows put the 64 rows one
  product reads in a few L1 sets). CIFAR now 0.94-0.98x, and 0.92x with the
  forced Haswell BLAS.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
from numba import njit
from numpy.lib.stride_tricks import as_strided

from .gemm import RUN as _GEMM_RUN
from .gemm import shifted_gemm_nn, shifted_gemm_nt
from .workers import WORKERS, num_threads, single_thread_blas
from .workspace import scratch

# Target size (elements) of one block's column matrix: big enough for efficient
# GEMMs, small enough to stay in this machine's cache while BLAS reads it.
BLOCK_ELEMENTS = 1 << 16

# 3x3 convolutions with at least this C_in * C_out use Winograd F(2x2, 3x3).
WINOGRAD_MIN_CHANNELS = 1


# Index arithmetic below is done on flat views with ``& NONNEG``: it tells LLVM the index is
# not negative, so Numba's wrap-around of negative indices drops out and the copy loops
# vectorise. Slicing views inside hot loops instead costs an atomic reference count per view,
# which was 4-5x slower (im2col at LeNet conv2: 0.39 -> 0.08 ms) and did not scale on threads.
NONNEG = 0x7FFFFFFFFFFFFFFF

# The grad-bias sums in the gradient copies may be reordered (vectorised): an in-order float
# sum is one add-latency per element, which made those copies 3-4x slower. Only reassociation:
# no assumptions about NaN or inf.
REASSOCIATE = {"reassoc"}


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


# G of Winograd F(2x2, 3x3): the 3-tap kernel as 4 points (U = G g G^T)
_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])


def winograd_weight(w: np.ndarray) -> np.ndarray:
    """U (16, O, C): U[4a + b, o, c] = (G w[o, c] G^T)[a, b] for the 3x3 kernels w (O, C, 3, 3).

    Two small BLAS contractions (NumPy, one thread): the transform is once a call, and the
    Numba loops it replaced cost 0.3 s of cold compile each way.
    """
    G = _G.astype(w.dtype)
    with single_thread_blas():
        t = np.tensordot(G, w, axes=([1], [2]))  # t[a, o, c, j] = sum_i G[a, i] w[o, c, i, j]
        u = np.tensordot(t, G, axes=([3], [1]))  # u[a, o, c, b] = sum_j t[a, o, c, j] G[b, j]
    return np.ascontiguousarray(u.transpose(0, 3, 1, 2)).reshape(16, w.shape[0], w.shape[1])


def winograd_weight_grad(dU: np.ndarray) -> np.ndarray:
    """gw (O, C, 3, 3) = G^T dU[:, o, c] G, the adjoint of ``winograd_weight`` (dU as 4x4 per o, c)."""
    G = _G.astype(dU.dtype)
    d = dU.reshape(4, 4, dU.shape[1], dU.shape[2])
    with single_thread_blas():
        t = np.tensordot(G, d, axes=([0], [0]))  # t[i, b, o, c] = sum_a G[a, i] d[a, b, o, c]
        g = np.tensordot(t, G, axes=([1], [0]))  # g[i, o, c, j] = sum_b t[i, b, o, c] G[b, j]
    return g.transpose(1, 2, 0, 3)


@njit(cache=True, nogil=True, fastmath=True)
def winograd_input(x, ph, pw, th, tw, n0, n1, V):  # pragma: no cover - jitted
    """V[:, c, (b, i, j)] = B^T d B for the 4x4 patch d of x[n0 + b, c] at (2i - ph, 2j - pw), zeros outside.

    Flat indices with ``& NONNEG`` throughout: these loops are only tw (16 at CIFAR) long, and a
    view made per loop cost more than the loop (0.144 -> 0.121 ms a CIFAR sample without them).
    """
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    R, Q = 2 * th + 2, tw + 1
    # the zero-padded image split into even (E) and odd (D) columns, R rows of Q: unit-stride loops below
    # (allocated here: views of a passed-in buffer were 2-10% slower, LLVM no longer sure they
    # share no memory with V)
    E = np.zeros(R * Q, x.dtype)
    D = np.zeros(R * Q, x.dtype)
    re = np.empty(Q, x.dtype)
    ro = np.empty(Q, x.dtype)
    # one zero-padded input row (2Q numbers): its borders are written once, as zeros
    padded = np.zeros(2 * Q, x.dtype)
    xf = x.reshape(-1)
    Vf = V.reshape(-1)
    plane = V.shape[1] * V.shape[2]
    width = min(W, 2 * Q - pw)  # the input columns that land inside the padded row
    for b in range(n1 - n0):
        for c in range(C):
            image = ((n0 + b) * C + c) * H * W
            for a in range(R):
                h = a - ph
                e = a * Q
                if 0 <= h < H:
                    row = (image + h * W) & NONNEG
                    for w in range(width):
                        padded[(pw + w) & NONNEG] = xf[(row + w) & NONNEG]
                    for q in range(Q):
                        E[(e + q) & NONNEG] = padded[2 * q]
                    for q in range(Q):
                        D[(e + q) & NONNEG] = padded[2 * q + 1]
                else:
                    for q in range(Q):
                        E[(e + q) & NONNEG] = 0
                    for q in range(Q):
                        D[(e + q) & NONNEG] = 0
            # row u of B^T d is d[a] + sign * d[b'] (rows of the 4x4 patch): d0-d2, d1+d2, d2-d1, d1-d3
            t0 = b * th * tw
            for u in range(4):
                ra = (0, 1, 2, 1)[u]
                rb = (2, 2, 1, 3)[u]
                sign = 1.0 if u == 1 else -1.0
                v = ((4 * u * V.shape[1] + c) * V.shape[2] + t0) & NONNEG
                for i in range(th):
                    pa, pb = ((2 * i + ra) * Q) & NONNEG, ((2 * i + rb) * Q) & NONNEG
                    # one store stream per loop: LLVM gives up vectorising loops with many
                    # possibly-aliasing arrays, so the row pair is combined first
                    for j in range(Q):
                        re[j] = E[(pa + j) & NONNEG] + sign * E[(pb + j) & NONNEG]
                    for j in range(Q):
                        ro[j] = D[(pa + j) & NONNEG] + sign * D[(pb + j) & NONNEG]
                    k = (v + i * tw) & NONNEG
                    for j in range(tw):
                        Vf[(k + j) & NONNEG] = re[j] - re[j + 1]
                    for j in range(tw):
                        Vf[(k + plane + j) & NONNEG] = ro[j] + re[j + 1]
                    for j in range(tw):
                        Vf[(k + 2 * plane + j) & NONNEG] = re[j + 1] - ro[j]
                    for j in range(tw):
                        Vf[(k + 3 * plane + j) & NONNEG] = ro[j] - ro[j + 1]


@njit(cache=True, nogil=True, fastmath=True)
def winograd_output(M, bias, th, tw, n0, n1, out):  # pragma: no cover - jitted
    """out[n0 + b, o, 2i:2i+2, 2j:2j+2] = A^T M[:, o, (b, i, j)] A + bias[o], cropped to the output.

    M[4u + v] are the 16 planes; A^T has rows (1, 1, 1, 0) and (0, 1, -1, -1). So first, per
    column v, the top sum s[v] = M[v] + M[4+v] + M[8+v] and the bottom one s[4+v] =
    M[4+v] - M[8+v] - M[12+v]; then each row's left and right outputs s0 + s1 + s2 and
    s1 - s2 - s3. Every step is one unit-stride loop over all tiles of a (sample, channel),
    and a last loop interleaves left and right into the output rows.
    """
    O, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    T = th * tw
    B = n1 - n0
    plane = M.shape[1] * M.shape[2]
    has_bias = bias.shape[0] > 0
    Mf = M.reshape(-1)
    of = out.reshape(-1)
    s = np.empty(8 * T, M.dtype)
    r = np.empty(4 * T, M.dtype)  # top-left, top-right, bottom-left, bottom-right of every tile
    half = OW // 2
    for b in range(B):
        for o in range(O):
            add = bias[o] if has_bias else M.dtype.type(0)
            base = o * M.shape[2] + b * T
            for v in range(4):
                p = (base + v * plane) & NONNEG
                top, bottom = (v * T) & NONNEG, ((4 + v) * T) & NONNEG
                for t in range(T):
                    s[(top + t) & NONNEG] = (
                        Mf[(p + t) & NONNEG] + Mf[(p + 4 * plane + t) & NONNEG] + Mf[(p + 8 * plane + t) & NONNEG]
                    )
                for t in range(T):
                    s[(bottom + t) & NONNEG] = (
                        Mf[(p + 4 * plane + t) & NONNEG]
                        - Mf[(p + 8 * plane + t) & NONNEG]
                        - Mf[(p + 12 * plane + t) & NONNEG]
                    )
            for row in range(2):
                a = (4 * row * T) & NONNEG
                left, right = (2 * row * T) & NONNEG, ((2 * row + 1) * T) & NONNEG
                for t in range(T):
                    r[(left + t) & NONNEG] = (
                        s[(a + t) & NONNEG] + s[(a + T + t) & NONNEG] + s[(a + 2 * T + t) & NONNEG] + add
                    )
                for t in range(T):
                    r[(right + t) & NONNEG] = (
                        s[(a + T + t) & NONNEG] - s[(a + 2 * T + t) & NONNEG] - s[(a + 3 * T + t) & NONNEG] + add
                    )
            image = ((n0 + b) * O + o) * OH * OW
            for h in range(OH):
                left = (2 * (h % 2) * T + (h // 2) * tw) & NONNEG
                right = (left + T) & NONNEG
                d = (image + h * OW) & NONNEG
                # stores to d + 2j and d + 2j + 1 in one loop: LLVM vectorises them as one interleaved group
                for j in range(half):
                    of[(d + 2 * j) & NONNEG] = r[(left + j) & NONNEG]
                    of[(d + 2 * j + 1) & NONNEG] = r[(right + j) & NONNEG]
                if OW % 2:
                    of[d + OW - 1] = r[left + half]


@njit(cache=True, nogil=True, fastmath=True)
def winograd_output_grad(gout, th, tw, n0, n1, dM, gb):  # pragma: no cover - jitted
    """dM[:, o, (b, i, j)] = A dY A^T (the adjoint of ``winograd_output``); gb[o] += sum of gout[n, o].

    dY is the 2x2 tile of gout at (2i, 2j), zeros past the edge. With rows r0 = y0, r1 = y0 + y1,
    r2 = y0 - y1, r3 = -y1 of A dY, row u of dM is (r[0], r[0] + r[1], r[0] - r[1], -r[1]).
    """
    O, OH, OW = gout.shape[1], gout.shape[2], gout.shape[3]
    T = th * tw
    # one image split into even (E) and odd (D) columns, zero-padded to 2*th x tw; allocated here,
    # not passed in: LLVM then knows they share no memory with dM and vectorises the loops below
    # (passed-in buffers made this 0.08 -> 0.31 ms a CIFAR sample)
    E = np.zeros((2 * th, tw), gout.dtype)
    D = np.zeros((2 * th, tw), gout.dtype)
    for b in range(n1 - n0):
        for o in range(O):
            src = gout[n0 + b, o]
            total = 0.0
            for h in range(OH):
                row = src[h]
                e = E[h]
                d = D[h]
                for j in range(tw):
                    e[j] = row[2 * j]
                    d[j] = row[2 * j + 1] if 2 * j + 1 < OW else 0
                    total += e[j] + d[j]
            gb[o] += total
            t0 = b * T
            for u in range(4):
                m0 = dM[4 * u, o, t0 : t0 + T]
                m1 = dM[4 * u + 1, o, t0 : t0 + T]
                m2 = dM[4 * u + 2, o, t0 : t0 + T]
                m3 = dM[4 * u + 3, o, t0 : t0 + T]
                # row u of A dY = a * y[top] + s * y[bottom]: (1, 0), (1, 1), (1, -1), (0, -1)
                a = 0.0 if u == 3 else 1.0
                sgn = (0.0, 1.0, -1.0, -1.0)[u]
                for i in range(th):
                    e0, e1, d0, d1 = E[2 * i], E[2 * i + 1], D[2 * i], D[2 * i + 1]
                    k = i * tw
                    n0_, n1_, n2_, n3_ = m0[k : k + tw], m1[k : k + tw], m2[k : k + tw], m3[k : k + tw]
                    for j in range(tw):
                        n0_[j] = a * e0[j] + sgn * e1[j]
                    for j in range(tw):
                        n3_[j] = -(a * d0[j] + sgn * d1[j])
                    for j in range(tw):
                        n1_[j] = n0_[j] - n3_[j]
                    for j in range(tw):
                        n2_[j] = n0_[j] + n3_[j]


# ---------------------------------------------------------------------------------------
# Drivers: plain Python around the jitted pieces (they call BLAS through NumPy).
# Arguments are 5-d arrays and 3-tuples; ``ops/conv.py`` views 1-d and 2-d as 3-d.


def output_size(size, ksize, stride, padding, dilation) -> tuple[int, int, int]:
    """out = floor((in + 2 pad - dilation (k - 1) - 1) / stride) + 1 per spatial dim."""
    return tuple(
        (s + 2 * p - d * (k - 1) - 1) // st + 1 for s, k, st, p, d in zip(size, ksize, stride, padding, dilation)
    )


def _blocks(n: int, rows: int, positions: int, workers: int) -> list[tuple[int, int]]:
    """Cut the batch into blocks of about BLOCK_ELEMENTS column entries, at least one per worker."""
    per = max(1, min(BLOCK_ELEMENTS // max(1, rows * positions), -(-n // workers)))
    return [(i, min(n, i + per)) for i in range(0, n, per)]


def _arr(t) -> np.ndarray:
    return _int_array(tuple(t))


@functools.lru_cache(maxsize=256)
def _int_array(t: tuple) -> np.ndarray:
    """t as an int64 array for the kernels (cached, so shared: nothing writes to it; not marked
    read-only, which Numba would compile as another type)."""
    return np.asarray(t, dtype=np.int64)


def conv_forward(x, weight, bias, stride, padding, dilation, groups) -> np.ndarray:
    """y (N, O, *osize) = conv(x (N, C, D, H, W), weight (O, C/g, kd, kh, kw)) + bias."""
    if x.dtype == np.float32:  # the fast paths are for float32 only (see "float64" above)
        if _winograd_fits(x, weight, stride, padding, dilation, groups):
            return _forward_winograd(x, weight, bias, padding)
        if all(s == 1 for s in stride):
            return _forward_direct(x, weight, bias, padding, dilation, groups)
    return _forward_strided(x, weight, bias, stride, padding, dilation, groups)


def conv_backward(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight, need_bias=False):
    """(grad x, grad weight, grad bias) of ``conv_forward`` for upstream gradient gout (N, O, *osize).

    A gradient not asked for is None; grad bias is only computed alongside one of the others.
    """
    if x.dtype == np.float32:
        if _winograd_fits(x, weight, stride, padding, dilation, groups):
            return _backward_winograd(x, weight, gout, padding, need_input, need_weight, need_bias)
        if all(s == 1 for s in stride):
            return _backward_direct(x, weight, gout, padding, dilation, groups, need_input, need_weight, need_bias)
    gx, gw = _backward_strided(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight)
    gb = gout.sum(axis=(0, 2, 3, 4)) if need_bias else None
    return gx, gw, gb


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


# Layout of the stride-1 direct path: "auto" picks by shape (``_use_wide``); the tests force
# "wide" or "batch_last" to check both over the whole argument space.
DIRECT_LAYOUT = "auto"
# A sample's wide run at least this long is long enough for the GEMM kernels on its own.
WIDE_MIN_RUN = 256
# Samples per wide sub-block: about this many floats of wide output (1 MiB of float32, this
# machine's L2; 64 K made conv1's forward 20% slower: more Python per sample).
WIDE_BLOCK_ELEMENTS = 1 << 18


def _use_wide(shape: tuple, ksize: tuple, padding: tuple, dilation: tuple, block: int) -> bool:
    """Per-sample wide rows when they are long (>= WIDE_MIN_RUN) or longer than the batch-last rows."""
    return _use_wide_for(shape, tuple(ksize), tuple(padding), tuple(dilation), block, DIRECT_LAYOUT)


@functools.lru_cache(maxsize=256)
def _use_wide_for(shape: tuple, ksize: tuple, padding: tuple, dilation: tuple, block: int, layout: str) -> bool:
    # cached, as the plans: the same few shapes come every step, and this is ~2 us of Python
    if layout != "auto":
        return layout == "wide"
    padded, osize = _padded_and_output(shape, ksize, padding, dilation)
    L = _wide_run(padded, osize)
    return L >= WIDE_MIN_RUN or L >= osize[2] * block


def _sub_blocks(n0: int, n1: int, per: int) -> list[tuple[int, int]]:
    return [(i, min(n1, i + per)) for i in range(n0, n1, per)]


def _wide_source(x, pad, padded: tuple, n0: int, n1: int) -> np.ndarray:
    """Samples n0..n1 of x as one flat array of padded samples: x itself without padding, else a
    zero-bordered copy in this thread's scratch."""
    if not pad.any():
        return x[n0:n1].reshape(-1)
    xp = scratch("xp", (n1 - n0, x.shape[1]) + padded, x.dtype, zero=True)
    # a NumPy copy into the interior (a Numba loop did no better, and cost 0.2 s of cold compile)
    xp[_interior(pad, x.shape[2:])] = x[n0:n1]
    return xp.reshape(-1)


def _interior(pad, size: tuple) -> tuple:
    """The index of the unpadded part of (B, C, *padded) samples."""
    return (slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(pad, size))


def _forward_wide(x, w, b, ksize, padding, dilation, groups, out) -> None:
    """out = conv(x, w) + b with per-sample wide rows; w is (groups, Og, Cg*K)."""
    O = out.shape[1]
    plan = _wide_plan(x.shape[1:], ksize, O, groups, tuple(padding), tuple(dilation))
    pad = _arr(padding)
    per = max(1, WIDE_BLOCK_ELEMENTS // (O * plan.run))

    def block(span):
        for n0, n1 in _sub_blocks(*span, per):
            B = n1 - n0
            src = _wide_source(x, pad, plan.padded, n0, n1)
            yw = scratch("yw", (B, O, plan.run), x.dtype)
            bases = _sample_bases(plan.in_stride, plan.out_stride, B)
            shifted_gemm_nn(w, src, plan.rows, yw.reshape(-1), plan.out_rows, bases, plan.run, True)
            wide_to_output(yw, plan.padded[1], plan.padded[2], b, n0, out)

    WORKERS.map(block, _sample_blocks(x.shape[0]))


def _backward_wide(x, w, g5, ksize, padding, dilation, groups, need_input, need_weight, need_bias, gx) -> list:
    """Per-block (grad w (groups, Og, Cg*K), grad b) of ``_forward_wide``; grad x written into gx."""
    C, O = x.shape[1], g5.shape[1]
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
            gyw = scratch("gyw", (B, O, plan.run), x.dtype)
            grad_to_wide(g5, n0, n1, plan.padded[1], plan.padded[2], gyw, gb)
            if need_weight:
                src = _wide_source(x, pad, plan.padded, n0, n1)
                shifted_gemm_nt(gyw.reshape(-1), plan.out_rows, src, plan.rows, bases, plan.run, gw)
            if need_input:
                gxp = scratch("gxp", (B, C) + plan.padded, x.dtype, zero=True)
                shifted_gemm_nn(
                    wt, gyw.reshape(-1), plan.out_rows, gxp.reshape(-1), plan.gx_rows, bases, plan.run, False
                )
                gx[n0:n1] = gxp[_interior(pad, x.shape[2:])]
        return gw, gb

    return WORKERS.map(block, _sample_blocks(x.shape[0]))


def _sample_blocks(n: int) -> list[tuple[int, int]]:
    """The batch cut into one contiguous block per worker thread (sizes differ by at most one)."""
    return _sample_blocks_for(n, num_threads())


@functools.lru_cache(maxsize=256)
def _sample_blocks_for(n: int, threads: int) -> list[tuple[int, int]]:
    workers = max(1, min(n, threads))
    return [(i * n // workers, (i + 1) * n // workers) for i in range(workers)]


def _forward_direct(x, weight, bias, padding, dilation, groups) -> np.ndarray:
    N, C, O = x.shape[0], x.shape[1], weight.shape[0]
    osize = output_size(x.shape[2:], weight.shape[2:], (1, 1, 1), padding, dilation)
    x = np.ascontiguousarray(x)
    w = np.ascontiguousarray(weight).reshape(groups, O // groups, -1)
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    pad = _arr(padding)
    out = np.empty((N, O) + tuple(osize), dtype=x.dtype)
    blocks = _sample_blocks(N)
    if _use_wide(x.shape[1:], weight.shape[2:], padding, dilation, blocks[-1][1] - blocks[-1][0]):
        _forward_wide(x, w, b, weight.shape[2:], padding, dilation, groups, out)
        return out
    key = (x.shape[1:], weight.shape[2:], O, groups, tuple(padding), tuple(dilation))

    def block(span):
        n0, n1 = span
        plan = _direct_plan(*key, n1 - n0)
        xt = scratch("xt", (C,) + plan.padded + (n1 - n0,), x.dtype, zero=any(padding))
        to_batch_last(x, pad, n0, n1, xt)
        y = scratch("y", (O,) + tuple(osize) + (n1 - n0,), x.dtype)
        xf, yf = xt.reshape(-1), y.reshape(-1)
        shifted_gemm_nn(w, xf, plan.rows, yf, plan.out_rows, plan.forward, plan.run, True)
        from_batch_last(y, _NO_PADDING, b, n0, out)

    WORKERS.map(block, blocks)
    return out


def _backward_direct(x, weight, gout, padding, dilation, groups, need_input, need_weight, need_bias):
    N, C = x.shape[:2]
    O = weight.shape[0]
    Og = O // groups
    x = np.ascontiguousarray(x)
    w = np.ascontiguousarray(weight).reshape(groups, Og, -1)
    g5 = np.ascontiguousarray(gout)
    pad = _arr(padding)
    gx = np.empty(x.shape, x.dtype) if need_input else None
    blocks = _sample_blocks(N)
    if _use_wide(x.shape[1:], weight.shape[2:], padding, dilation, blocks[-1][1] - blocks[-1][0]):
        args = (weight.shape[2:], padding, dilation, groups, need_input, need_weight, need_bias, gx)
        partial = _backward_wide(x, w, g5, *args)
        return _sum_partials(partial, weight.shape, need_weight, need_bias, gx)
    key = (x.shape[1:], weight.shape[2:], O, groups, tuple(padding), tuple(dilation))
    plan0 = _direct_plan(*key, 1)
    # wt[g, r, o] = weight[g*Og + o, c, k] for the taps r = c*K + k in kw-major order
    wt = np.ascontiguousarray(w.transpose(0, 2, 1)[:, plan0.perm]) if need_input else None

    def block(span):
        n0, n1 = span
        B = n1 - n0
        plan = _direct_plan(*key, B)
        gy = scratch("gy", (O,) + gout.shape[2:] + (B,), x.dtype)
        gb = np.zeros(O if need_bias else 0, x.dtype)
        grad_to_batch_last(g5, n0, n1, gy, gb)
        gyf = gy.reshape(-1)
        gw = None
        if need_weight:
            xt = scratch("xt", (C,) + plan.padded + (B,), x.dtype, zero=any(padding))
            to_batch_last(x, pad, n0, n1, xt)
            gw = np.zeros(w.shape, x.dtype)
            shifted_gemm_nt(gyf, plan.out_rows, xt.reshape(-1), plan.rows, plan.backward, plan.run, gw)
        if need_input:
            gxt = scratch("gxt", (C,) + plan.padded + (B,), x.dtype, zero=True)
            shifted_gemm_nn(wt, gyf, plan.out_rows, gxt.reshape(-1), plan.gx_rows, plan.backward, plan.run, False)
            from_batch_last(gxt, pad, _NO_BIAS[x.dtype.char], n0, gx)
        return gw, gb

    return _sum_partials(WORKERS.map(block, blocks), weight.shape, need_weight, need_bias, gx)


def _sum_partials(partial: list, wshape: tuple, need_weight: bool, need_bias: bool, gx) -> tuple:
    """(gx, grad weight, grad bias) from the blocks' partial (grad weight, grad bias) sums.

    Each block's partials are its own fresh arrays, so the first one is summed into in place.
    """
    gw = gb = None
    if need_weight:
        gw = partial[0][0]
        for p in partial[1:]:
            gw += p[0]
        gw = gw.reshape(wshape)
    if need_bias:
        gb = partial[0][1]
        for p in partial[1:]:
            gb += p[1]
    return gx, gw, gb


_NO_PADDING = np.zeros(3, dtype=np.int64)
_NO_BIAS = {"f": np.zeros(0, np.float32), "d": np.zeros(0, np.float64)}


def _forward_strided(x, weight, bias, stride, padding, dilation, groups) -> np.ndarray:
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


def _backward_strided(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight):
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


def _winograd_fits(x, weight, stride, padding, dilation, groups) -> bool:
    """2-d 3x3 convolution, stride 1, no dilation or groups, padding <= 2, enough channels."""
    return (
        weight.shape[2:] == (1, 3, 3)
        and x.shape[2] == 1
        and groups == 1
        and all(s == 1 for s in stride)
        and all(d == 1 for d in dilation)
        and padding[1] <= 2
        and padding[2] <= 2
        and x.shape[1] * weight.shape[0] >= WINOGRAD_MIN_CHANNELS
    )


# Where Winograd's 16 products run: "auto" puts them on our register-tiled GEMM (gemm.py) when
# it has its AVX-512 tile, else on NumPy's matmul; the tests force "ours" and "numpy" in turn.
WINOGRAD_PRODUCTS = "auto"


def _products_on_our_gemm() -> bool:
    """Our GEMM for the Winograd products? Measured on this AVX-512 machine (one core, a CIFAR
    sample's (64 x 64) @ (64 x 256) products): ours 150-165 GFLOP/s, OpenBLAS 185 on its
    SkylakeX kernels and 112 on the Haswell ones this machine's environment forces; CIFAR
    forward+backward 40-43 ms either way with ours, 41 and 53 ms with NumPy's. So ours, where
    its 4 x 64 tile fits the registers; on other CPUs BLAS keeps them (not measured here)."""
    return WINOGRAD_PRODUCTS == "ours" or (WINOGRAD_PRODUCTS == "auto" and _GEMM_RUN == 64)


def _tile_row(T: int) -> int:
    """Row length of V and M for T tiles: a whole and odd number of 64-byte lines, so that
    the rows of V one product reads do not all fall in the same few L1 sets."""
    lines = -(-T // 16)
    return 16 * (lines + 1 - lines % 2)


@functools.lru_cache(maxsize=256)
def _group_rows(groups: int, rows: int, length: int) -> np.ndarray:
    """(groups, rows) offsets of the rows of a (groups, rows, length) array."""
    return np.arange(groups * rows, dtype=np.int64).reshape(groups, rows) * length


_ONE_BASE = np.zeros((1, 2), dtype=np.int64)


def _winograd(x4, U, bias, ph, pw, out4) -> None:
    """out4 = conv(x4, 3x3 weight with Winograd transform U) + bias, zero padding (ph, pw), tile by tile."""
    N, C = x4.shape[:2]
    th, tw = (out4.shape[2] + 1) // 2, (out4.shape[3] + 1) // 2
    O = U.shape[1]
    ours = _products_on_our_gemm()

    def block(span):
        n0, n1 = span
        T = (n1 - n0) * th * tw
        Tp = _tile_row(T) if ours else T
        V = np.empty((16, C, Tp), dtype=x4.dtype)
        winograd_input(x4, ph, pw, th, tw, n0, n1, V)
        if ours:
            # the 16 products M[xi] = U[xi] @ V[xi] as the 16 groups of one GEMM
            M = np.empty((16, O, Tp), dtype=x4.dtype)
            rows, out_rows = _group_rows(16, C, Tp), _group_rows(16, O, Tp)
            shifted_gemm_nn(U, V.reshape(-1), rows, M.reshape(-1), out_rows, _ONE_BASE, T, True)
        else:
            M = np.matmul(U, V)
        winograd_output(M, bias, th, tw, n0, n1, out4)

    WORKERS.map(block, _blocks(N, 16 * C, th * tw, num_threads()))


def _forward_winograd(x, weight, bias, padding) -> np.ndarray:
    N, C, _, H, W = x.shape
    O = weight.shape[0]
    ph, pw = padding[1], padding[2]
    U = winograd_weight(weight[:, :, 0])
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    out = np.empty((N, O, 1, H + 2 * ph - 2, W + 2 * pw - 2), dtype=x.dtype)
    _winograd(np.ascontiguousarray(x[:, :, 0]), U, b, ph, pw, out[:, :, 0])
    return out


def _backward_winograd(x, weight, gout, padding, need_input, need_weight, need_bias):
    N, C, _, H, W = x.shape
    O = weight.shape[0]
    ph, pw = padding[1], padding[2]
    g4 = np.ascontiguousarray(gout[:, :, 0])
    gx = gw = gb = None
    if need_input:
        # grad input: the gradient convolved with the flipped kernel, in/out channels swapped
        U = winograd_weight(weight[:, :, 0, ::-1, ::-1].transpose(1, 0, 2, 3))
        gx = np.empty(x.shape, dtype=x.dtype)
        _winograd(g4, U, np.zeros(0, x.dtype), 2 - ph, 2 - pw, gx[:, :, 0])
    if need_weight:
        x4 = np.ascontiguousarray(x[:, :, 0])
        th, tw = (g4.shape[2] + 1) // 2, (g4.shape[3] + 1) // 2
        ours = _products_on_our_gemm()

        def block(span):
            n0, n1 = span
            T = (n1 - n0) * th * tw
            Tp = _tile_row(T) if ours else T
            V = np.empty((16, C, Tp), dtype=x.dtype)
            winograd_input(x4, ph, pw, th, tw, n0, n1, V)
            dM = np.empty((16, O, Tp), dtype=x.dtype)
            gb = np.zeros(O, dtype=x.dtype)
            winograd_output_grad(g4, th, tw, n0, n1, dM, gb)
            if not ours:
                return np.matmul(dM, V.transpose(0, 2, 1)), gb
            # dU[xi] = dM[xi] @ V[xi]^T, the 16 products as the groups of one GEMM
            dU = np.zeros((16, O, C), dtype=x.dtype)
            shifted_gemm_nt(
                dM.reshape(-1), _group_rows(16, O, Tp), V.reshape(-1), _group_rows(16, C, Tp), _ONE_BASE, T, dU
            )
            return dU, gb

        partial = WORKERS.map(block, _blocks(N, 16 * C, th * tw, num_threads()))
        _, dU, gb = _sum_partials(partial, (16, O, C), True, True, None)
        gw = winograd_weight_grad(dU).reshape(weight.shape)
    if need_bias and gb is None:
        gb = gout.sum(axis=(0, 2, 3, 4))
    return gx, gw, (gb if need_bias else None)
