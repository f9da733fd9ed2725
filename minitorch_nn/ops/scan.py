r"""Scans along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp.

A scan's output $y_i$ depends on the prefix $x_0, \dots, x_i$ of its slice, so every backward is a scan run
the other way: the gradient of $x_j$ gathers the upstream gradients $g_i$ of all $i \ge j$. A 0-d
input is scanned as a slice of one (dim 0 or -1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..autograd.types import to_numpy_dtype
from .arithmetic import _inplace
from .reduction import single_dim
from .return_types import named_result

cummax_result = named_result("cummax")
cummin_result = named_result("cummin")


def reverse_cumsum(a: np.ndarray, axis: int) -> np.ndarray:
    """r_j = sum_{i >= j} a_i along ``axis``."""
    return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis)


def _positions(shape: tuple[int, ...], axis: int) -> np.ndarray:
    """The index along ``axis`` of every element, shaped to broadcast against ``shape``."""
    view = [1] * len(shape)
    view[axis] = shape[axis]
    return np.arange(shape[axis]).reshape(view)


def scatter_add_along(shape: tuple[int, ...], axis: int, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
    """out[..., indices[..., i, ...], ...] += values[..., i, ...] along ``axis``; repeats accumulate."""
    out = np.zeros(shape, dtype=values.dtype)
    if values.size == 0:
        return out
    moved_idx = np.moveaxis(indices, axis, -1)
    moved_val = np.moveaxis(values, axis, -1)
    rows = np.arange(moved_idx.size // moved_idx.shape[-1]).reshape(moved_idx.shape[:-1] + (1,))
    flat = np.zeros((rows.size, shape[axis]), dtype=values.dtype)
    np.add.at(flat, (rows.reshape(-1, 1), moved_idx.reshape(rows.size, -1)), moved_val.reshape(rows.size, -1))
    return np.moveaxis(flat.reshape(moved_idx.shape[:-1] + (shape[axis],)), -1, axis).copy()


class Cumsum(Function):
    r"""$y_i = \sum_{j \le i} x_j$ along dim.

    $\partial y_i / \partial x_j = 1$ for $j \le i$, so $dx_j = \sum_{i \ge j} g_i$: the cumulative sum of the upstream
    gradient taken from the end of the slice.
    """

    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, dtype: Any) -> np.ndarray:
        ctx.dim, ctx.shape = dim, x.shape
        return np.cumsum(np.atleast_1d(x), axis=dim, dtype=dtype).reshape(x.shape)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return reverse_cumsum(np.atleast_1d(grad), ctx.dim).reshape(ctx.shape), None, None


class Cumprod(Function):
    r"""$y_i = \prod_{j \le i} x_j$ along dim.

    $$
    dx_k = \sum_{i \ge k} g_i \prod_{j \le i,\ j \ne k} x_j.
    $$

    Where $x_k \ne 0$ that product is $y_i / x_k$, so $dx_k = (\sum_{i \ge k} g_i y_i) / x_k$. That division fails at
    zeros; with z the first zero of a slice: for $k < z$ the formula holds ($x_k \ne 0$, and $y_i = 0$ for $i \ge z$ is
    right); for $k > z$ every product holds $x_z = 0$, so $dx_k = 0$; and $dx_z = \sum_{i \ge z} g_i y'_i$ with $y'$ the
    cumulative product of the slice with $x_z$ replaced by 1 (the product over $j \ne z$, no division).
    """

    node_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, dtype: Any) -> np.ndarray:
        x1 = np.atleast_1d(x).astype(dtype, copy=False)
        y = np.cumprod(x1, axis=dim)
        ctx.dim, ctx.shape = dim, x.shape
        ctx.save_for_backward(x1, y)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        axis, g = ctx.dim, np.atleast_1d(grad)
        zero = x == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = reverse_cumsum(g * y, axis) / x
        if zero.any():
            has_zero = zero.any(axis=axis, keepdims=True)
            first = np.argmax(zero, axis=axis, keepdims=True)
            position = _positions(x.shape, axis)
            gx = np.where(has_zero & (position > first), 0, gx)
            x_without = x.copy()
            np.put_along_axis(x_without, first, 1, axis=axis)
            at_first = np.sum(np.where(position >= first, g * np.cumprod(x_without, axis=axis), 0), axis, keepdims=True)
            gx = np.where(has_zero & (position == first), at_first, gx)
        return gx.reshape(ctx.shape), None, None


class Cummax(Function):
    r"""(values, indices): the running maximum of the slice and where it was last reached.

    $\mathrm{values}_i = x_{\mathrm{indices}_i}$, so the gradient of $\mathrm{values}_i$ goes to x at
    $\mathrm{indices}_i$; several outputs may point at one input, whose gradient is then their sum (a scatter-add along
    dim).
    """

    node_name = "CummaxBackward0"
    accumulate = staticmethod(np.maximum.accumulate)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dim: int) -> tuple:
        x1 = np.atleast_1d(x)
        values = cls.accumulate(x1, axis=dim)
        # x_i takes over when it reaches the running extreme (>=: ties move the index on, as torch;
        # a NaN stays the extreme, and a later NaN takes over)
        takes_over = (x1 == values) | (np.isnan(x1) if x1.dtype.kind == "f" else False)
        indices = np.maximum.accumulate(np.where(takes_over, _positions(x1.shape, dim), 0), axis=dim)
        ctx.dim, ctx.shape, ctx.indices = dim, x.shape, indices
        indices = indices.astype(np.int64).reshape(x.shape)
        ctx.mark_non_differentiable(indices)
        return values.reshape(x.shape), indices

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: np.ndarray) -> tuple:
        g = np.atleast_1d(grad)
        return scatter_add_along(g.shape, ctx.dim, ctx.indices, g).reshape(ctx.shape), None


class Cummin(Cummax):
    node_name = "CumminBackward0"
    accumulate = staticmethod(np.minimum.accumulate)


class Logcumsumexp(Function):
    r"""$y_i = \log \sum_{j \le i} e^{x_j}$ along dim.

    $\partial y_i / \partial x_j = e^{x_j - y_i}$ for $j \le i$, so $dx_j = \sum_{i \ge j} g_i e^{x_j - y_i}$. Summed in
    log space to stay finite: with g split into its positive and negative parts $g^\pm$,

    $$
    dx_j = e^{x_j + L^+_j} - e^{x_j + L^-_j}, \qquad L^\pm_j = \log \sum_{i \ge j} e^{\log |g^\pm_i| - y_i}
    $$

    (a logcumsumexp from the end).
    """

    node_name = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        x1 = np.atleast_1d(x)
        y = np.logaddexp.accumulate(x1, axis=dim) if x1.size else x1.copy()
        ctx.dim, ctx.shape = dim, x.shape
        ctx.save_for_backward(x1, y)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        axis, g = ctx.dim, np.atleast_1d(grad)
        if g.size == 0:
            return g.reshape(ctx.shape), None

        def from_end(part: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore"):
                logs = np.log(part) - y
            return np.flip(np.logaddexp.accumulate(np.flip(logs, axis), axis=axis), axis)

        gx = np.exp(x + from_end(np.maximum(g, 0))) - np.exp(x + from_end(np.maximum(-g, 0)))
        return gx.reshape(ctx.shape), None


def _scan_dtype(input: Tensor, dtype: Any) -> np.dtype:
    """The dtype a scan computes in: dtype=, else int64 for bools and integers (as torch), else x's.
    The scan casts inside its node, so the gradient flows straight back (cast to x's dtype)."""
    np_dtype = to_numpy_dtype(dtype)
    if np_dtype is None:
        np_dtype = np.dtype(np.int64) if input._data.dtype.kind in "biu" else input._data.dtype
    return np_dtype


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return Cumsum.apply(input, single_dim(dim, input.ndim), _scan_dtype(input, dtype))


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return Cumprod.apply(input, single_dim(dim, input.ndim), _scan_dtype(input, dtype))


def cummax(input: Tensor, dim: int) -> Any:
    return cummax_result(*Cummax.apply(input, single_dim(dim, input.ndim)))


def cummin(input: Tensor, dim: int) -> Any:
    return cummin_result(*Cummin.apply(input, single_dim(dim, input.ndim)))


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    d = single_dim(dim, input.ndim)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_type_word(input)}'")
    return Logcumsumexp.apply(input, d)


def _type_word(t: Tensor) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(
        t._data.dtype.name, t._data.dtype.name
    )


__all__ = ["cummax", "cummin", "cumprod", "cumsum", "logcumsumexp"]

TENSOR_METHODS = {
    "cumsum": cumsum,
    "cumprod": cumprod,
    "cummax": cummax,
    "cummin": cummin,
    "logcumsumexp": logcumsumexp,
    "cumsum_": _inplace(cumsum),
    "cumprod_": _inplace(cumprod),
}
