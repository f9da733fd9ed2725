"""Finite-difference gradient checks that need nothing but NumPy.

For a function f and a random upstream gradient g, backward gives, for each
input x_i, the vector-Jacobian product  grad_i = J_i^T g.  For any direction
v the chain rule says

    <grad_i, v> = d/dt <g, f(x_i + t v)> at t = 0
               ~= (<g, f(x_i + eps v)> - <g, f(x_i - eps v)>) / (2 eps)

so one central difference per random direction checks the whole gradient of
input i (torch's gradcheck calls this "fast mode"). A dropped transpose, a
missing reduction or a shifted index changes <grad_i, v> for almost every v.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .engine import backward
from .grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised when an analytical gradient disagrees with finite differences."""


def _scalarise(out: Tensor | Sequence[Tensor], upstream: list[np.ndarray]) -> float:
    outs = out if isinstance(out, (tuple, list)) else (out,)
    total = 0.0
    for o, g in zip(outs, upstream):
        if o.dtype.is_floating_point:
            total += float(np.sum(o._data.astype(np.float64) * g))
    return total


def gradcheck(
    func: Callable[..., Tensor | Sequence[Tensor]],
    inputs: Sequence[Tensor],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    directions: int = 2,
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    """Check backward of ``func`` against central differences along random directions.

    Every input that requires grad (use float64) is checked separately, along
    ``directions`` random unit-variance directions, with a random upstream
    gradient (never all ones). Returns True, or raises GradcheckError naming
    the input and both values.
    """
    rng = np.random.default_rng(seed)
    inputs = list(inputs)
    out = func(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    upstream = [rng.standard_normal(o.shape) for o in outs]
    for x in inputs:
        if isinstance(x, Tensor) and x.requires_grad:
            x.grad = None
    diff_outs = [(o, g) for o, g in zip(outs, upstream) if o.requires_grad]
    if diff_outs:
        backward([o for o, _ in diff_outs], [Tensor._make(g.astype(o._data.dtype)) for o, g in diff_outs])
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        analytical = np.zeros(x.shape) if x.grad is None else x.grad._data.astype(np.float64)
        original = x._data.copy()
        for _ in range(directions):
            v = rng.standard_normal(x.shape)
            with no_grad():
                x._data[...] = original + eps * v
                plus = _scalarise(func(*inputs), upstream)
                x._data[...] = original - eps * v
                minus = _scalarise(func(*inputs), upstream)
                x._data[...] = original
            numerical = (plus - minus) / (2 * eps)
            predicted = float(np.sum(analytical * v))
            if not abs(numerical - predicted) <= atol + rtol * abs(numerical):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for input {i}: finite differences give {numerical!r} "
                        f"along a random direction, backward gives {predicted!r}"
                    )
                return False
    return True
