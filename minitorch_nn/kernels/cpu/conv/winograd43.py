# ruff: noqa: N803, N806, E741  (shape names N, C, O, T follow the math in the docstring)
r"""Convolution by Winograd's minimal filtering F(4x4, 3x3): the forward and input-gradient passes.

Each 6x6 input patch d (taken every 4 pixels) and each 3x3 kernel g are transformed, multiplied
elementwise, and transformed back into a 4x4 output tile, as in F(2x2, 3x3) (``winograd.py``):

    V = B^T d B,   U = G g G^T,   y_tile = A^T (sum_c U[o, c] . V[c]) A

with the interpolation points 0, 1, -1, 2, -2 and infinity:

    B^T = [[4,  0, -5,  0, 1, 0],     G = [[ 1/4,     0,    0],     A^T = [[1, 1,  1, 1,  1, 0],
           [0, -4, -4,  1, 1, 0],          [-1/6,  -1/6, -1/6],            [0, 1, -1, 2, -2, 0],
           [0,  4, -4, -1, 1, 0],          [-1/6,   1/6, -1/6],            [0, 1,  1, 4,  4, 0],
           [0, -2, -1,  2, 1, 0],          [1/24,  1/12,  1/6],            [0, 1, -1, 8, -8, 1]]
           [0,  2, -1, -2, 1, 0],          [1/24, -1/12,  1/6],
           [0,  4,  0, -5, 0, 1]]          [   0,     0,    1]]

For the 36 positions xi of the 6x6 transform space, M[xi] = U[xi] @ V[xi] is an (O, C) @ (C, tiles)
product: 36 multiplies per 16 outputs, where F(2x2, 3x3) needs 64 and direct convolution 144. The
products are also squarer (a quarter of the tiles), which BLAS runs closer to its peak.

Exactness: G's entries have denominators 4, 6, 12 and 24, so U is made with 24 G, whose entries are
integers: U is 576 U_true, and the output transform divides by 576 last (a true division, not a
multiply by 1/576; the kernels leave out fastmath's reciprocal flag). For small-integer data every
step is then exact, and the tests compare with torch bit for bit. With real data the larger
entries of B and A cost about 3 bits more rounding than F(2x2, 3x3) does.

grad x is this same algorithm run on dY with the kernel flipped and its channels swapped, padding
2 - p (see winograd.py); grad weight = G^T (sum over tiles of (A dY A^T)[xi] V[xi]^T) G, the
adjoint of each linear step, with the same 576. When: as F(2x2, 3x3), with at least
``WINOGRAD43_MIN_CHANNELS`` input and output channels on maps of ``WINOGRAD43_MIN_OUTPUT`` outputs
(the dispatch in ``__init__``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..workers import WORKERS, num_threads, single_thread_blas
from .common import NONNEG

# 24 G of F(4x4, 3x3): integer rows, so U = (24 G) g (24 G)^T = 576 G g G^T is exact for integer g
_G24 = np.array(
    [[6.0, 0.0, 0.0], [-4.0, -4.0, -4.0], [-4.0, 4.0, -4.0], [1.0, 2.0, 4.0], [1.0, -2.0, 4.0], [0.0, 0.0, 24.0]]
)
SCALE = 576.0
# (24 G) kron (24 G): row 6a + b, column 3i + j
_KRON_G24 = np.einsum("ai,bj->abij", _G24, _G24).reshape(36, 9)

# the fewest tiles a block of samples has (as far as the batch allows)
MIN_BLOCK_TILES = 64

# addition and multiply-add only: no reciprocal (x / 576 stays a division) and no NaN/inf assumptions
_FLAGS = {"contract", "nsz"}


def winograd43_weight(w: np.ndarray) -> np.ndarray:
    """U (36, O, C): U[6a + b, o, c] = 576 (G w[o, c] G^T)[a, b] for the 3x3 kernels w (O, C, 3, 3).

    As one product: U[ab, (o, c)] = sum_ij K[ab, ij] w[(o, c), ij] with K[ab, ij] = 24 G[a, i] 24 G[b, j]
    (integers), the weights read transposed in place, so the result is laid out as U already.
    """
    O, C = w.shape[:2]
    with single_thread_blas():
        return (_KRON_G24.astype(w.dtype) @ np.ascontiguousarray(w).reshape(O * C, 9).T).reshape(36, O, C)


@njit(cache=True, nogil=True, fastmath=_FLAGS)
def winograd43_input(x, ph, pw, th, tw, n0, n1, V):  # pragma: no cover - jitted
    """V[:, c, (b, i, j)] = B^T d B for the 6x6 patch d of x[n0 + b, c] at (4i - ph, 4j - pw), zeros outside.

    First each zero-padded input row is split into its four column phases (column 4q + r in
    phase r), so that the row transform of every tile j reads d0..d5 = p0[j], p1[j], p2[j], p3[j],
    p0[j + 1], p1[j + 1]: unit-stride loops over the tiles. The six transformed values of every
    row are kept (``rows``), split the same way into four row phases, so that the column
    transform combines six rows into V in one unit-stride loop over all tiles of the plane.
    """
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    R, Q = 4 * th + 2, tw + 1
    T = th * tw
    padded = np.zeros(4 * Q, x.dtype)  # one zero-padded input row; its borders stay 0
    p0 = np.empty(Q, x.dtype)
    p1 = np.empty(Q, x.dtype)
    p2 = np.empty(Q, x.dtype)
    p3 = np.empty(Q, x.dtype)
    # rows[((v * 4 + a % 4) * (th + 1) + a // 4) * tw + j]: (d[a] B)[v] of tile j, padded row a. Split
    # by a % 4, row 4i + k of tile row i sits at i * tw + j of phase k (k < 4) or at (i + 1) * tw + j of
    # phase k - 4: the column transform is then one loop over all T tiles per output
    ROWS = (th + 1) * tw
    rows = np.zeros(24 * ROWS, x.dtype)
    xf = x.reshape(-1)
    Vf = V.reshape(-1)
    plane = V.shape[1] * V.shape[2]
    width = min(W, 4 * Q - pw)  # the input columns that land inside the padded row
    four, five, two = x.dtype.type(4), x.dtype.type(5), x.dtype.type(2)
    for b in range(n1 - n0):
        t0 = b * T
        for c in range(C):
            image = ((n0 + b) * C + c) * H * W
            for a in range(R):
                h = a - ph
                at = ((a % 4) * (th + 1) + a // 4) * tw
                if 0 <= h < H:
                    row = (image + h * W) & NONNEG
                    for w in range(width):
                        padded[(pw + w) & NONNEG] = xf[(row + w) & NONNEG]
                    for q in range(Q):
                        p0[q] = padded[4 * q]
                    for q in range(Q):
                        p1[q] = padded[4 * q + 1]
                    for q in range(Q):
                        p2[q] = padded[4 * q + 2]
                    for q in range(Q):
                        p3[q] = padded[4 * q + 3]
                    # one store stream per loop: LLVM vectorises those, not loops storing to several arrays
                    for j in range(tw):
                        rows[(at + j) & NONNEG] = four * p0[j] - five * p2[j] + p0[j + 1]
                    for j in range(tw):
                        rows[(at + 4 * ROWS + j) & NONNEG] = -four * (p1[j] + p2[j]) + p3[j] + p0[j + 1]
                    for j in range(tw):
                        rows[(at + 8 * ROWS + j) & NONNEG] = four * (p1[j] - p2[j]) - p3[j] + p0[j + 1]
                    for j in range(tw):
                        rows[(at + 12 * ROWS + j) & NONNEG] = two * (p3[j] - p1[j]) - p2[j] + p0[j + 1]
                    for j in range(tw):
                        rows[(at + 16 * ROWS + j) & NONNEG] = two * (p1[j] - p3[j]) - p2[j] + p0[j + 1]
                    for j in range(tw):
                        rows[(at + 20 * ROWS + j) & NONNEG] = four * p1[j] - five * p3[j] + p1[j + 1]
                else:
                    for v in range(6):
                        for j in range(tw):
                            rows[(at + 4 * v * ROWS + j) & NONNEG] = 0
            # column transform over all tiles at once: patch row k is phase k (k < 4), or phase k - 4 one
            # tile row down
            for v in range(6):
                k0 = (4 * v * ROWS) & NONNEG
                k1, k2, k3 = (k0 + ROWS) & NONNEG, (k0 + 2 * ROWS) & NONNEG, (k0 + 3 * ROWS) & NONNEG
                k4, k5 = (k0 + tw) & NONNEG, (k1 + tw) & NONNEG
                out = ((v * V.shape[1] + c) * V.shape[2] + t0) & NONNEG
                for t in range(T):
                    Vf[(out + t) & NONNEG] = (
                        four * rows[(k0 + t) & NONNEG] - five * rows[(k2 + t) & NONNEG] + rows[(k4 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    Vf[(out + t) & NONNEG] = (
                        -four * (rows[(k1 + t) & NONNEG] + rows[(k2 + t) & NONNEG])
                        + rows[(k3 + t) & NONNEG]
                        + rows[(k4 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    Vf[(out + t) & NONNEG] = (
                        four * (rows[(k1 + t) & NONNEG] - rows[(k2 + t) & NONNEG])
                        - rows[(k3 + t) & NONNEG]
                        + rows[(k4 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    Vf[(out + t) & NONNEG] = (
                        two * (rows[(k3 + t) & NONNEG] - rows[(k1 + t) & NONNEG])
                        - rows[(k2 + t) & NONNEG]
                        + rows[(k4 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    Vf[(out + t) & NONNEG] = (
                        two * (rows[(k1 + t) & NONNEG] - rows[(k3 + t) & NONNEG])
                        - rows[(k2 + t) & NONNEG]
                        + rows[(k4 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    Vf[(out + t) & NONNEG] = (
                        four * rows[(k1 + t) & NONNEG] - five * rows[(k3 + t) & NONNEG] + rows[(k5 + t) & NONNEG]
                    )


@njit(cache=True, nogil=True, fastmath=_FLAGS)
def winograd43_output(M, bias, th, tw, n0, n1, out):  # pragma: no cover - jitted
    """out[n0 + b, o, 4i:4i+4, 4j:4j+4] = A^T M[:, o, (b, i, j)] A / 576 + bias[o], cropped to the output.

    M[6u + v] are the 36 planes. First, per column v, the four sums s[k, v] = (A^T)[k] . M[:, v]
    over u; then per row k the four outputs (A^T)[l] . s[k]; each step a unit-stride loop over all
    tiles of a (sample, channel), and a last loop interleaves the four columns of a tile row into
    the output row.
    """
    O, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    T = th * tw
    plane = M.shape[1] * M.shape[2]
    has_bias = bias.shape[0] > 0
    Mf = M.reshape(-1)
    of = out.reshape(-1)
    s = np.empty(24 * T, M.dtype)  # s[(k * 6 + v) * T + t]
    r = np.empty(16 * T, M.dtype)  # r[(k * 4 + l) * T + t]: output (k, l) of tile t
    two, four, eight = M.dtype.type(2), M.dtype.type(4), M.dtype.type(8)
    scale = M.dtype.type(SCALE)
    full = OW // 4
    for b in range(n1 - n0):
        for o in range(O):
            add = bias[o] if has_bias else M.dtype.type(0)
            base = o * M.shape[2] + b * T
            for v in range(6):
                m = (base + v * plane) & NONNEG  # M[v]; M[6u + v] is 6u planes further
                p = 6 * plane
                k0, k1, k2, k3 = (
                    (v * T) & NONNEG,
                    ((6 + v) * T) & NONNEG,
                    ((12 + v) * T) & NONNEG,
                    ((18 + v) * T) & NONNEG,
                )
                for t in range(T):
                    s[(k0 + t) & NONNEG] = (
                        Mf[(m + t) & NONNEG]
                        + Mf[(m + p + t) & NONNEG]
                        + Mf[(m + 2 * p + t) & NONNEG]
                        + Mf[(m + 3 * p + t) & NONNEG]
                        + Mf[(m + 4 * p + t) & NONNEG]
                    )
                for t in range(T):
                    s[(k1 + t) & NONNEG] = (
                        Mf[(m + p + t) & NONNEG]
                        - Mf[(m + 2 * p + t) & NONNEG]
                        + two * (Mf[(m + 3 * p + t) & NONNEG] - Mf[(m + 4 * p + t) & NONNEG])
                    )
                for t in range(T):
                    s[(k2 + t) & NONNEG] = (
                        Mf[(m + p + t) & NONNEG]
                        + Mf[(m + 2 * p + t) & NONNEG]
                        + four * (Mf[(m + 3 * p + t) & NONNEG] + Mf[(m + 4 * p + t) & NONNEG])
                    )
                for t in range(T):
                    s[(k3 + t) & NONNEG] = (
                        Mf[(m + p + t) & NONNEG]
                        - Mf[(m + 2 * p + t) & NONNEG]
                        + eight * (Mf[(m + 3 * p + t) & NONNEG] - Mf[(m + 4 * p + t) & NONNEG])
                        + Mf[(m + 5 * p + t) & NONNEG]
                    )
            for k in range(4):
                a = (k * 6 * T) & NONNEG  # s[k, 0]; s[k, v] is v T further
                l0 = (4 * k * T) & NONNEG
                for t in range(T):
                    r[(l0 + t) & NONNEG] = (
                        s[(a + t) & NONNEG]
                        + s[(a + T + t) & NONNEG]
                        + s[(a + 2 * T + t) & NONNEG]
                        + s[(a + 3 * T + t) & NONNEG]
                        + s[(a + 4 * T + t) & NONNEG]
                    ) / scale + add
                for t in range(T):
                    r[(l0 + T + t) & NONNEG] = (
                        s[(a + T + t) & NONNEG]
                        - s[(a + 2 * T + t) & NONNEG]
                        + two * (s[(a + 3 * T + t) & NONNEG] - s[(a + 4 * T + t) & NONNEG])
                    ) / scale + add
                for t in range(T):
                    r[(l0 + 2 * T + t) & NONNEG] = (
                        s[(a + T + t) & NONNEG]
                        + s[(a + 2 * T + t) & NONNEG]
                        + four * (s[(a + 3 * T + t) & NONNEG] + s[(a + 4 * T + t) & NONNEG])
                    ) / scale + add
                for t in range(T):
                    r[(l0 + 3 * T + t) & NONNEG] = (
                        s[(a + T + t) & NONNEG]
                        - s[(a + 2 * T + t) & NONNEG]
                        + eight * (s[(a + 3 * T + t) & NONNEG] - s[(a + 4 * T + t) & NONNEG])
                        + s[(a + 5 * T + t) & NONNEG]
                    ) / scale + add
            image = ((n0 + b) * O + o) * OH * OW
            for h in range(OH):
                src = (4 * (h % 4) * T + (h // 4) * tw) & NONNEG  # r[(k, 0)] of this tile row
                d = (image + h * OW) & NONNEG
                # the four stores of a tile in one loop: LLVM vectorises them as one interleaved group
                for j in range(full):
                    of[(d + 4 * j) & NONNEG] = r[(src + j) & NONNEG]
                    of[(d + 4 * j + 1) & NONNEG] = r[(src + T + j) & NONNEG]
                    of[(d + 4 * j + 2) & NONNEG] = r[(src + 2 * T + j) & NONNEG]
                    of[(d + 4 * j + 3) & NONNEG] = r[(src + 3 * T + j) & NONNEG]
                for l in range(OW - 4 * full):
                    of[(d + 4 * full + l) & NONNEG] = r[(src + l * T + full) & NONNEG]


@njit(cache=True, nogil=True, fastmath=_FLAGS)
def winograd43_output_grad(gout, th, tw, n0, n1, dM, gb):  # pragma: no cover - jitted
    """dM[:, o, (b, i, j)] = A dY A^T (the adjoint of the output transform, before its 1/576), and
    gb[o] += the sum of gout[n0 + b, o], for the 4x4 tiles dY of gout at (4i, 4j), zeros past the edge.

    A = (A^T)^T has rows (1, 0, 0, 0), (1, 1, 1, 1), (1, -1, 1, -1), (1, 2, 4, 8), (1, -2, 4, -8),
    (0, 0, 0, 1). As in ``winograd43_input``: each row of dY split into its four column phases,
    its six row-transformed values kept in four row phases, then one loop over all tiles per output.
    """
    O, OH, OW = gout.shape[1], gout.shape[2], gout.shape[3]
    T = th * tw
    c0 = np.zeros(tw, gout.dtype)
    c1 = np.zeros(tw, gout.dtype)
    c2 = np.zeros(tw, gout.dtype)
    c3 = np.zeros(tw, gout.dtype)
    rows = np.zeros(24 * T, gout.dtype)  # rows[((v * 4 + h % 4) * th + h // 4) * tw + j]
    gf = gout.reshape(-1)
    dMf = dM.reshape(-1)
    plane = dM.shape[1] * dM.shape[2]
    two, four, eight = gout.dtype.type(2), gout.dtype.type(4), gout.dtype.type(8)
    full = OW // 4
    for b in range(n1 - n0):
        t0 = b * T
        for o in range(O):
            image = ((n0 + b) * O + o) * OH * OW
            total = 0.0
            for h in range(4 * th):
                at = ((h % 4) * th + h // 4) * tw
                if h < OH:
                    row = (image + h * OW) & NONNEG
                    for j in range(full):
                        c0[j] = gf[(row + 4 * j) & NONNEG]
                        c1[j] = gf[(row + 4 * j + 1) & NONNEG]
                        c2[j] = gf[(row + 4 * j + 2) & NONNEG]
                        c3[j] = gf[(row + 4 * j + 3) & NONNEG]
                    if full < tw:  # the last, partial tile of the row: zeros past the edge
                        c1[full] = c2[full] = c3[full] = 0
                        rest = OW - 4 * full
                        c0[full] = gf[(row + 4 * full) & NONNEG]
                        if rest > 1:
                            c1[full] = gf[(row + 4 * full + 1) & NONNEG]
                        if rest > 2:
                            c2[full] = gf[(row + 4 * full + 2) & NONNEG]
                    for j in range(tw):
                        total += c0[j] + c1[j] + c2[j] + c3[j]
                    for j in range(tw):
                        rows[(at + j) & NONNEG] = c0[j]
                    for j in range(tw):
                        rows[(at + 4 * T + j) & NONNEG] = c0[j] + c1[j] + c2[j] + c3[j]
                    for j in range(tw):
                        rows[(at + 8 * T + j) & NONNEG] = c0[j] - c1[j] + c2[j] - c3[j]
                    for j in range(tw):
                        rows[(at + 12 * T + j) & NONNEG] = c0[j] + two * c1[j] + four * c2[j] + eight * c3[j]
                    for j in range(tw):
                        rows[(at + 16 * T + j) & NONNEG] = c0[j] - two * c1[j] + four * c2[j] - eight * c3[j]
                    for j in range(tw):
                        rows[(at + 20 * T + j) & NONNEG] = c3[j]
                else:
                    for v in range(6):
                        for j in range(tw):
                            rows[(at + 4 * v * T + j) & NONNEG] = 0
            gb[o] += total
            for v in range(6):
                k0 = (4 * v * T) & NONNEG
                k1, k2, k3 = (k0 + T) & NONNEG, (k0 + 2 * T) & NONNEG, (k0 + 3 * T) & NONNEG
                out = ((v * dM.shape[1] + o) * dM.shape[2] + t0) & NONNEG
                for t in range(T):
                    dMf[(out + t) & NONNEG] = rows[(k0 + t) & NONNEG]
                out += 6 * plane
                for t in range(T):
                    dMf[(out + t) & NONNEG] = (
                        rows[(k0 + t) & NONNEG]
                        + rows[(k1 + t) & NONNEG]
                        + rows[(k2 + t) & NONNEG]
                        + rows[(k3 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    dMf[(out + t) & NONNEG] = (
                        rows[(k0 + t) & NONNEG]
                        - rows[(k1 + t) & NONNEG]
                        + rows[(k2 + t) & NONNEG]
                        - rows[(k3 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    dMf[(out + t) & NONNEG] = (
                        rows[(k0 + t) & NONNEG]
                        + two * rows[(k1 + t) & NONNEG]
                        + four * rows[(k2 + t) & NONNEG]
                        + eight * rows[(k3 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    dMf[(out + t) & NONNEG] = (
                        rows[(k0 + t) & NONNEG]
                        - two * rows[(k1 + t) & NONNEG]
                        + four * rows[(k2 + t) & NONNEG]
                        - eight * rows[(k3 + t) & NONNEG]
                    )
                out += 6 * plane
                for t in range(T):
                    dMf[(out + t) & NONNEG] = rows[(k3 + t) & NONNEG]


def _winograd43(x4, U, bias, ph, pw, out4) -> None:
    """out4 = conv(x4, 3x3 weight with F(4x4, 3x3) transform U) + bias, zero padding (ph, pw), a block
    of samples at a time, the 36 products on NumPy's matmul (one BLAS thread per worker)."""
    N, C = x4.shape[:2]
    th, tw = (out4.shape[2] + 3) // 4, (out4.shape[3] + 3) // 4

    def block(span):
        n0, n1 = span
        V = np.empty((36, C, (n1 - n0) * th * tw), dtype=x4.dtype)
        winograd43_input(x4, ph, pw, th, tw, n0, n1, V)
        winograd43_output(np.matmul(U, V), bias, th, tw, n0, n1, out4)

    # blocks of whole samples with at least MIN_BLOCK_TILES tiles: on small maps one sample's few
    # tiles would make products too thin for BLAS
    per = max(1, min(-(-MIN_BLOCK_TILES // (th * tw)), -(-N // num_threads())))
    WORKERS.map(block, [(n, min(N, n + per)) for n in range(0, N, per)])


def forward(x, weight, bias, padding) -> np.ndarray:
    """y = conv(x, 3x3 weight) + bias, stride 1, zero padding (0, ph, pw); x (N, C, 1, H, W)."""
    N, _, _, H, W = x.shape
    ph, pw = padding[1], padding[2]
    U = winograd43_weight(weight[:, :, 0])
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    out = np.empty((N, weight.shape[0], 1, H + 2 * ph - 2, W + 2 * pw - 2), dtype=x.dtype)
    _winograd43(np.ascontiguousarray(x[:, :, 0]), U, b, ph, pw, out[:, :, 0])
    return out


def backward_input(x_shape: tuple, weight, gout, padding) -> np.ndarray:
    """grad x (x_shape) of ``forward``: dY convolved with the flipped kernel, in/out channels swapped."""
    U = winograd43_weight(weight[:, :, 0, ::-1, ::-1].transpose(1, 0, 2, 3))
    gx = np.empty(x_shape, dtype=gout.dtype)
    g4 = np.ascontiguousarray(gout[:, :, 0])
    _winograd43(g4, U, np.zeros(0, gout.dtype), 2 - padding[1], 2 - padding[2], gx[:, :, 0])
    return gx


def backward_weight(x, gout, padding, need_bias: bool) -> tuple:
    """(grad weight (O, C, 1, 3, 3), grad bias or None) of ``forward``: per block of samples
    dU[xi] = dM[xi] V[xi]^T (O x tiles by tiles x C), summed over the blocks, then
    gw = G^T dU G = (24 G)^T dU (24 G) / 576."""
    N, C = x.shape[:2]
    O = gout.shape[1]
    x4 = np.ascontiguousarray(x[:, :, 0])
    g4 = np.ascontiguousarray(gout[:, :, 0])
    th, tw = (g4.shape[2] + 3) // 4, (g4.shape[3] + 3) // 4
    ph, pw = padding[1], padding[2]

    def block(span):
        n0, n1 = span
        T = (n1 - n0) * th * tw
        V = np.empty((36, C, T), dtype=x.dtype)
        winograd43_input(x4, ph, pw, th, tw, n0, n1, V)
        dM = np.empty((36, O, T), dtype=x.dtype)
        gb = np.zeros(O, dtype=x.dtype)
        winograd43_output_grad(g4, th, tw, n0, n1, dM, gb)
        return np.matmul(dM, V.transpose(0, 2, 1)), gb

    per = max(1, min(-(-MIN_BLOCK_TILES // (th * tw)), -(-N // num_threads())))
    partial = WORKERS.map(block, [(n, min(N, n + per)) for n in range(0, N, per)])
    dU = partial[0][0]
    gb = partial[0][1]
    for more_dU, more_gb in partial[1:]:
        dU += more_dU
        gb += more_gb
    with single_thread_blas():
        gw = (dU.reshape(36, O * C).T @ _KRON_G24.astype(dU.dtype)) / dU.dtype.type(SCALE)
    return gw.reshape(O, C, 1, 3, 3), (gb if need_bias else None)
