"""RAdam with torch's exact update (single-tensor path): Adam with a rectified warm-up.

Per parameter p with gradient g, step t::

    m, v as in Adam;  m_hat = m / (1 - beta1^t)
    rho_inf = 2 / (1 - beta2) - 1,   rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    if rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                   p <- p - lr * m_hat * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
    else:          p <- p - lr * m_hat               (the variance estimate is too young: plain momentum)

rho_t is the length of the simple moving average the exponential one approximates; the
rectifier r scales the adaptive step down while that estimate of v is still noisy.
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
from .pointwise import add_, addcmul_, lerp_


class RAdam(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
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
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                (beta1, beta2), eps = group["betas"], group["eps"]
                lr, weight_decay = as_float(group["lr"]), group["weight_decay"]
                for p, g in grads_of(group):
                    state = new_state(self.state[p], p, "exp_avg", "exp_avg_sq")
                    if group["maximize"]:
                        g = -g
                    state["step"]._data += 1
                    step = float(state["step"]._data)
                    if weight_decay != 0:
                        if group["decoupled_weight_decay"]:
                            p._data *= p._data.dtype.type(1 - lr * weight_decay)
                        else:
                            g = g.copy()
                            add_(g, p._data, weight_decay)
                    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                    f = v.dtype.type
                    lerp_(m, g, 1 - beta1)
                    v *= f(beta2)
                    addcmul_(v, g, g, 1 - beta2)
                    bias_correction1 = 1 - beta1**step
                    bias_correction2 = 1 - beta2**step
                    update = (m / f(bias_correction1)) * f(lr)
                    rho_inf = 2 / (1 - beta2) - 1
                    rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
                    if rho_t > 5.0:
                        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                        root = np.sqrt(v)
                        root += f(eps)
                        update = update * (f(bias_correction2**0.5) / root) * f(rect)
                    p._data -= update
                    p._version_counter.value += 1
        return loss


__all__ = ["RAdam"]
