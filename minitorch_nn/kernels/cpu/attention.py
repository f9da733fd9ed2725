"""The softmax's backward over the rows of attention scores, one fused pass per row, in place.

What it computes: for each row of the attention weights P and the gradient dP flowing into them,
dA = P * (dP - sum_j dP_j P_j) (derived in ops/attention.py), written over dP.

Why a kernel: in NumPy this is a product temporary (dP * P), a reduction, a broadcast
subtraction and a product: four passes over the (..., L, S) scores and two temporaries of
that size. Here each row is read twice (the dot product, then the update) and written once,
with no temporary; the loop has no transcendental function, so Numba vectorises it.

When it is chosen: always, by ops/attention.py's backward (float32 and float64 alike).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _softmax_backward_rows(probs, grad):  # pragma: no cover - jitted
    """grad[r] = probs[r] * (grad[r] - <grad[r], probs[r]>) for every row r of the 2-d arrays."""
    for r in range(probs.shape[0]):
        dot = grad.dtype.type(0)
        for j in range(probs.shape[1]):
            dot += grad[r, j] * probs[r, j]
        for j in range(probs.shape[1]):
            grad[r, j] = probs[r, j] * (grad[r, j] - dot)


def softmax_backward_(probs: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """dA = P * (dP - rowsum(dP * P)) along the last axis, computed in place over ``grad`` (returned)."""
    if grad.size == 0:
        return grad
    if not grad.flags.c_contiguous or grad.dtype != probs.dtype:
        grad = np.ascontiguousarray(grad, dtype=probs.dtype)
    probs = np.ascontiguousarray(np.broadcast_to(probs, grad.shape))
    _softmax_backward_rows(probs.reshape(-1, probs.shape[-1]), grad.reshape(-1, grad.shape[-1]))
    return grad
