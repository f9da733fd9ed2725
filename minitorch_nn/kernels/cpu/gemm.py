# ruff: noqa: N803, N806, E741  (matrix names A, C, K, M follow the math in the docstring)
"""Register-tiled GEMM micro-kernels over *shifted rows* of a flat array.

A convolution with stride 1 is a matrix product whose right-hand matrix is never
built: in a zero-padded input flattened per channel, the input under kernel tap k
for the (wide) output position q is ``x[rows[k] + q]`` (see conv.py). So both
kernels here take the rows of their second operand as offsets into one flat array:

- ``shifted_gemm_nn``:  dst[m, j] += sum_k A[m, k] * src[rows[k] + j]   (forward, grad input)
- ``shifted_gemm_nt``:  acc[m, k] += sum_j A[m, j] * src[rows[k] + j]   (grad weight)

Why hand-written instead of NumPy's BLAS. The products in LeNet are skinny
(16 x 150 times 150 x a few hundred): OpenBLAS runs them at ~80-105 GFLOP/s on one
core of this machine, but two Python threads calling it reach only ~125 GFLOP/s
together, while these Numba loops scale ~1.9x on two threads (NN 4x4 tile
~80 GFLOP/s, NT 4x4 tile ~83 GFLOP/s on one core; NT ~158 GFLOP/s on two; rows of a
few hundred numbers; longer rows run faster, ~100 GFLOP/s at 512). They also make
the im2col copy unnecessary.

How they are made fast without SIMD intrinsics. LLVM vectorises the innermost loop
only, and keeps values in registers only when they are scalars. So:
- NN: the innermost loop runs over j (contiguous); four rows of A times four taps are
  held as 16 scalars, and each sweep updates four rows of dst with four taps at once:
  4 loads of src, 4 loads + 4 stores of dst per 16 multiply-adds (FMA-bound, not
  store-bound, as a one-tap loop would be).
- NT: the innermost loop runs over j, the reduction; a 4 x 4 tile of results lives in
  16 scalar accumulators, which ``fastmath`` lets LLVM turn into vector accumulators:
  8 loads per 16 multiply-adds.
Indices are combined with ``& NONNEG`` so LLVM can drop Numba's negative-index
wrap-around (which otherwise turns the loads into gathers). Rows and columns that
do not fill a 4-tile are done one row (NN) or one tap (NT) at a time.
"""

from __future__ import annotations

from numba import njit

NONNEG = 0x7FFFFFFFFFFFFFFF


@njit(cache=True, nogil=True, fastmath=True)
def shifted_gemm_nn(A, src, rows, dst, drows, n):  # pragma: no cover - jitted
    """dst[drows[m] + j] += sum_k A[m, k] * src[rows[k] + j]  for m < M, j < n.

    A (M, K) contiguous; src, dst flat; rows (K,) and drows (M,) offsets. Rows of dst
    may overlap (grad input scatters them onto the same image): that is still exact,
    as the loops run in order, but only fast when the 8 (or 4) rows of a tile do not.
    """
    M = A.shape[0]
    m = 0
    while m + 8 <= M:
        _nn_tile8(A, m, src, rows, dst, drows, n)
        m += 8
    if m + 4 <= M:
        _nn_tile4(A, m, src, rows, dst, drows, n)
        m += 4
    if m + 2 <= M:
        _nn_tile2(A, m, src, rows, dst, drows, n)
        m += 2
    if m < M:
        _nn_row(A, m, src, rows, dst, drows, n)


@njit(cache=True, nogil=True, fastmath=True)
def _nn_tile8(A, m, src, rows, dst, drows, n):  # pragma: no cover - jitted
    """Rows m..m+7 of ``shifted_gemm_nn``: 8 x 4 weights in registers, four taps per sweep."""
    K = A.shape[1]
    K4 = K - K % 4
    d0, d1, d2, d3 = drows[m], drows[m + 1], drows[m + 2], drows[m + 3]
    d4, d5, d6, d7 = drows[m + 4], drows[m + 5], drows[m + 6], drows[m + 7]
    for k in range(0, K4, 4):
        a00, a01, a02, a03 = A[m, k], A[m, k + 1], A[m, k + 2], A[m, k + 3]
        a10, a11, a12, a13 = A[m + 1, k], A[m + 1, k + 1], A[m + 1, k + 2], A[m + 1, k + 3]
        a20, a21, a22, a23 = A[m + 2, k], A[m + 2, k + 1], A[m + 2, k + 2], A[m + 2, k + 3]
        a30, a31, a32, a33 = A[m + 3, k], A[m + 3, k + 1], A[m + 3, k + 2], A[m + 3, k + 3]
        a40, a41, a42, a43 = A[m + 4, k], A[m + 4, k + 1], A[m + 4, k + 2], A[m + 4, k + 3]
        a50, a51, a52, a53 = A[m + 5, k], A[m + 5, k + 1], A[m + 5, k + 2], A[m + 5, k + 3]
        a60, a61, a62, a63 = A[m + 6, k], A[m + 6, k + 1], A[m + 6, k + 2], A[m + 6, k + 3]
        a70, a71, a72, a73 = A[m + 7, k], A[m + 7, k + 1], A[m + 7, k + 2], A[m + 7, k + 3]
        r0, r1, r2, r3 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3]
        for j in range(n):
            x0 = src[(r0 + j) & NONNEG]
            x1 = src[(r1 + j) & NONNEG]
            x2 = src[(r2 + j) & NONNEG]
            x3 = src[(r3 + j) & NONNEG]
            dst[(d0 + j) & NONNEG] += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3
            dst[(d1 + j) & NONNEG] += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3
            dst[(d2 + j) & NONNEG] += a20 * x0 + a21 * x1 + a22 * x2 + a23 * x3
            dst[(d3 + j) & NONNEG] += a30 * x0 + a31 * x1 + a32 * x2 + a33 * x3
            dst[(d4 + j) & NONNEG] += a40 * x0 + a41 * x1 + a42 * x2 + a43 * x3
            dst[(d5 + j) & NONNEG] += a50 * x0 + a51 * x1 + a52 * x2 + a53 * x3
            dst[(d6 + j) & NONNEG] += a60 * x0 + a61 * x1 + a62 * x2 + a63 * x3
            dst[(d7 + j) & NONNEG] += a70 * x0 + a71 * x1 + a72 * x2 + a73 * x3
    for k in range(K4, K):
        _nn_tap(A, m, 8, k, src, rows[k], dst, drows, n)


@njit(cache=True, nogil=True, fastmath=True)
def _nn_tile4(A, m, src, rows, dst, drows, n):  # pragma: no cover - jitted
    """Rows m..m+3 of ``shifted_gemm_nn``: 4 x 4 weights in registers."""
    K = A.shape[1]
    K4 = K - K % 4
    d0, d1, d2, d3 = drows[m], drows[m + 1], drows[m + 2], drows[m + 3]
    for k in range(0, K4, 4):
        a00, a01, a02, a03 = A[m, k], A[m, k + 1], A[m, k + 2], A[m, k + 3]
        a10, a11, a12, a13 = A[m + 1, k], A[m + 1, k + 1], A[m + 1, k + 2], A[m + 1, k + 3]
        a20, a21, a22, a23 = A[m + 2, k], A[m + 2, k + 1], A[m + 2, k + 2], A[m + 2, k + 3]
        a30, a31, a32, a33 = A[m + 3, k], A[m + 3, k + 1], A[m + 3, k + 2], A[m + 3, k + 3]
        r0, r1, r2, r3 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3]
        for j in range(n):
            x0 = src[(r0 + j) & NONNEG]
            x1 = src[(r1 + j) & NONNEG]
            x2 = src[(r2 + j) & NONNEG]
            x3 = src[(r3 + j) & NONNEG]
            dst[(d0 + j) & NONNEG] += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3
            dst[(d1 + j) & NONNEG] += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3
            dst[(d2 + j) & NONNEG] += a20 * x0 + a21 * x1 + a22 * x2 + a23 * x3
            dst[(d3 + j) & NONNEG] += a30 * x0 + a31 * x1 + a32 * x2 + a33 * x3
    for k in range(K4, K):
        _nn_tap(A, m, 4, k, src, rows[k], dst, drows, n)


@njit(cache=True, nogil=True, fastmath=True)
def _nn_row(A, m, src, rows, dst, drows, n):  # pragma: no cover - jitted
    """One row of ``shifted_gemm_nn`` (the edge of the tiles): four taps per sweep."""
    K = A.shape[1]
    K4 = K - K % 4
    d0 = drows[m]
    for k in range(0, K4, 4):
        a0, a1, a2, a3 = A[m, k], A[m, k + 1], A[m, k + 2], A[m, k + 3]
        r0, r1, r2, r3 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3]
        for j in range(n):
            dst[(d0 + j) & NONNEG] += (
                a0 * src[(r0 + j) & NONNEG]
                + a1 * src[(r1 + j) & NONNEG]
                + a2 * src[(r2 + j) & NONNEG]
                + a3 * src[(r3 + j) & NONNEG]
            )
    for k in range(K4, K):
        _nn_tap(A, m, 1, k, src, rows[k], dst, drows, n)


@njit(cache=True, nogil=True, fastmath=True)
def _nn_tile2(A, m, src, rows, dst, drows, n):  # pragma: no cover - jitted
    """Rows m, m+1 of ``shifted_gemm_nn``: 2 x 4 weights in registers."""
    K = A.shape[1]
    K4 = K - K % 4
    d0, d1 = drows[m], drows[m + 1]
    for k in range(0, K4, 4):
        a00, a01, a02, a03 = A[m, k], A[m, k + 1], A[m, k + 2], A[m, k + 3]
        a10, a11, a12, a13 = A[m + 1, k], A[m + 1, k + 1], A[m + 1, k + 2], A[m + 1, k + 3]
        r0, r1, r2, r3 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3]
        for j in range(n):
            x0 = src[(r0 + j) & NONNEG]
            x1 = src[(r1 + j) & NONNEG]
            x2 = src[(r2 + j) & NONNEG]
            x3 = src[(r3 + j) & NONNEG]
            dst[(d0 + j) & NONNEG] += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3
            dst[(d1 + j) & NONNEG] += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3
    for k in range(K4, K):
        _nn_tap(A, m, 2, k, src, rows[k], dst, drows, n)


@njit(cache=True, nogil=True, fastmath=True)
def _nn_tap(A, m, count, k, src, r, dst, drows, n):  # pragma: no cover - jitted
    """dst[drows[m + i] + j] += A[m + i, k] * src[r + j]  for i < count: one tap (the edge of a tile)."""
    for i in range(count):
        a = A[m + i, k]
        d = drows[m + i]
        for j in range(n):
            dst[(d + j) & NONNEG] += a * src[(r + j) & NONNEG]


@njit(cache=True, nogil=True, fastmath=True)
def shifted_gemm_nt(A, a0, pitch, src, rows, n, acc):  # pragma: no cover - jitted
    """acc[m, k] += sum_j A[a0 + m*pitch + j] * src[rows[k] + j]  for j < n.

    A, src flat; rows (K,) offsets into src; acc (M, K).
    """
    M, K = acc.shape
    K4 = K - K % 4
    m = 0
    while m + 4 <= M:
        p0 = a0 + m * pitch
        p1 = p0 + pitch
        p2 = p1 + pitch
        p3 = p2 + pitch
        for k in range(0, K4, 4):
            r0, r1, r2, r3 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3]
            s00 = s01 = s02 = s03 = acc.dtype.type(0)
            s10 = s11 = s12 = s13 = acc.dtype.type(0)
            s20 = s21 = s22 = s23 = acc.dtype.type(0)
            s30 = s31 = s32 = s33 = acc.dtype.type(0)
            for j in range(n):
                g0 = A[(p0 + j) & NONNEG]
                g1 = A[(p1 + j) & NONNEG]
                g2 = A[(p2 + j) & NONNEG]
                g3 = A[(p3 + j) & NONNEG]
                x0 = src[(r0 + j) & NONNEG]
                x1 = src[(r1 + j) & NONNEG]
                x2 = src[(r2 + j) & NONNEG]
                x3 = src[(r3 + j) & NONNEG]
                s00 += g0 * x0
                s01 += g0 * x1
                s02 += g0 * x2
                s03 += g0 * x3
                s10 += g1 * x0
                s11 += g1 * x1
                s12 += g1 * x2
                s13 += g1 * x3
                s20 += g2 * x0
                s21 += g2 * x1
                s22 += g2 * x2
                s23 += g2 * x3
                s30 += g3 * x0
                s31 += g3 * x1
                s32 += g3 * x2
                s33 += g3 * x3
            acc[m, k] += s00
            acc[m, k + 1] += s01
            acc[m, k + 2] += s02
            acc[m, k + 3] += s03
            acc[m + 1, k] += s10
            acc[m + 1, k + 1] += s11
            acc[m + 1, k + 2] += s12
            acc[m + 1, k + 3] += s13
            acc[m + 2, k] += s20
            acc[m + 2, k + 1] += s21
            acc[m + 2, k + 2] += s22
            acc[m + 2, k + 3] += s23
            acc[m + 3, k] += s30
            acc[m + 3, k + 1] += s31
            acc[m + 3, k + 2] += s32
            acc[m + 3, k + 3] += s33
        for k in range(K4, K):
            _dot_rows(A, p0, pitch, 4, src, rows[k], n, acc, m, k)
        m += 4
    while m < M:
        _nt_row(A, a0 + m * pitch, src, rows, n, acc, m)
        m += 1


@njit(cache=True, nogil=True, fastmath=True)
def _nt_row(A, p, src, rows, n, acc, m):  # pragma: no cover - jitted
    """Row m of ``shifted_gemm_nt`` (the edge of the tiles): four taps per sweep, 4 accumulators."""
    K = acc.shape[1]
    K4 = K - K % 4
    for k in range(0, K4, 4):
        r0, r1, r2, r3 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3]
        s0 = s1 = s2 = s3 = acc.dtype.type(0)
        for j in range(n):
            g = A[(p + j) & NONNEG]
            s0 += g * src[(r0 + j) & NONNEG]
            s1 += g * src[(r1 + j) & NONNEG]
            s2 += g * src[(r2 + j) & NONNEG]
            s3 += g * src[(r3 + j) & NONNEG]
        acc[m, k] += s0
        acc[m, k + 1] += s1
        acc[m, k + 2] += s2
        acc[m, k + 3] += s3
    for k in range(K4, K):
        _dot_rows(A, p, 0, 1, src, rows[k], n, acc, m, k)


@njit(cache=True, nogil=True, fastmath=True)
def _dot_rows(A, p0, pitch, count, src, r, n, acc, m, k):  # pragma: no cover - jitted
    """acc[m + i, k] += sum_j A[p0 + i*pitch + j] * src[r + j]  for i < count (the edge of the tile)."""
    for i in range(count):
        p = p0 + i * pitch
        s = acc.dtype.type(0)
        for j in range(n):
            s += A[(p + j) & NONNEG] * src[(r + j) & NONNEG]
        acc[m + i, k] += s
