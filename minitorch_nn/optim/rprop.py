"""Rprop with torch's exact update (single-tensor path): steps by the gradient's sign only.

Per parameter p with gradient g and the previous step's gradient g' (``prev``)::

    s    = sign(g * g')
    eta  = etaplus where s > 0 (same sign: speed up), etaminus where s < 0 (overshot: slow down), 1 else
    step <- clamp(step * eta, step_size_min, step_size_max)       (``step_size``, started at lr)
    g    <- 0 where s < 0                                         (no move right after a sign change)
    p    <- p - sign(g) * step;   g' <- g
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from .adam import as_float
from .checks import check_lr
from .optimizer import Optimizer, grads_of, new_state
from .pointwise import addcmul_


class Rprop(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                etaminus, etaplus = group["etas"]
                step_size_min, step_size_max = group["step_sizes"]
                for p, g in grads_of(group):
                    state = self.state[p]
                    if len(state) == 0:
                        new_state(state, p, "prev")
                        state["step_size"] = Tensor._make(np.full_like(g, as_float(group["lr"])))
                    if group["maximize"]:
                        g = -g
                    state["step"]._data += 1
                    prev, step_size = state["prev"]._data, state["step_size"]._data
                    f = step_size.dtype.type
                    sign = np.sign(g * prev)
                    factor = np.where(sign > 0, f(etaplus), np.where(sign < 0, f(etaminus), f(1)))
                    step_size *= factor
                    np.clip(step_size, f(step_size_min), f(step_size_max), out=step_size)
                    g = np.where(factor == f(etaminus), f(0), g)
                    addcmul_(p._data, np.sign(g), step_size, -1)
                    prev[...] = g
                    p._version_counter.value += 1
        return loss


__all__ = ["Rprop"]
