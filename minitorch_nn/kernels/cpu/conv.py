# ruff: noqa: N803, N806, E741  (shape names N, C, O, K, P follow the math in the docstring)
"""Convolution kernels: three algorithms, chosen by shape, all in Numba around NumPy's BLAS.

One N-d design: every convolution is run as a 3-d one. A 1-d input (N, C, L)
is viewed as (N, C, 1, 1, L) and a 2-d one as (N, C, 1, H, W), with kernel,
stride, padding and dilation of 1/0 in the added dims, so one set of kernels
serves conv1d, conv2d and conv3d.

1. Winograd F(2x2, 3x3) (``winograd_*``): 2-d 3x3 kernels, stride 1, no
   dilation or groups, padding <= 2. Each 4x4 input patch d (stride 2) becomes
   V = B^T d B, each kernel U = G g G^T, and a 2x2 output tile is A^T (U . V) A;
   the 16 products U[xi] @ V[xi] (O, C) @ (C, tiles) are 16 GEMMs with 2.25x
   fewer multiplies than im2col. Grad input is the same algorithm on the output
   gradient with the kernel flipped and in/out channels swapped (padding 2 - p);
   grad weight is G^T (sum over tiles of (A dY A^T)[xi] V[xi]^T) G, the adjoint
   of each step. Every transform is exact linear algebra, so float64 results
   match torch to ~1e-14 and float32 to ~1e-5.
2. Wide im2col (``im2col_wide``): other stride-1 convolutions. In the zero-padded
   input flattened per channel, the input under kernel tap k for output position
   (zd, zh, zw) sits at off[k] + (zd*Hp*Wp + zh*Wp + zw). So with q running over
   the *wide* positions 0 <= q < L (all padded columns, L = (OD-1)*Hp*Wp +
   (OH-1)*Wp + OW) each column-matrix row is one contiguous copy

       col[c*K + k, b*L + q] = xp[n0 + b, c, off[k] + q]

   and forward / grad weight / grad input are the GEMMs W @ col, col @ gy^T and
   W^T @ gy, with gy the output gradient spread to wide positions (zeros in the
   Wp - OW padded columns). The padded columns cost (Wp/OW - 1) extra GEMM work
   (40% at LeNet conv2) but the copies are long and vectorised.
3. Strided im2col (``im2col``/``col2im``): everything else (stride > 1); rows are
   gathered position by position, zero padding applied inside the kernel.

Bias add is fused into the output reorder, and grad bias into the gradient
reorder. Column matrices are rebuilt in backward, not kept from forward
(keeping them was measured slower: big allocations fault pages and are cold in
cache by backward; LeNet conv1 fwd+bwd 2.2 ms kept vs 1.7 ms rebuilt).

Parallelism. The batch is cut into blocks of about ``BLOCK_ELEMENTS`` column
entries (small enough to stay in L2 between the copy and the GEMM), run on a
pool of ``numba.get_num_threads()`` Python threads; every kernel is ``nogil``,
NumPy's matmul releases the GIL, and BLAS is held to one thread per block.

Measurements (this 2-core VM, float32, both engines on 2 threads, ratio =
torch / ours for forward+backward; torch: LeNet conv1 3.0 ms, conv2 1.0 ms,
CIFAR 57-61 ms):
- prange kernels + 2-thread BLAS: CIFAR 0.13-0.16x (OpenBLAS and Numba's OpenMP
  workers spin after each call and fight for the 2 cores); BLAS pinned to one
  thread: 0.39-0.51x; serial kernels on a 2-thread Python pool: 0.52x, LeNet conv1
  0.78x, conv2 0.33x (the starting point of this version).
- wide im2col for stride 1: conv1 1.00x, conv2 0.42x.
- Winograd at CIFAR: forward 36 -> 19 ms, fwd+bwd 112 -> 64 ms: 0.95x. Its
  transforms were 3x faster after splitting loops so each has one store stream
  (LLVM drops vectorisation when many arrays may alias) and de-interleaving even
  and odd columns first (unit-stride loops).
- Slicing views inside hot loops costs an atomic reference count per view: the
  wide-im2col copy went 0.39 -> 0.08 ms (LeNet conv2, 64 samples) after indexing
  flat arrays with ``& NONNEG`` instead (it also lets LLVM drop the negative-index
  wrap-around, which otherwise turns loads into gathers).
- The strided im2col/col2im got the same flat indexing: 4.1 -> 2.9 ms (conv1)
  and 4.9 -> 3.6 ms (conv2) fwd+bwd when forced onto them; still slower than the
  wide path at stride 1 (10-wide rows), so stride 1 stays on the wide path.
- Grad weight as col @ (contiguous gy^T): 0.29 ms per LeNet conv2 batch against
  0.47 ms with a transposed view and 0.76 ms as gy @ col^T. ``np.dot`` in place of
  ``np.matmul`` was slower in the pipeline (conv2 3.5 vs 2.3 ms), though a bare
  small np.dot loop scales on two threads and a bare np.matmul loop does not.
- Block size: 2^16 elements beat 2^18 .. 2^22 at LeNet shapes (cache); no effect
  at CIFAR. A serial pipeline with 2-thread BLAS instead of the pool: equal at
  LeNet shapes, 2x slower at CIFAR (Winograd's 64x64 GEMMs do not split well).
Final table (benchmarks/results/conv.md, fwd+bwd): LeNet conv1 1.25x, conv2 0.46x,
CIFAR 0.99x; batch 1: conv1 2.3x, conv2 1.9x; conv2 at batch 256: 0.48x.
Not reached: LeNet conv2 fwd+bwd (~0.45-0.5x). It is GEMM-bound: three skinny
GEMMs (16 x 150 x 64*136) run at ~85-110 GFLOP/s on one core (1.2-1.5 ms of the
~2 ms, by cProfile of a serial run), and two Python threads each doing such small
GEMMs through np.matmul do not run faster than one (measured: the same work in 1
or 2 threads takes the same time, while a large GEMM or a plain Numba loop
scales 1.9x). A direct Numba kernel (no
im2col) reached only ~35 GFLOP/s (LLVM keeps the accumulators in memory). What
would help: a GEMM micro-kernel that keeps a 16-channel tile in registers, or
Winograd F(2x2, 5x5).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit

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


@njit(cache=True, nogil=True)
def _valid_range(start, step, size, n):  # pragma: no cover - jitted
    """The z in [0, n) with 0 <= start + z * step < size, as a half-open range (lo, hi)."""
    lo = 0 if start >= 0 else (-start + step - 1) // step
    hi = 0 if start >= size else (size - 1 - start) // step + 1
    return lo, max(lo, min(n, hi))


@njit(cache=True, nogil=True)
def im2col(x, ksize, stride, padding, dilation, osize, n0, n1, groups, col):  # pragma: no cover - jitted
    """Fill col (groups, Cg*K, B*P) from x (N, C, D, H, W) for samples n0 <= n < n1.

    Row c*K + k of the flat col is channel c, tap k (the group split is implicit).
    """
    C, D, H, W = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    kh, kw = ksize[1], ksize[2]
    od, oh, ow = osize[0], osize[1], osize[2]
    sd, sh, sw = stride[0], stride[1], stride[2]
    K = ksize[0] * kh * kw
    P = od * oh * ow
    B = n1 - n0
    xf = x.reshape(-1)
    cf = col.reshape(-1)
    for r in range(C * K):
        c = r // K
        k = r % K
        d0 = (k // (kh * kw)) * dilation[0] - padding[0]
        h0 = ((k // kw) % kh) * dilation[1] - padding[1]
        w0 = (k % kw) * dilation[2] - padding[2]
        dlo, dhi = _valid_range(d0, sd, D, od)
        hlo, hhi = _valid_range(h0, sh, H, oh)
        wlo, whi = _valid_range(w0, sw, W, ow)
        for b in range(B):
            base = ((r * B + b) * P) & NONNEG
            for q in range(P):
                cf[base + q] = 0
            image = ((n0 + b) * C + c) * D * H * W
            for zd in range(dlo, dhi):
                d = zd * sd + d0
                for zh in range(hlo, hhi):
                    h = zh * sh + h0
                    dst = (base + (zd * oh + zh) * ow + wlo) & NONNEG
                    src = (image + (d * H + h) * W + wlo * sw + w0) & NONNEG
                    for zw in range(whi - wlo):
                        cf[dst + zw] = xf[src + zw * sw]


@njit(cache=True, nogil=True)
def col2im(col, ksize, stride, padding, dilation, osize, n0, gx):  # pragma: no cover - jitted
    """Scatter-add col (groups, Cg*K, B*P) into gx[n0:n0+B] (N, C, D, H, W); gx pre-zeroed."""
    C, D, H, W = gx.shape[1], gx.shape[2], gx.shape[3], gx.shape[4]
    kh, kw = ksize[1], ksize[2]
    od, oh, ow = osize[0], osize[1], osize[2]
    sd, sh, sw = stride[0], stride[1], stride[2]
    K = ksize[0] * kh * kw
    P = od * oh * ow
    B = col.shape[2] // P
    gf = gx.reshape(-1)
    cf = col.reshape(-1)
    for t in range(B * C):
        b = t // C
        c = t % C
        image = ((n0 + b) * C + c) * D * H * W
        for k in range(K):
            base = (((c * K + k) * B + b) * P) & NONNEG
            d0 = (k // (kh * kw)) * dilation[0] - padding[0]
            h0 = ((k // kw) % kh) * dilation[1] - padding[1]
            w0 = (k % kw) * dilation[2] - padding[2]
            dlo, dhi = _valid_range(d0, sd, D, od)
            hlo, hhi = _valid_range(h0, sh, H, oh)
            wlo, whi = _valid_range(w0, sw, W, ow)
            for zd in range(dlo, dhi):
                d = zd * sd + d0
                for zh in range(hlo, hhi):
                    h = zh * sh + h0
                    src = (base + (zd * oh + zh) * ow + wlo) & NONNEG
                    dst = (image + (d * H + h) * W + wlo * sw + w0) & NONNEG
                    for zw in range(whi - wlo):
                        gf[dst + zw * sw] += cf[src + zw]


@njit(cache=True, nogil=True)
def unfold_output(y, bias, n0, out):  # pragma: no cover - jitted
    """out[n0 + b, o, p] = y[o, b*P + p] + bias[o]  (y: (O, B*P); bias of length O or 0)."""
    O, P = out.shape[1], out.shape[2]
    B = y.shape[1] // P
    has_bias = bias.shape[0] > 0
    for t in range(B * O):
        b = t // O
        o = t % O
        add = bias[o] if has_bias else 0
        for p in range(P):
            out[n0 + b, o, p] = y[o, b * P + p] + add


@njit(cache=True, nogil=True)
def fold_grad_output(gout, n0, n1, out):  # pragma: no cover - jitted
    """out[o, b*P + p] = gout[n0 + b, o, p]  (the transpose of ``unfold_output``)."""
    O, P = gout.shape[1], gout.shape[2]
    for t in range((n1 - n0) * O):
        b = t // O
        o = t % O
        for p in range(P):
            out[o, b * P + p] = gout[n0 + b, o, p]


@njit(cache=True, nogil=True)
def im2col_wide(xp, off, L, n0, n1, groups, col):  # pragma: no cover - jitted
    """Stride 1: col[g, c*K + k, b*L + q] = xp[n0 + b, g*Cg + c, off[k] + q] (xp: (N, C, S) flat, padded).

    With contiguous arrays the group split is implicit: row c*K + k of col holds channel c.
    """
    C, S = xp.shape[1], xp.shape[2]
    K = off.shape[0]
    B = n1 - n0
    xf = xp.reshape(-1)
    cf = col.reshape(-1)
    for r in range(C * K):
        c = r // K
        s = off[r % K]
        for b in range(B):
            src = (((n0 + b) * C + c) * S + s) & NONNEG
            dst = ((r * B + b) * L) & NONNEG
            for q in range(L):
                cf[dst + q] = xf[src + q]


@njit(cache=True, nogil=True)
def col2im_wide(gcol, off, L, n0, gxp):  # pragma: no cover - jitted
    """The adjoint of ``im2col_wide``: gxp[n0 + b, g*Cg + c, off[k] + q] += gcol[g, c*K + k, b*L + q]."""
    C, S = gxp.shape[1], gxp.shape[2]
    K = off.shape[0]
    B = gcol.shape[2] // L
    gf = gxp.reshape(-1)
    cf = gcol.reshape(-1)
    for t in range(B * C):
        b = t // C
        c = t % C
        base = ((n0 + b) * C + c) * S
        for k in range(K):
            src = (((c * K + k) * B + b) * L) & NONNEG
            dst = (base + off[k]) & NONNEG
            for q in range(L):
                gf[dst + q] += cf[src + q]


@njit(cache=True, nogil=True)
def wide_to_output(y, bias, pitch, n0, out):  # pragma: no cover - jitted
    """out[n0 + b, o, zd, zh, zw] = y[o, b*L + zd*pitch[0] + zh*pitch[1] + zw] + bias[o]."""
    O, OD, OH, OW = out.shape[1], out.shape[2], out.shape[3], out.shape[4]
    L = (OD - 1) * pitch[0] + (OH - 1) * pitch[1] + OW
    B = y.shape[1] // L
    has_bias = bias.shape[0] > 0
    yf = y.reshape(-1)
    of = out.reshape(-1)
    for t in range(B * O):
        b = t // O
        o = t % O
        add = bias[o] if has_bias else 0
        for zd in range(OD):
            for zh in range(OH):
                src = (o * B * L + b * L + zd * pitch[0] + zh * pitch[1]) & NONNEG
                dst = ((((n0 + b) * O + o) * OD + zd) * OH + zh) * OW & NONNEG
                for zw in range(OW):
                    of[dst + zw] = yf[src + zw] + add


@njit(cache=True, nogil=True)
def output_to_wide(gout, pitch, n0, n1, gy, gb):  # pragma: no cover - jitted
    """The adjoint of ``wide_to_output``: gy (O, B*L) with zeros between rows; gb[o] += sum of gout[n, o]."""
    O, OD, OH, OW = gout.shape[1], gout.shape[2], gout.shape[3], gout.shape[4]
    L = (OD - 1) * pitch[0] + (OH - 1) * pitch[1] + OW
    B = n1 - n0
    gf = gout.reshape(-1)
    yf = gy.reshape(-1)
    yf[:] = 0
    for o in range(O):
        total = 0.0
        for b in range(B):
            for zd in range(OD):
                for zh in range(OH):
                    dst = (o * B * L + b * L + zd * pitch[0] + zh * pitch[1]) & NONNEG
                    src = ((((n0 + b) * O + o) * OD + zd) * OH + zh) * OW & NONNEG
                    for zw in range(OW):
                        v = gf[src + zw]
                        yf[dst + zw] = v
                        total += v
        gb[o] += total


@njit(cache=True, nogil=True)
def winograd_weight(w, U):  # pragma: no cover - jitted
    """U[:, o, c] = (G w[o, c] G^T) flattened (4x4), for 3x3 kernels."""
    O, C = w.shape[0], w.shape[1]
    t = np.empty((4, 3), w.dtype)
    for o in range(O):
        for c in range(C):
            g = w[o, c]
            for j in range(3):
                t[0, j] = g[0, j]
                t[1, j] = 0.5 * (g[0, j] + g[1, j] + g[2, j])
                t[2, j] = 0.5 * (g[0, j] - g[1, j] + g[2, j])
                t[3, j] = g[2, j]
            for i in range(4):
                U[4 * i + 0, o, c] = t[i, 0]
                U[4 * i + 1, o, c] = 0.5 * (t[i, 0] + t[i, 1] + t[i, 2])
                U[4 * i + 2, o, c] = 0.5 * (t[i, 0] - t[i, 1] + t[i, 2])
                U[4 * i + 3, o, c] = t[i, 2]


@njit(cache=True, nogil=True)
def winograd_weight_grad(dU, gw):  # pragma: no cover - jitted
    """gw[o, c] = G^T dU[:, o, c] G (the adjoint of ``winograd_weight``)."""
    O, C = gw.shape[0], gw.shape[1]
    t = np.empty((4, 3), gw.dtype)
    for o in range(O):
        for c in range(C):
            for i in range(4):
                a0, a1, a2, a3 = dU[4 * i, o, c], dU[4 * i + 1, o, c], dU[4 * i + 2, o, c], dU[4 * i + 3, o, c]
                t[i, 0] = a0 + 0.5 * (a1 + a2)
                t[i, 1] = 0.5 * (a1 - a2)
                t[i, 2] = 0.5 * (a1 + a2) + a3
            for j in range(3):
                gw[o, c, 0, j] = t[0, j] + 0.5 * (t[1, j] + t[2, j])
                gw[o, c, 1, j] = 0.5 * (t[1, j] - t[2, j])
                gw[o, c, 2, j] = 0.5 * (t[1, j] + t[2, j]) + t[3, j]


@njit(cache=True, nogil=True, fastmath=True)
def winograd_input(x, ph, pw, th, tw, n0, n1, V):  # pragma: no cover - jitted
    """V[:, c, (b, i, j)] = B^T d B for the 4x4 patch d of x[n0 + b, c] at (2i - ph, 2j - pw), zeros outside."""
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    # the zero-padded image split into even and odd columns, so every loop below is unit-stride
    E = np.zeros((2 * th + 2, tw + 1), x.dtype)
    D = np.zeros((2 * th + 2, tw + 1), x.dtype)
    re = np.empty(tw + 1, x.dtype)
    ro = np.empty(tw + 1, x.dtype)
    for b in range(n1 - n0):
        for c in range(C):
            src = x[n0 + b, c]
            for a in range(2 * th + 2):
                h = a - ph
                e = E[a]
                o = D[a]
                if 0 <= h < H:
                    row = src[h]
                    # columns q with both 2q - pw and 2q + 1 - pw inside the row: no tests needed
                    qlo = (pw + 1) // 2
                    qhi = max(qlo, min(tw + 1, (W + pw - 1) // 2))
                    for q in range(qlo):
                        w = 2 * q - pw
                        e[q] = row[w] if 0 <= w < W else 0
                        o[q] = row[w + 1] if 0 <= w + 1 < W else 0
                    inner = row[2 * qlo - pw : 2 * qhi - pw]
                    ei = e[qlo:qhi]
                    oi = o[qlo:qhi]
                    for q in range(qhi - qlo):
                        ei[q] = inner[2 * q]
                    for q in range(qhi - qlo):
                        oi[q] = inner[2 * q + 1]
                    for q in range(qhi, tw + 1):
                        w = 2 * q - pw
                        e[q] = row[w] if 0 <= w < W else 0
                        o[q] = row[w + 1] if 0 <= w + 1 < W else 0
                else:
                    e[:] = 0
                    o[:] = 0
            # row u of B^T d is d[a] + sign * d[b'] (rows of the 4x4 patch): d0-d2, d1+d2, d2-d1, d1-d3
            t0 = b * th * tw
            for u in range(4):
                ra = (0, 1, 2, 1)[u]
                rb = (2, 2, 1, 3)[u]
                sign = 1.0 if u == 1 else -1.0
                v0 = V[4 * u, c, t0 : t0 + th * tw]
                v1 = V[4 * u + 1, c, t0 : t0 + th * tw]
                v2 = V[4 * u + 2, c, t0 : t0 + th * tw]
                v3 = V[4 * u + 3, c, t0 : t0 + th * tw]
                for i in range(th):
                    ea, eb = E[2 * i + ra], E[2 * i + rb]
                    oa, ob = D[2 * i + ra], D[2 * i + rb]
                    k = i * tw
                    # one store stream per loop: LLVM gives up vectorising loops with many
                    # possibly-aliasing arrays, so the row pair is combined first
                    for j in range(tw + 1):
                        re[j] = ea[j] + sign * eb[j]
                    for j in range(tw + 1):
                        ro[j] = oa[j] + sign * ob[j]
                    w0, w1, w2, w3 = v0[k : k + tw], v1[k : k + tw], v2[k : k + tw], v3[k : k + tw]
                    for j in range(tw):
                        w0[j] = re[j] - re[j + 1]
                    for j in range(tw):
                        w1[j] = ro[j] + re[j + 1]
                    for j in range(tw):
                        w2[j] = re[j + 1] - ro[j]
                    for j in range(tw):
                        w3[j] = ro[j] - ro[j + 1]


@njit(cache=True, nogil=True)
def winograd_output(M, bias, th, tw, n0, out):  # pragma: no cover - jitted
    """out[n0 + b, o, 2i:2i+2, 2j:2j+2] = A^T M[:, o, (b, i, j)] A + bias[o], cropped to the output."""
    O, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    B = M.shape[2] // (th * tw)
    has_bias = bias.shape[0] > 0
    for b in range(B):
        for o in range(O):
            add = bias[o] if has_bias else 0
            dst = out[n0 + b, o]
            for i in range(th):
                for j in range(tw):
                    t = (b * th + i) * tw + j
                    s00 = M[0, o, t] + M[4, o, t] + M[8, o, t]
                    s01 = M[1, o, t] + M[5, o, t] + M[9, o, t]
                    s02 = M[2, o, t] + M[6, o, t] + M[10, o, t]
                    s03 = M[3, o, t] + M[7, o, t] + M[11, o, t]
                    s10 = M[4, o, t] - M[8, o, t] - M[12, o, t]
                    s11 = M[5, o, t] - M[9, o, t] - M[13, o, t]
                    s12 = M[6, o, t] - M[10, o, t] - M[14, o, t]
                    s13 = M[7, o, t] - M[11, o, t] - M[15, o, t]
                    h = 2 * i
                    w = 2 * j
                    dst[h, w] = s00 + s01 + s02 + add
                    if w + 1 < OW:
                        dst[h, w + 1] = s01 - s02 - s03 + add
                    if h + 1 < OH:
                        dst[h + 1, w] = s10 + s11 + s12 + add
                        if w + 1 < OW:
                            dst[h + 1, w + 1] = s11 - s12 - s13 + add


@njit(cache=True, nogil=True, fastmath=True)
def winograd_output_grad(gout, th, tw, n0, n1, dM, gb):  # pragma: no cover - jitted
    """dM[:, o, (b, i, j)] = A dY A^T (the adjoint of ``winograd_output``); gb[o] += sum of gout[n, o].

    dY is the 2x2 tile of gout at (2i, 2j), zeros past the edge. With rows r0 = y0, r1 = y0 + y1,
    r2 = y0 - y1, r3 = -y1 of A dY, row u of dM is (r[0], r[0] + r[1], r[0] - r[1], -r[1]).
    """
    O, OH, OW = gout.shape[1], gout.shape[2], gout.shape[3]
    T = th * tw
    # one image split into even (E) and odd (D) columns, zero-padded to 2*th x tw
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
    return np.asarray(t, dtype=np.int64)


class _Workers:
    """A pool of Python threads that run blocks of the batch side by side.

    Each block is im2col (Numba, GIL released) then a GEMM (NumPy's BLAS, GIL released).
    BLAS is held to one thread meanwhile: a threaded BLAS would leave its worker spinning
    after each call and fight the other blocks for the cores.
    """

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._size = 0
        self._lock = threading.Lock()
        self._blas = _blas_controller()

    def map(self, fn, items: list) -> list:
        workers = min(numba.get_num_threads(), len(items))
        if workers <= 1:
            return [fn(item) for item in items]
        with self._lock:
            if self._pool is None or self._size != workers:
                if self._pool is not None:
                    self._pool.shutdown()
                self._pool = ThreadPoolExecutor(workers, thread_name_prefix="minitorch-conv")
                self._size = workers
        chunks = [items[i::workers] for i in range(workers)]
        before = self._blas.get_num_threads() if self._blas is not None else None
        if self._blas is not None:
            self._blas.set_num_threads(1)
        try:
            futures = [self._pool.submit(lambda c=c: [fn(item) for item in c]) for c in chunks]
            results = [f.result() for f in futures]
        finally:
            if self._blas is not None:
                self._blas.set_num_threads(before)
        return [r for chunk in results for r in chunk]


def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    libs = ThreadpoolController().select(user_api="blas").lib_controllers
    return libs[0] if len(libs) == 1 else None


WORKERS = _Workers()


def _wide_plan(shape, ksize, padding, dilation, osize):
    """Offsets of the kernel taps in the flattened padded input, the row pitches, and L (see docstring)."""
    Dp, Hp, Wp = (s + 2 * p for s, p in zip(shape, padding))
    off = np.array(
        [
            a * dilation[0] * Hp * Wp + b * dilation[1] * Wp + c * dilation[2]
            for a in range(ksize[0])
            for b in range(ksize[1])
            for c in range(ksize[2])
        ],
        dtype=np.int64,
    )
    pitch = np.array([Hp * Wp, Wp], dtype=np.int64)
    L = (osize[0] - 1) * Hp * Wp + (osize[1] - 1) * Wp + osize[2]
    return off, pitch, L


def _pad_flat(x, padding) -> np.ndarray:
    """x (N, C, D, H, W) zero-padded and flattened to (N, C, Dp*Hp*Wp); no copy without padding."""
    N, C = x.shape[:2]
    if any(padding):
        pd, ph, pw = padding
        D, H, W = x.shape[2:]
        xp = np.zeros((N, C, D + 2 * pd, H + 2 * ph, W + 2 * pw), dtype=x.dtype)
        xp[:, :, pd : pd + D, ph : ph + H, pw : pw + W] = x
        x = xp
    return x.reshape(N, C, -1)


def _crop(gxp, shape, padding) -> np.ndarray:
    """The adjoint of ``_pad_flat``: the (N, C, D, H, W) interior of a flat padded gradient."""
    N, C, D, H, W = shape
    pd, ph, pw = padding
    full = gxp.reshape(N, C, D + 2 * pd, H + 2 * ph, W + 2 * pw)
    return full if not any(padding) else np.ascontiguousarray(full[:, :, pd : pd + D, ph : ph + H, pw : pw + W])


def conv_forward(x, weight, bias, stride, padding, dilation, groups) -> np.ndarray:
    """y (N, O, *osize) = conv(x (N, C, D, H, W), weight (O, C/g, kd, kh, kw)) + bias."""
    if _winograd_fits(x, weight, stride, padding, dilation, groups):
        return _forward_winograd(x, weight, bias, padding)
    if all(s == 1 for s in stride):
        return _forward_wide(x, weight, bias, padding, dilation, groups)
    return _forward_strided(x, weight, bias, stride, padding, dilation, groups)


def conv_backward(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight, need_bias=False):
    """(grad x, grad weight, grad bias) of ``conv_forward`` for upstream gradient gout (N, O, *osize).

    A gradient not asked for is None; grad bias is only computed alongside one of the others.
    """
    if _winograd_fits(x, weight, stride, padding, dilation, groups):
        return _backward_winograd(x, weight, gout, padding, need_input, need_weight, need_bias)
    if all(s == 1 for s in stride):
        return _backward_wide(x, weight, gout, padding, dilation, groups, need_input, need_weight, need_bias)
    gx, gw = _backward_strided(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight)
    gb = gout.sum(axis=(0, 2, 3, 4)) if need_bias else None
    return gx, gw, gb


def _forward_wide(x, weight, bias, padding, dilation, groups) -> np.ndarray:
    N, C = x.shape[:2]
    O = weight.shape[0]
    ksize = weight.shape[2:]
    osize = output_size(x.shape[2:], ksize, (1, 1, 1), padding, dilation)
    off, pitch, L = _wide_plan(x.shape[2:], ksize, padding, dilation, osize)
    K = off.shape[0]
    Cg, Og = C // groups, O // groups
    xp = _pad_flat(x, padding)
    w = np.ascontiguousarray(weight).reshape(groups, Og, Cg * K)
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    out = np.empty((N, O) + tuple(osize), dtype=x.dtype)

    def block(span):
        n0, n1 = span
        col = np.empty((groups, Cg * K, (n1 - n0) * L), dtype=x.dtype)
        im2col_wide(xp, off, L, n0, n1, groups, col)
        y = np.matmul(w, col).reshape(O, (n1 - n0) * L)
        wide_to_output(y, b, pitch, n0, out)

    WORKERS.map(block, _blocks(N, C * K, L, numba.get_num_threads()))
    return out


def _backward_wide(x, weight, gout, padding, dilation, groups, need_input, need_weight, need_bias):
    N, C = x.shape[:2]
    O = weight.shape[0]
    ksize = weight.shape[2:]
    off, pitch, L = _wide_plan(x.shape[2:], ksize, padding, dilation, gout.shape[2:])
    K = off.shape[0]
    Cg, Og = C // groups, O // groups
    xp = _pad_flat(x, padding) if need_weight else None
    w = np.ascontiguousarray(weight).reshape(groups, Og, Cg * K)
    wt = np.ascontiguousarray(w.transpose(0, 2, 1)) if need_input else None
    g5 = np.ascontiguousarray(gout)
    padded_size = int(np.prod([s + 2 * p for s, p in zip(x.shape[2:], padding)]))
    gxp = np.zeros((N, C, padded_size), x.dtype) if need_input else None

    def block(span):
        n0, n1 = span
        gy = np.empty((O, (n1 - n0) * L), dtype=x.dtype)
        gb = np.zeros(O, dtype=x.dtype)
        output_to_wide(g5, pitch, n0, n1, gy, gb)
        gy = gy.reshape(groups, Og, (n1 - n0) * L)
        gwt = None
        if need_weight:
            # rebuilt rather than kept from forward: measured faster (cache-warm, no big allocation)
            col = np.empty((groups, Cg * K, (n1 - n0) * L), dtype=x.dtype)
            im2col_wide(xp, off, L, n0, n1, groups, col)
            # (Cg*K, Og) = col @ gy^T with gy^T made contiguous: at LeNet conv2 this ran
            # 0.29 ms per batch vs 0.47 (transposed view) and 0.76 (gy @ col^T)
            gwt = np.matmul(col, np.ascontiguousarray(gy.transpose(0, 2, 1)))
        if need_input:
            col2im_wide(np.matmul(wt, gy), off, L, n0, gxp)
        return gwt, gb

    partial = WORKERS.map(block, _blocks(N, C * K, L, numba.get_num_threads()))
    gw = gb = None
    if need_weight:
        gwt = partial[0][0]
        for p in partial[1:]:
            gwt += p[0]
        gw = np.ascontiguousarray(gwt.transpose(0, 2, 1)).reshape(weight.shape)
    if need_bias:
        gb = partial[0][1]
        for p in partial[1:]:
            gb += p[1]
    gx = _crop(gxp, x.shape, padding) if need_input else None
    return gx, gw, gb


def _forward_strided(x, weight, bias, stride, padding, dilation, groups) -> np.ndarray:
    N, C = x.shape[:2]
    O = weight.shape[0]
    ksize = weight.shape[2:]
    osize = output_size(x.shape[2:], ksize, stride, padding, dilation)
    K = int(np.prod(ksize))
    P = int(np.prod(osize))
    Cg, Og = C // groups, O // groups
    w = np.ascontiguousarray(weight).reshape(groups, Og, Cg * K)
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    out = np.empty((N, O, P), dtype=x.dtype)
    args = (_arr(ksize), _arr(stride), _arr(padding), _arr(dilation), _arr(osize))

    def block(span):
        n0, n1 = span
        col = np.empty((groups, Cg * K, (n1 - n0) * P), dtype=x.dtype)
        im2col(x, *args, n0, n1, groups, col)
        y = np.matmul(w, col).reshape(O, (n1 - n0) * P)
        unfold_output(y, b, n0, out)

    WORKERS.map(block, _blocks(N, C * K, P, numba.get_num_threads()))
    return out.reshape((N, O) + tuple(osize))


def _backward_strided(x, weight, gout, stride, padding, dilation, groups, need_input, need_weight):
    N, C = x.shape[:2]
    O = weight.shape[0]
    ksize = weight.shape[2:]
    osize = gout.shape[2:]
    K = int(np.prod(ksize))
    P = int(np.prod(osize))
    Cg, Og = C // groups, O // groups
    w = np.ascontiguousarray(weight).reshape(groups, Og, Cg * K)
    g3 = np.ascontiguousarray(gout).reshape(N, O, P)
    gx = np.zeros(x.shape, dtype=x.dtype) if need_input else None
    args = (_arr(ksize), _arr(stride), _arr(padding), _arr(dilation), _arr(osize))
    wt = np.ascontiguousarray(w.transpose(0, 2, 1)) if need_input else None

    def block(span):
        n0, n1 = span
        gy = np.empty((O, (n1 - n0) * P), dtype=x.dtype)
        fold_grad_output(g3, n0, n1, gy)
        gy = gy.reshape(groups, Og, (n1 - n0) * P)
        gw = None
        if need_weight:
            col = np.empty((groups, Cg * K, (n1 - n0) * P), dtype=x.dtype)
            im2col(x, *args, n0, n1, groups, col)
            gw = np.matmul(gy, col.transpose(0, 2, 1))
        if need_input:
            gcol = np.matmul(wt, gy)
            col2im(gcol, *args, n0, gx)
        return gw

    partial = WORKERS.map(block, _blocks(N, C * K, P, numba.get_num_threads()))
    gw = None
    if need_weight:
        gw = partial[0]
        for p in partial[1:]:
            gw += p
        gw = gw.reshape(weight.shape)
    return gx, gw


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


def _winograd(x4, U, bias, ph, pw, out4) -> None:
    """out4 = conv(x4, 3x3 weight with Winograd transform U) + bias, zero padding (ph, pw), tile by tile."""
    N, C = x4.shape[:2]
    th, tw = (out4.shape[2] + 1) // 2, (out4.shape[3] + 1) // 2

    def block(span):
        n0, n1 = span
        V = np.empty((16, C, (n1 - n0) * th * tw), dtype=x4.dtype)
        winograd_input(x4, ph, pw, th, tw, n0, n1, V)
        winograd_output(np.matmul(U, V), bias, th, tw, n0, out4)

    WORKERS.map(block, _blocks(N, 16 * C, th * tw, numba.get_num_threads()))


def _forward_winograd(x, weight, bias, padding) -> np.ndarray:
    N, C, _, H, W = x.shape
    O = weight.shape[0]
    ph, pw = padding[1], padding[2]
    U = np.empty((16, O, C), dtype=x.dtype)
    winograd_weight(np.ascontiguousarray(weight[:, :, 0]), U)
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
        flipped = np.ascontiguousarray(weight[:, :, 0, ::-1, ::-1].transpose(1, 0, 2, 3))
        U = np.empty((16, C, O), dtype=x.dtype)
        winograd_weight(flipped, U)
        gx = np.empty(x.shape, dtype=x.dtype)
        _winograd(g4, U, np.zeros(0, x.dtype), 2 - ph, 2 - pw, gx[:, :, 0])
    if need_weight:
        x4 = np.ascontiguousarray(x[:, :, 0])
        th, tw = (g4.shape[2] + 1) // 2, (g4.shape[3] + 1) // 2

        def block(span):
            n0, n1 = span
            T = (n1 - n0) * th * tw
            V = np.empty((16, C, T), dtype=x.dtype)
            winograd_input(x4, ph, pw, th, tw, n0, n1, V)
            dM = np.empty((16, O, T), dtype=x.dtype)
            gb = np.zeros(O, dtype=x.dtype)
            winograd_output_grad(g4, th, tw, n0, n1, dM, gb)
            return np.matmul(dM, V.transpose(0, 2, 1)), gb

        partial = WORKERS.map(block, _blocks(N, 16 * C, th * tw, numba.get_num_threads()))
        dU, gb = partial[0]
        for p in partial[1:]:
            dU += p[0]
            gb += p[1]
        gw = np.empty(weight.shape, dtype=x.dtype)
        winograd_weight_grad(dU, gw[:, :, 0])
    if need_bias and gb is None:
        gb = gout.sum(axis=(0, 2, 3, 4))
    return gx, gw, (gb if need_bias else None)
