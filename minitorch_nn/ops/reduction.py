"""Reductions: sum, mean, max, min, amax, amin, prod, var, std (whole tensor or along dims), argmax.

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


def single_dim(dim: int, ndim: int) -> int:
    """One dim (negative allowed) as a non-negative axis, with torch's range error; a 0-d tensor takes 0 or -1."""
    d = normalize_dims(dim, ndim)
    return d[0] if d else 0


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


class Amax(Function):
    """y = max of x over dims.   The gradient is shared evenly among the tied maxima of each slice."""

    node_name = "AmaxBackward0"
    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        y = np.asarray(cls.reduce(x, axis=dims, keepdims=True))
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, y)
        return y if keepdim else np.squeeze(y, dims)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        hits = x == y
        count = np.sum(hits, axis=ctx.dims, keepdims=True)
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dims)
        return np.where(hits, g / count, 0).astype(grad.dtype, copy=False), None, None


class Amin(Amax):
    node_name = "AminBackward0"
    reduce = staticmethod(np.min)


def _product_of_others(x: np.ndarray, axis: int) -> np.ndarray:
    """For each element, the product of the other elements of its slice along ``axis`` (zeros allowed).

    prod_{j != i} x_j = (x_0 ... x_{i-1}) (x_{i+1} ... x_n): exclusive cumulative products from
    both ends, so no division by x_i (which may be 0).
    """
    ones = np.ones_like(np.take(x, [0], axis=axis))
    left = np.cumprod(np.concatenate([ones, x], axis=axis), axis=axis)
    right = np.flip(np.cumprod(np.concatenate([ones, np.flip(x, axis)], axis=axis), axis=axis), axis)
    n = x.shape[axis]
    return np.take(left, np.arange(n), axis=axis) * np.take(right, np.arange(1, n + 1), axis=axis)


class Prod(Function):
    """y = prod of x along ``dim``.   dy/dx_i = prod_{j != i} x_j."""

    node_name = "ProdBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
        ctx.dim, ctx.keepdim = dim, keepdim
        ctx.save_for_backward(x)
        return np.asarray(np.prod(x, axis=dim, keepdims=keepdim))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dim)
        return g * _product_of_others(x, ctx.dim), None, None


class ProdAll(Function):
    """y = prod of all x.   dy/dx_i = prod_{j != i} x_j."""

    node_name = "ProdBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.asarray(np.prod(x))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * _product_of_others(x.reshape(-1), 0).reshape(x.shape),)


class Var(Function):
    """v = sum (x - m)^2 / (n - c) over dims, m the mean.

    dv/dx_i = 2 (x_i - m) / (n - c): the terms through m cancel since sum (x - m) = 0.
    """

    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], correction: float, keepdim: bool) -> np.ndarray:
        n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
        centered = x - np.mean(x, axis=dims, keepdims=True)
        denominator = n - correction if n > correction else 0  # torch gives inf/nan there
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.sum(centered * centered, axis=dims, keepdims=keepdim) / denominator
        ctx.dims, ctx.keepdim, ctx.denominator = dims, keepdim, denominator
        ctx.save_for_backward(centered)
        return np.asarray(v, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (centered,) = ctx.saved_tensors
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dims)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (2 / np.float64(ctx.denominator)) * g * centered, None, None, None


class Std(Function):
    """s = sqrt(var).   ds/dx_i = (x_i - m) / ((n - c) s)   (dvar/dx_i over 2 s)."""

    node_name = "StdBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], correction: float, keepdim: bool) -> np.ndarray:
        v = Var.forward(ctx, x, dims, correction, keepdim)
        s = np.sqrt(v)
        ctx.std = s
        return s

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (centered,) = ctx.saved_tensors
        s = ctx.std
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dims)
        s = s if ctx.keepdim else np.expand_dims(s, ctx.dims)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = g * centered / (ctx.denominator * s)
        return np.where(s == 0, 0, g).astype(centered.dtype, copy=False), None, None, None  # torch: 0 at std 0


class MaxResult(tuple):
    """torch.return_types.max (or .min): a (values, indices) pair with names."""

    kind = "max"

    def __new__(cls, values: Tensor, indices: Tensor) -> MaxResult:
        return super().__new__(cls, (values, indices))

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.{self.kind}(\nvalues={self[0]!r},\nindices={self[1]!r})"


class MinResult(MaxResult):
    kind = "min"


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
        return (MaxResult if name == "max" else MinResult)(values, indices)

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


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return Amax.apply(input, normalize_dims(dim if dim != () else None, input.ndim), keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return Amin.apply(input, normalize_dims(dim if dim != () else None, input.ndim), keepdim)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "bi":
        input = input.to(np.int64)  # torch multiplies bools and integers as int64
    if dim is None:
        return ProdAll.apply(input)
    return Prod.apply(input, normalize_dims(dim, input.ndim)[0] if input.ndim else 0, keepdim)


def _variance_args(input: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any) -> tuple:
    if isinstance(dim, bool):  # var(True): the old unbiased-only overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"std and var only support floating point and complex dtypes, but got: {_scalar_name(input)}"
        )
    return normalize_dims(dim, input.ndim, in_order=True), correction, keepdim


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Variance with Bessel's correction by default (divide by n - correction)."""
    return Var.apply(input, *_variance_args(input, dim, unbiased, keepdim, correction))


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    return Std.apply(input, *_variance_args(input, dim, unbiased, keepdim, correction))


__all__ = ["amax", "amin", "argmax", "argmin", "max", "mean", "min", "prod", "std", "sum", "var"]

TENSOR_METHODS = {
    "sum": sum,
    "mean": mean,
    "max": max,
    "min": min,
    "argmax": argmax,
    "argmin": argmin,
    "var": var,
    "std": std,
    "amax": amax,
    "amin": amin,
    "prod": prod,
}
