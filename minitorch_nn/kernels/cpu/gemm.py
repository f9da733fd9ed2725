# ruff: noqa: N803, N806, E741  (matrix names A, C, K, M follow the math in the docstring)
"""Register-tiled GEMM micro-kernels over *shifted rows* of a flat array.

A convolution with stride 1 is a matrix product whose right-hand matrix is never
built: in a zero-padded input flattened per channel, the input under kernel tap k
for the (wide) output position q is ``x[rows[k] + q]`` (see conv/direct.py). So both
kernels here take the rows of their second operand as offsets into one flat array:

- ``shifted_gemm_nn``:  dst[m, j] += sum_k A[m, k] * src[rows[k] + j]   (forward, grad input)
- ``shifted_gemm_nt``:  acc[m, k] += sum_j A[m, j] * src[rows[k] + j]   (grad weight)

Winograd's 16 products (conv/winograd.py) can run on these kernels too, as 16 groups
whose rows are the plain rows of V (where forced: NumPy's BLAS runs them faster on the CPUs
measured last, see conv/__init__.py).

Why hand-written instead of NumPy's BLAS. The products in LeNet are skinny
(16 x 150 times 150 x a few hundred): BLAS runs them well on one core, but two Python
threads calling it hardly gain, while these Numba loops (``nogil``) scale with the
threads of the worker pool. They also make the im2col copy unnecessary.

How they are made fast without SIMD intrinsics. LLVM vectorises the innermost loop
only, and keeps values in registers only when it can prove nothing else touches them. So:
- NN: a tile of 4 rows x ``RUN`` positions of sums (4 x 64 with AVX-512) lives in a
  buffer on the stack (``_stack_buffer``); for each tap the innermost loop over the
  positions adds a[i] * x[j] to it, and only after the last tap are the sums added to
  dst. LLVM knows the stack buffer overlaps no argument, so after vectorising the
  position loop it holds the 4 x 64 floats in 16 AVX-512 registers for the whole tap
  loop: per tap 4 vector loads of src and 16 FMAs, no loads or stores of dst, and no
  run-time overlap checks. The stack buffer is a Numba intrinsic of six lines; the
  loops that fill it must have constant bounds (with a variable start LLVM keeps the
  tile in memory). With ``overwrite`` the first tap block stores its sums instead of
  adding them, so a forward pass neither zeroes nor reads its output first.
- NT: the innermost loop runs over j, the reduction; a 4 x 4 tile of results lives in
  16 scalar accumulators, which ``fastmath`` lets LLVM turn into vector accumulators:
  8 loads per 16 multiply-adds.
- Wide products (PACK_MIN_ROWS rows of A, PACK_MIN_TAPS taps) first copy each run's TAP_BLOCK
  taps into one contiguous panel (``_pack``, sized from L1) that every row tile then reads: rows of
  src a power of two apart would otherwise share a few L1 sets and be read from L2 each time.
- Every kernel carries ``"prefer-vector-width"="512"`` (``_wide_vectors``): LLVM's tuning for
  Intel's AVX-512 cores would otherwise compile the 4 x 64 tile with 256-bit ymm registers.
Which tile: the CPU's (cpu_info.py). With AVX-512 the NN tile is 4 x 64 (16 of its 32 zmm
registers); with AVX2, 4 x 16 (8 ymm registers of sums beside the 4 broadcast weights and 2
loads: wider or taller tiles spill there). The vector width is read from the target Numba
compiles for, so NUMBA_CPU_NAME / NUMBA_CPU_FEATURES choose it too, and MINITORCH_CPU_PATH (or
``path=``) forces either tile on any CPU: each position sums its taps in the same order in
both (only which positions fall to the row-by-row edge differs), so with integer-valued data
both give exactly the float32 sums. The tap block (TAP_BLOCK) comes from the L1 size.
Indices are combined with ``& NONNEG`` so LLVM can drop Numba's negative-index
wrap-around (which otherwise turns the loads into gathers). Rows that do not fill a
4-row tile, and runs shorter than the tile, are done one row at a time (NN), four taps
per sweep; taps that do not fill a 4-tap step, one tap at a time (NT). Timings:
benchmarks/results/conv.md.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from . import cpu_info

NONNEG = 0x7FFFFFFFFFFFFFFF

# Output positions per sweep of ``shifted_gemm_nn``: the rows being summed into and the rows read
# stay in L1 / L2.
CHUNK = 1024


def _tap_block(l1_bytes: int) -> int:
    """Taps per packed panel: the panel (taps x 64 positions of float32, the widest tile) is read
    again by every row tile, so it is kept to two thirds of L1 (the rest: the tile's rows of A and
    dst): 128 taps with a 48 KiB L1, 64 with 32 KiB."""
    taps = (2 * l1_bytes // 3) // (4 * 64)
    return max(32, min(256, 1 << max(0, taps.bit_length() - 1)))


TAP_BLOCK = _tap_block(cpu_info.cache_sizes()["L1"])

# LLVM's vector width preference for these kernels (the function attribute "prefer-vector-width"):
# Intel's AVX-512 cores tune LLVM to 256-bit vectors ('prefer-256-bit'), which would compile the
# AVX-512 tile with ymm registers at half the multiply-adds per instruction. On an AVX2 target 512
# is simply more than the target has and changes nothing.
VECTOR_WIDTH = 512


@intrinsic
def _wide_vectors(typingctx):  # pragma: no cover - compiled
    """Mark the calling function ``"prefer-vector-width"="512"`` (clang's -mprefer-vector-width).

    An attribute of the function only, so the rest of the process's Numba code keeps LLVM's
    tuning; it is part of the compiled code that Numba caches (which is keyed on the CPU's
    features too). llvmlite's attribute set knows no key-value attributes, so the string is
    added to the set as it is printed.
    """

    def codegen(context, builder, signature, args):
        set.add(builder.function.attributes, f'"prefer-vector-width"="{VECTOR_WIDTH}"')
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def _stack_buffer(typingctx, like, size):  # pragma: no cover - compiled
    """A pointer to ``size`` (a literal) numbers of like's dtype on the calling function's stack.

    Numba has no stack arrays; this is one, wrapped by ``numba.carray``. Being private to the
    call, LLVM knows it cannot overlap any argument, which is what lets it keep the
    accumulators of the register tile in registers (see the module docstring).
    """
    if not isinstance(size, types.IntegerLiteral):
        return None
    count = size.literal_value

    def codegen(context, builder, signature, args):
        return cgutils.alloca_once(builder, context.get_value_type(like.dtype), size=count)

    return types.CPointer(like.dtype)(like, size), codegen


def _compiled_per_run(fn, RUN: int):
    """``njit`` of a tile factory's closure under a name of its own per RUN (nn_tile4 -> nn_tile4_run64).

    Numba names compiled code after the function's qualified name, and a cached caller carries its
    callees' code under those names. Two closures of one factory cached by two processes (one run
    per CPU path) would then load into a third under one symbol, and the 4 x 64 caller ran the
    4 x 16 tile's code: wrong sums from a warm cache. A name per RUN keeps them (and their cache
    files) apart; tests/test_cpu_paths.py checks it with two processes and a third.
    """
    fn.__name__ = f"{fn.__name__}_run{RUN}"
    fn.__qualname__ = f"{fn.__qualname__}_run{RUN}"
    return njit(cache=True, nogil=True, fastmath=True)(fn)


def _make_tile4(RUN: int):
    """The 4-row register tile with RUN positions (a constant of the closure: constant loop bounds)."""
    SUMS = 4 * RUN

    def nn_tile4(A, m, k0, k1, src, rows, sb, dst, drows, db, n, store):  # pragma: no cover - jitted
        """Rows m..m+3 of ``shifted_gemm_nn`` over taps k0..k1: 4 x RUN sums held in registers.

        For each run of RUN positions, every tap adds a[i] * x[j] to acc[i, j]; only after the
        last tap are the sums added to dst (stored, with ``store``). The last tile is moved back
        to end at n (its first positions computed twice, written once); n >= RUN.
        """
        _wide_vectors()
        acc = numba.carray(_stack_buffer(A, SUMS), (4, RUN))
        zero = A.dtype.type(0)
        for t in range(-(-n // RUN)):
            # the last tile ends at n; the positions it shares with the one before are not added again
            j0 = min(t * RUN, n - RUN)
            first = t * RUN - j0
            for i in range(4):
                for jj in range(RUN):
                    acc[i, jj] = 0
            for k in range(k0, k1):
                a0, a1, a2, a3 = A[m, k], A[m + 1, k], A[m + 2, k], A[m + 3, k]
                r = (sb + rows[k] + j0) & NONNEG
                for jj in range(RUN):
                    x = src[r + jj]
                    acc[0, jj] += a0 * x
                    acc[1, jj] += a1 * x
                    acc[2, jj] += a2 * x
                    acc[3, jj] += a3 * x
            for i in range(4):
                d = (db + drows[m + i] + j0) & NONNEG
                if store:  # the shared positions get the very sums the tile before stored there
                    for jj in range(RUN):
                        dst[d + jj] = acc[i, jj]
                else:  # constant bounds: a loop from ``first`` would keep acc in memory
                    for jj in range(RUN):
                        dst[d + jj] += acc[i, jj] if jj >= first else zero

    return _compiled_per_run(nn_tile4, RUN)


def _make_packed_tile4(RUN: int):
    """The 4-row register tile with RUN positions reading a packed panel (``_make_tile4``'s sums)."""
    SUMS = 4 * RUN

    def nn_packed_tile4(A, m, k0, k1, panel, dst, drows, d0, first, store):  # pragma: no cover - jitted
        """Rows m..m+3 of ``shifted_gemm_nn`` over taps k0..k1 for one run of RUN positions, from
        the packed panel (tap k's positions at panel[(k - k0) RUN ...]): 4 x RUN sums in registers.

        Every tap adds a[i] * x[j] to acc[i, j]; only after the last tap are the sums added to
        dst[d0 + drows[m + i] + j] (stored, with ``store``), the first ``first`` positions left
        out when adding (the run was moved back to end at the row's end: those are done).
        """
        _wide_vectors()
        acc = numba.carray(_stack_buffer(A, SUMS), (4, RUN))
        zero = A.dtype.type(0)
        for i in range(4):
            for jj in range(RUN):
                acc[i, jj] = 0
        for k in range(k1 - k0):
            a0, a1, a2, a3 = A[m, k0 + k], A[m + 1, k0 + k], A[m + 2, k0 + k], A[m + 3, k0 + k]
            r = k * RUN
            for jj in range(RUN):
                x = panel[r + jj]
                acc[0, jj] += a0 * x
                acc[1, jj] += a1 * x
                acc[2, jj] += a2 * x
                acc[3, jj] += a3 * x
        for i in range(4):
            d = (d0 + drows[m + i]) & NONNEG
            if store:  # the shared positions get the very sums the run before stored there
                for jj in range(RUN):
                    dst[d + jj] = acc[i, jj]
            else:  # constant bounds: a loop from ``first`` would keep acc in memory
                for jj in range(RUN):
                    dst[d + jj] += acc[i, jj] if jj >= first else zero

    return _compiled_per_run(nn_packed_tile4, RUN)


# The tiles of the paths (cpu_info.PATHS); a Numba dispatcher compiles nothing until called.
_tile4x64 = _make_tile4(64)
_tile4x16 = _make_tile4(16)
_packed4x64 = _make_packed_tile4(64)
_packed4x16 = _make_packed_tile4(16)


# Pack the taps' rows into a panel (``_pack``) when this many rows of A share it and the taps span
# at least two panels; smaller products read src in place. Measured with benchmarks/bench_gemm.py
# (AVX-512 Xeon): packing ran 1.2-1.7x faster from 32 rows and 256 taps up (ResNet's 3x3 convs,
# VGG's classifier, the LSTM's step), and 0.3-0.9x at LeNet's 16 and 6 rows and 64-tap products.
PACK_MIN_ROWS = 32
PACK_MIN_TAPS = 2 * TAP_BLOCK


def _make_shifted_gemm_nn(RUN: int):
    """``shifted_gemm_nn`` for the 4 x RUN register tile. RUN is a constant of the closure: Numba
    prunes the branch of the other tile before compiling, and caches each tile apart (its cache
    key holds the closure's constants)."""
    PANEL = TAP_BLOCK * RUN

    def shifted_gemm_nn_tiled(A, src, rows, dst, drows, bases, n, overwrite):  # pragma: no cover - jitted
        _wide_vectors()
        G, M, K = A.shape[0], A.shape[1], A.shape[2]
        panel = numba.carray(_stack_buffer(A, PANEL), (PANEL,))
        packed = M >= PACK_MIN_ROWS and K >= PACK_MIN_TAPS
        for i in range(bases.shape[0]):
            sb, db = bases[i, 0], bases[i, 1]
            for j0 in range(0, n, CHUNK):
                width = min(CHUNK, n - j0)
                for g in range(G):
                    for k0 in range(0, K, TAP_BLOCK):
                        k1 = min(K, k0 + TAP_BLOCK)
                        store = overwrite and k0 == 0  # later tap blocks add to what the first stored
                        tiled = M - M % 4 if width >= RUN else np.int64(0)
                        if tiled > 0 and packed:
                            for t in range(-(-width // RUN)):
                                # the last run ends at the row's end; what it shares with the one
                                # before is not added again
                                jt = min(t * RUN, width - RUN)
                                _pack(src, rows[g], k0, k1, sb + j0 + jt, panel, RUN)
                                m = np.int64(0)  # not the literal 0: Numba would compile the tile twice
                                d0, first = db + j0 + jt, t * RUN - jt
                                while m < tiled:
                                    if RUN == 64:
                                        _packed4x64(A[g], m, k0, k1, panel, dst, drows[g], d0, first, store)
                                    else:
                                        _packed4x16(A[g], m, k0, k1, panel, dst, drows[g], d0, first, store)
                                    m += 4
                        elif tiled > 0:
                            args = (k0, k1, src, rows[g], sb + j0, dst, drows[g], db + j0, width, store)
                            m = np.int64(0)
                            while m < tiled:
                                if RUN == 64:
                                    _tile4x64(A[g], m, *args)
                                else:
                                    _tile4x16(A[g], m, *args)
                                m += 4
                        for m in range(tiled, M):  # rows that fill no tile, and runs shorter than one
                            if store:
                                _zero_row(dst, db + j0 + drows[g, m], width)
                            _nn_row(A[g], m, k0, k1, src, rows[g], sb + j0, dst, drows[g], db + j0, width)

    return _compiled_per_run(shifted_gemm_nn_tiled, RUN)


@njit(cache=True, nogil=True)
def _pack(src, rows, k0, k1, s0, panel, run):  # pragma: no cover - jitted
    """panel[(k - k0) run + j] = src[s0 + rows[k] + j]  for k0 <= k < k1, j < run: the taps' rows of
    one run side by side, so the tiles read one contiguous block (rows of src lie a power of two
    apart in a batch-last or plain matrix: read in place they fall into the same few L1 sets)."""
    _wide_vectors()
    for k in range(k1 - k0):
        r = (s0 + rows[k0 + k]) & NONNEG
        for j in range(run):
            panel[k * run + j] = src[r + j]


_NN_KERNELS: dict = {}


def nn_kernel(path: cpu_info.KernelPath):
    """The NN kernel for ``path``'s register tile (made once per tile shape)."""
    if path.run not in _NN_KERNELS:
        _NN_KERNELS[path.run] = _make_shifted_gemm_nn(path.run)
    return _NN_KERNELS[path.run]


# The path this process takes (cpu_info.kernel_path(): the CPU's vector width or MINITORCH_CPU_PATH);
# the tests set it to run every path on any CPU.
PATH = cpu_info.kernel_path()
RUN = PATH.run


def shifted_gemm_nn(A, src, rows, dst, drows, bases, n, overwrite, path=None) -> None:
    """dst[db + drows[g, m] + j] += sum_k A[g, m, k] * src[sb + rows[g, k] + j]  for j < n.

    For every (sb, db) in bases and every group g: A (G, M, K); src, dst flat; rows (G, K)
    and drows (G, M) offsets. Rows of dst may overlap (grad input sends several taps to
    the same image): still exact, as each tile adds its sums to dst one row after another.
    With ``overwrite`` the sums replace what dst held (``=``, not ``+=``: no zeroing, no
    reading of dst); its rows must not overlap then. ``path`` (default PATH) picks the tile.
    """
    nn_kernel(path or PATH)(A, src, rows, dst, drows, bases, n, overwrite)


@njit(cache=True, nogil=True)
def _zero_row(dst, d, n):  # pragma: no cover - jitted
    """dst[d + j] = 0  for j < n."""
    _wide_vectors()
    for j in range(n):
        dst[(d + j) & NONNEG] = 0


@njit(cache=True, nogil=True, fastmath=True)
def _nn_row(A, m, k0, k1, src, rows, sb, dst, drows, db, n):  # pragma: no cover - jitted
    """One row of ``shifted_gemm_nn`` over taps k0..k1 (the edge of the tiles): four taps per sweep."""
    _wide_vectors()
    K4 = k1 - (k1 - k0) % 4
    d0 = db + drows[m]
    for k in range(k0, K4, 4):
        a0, a1, a2, a3 = A[m, k], A[m, k + 1], A[m, k + 2], A[m, k + 3]
        r0, r1, r2, r3 = sb + rows[k], sb + rows[k + 1], sb + rows[k + 2], sb + rows[k + 3]
        for j in range(n):
            dst[(d0 + j) & NONNEG] += (
                a0 * src[(r0 + j) & NONNEG]
                + a1 * src[(r1 + j) & NONNEG]
                + a2 * src[(r2 + j) & NONNEG]
                + a3 * src[(r3 + j) & NONNEG]
            )
    for k in range(K4, k1):
        _nn_tap(A, m, np.int64(1), k, src, sb + rows[k], dst, drows, db, n)


@njit(cache=True, nogil=True, fastmath=True)
def _nn_tap(A, m, count, k, src, r, dst, drows, db, n):  # pragma: no cover - jitted
    """dst[db + drows[m + i] + j] += A[m + i, k] * src[r + j]  for i < count: one tap (the edge of a tile)."""
    _wide_vectors()
    for i in range(count):
        a = A[m + i, k]
        d = db + drows[m + i]
        for j in range(n):
            dst[(d + j) & NONNEG] += a * src[(r + j) & NONNEG]


@njit(cache=True, nogil=True, fastmath=True)
def shifted_gemm_nt(A, arows, src, rows, bases, n, acc):  # pragma: no cover - jitted
    """acc[g, m, k] += sum_j A[ab + arows[g, m] + j] * src[sb + rows[g, k] + j]  for j < n.

    For every (ab, sb) in bases and every group g: A, src flat; arows (G, M) and rows (G, K)
    offsets; acc (G, M, K).
    """
    _wide_vectors()
    G, M = acc.shape[0], acc.shape[1]
    for i in range(bases.shape[0]):
        ab, sb = bases[i, 0], bases[i, 1]
        for g in range(G):
            m = np.int64(0)  # not the literal 0: Numba would compile the tile twice
            while m + 4 <= M:
                _nt_tile4(A, ab, arows[g], m, src, sb, rows[g], n, acc[g])
                m += 4
            while m < M:
                _nt_row(A, ab + arows[g, m], src, sb, rows[g], n, acc[g], m)
                m += 1


@njit(cache=True, nogil=True, fastmath=True)
def _nt_tile4(A, ab, arows, m, src, sb, rows, n, acc):  # pragma: no cover - jitted
    """Rows m..m+3 of ``shifted_gemm_nt``: a 4 x 4 tile of sums in 16 scalar accumulators."""
    _wide_vectors()
    K = acc.shape[1]
    K4 = K - K % 4
    p0, p1, p2, p3 = ab + arows[m], ab + arows[m + 1], ab + arows[m + 2], ab + arows[m + 3]
    for k in range(0, K4, 4):
        r0, r1, r2, r3 = sb + rows[k], sb + rows[k + 1], sb + rows[k + 2], sb + rows[k + 3]
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
        r = sb + rows[k]
        acc[m, k] += _dot(A, p0, src, r, n)
        acc[m + 1, k] += _dot(A, p1, src, r, n)
        acc[m + 2, k] += _dot(A, p2, src, r, n)
        acc[m + 3, k] += _dot(A, p3, src, r, n)


@njit(cache=True, nogil=True, fastmath=True)
def _nt_row(A, p, src, sb, rows, n, acc, m):  # pragma: no cover - jitted
    """Row m of ``shifted_gemm_nt`` (the edge of the tiles): four taps per sweep, 4 accumulators."""
    _wide_vectors()
    K = acc.shape[1]
    K4 = K - K % 4
    for k in range(0, K4, 4):
        r0, r1, r2, r3 = sb + rows[k], sb + rows[k + 1], sb + rows[k + 2], sb + rows[k + 3]
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
        acc[m, k] += _dot(A, p, src, sb + rows[k], n)


@njit(cache=True, nogil=True, fastmath=True)
def _dot(A, p, src, r, n):  # pragma: no cover - jitted
    """sum_j A[p + j] * src[r + j]  for j < n."""
    _wide_vectors()
    s = A.dtype.type(0)
    for j in range(n):
        s += A[(p + j) & NONNEG] * src[(r + j) & NONNEG]
    return s
