"""Matrix products: mm, addmm, matmul.

For C = A B the chain rule gives dL/dA = dL/dC B^T and dL/dB = A^T dL/dC:
each operand's gradient is the upstream gradient multiplied by the *other*
operand, transposed, on the side where that operand stood.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .utils import result_dtype, unbroadcast


def _check_mm(a: np.ndarray, b: np.ndarray) -> None:
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and {b.shape[0]}x{b.shape[1]})"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_tname(a)} != {_tname(b)}")


def _tname(a: np.ndarray) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int"}.get(a.dtype.name, a.dtype.name)


class Mm(Function):
    """C = A B  (A: n x k, B: k x m).   dA = dC B^T,  dB = A^T dC."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_mm(a, b)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        return a @ b

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        ga = grad @ b.T if ctx.needs_input_grad[0] else None
        gb = a.T @ grad if ctx.needs_input_grad[1] else None
        return ga, gb


class Addmm(Function):
    """C = beta * bias + alpha * A B, with bias broadcast over the rows.

    dbias = beta * dC summed down to bias's shape;  dA = alpha dC B^T;  dB = alpha A^T dC.
    ``F.linear(x, W, b)`` is ``addmm(b, x, W.t())``, as in torch.
    """

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(
        ctx: Any, bias: np.ndarray, a: np.ndarray, b: np.ndarray, beta: float = 1, alpha: float = 1
    ) -> np.ndarray:
        _check_mm(a, b)
        ctx.bias_shape, ctx.beta, ctx.alpha = bias.shape, beta, alpha
        ctx.save_for_backward(a if ctx.needs_input_grad[2] else None, b if ctx.needs_input_grad[1] else None)
        out = a @ b
        if alpha != 1:
            out *= alpha
        out += bias if beta == 1 else beta * bias
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        gbias = None
        if ctx.needs_input_grad[0]:
            gbias = unbroadcast(grad if ctx.beta == 1 else ctx.beta * grad, ctx.bias_shape)
        g = grad if ctx.alpha == 1 else ctx.alpha * grad
        ga = g @ b.T if ctx.needs_input_grad[1] else None
        gb = a.T @ g if ctx.needs_input_grad[2] else None
        return gbias, ga, gb, None, None


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return Mm.apply(input, mat2)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    if not isinstance(input, Tensor):
        input = Tensor._make(np.asarray(input, dtype=result_dtype(mat1, mat2)))
    return Addmm.apply(input, mat1, mat2, beta, alpha)


__all__ = ["addmm", "mm"]

TENSOR_METHODS = {
    "mm": mm,
    "addmm": addmm,
}
