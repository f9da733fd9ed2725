"""Elementwise arithmetic: add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp.

All binary ops broadcast as NumPy does; each backward sums the gradient back
to its input's shape (``unbroadcast``), which is where most hand-written
backward passes go wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .utils import binary_operands, unbroadcast


class Add(Function):
    """z = x + alpha * y.   dz/dx = 1, dz/dy = alpha, each summed to its input's shape."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, alpha: float = 1, dtype: Any = None) -> np.ndarray:
        ctx.shapes, ctx.alpha = (x.shape, y.shape), alpha
        if alpha != 1:
            y = y * alpha
        return np.add(x, y, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = unbroadcast(grad, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            gy = unbroadcast(grad if ctx.alpha == 1 else grad * ctx.alpha, ctx.shapes[1])
        return gx, gy, None, None


class Mul(Function):
    """z = x * y.   dz/dx = y, dz/dy = x (times the upstream gradient, un-broadcast)."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any = None) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[0] else None)
        return np.multiply(x, y, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        gx = unbroadcast(grad * y, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * x, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, gy, None


def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    return Add.apply(a, b, alpha, dtype)


def mul(input: Any, other: Any) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    return Mul.apply(a, b, dtype)


__all__ = ["add", "mul"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS = {
    "add": add,
    "__add__": add,
    "__radd__": lambda self, other: add(other, self),
    "mul": mul,
    "__mul__": mul,
    "__rmul__": lambda self, other: mul(other, self),
}
