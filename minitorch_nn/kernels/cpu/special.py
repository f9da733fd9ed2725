"""Special functions NumPy lacks: erf, erfc and erfinv, one compiled pass each; and exact GELU.

``erf`` and ``erfc`` are the C library's (Numba compiles ``math.erf`` to libm's ``erf`` /
``erff``, so float32 is computed in float32 as torch does). NumPy has neither, and a Python
loop over ``math.erf`` costs ~100 ns an element.

``erfinv`` has no library routine, so it is solved: y = erfinv(x) is the root of
erf(y) = x. The start is Winitzki's closed form (relative error < 2e-3)::

    w = ln(1 - x^2),  t = 2 / (pi a) + w / 2,  y0 = sqrt(sqrt(t^2 - w / a) - t),  a = 0.147

then Halley steps on f(y) = erf(y) - x, f' = 2/sqrt(pi) e^{-y^2}, f'' = -2 y f'::

    y <- y - s / (1 + y s),   s = f / f'

Each step cubes the error (2e-3 -> 1e-8 -> 1e-24 in the middle; near +-1, where the constant
grows with y^2, a third step is needed), so the loop stops after a step below 1e-7 y, whose
successor would be below float64 rounding, and after three at most.

For |x| > 1/2 the residual is taken as (1 - |x|) - erfc(y) instead of erf(y) - |x|: 1 - |x| is
exact there (Sterbenz) and erfc keeps its relative accuracy as y grows, where erf(y) - |x| would
cancel to the last few bits and leave y wrong near +-1. float32 inputs are solved in float64 and
rounded once.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .spans import in_row_spans

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_WINITZKI_A = 0.147


@njit(cache=True, nogil=True)
def _erf_loop(x, out):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        out[i] = math.erf(x[i])


@njit(cache=True, nogil=True)
def _erfc_loop(x, out):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        out[i] = math.erfc(x[i])


@njit(cache=True, nogil=True)
def _erfinv_scalar(x):  # pragma: no cover - jitted
    """erfinv of one float64 (see the module docstring)."""
    if not (-1.0 < x < 1.0):
        if x == 1.0:
            return math.inf
        if x == -1.0:
            return -math.inf
        return math.nan  # |x| > 1 and NaN
    a = abs(x)
    w = math.log((1.0 - a) * (1.0 + a))  # ln(1 - x^2) without losing 1 - a near 1
    t = 2.0 / (math.pi * _WINITZKI_A) + 0.5 * w
    y = math.sqrt(max(math.sqrt(t * t - w / _WINITZKI_A) - t, 0.0))
    for _ in range(3):
        if a > 0.5:
            residual = (1.0 - a) - math.erfc(y)
        else:
            residual = math.erf(y) - a
        step = residual / (_TWO_OVER_SQRT_PI * math.exp(-y * y))
        y = y - step / (1.0 + y * step)
        if abs(step) <= 1e-7 * y:  # the next step would be ~ y^2 step^3: below float64 rounding
            break
    return y if x >= 0.0 else -y


@njit(cache=True, nogil=True)
def _erfinv_loop(x, out):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        out[i] = _erfinv_scalar(np.float64(x[i]))


def _elementwise(loop, x: np.ndarray) -> np.ndarray:
    """Run a flat loop over x; dtypes other than float32/float64 go through float64 and back."""
    work_dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    flat = np.ascontiguousarray(x, dtype=work_dtype).reshape(-1)
    out = np.empty(x.shape, dtype=work_dtype)
    loop(flat, out.reshape(-1))
    return out if out.dtype == x.dtype else out.astype(x.dtype)


def erf(x: np.ndarray) -> np.ndarray:
    """erf(x) = 2/sqrt(pi) * integral_0^x e^{-t^2} dt, in x's (float) dtype."""
    return _elementwise(_erf_loop, x)


def erfc(x: np.ndarray) -> np.ndarray:
    """erfc(x) = 1 - erf(x), accurate where erf(x) is close to 1."""
    return _elementwise(_erfc_loop, x)


def erfinv(x: np.ndarray) -> np.ndarray:
    """The y with erf(y) = x on (-1, 1); +-inf at +-1, NaN outside [-1, 1]."""
    return _elementwise(_erfinv_loop, x)


# ---- GELU (exact) ---------------------------------------------------------------------------------------
# y = x Phi(x) = x/2 (1 + erf(x/sqrt 2)), dy/dx = Phi(x) + x phi(x), phi(x) = e^{-x^2/2} / sqrt(2 pi).
#
# float32 takes a polynomial erf that the compiler can vectorise (libm's erff is one scalar call an
# element, ~10 ns, where torch's SIMD GELU spends ~0.5 ns). It is N. Juffa's erff: for |z| <= 0.9277
# erf(z) = z + z p(z^2), beyond it erf(z) = sign(z) (1 - e^{q(|z|)}) with q a degree-7 polynomial that
# tends to -z^2 (so q -> -inf and erf -> +-1 for large |z|, NaN stays NaN); max error ~1.3 ulp against
# the correctly rounded erf, torch's own float32 erf being within 1 ulp. GELU needs 1 + erf(z), which in
# the left tail is e^q itself: taken so, x Phi(x) keeps its relative accuracy far into the left tail
# (torch's x/2 (1 + erf) cancels there, ~20% off at x = -5). The exponential goes through
# NumPy's SIMD exp on a buffer of q values, so one call is three vector passes: q, exp, combine.
# float64 keeps libm's erf and exp in one fused scalar pass.

_F32 = np.float32
_INV_SQRT2_F32 = _F32(1.0 / math.sqrt(2.0))
_INV_SQRT_2PI_F32 = _F32(1.0 / math.sqrt(2.0 * math.pi))
_HALF_F32 = _F32(0.5)
_ONE_F32 = _F32(1.0)
_TWO_F32 = _F32(2.0)
_ERF_SPLIT_F32 = _F32(0.927734375)
_ERF_TAIL_F32 = tuple(
    _F32(c) for c in (-1.72853470e-5, 3.83197126e-4, -3.88396438e-3, 2.42546219e-2, -1.06777877e-1, -6.34846687e-1)
)
_ERF_TAIL_LAST_F32 = _F32(-1.28717512e-1)
_ERF_CORE_F32 = tuple(
    _F32(c) for c in (-5.96761703e-4, 4.99119423e-3, -2.67681349e-2, 1.12819925e-1, -3.76125336e-1, 1.28379166e-1)
)
_T0, _T1, _T2, _T3, _T4, _T5 = _ERF_TAIL_F32
_C0, _C1, _C2, _C3, _C4, _C5 = _ERF_CORE_F32


@njit(cache=True, nogil=True, inline="always")
def _erf_tail_exponent_f32(z):  # pragma: no cover - jitted
    """q(|z|), with erf(z) = sign(z) (1 - e^q) for |z| > 0.9277."""
    t = abs(z)
    s = z * z
    r = _T0 * t + _T1
    u = _T2 * t + _T3
    r = r * s + u
    r = r * t + _T4
    r = r * t + _T5
    r = r * t + _ERF_TAIL_LAST_F32
    return r * t - t


@njit(cache=True, nogil=True, inline="always")
def _one_plus_erf_f32(z, exp_q):  # pragma: no cover - jitted
    """1 + erf(z) from z and e^{q(|z|)}: the core polynomial near 0; beyond the split e^q = erfc(|z|),
    so 1 + erf(z) is e^q itself for z < 0 (no cancellation in the left tail) and 2 - e^q for z > 0."""
    s = z * z
    p = _C0 * s + _C1
    p = p * s + _C2
    p = p * s + _C3
    p = p * s + _C4
    p = p * s + _C5
    core = _ONE_F32 + (p * z + z)
    tail = exp_q if z < 0 else _TWO_F32 - exp_q
    return tail if abs(z) > _ERF_SPLIT_F32 else core


@njit(cache=True, nogil=True)
def _gelu_exponents_f32(x, q):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        q[i] = _erf_tail_exponent_f32(x[i] * _INV_SQRT2_F32)


@njit(cache=True, nogil=True)
def _gelu_forward_f32(x, exp_q, out):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        xi = x[i]
        out[i] = _HALF_F32 * xi * _one_plus_erf_f32(xi * _INV_SQRT2_F32, exp_q[i])


@njit(cache=True, nogil=True)
def _gelu_backward_exponents_f32(x, q, gauss):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        xi = x[i]
        q[i] = _erf_tail_exponent_f32(xi * _INV_SQRT2_F32)
        gauss[i] = -_HALF_F32 * xi * xi


@njit(cache=True, nogil=True)
def _gelu_backward_f32(x, grad, exp_q, exp_gauss, out):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        xi = x[i]
        cdf = _HALF_F32 * _one_plus_erf_f32(xi * _INV_SQRT2_F32, exp_q[i])
        out[i] = grad[i] * (cdf + xi * exp_gauss[i] * _INV_SQRT_2PI_F32)


@njit(cache=True, nogil=True)
def _gelu_forward_f64(x, out):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        xi = x[i]
        out[i] = 0.5 * xi * (1.0 + math.erf(xi / math.sqrt(2.0)))


@njit(cache=True, nogil=True)
def _gelu_backward_f64(x, grad, out):  # pragma: no cover - jitted
    for i in range(x.shape[0]):
        xi = x[i]
        cdf = 0.5 * (1.0 + math.erf(xi / math.sqrt(2.0)))
        out[i] = grad[i] * (cdf + xi * math.exp(-0.5 * xi * xi) / math.sqrt(2.0 * math.pi))


def _flat(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=dtype).reshape(-1)


def _gelu_dtype(*dtypes: np.dtype) -> np.dtype:
    """float32 stays float32; float64 and anything else (float16) is computed in float64."""
    dtype = np.result_type(*dtypes)
    return dtype if dtype == np.float32 else np.dtype(np.float64)


def gelu_exact(x: np.ndarray) -> np.ndarray:
    """x Phi(x) for a float array, in its dtype."""
    dtype = _gelu_dtype(x.dtype)
    flat_x = _flat(x, dtype)
    out = np.empty(x.shape, dtype=dtype)
    flat_out = out.reshape(-1)
    if dtype == np.float32:
        exp_q = np.empty_like(flat_x)

        def run(lo: int, hi: int) -> None:
            _gelu_exponents_f32(flat_x[lo:hi], exp_q[lo:hi])
            np.exp(exp_q[lo:hi], out=exp_q[lo:hi])
            _gelu_forward_f32(flat_x[lo:hi], exp_q[lo:hi], flat_out[lo:hi])

    else:

        def run(lo: int, hi: int) -> None:
            _gelu_forward_f64(flat_x[lo:hi], flat_out[lo:hi])

    in_row_spans(run, flat_x.shape[0], 1, flat_x.shape[0])
    return out.astype(x.dtype, copy=False)


def gelu_backward(x: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """grad * (Phi(x) + x phi(x)) for float x and grad of x's shape, in grad's dtype."""
    dtype = _gelu_dtype(x.dtype, grad.dtype)
    flat_x, flat_grad = _flat(x, dtype), _flat(grad, dtype)
    out = np.empty(x.shape, dtype=dtype)
    flat_out = out.reshape(-1)
    if dtype == np.float32:
        exponents = np.empty((2, flat_x.shape[0]), dtype=np.float32)

        def run(lo: int, hi: int) -> None:
            exp_q, exp_gauss = exponents[0, lo:hi], exponents[1, lo:hi]
            _gelu_backward_exponents_f32(flat_x[lo:hi], exp_q, exp_gauss)
            np.exp(exp_q, out=exp_q)
            np.exp(exp_gauss, out=exp_gauss)
            _gelu_backward_f32(flat_x[lo:hi], flat_grad[lo:hi], exp_q, exp_gauss, flat_out[lo:hi])

    else:

        def run(lo: int, hi: int) -> None:
            _gelu_backward_f64(flat_x[lo:hi], flat_grad[lo:hi], flat_out[lo:hi])

    in_row_spans(run, flat_x.shape[0], 1, flat_x.shape[0])
    return out.astype(grad.dtype, copy=False)
