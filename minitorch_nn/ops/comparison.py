"""Comparisons and selection: eq/ne/lt/le/gt/ge (no gradient), where, maximum, minimum.

Comparisons return bool tensors outside the graph. ``where(c, x, y)`` routes
the upstream gradient to x where c holds and to y elsewhere; maximum/minimum
route it to the larger/smaller input (split evenly on ties, as torch does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .indexing import nonzero
from .utils import binary_operands, unbroadcast


def _compare(ufunc: Any) -> Any:
    def compare(input: Any, other: Any) -> Tensor:
        a, b, _ = binary_operands(input, other)
        return Tensor._make(np.asarray(ufunc(a._data, b._data)))

    compare.__name__ = ufunc.__name__
    return compare


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)


class Where(Function):
    """z = x where c else y.   dx = dy * c,  dy_ = dy * (1 - c), each un-broadcast."""

    node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx: Any, cond: np.ndarray, x: np.ndarray, y: np.ndarray, dtype: Any) -> np.ndarray:
        ctx.cond, ctx.shapes = cond, (x.shape, y.shape)
        return np.where(cond, x, y).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        c = ctx.cond
        gx = unbroadcast(np.where(c, grad, 0), ctx.shapes[0]) if ctx.needs_input_grad[1] else None
        gy = unbroadcast(np.where(c, 0, grad), ctx.shapes[1]) if ctx.needs_input_grad[2] else None
        return None, gx, gy, None


class Maximum(Function):
    """z = max(x, y) elementwise; on ties each input gets half the gradient."""

    node_name = "MaximumBackward0"
    compare = staticmethod(np.greater)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        ctx.save_for_backward(x, y)
        return np.where(cls.compare(x, y), x, y).astype(dtype, copy=False)

    @classmethod
    def backward(cls, ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        share_x = np.where(cls.compare(x, y), 1.0, np.where(x == y, 0.5, 0.0))
        gx = unbroadcast(grad * share_x, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * (1 - share_x), ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, gy, None


class Minimum(Maximum):
    node_name = "MinimumBackward0"
    compare = staticmethod(np.less)


_UNSET: Any = object()


def where(condition: Tensor, input: Any = _UNSET, other: Any = _UNSET) -> Any:
    """where(c, x, y): x where c else y; where(c) alone is nonzero(c, as_tuple=True), as torch's."""
    if input is _UNSET and other is _UNSET:
        return nonzero(condition, as_tuple=True)
    if input is _UNSET or other is _UNSET:
        raise TypeError(
            "where() received an invalid combination of arguments - got (Tensor, Tensor), but expected one of:\n"
            " * (Tensor condition)\n * (Tensor condition, Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Tensor condition, Number self, Tensor other)\n * (Tensor condition, Tensor input, Number other)\n"
            " * (Tensor condition, Number self, Number other)\n"
        )
    a, b, dtype = binary_operands(input, other)
    return Where.apply(condition._data.astype(bool), a, b, dtype)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    return Maximum.apply(a, b, dtype)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    return Minimum.apply(a, b, dtype)


def isnan(input: Tensor) -> Tensor:
    return Tensor._make(np.isnan(input._data))


def isfinite(input: Tensor) -> Tensor:
    return Tensor._make(np.isfinite(input._data))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def _logical(ufunc: Any) -> Any:
    def logical(input: Tensor, other: Any) -> Tensor:
        return Tensor._make(np.asarray(ufunc(input._data, other._data if isinstance(other, Tensor) else other)))

    logical.__name__ = ufunc.__name__
    return logical


logical_and = _logical(np.logical_and)
logical_or = _logical(np.logical_or)
logical_xor = _logical(np.logical_xor)


def logical_not(input: Tensor) -> Tensor:
    return Tensor._make(np.logical_not(input._data))


def _bitwise(ufunc: Any) -> Any:
    """&, |, ^ on bool or integer tensors (torch's bitwise ops; for bools they are the logical ones)."""

    def op(input: Tensor, other: Any) -> Tensor:
        a, b, dtype = binary_operands(input, other)
        if dtype.kind == "f":
            raise RuntimeError(f"\"{ufunc.__name__}_cpu\" not implemented for 'Float'")
        return Tensor._make(np.asarray(ufunc(a._data, b._data)).astype(dtype, copy=False))

    return op


def _invert(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return Tensor._make(np.invert(input._data))


def _all_any(ufunc: Any) -> Any:
    def reduce(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
        from .utils import normalize_dims

        axis = None if dim is None else normalize_dims(dim, input.ndim)
        result = np.asarray(ufunc(input._data, axis=axis, keepdims=keepdim))
        return Tensor._make(result.astype(np.uint8) if input._data.dtype == np.uint8 else result)  # as torch

    return reduce


all = _all_any(np.all)  # noqa: A001
any = _all_any(np.any)  # noqa: A001


__all__ = [
    "all",
    "allclose",
    "any",
    "eq",
    "equal",
    "ge",
    "gt",
    "isfinite",
    "isnan",
    "le",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "maximum",
    "minimum",
    "ne",
    "where",
]

TENSOR_METHODS = {
    "eq": eq,
    "ne": ne,
    "lt": lt,
    "le": le,
    "gt": gt,
    "ge": ge,
    "__eq__": eq,
    "__ne__": ne,
    "__lt__": lt,
    "__le__": le,
    "__gt__": gt,
    "__ge__": ge,
    "__hash__": object.__hash__,
    "__and__": _bitwise(np.bitwise_and),
    "__or__": _bitwise(np.bitwise_or),
    "__xor__": _bitwise(np.bitwise_xor),
    "__invert__": _invert,
    "logical_and": logical_and,
    "logical_or": logical_or,
    "logical_xor": logical_xor,
    "logical_not": logical_not,
    "where": lambda self, condition, other: where(condition, self, other),
    "maximum": maximum,
    "minimum": minimum,
    "isnan": isnan,
    "isfinite": isfinite,
    "allclose": allclose,
    "equal": equal,
    "all": all,
    "any": any,
}
