r"""Unary elementwise math: trigonometric, hyperbolic, exponential and logarithmic variants, erf, rounding.

Every op here is $y = f(x)$ elementwise, so its Jacobian is diagonal and backward is the upstream
gradient times $f'(x)$. Each Function saves whichever of x and y gives $f'$ most cheaply
($\tan' x = 1 + y^2$, $(2^x)' = y \ln 2$) and states the derivation in its docstring.

dtypes follow torch: the float functions compute integer and bool inputs in float32 (the default
float) and keep float64; the rounding ops return integer inputs unchanged (a copy) and refuse
bool; the piecewise-constant ops (floor, ceil, trunc, round, sgn) pass back zeros, as torch's
FloorBackward0 and the rest do. Domain edges give torch's inf and NaN, with NumPy's warnings
silenced (torch raises none).

In-place forms (``x.sin_()``, ``torch.sin_(x)``) are the out-of-place op written back into x
(``arithmetic._inplace``), which gives torch's checks (a leaf that requires grad, a float result
into an integer tensor) and its graph (x takes over the op's node).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..autograd.types import default_float
from ..kernels.cpu import special
from .arithmetic import _inplace
from .utils import device_result

_SQRT_PI = math.sqrt(math.pi)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)

_SCALAR_TYPES = {
    "bool": "Bool",
    "uint8": "Byte",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
}


def _scalar_type(x: Tensor) -> str:
    return _SCALAR_TYPES.get(x._data.dtype.name, x._data.dtype.name)


def _as_float(x: Tensor) -> Tensor:
    """Integer and bool tensors go through float math in the default float, as torch computes them."""
    return x if x._data.dtype.kind == "f" else x.to(default_float())


# ---- trigonometric --------------------------------------------------------------------------------


class Sin(Function):
    r"""$y = \sin x$.   $dy/dx = \cos x$."""

    node_name = "SinBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):  # sin(inf) is NaN
            return np.sin(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            return (grad * np.cos(x),)


class Cos(Function):
    r"""$y = \cos x$.   $dy/dx = -\sin x$."""

    node_name = "CosBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.cos(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            return (-grad * np.sin(x),)


class Tan(Function):
    r"""$y = \tan x = \sin x / \cos x$.   $dy/dx = (\cos^2 x + \sin^2 x) / \cos^2 x = 1 + \tan^2 x = 1 + y^2$."""

    node_name = "TanBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            y = np.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        return (grad * (1 + y * y),)


class Asin(Function):
    r"""$y = \arcsin x$ on $[-1, 1]$.   $x = \sin y$, $dx/dy = \cos y = \sqrt{1 - x^2}$ ($\cos \ge 0$ on
    $[-\pi/2, \pi/2]$), so $dy/dx = 1 / \sqrt{1 - x^2}$.
    """

    node_name = "AsinBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / np.sqrt(1 - x * x),)


class Acos(Function):
    r"""$y = \arccos x = \pi/2 - \arcsin x$.   $dy/dx = -1 / \sqrt{1 - x^2}$."""

    node_name = "AcosBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return (-grad / np.sqrt(1 - x * x),)


class Atan(Function):
    r"""$y = \arctan x$.   $x = \tan y$, $dx/dy = 1 + \tan^2 y = 1 + x^2$, so $dy/dx = 1 / (1 + x^2)$."""

    node_name = "AtanBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad / (1 + x * x),)


# ---- hyperbolic -----------------------------------------------------------------------------------


class Sinh(Function):
    r"""$y = \sinh x = (e^x - e^{-x}) / 2$.   $dy/dx = (e^x + e^{-x}) / 2 = \cosh x$."""

    node_name = "SinhBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.sinh(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore", invalid="ignore"):
            return (grad * np.cosh(x),)


class Cosh(Function):
    r"""$y = \cosh x = (e^x + e^{-x}) / 2$.   $dy/dx = (e^x - e^{-x}) / 2 = \sinh x$."""

    node_name = "CoshBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.cosh(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore", invalid="ignore"):
            return (grad * np.sinh(x),)


class Asinh(Function):
    r"""$y = \operatorname{asinh} x$.   $x = \sinh y$, $dx/dy = \cosh y = \sqrt{1 + \sinh^2 y} = \sqrt{1 + x^2}$,
    so $dy/dx = 1 / \sqrt{1 + x^2}$.
    """

    node_name = "AsinhBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore", invalid="ignore"):
            return (grad / np.sqrt(x * x + 1),)


class Acosh(Function):
    r"""$y = \operatorname{acosh} x$ on $[1, \infty)$.   $x = \cosh y$ ($y \ge 0$),
    $dx/dy = \sinh y = \sqrt{\cosh^2 y - 1} = \sqrt{x^2 - 1}$, so $dy/dx = 1 / \sqrt{x^2 - 1}$.
    """

    node_name = "AcoshBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return (grad / np.sqrt(x * x - 1),)


class Atanh(Function):
    r"""$y = \operatorname{atanh} x$ on $(-1, 1)$.   $x = \tanh y$, $dx/dy = 1 - \tanh^2 y = 1 - x^2$,
    so $dy/dx = 1 / (1 - x^2)$.
    """

    node_name = "AtanhBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.arctanh(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / (1 - x * x),)


class _NoInplaceDerivative:
    r"""Mixin for asinh_, acosh_ and atanh_ under autograd ($x \leftarrow \operatorname{asinh} x$, ...): torch records
    AsinhBackward1 (etc.) for them, a node whose derivative torch does not implement, so backward raises its
    NotImplementedError.
    """

    op_name: str

    @classmethod
    def backward(cls, ctx: Any, grad: np.ndarray) -> tuple:
        raise NotImplementedError(f"the derivative for 'inplace version of {cls.op_name}' is not implemented.")


class AsinhInplace(_NoInplaceDerivative, Asinh):
    node_name, op_name = "AsinhBackward1", "asinh"


class AcoshInplace(_NoInplaceDerivative, Acosh):
    node_name, op_name = "AcoshBackward1", "acosh"


class AtanhInplace(_NoInplaceDerivative, Atanh):
    node_name, op_name = "AtanhBackward1", "atanh"


# ---- exponential and logarithmic ------------------------------------------------------------------


class Expm1(Function):
    """$y = e^x - 1$ (accurate for small x).   $dy/dx = e^x = y + 1$."""

    node_name = "Expm1Backward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        return (grad * (y + 1),)


class Exp2(Function):
    r"""$y = 2^x = e^{x \ln 2}$.   $dy/dx = y \ln 2$."""

    node_name = "Exp2Backward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            y = np.exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        return (grad * y * _LN2,)


class Log2(Function):
    r"""$y = \log_2 x = \ln x / \ln 2$.   $dy/dx = 1 / (x \ln 2)$."""

    node_name = "Log2Backward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / (x * _LN2),)


class Log10(Function):
    r"""$y = \log_{10} x = \ln x / \ln 10$.   $dy/dx = 1 / (x \ln 10)$."""

    node_name = "Log10Backward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / (x * _LN10),)


class Log1p(Function):
    r"""$y = \ln(1 + x)$ (accurate for small x).   $dy/dx = 1 / (1 + x)$."""

    node_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / (x + 1),)


class Rsqrt(Function):
    r"""$y = 1 / \sqrt{x} = x^{-1/2}$.   $dy/dx = -x^{-3/2} / 2 = -y^3 / 2$."""

    node_name = "RsqrtBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            y = 1 / np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        with np.errstate(over="ignore", invalid="ignore"):
            return (-0.5 * grad * y * y * y,)


# ---- error function -------------------------------------------------------------------------------


class Erf(Function):
    r"""$y = \operatorname{erf} x = \frac{2}{\sqrt\pi} \int_0^x e^{-t^2} dt$.
    $dy/dx = \frac{2}{\sqrt\pi} e^{-x^2}$ (the integrand at x).
    """

    node_name = "ErfBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return special.erf(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * (2 / _SQRT_PI) * np.exp(-x * x),)


class Erfc(Function):
    r"""$y = \operatorname{erfc} x = 1 - \operatorname{erf} x$.   $dy/dx = -\frac{2}{\sqrt\pi} e^{-x^2}$."""

    node_name = "ErfcBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return special.erfc(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * (-2 / _SQRT_PI) * np.exp(-x * x),)


class Erfinv(Function):
    r"""$y = \operatorname{erfinv} x$, the y with $\operatorname{erf} y = x$ (solved in ``kernels/cpu/special.py``).

    $x = \operatorname{erf} y$, $dx/dy = \frac{2}{\sqrt\pi} e^{-y^2}$, so
    $dy/dx = \frac{\sqrt\pi}{2} e^{y^2}$, read off the saved output.
    """

    node_name = "ErfinvBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = special.erfinv(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        with np.errstate(over="ignore", invalid="ignore"):
            return (grad * (_SQRT_PI / 2) * np.exp(y * y),)


# ---- rounding -------------------------------------------------------------------------------------


class _PiecewiseConstant(Function):
    """A step function: flat between its jumps, so $dy/dx = 0$ (torch defines 0 at the jumps too)."""

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (np.zeros_like(grad),)


class Floor(_PiecewiseConstant):
    r"""$y = \lfloor x \rfloor$, the largest integer $\le x$.   $dy/dx = 0$."""

    node_name = "FloorBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.floor(x)


class Ceil(_PiecewiseConstant):
    r"""$y = \lceil x \rceil$, the smallest integer $\ge x$.   $dy/dx = 0$."""

    node_name = "CeilBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.ceil(x)


class Trunc(_PiecewiseConstant):
    r"""$y = \operatorname{trunc} x$, x rounded toward 0 (torch.fix is the same op).   $dy/dx = 0$."""

    node_name = "TruncBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.trunc(x)


class Round(_PiecewiseConstant):
    """y = x rounded to the nearest integer, halves to the even one (2.5 -> 2, as torch).   $dy/dx = 0$."""

    node_name = "RoundBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.rint(x)


class RoundDecimals(Function):
    r"""$y = \operatorname{round}(x \cdot 10^d) / 10^d$ ($d \ge 0$),
    $\operatorname{round}(x / 10^{-d}) \cdot 10^{-d}$ ($d < 0$), in x's dtype.

    Computed as torch does ($10^{|d|}$ cast to the dtype first), so an overflowing $10^{|d|}$ gives torch's
    inf or NaN. Piecewise constant: $dy/dx = 0$ (torch's RoundBackward1).
    """

    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, decimals: int) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            ten_pow = np.power(10.0, abs(decimals)).astype(x.dtype)
            if decimals < 0:
                return np.rint(x / ten_pow) * ten_pow
            return np.rint(x * ten_pow) / ten_pow

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.zeros_like(grad), None


class Frac(Function):
    r"""$y = x - \operatorname{trunc} x$, the fractional part with x's sign.   $dy/dx = 1 - 0 = 1$."""

    node_name = "FracBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # inf - inf
            return x - np.trunc(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad,)


class Sgn(_PiecewiseConstant):
    r"""$y = \operatorname{sgn} x \in \{-1, 0, 1\}$ (0 for NaN and -0.0, as torch's
    $[0 < x] - [x < 0]$).   $dy/dx = 0$.
    """

    node_name = "SgnBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return _sign(x)


def _sign(x: np.ndarray) -> np.ndarray:
    """(0 < x) - (x < 0) in x's dtype: NaN and -0.0 give 0 (np.sign keeps them)."""
    with np.errstate(invalid="ignore"):
        return np.subtract(x > 0, x < 0, dtype=x.dtype)


# ---- other pointwise functions --------------------------------------------------------------------


class Logit(Function):
    r"""$y = \ln \frac{x}{1 - x} = \ln x - \ln(1 - x)$, the inverse of sigmoid.
    $dy/dx = \frac{1}{x} + \frac{1}{1 - x} = \frac{1}{x (1 - x)}$.

    With ``eps`` x is first clamped to $[\epsilon, 1 - \epsilon]$, so the gradient is 0 where x lies outside
    that interval; without it x outside $[0, 1]$ gives NaN and its gradient NaN (torch's kernels).
    """

    node_name = "LogitBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, eps: float | None) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.bounds = None
        if eps is not None and eps >= 0:  # torch reads a negative eps as none
            lo = x.dtype.type(eps)
            hi = x.dtype.type(1) - lo
            ctx.bounds = (lo, hi)
            x = np.where(x < lo, lo, np.where(x > hi, hi, x))  # this order when lo > hi, as torch
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x / (1 - x))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            denominator = x * (1 - x)
            # at x = 0 or 1 torch's kernel gives dy * inf (-0.0 there does not flip the sign)
            g = np.where(denominator == 0, grad * np.inf, grad / denominator)
            if ctx.bounds is None:
                return np.where((x < 0) | (x > 1), np.nan, g).astype(grad.dtype, copy=False), None
            lo, hi = ctx.bounds
            return np.where((x < lo) | (x > hi), 0, g).astype(grad.dtype, copy=False), None


class Sinc(Function):
    r"""$y = \sin(\pi x) / (\pi x)$, and 1 at $x = 0$.

    With $u = \pi x$: $dy/du = (u \cos u - \sin u) / u^2$, times $du/dx = \pi$ gives

    $$
    \frac{dy}{dx} = \frac{u \cos u - \sin u}{\pi x^2};
    $$

    its limit at 0 is 0 (sinc is even).
    """

    node_name = "SincBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        u = x * math.pi
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x == 0, x.dtype.type(1), np.sin(u) / u)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        u = x * math.pi
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (u * np.cos(u) - np.sin(u)) / (u * x)
        return (grad * np.where(x == 0, x.dtype.type(0), d),)


class Deg2Rad(Function):
    r"""$y = x \pi / 180$.   $dy/dx = \pi / 180$."""

    node_name = "Deg2RadBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x * (math.pi / 180)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad * (math.pi / 180),)


class Rad2Deg(Function):
    r"""$y = 180 x / \pi$.   $dy/dx = 180 / \pi$."""

    node_name = "Rad2DegBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x * (180 / math.pi)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad * (180 / math.pi),)


class NanToNum(Function):
    """y = x where x is finite, else the replacement for NaN, +inf or -inf.

    The identity on finite values and constants elsewhere: $dy/dx = 1$ where x is finite, else 0.
    """

    node_name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, nan: float, posinf: float | None, neginf: float | None) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):  # a replacement beyond the dtype's range becomes inf, as in torch
            return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return np.where(np.isfinite(x), grad, grad.dtype.type(0)), None, None, None


# ---- the public functions -------------------------------------------------------------------------


def _float_function(function: type[Function], name: str) -> Any:
    def op(input: Tensor) -> Tensor:
        return function.apply(_as_float(input))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = function.__doc__
    return op


sin = _float_function(Sin, "sin")
cos = _float_function(Cos, "cos")
tan = _float_function(Tan, "tan")
asin = _float_function(Asin, "asin")
acos = _float_function(Acos, "acos")
atan = _float_function(Atan, "atan")
sinh = _float_function(Sinh, "sinh")
cosh = _float_function(Cosh, "cosh")
asinh = _float_function(Asinh, "asinh")
acosh = _float_function(Acosh, "acosh")
atanh = _float_function(Atanh, "atanh")
expm1 = _float_function(Expm1, "expm1")
exp2 = _float_function(Exp2, "exp2")
log2 = _float_function(Log2, "log2")
log10 = _float_function(Log10, "log10")
log1p = _float_function(Log1p, "log1p")
rsqrt = _float_function(Rsqrt, "rsqrt")
erf = _float_function(Erf, "erf")
erfc = _float_function(Erfc, "erfc")
erfinv = _float_function(Erfinv, "erfinv")
sinc = _float_function(Sinc, "sinc")
deg2rad = _float_function(Deg2Rad, "deg2rad")
rad2deg = _float_function(Rad2Deg, "rad2deg")


def _rounding_function(function: type[Function], name: str, kernel: str) -> Any:
    def op(input: Tensor) -> Tensor:
        kind = input._data.dtype.kind
        if kind == "b":
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
        if kind in "iu":
            return Tensor._make(input._data.copy())  # integers are already whole (torch: a copy)
        return function.apply(input)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = function.__doc__
    return op


floor = _rounding_function(Floor, "floor", "floor_vml_cpu")
ceil = _rounding_function(Ceil, "ceil", "ceil_vml_cpu")
trunc = _rounding_function(Trunc, "trunc", "trunc_vml_cpu")
fix = _rounding_function(Trunc, "fix", "trunc_vml_cpu")
_round_to_integer = _rounding_function(Round, "round", "round_vml_cpu")


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:  # noqa: A001
    """Round half to even; with ``decimals``, to that many decimal places (negative: to tens, hundreds).

    torch's round(x) and round(x, decimals=d) are two overloads (RoundBackward0 / RoundBackward1,
    the latter even for d = 0), so "not given" is kept apart from 0.
    """
    if decimals is None:
        return _round_to_integer(input)
    if input._data.dtype.kind != "f":
        # torch sends decimals=0 to the plain kernel's name, yet refuses integers there too
        kernel = "round_vml_cpu" if decimals == 0 else "round_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_type(input)}'")
    return RoundDecimals.apply(input, int(decimals))


def frac(input: Tensor) -> Tensor:
    """x - trunc(x) (float tensors only, as in torch)."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_scalar_type(input)}'")
    return Frac.apply(input)


def sgn(input: Tensor) -> Tensor:
    """The sign, -1, 0 or 1, in the input's dtype (bool stays bool); for real tensors torch.sign's values."""
    data = input._data
    if data.dtype.kind == "b":
        return Tensor._make(data.copy())
    if data.dtype.kind != "f":
        return Tensor._make(_sign(data))
    return Sgn.apply(input)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """ln(x / (1 - x)), x clamped to [eps, 1 - eps] when ``eps`` is given."""
    return Logit.apply(_as_float(input), eps)


def nan_to_num(
    input: Tensor, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (default: the dtype's largest and
    smallest finite values). Integer and bool tensors hold none of them: returned as a copy."""
    if input._data.dtype.kind != "f":
        return Tensor._make(input._data.copy())
    return NanToNum.apply(input, 0.0 if nan is None else nan, posinf, neginf)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set (-0.0 and a negative NaN included); a bool tensor, never in a graph."""
    data = input._data
    if data.dtype.kind == "f":
        return Tensor._make(device_result(data, np.signbit(data)))
    return Tensor._make(device_result(data, data < 0 if data.dtype.kind == "i" else np.zeros(data.shape, dtype=bool)))


def positive(input: Tensor) -> Tensor:
    """+x: the input tensor itself (torch returns self, so the graph gains no node)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# in-place forms: torch.X_(x) as well as x.X_()
sin_ = _inplace(sin)
cos_ = _inplace(cos)
tan_ = _inplace(tan)
asin_ = _inplace(asin)
acos_ = _inplace(acos)
atan_ = _inplace(atan)
sinh_ = _inplace(sinh)
cosh_ = _inplace(cosh)
asinh_ = _inplace(_float_function(AsinhInplace, "asinh"))
acosh_ = _inplace(_float_function(AcoshInplace, "acosh"))
atanh_ = _inplace(_float_function(AtanhInplace, "atanh"))
expm1_ = _inplace(expm1)
exp2_ = _inplace(exp2)
log2_ = _inplace(log2)
log10_ = _inplace(log10)
log1p_ = _inplace(log1p)
rsqrt_ = _inplace(rsqrt)
erf_ = _inplace(erf)
erfc_ = _inplace(erfc)
erfinv_ = _inplace(erfinv)
sinc_ = _inplace(sinc)
deg2rad_ = _inplace(deg2rad)
rad2deg_ = _inplace(rad2deg)
floor_ = _inplace(floor)
ceil_ = _inplace(ceil)
trunc_ = _inplace(trunc)
fix_ = _inplace(fix)
round_ = _inplace(round)
frac_ = _inplace(frac)
sgn_ = _inplace(sgn)
logit_ = _inplace(logit)
nan_to_num_ = _inplace(nan_to_num)

# torch's NumPy-style aliases
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
arcsin_, arccos_, arctan_ = asin_, acos_, atan_
arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_

_FUNCTIONS = {
    "sin": sin,
    "cos": cos,
    "tan": tan,
    "asin": asin,
    "acos": acos,
    "atan": atan,
    "sinh": sinh,
    "cosh": cosh,
    "asinh": asinh,
    "acosh": acosh,
    "atanh": atanh,
    "arcsin": arcsin,
    "arccos": arccos,
    "arctan": arctan,
    "arcsinh": arcsinh,
    "arccosh": arccosh,
    "arctanh": arctanh,
    "expm1": expm1,
    "exp2": exp2,
    "log2": log2,
    "log10": log10,
    "log1p": log1p,
    "rsqrt": rsqrt,
    "erf": erf,
    "erfc": erfc,
    "erfinv": erfinv,
    "sinc": sinc,
    "deg2rad": deg2rad,
    "rad2deg": rad2deg,
    "floor": floor,
    "ceil": ceil,
    "trunc": trunc,
    "fix": fix,
    "round": round,
    "frac": frac,
    "sgn": sgn,
    "logit": logit,
    "nan_to_num": nan_to_num,
}
_INPLACE = {
    "sin_": sin_,
    "cos_": cos_,
    "tan_": tan_,
    "asin_": asin_,
    "acos_": acos_,
    "atan_": atan_,
    "sinh_": sinh_,
    "cosh_": cosh_,
    "asinh_": asinh_,
    "acosh_": acosh_,
    "atanh_": atanh_,
    "arcsin_": arcsin_,
    "arccos_": arccos_,
    "arctan_": arctan_,
    "arcsinh_": arcsinh_,
    "arccosh_": arccosh_,
    "arctanh_": arctanh_,
    "expm1_": expm1_,
    "exp2_": exp2_,
    "log2_": log2_,
    "log10_": log10_,
    "log1p_": log1p_,
    "rsqrt_": rsqrt_,
    "erf_": erf_,
    "erfc_": erfc_,
    "erfinv_": erfinv_,
    "sinc_": sinc_,
    "deg2rad_": deg2rad_,
    "rad2deg_": rad2deg_,
    "floor_": floor_,
    "ceil_": ceil_,
    "trunc_": trunc_,
    "fix_": fix_,
    "round_": round_,
    "frac_": frac_,
    "sgn_": sgn_,
    "logit_": logit_,
    "nan_to_num_": nan_to_num_,
}
# torch has no torch.erfinv_ or torch.sgn_ (only the Tensor methods)
_NO_FUNCTION_FORM = {"erfinv_", "sgn_"}

__all__: list[str] = sorted(
    [*_FUNCTIONS, "signbit", "positive", *(name for name in _INPLACE if name not in _NO_FUNCTION_FORM)]
)

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {**_FUNCTIONS, **_INPLACE, "signbit": signbit, "positive": positive}
