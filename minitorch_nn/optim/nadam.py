"""NAdam with torch's exact update (single-tensor path): Adam with Nesterov momentum.

Per parameter p with gradient g, step t (``mu_product`` = prod of mu_1..mu_t)::

    g    <- -g                                       if maximize
    p    <- p * (1 - lr * weight_decay)              decoupled_weight_decay (NAdamW)
    g    <- g + weight_decay * p                     otherwise
    mu_t  = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))      (the momentum warm-up schedule)
    m    <- m + (1 - beta1) * (g - m);   v <- beta2 * v + (1 - beta2) * g * g
    d     = sqrt(v / (1 - beta2^t)) + eps
    p    <- p - lr (1 - mu_t) / (1 - mu_product) * g / d
             - lr mu_{t+1} / (1 - mu_product * mu_{t+1}) * m / d

The second line looks one step ahead: it applies next step's momentum to the current average.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from .adam import as_float
from .checks import check_betas, check_lr, check_nonnegative
from .optimizer import Optimizer, grads_of, new_state
from .pointwise import add_, addcdiv_, addcmul_, lerp_


class NAdam(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonnegative("epsilon value", eps)
        check_betas(betas)
        check_nonnegative("weight_decay value", weight_decay)
        check_nonnegative("momentum_decay value", momentum_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                (beta1, beta2), eps = group["betas"], group["eps"]
                lr, weight_decay, momentum_decay = as_float(group["lr"]), group["weight_decay"], group["momentum_decay"]
                for p, g in grads_of(group):
                    state = new_state(self.state[p], p, ("mu_product", 1.0), "exp_avg", "exp_avg_sq")
                    if group["maximize"]:
                        g = -g
                    state["step"]._data += 1
                    step = float(state["step"]._data)
                    bias_correction2 = 1 - beta2**step
                    if weight_decay != 0:
                        if group["decoupled_weight_decay"]:
                            p._data *= p._data.dtype.type(1 - lr * weight_decay)
                        else:
                            g = g.copy()
                            add_(g, p._data, weight_decay)
                    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                    product = state["mu_product"]._data
                    product *= np.float32(mu)  # a float32 0-d tensor times a number, as in torch
                    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                    lerp_(m, g, 1 - beta1)
                    v *= v.dtype.type(beta2)
                    addcmul_(v, g, g, 1 - beta2)
                    denom = np.sqrt(v / v.dtype.type(bias_correction2))
                    denom += denom.dtype.type(eps)
                    mu_product = float(product)
                    addcdiv_(p._data, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
                    addcdiv_(p._data, m, denom, -lr * mu_next / (1.0 - mu_product * mu_next))
                    p._version_counter.value += 1
        return loss


__all__ = ["NAdam"]
