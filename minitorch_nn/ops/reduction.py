r"""Reductions: sum, mean, max, min, amax, amin, aminmax, argmax, argmin, prod, var, std, var_mean,
std_mean, logsumexp, nansum, nanmean, count_nonzero and the vector norms (torch.norm, linalg.vector_norm).

The backward of a reduction broadcasts the gradient back over the reduced
axes: every input element contributed to its sum once (sum: $\partial y / \partial x_i = 1$), $1/n$ of it
(mean), or, for max/min, only the selected elements did (shared evenly among
ties where torch shares it). Reductions without an identity (max, amax, argmax,
aminmax) refuse empty slices with torch's errors; a 0-d input takes dim 0 or -1.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..autograd.types import default_float, to_numpy_dtype
from .return_types import named_result
from .utils import as_array, device_result, normalize_dims


def single_dim(dim: int, ndim: int) -> int:
    """One dim (negative allowed) as a non-negative axis, with torch's range error; a 0-d tensor takes 0 or -1."""
    d = normalize_dims(dim, ndim)
    return d[0] if d else 0


def reduced_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """The dims a reduction runs over: an int, a sequence (negative allowed), or None or () for all."""
    if dim is not None and not isinstance(dim, int) and len(dim) == 0:
        dim = None
    return normalize_dims(dim, ndim)


def expand_reduced(grad: np.ndarray, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """Broadcast a reduction's gradient back to the input ``shape``."""
    if not keepdim:
        grad = np.expand_dims(grad, dims) if dims else grad
    return np.broadcast_to(grad, shape)


class Sum(Function):
    r"""$y = \sum_i x_i$ over dims.   $dy/dx_i = 1$: the gradient is broadcast back over dims."""

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64  # torch sums bools and integers as int64
        return as_array(np.sum(x, axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class SumAll(Sum):
    node_name = "SumBackward0"


class Mean(Function):
    r"""$y = \frac{1}{n} \sum_i x_i$ over dims (n elements each).   $dx = dy / n$ broadcast back."""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:
        # dtype= computes in that dtype; the gradient comes back in x's (the engine casts it)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.count = int(np.prod([x.shape[d] for d in dims])) if dims else 1
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty mean is NaN, as in torch
            return as_array(np.mean(x.astype(dtype, copy=False), axis=dims, keepdims=keepdim), dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return expand_reduced(grad / ctx.count, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class MeanAll(Mean):
    node_name = "MeanBackward0"


class MaxAll(Function):
    r"""$y = \max_i x_i$ over all of x.   The gradient is shared evenly among the elements equal to the max (torch's
    rule): $dx_i = dy\, [x_i = y] / \#\{j : x_j = y\}$.
    """

    node_name = "MaxBackward1"
    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray) -> np.ndarray:
        y = as_array(cls.reduce(x))
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
    r"""(values, indices) = max of x along ``dim``.   The gradient goes to the argmax only:
    $dx_i = dy$ at $i = \mathrm{indices}$, else 0.
    """

    node_name = "MaxBackward0"
    pick = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dim: int, keepdim: bool) -> tuple:
        x1 = np.atleast_1d(x)  # a 0-d input is a slice of one
        idx = np.expand_dims(cls.pick(x1, axis=dim), dim)
        values = np.take_along_axis(x1, idx, axis=dim)
        ctx.shape, ctx.dim = x.shape, dim
        ctx.idx = idx
        if not keepdim or x.ndim == 0:
            values, idx = np.squeeze(values, dim), np.squeeze(idx, dim)
        idx = idx.astype(np.int64)
        ctx.mark_non_differentiable(idx)
        return values, idx

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: np.ndarray) -> tuple:
        g = grad.reshape(ctx.idx.shape)
        out = np.zeros(ctx.shape or (1,), dtype=grad.dtype)
        np.put_along_axis(out, ctx.idx, g, axis=ctx.dim)
        return out.reshape(ctx.shape), None, None


class MinDim(MaxDim):
    node_name = "MinBackward0"
    pick = staticmethod(np.argmin)


class Amax(Function):
    r"""$y = \max_i x_i$ over dims.   The gradient is shared evenly among the tied maxima of each slice:
    $dx_i = dy\, [x_i = y] / \#\{j : x_j = y\}$.
    """

    node_name = "AmaxBackward0"
    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        y = as_array(cls.reduce(x, axis=dims, keepdims=True))
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
    r"""$y = \prod_i x_i$ along ``dim``.   $dy/dx_i = \prod_{j \ne i} x_j$."""

    node_name = "ProdBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, keepdim: bool, dtype: Any) -> np.ndarray:
        x1 = np.atleast_1d(x).astype(dtype, copy=False)  # a 0-d input is a slice of one
        ctx.dim, ctx.shape = dim, x.shape
        ctx.save_for_backward(x1)
        y = np.prod(x1, axis=dim, keepdims=True)
        return y.reshape(x.shape) if x.ndim == 0 else (y if keepdim else np.squeeze(y, dim))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        g = grad.reshape(x.shape[: ctx.dim] + (1,) + x.shape[ctx.dim + 1 :])
        return (g * _product_of_others(x, ctx.dim)).reshape(ctx.shape), None, None, None


class ProdAll(Function):
    r"""$y = \prod_i x_i$ over all of x.   $dy/dx_i = \prod_{j \ne i} x_j$."""

    node_name = "ProdBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dtype: Any) -> np.ndarray:
        x = x.astype(dtype, copy=False)
        ctx.save_for_backward(x)
        return as_array(np.prod(x))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return grad * _product_of_others(x.reshape(-1), 0).reshape(x.shape), None


class Var(Function):
    r"""$v = \sum_i (x_i - m)^2 / (n - c)$ over dims, m the mean, c the correction.

    $$
    \frac{\partial v}{\partial x_i} = \frac{2 (x_i - m)}{n - c}:
    $$

    the terms through m cancel since $\sum_j (x_j - m) = 0$.
    """

    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], correction: float, keepdim: bool) -> np.ndarray:
        n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty slice: NaN, as torch
            centered = x - np.mean(x, axis=dims, keepdims=True)
        denominator = n - correction if n > correction else 0  # torch gives inf/nan there
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.sum(centered * centered, axis=dims, keepdims=keepdim) / denominator
        ctx.dims, ctx.keepdim, ctx.denominator = dims, keepdim, denominator
        ctx.save_for_backward(centered)
        return as_array(v, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (centered,) = ctx.saved_tensors
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dims)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (2 / np.float64(ctx.denominator)) * g * centered, None, None, None


class Std(Function):
    r"""$s = \sqrt{\operatorname{var}}$.   $ds/dx_i = (x_i - m) / ((n - c)\, s)$
    ($\partial \operatorname{var} / \partial x_i$ over $2 s$).
    """

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


max_result = named_result("max")
min_result = named_result("min")
aminmax_result = named_result("aminmax", ("min", "max"))


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    np_dtype = to_numpy_dtype(dtype)
    if dim is None:
        return SumAll.apply(input, tuple(range(input.ndim)), False, np_dtype)
    return Sum.apply(input, reduced_dims(dim, input.ndim), keepdim, np_dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    np_dtype = to_numpy_dtype(dtype) or input._data.dtype
    if np_dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {_scalar_name(Tensor._make(np.zeros(0, np_dtype)))}"
        )
    if dim is None:
        return MeanAll.apply(input, tuple(range(input.ndim)), False, np_dtype)
    return Mean.apply(input, reduced_dims(dim, input.ndim), keepdim, np_dtype)


def _scalar_name(t: Tensor) -> str:
    names = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    return names.get(t._data.dtype.name, t._data.dtype.name)


def _extreme(all_cls: type[Function], dim_cls: type[Function], name: str) -> Any:
    def reduce(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):  # torch.max(a, b): the elementwise maximum
            from .comparison import maximum, minimum

            return (maximum if name == "max" else minimum)(input, dim)
        if dim is None:
            check_nonempty(input, None, name, hint=True)
            return all_cls.apply(input)
        d = single_dim(dim, input.ndim)
        check_nonempty(input, (d,), name)
        return (max_result if name == "max" else min_result)(*dim_cls.apply(input, d, keepdim))

    reduce.__name__ = name
    return reduce


max = _extreme(MaxAll, MaxDim, "max")  # noqa: A001
min = _extreme(MinAll, MinDim, "min")  # noqa: A001


def _arg_extreme(pick: Any, name: str) -> Any:
    def arg(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
        x = input._data
        if dim is None:
            check_nonempty(input, None, name)
            index = device_result(x, pick(x), np.int64)
            return Tensor._make(index.reshape((1,) * x.ndim) if keepdim else index)
        d = single_dim(dim, input.ndim)
        check_nonempty(input, (d,), name)
        index = pick(np.atleast_1d(x), axis=d, keepdims=keepdim and x.ndim > 0)
        return Tensor._make(device_result(x, index, np.int64).reshape(() if x.ndim == 0 else index.shape))

    arg.__name__ = name
    return arg


argmax = _arg_extreme(np.argmax, "argmax")
argmin = _arg_extreme(np.argmin, "argmin")


def check_nonempty(input: Tensor, dims: tuple[int, ...] | None, name: str, hint: bool = False) -> None:
    """Reductions without an identity (max, argmax, amax, ...) refuse empty slices, with torch's text."""
    shape = input._data.shape
    if dims is None:
        if input._data.size == 0:
            tail = " Specify the reduction dim with the 'dim' argument." if hint else ""
            raise (RuntimeError if hint else IndexError)(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0.{tail}"
            )
        return
    for d in dims:
        if shape and shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _amax_dims(input: Tensor, dim: Any, name: str) -> tuple[int, ...]:
    everything = dim is None or (not isinstance(dim, int) and len(dim) == 0)
    dims = normalize_dims(None if everything else dim, input.ndim)
    check_nonempty(input, None if everything else dims, name, hint=True)
    return dims


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return Amax.apply(input, _amax_dims(input, dim, "amax"), keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return Amin.apply(input, _amax_dims(input, dim, "amin"), keepdim)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    np_dtype = to_numpy_dtype(dtype)
    if np_dtype is None:  # torch multiplies bools and integers as int64
        np_dtype = np.dtype(np.int64) if input._data.dtype.kind in "biu" else input._data.dtype
    if dim is None:
        return ProdAll.apply(input, np_dtype)
    return Prod.apply(input, single_dim(dim, input.ndim), keepdim, np_dtype)


def _variance_args(input: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any, op: str) -> tuple:
    """(dims, correction, keepdim) of var/std/var_mean/std_mean, with torch's dtype error and its
    warning when n - correction <= 0 (the result is then inf or NaN)."""
    if isinstance(dim, bool):  # var(True): the old unbiased-only overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if input._data.dtype.kind != "f":
        name = op if op.endswith("_mean") else "std and var"
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    dims = normalize_dims(dim, input.ndim, in_order=True)
    if int(np.prod([input._data.shape[d] for d in dims])) - correction <= 0:
        warnings.warn(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor "
            "(input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    return dims, correction, keepdim


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Variance with Bessel's correction by default (divide by n - correction)."""
    return Var.apply(input, *_variance_args(input, dim, unbiased, keepdim, correction, "var"))


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    return Std.apply(input, *_variance_args(input, dim, unbiased, keepdim, correction, "std"))


class Logsumexp(Function):
    r"""$y = \log \sum_i e^{x_i}$ over dims, computed as $m + \log \sum_i e^{x_i - m}$ with m the slice's max
    (so large x do not overflow; an infinite m is left out of the shift).

    $dy/dx_i = e^{x_i} / \sum_j e^{x_j} = e^{x_i - y}$: a softmax over the reduced dims.
    """

    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        if x.size:
            shift = np.max(x, axis=dims, keepdims=True)
            shift = np.where(np.isfinite(shift), shift, 0)
        else:
            shift = np.zeros(np.sum(x, axis=dims, keepdims=True).shape, dtype=x.dtype)
        with np.errstate(divide="ignore"):
            y = np.log(np.sum(np.exp(x - shift), axis=dims, keepdims=True)) + shift
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, y)
        return (y if keepdim else np.squeeze(y, dims)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dims)
        with np.errstate(invalid="ignore"):  # an all -inf (or +inf) slice: NaN, as torch
            return g * np.exp(x - y), None, None


class Nansum(Function):
    r"""$y = \sum_i x_i$ over dims with NaN counted as 0.   $dx = g \cdot [x \text{ is not NaN}]$."""

    node_name = "NansumBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:
        ctx.nan, ctx.dims, ctx.keepdim = np.isnan(x), dims, keepdim
        return as_array(np.nansum(x, axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        g = expand_reduced(grad, ctx.nan.shape, ctx.dims, ctx.keepdim)
        # a product with the mask, not a select: a NaN upstream (nanmean of an all-NaN slice) stays NaN, as torch
        return (g * ~ctx.nan).astype(grad.dtype, copy=False), None, None, None


class Aminmax(Function):
    r"""$(\min_i x_i, \max_i x_i)$ of x over dims in one pass.

    Each behaves as amin / amax: its gradient is shared evenly among the elements equal to it,
    $dx_i = g\, [x_i = y] / \#\{j : x_j = y\}$ for each output y and its gradient g.
    """

    node_name = "AminmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> tuple:
        low = as_array(np.min(x, axis=dims, keepdims=True))
        high = as_array(np.max(x, axis=dims, keepdims=True))
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, low, high)
        if not keepdim:
            low, high = np.squeeze(low, dims), np.squeeze(high, dims)
        return low, high

    @staticmethod
    def backward(ctx: Any, grad_min: np.ndarray, grad_max: np.ndarray) -> tuple:
        x, low, high = ctx.saved_tensors
        out = np.zeros(x.shape, dtype=grad_min.dtype)
        for grad, extreme in ((grad_min, low), (grad_max, high)):
            hits = x == extreme
            g = grad if ctx.keepdim else np.expand_dims(grad, ctx.dims)
            out = out + np.where(hits, g / np.sum(hits, axis=ctx.dims, keepdims=True), 0)
        return out, None, None


class VarMean(Function):
    r"""$(v, m)$: the variance (divided by $n - c$) and the mean over dims, from one node.

    $dx_i = g_v \cdot 2 (x_i - m) / (n - c) + g_m / n$ (Var's and Mean's gradients summed).
    """

    node_name = "VarMeanBackward0"
    spread = Var

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dims: tuple[int, ...], correction: float, keepdim: bool) -> tuple:
        spread = cls.spread.forward(ctx, x, dims, correction, keepdim)
        ctx.count = int(np.prod([x.shape[d] for d in dims])) if dims else 1
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (
                as_array(np.mean(x, axis=dims, keepdims=keepdim), dtype=x.dtype)
                if x.size
                else np.full(spread.shape, np.nan, dtype=x.dtype)
            )
        ctx.shape = x.shape
        return spread, mean

    @classmethod
    def backward(cls, ctx: Any, grad_spread: np.ndarray, grad_mean: np.ndarray) -> tuple:
        g = cls.spread.backward(ctx, grad_spread)[0]
        return g + expand_reduced(grad_mean / ctx.count, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class StdMean(VarMean):
    r"""$(s, m)$: the standard deviation and the mean.   $dx_i = g_s (x_i - m) / ((n - c)\, s) + g_m / n$."""

    node_name = "StdMeanBackward0"
    spread = Std


_INF = float("inf")


class VectorNorm(Function):
    r"""$n = (\sum_i |x_i|^p)^{1/p}$ over dims; $p = \infty$: $\max |x|$; $p = -\infty$: $\min |x|$; $p = 0$: the count
    of nonzeros.

    $$
    \frac{\partial n}{\partial x_i} = \frac{\operatorname{sign}(x_i)\, |x_i|^{p-1}}{n^{p-1}}
    \qquad (p = 2:\ x_i / n; \quad p = 1:\ \operatorname{sign}(x_i));
    $$

    for $p = \pm\infty$ the gradient $\operatorname{sign}(x_i)$ goes to the elements with $|x_i| = n$, shared evenly
    among ties (as amax); $p = 0$ counts, which is piecewise constant: no gradient (None, as torch). Where $n = 0$ the
    gradient is 0 (torch's choice at the kink of $|x|$), and so it is at $x_i = 0$ for $p < 1$, where $|x_i|^{p-1}$
    is infinite.
    """

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, ord: float, dims: tuple[int, ...], keepdim: bool, dtype: Any) -> np.ndarray:
        x = x.astype(dtype, copy=False)  # dtype= computes in that dtype; the gradient returns in x's
        a = np.abs(x)
        if ord == _INF:
            n = np.max(a, axis=dims, keepdims=True) if a.size else np.zeros(np.sum(a, dims, keepdims=True).shape)
        elif ord == -_INF:
            n = np.min(a, axis=dims, keepdims=True) if a.size else np.zeros(np.sum(a, dims, keepdims=True).shape)
        elif ord == 0:
            n = np.count_nonzero(a, axis=dims, keepdims=True)
        elif ord == 1:
            n = np.sum(a, axis=dims, keepdims=True)
        elif ord == 2:
            n = np.sqrt(np.sum(a * a, axis=dims, keepdims=True))
        else:
            with np.errstate(divide="ignore"):
                n = np.sum(a**ord, axis=dims, keepdims=True) ** (1 / ord)
        n = as_array(n, dtype=x.dtype)
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        ctx.save_for_backward(x, n)
        return n if keepdim else np.squeeze(n, dims)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, n = ctx.saved_tensors
        p = ctx.ord
        g = np.broadcast_to(grad if ctx.keepdim else np.expand_dims(grad, ctx.dims), n.shape)
        if p == 0:  # torch leaves the gradient undefined (None), not zero
            return None, None, None, None, None
        a, sign = np.abs(x), np.sign(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            if abs(p) == _INF:
                hits = a == n
                gx = sign * np.where(hits, g / np.sum(hits, axis=ctx.dims, keepdims=True), 0)
            elif p == 1:
                gx = sign * g
            elif p == 2:
                gx = x * np.where(n == 0, 0, g / n)
            else:
                # |x|^(p-1) is infinite at x = 0 for p < 1: torch takes 0 there (sign(0) = 0 wins)
                gx = sign * np.where(a == 0, 0, a ** (p - 1)) * np.where(n == 0, 0, g / n ** (p - 1))
        return gx.astype(grad.dtype, copy=False), None, None, None, None


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    if input._data.dtype.kind != "f":  # integers and bools go through float math in the default float
        input = input.to(default_float())
    return Logsumexp.apply(input, reduced_dims(dim, input.ndim), keepdim)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if input._data.dtype.kind != "f":
        return sum(input, dim, keepdim, dtype=dtype)  # no NaN to skip
    return Nansum.apply(input, reduced_dims(dim, input.ndim), keepdim, to_numpy_dtype(dtype))


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the non-NaN elements: nansum / their count (torch's composition, so DivBackward0)."""
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"nanmean(): expected input to have floating point or complex dtype but got {_scalar_name(input)}"
        )
    dims = reduced_dims(dim, input.ndim)
    count = np.sum(~np.isnan(input._data), axis=dims, keepdims=keepdim).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 for an all-NaN slice: NaN, as torch
        return nansum(input, dims, keepdim) / Tensor._make(count)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    dims = reduced_dims(dim, input.ndim)
    return Tensor._make(device_result(input._data, np.count_nonzero(input._data, axis=dims), np.int64))


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."
            )
        dims = tuple(range(input.ndim))
    else:
        d = single_dim(dim, input.ndim)
        if input.ndim and input._data.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        dims = (d,) if input.ndim else ()
    return aminmax_result(*Aminmax.apply(input, dims, keepdim))


def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> tuple[Tensor, Tensor]:
    return VarMean.apply(input, *_variance_args(input, dim, unbiased, keepdim, correction, "var_mean"))


def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> tuple[Tensor, Tensor]:
    return StdMean.apply(input, *_variance_args(input, dim, unbiased, keepdim, correction, "std_mean"))


def _ord_name(ord: float) -> str:
    return {_INF: "inf", -_INF: "-inf"}.get(ord, str(ord))


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """torch.linalg.vector_norm: the p-norm of x over dims (all of them by default, any shape)."""
    if isinstance(ord, str) or isinstance(ord, bool):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {_scalar_name(x)}"
        )
    np_dtype = to_numpy_dtype(dtype) or x._data.dtype
    if np_dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: dtype should be floating point or complex, but got "
            f"{_scalar_name(Tensor._make(np.zeros(0, np_dtype)))}"
        )
    dims = reduced_dims(dim, x.ndim)
    if abs(ord) == _INF and x._data.size == 0:
        everything = dim is None or (not isinstance(dim, int) and len(dim) == 0)
        if everything:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm on an empty tensor because the "
                "operation does not have an identity"
            )
        for d in dims:
            if x._data.shape[d] == 0:
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm on the dimension {d}because "
                    "this dimension is empty and the operation does not have an identity"
                )
    return VectorNorm.apply(x, float(ord), dims, keepdim, np_dtype)


__all__ = [
    "amax",
    "amin",
    "aminmax",
    "argmax",
    "argmin",
    "count_nonzero",
    "logsumexp",
    "max",
    "mean",
    "min",
    "nanmean",
    "nansum",
    "prod",
    "std",
    "std_mean",
    "sum",
    "var",
    "var_mean",
]

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
    "aminmax": aminmax,
    "count_nonzero": count_nonzero,
    "logsumexp": logsumexp,
    "nansum": nansum,
    "nanmean": nanmean,
}
