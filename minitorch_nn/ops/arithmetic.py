r"""Elementwise arithmetic: add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp.

All binary ops broadcast as NumPy does; each backward sums the gradient back
to its input's shape (``unbroadcast``), which is where most hand-written
backward passes go wrong: an input broadcast along an axis fed every entry along it, so

$$
\frac{\partial L}{\partial x_i}
  = \sum_{j \text{ broadcast from } i} \frac{\partial L}{\partial z_j}\, \frac{\partial z_j}{\partial x_i}.
$$
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..autograd.types import default_float

# re-exported from their homes (ops/inplace.py, ops/indexing.py): other op families import them from here
from .indexing import copy_, fill_, zero_  # noqa: F401
from .inplace import _inplace, _write_result, can_cast  # noqa: F401
from .utils import _TENSOR_TYPES, as_array, binary_operands, check_broadcast, result_dtype, unbroadcast


class Add(Function):
    r"""$z = x + \alpha y$.   $dz/dx = 1$, $dz/dy = \alpha$, each summed to its input's shape."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, alpha: float = 1, dtype: Any = None) -> np.ndarray:
        ctx.shapes, ctx.alpha = (x.shape, y.shape), alpha
        # casting="unsafe": a 0-d int8 added to a uint8 tensor is computed in uint8 (torch's rule), which
        # NumPy's default same-kind casting refuses; integers wrap as torch's do (uint8 - 1)
        if alpha == -1:
            return np.subtract(x, y, dtype=dtype, casting="unsafe")
        if alpha != 1:
            y = np.multiply(y, np.asarray(alpha).astype(dtype or y.dtype), dtype=dtype, casting="unsafe")
        return np.add(x, y, dtype=dtype, casting="unsafe")

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = unbroadcast(grad, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            gy = unbroadcast(grad if ctx.alpha == 1 else grad * ctx.alpha, ctx.shapes[1])
        return gx, gy, None, None


class Mul(Function):
    """$z = x y$.   $dz/dx = y$, $dz/dy = x$ (times the upstream gradient, un-broadcast)."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any = None) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[0] else None)
        return np.multiply(x, y, dtype=dtype, casting="unsafe")  # as Add: torch's result dtype, wrapping

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        gx = unbroadcast(grad * y, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * x, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, gy, None


class Sub(Add):
    r"""$z = x - \alpha y$ (Add with alpha negated).   $dz/dx = 1$, $dz/dy = -\alpha$."""

    node_name = "SubBackward0"


class Rsub(Add):
    r"""$z = y - \alpha x$ written as $-\alpha x + y$ (torch's rsub for scalar - tensor).   $dz/dx = -\alpha$,
    $dz/dy = 1$.
    """

    node_name = "RsubBackward1"


class Div(Function):
    """$z = x / y$.   $dz/dx = 1/y$,  $dz/dy = -x / y^2 = -z / y$."""

    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.divide(x, y, dtype=dtype)
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        gx = unbroadcast(grad / y, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(-grad * x / (y * y), ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, gy, None


class Neg(Function):
    """$z = -x$.   $dz/dx = -1$."""

    node_name = "NegBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.negative(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (-grad,)


class Pow(Function):
    r"""$z = x^y$ (both tensors).   $dz/dx = y\, x^{y-1}$,  $dz/dy = z \ln x$."""

    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        with np.errstate(invalid="ignore", divide="ignore"):  # (-8) ** 0.5 is NaN, 0 ** -1 inf, as in torch
            z = np.power(x, y, dtype=dtype)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, z = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(grad * y * np.power(x, y - 1), ctx.shapes[0])
        if ctx.needs_input_grad[1]:
            # torch defines the x = 0 case as 0 (the limit of z log x for positive y)
            log_x = np.log(np.where(x > 0, x, 1))
            gy = unbroadcast(grad * z * np.where(x > 0, log_x, 0), ctx.shapes[1])
        return gx, gy, None


class PowScalar(Function):
    r"""$z = x^p$ for a number p.   $dz/dx = p\, x^{p-1}$."""

    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: float) -> np.ndarray:
        ctx.p = p
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.power(x, p).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return np.zeros_like(grad), None
        return (grad * p * np.power(x, p - 1)).astype(grad.dtype, copy=False), None


class RPowScalar(Function):
    r"""$z = c^x$ for a number c.   $dz/dx = z \ln c$."""

    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, c: float, dtype: Any) -> np.ndarray:
        ctx.c = c
        z = np.power(np.asarray(c, dtype=dtype), x, dtype=dtype)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (z,) = ctx.saved_tensors
        # torch defines d/dx 0^x as 0 (for x > 0) instead of 0 * log 0
        log_c = math.log(ctx.c) if ctx.c > 0 else 0.0
        return (grad * z * log_c).astype(grad.dtype, copy=False), None, None


class Reciprocal(Function):
    """$z = 1 / x$.   $dz/dx = -1/x^2 = -z^2$."""

    node_name = "ReciprocalBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            z = np.reciprocal(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (z,) = ctx.saved_tensors
        return (-grad * z * z,)


class DivRounding(Function):
    r"""$z = \operatorname{trunc}(x / y)$ or $\lfloor x / y \rfloor$: piecewise constant, so both gradients are 0."""

    node_name = "DivBackward2"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, mode: str, dtype: Any) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        # in the result dtype first: a 0-d uint8 200 with an int8 tensor divides as int8 -56, as torch does
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
        if dtype.kind in "biu" and not y.all():
            raise RuntimeError("ZeroDivisionError")  # integer division by zero has no value (NumPy gives 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            if dtype.kind in "iu":
                q = np.floor_divide(x, y)  # exact for integers, no float round trip
                if mode == "trunc":
                    q = q + ((q < 0) & (q * y != x))
                return q.astype(dtype, copy=False)
            if mode == "trunc":
                return np.trunc(np.divide(x, y)).astype(dtype, copy=False)
            return _floor_divide_floats(x, y).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = np.zeros(ctx.shapes[0], grad.dtype) if ctx.needs_input_grad[0] else None
        gy = np.zeros(ctx.shapes[1], grad.dtype) if ctx.needs_input_grad[1] else None
        return gx, gy, None, None


def _floor_divide_floats(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """floor(x / y) as torch (and Python's //) computes it: from the exact remainder, (x - fmod(x, y)) / y,
    so 1 // 0.1 is 9 (0.1 is a little above 1/10), where floor of the rounded quotient gives 10.
    A zero divisor gives IEEE's x / y."""
    mod = np.fmod(x, y)
    div = (x - mod) / y
    div = np.where((mod != 0) & ((y < 0) != (mod < 0)), div - 1, div)
    floor = np.floor(div)
    floor = np.where(div - floor > 0.5, floor + 1, floor)  # (x - mod) / y is a whole number up to rounding
    floor = np.where(div == 0, np.copysign(0.0, x / y).astype(floor.dtype), floor)
    return np.where(y == 0, x / y, floor)


class NoDerivative(Function):
    r"""An op torch defines no derivative for (floor_divide $\lfloor x / y \rfloor$, remainder of a number by a tensor):
    its output still requires grad, its node is torch's NotImplemented, and backward through it raises.
    """

    node_name = "NotImplemented"
    aten_name: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._node_class.name = lambda self: "torch::autograd::NotImplemented"  # torch's C++ name

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        raise RuntimeError(f"derivative for aten::{ctx._function.aten_name} is not implemented")


class FloorDivide(NoDerivative):
    r"""$z = \lfloor x / y \rfloor$ (``x // y``); torch records no derivative for it."""

    aten_name = "floor_divide"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any) -> np.ndarray:
        return DivRounding.forward(ctx, x, y, "floor", dtype)


class Sign(Function):
    r"""$z = \operatorname{sign}(x)$ (0 for NaN, as torch's).   Piecewise constant: $dz/dx = 0$."""

    node_name = "SignBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        z = np.sign(x)
        return np.where(np.isnan(x), x.dtype.type(0), z) if x.dtype.kind == "f" else z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (np.zeros_like(grad),)


class Exp(Function):
    """$z = e^x$.   $dz/dx = z$."""

    node_name = "ExpBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        z = np.exp(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (z,) = ctx.saved_tensors
        return (grad * z,)


class Log(Function):
    r"""$z = \ln x$.   $dz/dx = 1/x$."""

    node_name = "LogBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad / x,)


class Sqrt(Function):
    r"""$z = \sqrt{x}$.   $dz/dx = 1 / (2 z)$."""

    node_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            z = np.sqrt(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (z,) = ctx.saved_tensors
        return (grad / (2 * z),)


class Abs(Function):
    r"""$z = |x|$.   $dz/dx = \operatorname{sign}(x)$ (0 at 0, as in torch)."""

    node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * np.sign(x),)


class Clamp(Function):
    r"""$z = \min(\max(x, \mathrm{lo}), \mathrm{hi})$ for numbers lo, hi (either may be None).
    $dz/dx = 1$ where $\mathrm{lo} \le x \le \mathrm{hi}$, else 0.
    """

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lo: float | None, hi: float | None, dtype: Any = None) -> np.ndarray:
        if dtype is not None and x.dtype != dtype:
            x = x.astype(dtype)  # an integer tensor clamped to a float bound is a float32 result
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        if lo is not None and hi is not None:
            return np.clip(x, lo, hi)  # one pass: min(max(x, lo), hi), NaN kept, hi where lo > hi
        if lo is not None:
            return np.maximum(x, lo)
        return np.minimum(x, hi)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        keep = np.ones(x.shape, dtype=bool)
        if ctx.lo is not None:
            keep &= x >= ctx.lo
        if ctx.hi is not None:
            keep &= x <= ctx.hi
        return grad * keep, None, None, None


class ClampMin(Clamp):
    """clamp_min(x, lo): the same function with torch's node name for it."""

    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    """clamp_max(x, hi): the same function with torch's node name for it."""

    node_name = "ClampMaxBackward0"


class ClampTensor(Function):
    r"""$z = \min(\max(x, \mathrm{lo}), \mathrm{hi})$ with tensor bounds (either may be None), all three broadcast
    together.

    z is x where $\mathrm{lo} \le x \le \mathrm{hi}$, lo where $x < \mathrm{lo}$, hi where $x > \mathrm{hi}$, so

    $$
    \frac{\partial z}{\partial x} = [\mathrm{lo} \le x \le \mathrm{hi}], \qquad
    \frac{\partial z}{\partial \mathrm{lo}} = [x < \mathrm{lo}], \qquad
    \frac{\partial z}{\partial \mathrm{hi}} = [x > \mathrm{hi}].
    $$

    Where $\mathrm{lo} > \mathrm{hi}$, $z = \mathrm{hi}$ whatever x: torch then gives the whole gradient to hi (lo's
    condition needs $\mathrm{lo} < \mathrm{hi}$, hi's accepts $\mathrm{hi} < \mathrm{lo}$), and so do we.
    """

    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lo: np.ndarray | None, hi: np.ndarray | None, dtype: Any) -> np.ndarray:
        x = x.astype(dtype, copy=False)
        lo = None if lo is None else lo.astype(dtype, copy=False)
        hi = None if hi is None else hi.astype(dtype, copy=False)
        ctx.save_for_backward(x, lo, hi)
        z = x
        if lo is not None:
            z = np.maximum(z, lo)
        if hi is not None:
            z = np.minimum(z, hi)
        return z.copy() if z is x else as_array(z, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, lo, hi = ctx.saved_tensors
        needs = ctx.needs_input_grad
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside = inside & (x >= lo)
        if hi is not None:
            inside = inside & (x <= hi)
        gx = unbroadcast(np.where(inside, grad, 0), x.shape) if needs[0] else None
        glo = ghi = None
        if lo is not None and needs[1]:
            to_lo = (x < lo) & (lo < hi) if hi is not None else x < lo
            glo = unbroadcast(np.where(to_lo, grad, 0), lo.shape)
        if hi is not None and needs[2]:
            to_hi = (x > hi) | (hi < lo) if lo is not None else x > hi
            ghi = unbroadcast(np.where(to_hi, grad, 0), hi.shape)
        return gx, glo, ghi, None


class ClampMinTensor(ClampTensor):
    """clamp_min(x, lo) for a tensor lo: the same function with torch's node name for it."""

    node_name = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    """clamp_max(x, hi) for a tensor hi: the same function with torch's node name for it."""

    node_name = "ClampMaxBackward1"


def _check_alpha(alpha: Any, dtype: np.dtype) -> None:
    if dtype.kind in "biu" and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    if alpha != 1:
        _check_alpha(alpha, dtype)
    return Add.apply(a, b, alpha, dtype)


def _check_no_bool_subtraction(a: Tensor, b: Tensor) -> None:
    """torch refuses ``-`` with bool operands (a Python bool counts as one)."""
    bools = (a._data.dtype == np.bool_) + (b._data.dtype == np.bool_)
    if bools == 2:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if bools == 1:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    _check_no_bool_subtraction(*_bool_view(input, other))
    a, b, dtype = binary_operands(input, other)
    if alpha != 1:
        _check_alpha(alpha, dtype)
    return Sub.apply(a, b, -alpha, dtype)


def rsub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """other - alpha * input."""
    _check_no_bool_subtraction(*_bool_view(input, other))
    a, b, dtype = binary_operands(input, other)
    # a number is no graph input (torch: RsubBackward1 has the tensor's edge only)
    return Rsub.apply(b if isinstance(other, Tensor) else b._data, a, -alpha, dtype)


def _bool_view(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """The operands as tensors of their own dtype (before promotion), to spot bools."""
    wrap = lambda v: v if isinstance(v, Tensor) else Tensor._make(np.asarray(v))  # noqa: E731
    return wrap(a), wrap(b)


def mul(input: Any, other: Any) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    return Mul.apply(a, b, dtype)


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(
                f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
            )
        _check_not_bool(rounding_mode, dtype)
        return DivRounding.apply(a, b, rounding_mode, dtype)
    if dtype.kind != "f":
        dtype = default_float()  # true division of integers gives the default float
    return Div.apply(a, b, dtype)


def _check_not_bool(rounding_mode: str, dtype: np.dtype) -> None:
    """Rounded division has no bool kernel in torch."""
    if dtype.kind == "b":
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")


def floor_divide(input: Any, other: Any) -> Tensor:
    """floor(input / other), ``//``: division rounded down, in the promoted dtype."""
    a, b, dtype = binary_operands(input, other)
    _check_not_bool("floor", dtype)
    return FloorDivide.apply(a, b, dtype)


def neg(input: Tensor) -> Tensor:
    return Neg.apply(input)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001
    """x ** p (PowBackward0), c ** x (PowBackward2) or x ** y for two tensors (PowBackward1)."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        if input._data.dtype.kind != "f" and isinstance(exponent, float):
            input = input.to(default_float())
        return PowScalar.apply(input, exponent)
    if isinstance(exponent, Tensor) and not isinstance(input, Tensor):
        return RPowScalar.apply(exponent, input, result_dtype(exponent, input))
    a, b, dtype = binary_operands(input, exponent)
    return Pow.apply(a, b, dtype)


def reciprocal(input: Tensor) -> Tensor:
    if input._data.dtype.kind != "f":
        input = input.to(default_float())
    return Reciprocal.apply(input)


def _rtruediv(self: Tensor, other: Any) -> Tensor:
    """number / tensor: torch computes it as reciprocal(tensor) * number (MulBackward0)."""
    if isinstance(other, Tensor):
        return div(other, self)
    return mul(reciprocal(self), other)


def sign(input: Tensor) -> Tensor:
    return Sign.apply(input)


def _unary(function: type[Function]) -> Any:
    def op(input: Tensor) -> Tensor:
        if input._data.dtype.kind != "f":
            input = input.to(default_float())  # torch computes exp/log/sqrt of integers in the default float
        return function.apply(input)

    op.__name__ = function.__name__.lower()
    return op


exp = _unary(Exp)
log = _unary(Log)
sqrt = _unary(Sqrt)


def abs(input: Tensor) -> Tensor:  # noqa: A001
    return Abs.apply(input)


def _clamp(function: type[Function], tensor_function: type[Function], input: Tensor, lo: Any, hi: Any) -> Tensor:
    bounds = [b for b in (lo, hi) if b is not None]
    dtype = result_dtype(input, *bounds)
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        if not all(isinstance(b, Tensor) for b in bounds):
            got = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in (input, lo, hi))
            raise TypeError(
                f"clamp() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
                " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n"
            )
        check_broadcast(input._data.shape, *(b._data.shape for b in bounds))
        return tensor_function.apply(input, lo, hi, dtype)
    return function.apply(input, lo, hi, dtype)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """min(max(input, min), max): numbers (ClampBackward1) or tensors that broadcast (ClampBackward0)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp(Clamp, ClampTensor, input, min, max)


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    return _clamp(ClampMin, ClampMinTensor, input, min, None)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    return _clamp(ClampMax, ClampMaxTensor, input, None, max)


_C_TYPE_NAMES = {
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}


def _clamp_inplace(out_of_place: Any) -> Any:
    """clamp_ with number bounds: torch's check before the write names the target in C's words."""
    write = _inplace(out_of_place)

    def method(self: Tensor, *bounds: Any, **named: Any) -> Tensor:
        numbers = [b for b in (*bounds, *named.values()) if b is not None and not isinstance(b, Tensor)]
        if numbers and len(numbers) == len([b for b in (*bounds, *named.values()) if b is not None]):
            result = result_dtype(self, *numbers)
            if not can_cast(result, self._data.dtype):
                raise RuntimeError(
                    f"result type {_TENSOR_TYPES[result.name]} can't be cast to the desired output type "
                    f"{_C_TYPE_NAMES.get(self._data.dtype.name, self._data.dtype.name)}"
                )
        return write(self, *bounds, **named)

    method.__name__ = out_of_place.__name__ + "_"
    return method


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


clip = clamp
# torch.clamp_(x, ...) and friends: the in-place methods as functions
clamp_ = clip_ = _clamp_inplace(clamp)
clamp_min_ = _clamp_inplace(clamp_min)
clamp_max_ = _clamp_inplace(clamp_max)
true_divide = divide = div
multiply = mul
subtract = sub
negative = neg

__all__ = [
    "abs",
    "add",
    "clamp",
    "clamp_",
    "clamp_max",
    "clamp_max_",
    "clamp_min",
    "clamp_min_",
    "clip",
    "clip_",
    "div",
    "divide",
    "exp",
    "floor_divide",
    "log",
    "mul",
    "multiply",
    "neg",
    "negative",
    "pow",
    "reciprocal",
    "rsub",
    "sign",
    "sqrt",
    "square",
    "sub",
    "subtract",
    "true_divide",
]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS = {
    "add": add,
    "__add__": add,
    "__radd__": lambda self, other: add(self, other),  # number + x: torch's add(x, number), x first in the graph
    "sub": sub,
    "__sub__": sub,
    "__rsub__": lambda self, other: rsub(self, other),
    "mul": mul,
    "__mul__": mul,
    "__rmul__": lambda self, other: mul(self, other),
    "div": div,
    "__truediv__": div,
    "__rtruediv__": _rtruediv,
    "rsub": rsub,
    "floor_divide": floor_divide,
    "floor_divide_": _inplace(floor_divide),
    "__floordiv__": floor_divide,
    "__rfloordiv__": lambda self, other: floor_divide(other, self),
    "__ifloordiv__": _inplace(floor_divide),
    "reciprocal": reciprocal,
    "sign": sign,
    "clamp_min": clamp_min,
    "clamp_max": clamp_max,
    "divide": div,
    "true_divide": div,
    "multiply": mul,
    "subtract": sub,
    "negative": neg,
    "neg": neg,
    "__neg__": neg,
    "__pos__": lambda self: self,
    "pow": pow,
    "__pow__": pow,
    "__rpow__": lambda self, other: pow(other, self),
    "exp": exp,
    "log": log,
    "sqrt": sqrt,
    "abs": abs,
    "__abs__": abs,
    "clamp": clamp,
    "clip": clamp,
    "square": square,
    "add_": _inplace(add),
    "__iadd__": _inplace(add),
    "sub_": _inplace(sub),
    "__isub__": _inplace(sub),
    "mul_": _inplace(mul),
    "__imul__": _inplace(mul),
    "div_": _inplace(div),
    "__itruediv__": _inplace(div),
    "neg_": _inplace(neg),
    "exp_": _inplace(exp),
    "clamp_": clamp_,
    "pow_": _inplace(pow),
    "sqrt_": _inplace(sqrt),
    "log_": _inplace(log),
    "abs_": _inplace(abs),
    "reciprocal_": _inplace(reciprocal),
    "clamp_min_": clamp_min_,
    "clamp_max_": clamp_max_,
    "clip_": clip_,
    "square_": _inplace(square),
}
