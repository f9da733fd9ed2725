"""``out=``: torch functions that can write their result into a tensor the caller gives.

``torch.add(a, b, out=c)`` computes ``a + b`` and stores it in ``c``, which it returns. The op
itself is unchanged: the result is computed as usual and then written, with torch's rules:

- no graph: out= refuses inputs (or an out) that require grad while grad mode is on;
- the result's dtype must cast to out's without dropping a kind (bool < integer < float): a float
  result cannot go into an integer out, an integer result can go into a float one;
- an out of another shape is resized (with torch's deprecation warning unless it had no
  elements); resizing gives it new storage, as torch's resize does once the old one is too small;
- ops with several results (sort, max over a dim, ...) take a tuple of outs and return torch's
  ``<op>_out`` named tuple of them.

The wrapper is applied to the ``minitorch_nn.X`` names only (``add_out_arguments`` below), so the
library's own calls between ops never pay for it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..autograd.tensor import Tensor
from .return_types import NamedResult, named_result

# torch functions that take out= (their torch.X form); generated from torch's signatures and kept
# to the ones this library has
OUT_FUNCTIONS = (
    "abs", "acos", "acosh", "add", "addbmm", "addmm", "addmv", "addr", "all", "amax", "amin", "aminmax", "any",
    "arange", "asin", "asinh", "atan", "atan2", "atanh", "baddbmm", "bitwise_and", "bitwise_left_shift",
    "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "bmm", "cat", "ceil", "clamp", "clip",
    "column_stack", "concat", "copysign", "cos", "cosh", "cummax", "cummin", "cumprod", "cumsum", "deg2rad",
    "diag", "div", "divide", "dot", "dstack", "eq", "erf", "erfc", "erfinv", "exp", "exp2", "expm1", "eye", "fix",
    "float_power", "floor", "floor_divide", "fmax", "fmin", "fmod", "frac", "full", "gather", "ge", "ger",
    "greater", "greater_equal", "gt", "hstack", "hypot", "index_select", "inner", "isneginf", "isposinf", "kron",
    "kthvalue", "le", "lerp", "less", "less_equal", "linspace", "log", "log10", "log1p", "log2", "logaddexp",
    "logaddexp2", "logcumsumexp", "logical_and", "logical_not", "logical_or", "logical_xor", "logit", "logspace",
    "logsumexp", "lt", "masked_select", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mode",
    "msort", "mul", "multiply", "mv", "nan_to_num", "nanmean", "narrow_copy", "ne", "neg", "negative", "nonzero",
    "norm", "not_equal", "ones", "outer", "pow", "prod", "rad2deg", "reciprocal", "remainder", "round",
    "row_stack", "rsqrt", "sgn", "sigmoid", "sign", "signbit", "sin", "sinc", "sinh", "sort", "sqrt", "square",
    "stack", "std", "sub", "subtract", "sum", "take_along_dim", "tan", "tanh", "topk", "tril", "triu", "trunc",
    "var", "vdot", "vstack", "where", "xlogy", "zeros",
)  # fmt: skip

_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2}
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int"}
_TYPE_NAMES.update({"int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"})


def _requires_grad(value: Any) -> bool:
    if isinstance(value, Tensor):
        return value.requires_grad
    if isinstance(value, (list, tuple)):
        return any(_requires_grad(v) for v in value)
    return False


def _write(result: Tensor, out: Tensor) -> Tensor:
    source, target = result._data, out._data
    if _KIND_RANK[source.dtype.kind] > _KIND_RANK[target.dtype.kind]:
        raise RuntimeError(
            f"result type {_TYPE_NAMES.get(source.dtype.name, source.dtype.name)} can't be cast to the desired "
            f"output type {_TYPE_NAMES.get(target.dtype.name, target.dtype.name)}"
        )
    if source.shape != target.shape:
        if target.size != 0:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape {list(target.shape)}, which "
                f"does not match the required output shape {list(source.shape)}. This behavior is deprecated, and "
                "in a future PyTorch release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
                UserWarning,
                stacklevel=3,
            )
        out._data = np.empty(source.shape, dtype=target.dtype)
    out._data[...] = source
    out._version_counter.value += 1
    return out


_OUT_TYPES: dict[str, type[NamedResult]] = {}


def _out_type(kind: type[NamedResult]) -> type[NamedResult]:
    """torch.return_types.sort -> torch.return_types.sort_out (made once)."""
    if kind.kind not in _OUT_TYPES:
        _OUT_TYPES[kind.kind] = named_result(kind.kind + "_out", kind.fields)
    return _OUT_TYPES[kind.kind]


def with_out(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` taking an extra keyword ``out`` (see the module docstring)."""
    name = function.__name__

    @functools.wraps(function)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return function(*args, **kwargs)
        if is_grad_enabled() and (
            _requires_grad(args) or _requires_grad(tuple(kwargs.values())) or _requires_grad(out)
        ):
            raise RuntimeError(
                f"{name}(): functions with out=... arguments don't support automatic differentiation, but one "
                "of the arguments requires grad."
            )
        with no_grad():
            result = function(*args, **kwargs)
        if isinstance(result, tuple):
            if not isinstance(out, (tuple, list)) or len(out) != len(result):
                raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
            written = [_write(r, o) for r, o in zip(result, out)]
            kind = type(result)
            if issubclass(kind, NamedResult):
                return _out_type(kind)(*written)
            return tuple(written)
        if not isinstance(out, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        return _write(result, out)

    return call


def add_out_arguments(namespace: dict[str, Any]) -> None:
    """Give the namespace's functions in OUT_FUNCTIONS their ``out=`` keyword."""
    for name in OUT_FUNCTIONS:
        if name in namespace:
            namespace[name] = with_out(namespace[name])
