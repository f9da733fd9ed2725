"""Layer normalisation over the last axis of a (rows, M) array: one compiled pass per row each way.

NumPy spends a pass over the whole array per step (the float64 copy, mean, variance, the
subtraction, the scaling, the affine map; in backward the products and two row sums), each with
its own temporary; here each row is read two or three times while it is in cache, the row
statistics and the parameter gradients accumulated in float64 whatever the array's dtype. The
math is ops/normalization.py's LayerNorm docstring.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# fastmath "reassoc" only: it lets LLVM vectorise the row sums (reordering their additions); no
# nnan/ninf, the -inf of masked scores and NaN inputs keep their IEEE meaning.
_ROW_SUMS = {"reassoc"}


@njit(cache=True, nogil=True, fastmath=_ROW_SUMS)
def _forward_rows(x, weight, bias, eps, y, xhat, mean, rstd):  # pragma: no cover - jitted
    rows, m = x.shape
    for r in range(rows):
        total = 0.0
        for j in range(m):
            total += x[r, j]
        mu = total / m
        square = 0.0
        for j in range(m):
            centred = x[r, j] - mu
            square += centred * centred
        inv = 1.0 / math.sqrt(square / m + eps)
        for j in range(m):
            xhat[r, j] = (x[r, j] - mu) * inv
            y[r, j] = xhat[r, j] * weight[j] + bias[j]
        mean[r] = mu
        rstd[r] = inv


@njit(cache=True, nogil=True, fastmath=_ROW_SUMS)
def _backward_rows(grad, xhat, rstd, weight, grad_x, grad_weight, grad_bias):  # pragma: no cover - jitted
    rows, m = grad.shape
    for r in range(rows):
        sum_d = 0.0
        sum_d_xhat = 0.0
        for j in range(m):
            d = grad[r, j] * weight[j]
            sum_d += d
            sum_d_xhat += d * xhat[r, j]
            grad_weight[j] += grad[r, j] * xhat[r, j]
            grad_bias[j] += grad[r, j]
        scale = rstd[r] / m
        for j in range(m):
            grad_x[r, j] = scale * (m * (grad[r, j] * weight[j]) - sum_d - xhat[r, j] * sum_d_xhat)


def layer_norm_forward(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(y, xhat, mean, rstd) of a (rows, M) float array normalised along its rows; mean and rstd (rows,)."""
    x = np.ascontiguousarray(x)
    rows = x.shape[0]
    y, xhat = np.empty_like(x), np.empty_like(x)
    mean, rstd = np.empty(rows, dtype=x.dtype), np.empty(rows, dtype=x.dtype)
    _forward_rows(x, np.ascontiguousarray(weight), np.ascontiguousarray(bias), float(eps), y, xhat, mean, rstd)
    return y, xhat, mean, rstd


def layer_norm_backward(
    grad: np.ndarray, xhat: np.ndarray, rstd: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dw, db) for (rows, M) grad and xhat, rstd (rows,), weight (M,); all in xhat's dtype."""
    grad = np.ascontiguousarray(grad, dtype=xhat.dtype)
    m = xhat.shape[1]
    grad_x = np.empty_like(xhat)
    grad_weight, grad_bias = np.zeros(m, dtype=np.float64), np.zeros(m, dtype=np.float64)
    _backward_rows(grad, xhat, rstd, np.ascontiguousarray(weight), grad_x, grad_weight, grad_bias)
    return grad_x, grad_weight.astype(xhat.dtype), grad_bias.astype(xhat.dtype)
