# ruff: noqa: N803, N806, E741  (shape names N, C, O, K, P follow the math in the docstring)
"""Convolution by Winograd's minimal filtering F(2x2, 3x3): 2-d 3x3 kernels, stride 1.

Each 4x4 input patch d (taken every 2 pixels) and each 3x3 kernel g are transformed, multiplied
elementwise, and transformed back into a 2x2 output tile:

    V = B^T d B,   U = G g G^T,   y_tile = A^T (sum_c U[o, c] . V[c]) A

For the 16 positions xi of the 4x4 transform space, M[xi] = U[xi] @ V[xi] is an (O, C) @ (C, tiles)
matrix product: 16 GEMMs with 16 multiplies per 4 outputs where direct convolution needs 36, 2.25x
fewer. The backward passes are the adjoints of each linear step:

    grad x      = the same algorithm on dY with the kernel flipped and in/out channels swapped
                  (padding 2 - p)
    grad weight = G^T (sum over tiles of (A dY A^T)[xi] V[xi]^T) G

Every transform is exact linear algebra (entries 0, +-1, 1/2), so float32 results stay within
~1e-5 of torch's. Why it is fast: besides the 2.25x fewer multiplies, the transforms are
unit-stride Numba loops (each with one store stream, even and odd columns de-interleaved first),
and the 16 products run as one batched NumPy matmul, or (``ours`` below, where forced) as the
16 groups of one call of gemm.py's register-tiled kernel, with rows of V and M an odd number of
cache lines long (``_tile_row``). When: float32, 2-d 3x3 kernels, stride 1, no
dilation or groups, padding <= 2 (the dispatch in ``__init__``).
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit

from ..gemm import shifted_gemm_nn, shifted_gemm_nt
from ..workers import WORKERS, num_threads, single_thread_blas
from .common import NONNEG, _blocks, _sum_partials

# G of Winograd F(2x2, 3x3): the 3-tap kernel as 4 points (U = G g G^T)
_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
# G kron G: row 4a + b, column 3i + j
_KRON_G = np.einsum("ai,bj->abij", _G, _G).reshape(16, 9)


def winograd_weight(w: np.ndarray) -> np.ndarray:
    """U (16, O, C): U[4a + b, o, c] = (G w[o, c] G^T)[a, b] for the 3x3 kernels w (O, C, 3, 3).

    As one product: U[ab, (o, c)] = sum_ij K[ab, ij] w[(o, c), ij] with K = G kron G (multiples of
    1/4, exact in float32), the weights read transposed in place, so the result is laid out as U.
    """
    O, C = w.shape[:2]
    with single_thread_blas():
        return (_KRON_G.astype(w.dtype) @ np.ascontiguousarray(w).reshape(O * C, 9).T).reshape(16, O, C)


def winograd_weight_grad(dU: np.ndarray) -> np.ndarray:
    """gw (O, C, 3, 3) = G^T dU[:, o, c] G, the adjoint of ``winograd_weight``: gw[(o, c), ij] =
    sum_ab dU[ab, (o, c)] K[ab, ij], dU read transposed in place."""
    O, C = dU.shape[1:]
    with single_thread_blas():
        return (dU.reshape(16, O * C).T @ _KRON_G.astype(dU.dtype)).reshape(O, C, 3, 3)


@njit(cache=True, nogil=True, fastmath=True)
def winograd_input(x, ph, pw, th, tw, n0, n1, V):  # pragma: no cover - jitted
    """V[:, c, (b, i, j)] = B^T d B for the 4x4 patch d of x[n0 + b, c] at (2i - ph, 2j - pw), zeros outside.

    Flat indices with ``& NONNEG`` throughout: these loops are only tw (16 at CIFAR) long, and a
    view made per loop costs more than the loop.
    """
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    R, Q = 2 * th + 2, tw + 1
    # the zero-padded image split into even (E) and odd (D) columns, R rows of Q: unit-stride loops below
    # (allocated here: with views of a passed-in buffer LLVM is no longer sure they share no
    # memory with V, and vectorises less)
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


def _winograd(x4, U, bias, ph, pw, out4, ours: bool) -> None:
    """out4 = conv(x4, 3x3 weight with Winograd transform U) + bias, zero padding (ph, pw), tile by tile; the
    16 products on gemm.py's kernel (``ours``) or NumPy's matmul."""
    N, C = x4.shape[:2]
    th, tw = (out4.shape[2] + 1) // 2, (out4.shape[3] + 1) // 2
    O = U.shape[1]

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


def forward(x, weight, bias, padding, ours: bool) -> np.ndarray:
    """y = conv(x, 3x3 weight) + bias, stride 1, zero padding (0, ph, pw)."""
    N, C, _, H, W = x.shape
    O = weight.shape[0]
    ph, pw = padding[1], padding[2]
    U = winograd_weight(weight[:, :, 0])
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    out = np.empty((N, O, 1, H + 2 * ph - 2, W + 2 * pw - 2), dtype=x.dtype)
    _winograd(np.ascontiguousarray(x[:, :, 0]), U, b, ph, pw, out[:, :, 0], ours)
    return out


def backward(x, weight, gout, padding, need_input, need_weight, need_bias, ours: bool):
    """(grad x, grad weight, grad bias) of ``forward``; a gradient not asked for is None."""
    N, C, _, H, W = x.shape
    O = weight.shape[0]
    ph, pw = padding[1], padding[2]
    g4 = np.ascontiguousarray(gout[:, :, 0])
    gx = gw = gb = None
    if need_input:
        # grad input: the gradient convolved with the flipped kernel, in/out channels swapped
        U = winograd_weight(weight[:, :, 0, ::-1, ::-1].transpose(1, 0, 2, 3))
        gx = np.empty(x.shape, dtype=x.dtype)
        _winograd(g4, U, np.zeros(0, x.dtype), 2 - ph, 2 - pw, gx[:, :, 0], ours)
    if need_weight:
        x4 = np.ascontiguousarray(x[:, :, 0])
        th, tw = (g4.shape[2] + 1) // 2, (g4.shape[3] + 1) // 2

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
