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


class Mean(Function):
    """y = mean of x over dims (n elements each).   dx = dy / n broadcast back."""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.count = int(np.prod([x.shape[d] for d in dims])) if dims else 1
        return np.asarray(np.mean(x, axis=dims, keepdims=keepdim), dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return expand_reduced(grad / ctx.count, ctx.shape, ctx.dims, ctx.keepdim), None, None


class MeanAll(Mean):
    node_name = "MeanBackward0"


class MaxAll(Function):
    """y = max of all x.   The gradient is shared evenly among the elements equal to the max (torch's rule)."""

    node_name = "MaxBackward1"
    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray) -> np.ndarray:
        y = np.asarray(cls.reduce(x))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        hits = x == y
        return (np.where(hits, grad / np.count_nonzero(hits), 0).astype(grad.dtype),)


class MinAll(MaxAll):
    node_name = "MinBackward1"
    reduce = staticmethod(np.min)


class MaxDim(Function):
    """(values, indices) = max of x along ``dim``.   The gradient goes to the argmax only."""

    node_name = "MaxBackward0"
    pick = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dim: int, keepdim: bool) -> tuple:
        idx = np.expand_dims(cls.pick(x, axis=dim), dim)
        values = np.take_along_axis(x, idx, axis=dim)
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        ctx.idx = idx
        if not keepdim:
            values, idx = np.squeeze(values, dim), np.squeeze(idx, dim)
        idx = idx.astype(np.int64)
        ctx.mark_non_differentiable(idx)
        return values, idx

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: np.ndarray) -> tuple:
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dim)
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.put_along_axis(out, ctx.idx, g, axis=ctx.dim)
        return out, None, None


class MinDim(MaxDim):
    node_name = "MinBackward0"
    pick = staticmethod(np.argmin)


class MaxResult(tuple):
    """torch.return_types.max: a (values, indices) pair with names."""

    def __new__(cls, values: Tensor, indices: Tensor) -> MaxResult:
        return super().__new__(cls, (values, indices))

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.max(\nvalues={self[0]!r},\nindices={self[1]!r})"


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    from ..autograd.types import to_numpy_dtype

    np_dtype = to_numpy_dtype(dtype)
    if dim is None:
        return SumAll.apply(input, tuple(range(input.ndim)), False, np_dtype)
    return Sum.apply(input, normalize_dims(dim, input.ndim), keepdim, np_dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {_scalar_name(input)}"
        )
    if dim is None:
        return MeanAll.apply(input, tuple(range(input.ndim)), False)
    return Mean.apply(input, normalize_dims(dim, input.ndim), keepdim)


def _scalar_name(t: Tensor) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool"}.get(t._data.dtype.name, t._data.dtype.name)


def _extreme(all_cls: type[Function], dim_cls: type[Function], name: str) -> Any:
    def reduce(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):  # torch.max(a, b): the elementwise maximum
            from .comparison import maximum, minimum

            return (maximum if name == "max" else minimum)(input, dim)
        if dim is None:
            if input._data.size == 0:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            return all_cls.apply(input)
        d = normalize_dims(dim, input.ndim)
        values, indices = dim_cls.apply(input, d[0] if d else 0, keepdim)
        return MaxResult(values, indices)

    reduce.__name__ = name
    return reduce


max = _extreme(MaxAll, MaxDim, "max")  # noqa: A001
min = _extreme(MinAll, MinDim, "min")  # noqa: A001


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._make(np.asarray(np.argmax(input._data), dtype=np.int64))
    d = normalize_dims(dim, input.ndim)[0] if input.ndim else 0
    return Tensor._make(np.asarray(np.argmax(input._data, axis=d, keepdims=keepdim), dtype=np.int64))


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._make(np.asarray(np.argmin(input._data), dtype=np.int64))
    d = normalize_dims(dim, input.ndim)[0] if input.ndim else 0
    return Tensor._make(np.asarray(np.argmin(input._data, axis=d, keepdims=keepdim), dtype=np.int64))


def var(input: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False) -> Tensor:
    """Variance, built from differentiable ops: mean((x - mean)^2) * n / (n - correction)."""
    dims = normalize_dims(dim, input.ndim)
    n = int(np.prod([input.shape[d] for d in dims])) if dims else 1
    centered = input - mean(input, dims, keepdim=True)
    return sum(centered * centered, dims, keepdim=keepdim) / (n - correction)


def std(input: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False) -> Tensor:
    return var(input, dim, correction=correction, keepdim=keepdim).sqrt()


__all__ = ["argmax", "argmin", "max", "mean", "min", "std", "sum", "var"]

TENSOR_METHODS = {
    "sum": sum,
    "mean": mean,
    "max": max,
    "min": min,
    "argmax": argmax,
    "argmin": argmin,
    "var": var,
    "std": std,
}
