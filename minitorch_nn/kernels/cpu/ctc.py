# ruff: noqa: N803, N806  (T, S, L follow the recursion in ops/ctc.py's docstring)
"""CTC's alpha-beta recursion and gradient, one sample at a time, in Numba.

The recursion (stated and derived in ops/ctc.py) is a loop over time whose every step reads the
previous one, with two or three log-sum-exps per state: scalar code that NumPy would run as
many tiny array calls. Arrays in, arrays out; nothing here knows about tensors.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _logaddexp(a: float, b: float) -> float:
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    top = max(a, b)
    return top + np.log(np.exp(a - top) + np.exp(b - top))


@njit(cache=True)
def ctc_loss_and_grad(
    log_probs: np.ndarray,
    labels: np.ndarray,
    offsets: np.ndarray,
    target_lengths: np.ndarray,
    input_lengths: np.ndarray,
    blank: int,
    zero_infinity: bool,
    losses: np.ndarray,
    grad: np.ndarray,
) -> None:
    """Fill losses[n] (the negative log-likelihood) and grad[:, n, :] (torch's exp(lp) - gamma).

    log_probs (T, N, C); the labels of sample n are labels[offsets[n] : offsets[n] + target_lengths[n]].
    """
    n_classes = log_probs.shape[2]
    for n in range(log_probs.shape[1]):
        T = input_lengths[n]
        S = target_lengths[n]
        L = 2 * S + 1
        if T == 0:
            losses[n] = 0.0 if S == 0 else np.inf
            continue
        states = np.full(L, blank, dtype=np.int64)
        for i in range(S):
            states[2 * i + 1] = labels[offsets[n] + i]
        skip = np.zeros(L, dtype=np.bool_)
        for s in range(2, L):
            skip[s] = states[s] != blank and states[s] != states[s - 2]
        alpha = np.full((T, L), -np.inf)
        beta = np.full((T, L), -np.inf)
        alpha[0, 0] = log_probs[0, n, states[0]]
        if L > 1:
            alpha[0, 1] = log_probs[0, n, states[1]]
        for t in range(1, T):
            for s in range(L):
                total = alpha[t - 1, s]
                if s >= 1:
                    total = _logaddexp(total, alpha[t - 1, s - 1])
                if skip[s]:
                    total = _logaddexp(total, alpha[t - 1, s - 2])
                if total != -np.inf:
                    alpha[t, s] = total + log_probs[t, n, states[s]]
        beta[T - 1, L - 1] = log_probs[T - 1, n, states[L - 1]]
        if L > 1:
            beta[T - 1, L - 2] = log_probs[T - 1, n, states[L - 2]]
        for t in range(T - 2, -1, -1):
            for s in range(L):
                total = beta[t + 1, s]
                if s + 1 < L:
                    total = _logaddexp(total, beta[t + 1, s + 1])
                if s + 2 < L and skip[s + 2]:
                    total = _logaddexp(total, beta[t + 1, s + 2])
                if total != -np.inf:
                    beta[t, s] = total + log_probs[t, n, states[s]]
        end = alpha[T - 1, L - 1]
        if L > 1:
            end = _logaddexp(end, alpha[T - 1, L - 2])
        nll = -end
        losses[n] = nll
        if nll == np.inf:
            if not zero_infinity:  # inf - inf: torch's gradient is nan for the sample's steps
                for t in range(T):
                    for c in range(n_classes):
                        grad[t, n, c] = np.nan
            continue
        through = np.full(n_classes, -np.inf)
        for t in range(T):
            through[:] = -np.inf
            for s in range(L):
                through[states[s]] = _logaddexp(through[states[s]], alpha[t, s] + beta[t, s])
            for c in range(n_classes):
                lp = log_probs[t, n, c]
                grad[t, n, c] = np.exp(lp) - np.exp(through[c] + nll - lp)
