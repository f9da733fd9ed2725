"""Adamax with torch's exact update (single-tensor path): Adam with the infinity norm.

Per parameter p with gradient g, step t::

    g   <- -g                              if maximize
    g   <- g + weight_decay * p
    m   <- m + (1 - beta1) * (g - m)       (``exp_avg``)
    u   <- max(beta2 * u, |g| + eps)       (``exp_inf``: a decaying max instead of a mean of g^2)
    p   <- p - lr / (1 - beta1^t) * m / u
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from .adam import as_float
from .checks import check_betas, check_lr, check_nonnegative
from .optimizer import Optimizer, grads_of, l2_gradient, new_state
from .pointwise import addcdiv_, lerp_


class Adamax(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonnegative("epsilon value", eps)
        check_betas(betas)
        check_nonnegative("weight_decay value", weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
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
                (beta1, beta2), eps = group["betas"], group["eps"]
                lr, weight_decay = as_float(group["lr"]), group["weight_decay"]
                for p, g in grads_of(group):
                    state = new_state(self.state[p], p, "exp_avg", "exp_inf")
                    state["step"]._data += 1
                    g = l2_gradient(g, p, weight_decay, group["maximize"])
                    m, u = state["exp_avg"]._data, state["exp_inf"]._data
                    lerp_(m, g, 1 - beta1)
                    u *= u.dtype.type(beta2)
                    np.maximum(u, np.abs(g) + u.dtype.type(eps), out=u)
                    clr = lr / (1 - beta1 ** float(state["step"]._data))
                    addcdiv_(p._data, m, u, -clr)
                    p._version_counter.value += 1
        return loss


__all__ = ["Adamax"]
