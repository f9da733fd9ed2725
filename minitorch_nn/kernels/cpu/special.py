"""Special functions NumPy lacks: erf, erfc and erfinv, one compiled pass each.

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
