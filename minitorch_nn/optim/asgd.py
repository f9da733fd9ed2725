"""Averaged SGD with torch's exact update (single-tensor path).

Per parameter p with gradient g, step t; eta, mu are float32 scalars in the state::

    g    <- -g;  g <- g + weight_decay * p
    p    <- p * (1 - lambd * eta) - eta * g        (SGD with a decaying rate and a pull towards 0)
    ax   <- ax + mu * (p - ax)                     (``ax``: the running average of the iterates;
                                                    a plain copy of p while mu = 1)
    eta  <- lr / (1 + lambd * lr * t)^alpha
    mu   <- 1 / max(1, t - t0)                     (averaging starts after t0 steps)
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
from .pointwise import add_


class ASGD(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonnegative("weight_decay value", weight_decay)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
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
                lr, lambd, alpha, t0 = as_float(group["lr"]), group["lambd"], group["alpha"], group["t0"]
                weight_decay = group["weight_decay"]
                for p, g in grads_of(group):
                    state = new_state(self.state[p], p, ("eta", lr), ("mu", 1.0), "ax")
                    state["step"]._data += 1
                    g = l2_gradient(g, p, weight_decay, group["maximize"])
                    eta = float(state["eta"]._data)
                    p._data *= p._data.dtype.type(1 - lambd * eta)
                    add_(p._data, g, -eta)
                    ax, mu = state["ax"]._data, state["mu"]._data
                    if float(mu) != 1:
                        ax += (p._data - ax) * mu.astype(ax.dtype)
                    else:
                        ax[...] = p._data
                    step = float(state["step"]._data)
                    state["eta"]._data[...] = np.float32(lr / (1 + lambd * lr * step) ** alpha)
                    state["mu"]._data[...] = np.float32(1 / max(1, step - t0))
                    p._version_counter.value += 1
        return loss


__all__ = ["ASGD"]
