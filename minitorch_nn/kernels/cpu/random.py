"""Kernels for torch's CPU random transforms: the loops NumPy cannot express bit for bit.

The uniform integers come from NumPy's MT19937 (see ``minitorch_nn.random``); these
kernels turn them into torch's values:

- ``fma_scale``: ``x * (to - from) + from`` as one fused multiply-add, as torch's
  uniform_ compiles (its CPU kernels are built with FMA enabled, and the compiler fuses).
- ``normal_fill_float32``: torch's AVX2 Box-Muller for contiguous float32 tensors of 16
  or more elements (the AVX512 build dispatches normal_ to the AVX2 kernel). Its log and
  sin/cos are Cephes polynomials (Pommier's ``avx_mathfun``), written here one float32
  operation at a time, each multiply-add the compiler fuses fused here too.
- ``normal_fill_float64``: the same blocks in double with libm's log/cos/sin.
- ``box_muller``: the scalar path, one (cos, sin) pair per two doubles.
- ``randperm_swaps`` / ``randperm_inside_out``: torch's two Fisher-Yates shuffles.
- ``cauchy``, ``geometric``, ``exp`` (log-normal): one libm call per double uniform or normal.

``math.log``/``cos``/``sin``/``log1p``/``tan``/``exp`` compile to calls into the C library, the same
functions torch's kernels call, so the doubles agree exactly.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numba.extending import intrinsic


@intrinsic
def fused_multiply_add(typingctx, a, b, c):  # pragma: no cover - compiled
    """a * b + c rounded once (LLVM's fma intrinsic); all three of one float type."""
    sig = a(a, b, c)

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return sig, codegen


_f32 = np.float32
_ONE = _f32(1.0)
_HALF = _f32(0.5)
_MINUS_TWO = _f32(-2.0)
_TWO_PI = _f32(2.0 * math.pi)
_SQRTHF = _f32(0.707106781186547524)
_LOG_P = (
    _f32(7.0376836292e-2),
    _f32(-1.1514610310e-1),
    _f32(1.1676998740e-1),
    _f32(-1.2420140846e-1),
    _f32(1.4249322787e-1),
    _f32(-1.6668057665e-1),
    _f32(2.0000714765e-1),
    _f32(-2.4999993993e-1),
    _f32(3.3333331174e-1),
)
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)
_DP1 = _f32(-0.78515625)
_DP2 = _f32(-2.4187564849853515625e-4)
_DP3 = _f32(-3.77489497744594108e-8)
_SIN_P0, _SIN_P1, _SIN_P2 = _f32(-1.9515295891e-4), _f32(8.3321608736e-3), _f32(-1.6666654611e-1)
_COS_P0, _COS_P1, _COS_P2 = _f32(2.443315711809948e-005), _f32(-1.388731625493765e-003), _f32(4.166664568298827e-002)
_FOPI = _f32(1.27323954473516)  # 4 / pi


@njit(cache=True, nogil=True)
def _log_f32(u):  # pragma: no cover - jitted
    """Cephes logf for u in (0, 1]: u = m * 2^e with m in [0.5, 1), then a degree-9 polynomial."""
    m, exponent = math.frexp(u)
    x = _f32(m)
    e = _f32(exponent)
    if x < _SQRTHF:  # fold m into [sqrt(1/2), sqrt(2)): 2m - 1
        e = e - _ONE
        x = (x - _ONE) + x
    else:
        x = x - _ONE
    z = x * x
    y = _LOG_P[0]
    y = fused_multiply_add(y, x, _LOG_P[1])
    y = fused_multiply_add(y, x, _LOG_P[2])
    y = fused_multiply_add(y, x, _LOG_P[3])
    y = fused_multiply_add(y, x, _LOG_P[4])
    y = fused_multiply_add(y, x, _LOG_P[5])
    y = fused_multiply_add(y, x, _LOG_P[6])
    y = fused_multiply_add(y, x, _LOG_P[7])
    y = fused_multiply_add(y, x, _LOG_P[8])
    y = y * x
    y = fused_multiply_add(y, z, e * _LOG_Q1)
    y = fused_multiply_add(-z, _HALF, y)
    return fused_multiply_add(e, _LOG_Q2, x + y)


@njit(cache=True, nogil=True)
def _sincos_f32(theta):  # pragma: no cover - jitted
    """Cephes sinf/cosf for theta >= 0: reduce by multiples of pi/4 (three-part pi), two polynomials."""
    x = abs(theta)
    j = np.int32(x * _FOPI)
    j = (j + 1) & ~1
    y = _f32(j)
    sin_negative = (theta < 0) != ((j & 4) != 0)
    cos_negative = ((~(j - 2)) & 4) != 0
    use_cos_poly_for_cos = (j & 2) == 0
    x = fused_multiply_add(y, _DP1, x)
    x = fused_multiply_add(y, _DP2, x)
    x = fused_multiply_add(y, _DP3, x)
    z = x * x
    yc = _COS_P0
    yc = fused_multiply_add(yc, z, _COS_P1)
    yc = fused_multiply_add(yc, z, _COS_P2)
    yc = yc * z
    yc = fused_multiply_add(yc, z, -(z * _HALF))
    yc = yc + _ONE
    ys = _SIN_P0
    ys = fused_multiply_add(ys, z, _SIN_P1)
    ys = fused_multiply_add(ys, z, _SIN_P2)
    ys = ys * z
    ys = fused_multiply_add(ys, x, x)
    if use_cos_poly_for_cos:
        s, c = ys, yc
    else:
        s, c = yc, ys
    return (-s if sin_negative else s), (-c if cos_negative else c)


@njit(cache=True, nogil=True)
def _fill16_f32(data, start, mean, std):  # pragma: no cover - jitted
    """data[start:start+16]: uniforms in, normals out (cos from the first 8, sin into the last 8)."""
    for j in range(8):
        u1 = _ONE - data[start + j]
        u2 = data[start + j + 8]
        radius = _f32(math.sqrt(_MINUS_TWO * _log_f32(u1)))
        s, c = _sincos_f32(_TWO_PI * u2)
        data[start + j] = fused_multiply_add(radius * c, std, mean)
        data[start + j + 8] = fused_multiply_add(radius * s, std, mean)


@njit(cache=True, nogil=True)
def _fill16_f64(data, start, mean, std):  # pragma: no cover - jitted
    for j in range(8):
        u1 = 1.0 - data[start + j]
        u2 = data[start + j + 8]
        radius = math.sqrt(-2.0 * math.log(u1))
        theta = 2.0 * math.pi * u2
        data[start + j] = fused_multiply_add(radius * math.cos(theta), std, mean)
        data[start + j + 8] = fused_multiply_add(radius * math.sin(theta), std, mean)


@njit(cache=True, nogil=True)
def normal_fill_float32(data, tail, mean, std):  # pragma: no cover - jitted
    """torch's normal_fill: Box-Muller on each block of 16 uniforms in ``data`` (n >= 16), in place;
    when n is not a multiple of 16 the last 16 values are redone from the 16 fresh uniforms ``tail``."""
    n = data.shape[0]
    for i in range(0, n - 15, 16):
        _fill16_f32(data, i, mean, std)
    if tail.shape[0] == 16:
        _fill16_f32(tail, 0, mean, std)
        data[n - 16 :] = tail


@njit(cache=True, nogil=True)
def normal_fill_float64(data, tail, mean, std):  # pragma: no cover - jitted
    n = data.shape[0]
    for i in range(0, n - 15, 16):
        _fill16_f64(data, i, mean, std)
    if tail.shape[0] == 16:
        _fill16_f64(tail, 0, mean, std)
        data[n - 16 :] = tail


@njit(cache=True, nogil=True)
def box_muller(u1, u2, out):  # pragma: no cover - jitted
    """out[2i], out[2i+1] = r cos(theta), r sin(theta) with r = sqrt(-2 log1p(-u2[i])), theta = 2 pi u1[i]."""
    for i in range(u1.shape[0]):
        r = math.sqrt(-2.0 * math.log1p(-u2[i]))
        theta = 2.0 * math.pi * u1[i]
        out[2 * i] = r * math.cos(theta)
        out[2 * i + 1] = r * math.sin(theta)


@njit(cache=True, nogil=True)
def fma_scale(x, scale, shift):  # pragma: no cover - jitted
    """x * scale + shift rounded once, in place (scale and shift of x's dtype)."""
    for i in range(x.shape[0]):
        x[i] = fused_multiply_add(x[i], scale, shift)


@njit(cache=True, nogil=True)
def fma_arrays(x, scale, shift):  # pragma: no cover - jitted
    """x * scale + shift rounded once, element-wise, in place (three arrays of one dtype)."""
    for i in range(x.shape[0]):
        x[i] = fused_multiply_add(x[i], scale[i], shift[i])


@njit(cache=True, nogil=True)
def log1p_neg(u):  # pragma: no cover - jitted
    """log1p(-u) element-wise (libm's, as torch's exponential_ calls it)."""
    out = np.empty_like(u)
    for i in range(u.shape[0]):
        out[i] = math.log1p(-u[i])
    return out


@njit(cache=True, nogil=True)
def randperm_swaps(draws, out):  # pragma: no cover - jitted
    """out = 0..n-1, then for i < n-1 swap out[i] with out[i + draws[i] % (n - i)]."""
    n = out.shape[0]
    for i in range(n):
        out[i] = i
    for i in range(n - 1):
        z = np.int64(draws[i] % np.uint64(n - i))
        out[i], out[i + z] = out[i + z], out[i]


@njit(cache=True, nogil=True)
def randperm_inside_out(draws, out):  # pragma: no cover - jitted
    """The inside-out Fisher-Yates for huge n: out[i] = out[z]; out[z] = i with z = draws[i] % (i + 1)."""
    for i in range(out.shape[0]):
        z = np.int64(draws[i] % np.uint64(i + 1))
        out[i] = out[z]
        out[z] = i


@njit(cache=True, nogil=True)
def cauchy(u, median, sigma):  # pragma: no cover - jitted
    """median + sigma * tan(pi * (u - 1/2)) element-wise, fused."""
    out = np.empty_like(u)
    for i in range(u.shape[0]):
        out[i] = fused_multiply_add(sigma, math.tan(math.pi * (u[i] - 0.5)), median)
    return out


@njit(cache=True, nogil=True)
def geometric(u, p):  # pragma: no cover - jitted
    """ceil(log(u) / log1p(-p)) element-wise: the number of trials up to the first success."""
    out = np.empty_like(u)
    denominator = math.log1p(-p)
    for i in range(u.shape[0]):
        out[i] = math.ceil(math.log(u[i]) / denominator)
    return out


@njit(cache=True, nogil=True)
def exp(x):  # pragma: no cover - jitted
    """libm's exp element-wise."""
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = math.exp(x[i])
    return out


@njit(cache=True, nogil=True)
def words_to_float32(words, out):  # pragma: no cover - jitted
    """out[i] = (words[i] & (2^24 - 1)) * 2^-24: torch's float uniform on [0, 1)."""
    scale = np.float32(2.0**-24)
    for i in range(out.shape[0]):
        out[i] = np.float32(words[i] & np.uint64(0xFFFFFF)) * scale


@njit(cache=True, nogil=True)
def words_to_float64(words, out):  # pragma: no cover - jitted
    """out[i] = (((words[2i] << 32) | words[2i+1]) & (2^53 - 1)) * 2^-53: torch's double uniform on [0, 1)."""
    mask = np.uint64((1 << 53) - 1)
    for i in range(out.shape[0]):
        value = ((words[2 * i] << np.uint64(32)) | words[2 * i + 1]) & mask
        out[i] = np.float64(value) * 2.0**-53
