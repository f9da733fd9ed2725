"""Adam and AdamW, with torch's exact update (single-tensor path, as torch runs on the CPU).

Per parameter p with gradient g, step t = 1, 2, ... (``state['step']``)::

    g  <- -g                                   if maximize
    g  <- g + weight_decay * p                 Adam (L2 penalty in the gradient)
    p  <- p * (1 - lr * weight_decay)          AdamW (decoupled decay, on the weights)
    m  <- m + (1 - beta1) * (g - m)            (lerp: m = beta1 m + (1 - beta1) g)
    v  <- beta2 * v + (1 - beta2) * g * g
    v_max <- max(v_max, v)                     if amsgrad (normalise by v_max instead of v)
    p  <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

The two factors 1 - beta^t undo the bias of m and v towards their zero
start. State keys are torch's: ``step`` (a float32 0-d tensor), ``exp_avg``,
``exp_avg_sq`` and ``max_exp_avg_sq``. The arithmetic runs in the
parameter's dtype in torch's order, with torch's fused multiply-adds
(pointwise.py), so float32 trajectories stay within a few ulps of torch's
(50 steps: at most a quarter of the test's tolerance, a third before).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..kernels.backend import backend_of
from .optimizer import Optimizer, grads_of
from .pointwise import add_, addcmul_, lerp_


def as_float(value: Any) -> float:
    """A float from a float or a one-element tensor (torch accepts both for lr and betas)."""
    return float(value.item()) if isinstance(value, Tensor) else value


class Adam(Optimizer):
    """Adam (Kingma & Ba); ``decoupled_weight_decay=True`` makes it AdamW."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        if fused and differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        defaults = {
            "lr": lr,
            "betas": tuple(as_float(b) for b in betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:  # groups saved by older versions lack the newer options
            for name in ("amsgrad", "maximize", "capturable", "differentiable", "decoupled_weight_decay"):
                group.setdefault(name, False)
            group.setdefault("foreach", None)
            group.setdefault("fused", None)

    def _init_state(self, p: Tensor, amsgrad: bool) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
            state["exp_avg"] = Tensor._make(np.zeros_like(p._data))
            state["exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))
            if amsgrad:
                state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (see the module docstring)."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                beta1, beta2 = group["betas"]
                lr, eps, weight_decay = as_float(group["lr"]), group["eps"], group["weight_decay"]
                amsgrad = group["amsgrad"]
                for p, g in grads_of(group):
                    state = self._init_state(p, amsgrad)
                    fused = backend_of(p._data).optim  # a device's one-kernel update (kernels/cuda/optim.py)
                    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                    v_max = state["max_exp_avg_sq"]._data if amsgrad else None
                    if fused is not None and fused.fits(p._data, g, m, v, v_max):
                        state["step"]._data += 1
                        fused.adam_(
                            p._data,
                            g,
                            m,
                            v,
                            v_max,
                            lr,
                            beta1,
                            beta2,
                            eps,
                            weight_decay,
                            group["decoupled_weight_decay"],
                            group["maximize"],
                            float(state["step"]._data),
                        )
                        p._version_counter.value += 1
                        continue
                    if group["maximize"]:
                        g = -g
                    step_t = state["step"]
                    step_t._data += 1
                    if weight_decay != 0:
                        if group["decoupled_weight_decay"]:
                            p._data *= 1 - lr * weight_decay
                        else:
                            g = g.copy()  # torch: grad.add(param, alpha=weight_decay), a new tensor
                            add_(g, p._data, weight_decay)
                    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                    lerp_(m, g, 1 - beta1)
                    v *= beta2
                    addcmul_(v, g, g, 1 - beta2)
                    step = float(step_t._data)
                    bias_correction1 = 1 - beta1**step
                    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                    step_size = lr / bias_correction1
                    if amsgrad:
                        v_max = state["max_exp_avg_sq"]._data
                        np.maximum(v_max, v, out=v_max)
                        v = v_max
                    denom = np.sqrt(v) / bias_correction2_sqrt + eps
                    p._data += -step_size * m / denom
                    p._version_counter.value += 1
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p <- p (1 - lr wd) before the Adam step."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


__all__ = ["Adam", "AdamW"]
