"""Reductions: sum, mean, max, min (whole tensor or along dims), argmax.

The backward of a reduction broadcasts the gradient back over the reduced
axes: every input element contributed to its sum once (sum), 1/n of it
(mean), or, for max/min, only the selected elements did.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .utils import normalize_dims


def expand_reduced(grad: np.ndarray, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """Broadcast a reduction's gradient back to the input ``shape``."""
    if not keepdim:
        grad = np.expand_dims(grad, dims) if dims else grad
    return np.broadcast_to(grad, shape)


class Sum(Function):
    """y = sum of x over dims.   dy/dx = 1: the gradient is broadcast back over dims."""

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64  # torch sums bools and integers as int64
        return np.asarray(np.sum(x, axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class SumAll(Sum):
    node_name = "SumBackward0"


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    from ..autograd.types import to_numpy_dtype

    np_dtype = to_numpy_dtype(dtype)
    if dim is None:
        return SumAll.apply(input, tuple(range(input.ndim)), False, np_dtype)
    return Sum.apply(input, normalize_dims(dim, input.ndim), keepdim, np_dtype)


__all__ = ["sum"]

TENSOR_METHODS = {
    "sum": sum,
}
