r"""Special functions: the gamma family (lgamma, digamma, polygamma, mvlgamma, Hurwitz zeta), modified
Bessel functions (i0, i0e, i1, i1e), the normal distribution (ndtr, ndtri, log_ndtr), erfcx, entr and
xlog1py. The array math is in ``kernels/cpu/gamma_bessel.py`` (series, recurrences and asymptotic
expansions, derived there); each Function here states its derivative.

dtypes follow torch's unary float ops: integer and bool inputs are computed in float32, float64 stays
float64. Poles give torch's values (lgamma $+\infty$ at $0, -1, \dots$; digamma $-\infty$ at +0, NaN at negative
integers), with NumPy's warnings silenced.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..kernels.cpu import gamma_bessel as kernel
from ..kernels.cpu import special as erf_kernel
from .arithmetic import _inplace
from .unary import _as_float, _scalar_type
from .utils import binary_operands, unbroadcast

_SQRT_2PI = math.sqrt(2 * math.pi)
_SQRT1_2 = math.sqrt(0.5)


def polygamma_array(n: int, x: np.ndarray) -> np.ndarray:
    """psi^(n)(x): digamma, trigamma, and (-1)^(n+1) n! zeta(n + 1, x) above."""
    if n == 0:
        return kernel.digamma(x)
    if n == 1:
        return kernel.trigamma(x)
    return ((-1) ** (n + 1) * math.factorial(n) * kernel.zeta(np.asarray(n + 1.0, x.dtype), x)).astype(x.dtype)


class Lgamma(Function):
    r"""$y = \ln |\Gamma(x)|$.   $dy/dx = \Gamma'(x) / \Gamma(x) = \psi(x)$ (digamma)."""

    node_name = "LgammaBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return kernel.lgamma(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * kernel.digamma(x),)


class Digamma(Function):
    r"""$y = \psi(x) = \frac{d}{dx} \ln \Gamma(x)$.   $dy/dx = \psi'(x)$ (trigamma, polygamma(1, x))."""

    node_name = "DigammaBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return kernel.digamma(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * kernel.trigamma(x),)


class Polygamma(Function):
    r"""$y = \psi^{(n)}(x)$, the n-th derivative of digamma.   $dy/dx = \psi^{(n+1)}(x)$."""

    node_name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, n: int) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.n = n
        return polygamma_array(n, x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return grad * polygamma_array(ctx.n + 1, x), None


class Mvlgamma(Function):
    r"""Multivariate log-gamma of dimension p: $y = \frac{p(p-1)}{4} \ln \pi + \sum_{j<p} \ln \Gamma(x - j/2)$.
    $dy/dx = \sum_{j<p} \psi(x - j/2)$.
    """

    node_name = "MvlgammaBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: int) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.p = p
        shifts = [x - np.asarray(j / 2, x.dtype) for j in range(p)]
        return (p * (p - 1) / 4 * math.log(math.pi) + sum(kernel.lgamma(s) for s in shifts)).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return grad * sum(kernel.digamma(x - np.asarray(j / 2, x.dtype)) for j in range(ctx.p)), None


class I0(Function):
    r"""$y = I_0(x) = \sum_k (x/2)^{2k} / (k!)^2$.   $dy/dx = \sum_k 2k\, (x/2)^{2k-1} / (2 (k!)^2) = I_1(x)$."""

    node_name = "I0Backward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return kernel.bessel_i(x, 0, False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * kernel.bessel_i(x, 1, False),)


class I0e(Function):
    r"""$y = e^{-|x|} I_0(x)$.
    $dy/dx = e^{-|x|} (I_1(x) - \operatorname{sign}(x) I_0(x)) = \operatorname{i1e}(x) - \operatorname{sign}(x)\, y$.
    """

    node_name = "SpecialI0EBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = kernel.bessel_i(x, 0, True)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        return (grad * (kernel.bessel_i(x, 1, True) - np.sign(x) * y),)


class I1(Function):
    r"""$y = I_1(x)$.   From $(x I_1)' = x I_0$: $dy/dx = I_0(x) - I_1(x) / x$, and 1/2 at $x = 0$ ($I_1 \sim x/2$)."""

    node_name = "SpecialI1Backward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = kernel.bessel_i(x, 1, False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(x == 0, 0.5, kernel.bessel_i(x, 0, False) - y / x)
        return (grad * slope.astype(x.dtype),)


class I1e(Function):
    r"""$y = e^{-|x|} I_1(x)$.   1/2 at 0, else

    $$
    \frac{dy}{dx} = e^{-|x|} \big(I_0 - I_1/x - \operatorname{sign}(x) I_1\big)
      = \operatorname{i0e}(x) - y\, (\operatorname{sign}(x) + 1/x).
    $$
    """

    node_name = "SpecialI1EBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = kernel.bessel_i(x, 1, True)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(x == 0, 0.5, kernel.bessel_i(x, 0, True) - y * (np.sign(x) + 1 / x))
        return (grad * slope.astype(x.dtype),)


class Erfcx(Function):
    r"""$y = e^{x^2} \operatorname{erfc}(x)$.

    $$
    \frac{dy}{dx} = 2x\, e^{x^2} \operatorname{erfc}(x) + e^{x^2} \Big(-\frac{2}{\sqrt\pi} e^{-x^2}\Big)
      = 2x y - \frac{2}{\sqrt\pi}.
    $$
    """

    node_name = "SpecialErfcxBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = kernel.erfcx(x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        return (grad * (2 * x * y - 2 / math.sqrt(math.pi)),)


class Ndtri(Function):
    r"""$y = \Phi^{-1}(p)$, the standard normal quantile.   $p = \Phi(y)$,
    $dp/dy = \varphi(y) = e^{-y^2/2} / \sqrt{2 \pi}$, so $dy/dp = \sqrt{2 \pi}\, e^{y^2/2}$.
    """

    node_name = "SpecialNdtriBackward0"

    @staticmethod
    def forward(ctx: Any, p: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            start = math.sqrt(2) * erf_kernel.erfinv(2 * p - 1)
        y = kernel.ndtri_refine(p, start)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return (grad * _SQRT_2PI * np.exp(y * y / 2),)


class LogNdtr(Function):
    r"""$y = \ln \Phi(x)$. Below $x = -1$ as $\ln(\operatorname{erfcx}(-x/\sqrt 2) / 2) - x^2/2$ ($\Phi$ underflows
    there); above as $\operatorname{log1p}(-\Phi(-x))$.
    $dy/dx = \varphi(x) / \Phi(x) = e^{-x^2/2 - y} / \sqrt{2 \pi}$.
    """

    node_name = "SpecialLogNdtrBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            low = np.log(kernel.erfcx(-x * _SQRT1_2) / 2) - x * x / 2
            high = np.log1p(-erf_kernel.erfc(x * _SQRT1_2) / 2)
        y = np.where(x < -1, low, high).astype(x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        with np.errstate(over="ignore", invalid="ignore"):
            return (grad * np.exp(-x * x / 2 - y) / _SQRT_2PI,)


class Entr(Function):
    r"""$y = -x \ln x$ for $x > 0$, 0 at $x = 0$, $-\infty$ for $x < 0$.   $dy/dx = -(\ln x + 1)$."""

    node_name = "SpecialEntrBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0.0, -np.inf))
        return np.where(np.isnan(x), x, y).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad * -(np.log(x) + 1),)


class Xlog1py(Function):
    r"""$z = x \ln(1 + y)$, 0 where $x = 0$ (unless y is NaN).   $dz/dx = \ln(1 + y)$, $dz/dy = x / (1 + y)$."""

    node_name = "SpecialXlog1PyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any) -> np.ndarray:
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log1p(y))
        return z.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = unbroadcast(grad * np.log1p(y), x.shape) if ctx.needs_input_grad[0] else None
            gy = unbroadcast(grad * x / (1 + y), y.shape) if ctx.needs_input_grad[1] else None
        return gx, gy, None


class Zeta(Function):
    r"""$z = \zeta(s, q) = \sum_k (q + k)^{-s}$ (Hurwitz).   $dz/dq = -s\, \zeta(s + 1, q)$; torch defines no
    derivative in s, and backward into s raises as torch's does.
    """

    node_name = "SpecialZetaBackward0"

    @staticmethod
    def forward(ctx: Any, s: np.ndarray, q: np.ndarray, dtype: Any) -> np.ndarray:
        s, q = s.astype(dtype, copy=False), q.astype(dtype, copy=False)
        ctx.save_for_backward(s, q)
        return kernel.zeta(s, q)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        s, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError("the derivative for 'self' is not implemented.")
        gq = unbroadcast(grad * -s * kernel.zeta(s + 1, q), q.shape) if ctx.needs_input_grad[1] else None
        return None, gq, None


class Igamma(Function):
    r"""$P(a, x) = \frac{1}{\Gamma(a)} \int_0^x t^{a-1} e^{-t} dt$.   $dP/dx = x^{a-1} e^{-x} / \Gamma(a)$ (the
    integrand); torch defines no derivative in a, and backward into a raises as torch's does.
    """

    node_name = "IgammaBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, x: np.ndarray, dtype: Any, upper: bool) -> np.ndarray:
        a, x = a.astype(dtype, copy=False), x.astype(dtype, copy=False)
        ctx.save_for_backward(a, x)
        ctx.upper = upper
        return kernel.igamma(a, x, upper)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, x = ctx.saved_tensors
        name = "igammac" if ctx.upper else "igamma"
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            density = np.exp((a - 1) * np.log(x) - x - kernel.lgamma(a))
        density = -density if ctx.upper else density
        return None, unbroadcast(grad * density, x.shape), None, None


class Igammac(Igamma):
    r"""$Q(a, x) = 1 - P(a, x)$.   $dQ/dx = -x^{a-1} e^{-x} / \Gamma(a)$."""

    node_name = "IgammacBackward0"


def _igamma_operands(name: str, input: Any, other: Any) -> tuple[Tensor, Tensor, np.dtype]:
    a, x, dtype = binary_operands(input, other)
    if dtype.kind != "f":
        raise NotImplementedError(
            f"\"{name}_cpu\" not implemented for '{_scalar_type(a if a._data.dtype == dtype else x)}'"
        )
    return a, x, dtype


def igamma(input: Tensor, other: Tensor) -> Tensor:
    return Igamma.apply(*_igamma_operands("igamma", input, other), False)


def igammac(input: Tensor, other: Tensor) -> Tensor:
    return Igammac.apply(*_igamma_operands("igammac", input, other), True)


class Nextafter(Function):
    """z = the next float after x towards y. torch passes the gradient straight to x (z is x to within
    one ulp) and none to y: $dx = dz$.
    """

    node_name = "NextafterBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: Any) -> np.ndarray:
        ctx.shapes = (x.shape, y.shape)
        return np.nextafter(x.astype(dtype, copy=False), y.astype(dtype, copy=False))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        shape_x, shape_y = ctx.shapes
        return unbroadcast(grad, shape_x), np.zeros(shape_y, grad.dtype), None


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    x, y, dtype = binary_operands(input, other)
    if dtype.kind != "f":
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for '{_scalar_type(x)}'")
    return Nextafter.apply(x, y, dtype)


def _unary(function: type[Function]) -> Any:
    def op(input: Tensor) -> Tensor:
        return function.apply(_as_float(input))

    op.__doc__ = function.__doc__
    return op


lgamma = _unary(Lgamma)
digamma = _unary(Digamma)
i0 = _unary(I0)
i0e = _unary(I0e)
i1 = _unary(I1)
i1e = _unary(I1e)
erfcx = _unary(Erfcx)
ndtri = _unary(Ndtri)
log_ndtr = _unary(LogNdtr)
entr = _unary(Entr)


def polygamma(n: int, input: Tensor) -> Tensor:
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(_as_float(input), int(n))


class PolygammaInplace(Polygamma):
    """x.polygamma_(n): the same function under torch's node name for the in-place form."""

    node_name = "PolygammaBackward1"


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    return polygamma(n, self)


def _polygamma_inplace_source(self: Tensor, n: int) -> Tensor:
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return PolygammaInplace.apply(_as_float(self), int(n))


def mvlgamma(input: Tensor, p: int) -> Tensor:
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return Mvlgamma.apply(_as_float(input), int(p))


class Ndtr(Function):
    r"""$y = \Phi(x) = (1 + \operatorname{erf}(x / \sqrt 2)) / 2$.   $dy/dx = e^{-x^2/2} / \sqrt{2 \pi}$. torch composes
    it and its root node is the final multiplication by 1/2 (MulBackward1); one node does the whole here.
    """

    node_name = "MulBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        # the lower tail from erfc keeps its relative accuracy where 1 + erf would cancel
        return np.where(x < 0, erf_kernel.erfc(-x * _SQRT1_2) / 2, (1 + erf_kernel.erf(x * _SQRT1_2)) / 2).astype(
            x.dtype
        )

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * np.exp(-x * x / 2) / _SQRT_2PI,)


ndtr = _unary(Ndtr)


def xlog1py(input: Any, other: Any) -> Tensor:
    x, y, dtype = binary_operands(input, other)
    if dtype.kind != "f":
        dtype = np.dtype(np.float32)
    return Xlog1py.apply(x, y, dtype)


class ZetaNumberS(Zeta):
    """zeta(number, q): torch's node name for a number s."""

    node_name = "SpecialZetaBackward1"


class ZetaNumberQ(Zeta):
    """zeta(s, number): torch's node name for a number q."""

    node_name = "SpecialZetaBackward2"


def zeta(input: Any, other: Any) -> Tensor:
    s, q, dtype = binary_operands(input, other)
    if dtype.kind != "f":
        dtype = np.dtype(np.float32)
    function = ZetaNumberS if not isinstance(input, Tensor) else ZetaNumberQ if not isinstance(other, Tensor) else Zeta
    return function.apply(s, q, dtype)


def multigammaln(input: Tensor, p: int) -> Tensor:
    return mvlgamma(input, p)


lgamma_ = _inplace(lgamma)
digamma_ = _inplace(digamma)
i0_ = _inplace(i0)
mvlgamma_ = _inplace(mvlgamma)
polygamma_ = _inplace(_polygamma_inplace_source)

__all__ = ["digamma", "i0", "i0_", "igamma", "igammac", "lgamma", "mvlgamma", "nextafter", "polygamma"]

# the torch.special namespace (minitorch_nn/special.py re-exports these with the existing ops)
SPECIAL = {
    "digamma": digamma,
    "psi": digamma,
    "gammaln": lgamma,
    "polygamma": polygamma,
    "multigammaln": multigammaln,
    "i0": i0,
    "i0e": i0e,
    "i1": i1,
    "i1e": i1e,
    "erfcx": erfcx,
    "ndtr": ndtr,
    "ndtri": ndtri,
    "log_ndtr": log_ndtr,
    "entr": entr,
    "xlog1py": xlog1py,
    "zeta": zeta,
    "gammainc": igamma,
    "gammaincc": igammac,
}

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {
    "lgamma": lgamma,
    "lgamma_": lgamma_,
    "digamma": digamma,
    "digamma_": digamma_,
    "polygamma": _polygamma_method,
    "polygamma_": polygamma_,
    "mvlgamma": mvlgamma,
    "mvlgamma_": mvlgamma_,
    "i0": i0,
    "i0_": i0_,
    "igamma": igamma,
    "igamma_": _inplace(igamma),
    "igammac": igammac,
    "igammac_": _inplace(igammac),
    "nextafter": nextafter,
    "nextafter_": _inplace(nextafter),
}
