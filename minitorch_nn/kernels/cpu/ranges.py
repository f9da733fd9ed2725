"""Kernels for torch's range factories, value for value: arange, linspace, logspace.

torch's arange and linspace kernels compute with multiply-adds the compiler fuses, so those
values are each one fused multiply-add (``fused_multiply_add``) from the same operands, rounded
as torch rounds; logspace's loop is not fused:

- ``linspace``: step = (end - start) / (steps - 1) in the dtype (double for integer dtypes);
  the first half counts up from start (start + step * i), the second half down from end
  (end - step * (steps - 1 - i)), so both ends are exact.
- ``arange``: in double (float32's accumulate type), in vectors of 8 floats / 4 doubles taken
  two at a time: each vector's first value start + step * i is rounded to the dtype and the
  others counted from it (base + k * step); the tail that fills no pair of vectors is
  start + step * i one by one.
- ``logspace``: pow(base, exponent) in double, the exponent counted as linspace counts (a
  separate multiply and add), with step = (end - start) / (steps - 1) from the dtype's start
  and end.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .random import fused_multiply_add


@njit(cache=True, nogil=True)
def linspace(start, end, step, out):  # pragma: no cover - jitted
    """out[i] for i < n // 2: start + step * i; else end - step * (n - 1 - i); all in step's type."""
    n = out.shape[0]
    halfway = n // 2
    for i in range(n):
        if i < halfway:
            out[i] = fused_multiply_add(step, type(step)(i), start)
        else:
            out[i] = fused_multiply_add(-step, type(step)(n - 1 - i), end)


@njit(cache=True, nogil=True)
def arange(start, step, vector, out):  # pragma: no cover - jitted
    """out[i] = start + step * i in double, vector by vector (``vector`` values each, see the docstring)."""
    n = out.shape[0]
    i = 0
    while i <= n - 2 * vector:
        for _ in range(2):
            out[i] = fused_multiply_add(step, float(i), start)
            base = np.float64(out[i])  # the vector's first value, rounded to the dtype
            for k in range(1, vector):
                out[i + k] = fused_multiply_add(float(k), step, base)
            i += vector
    while i < n:
        out[i] = fused_multiply_add(step, float(i), start)
        i += 1


@njit(cache=True, nogil=True)
def logspace(base, start, end, step, out):  # pragma: no cover - jitted
    """out[i] = base ** (start + step * i) for the first half, base ** (end - step * (n - 1 - i)) after."""
    n = out.shape[0]
    halfway = n // 2
    for i in range(n):
        if i < halfway:
            exponent = start + step * float(i)
        else:
            exponent = end - step * float(n - 1 - i)
        out[i] = base**exponent


def vector_width(np_dtype: np.dtype) -> int:
    """Values per vector of torch's arange kernel: 32 bytes."""
    return 32 // np.dtype(np_dtype).itemsize
