"""Optimizer updates on the device: SGD, Adam/AdamW and RMSprop, each one fused elementwise kernel.

A thread per parameter entry reads p, its gradient and its state once and writes them back
once: the NumPy form of an Adam step is about ten passes and five temporaries per parameter,
ten launches on a GPU, where the whole step is a few microseconds of work. The rules are
torch's (optim/sgd.py, adam.py, rmsprop.py state them); coefficients arrive in the array's
dtype, so float32 parameters update in float32 arithmetic, and the coefficients 1 - beta (1 - alpha)
are formed on the host in double precision, as torch forms them.

- SGD:     d = sign g + wd p;  b = d (first step) or momentum b + (1 - dampening) d;
           p -= lr (d + momentum b if nesterov else b)   (no momentum: p -= lr d)
- Adam:    decoupled (AdamW): p *= 1 - lr wd, else d = sign g + wd p;  m += (1 - beta1)(d - m);
           v = beta2 v + (1 - beta2) d^2;  amsgrad: vmax = max(vmax, v);
           p -= step_size m / (sqrt(v or vmax) / bc2_sqrt + eps)
- RMSprop: d = sign g + wd p;  v = alpha v + (1 - alpha) d^2;  centered: a += (1 - alpha)(d - a),
           r = sqrt(v - a^2) + eps else sqrt(v) + eps;  momentum: b = momentum b + d / r, p -= lr b;
           else p -= lr d / r
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .device import THREADS, blocks_for, threads_for, xp


@cuda.jit
def _sgd(p, g, buf, lr, momentum, keep, weight_decay, sign, nesterov, first):  # pragma: no cover - compiled
    i = cuda.grid(1)
    if i >= p.size:
        return
    d = sign * g[i]
    if weight_decay != 0:
        d = d + weight_decay * p[i]
    if momentum != 0:
        b = d if first else momentum * buf[i] + keep * d
        buf[i] = b
        d = d + momentum * b if nesterov else b
    p[i] = p[i] - lr * d


@cuda.jit
def _adam(
    p, g, m, v, vmax, decay, keep1, beta2, keep2, eps, weight_decay, sign, step_size, bc2_sqrt, amsgrad
):  # pragma: no cover
    i = cuda.grid(1)
    if i >= p.size:
        return
    d = sign * g[i]
    if decay != 1:  # AdamW: p *= 1 - lr * wd
        p[i] = p[i] * decay
    if weight_decay != 0:  # Adam: d += wd * p
        d = d + weight_decay * p[i]
    mi = m[i] + keep1 * (d - m[i])
    vi = beta2 * v[i] + keep2 * d * d
    m[i] = mi
    v[i] = vi
    if amsgrad:
        if vi > vmax[i]:
            vmax[i] = vi
        vi = vmax[i]
    p[i] = p[i] - step_size * mi / (math.sqrt(vi) / bc2_sqrt + eps)


@cuda.jit
def _rmsprop(
    p, g, square_avg, grad_avg, buf, lr, alpha, keep, eps, weight_decay, momentum, centered, sign
):  # pragma: no cover
    i = cuda.grid(1)
    if i >= p.size:
        return
    d = sign * g[i]
    if weight_decay != 0:
        d = d + weight_decay * p[i]
    v = alpha * square_avg[i] + keep * d * d
    square_avg[i] = v
    if centered:
        a = grad_avg[i] + keep * (d - grad_avg[i])
        grad_avg[i] = a
        v = v - a * a
    r = math.sqrt(v) + eps
    if momentum > 0:
        b = momentum * buf[i] + d / r
        buf[i] = b
        p[i] = p[i] - lr * b
    else:
        p[i] = p[i] - lr * d / r


def _flat(p, g, *state):
    """1-d views of contiguous arrays (the kernels index flat); None becomes a 1-element stand-in
    of its own (not a view of another argument: a launch may copy each argument back, see
    conv.py's bias)."""
    arrays = (p, xp.ascontiguousarray(g)) + state
    return [xp.zeros(1, dtype=p.dtype) if a is None else a.reshape(-1) for a in arrays]


def _launch(kernel, n: int, *args) -> None:
    if n:
        threads = threads_for(n, THREADS)
        kernel[blocks_for(n, threads), threads](*args)


def fits(p, g, *state) -> bool:
    """What the fused kernels need: one float dtype and shape for all, and p and its state (written in
    place) C-contiguous; the gradient may have any layout (it is read through a contiguous copy)."""
    arrays = (p, g) + tuple(a for a in state if a is not None)
    return (
        p.dtype in (np.float32, np.float64)
        and all(a.dtype == p.dtype and a.shape == p.shape for a in arrays)
        and all(a.flags.c_contiguous for a in (p,) + state if a is not None)
    )


def sgd_(p, g, buf, lr, momentum, dampening, weight_decay, maximize, nesterov, first) -> None:
    """One SGD step on p (and the momentum buffer buf, None without momentum) in place."""
    c = p.dtype.type
    _launch(
        _sgd,
        p.size,
        *_flat(p, g, buf),
        c(lr),
        c(momentum),
        c(1 - dampening),
        c(weight_decay),
        c(-1 if maximize else 1),
        bool(nesterov),
        bool(first),
    )


def adam_(p, g, m, v, vmax, lr, beta1, beta2, eps, weight_decay, decoupled, maximize, step) -> None:
    """One Adam (decoupled: AdamW) step on p, m, v (and vmax for amsgrad, else None) in place; step counts from 1.

    The coefficients 1 - beta are formed in double precision here, as torch forms them in Python:
    1 - 0.999 in float32 arithmetic would be off by 5e-5 relative."""
    c = p.dtype.type
    step_size = lr / (1 - beta1**step)
    bc2_sqrt = math.sqrt(1 - beta2**step)
    decay = 1 - lr * weight_decay if decoupled else 1.0
    _launch(
        _adam,
        p.size,
        *_flat(p, g, m, v, vmax),
        c(decay),
        c(1 - beta1),
        c(beta2),
        c(1 - beta2),
        c(eps),
        c(0 if decoupled else weight_decay),
        c(-1 if maximize else 1),
        c(step_size),
        c(bc2_sqrt),
        vmax is not None,
    )


def rmsprop_(p, g, square_avg, grad_avg, buf, lr, alpha, eps, weight_decay, momentum, maximize) -> None:
    """One RMSprop step in place; grad_avg None unless centered, buf None without momentum."""
    c = p.dtype.type
    _launch(
        _rmsprop,
        p.size,
        *_flat(p, g, square_avg, grad_avg, buf),
        c(lr),
        c(alpha),
        c(1 - alpha),
        c(eps),
        c(weight_decay),
        c(momentum),
        grad_avg is not None,
        c(-1 if maximize else 1),
    )


__all__ = ["adam_", "fits", "rmsprop_", "sgd_"]
