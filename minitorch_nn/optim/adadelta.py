"""Adadelta with torch's exact update (single-tensor path).

Per parameter p with gradient g::

    g   <- -g                                      if maximize
    g   <- g + weight_decay * p
    v   <- rho * v + (1 - rho) * g * g             (``square_avg``: running mean of g^2)
    d   <- sqrt(u + eps) / sqrt(v + eps) * g       (u = ``acc_delta``, the running mean of d^2)
    u   <- rho * u + (1 - rho) * d * d
    p   <- p - lr * d

The ratio of the two running RMS values gives every coordinate a step in the units of p itself,
which is why the default lr is 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from .adam import as_float
from .checks import check_lr, check_nonnegative
from .optimizer import Optimizer, grads_of, l2_gradient, new_state
from .pointwise import add_, addcmul_


class Adadelta(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative("epsilon value", eps)
        check_nonnegative("weight_decay value", weight_decay)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                lr, rho, eps, weight_decay = as_float(group["lr"]), group["rho"], group["eps"], group["weight_decay"]
                for p, g in grads_of(group):
                    state = new_state(self.state[p], p, "square_avg", "acc_delta")
                    state["step"]._data += 1
                    g = l2_gradient(g, p, weight_decay, group["maximize"])
                    v, u = state["square_avg"]._data, state["acc_delta"]._data
                    one = v.dtype.type
                    v *= one(rho)
                    addcmul_(v, g, g, 1 - rho)
                    std = np.sqrt(v + one(eps))
                    delta = np.sqrt(u + one(eps))
                    delta /= std
                    delta *= g
                    u *= one(rho)
                    addcmul_(u, delta, delta, 1 - rho)
                    add_(p._data, delta, -lr)
                    p._version_counter.value += 1
        return loss


__all__ = ["Adadelta"]
