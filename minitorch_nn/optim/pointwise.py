"""The pointwise updates of torch's optimizers, rounded the way torch's CPU kernels round them.

torch's vectorised CPU kernels compute three of the optimizer updates with a fused
multiply-add, one rounding where NumPy's ``s + a * b`` has two (checked against torch
2.13, float32, on 10 000 random entries each):

- ``s.add_(x, alpha=a)``           s <- fma(a, x, s)
- ``s.addcmul_(t1, t2, value=v)``  s <- fma(v * t1, t2, s)     (v * t1 rounded first)
- ``s.lerp_(e, w)``                s <- fma(w, e - s, s) for |w| < 0.5, else fma(w - 1, e - s, e)

while ``s.addcdiv_(t1, t2, value=v)`` is plain ``s + (v * t1) / t2``. A one-ulp
difference per step is invisible in one update, but an optimizer feeds its state back
for hundreds of steps, and float32 trajectories drifted apart by up to ~1e-4 relative
at entries that pass near zero. For float32 the fused form is computed exactly: the
product of two float32 numbers fits in float64's 53 bits, so ``a * b + c`` in float64
rounded once to float32 is the fma (up to a double rounding, about one case in 2^29).
float64 has no such exact form in NumPy and keeps the two roundings (float64 checks
compare at 1e-12, far above that).
"""

from __future__ import annotations

import numpy as np


def _fma_(out: np.ndarray, a, b, c) -> None:
    """out[...] = a * b + c with one rounding for float32 (see the module docstring)."""
    if out.dtype == np.float32:
        wide = np.multiply(a, b, dtype=np.float64)
        wide += c
        out[...] = wide
    else:
        out[...] = a * b + c


def add_(s: np.ndarray, x: np.ndarray, alpha: float) -> None:
    """s <- s + alpha * x, fused as torch's ``add_(x, alpha=alpha)``."""
    _fma_(s, s.dtype.type(alpha), x, s)


def addcmul_(s: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> None:
    """s <- s + value * t1 * t2, fused as torch's ``addcmul_``: fma(value * t1, t2, s)."""
    _fma_(s, s.dtype.type(value) * t1, t2, s)


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """start <- start + weight * (end - start), in torch's two-sided fused form (exact at weight 1)."""
    w = start.dtype.type(weight)
    diff = end - start
    if abs(weight) < 0.5:
        _fma_(start, w, diff, start)
    else:
        _fma_(start, w - start.dtype.type(1), diff, end)


def addcdiv_(s: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> None:
    """s <- s + value * t1 / t2, unfused as torch's ``addcdiv_``: (value * t1) / t2 rounded, then added."""
    s += (s.dtype.type(value) * t1) / t2
