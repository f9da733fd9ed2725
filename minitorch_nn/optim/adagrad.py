"""Adagrad with torch's exact update (single-tensor path, as torch runs on the CPU).

Per parameter p with gradient g, step t = 1, 2, ...::

    g   <- -g                              if maximize
    g   <- g + weight_decay * p
    s   <- s + g * g                       (``sum``, started at initial_accumulator_value)
    p   <- p - clr * g / (sqrt(s) + eps),  clr = lr / (1 + (t - 1) * lr_decay)

Each coordinate's step shrinks with the sum of its squared gradients, so rarely-updated
coordinates keep large steps. torch creates the state at construction (every parameter gets
``step`` and ``sum`` whether or not it ever has a gradient), and so do we.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from .adam import as_float
from .checks import check_fused, check_lr, check_nonnegative
from .optimizer import Optimizer, grads_of, l2_gradient
from .pointwise import addcdiv_, addcmul_


class Adagrad(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_nonnegative("lr_decay value", lr_decay)
        check_nonnegative("weight_decay value", weight_decay)
        check_nonnegative("initial_accumulator_value value", initial_accumulator_value)
        check_nonnegative("epsilon value", eps)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
            state["sum"] = Tensor._make(np.full_like(p._data, self.defaults["initial_accumulator_value"]))
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                lr, lr_decay = as_float(group["lr"]), group["lr_decay"]
                weight_decay, eps = group["weight_decay"], group["eps"]
                for p, g in grads_of(group):
                    state = self._init_state(p)
                    state["step"]._data += 1
                    step = float(state["step"]._data)
                    g = l2_gradient(g, p, weight_decay, group["maximize"])
                    clr = lr / (1 + (step - 1) * lr_decay)
                    s = state["sum"]._data
                    addcmul_(s, g, g, 1)
                    std = np.sqrt(s)
                    std += std.dtype.type(eps)
                    addcdiv_(p._data, g, std, -clr)
                    p._version_counter.value += 1
        return loss


__all__ = ["Adagrad"]
