"""Row kernels of attention's softmax: the causal softmax forward and the softmax backward, in place.

What they compute (derived in ops/attention.py):

- ``causal_softmax_``: P = softmax(s A) along each row, A the scores, with the entries above the
  diagonal (key j > query i) left out: P is 0 there.
- ``softmax_backward_``: for each row of the weights P and the gradient dP flowing into them,
  dA = P * (dP - sum_j dP_j P_j), written over dP.

Why kernels: in NumPy the causal forward is a scaling, a masked fill, a row maximum, a
subtraction, the exponential, a row sum and a division: seven passes over the (..., L, S)
scores. Here a row pass scales, masks and shifts by the maximum at once (the row stays in
cache), NumPy's SIMD exp runs over the whole block (a Numba loop would call the scalar libm
exp), and a second row pass normalises: three passes, and no float mask is ever made. The
backward is, in NumPy, a product temporary (dP * P), a reduction, a broadcast subtraction and a
product; here each row is read twice (the dot product, then the update) and written once. The
row passes have no transcendental function, so Numba vectorises them.

Threads: the row passes (``nogil``) and NumPy's exp (which lets go of the GIL too) run on spans
of rows, one per thread of the engine's worker pool when the scores are big enough.

When they are chosen: by ops/attention.py, the causal forward whenever is_causal is the only mask
(no attn_mask), the backward always.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .spans import in_row_spans


@njit(cache=True, nogil=True)
def _causal_shift_rows(scores, length, scale):  # pragma: no cover - jitted
    """Row r (query i = r mod length): s * A_j minus the row's maximum for j <= i, -inf for j > i."""
    source = scores.shape[1]
    minus_inf = scores.dtype.type(-np.inf)
    for r in range(scores.shape[0]):
        allowed = min(r % length + 1, source)
        top = minus_inf
        for j in range(allowed):
            v = scores[r, j] * scale
            scores[r, j] = v
            if v > top:
                top = v
        for j in range(allowed):
            scores[r, j] -= top
        for j in range(allowed, source):
            scores[r, j] = minus_inf


# fastmath "reassoc" only: it lets LLVM vectorise the row sums (reordering their additions); no
# nnan/ninf, the -inf of masked scores and NaN inputs keep their IEEE meaning.
_ROW_SUMS = {"reassoc"}


@njit(cache=True, nogil=True, fastmath=_ROW_SUMS)
def _normalise_rows(weights):  # pragma: no cover - jitted
    """Each row divided by its sum."""
    for r in range(weights.shape[0]):
        total = weights.dtype.type(0)
        for j in range(weights.shape[1]):
            total += weights[r, j]
        for j in range(weights.shape[1]):
            weights[r, j] /= total


def causal_softmax_(scores: np.ndarray, scale: float) -> np.ndarray:
    """softmax(scale * scores) along the last axis with key j > query i left out, in place over the
    C-contiguous ``scores`` (..., L, S) (returned)."""
    if scores.size == 0:
        return scores
    rows = scores.reshape(-1, scores.shape[-1])
    length, scale = scores.shape[-2], scores.dtype.type(scale)

    def run(lo: int, hi: int) -> None:
        span = rows[lo:hi]
        _causal_shift_rows(span, length, scale)
        np.exp(span, out=span)
        _normalise_rows(span)

    in_row_spans(run, rows.shape[0], length, rows.size)
    return scores


@njit(cache=True, nogil=True, fastmath=_ROW_SUMS)
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
    probs_rows, grad_rows = probs.reshape(-1, probs.shape[-1]), grad.reshape(-1, grad.shape[-1])
    in_row_spans(
        lambda lo, hi: _softmax_backward_rows(probs_rows[lo:hi], grad_rows[lo:hi]), grad_rows.shape[0], 1, grad.size
    )
    return grad
