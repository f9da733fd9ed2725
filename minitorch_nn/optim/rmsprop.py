"""RMSprop with torch's exact update (single-tensor path).

Per parameter p with gradient g (``state['step']`` counts the updates)::

    g   <- -g                                 if maximize
    g   <- g + weight_decay * p
    s   <- alpha * s + (1 - alpha) * g * g    (``square_avg``)
    a   <- a + (1 - alpha) * (g - a)          if centered (``grad_avg``, a running mean of g)
    d   <- sqrt(s - a * a) + eps              if centered, else sqrt(s) + eps
    b   <- momentum * b + g / d               if momentum > 0 (``momentum_buffer``), then p <- p - lr * b
    p   <- p - lr * g / d                     otherwise

Centering divides by an estimate of the gradient's standard deviation
instead of its root mean square. State keys and their creation rules are
torch's (``momentum_buffer`` only with momentum > 0, ``grad_avg`` only when
centered).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..kernels.backend import backend_of
from .adam import as_float
from .optimizer import Optimizer, grads_of
from .pointwise import add_, addcmul_, lerp_


class RMSprop(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
            state["square_avg"] = Tensor._make(np.zeros_like(p._data))
            if group["momentum"] > 0:
                state["momentum_buffer"] = Tensor._make(np.zeros_like(p._data))
            if group["centered"]:
                state["grad_avg"] = Tensor._make(np.zeros_like(p._data))
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the module docstring)."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                lr, alpha, eps = as_float(group["lr"]), group["alpha"], group["eps"]
                weight_decay, momentum = group["weight_decay"], group["momentum"]
                for p, g in grads_of(group):
                    state = self._init_state(p, group)
                    fused = backend_of(p._data).optim  # a device's one-kernel update (kernels/cuda/optim.py)
                    square_avg = state["square_avg"]._data
                    grad_avg = state["grad_avg"]._data if group["centered"] else None
                    buf = state["momentum_buffer"]._data if momentum > 0 else None
                    if fused is not None and fused.fits(p._data, g, square_avg, grad_avg, buf):
                        state["step"]._data += 1
                        fused.rmsprop_(
                            p._data,
                            g,
                            square_avg,
                            grad_avg,
                            buf,
                            lr,
                            alpha,
                            eps,
                            weight_decay,
                            momentum,
                            group["maximize"],
                        )
                        p._version_counter.value += 1
                        continue
                    if group["maximize"]:
                        g = -g
                    state["step"]._data += 1
                    if weight_decay != 0:
                        g = g.copy()  # torch: grad.add(param, alpha=weight_decay), a new tensor
                        add_(g, p._data, weight_decay)
                    square_avg = state["square_avg"]._data
                    square_avg *= alpha
                    addcmul_(square_avg, g, g, 1 - alpha)
                    if group["centered"]:
                        grad_avg = state["grad_avg"]._data
                        lerp_(grad_avg, g, 1 - alpha)
                        avg = square_avg.copy()
                        addcmul_(avg, grad_avg, grad_avg, -1)  # torch: square_avg.addcmul(grad_avg, grad_avg, value=-1)
                        np.sqrt(avg, out=avg)
                    else:
                        avg = np.sqrt(square_avg)
                    avg += eps
                    if momentum > 0:
                        buf = state["momentum_buffer"]._data
                        buf *= momentum
                        buf += g / avg
                        add_(p._data, buf, -lr)
                    else:
                        p._data += -lr * g / avg
                    p._version_counter.value += 1
        return loss


__all__ = ["RMSprop"]
