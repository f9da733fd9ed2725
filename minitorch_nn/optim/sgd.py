"""SGD with momentum, dampening, Nesterov, weight decay and maximize (torch's exact rule).

With g the gradient (negated if maximize) and b the momentum buffer:

    g <- g + weight_decay * p
    b <- g                          at the first step
    b <- momentum * b + (1 - dampening) * g   afterwards
    g <- g + momentum * b  (nesterov)  or  g <- b
    p <- p - lr * g
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..kernels.backend import backend_of
from ..kernels.cpu.optim import sgd_momentum_
from .optimizer import Optimizer, grads_of


class SGD(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
                weight_decay, nesterov = group["weight_decay"], group["nesterov"]
                for p, g in grads_of(group):
                    buf = self.state[p].get("momentum_buffer") if momentum != 0 else None
                    fused = backend_of(p._data).optim  # a device's one-kernel update (kernels/cuda/optim.py)
                    if fused is not None and fused.fits(p._data, g, None if buf is None else buf._data):
                        first = momentum != 0 and buf is None
                        if first:
                            buf = self.state[p]["momentum_buffer"] = _tensor(np.zeros_like(p._data))
                        fused.sgd_(
                            p._data,
                            g,
                            None if buf is None else buf._data,
                            lr,
                            momentum,
                            dampening,
                            weight_decay,
                            group["maximize"],
                            nesterov,
                            first,
                        )
                        p._version_counter.value += 1
                        continue
                    if buf is not None and sgd_momentum_(
                        p._data, g, buf._data, lr, momentum, dampening, weight_decay, group["maximize"], nesterov
                    ):
                        p._version_counter.value += 1  # the whole update in one pass (kernels/cpu/optim.py)
                        continue
                    if group["maximize"]:
                        g = -g
                    if weight_decay != 0:
                        g = g + weight_decay * p._data
                    if momentum != 0:
                        if buf is None:  # the first step: the buffer starts as the gradient
                            buf = self.state[p]["momentum_buffer"] = _tensor(np.array(g, copy=True))
                        else:
                            buf._data *= momentum
                            buf._data += (1 - dampening) * g
                        g = g + momentum * buf._data if nesterov else buf._data
                    p._data -= lr * g
                    p._version_counter.value += 1
        return loss


def _tensor(array: np.ndarray) -> Any:
    from ..autograd.tensor import Tensor

    return Tensor._make(array)


__all__ = ["SGD"]
