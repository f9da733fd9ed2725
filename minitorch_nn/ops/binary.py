"""Binary elementwise math: atan2, fmod, remainder, hypot, copysign, lerp, fmax/fmin, logaddexp, xlogy,
float_power, and the bitwise and shift operators.

Every op promotes its operands as torch does (``binary_operands``), checks that they broadcast, and
computes in the result dtype; ops that are only defined on floats (atan2, hypot, ...) lift integer
results to the default float32. Each backward sums its gradients back to the input shapes
(``unbroadcast``). A Python number as an operand is no graph input, so its node has one edge fewer
and torch gives it another name (FmodBackward0 for ``fmod(x, 2)``, FmodBackward1 for two tensors).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..autograd.types import default_float
from .arithmetic import _C_TYPE_NAMES, NoDerivative, _inplace, pow
from .utils import _TENSOR_TYPES, as_array, binary_operands, check_broadcast, unbroadcast


def _type_word(dtype: np.dtype) -> str:
    return _TENSOR_TYPES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def _not_implemented(kernel: str, dtype: np.dtype) -> NotImplementedError:
    """torch's error for a dtype its kernel has no loop for."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_type_word(dtype)}'")


def check_tensor(op: str, name: str, position: int, value: Any) -> None:
    """torch's argument-parser TypeError where an operand must be a tensor (no Python number)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")


def check_tensors(op: str, input: Any, other: Any) -> None:
    """Both operands of a one-overload op must be tensors (torch.hypot(2, x) is a TypeError)."""
    check_tensor(op, "input", 1, input)
    check_tensor(op, "other", 2, other)


_TENSOR_OR_NUMBER = (
    " * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, Number other, *, Tensor out = None)\n"
)


def invalid_combination(op: str, args: tuple, signatures: str = _TENSOR_OR_NUMBER) -> TypeError:
    """torch's argument-parser TypeError for an op with several overloads, none of which fits."""
    got = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in args)
    return TypeError(
        f"{op}() received an invalid combination of arguments - got ({got}), but expected one of:\n{signatures}"
    )


def tensor_method(function: Any, op: str) -> Any:
    """Tensor.op(other) for an op whose ``other`` must be a tensor: as a method, other is position 1."""

    def method(self: Tensor, other: Any, *args: Any, **kwargs: Any) -> Tensor:
        check_tensor(op, "other", 1, other)
        return function(self, other, *args, **kwargs)

    method.__name__ = op
    return method


def _floating(input: Any, other: Any) -> tuple[Tensor, Tensor, np.dtype]:
    """Operands of an op defined on floats only: integer or bool results become the default float."""
    a, b, dtype = binary_operands(input, other)
    if dtype.kind != "f":
        dtype = default_float()
    return a, b, dtype


def _cast(*arrays: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, ...]:
    return tuple(a.astype(dtype, copy=False) for a in arrays)


# ---- atan2, hypot ----------------------------------------------------------------------


class Atan2(Function):
    r"""$z = \operatorname{atan2}(x, y)$, the angle of the point (y, x).

    $$
    d \operatorname{atan2}(x, y) = \frac{y\, dx - x\, dy}{x^2 + y^2},
    $$

    so with $r^2 = x^2 + y^2$, $dz/dx = y / r^2$ and $dz/dy = -x / r^2$.
    """

    node_name = "Atan2Backward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = _cast(x, y, dtype=dtype)
        ctx.save_for_backward(x, y)
        return np.arctan2(x, y)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        scale = grad / (x * x + y * y)
        gx = unbroadcast(scale * y, x.shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(-scale * x, y.shape) if ctx.needs_input_grad[1] else None
        return gx, gy, None


def atan2(input: Tensor, other: Tensor) -> Tensor:
    check_tensors("atan2", input, other)
    return Atan2.apply(*_floating(input, other))


class Hypot(Function):
    r"""$z = \sqrt{x^2 + y^2}$.   $dz/dx = x / z$,  $dz/dy = y / z$."""

    node_name = "HypotBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = _cast(x, y, dtype=dtype)
        z = np.hypot(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, z = ctx.saved_tensors
        scale = grad / z
        gx = unbroadcast(scale * x, x.shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(scale * y, y.shape) if ctx.needs_input_grad[1] else None
        return gx, gy, None


def hypot(input: Tensor, other: Tensor) -> Tensor:
    check_tensors("hypot", input, other)
    a, b, dtype = binary_operands(input, other)
    if dtype.kind != "f":
        raise _not_implemented("hypot_cpu", dtype)  # torch has no integer hypot (unlike atan2)
    return Hypot.apply(a, b, dtype)


# ---- fmod, remainder -------------------------------------------------------------------


def _integer_divisor(y: np.ndarray, dtype: np.dtype) -> None:
    """Integer division by zero has no value: torch raises where NumPy would give 0 with a warning."""
    if dtype.kind in "biu" and not y.all():
        raise RuntimeError("ZeroDivisionError")


def _fmod(x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
    x, y = _cast(x, y, dtype=dtype)
    _integer_divisor(y, dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.fmod(x, y)


def _remainder(x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """x - floor(x / y) y, the sign of y. Floats as torch computes them: fmod, then add y when the signs
    differ, so remainder(-0., 2) keeps -0. (NumPy's remainder gives +0.)."""
    x, y = _cast(x, y, dtype=dtype)
    _integer_divisor(y, dtype)
    if dtype.kind != "f":
        return np.remainder(x, y)  # integer floor modulo is exact in NumPy
    with np.errstate(invalid="ignore", divide="ignore"):
        mod = np.fmod(x, y)
        return np.where((mod != 0) & ((y < 0) != (mod < 0)), mod + y, mod)


class Fmod(Function):
    r"""$z = \operatorname{fmod}(x, y) = x - \operatorname{trunc}(x / y)\, y$ (the sign of x).

    $\operatorname{trunc}(x / y)$ is piecewise constant, so $dz/dx = 1$ and $dz/dy = -\operatorname{trunc}(x / y)$.
    """

    node_name = "FmodBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(*_cast(x, y, dtype=dtype))
        return _fmod(x, y, dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = unbroadcast(grad, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            x, y = ctx.saved_tensors
            gy = unbroadcast(-grad * np.trunc(x / y), ctx.shapes[1])
        return gx, gy, None


class FmodScalar(Function):
    r"""$z = \operatorname{fmod}(x, c)$ for a number c.   $dz/dx = 1$ ($\operatorname{trunc}(x / c)$ is piecewise
    constant).
    """

    node_name = "FmodBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, c: np.ndarray, dtype: np.dtype) -> np.ndarray:
        return _fmod(x, c, dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad, None, None


class Remainder(Function):
    r"""$z = \operatorname{remainder}(x, y) = x - \lfloor x / y \rfloor\, y$ (Python's %, the sign of y).

    $\lfloor x / y \rfloor$ is piecewise constant, so $dz/dx = 1$ and $dz/dy = -\lfloor x / y \rfloor$.
    """

    node_name = "RemainderBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(*_cast(x, y, dtype=dtype))
        return _remainder(x, y, dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = unbroadcast(grad, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            x, y = ctx.saved_tensors
            gy = unbroadcast(-grad * np.floor(x / y), ctx.shapes[1])
        return gx, gy, None


class RemainderScalar(Function):
    r"""$z = \operatorname{remainder}(x, c)$ for a number c.   $dz/dx = 1$."""

    node_name = "RemainderBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, c: np.ndarray, dtype: np.dtype) -> np.ndarray:
        return _remainder(x, c, dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad, None, None


class RemainderOfNumber(NoDerivative):
    r"""$z = \operatorname{remainder}(c, y)$ for a number c (``c % y``): torch defines no derivative for this
    overload.
    """

    aten_name = "remainder"

    @staticmethod
    def forward(ctx: Any, c: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        return _remainder(c, y, dtype)


def _no_bool_kernel(kernel: str, dtype: np.dtype) -> None:
    """fmod and remainder of two bools: torch has no kernel for them."""
    if dtype.kind == "b":
        raise _not_implemented(kernel, dtype)


def fmod(input: Tensor, other: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise invalid_combination("fmod", (input, other))
    a, b, dtype = binary_operands(input, other)
    _no_bool_kernel("fmod_cpu", dtype)
    if isinstance(other, Tensor):
        return Fmod.apply(a, b, dtype)
    return FmodScalar.apply(a, b._data, dtype)


def remainder(input: Any, other: Any) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    _no_bool_kernel("remainder_cpu", dtype)
    if not isinstance(input, Tensor):
        return RemainderOfNumber.apply(a._data, b, dtype)
    if isinstance(other, Tensor):
        return Remainder.apply(a, b, dtype)
    return RemainderScalar.apply(a, b._data, dtype)


# ---- copysign, lerp ------------------------------------------------------------------


class Copysign(Function):
    r"""$z = |x| \operatorname{sign}(y)$.

    $dz/dx = \operatorname{sign}(x) \operatorname{sign}(y) = z / x$ (0 at $x = 0$, as torch defines it); z does not vary
    with y: $dz/dy = 0$.
    """

    node_name = "CopysignBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = _cast(x, y, dtype=dtype)
        z = np.copysign(x, y)
        ctx.save_for_backward(x, z)
        ctx.shapes = (x.shape, y.shape)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, z = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(x != 0, z / x, 0)
            gx = unbroadcast(grad * ratio, ctx.shapes[0])
        if ctx.needs_input_grad[1]:
            gy = np.zeros(ctx.shapes[1], grad.dtype)
        return gx, gy, None


class CopysignScalar(Copysign):
    """copysign(x, c) for a number c: the same, with torch's name for it."""

    node_name = "CopysignBackward1"


def copysign(input: Tensor, other: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise invalid_combination("copysign", (input, other))
    a, b, dtype = _floating(input, other)
    if isinstance(other, Tensor):
        return Copysign.apply(a, b, dtype)
    return CopysignScalar.apply(a, b._data, dtype)


def _same_dtype(name: str, start: Tensor, other: Tensor) -> None:
    if other._data.dtype != start._data.dtype:
        raise RuntimeError(
            f"expected dtype {_torch_name(start._data.dtype)} for `{name}` but got dtype {_torch_name(other._data.dtype)}"
        )


def _torch_name(dtype: np.dtype) -> str:
    """The C++ name torch's dtype checks print (long int for int64)."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", **_C_TYPE_NAMES}.get(
        dtype.name, dtype.name
    )


class Lerp(Function):
    """$z = x + w (y - x)$ for a number w.   $dz/dx = 1 - w$,  $dz/dy = w$."""

    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, weight: float) -> np.ndarray:
        ctx.shapes, ctx.weight = (x.shape, y.shape), weight
        return (x + weight * (y - x)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        w = ctx.weight
        gx = unbroadcast(grad * (1 - w), ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * w, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, gy, None


class LerpTensor(Function):
    """$z = x + w (y - x)$ for a tensor w.   $dz/dx = 1 - w$,  $dz/dy = w$,  $dz/dw = y - x$."""

    node_name = "LerpBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x if ctx.needs_input_grad[2] else None, y if ctx.needs_input_grad[2] else None, w)
        ctx.shapes = (x.shape, y.shape, w.shape)
        return x + w * (y - x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, w = ctx.saved_tensors
        gx = unbroadcast(grad * (1 - w), ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * w, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        gw = unbroadcast(grad * (y - x), ctx.shapes[2]) if ctx.needs_input_grad[2] else None
        return gx, gy, gw


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """start + weight * (end - start); start, end (and a tensor weight) share one dtype, as torch requires."""
    if not (isinstance(input, Tensor) and isinstance(end, Tensor)):
        raise invalid_combination(
            "lerp",
            (input, end, weight),
            " * (Tensor input, Tensor end, Tensor weight, *, Tensor out = None)\n"
            " * (Tensor input, Tensor end, Number weight, *, Tensor out = None)\n",
        )
    _same_dtype("end", input, end)
    dtype = input._data.dtype
    tensor_weight = isinstance(weight, Tensor)
    if dtype.kind != "f":
        raise _not_implemented("lerp_kernel_tensor" if tensor_weight else "lerp_kernel_scalar", dtype)
    if tensor_weight:
        _same_dtype("weight", input, weight)
        check_broadcast(input._data.shape, end._data.shape, weight._data.shape)
        return LerpTensor.apply(input, end, weight)
    check_broadcast(input._data.shape, end._data.shape)
    return Lerp.apply(input, end, float(weight))


# ---- fmax, fmin, logaddexp, xlogy ---------------------------------------------------------


class Fmax(Function):
    r"""$z = \max(x, y)$, ignoring a NaN operand (NaN only where both are).

    The gradient goes to x where $x \ge y$ or y is NaN (ties go to x, as torch does), to y elsewhere:
    $dx = dz\, [x \ge y]$, $dy = dz\, [x < y]$.
    """

    node_name = "FmaxBackward0"
    ufunc = staticmethod(np.fmax)
    x_wins = staticmethod(np.greater_equal)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = _cast(x, y, dtype=dtype)
        ctx.save_for_backward(x, y)
        return cls.ufunc(x, y)

    @classmethod
    def backward(cls, ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        to_x = cls.x_wins(x, y) | np.isnan(y)
        gx = unbroadcast(np.where(to_x, grad, 0), x.shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(np.where(to_x, 0, grad), y.shape) if ctx.needs_input_grad[1] else None
        return gx, gy, None


class Fmin(Fmax):
    r"""$z = \min(x, y)$, ignoring a NaN operand; the gradient goes to x where $x \le y$ or y is NaN, to y elsewhere."""

    node_name = "FminBackward0"
    ufunc = staticmethod(np.fmin)
    x_wins = staticmethod(np.less_equal)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    check_tensors("fmax", input, other)
    return Fmax.apply(*binary_operands(input, other))


def fmin(input: Tensor, other: Tensor) -> Tensor:
    check_tensors("fmin", input, other)
    return Fmin.apply(*binary_operands(input, other))


class Logaddexp(Function):
    r"""$z = \log(e^x + e^y)$ (NumPy's logaddexp, stable for large $|x|$).

    $dz/dx = e^x / (e^x + e^y) = e^{x - z}$,  $dz/dy = e^{y - z}$.
    """

    node_name = "LogaddexpBackward0"
    ufunc = staticmethod(np.logaddexp)
    power = staticmethod(np.exp)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = _cast(x, y, dtype=dtype)
        z = cls.ufunc(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @classmethod
    def backward(cls, ctx: Any, grad: np.ndarray) -> tuple:
        x, y, z = ctx.saved_tensors
        gx = unbroadcast(grad * cls.power(x - z), x.shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * cls.power(y - z), y.shape) if ctx.needs_input_grad[1] else None
        return gx, gy, None


class Logaddexp2(Logaddexp):
    r"""$z = \log_2(2^x + 2^y)$.   $dz/dx = 2^x / (2^x + 2^y) = 2^{x - z}$,  $dz/dy = 2^{y - z}$."""

    node_name = "Logaddexp2Backward0"
    ufunc = staticmethod(np.logaddexp2)
    power = staticmethod(np.exp2)


def _float_only(op: str, input: Tensor, other: Tensor) -> tuple[Tensor, Tensor, np.dtype]:
    check_tensors(op, input, other)
    a, b, dtype = binary_operands(input, other)
    if dtype.kind != "f":
        raise _not_implemented(f"{op}_cpu", dtype)
    return a, b, dtype


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    return Logaddexp.apply(*_float_only("logaddexp", input, other))


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    return Logaddexp2.apply(*_float_only("logaddexp2", input, other))


class Xlogy(Function):
    r"""$z = x \log y$, defined as 0 where $x = 0$ (unless y is NaN).

    $dz/dx = \log y$ (0 where $x = 0$ and $y \le 0$, torch's choice),  $dz/dy = x / y$.
    """

    node_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = _cast(x, y, dtype=dtype)
        ctx.save_for_backward(x, y)
        ctx.shapes = (x.shape, y.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((x == 0) & ~np.isnan(y), dtype.type(0), x * np.log(y))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = gy = None
        with np.errstate(invalid="ignore", divide="ignore"):
            if needs[0]:
                log_y = np.where((grad == 0) & ~np.isnan(y), 0, grad * np.log(y))
                gx = unbroadcast(np.where((x == 0) & (y <= 0), 0, log_y), ctx.shapes[0])
            if needs[1]:
                gy = unbroadcast(grad * x / y, ctx.shapes[1])
        return gx, gy, None


class XlogyOfNumber(Xlogy):
    """xlogy(c, y) for a number c: the gradient to y only, $dz/dy = c / y$."""

    node_name = "XlogyBackward1"


class XlogyScalar(Xlogy):
    r"""xlogy(x, c) for a number c: the gradient to x only, $dz/dx = \log c$."""

    node_name = "XlogyBackward2"


def xlogy(input: Any, other: Any) -> Tensor:
    a, b, dtype = _floating(input, other)
    if not isinstance(input, Tensor):
        return XlogyOfNumber.apply(a._data, b, dtype)
    if not isinstance(other, Tensor):
        return XlogyScalar.apply(a, b._data, dtype)
    return Xlogy.apply(a, b, dtype)


def float_power(input: Any, exponent: Any) -> Tensor:
    """pow computed in float64 whatever the operands (torch casts both, then calls pow)."""
    if isinstance(input, Tensor):
        input = input.to(np.float64)
    elif not isinstance(exponent, Tensor):
        raise TypeError("float_power(): argument 'input' must be Tensor")
    if isinstance(exponent, Tensor):
        exponent = exponent.to(np.float64)
    elif isinstance(input, Tensor):
        exponent = float(exponent)
    return pow(input, exponent)


def _float_power_(self: Tensor, exponent: Any) -> Tensor:
    if self._data.dtype != np.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {_type_word(self._data.dtype)} but the operation's result "
            "requires dtype Double"
        )
    return _inplace(float_power)(self, exponent)


# ---- bitwise and shift ops (integers and bools; no gradient) -------------------------------


def _bitwise(ufunc: Any, kernel: str) -> Any:
    """&, |, ^ on bool or integer operands (for bools they are the logical ops); floats raise."""

    def op(input: Any, other: Any) -> Tensor:
        a, b, dtype = binary_operands(input, other)
        if dtype.kind == "f":
            raise _not_implemented(kernel, dtype)
        x, y = _cast(a._data, b._data, dtype=dtype)
        return Tensor._make(as_array(ufunc(x, y)))

    op.__name__ = ufunc.__name__
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and_cpu")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or_cpu")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor_cpu")


def bitwise_not(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", input._data.dtype)
    return Tensor._make(as_array(np.invert(input._data)))


def _invert(input: Tensor) -> Tensor:
    """``~x``: Python's operator raises a TypeError for floats, before torch's kernel is reached."""
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(input)


def _shift_operands(input: Any, other: Any, kernel: str) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    a, b, dtype = binary_operands(input, other)
    if dtype.kind in "fb":
        raise _not_implemented(kernel, dtype)
    return (*_cast(a._data, b._data, dtype=dtype), dtype)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """x << n in the result dtype (bits shifted out are lost). A shift by n < 0 or by the width or
    more gives 0, as torch defines it (in C it is undefined, and NumPy's result varies by machine)."""
    x, n, dtype = _shift_operands(input, other, "lshift_cpu")
    bits = dtype.itemsize * 8
    out_of_range = (n < 0) | (n >= bits)
    with np.errstate(over="ignore"):
        shifted = np.left_shift(x, np.where(out_of_range, 0, n).astype(dtype, copy=False))
    return Tensor._make(as_array(np.where(out_of_range, dtype.type(0), shifted)))


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """x >> n, arithmetic (the sign is kept). A shift by n < 0 or by the width or more leaves only the
    sign: -1 for negative x, else 0 (torch's definition)."""
    x, n, dtype = _shift_operands(input, other, "rshift_cpu")
    signed = dtype.kind == "i"
    max_shift = dtype.itemsize * 8 - signed
    out_of_range = (n < 0) | (n >= max_shift)
    shifted = np.right_shift(x, np.where(out_of_range, 0, n).astype(dtype, copy=False))
    fill = np.right_shift(x, max_shift) if signed else dtype.type(0)
    return Tensor._make(as_array(np.where(out_of_range, fill, shifted)))


_OPERANDS = (Tensor, bool, int, float, np.generic, np.ndarray)


def number_operator(function: Any) -> Any:
    """x <op> other: an operand that is no tensor or number (None, a string) is left to Python
    (NotImplemented), as torch leaves it: ``x & None`` is Python's TypeError ("unsupported operand
    type(s)"), ``x == None`` falls back to identity (False)."""

    def method(self: Tensor, other: Any) -> Any:
        return function(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    return method


def _reflected(function: Any) -> Any:
    """number <op> x: the number is the left operand."""

    def method(self: Tensor, other: Any) -> Any:
        return function(other, self) if isinstance(other, _OPERANDS) else NotImplemented

    return method


arctan2 = atan2
xlogy_ = _inplace(xlogy)  # torch.xlogy_(x, y)

__all__ = [
    "arctan2",
    "atan2",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "copysign",
    "float_power",
    "fmax",
    "fmin",
    "fmod",
    "hypot",
    "lerp",
    "logaddexp",
    "logaddexp2",
    "remainder",
    "xlogy",
    "xlogy_",
]

_atan2_method = tensor_method(atan2, "atan2")
_arctan2_method = tensor_method(atan2, "arctan2")
_hypot_method = tensor_method(hypot, "hypot")

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {
    "atan2": _atan2_method,
    "arctan2": _arctan2_method,
    "atan2_": _inplace(_atan2_method),
    "arctan2_": _inplace(_arctan2_method),
    "hypot": _hypot_method,
    "hypot_": _inplace(_hypot_method),
    "fmod": fmod,
    "fmod_": _inplace(fmod),
    "remainder": remainder,
    "remainder_": _inplace(remainder),
    "__mod__": number_operator(remainder),
    "__rmod__": _reflected(remainder),
    "__imod__": _inplace(remainder),
    "copysign": copysign,
    "copysign_": _inplace(copysign),
    "lerp": lerp,
    "lerp_": _inplace(lerp),
    "fmax": tensor_method(fmax, "fmax"),
    "fmin": tensor_method(fmin, "fmin"),
    "logaddexp": tensor_method(logaddexp, "logaddexp"),
    "logaddexp2": tensor_method(logaddexp2, "logaddexp2"),
    "xlogy": xlogy,
    "xlogy_": xlogy_,
    "float_power": float_power,
    "float_power_": _float_power_,
    "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor,
    "bitwise_not": bitwise_not,
    "bitwise_and_": _inplace(bitwise_and),
    "bitwise_or_": _inplace(bitwise_or),
    "bitwise_xor_": _inplace(bitwise_xor),
    "bitwise_not_": _inplace(bitwise_not),
    "__and__": number_operator(bitwise_and),
    "__or__": number_operator(bitwise_or),
    "__xor__": number_operator(bitwise_xor),
    "__rand__": _reflected(bitwise_and),
    "__ror__": _reflected(bitwise_or),
    "__rxor__": _reflected(bitwise_xor),
    "__iand__": _inplace(bitwise_and),
    "__ior__": _inplace(bitwise_or),
    "__ixor__": _inplace(bitwise_xor),
    "__invert__": _invert,
    "bitwise_left_shift": bitwise_left_shift,
    "bitwise_right_shift": bitwise_right_shift,
    "bitwise_left_shift_": _inplace(bitwise_left_shift),
    "bitwise_right_shift_": _inplace(bitwise_right_shift),
    "__lshift__": number_operator(bitwise_left_shift),
    "__rshift__": number_operator(bitwise_right_shift),
    "__rlshift__": _reflected(bitwise_left_shift),
    "__rrshift__": _reflected(bitwise_right_shift),
    "__ilshift__": _inplace(bitwise_left_shift),
    "__irshift__": _inplace(bitwise_right_shift),
}
