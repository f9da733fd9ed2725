"""Shape ops: view/reshape/flatten/unsqueeze/squeeze/transpose/t/permute/expand/contiguous.

They move no numbers, so each backward only undoes the shape change: view's
backward reshapes the gradient back, transpose's transposes it back, expand's
sums over the expanded axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


def _infer_shape(shape: tuple[int, ...], numel: int, original: tuple[int, ...]) -> tuple[int, ...]:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _shape_args(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class View(Function):
    """y = x seen with another shape (same storage).   dx = dy reshaped back."""

    node_name = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        shape = _infer_shape(shape, x.size, x.shape)
        y = x.view()
        try:
            y.shape = shape  # raises instead of copying when the strides don't allow a view
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.reshape(ctx.shape), None


class T(Function):
    """y = x^T for x of at most 2 dims.   dx = dy^T."""

    node_name = "TBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        if x.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
        return x.T

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad.T,)


def view(input: Tensor, *shape: Any) -> Tensor:
    return View.apply(input, _shape_args(shape))


def t(input: Tensor) -> Tensor:
    return T.apply(input)


__all__ = ["t"]

TENSOR_METHODS = {
    "view": view,
    "t": t,
}
