"""Weight normalization ``w = g * v / ||v||`` and the old hook-based ``nn.utils.weight_norm``.

The norm runs over every dim except ``dim`` and keeps them as size 1
(``norm_except_dim``), so ``g`` holds one magnitude per slice along ``dim``;
``dim=None`` (stored as -1, as torch does) means one norm of the whole tensor.

Backward of the fused form (``WeightNormInterfaceBackward0``): with n the
norm over the reduced axes R and s = sum_R(dL/dw * v),

    dL/dg = s / n
    dL/dv = (g / n) * (dL/dw - v * s / n^2)

(the second term is the derivative of 1/n: d n / d v = v / n). As in torch,
only ``dim`` = 0 or the last dim takes the fused node; any other dim is
``v * (g / n)`` composed from ordinary ops (its node is ``MulBackward0``).

The old ``weight_norm`` replaces the parameter by ``weight_g`` and
``weight_v`` and recomputes ``module.weight`` in a forward pre-hook; it is
deprecated in torch in favour of ``parametrizations.weight_norm``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...autograd.function import Function
from ...autograd.tensor import Tensor
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter


def _other_axes(ndim: int, dim: int) -> tuple[int, ...]:
    return tuple(a for a in range(ndim) if a != dim)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of ``v`` over every dim but ``dim`` (kept as size 1); ``dim=-1``: of all of ``v``."""
    powered = v.abs().pow(pow)
    if dim == -1:
        return powered.sum().pow(1.0 / pow)
    return powered.sum(_other_axes(v.ndim, dim), keepdim=True).pow(1.0 / pow)


class WeightNormInterface(Function):
    """``w = g * v / norm_except_dim(v, 2, dim)`` in one node (see the module docstring for the backward)."""

    node_name = "WeightNormInterfaceBackward0"

    @staticmethod
    def forward(ctx: Any, v: np.ndarray, g: np.ndarray, dim: int) -> np.ndarray:
        axes = _other_axes(v.ndim, dim)
        norm = np.sqrt(np.sum(v * v, axis=axes, keepdims=True))
        ctx.save_for_backward(v, g, norm)
        ctx.axes, ctx.g_shape = axes, g.shape
        return v * (g.reshape(norm.shape) / norm)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        v, g, norm = ctx.saved_tensors
        g = g.reshape(norm.shape)
        s = np.sum(grad * v, axis=ctx.axes, keepdims=True)
        grad_v = (g / norm) * (grad - v * (s / (norm * norm))) if ctx.needs_input_grad[0] else None
        grad_g = (s / norm).reshape(ctx.g_shape) if ctx.needs_input_grad[1] else None
        return grad_v, grad_g, None


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """torch._weight_norm: the fused node for ``dim`` 0 or last, ``v * (g / ||v||)`` otherwise."""
    if dim in (0, v.ndim - 1) and v.ndim > 0:
        return WeightNormInterface.apply(v, g, dim)
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook of the old ``weight_norm``: sets ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    name: str
    dim: int

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        warnings.warn(
            "`torch.nn.utils.weight_norm` is deprecated in favor of `torch.nn.utils.parametrizations.weight_norm`.",
            FutureWarning,
            stacklevel=3,
        )
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `WeightNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying weight normalization"
            )
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Split ``module.<name>`` into magnitude ``<name>_g`` and direction ``<name>_v`` (deprecated in torch)."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Fold ``<name>_g`` and ``<name>_v`` back into one Parameter ``<name>``."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")


__all__ = ["remove_weight_norm", "weight_norm"]
