"""Optimizer updates in one pass over each parameter (the SGD step).

NumPy needs a pass and a temporary per term: ``buf *= m; buf += (1 - d) * g;
p -= lr * buf`` is five passes and two temporaries per parameter, ~7 us for each
of the seed LeNet's ten parameters, more than its whole update arithmetic. One
Numba loop does it in a single pass, in the same order and the same dtype as
NumPy (the coefficients are passed in the array's dtype, and nothing is fused
into FMAs), so the result is bit-for-bit NumPy's; until the kernel is compiled (in the
background, ``jit.py``) the caller's NumPy code does the update.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

from .jit import KernelGroup, array


@njit(cache=True, nogil=True)
def _sgd_momentum(p, g, buf, lr, momentum, keep, weight_decay, sign, nesterov):  # pragma: no cover - jitted
    """For each i:  d = sign*g + wd*p;  buf = momentum*buf + keep*d;  p -= lr * (d + momentum*buf if nesterov else buf)."""
    for i in range(p.shape[0]):
        d = sign * g[i]
        if weight_decay != 0:
            d = d + weight_decay * p[i]
        b = buf[i] * momentum
        b = b + keep * d
        buf[i] = b
        step = d + momentum * b if nesterov else b
        p[i] = p[i] - lr * step


_SGD = KernelGroup(
    "sgd",
    [(_sgd_momentum, (array(t, 1),) * 3 + (t,) * 5 + (types.boolean,)) for t in (types.float32, types.float64)],
)


def sgd_momentum_(
    p: np.ndarray,
    g: np.ndarray,
    buf: np.ndarray,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    maximize: bool,
    nesterov: bool,
) -> bool:
    """SGD with momentum on p and buf in place (torch's update); False if the arrays do not fit
    the one-pass kernel (mixed dtypes, non-contiguous, not float32/float64): the caller then
    does it with NumPy."""
    dtype = p.dtype
    if dtype not in (np.float32, np.float64) or g.dtype != dtype or buf.dtype != dtype:
        return False
    if not (p.flags.c_contiguous and g.flags.c_contiguous and buf.flags.c_contiguous):
        return False
    if p.shape != g.shape or p.shape != buf.shape:
        return False
    if not (_SGD.usable or _SGD.ready()):
        return False
    c = dtype.type
    _sgd_momentum(
        p.reshape(-1),
        g.reshape(-1),
        buf.reshape(-1),
        c(lr),
        c(momentum),
        c(1 - dampening),
        c(weight_decay),
        c(-1 if maximize else 1),
        nesterov,
    )
    return True
