r"""Comparisons and selection: eq/ne/lt/le/gt/ge and their aliases, logical ops, predicates (isnan,
isinf, isclose, ...), where, maximum, minimum.

Comparisons, logical ops and predicates return bool tensors outside the graph; the in-place
comparisons (``x.gt_(0)``) write 1/0 in x's dtype and, in a graph, pass a zero gradient as torch's
do. Operands promote as in arithmetic (uint8 == -1 compares with 255). ``where(c, x, y)`` routes
the upstream gradient to x where c holds and to y elsewhere ($dx = dz \odot c$, $dy = dz \odot (1 - c)$);
maximum/minimum route it to the larger/smaller input (split evenly on ties, as torch does).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..autograd.types import default_float
from .arithmetic import _inplace
from .binary import check_tensors, invalid_combination, number_operator, tensor_method
from .indexing import nonzero
from .utils import _TENSOR_TYPES, as_array, binary_operands, check_broadcast, device_result, normalize_dims, unbroadcast


def _compare(ufunc: Any, name: str) -> Any:
    def compare(input: Tensor, other: Any) -> Tensor:
        if not isinstance(input, Tensor):  # (1 == x reaches here as x.__eq__(1), with x first)
            raise invalid_combination(name, (input, other))
        a, b, dtype = binary_operands(input, other)
        x, y = a._data, b._data
        if x.dtype != dtype or y.dtype != dtype:
            x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)  # uint8 == -1 compares as 255
        return Tensor._make(device_result(x, ufunc(x, y)))

    compare.__name__ = name
    return compare


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")


class CompareInplace(Function):
    r"""x.eq_(other) and friends on a tensor in a graph: the comparison written as 0/1 in x's dtype,
    $x \leftarrow [x = \mathrm{other}]$. Piecewise constant, so both gradients are 0: $dx = 0$, $d\mathrm{other} = 0$;
    torch records it (EqBackward0 for a number, 1 for a tensor).
    """

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, other: Any, compare: Any) -> np.ndarray:
        ctx.shapes = (x.shape, np.shape(other))
        wrap = Tensor._make(other) if isinstance(other, np.ndarray) else other
        return compare(Tensor._make(x), wrap)._data.astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = np.zeros(ctx.shapes[0], grad.dtype)
        gy = np.zeros(ctx.shapes[1], grad.dtype) if ctx.needs_input_grad[1] else None
        return gx, gy, None


def _compare_inplace(compare: Any, name: str) -> Any:
    """x.<name>_(other): x takes the comparison's values (1 or 0) in its own dtype."""
    nodes = {
        number: type(f"{name}Inplace", (CompareInplace,), {"node_name": f"{name}Backward{0 if number else 1}"})
        for number in (True, False)
    }

    def compare_as_self(self: Tensor, other: Any) -> Tensor:
        return nodes[not isinstance(other, Tensor)].apply(self, other, compare)

    method = _inplace(compare_as_self)
    method.__name__ = compare.__name__ + "_"
    return method


class Where(Function):
    r"""$z = x$ where c else y.   $dx = dz \odot c$,  $dy = dz \odot (1 - c)$, each un-broadcast."""

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
    r"""$z = \max(x, y)$ elementwise (NaN if either is NaN): $dx = dz\, [x > y]$, $dy = dz\, [y > x]$; on ties each
    input gets half the gradient, $dz / 2$.
    """

    node_name = "MaximumBackward0"
    ufunc = staticmethod(np.maximum)
    compare = staticmethod(np.greater)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any) -> np.ndarray:
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
        ctx.save_for_backward(x, y)
        return cls.ufunc(x, y)

    @classmethod
    def backward(cls, ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        share_x = np.where(cls.compare(x, y), 1.0, np.where(x == y, 0.5, 0.0))
        gx = unbroadcast(grad * share_x, x.shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * (1 - share_x), y.shape) if ctx.needs_input_grad[1] else None
        return gx, gy, None


class Minimum(Maximum):
    r"""$z = \min(x, y)$ elementwise (NaN if either is NaN): $dx = dz\, [x < y]$, $dy = dz\, [y < x]$; on ties each
    input gets half the gradient, $dz / 2$.
    """

    node_name = "MinimumBackward0"
    ufunc = staticmethod(np.minimum)
    compare = staticmethod(np.less)


_UNSET: Any = object()


def where(condition: Tensor, input: Any = _UNSET, other: Any = _UNSET) -> Any:
    """where(c, x, y): x where c else y (a bool condition; uint8 is accepted as torch still does);
    where(c) alone is nonzero(c, as_tuple=True), as torch's."""
    if input is _UNSET and other is _UNSET:
        return nonzero(condition, as_tuple=True)
    if input is _UNSET or other is _UNSET:
        raise TypeError(
            "where() received an invalid combination of arguments - got (Tensor, Tensor), but expected one of:\n"
            " * (Tensor condition)\n * (Tensor condition, Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Tensor condition, Number self, Tensor other)\n * (Tensor condition, Tensor input, Number other)\n"
            " * (Tensor condition, Number self, Number other)\n"
        )
    cond = condition._data
    if cond.dtype.kind != "b":
        if cond.dtype != np.uint8:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{_TENSOR_TYPES.get(cond.dtype.name, cond.dtype.name)}"
            )
        warnings.warn(
            "where received a uint8 condition tensor. This behavior is deprecated and will be removed in a future "
            "version of PyTorch. Use a boolean condition instead.",
            UserWarning,
            stacklevel=2,
        )
        cond = cond.astype(bool)
    a, b, dtype = binary_operands(input, other)
    shapes = (cond.shape, a._data.shape, b._data.shape)
    if not shapes[0] == shapes[1] == shapes[2]:
        check_broadcast(*shapes)
    return Where.apply(cond, a, b, dtype)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    check_tensors("maximum", input, other)
    return Maximum.apply(*binary_operands(input, other))


def minimum(input: Tensor, other: Tensor) -> Tensor:
    check_tensors("minimum", input, other)
    return Minimum.apply(*binary_operands(input, other))


# ---- predicates: bool results, no gradient ---------------------------------------------------


def _predicate(test: Any, name: str) -> Any:
    """A test of each element; integers and bools are finite, never NaN or infinite."""

    def predicate(input: Tensor) -> Tensor:
        return Tensor._make(device_result(input._data, test(input._data)))

    predicate.__name__ = name
    return predicate


isnan = _predicate(np.isnan, "isnan")
isfinite = _predicate(np.isfinite, "isfinite")
isinf = _predicate(np.isinf, "isinf")
isposinf = _predicate(np.isposinf, "isposinf")
isneginf = _predicate(np.isneginf, "isneginf")
isreal = _predicate(lambda a: np.ones(a.shape, bool), "isreal")  # no complex dtypes here: every element is real


def _check_same_dtype(input: Tensor, other: Tensor) -> None:
    a, b = input._data.dtype, other._data.dtype
    if a != b:
        raise RuntimeError(f"{_TENSOR_TYPES.get(a.name, a.name)} did not match {_TENSOR_TYPES.get(b.name, b.name)}")


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol |other|, elementwise; equal values (infinities too) are close, and
    NaNs are close to each other with equal_nan. Integers compare their exact difference with the
    float32 tolerance, as torch does."""
    check_tensors("isclose", input, other)
    _check_same_dtype(input, other)
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    x, y = input._data, other._data
    if x.shape != y.shape and x.shape and y.shape:
        check_broadcast(x.shape, y.shape)
    close = x == y
    if equal_nan and x.dtype.kind == "f":
        close = close | (np.isnan(x) & np.isnan(y))
    if rtol == 0 and atol == 0:
        return Tensor._make(as_array(close))
    if x.dtype.kind == "b":
        x, y = x.astype(np.float32), y.astype(np.float32)
    tolerance_dtype = x.dtype if x.dtype.kind == "f" else default_float()
    with np.errstate(invalid="ignore", over="ignore"):
        allowed = tolerance_dtype.type(atol) + np.abs(tolerance_dtype.type(rtol) * y.astype(tolerance_dtype))
        actual = np.abs(x - y)
        close = close | (np.isfinite(actual) & (actual <= allowed))
    return Tensor._make(as_array(close))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """isclose everywhere (broadcasting as isclose does), as a Python bool."""
    check_tensors("allclose", input, other)
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input: Tensor, other: Tensor) -> bool:
    """Same shape and same values (across dtypes: an int tensor equals the float one with its values)."""
    check_tensors("equal", input, other)
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


# ---- logical ops: bool results from any dtype (nonzero is True) ------------------------------------


def _logical(ufunc: Any) -> Any:
    def logical(input: Tensor, other: Tensor) -> Tensor:
        check_tensors(ufunc.__name__, input, other)
        x, y = input._data, other._data
        if x.shape != y.shape and x.shape and y.shape:
            check_broadcast(x.shape, y.shape)
        return Tensor._make(device_result(x, ufunc(x, y)))

    logical.__name__ = ufunc.__name__
    return logical


logical_and = _logical(np.logical_and)
logical_or = _logical(np.logical_or)
logical_xor = _logical(np.logical_xor)


def logical_not(input: Tensor) -> Tensor:
    return Tensor._make(device_result(input._data, np.logical_not(input._data)))


def _logical_inplace(logical: Any) -> Any:
    """x.logical_and_(y): x takes the result as 1/0 in its own dtype. torch records no node for it
    (the tensor keeps its grad_fn) and so do we: the values are written outside the graph."""

    def method(self: Tensor, *other: Any) -> Tensor:
        result = logical(self, *other)._data
        if result.shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape {list(result.shape)}"
            )
        self._data[...] = result
        self._version_counter.value += 1
        return self

    method.__name__ = logical.__name__ + "_"
    return method


def _all_any(ufunc: Any) -> Any:
    def reduce(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
        axis = None if dim is None else normalize_dims(dim, input.ndim)
        result = device_result(input._data, ufunc(input._data, axis=axis, keepdims=keepdim))
        return Tensor._make(result.astype(np.uint8) if input._data.dtype == np.uint8 else result)  # as torch

    return reduce


all = _all_any(np.all)  # noqa: A001
any = _all_any(np.any)  # noqa: A001

# torch's alternative names
greater = _compare(np.greater, "greater")
greater_equal = _compare(np.greater_equal, "greater_equal")
less = _compare(np.less, "less")
less_equal = _compare(np.less_equal, "less_equal")
not_equal = _compare(np.not_equal, "not_equal")

__all__ = [
    "all",
    "allclose",
    "any",
    "eq",
    "equal",
    "ge",
    "greater",
    "greater_equal",
    "gt",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "le",
    "less",
    "less_equal",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "lt",
    "maximum",
    "minimum",
    "ne",
    "not_equal",
    "where",
]

_COMPARISONS = {"eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge}
# alias -> (its function, the name it stands for)
_ALIASES = {
    "greater": (greater, "gt"),
    "greater_equal": (greater_equal, "ge"),
    "less": (less, "lt"),
    "less_equal": (less_equal, "le"),
    "not_equal": (not_equal, "ne"),
}
_NODE_NAMES = {"eq": "Eq", "ne": "Ne", "lt": "Lt", "le": "Le", "gt": "Gt", "ge": "Ge"}
_INPLACE = {name: _compare_inplace(f, _NODE_NAMES[name]) for name, f in _COMPARISONS.items()}

TENSOR_METHODS = {
    **_COMPARISONS,
    **{f"{name}_": method for name, method in _INPLACE.items()},
    **{alias: function for alias, (function, _) in _ALIASES.items()},
    **{f"{alias}_": _INPLACE[name] for alias, (_, name) in _ALIASES.items()},
    # x == None is False, as in torch: Python's fallback when the operator answers NotImplemented
    **{f"__{name}__": number_operator(f) for name, f in _COMPARISONS.items()},
    "__hash__": object.__hash__,
    "logical_and": tensor_method(logical_and, "logical_and"),
    "logical_or": tensor_method(logical_or, "logical_or"),
    "logical_xor": tensor_method(logical_xor, "logical_xor"),
    "logical_not": logical_not,
    "logical_and_": _logical_inplace(tensor_method(logical_and, "logical_and_")),
    "logical_or_": _logical_inplace(tensor_method(logical_or, "logical_or_")),
    "logical_xor_": _logical_inplace(tensor_method(logical_xor, "logical_xor_")),
    "logical_not_": _logical_inplace(logical_not),
    "where": lambda self, condition, other: where(condition, self, other),
    "maximum": tensor_method(maximum, "maximum"),
    "minimum": tensor_method(minimum, "minimum"),
    "isnan": isnan,
    "isfinite": isfinite,
    "isinf": isinf,
    "isposinf": isposinf,
    "isneginf": isneginf,
    "isreal": isreal,
    "isclose": tensor_method(isclose, "isclose"),
    "allclose": tensor_method(allclose, "allclose"),
    "equal": tensor_method(equal, "equal"),
    "all": all,
    "any": any,
}
