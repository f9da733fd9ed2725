"""Pointwise kernels where NumPy needs more than one pass.

``relu_backward``: dx = dy * [y > 0]. In NumPy that is a boolean temporary and a
multiply (two passes, two allocations); here it is one pass, and like torch's
threshold_backward it selects rather than multiplies (an inf or NaN gradient where
y <= 0 gives 0, not NaN). LeNet conv1's activation (64, 6, 28, 28): 0.12 ms against
0.17 ms for the NumPy form, one thread (the fresh output's page faults are most of it).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _relu_backward(grad, y, out):  # pragma: no cover - jitted
    """out[i] = grad[i] if y[i] > 0 else 0 (flat, contiguous arrays)."""
    for i in range(out.shape[0]):
        out[i] = grad[i] if y[i] > 0 else 0


def relu_backward(grad: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dx = grad * [y > 0], in grad's dtype (y is relu's saved output, same shape)."""
    if grad.dtype != y.dtype or grad.dtype not in (np.float32, np.float64) or grad.shape != y.shape:
        return grad * (y > 0)
    out = np.empty(y.shape, dtype=y.dtype)
    _relu_backward(np.ascontiguousarray(grad).reshape(-1), np.ascontiguousarray(y).reshape(-1), out.reshape(-1))
    return out
