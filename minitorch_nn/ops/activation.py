r"""Activations: torch.nn's pointwise nonlinearities and the softmax family.

Pointwise activations have a diagonal Jacobian, so backward is the upstream
gradient times $f'(x)$, often cheapest from the saved *output*:
$\sigma' = s (1 - s)$, $\tanh' = 1 - t^2$, $\operatorname{relu}' = [y > 0]$. Piecewise ones
(hardtanh, hardswish, the shrinks, threshold, prelu) take torch's side at each
kink. Where torch builds an activation from other ops
($\operatorname{softsign} x = x / (1 + |x|)$, $\operatorname{tanhshrink} x = x - \tanh x$,
$\operatorname{softmin} x = \operatorname{softmax}(-x)$, gumbel_softmax) we build it from the same ops, so
the graph and its grad_fn names read as torch's; selu is elu with scales (EluBackward0), as in torch.

In-place forms: where torch's node reads the output (elu_, selu_, celu_,
leaky_relu_, rrelu_, threshold_: the ``...Backward1`` nodes) a Function writes
into x and marks it dirty; the rest (silu_, mish_, hardswish_, ...) are the
out-of-place op written back (``arithmetic._inplace``), as torch records them.

Random ones (rrelu in training, gumbel_softmax) draw from ``minitorch_nn.random`` as torch's
CPU kernels draw (rrelu: one double $U(\mathrm{lower}, \mathrm{upper})$ per input $\le 0$, in order;
gumbel_softmax: an exponential_ fill), so after ``manual_seed`` they draw torch's numbers (rrelu's float32
products can still differ from torch's in the last bit); each backward uses the very draws of its forward.

dtypes: integer and bool inputs are refused with torch's NotImplementedError
where torch's kernels are float-only; threshold keeps integer tensors.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import random
from ..autograd.function import Function
from ..autograd.tensor import Tensor, wrap_dim
from ..autograd.types import default_float
from ..autograd.views import check_inplace
from ..kernels.backend import backend_of
from ..kernels.cpu.special import gelu_backward, gelu_exact
from .arithmetic import _inplace, add, div, neg, sub
from .arithmetic import abs as abs_
from .shape import view
from .utils import unbroadcast


class Relu(Function):
    r"""$y = \max(x, 0)$.   $dx = dy$ where $y > 0$ (or y is NaN), else 0
    (the kink at 0 gets gradient 0, as in torch).
    """

    node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = backend_of(x).relu_forward(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        return (backend_of(y).relu_backward(grad, y),)


class ReluInplace(Relu):
    """relu_: the same function written into x's storage (x is marked dirty)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        np.maximum(x, 0, out=x)
        ctx.mark_dirty(x)
        ctx.save_for_backward(x)
        return x


class Sigmoid(Function):
    """$s = 1 / (1 + e^{-x})$.   $ds/dx = s (1 - s)$."""

    node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        # torch's formula, as its kernels compute it: e^-x overflowing to inf gives 0 (float32 below -88.7),
        # never NaN, and the same last bits as torch's
        with np.errstate(over="ignore"):
            s = np.reciprocal(np.exp(np.negative(x)) + x.dtype.type(1))
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (s,) = ctx.saved_tensors
        return (grad * s * (1 - s),)


class Tanh(Function):
    r"""$t = \tanh x$.   $dt/dx = 1 - t^2$."""

    node_name = "TanhBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        t = np.tanh(x)
        ctx.save_for_backward(t)
        return t

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (t,) = ctx.saved_tensors
        return (grad * (1 - t * t),)


class Softmax(Function):
    r"""$s_i = e^{x_i} / \sum_j e^{x_j}$ along ``dim`` (shifted by the max for stability).

    The Jacobian is $\partial s_i / \partial x_j = s_i (\delta_{ij} - s_j)$, so

    $$
    dx = s \odot \Big(dy - \sum_j dy_j\, s_j\Big).
    $$
    """

    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        if x.size == 0:  # no max to shift by
            ctx.save_for_backward(x)
            return x.copy()
        e = np.exp(x - np.max(x, axis=dim, keepdims=True))
        s = e / np.sum(e, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (s,) = ctx.saved_tensors
        return s * (grad - np.sum(grad * s, axis=ctx.dim, keepdims=True)), None


class LogSoftmax(Function):
    r"""$y_i = x_i - \log \sum_j e^{x_j}$ (log-sum-exp shifted by the max).

    $\partial y_i / \partial x_j = \delta_{ij} - \operatorname{softmax}_j$, so

    $$
    dx = dy - \operatorname{softmax}(x) \sum_i dy_i,
    $$

    with $\operatorname{softmax}(x) = e^y$ recovered from the saved output.
    """

    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        kernels = backend_of(x).softmax_cross_entropy
        if kernels is not None and x.ndim:  # the device's kernel, over rows of the class axis moved last
            ctx.kernels = kernels
            y = _on_rows(kernels.log_softmax_forward, dim, x)
            ctx.save_for_backward(y)
            return y
        if x.size == 0:  # no max to shift by
            ctx.save_for_backward(x)
            return x.copy()
        # array methods, not np.max/np.sum: the same reductions without NumPy's Python wrapper
        shifted = x - x.max(axis=dim, keepdims=True)
        y = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        if getattr(ctx, "kernels", None) is not None:
            return _on_rows(ctx.kernels.log_softmax_backward, ctx.dim, grad, y), None
        return grad - np.exp(y) * np.sum(grad, axis=ctx.dim, keepdims=True), None


def _on_rows(kernel: Any, dim: int, *arrays: np.ndarray) -> np.ndarray:
    """``kernel`` of (rows, C) arrays applied along ``dim`` of same-shaped arrays (the axis moved last)."""
    xp = backend_of(arrays[0]).xp
    moved = [xp.moveaxis(a, dim, -1) for a in arrays]
    shape = moved[0].shape
    out = kernel(*(m.reshape(-1, shape[-1]) for m in moved))
    return xp.ascontiguousarray(xp.moveaxis(out.reshape(shape), -1, dim))


class Softplus(Function):
    r"""$y = \log(1 + e^{\beta x}) / \beta$, and $y = x$ where $\beta x > \mathrm{threshold}$ (torch's linear tail).

    $dy/dx = e^{\beta x} / (1 + e^{\beta x}) = \sigma(\beta x)$, and 1 on the linear tail.
    """

    node_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
        bx = x * beta
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        # log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}) never overflows
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
        return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        e = np.exp(-np.abs(bx))
        sig = np.where(bx >= 0, 1 / (1 + e), e / (1 + e))
        return np.where(bx > ctx.threshold, grad, grad * sig).astype(grad.dtype, copy=False), None, None


class LeakyRelu(Function):
    r"""$y = x$ if $x > 0$ else $\mathrm{slope} \cdot x$.   $dx = dy \cdot (1 \text{ or } \mathrm{slope})$."""

    node_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, slope: float) -> np.ndarray:
        ctx.slope = slope
        ctx.save_for_backward(x)
        return np.where(x > 0, x, x * slope).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return np.where(x > 0, grad, grad * ctx.slope).astype(grad.dtype, copy=False), None


class Elu(Function):
    r"""$y = \mathrm{scale}\, x$ for $x > 0$, else $\mathrm{scale}\, \alpha\, (e^{\mathrm{input\_scale}\, x} - 1)$
    (torch's elu; selu and celu set the scales).

    For $x > 0$, $dx = dy\, \mathrm{scale}$; else, read off the saved output,

    $$
    dx = dy\, \mathrm{scale}\, \alpha\, \mathrm{input\_scale}\, e^{\mathrm{input\_scale}\, x}
       = dy\, \mathrm{input\_scale}\, (y + \mathrm{scale}\, \alpha).
    $$
    """

    node_name = "EluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, alpha: float, scale: float = 1.0, input_scale: float = 1.0) -> np.ndarray:
        negative = (alpha * scale) * np.expm1(np.minimum(x, 0) * input_scale)
        y = np.where(x > 0, x * scale if scale != 1 else x, negative).astype(x.dtype, copy=False)
        ctx.coefficients = (alpha, scale, input_scale)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        alpha, scale, input_scale = ctx.coefficients
        gx = np.where(x > 0, grad * scale, grad * input_scale * (y + alpha * scale)).astype(grad.dtype, copy=False)
        return gx, None, None, None


class Celu(Elu):
    r"""$\operatorname{celu}(x, \alpha)$ = elu with input_scale $1 / \alpha$: $\alpha (e^{x / \alpha} - 1)$ below 0.

    $dy/dx = \alpha \cdot \frac{1}{\alpha} e^{x / \alpha}$ below 0. torch's backward takes $1 / \alpha$ from alpha
    rounded to float32 (``1.0 / alpha.toFloat()``) while its forward uses the double; ours does the
    same, to agree with it in float64.
    """

    node_name = "CeluBackward0"

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, _ = ctx.saved_tensors
        alpha = ctx.coefficients[0]
        inverse = _celu_backward_inverse(alpha)
        negative = grad * inverse * alpha * np.exp(np.minimum(x, 0) * inverse)
        return np.where(x > 0, grad, negative).astype(grad.dtype, copy=False), None, None, None


def _celu_backward_inverse(alpha: float) -> float:
    return 1.0 / float(np.float32(alpha))


class LeakyReluInplace(Function):
    r"""leaky_relu_: the same function written into x's storage (x is marked dirty).

    Only the output survives, so the gradient is read off it: for a slope $\ge 0$, $y > 0$
    exactly where $x > 0$. With a negative slope it is not ($y > 0$ where $x < 0$), and backward
    raises torch's error, as torch's LeakyReluBackward1 does.
    """

    node_name = "LeakyReluBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, slope: float) -> np.ndarray:
        np.multiply(x, slope, out=x, where=~(x > 0))
        ctx.slope = slope
        ctx.mark_dirty(x)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        if ctx.slope < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. "
                "This is caused by calling in-place forward function with a negative slope, please call out-of-place "
                "version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting "
                "in-place leakRelu backward calculation with negative slope"
            )
        (y,) = ctx.saved_tensors
        return np.where(y > 0, grad, grad * ctx.slope).astype(grad.dtype, copy=False), None


class EluInplace(Function):
    r"""elu_ (and selu_, celu_): Elu's function written into x's storage (x is marked dirty).

    From the output alone: $dx = dy\, \mathrm{scale}$ where $y > 0$, else
    $dx = dy\, \mathrm{input\_scale}\, (y + \mathrm{scale}\, \alpha)$, since
    $y + \mathrm{scale}\, \alpha = \mathrm{scale}\, \alpha\, e^{\mathrm{input\_scale}\, x}$ there. For $\alpha \ge 0$,
    $y > 0$ exactly where $x > 0$; with a negative alpha backward raises torch's error, as torch's EluBackward1 does.
    """

    node_name = "EluBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, alpha: float, scale: float = 1.0, input_scale: float = 1.0) -> np.ndarray:
        negative = (alpha * scale) * np.expm1(np.minimum(x, 0) * input_scale)
        if scale != 1:
            np.multiply(x, scale, out=x, where=x > 0, casting="same_kind")
        np.copyto(x, negative, where=~(x > 0), casting="same_kind")
        ctx.coefficients = (alpha, scale, input_scale)
        ctx.mark_dirty(x)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        alpha, scale, input_scale = ctx.coefficients
        if alpha < 0:
            raise RuntimeError(
                "In-place elu backward calculation is triggered with a negative slope which is not supported. "
                "This is caused by calling in-place forward function with a negative slope, please call "
                "out-of-place version instead."
            )
        (y,) = ctx.saved_tensors
        gx = np.where(y > 0, grad * scale, grad * input_scale * (y + alpha * scale)).astype(grad.dtype, copy=False)
        return gx, None, None, None


class CeluInplace(EluInplace):
    r"""celu_: EluInplace with input_scale $1 / \alpha$ (the backward's from alpha in float32, as Celu's)."""

    node_name = "CeluBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, alpha: float, scale: float = 1.0, input_scale: float = 1.0) -> np.ndarray:
        y = EluInplace.forward(ctx, x, alpha, scale, input_scale)
        ctx.coefficients = (alpha, scale, _celu_backward_inverse(alpha))
        return y


class Gelu(Function):
    r"""$y = x\, \Phi(x)$ (exact, with erf) or the tanh approximation.

    Exact: $dy/dx = \Phi(x) + x\, \varphi(x)$.  Tanh form, with $c = \sqrt{2/\pi}$:

    $$
    \begin{aligned}
    u &= c\, (x + 0.044715\, x^3), \qquad y = \tfrac{x}{2} (1 + \tanh u), \\
    \frac{dy}{dx} &= \tfrac{1}{2} (1 + \tanh u) + \tfrac{x}{2} (1 - \tanh^2 u)\, c\, (1 + 3 \cdot 0.044715\, x^2).
    \end{aligned}
    $$
    """

    node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, approximate: str) -> np.ndarray:
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        if approximate == "tanh":
            u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
            return (0.5 * x * (1 + np.tanh(u))).astype(x.dtype, copy=False)
        return gelu_exact(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            c = math.sqrt(2 / math.pi)
            t = np.tanh(c * (x + 0.044715 * x**3))
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
            return (grad * d).astype(grad.dtype, copy=False), None
        return gelu_backward(x, grad), None


class Hardtanh(Function):
    r"""$y = \min(\max(x, \mathrm{min\_val}), \mathrm{max\_val})$.   $dy/dx = 1$ strictly inside
    $(\mathrm{min\_val}, \mathrm{max\_val})$, else 0.

    torch's HardtanhBackward0 passes no gradient at the two corners themselves (x == min_val or
    max_val), unlike clamp, which keeps it there. relu6 is hardtanh(0, 6).
    """

    node_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, min_val: float, max_val: float) -> np.ndarray:
        # the bounds in x's dtype: an integer tensor clamps to the truncated bounds, as torch's
        lo, hi = x.dtype.type(min_val), x.dtype.type(max_val)
        ctx.bounds = (lo, hi)
        ctx.save_for_backward(x)
        return np.minimum(np.maximum(x, lo), hi)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        return np.where((x > lo) & (x < hi), grad, grad.dtype.type(0)), None, None


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), split by sign so exp never overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}), which never overflows."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class Silu(Function):
    r"""$y = x s$ with $s = \sigma(x)$.   $dy/dx = s + x s (1 - s) = s (1 + x (1 - s))$."""

    node_name = "SiluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        s = _sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, s = ctx.saved_tensors
        return (grad * s * (1 + x * (1 - s)),)


class Mish(Function):
    r"""$y = x t$ with $t = \tanh(\operatorname{softplus}(x))$.

    $\operatorname{softplus}' = \sigma$ and $\tanh' = 1 - \tanh^2$, so $dy/dx = t + x (1 - t^2)\, \sigma(x)$.
    """

    node_name = "MishBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        t = np.tanh(_softplus(x))
        ctx.save_for_backward(x, t)
        return x * t

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, t = ctx.saved_tensors
        return (grad * (t + x * (1 - t * t) * _sigmoid(x)),)


class Hardswish(Function):
    r"""$y = x \operatorname{relu6}(x + 3) / 6$: 0 below -3, x above 3, $x (x + 3) / 6$ between.

    $dy/dx = 0$ for $x < -3$, $(2x + 3) / 6 = x / 3 + 1/2$ for $-3 \le x \le 3$, 1 above (torch's sides at the kinks).
    """

    node_name = "HardswishBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return x * np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        inner = grad * (x / 3 + 0.5)
        return (np.where(x < -3, 0, np.where(x <= 3, inner, grad)).astype(grad.dtype, copy=False),)


class Hardsigmoid(Function):
    r"""$y = \operatorname{relu6}(x + 3) / 6$.   $dy/dx = 1/6$ strictly inside $(-3, 3)$, else 0.

    torch's backward multiplies by 1/6 rounded to float32 in every dtype; so does ours, to agree
    with it in float64 (a relative 3e-8 from the exact 1/6).
    """

    node_name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        one_sixth = grad.dtype.type(np.float32(1 / 6))
        return (np.where((x > -3) & (x < 3), grad * one_sixth, 0).astype(grad.dtype, copy=False),)


class LogSigmoid(Function):
    r"""$y = \log \sigma(x) = -\operatorname{softplus}(-x) = \min(x, 0) - \operatorname{log1p}(e^{-|x|})$.

    $dy/dx = \sigma'(x) / \sigma(x) = 1 - \sigma(x) = \sigma(-x)$.
    """

    node_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return (grad * _sigmoid(-x),)


class Softshrink(Function):
    r"""$y = x - \lambda$ above $\lambda$, $x + \lambda$ below $-\lambda$, 0 between.   $dy/dx = [|x| > \lambda]$."""

    node_name = "SoftshrinkBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lambd: float) -> np.ndarray:
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        inside = (x >= -ctx.lambd) & (x <= ctx.lambd)
        return np.where(inside, 0, grad).astype(grad.dtype, copy=False), None


class Hardshrink(Function):
    r"""$y = x$ where $|x| > \lambda$, else 0.   $dy/dx = [|x| > \lambda]$."""

    node_name = "HardshrinkBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lambd: float) -> np.ndarray:
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        return np.where((x >= -lambd) & (x <= lambd), 0, x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        inside = (x >= -ctx.lambd) & (x <= ctx.lambd)
        return np.where(inside, 0, grad).astype(grad.dtype, copy=False), None


class Threshold(Function):
    r"""$y = x$ where $x > \mathrm{threshold}$, else value.   $dy/dx = [x > \mathrm{threshold}]$ (value is a constant).

    Both numbers are cast to x's dtype first, so an integer tensor compares with the truncated
    threshold, as torch's kernel does.
    """

    node_name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, threshold: float, value: float) -> np.ndarray:
        keep = x > x.dtype.type(threshold)
        ctx.save_for_backward(keep)
        return np.where(keep, x, x.dtype.type(value))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (keep,) = ctx.saved_tensors
        return np.where(keep, grad, 0).astype(grad.dtype, copy=False), None, None


class ThresholdInplace(Threshold):
    r"""threshold_: the same function written into x's storage; the mask $[x > \mathrm{threshold}]$ is kept from
    before the write (the output alone can't tell a kept x from ``value``).
    """

    node_name = "ThresholdBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, threshold: float, value: float) -> np.ndarray:
        keep = x > x.dtype.type(threshold)
        x[~keep] = x.dtype.type(value)
        ctx.mark_dirty(x)
        ctx.save_for_backward(keep)
        return x


class RreluWithNoise(Function):
    r"""$y = x \cdot \mathrm{noise}$, with noise = 1 where $x > 0$ and the negative side's slope elsewhere.

    Training: one slope $a \sim U(\mathrm{lower}, \mathrm{upper})$ drawn per element; evaluation: the mean slope
    $(\mathrm{lower} + \mathrm{upper}) / 2$ (leaky_relu). Either way y is linear in x for fixed noise, so
    $dy/dx = \mathrm{noise}$, the very slopes drawn by the forward (saved on the node).
    """

    node_name = "RreluWithNoiseBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, noise: np.ndarray) -> np.ndarray:
        # training draws are doubles: torch multiplies in double, then rounds (and keeps the noise in x's dtype)
        ctx.save_for_backward(np.asarray(noise, dtype=x.dtype))
        return (x * noise).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (noise,) = ctx.saved_tensors
        return grad * noise, None


class RreluWithNoiseInplace(RreluWithNoise):
    r"""rrelu_: $x \cdot \mathrm{noise}$ written into x's storage (the gradient needs only the noise)."""

    node_name = "RreluWithNoiseBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, noise: np.ndarray) -> np.ndarray:
        np.multiply(x, noise, out=x)
        ctx.mark_dirty(x)
        ctx.save_for_backward(np.asarray(noise, dtype=x.dtype))
        return x


class PreluKernel(Function):
    r"""$y = x$ where $x > 0$, else $w x$, with w broadcast along the channel dim (dim 1).

    $dy/dx = 1$ or $w$;  $dy/dw = x$ where $x \le 0$ (else 0), summed over every axis w was broadcast
    along (the batch and spatial axes), which un-broadcasting to w's shape does.
    """

    node_name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        ctx.w_shape = w.shape
        ctx.save_for_backward(x, w)
        return np.where(x > 0, x, w * x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, w = ctx.saved_tensors
        positive = x > 0
        gx = np.where(positive, grad, grad * w) if ctx.needs_input_grad[0] else None
        gw = unbroadcast(np.where(positive, 0, grad * x), ctx.w_shape) if ctx.needs_input_grad[1] else None
        return gx, gw


class Glu(Function):
    r"""$\operatorname{glu}(x) = a \odot \sigma(b)$, where a, b are the first and second halves of x along ``dim``.

    With $s = \sigma(b)$: $da = dy\, s$, $db = dy\, a\, s (1 - s)$; the two halves are joined back along dim.
    """

    node_name = "GluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        a, b = np.split(x, 2, axis=dim)
        s = _sigmoid(b)
        ctx.dim = dim
        ctx.save_for_backward(a, s)
        return a * s

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, s = ctx.saved_tensors
        return np.concatenate([grad * s, grad * a * s * (1 - s)], axis=ctx.dim), None


def _float_input(name: str, x: Tensor) -> None:
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_scalar_type(x)}'")


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


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input)


def relu_(input: Tensor) -> Tensor:
    check_inplace(input)
    return ReluInplace.apply(input)


def _as_float(x: Tensor) -> Tensor:
    """Integer and bool tensors go through sigmoid and tanh in float32, as torch computes them."""
    return x if x._data.dtype.kind == "f" else x.to(default_float())


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(_as_float(input))


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(_as_float(input))


def _softmax_input(input: Tensor, dim: int | None, dtype: Any) -> tuple[Tensor, int]:
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        # torch's legacy implicit choice (with a warning in F.softmax)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return input, wrap_dim(dim, input.ndim)


def _softmax_kernel(name: str, input: Tensor, dim: int) -> str:
    # torch names its last-dim kernel apart in the dtype error
    return f"{name}_lastdim_kernel_impl" if dim == max(input.ndim - 1, 0) else f"{name}_kernel_impl"


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    input, dim = _softmax_input(input, dim, dtype)
    _float_input(_softmax_kernel("softmax", input, dim), input)
    return Softmax.apply(input, dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    input, dim = _softmax_input(input, dim, dtype)
    _float_input(_softmax_kernel("log_softmax", input, dim), input)
    return LogSoftmax.apply(input, dim)


def _refuse_bool(input: Tensor, message: str, error: type = RuntimeError) -> None:
    if input._data.dtype.kind == "b":
        raise error(message)


def softmin(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """softmax(-x): the NegBackward0 node below a SoftmaxBackward0, as torch's graph."""
    _refuse_bool(
        input,
        "Negation, the `-` operator, on a bool tensor is not supported. "
        "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
    )
    return softmax(neg(input), dim, dtype)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    _float_input("softplus_cpu", input)
    return Softplus.apply(input, beta, threshold)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    _float_input("leaky_relu_cpu", input)
    return LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    _float_input("leaky_relu_cpu", input)
    check_inplace(input)
    return LeakyReluInplace.apply(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    _float_input("elu_cpu", input)
    return Elu.apply(input, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    _float_input("elu_cpu", input)
    check_inplace(input)
    return EluInplace.apply(input, alpha)


# torch's SELU constants (Klambauer et al.): the fixed point of mean 0, variance 1
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor) -> Tensor:
    """scale * elu(x, alpha) with the SELU constants, recorded as EluBackward0 (as torch's)."""
    _float_input("elu_cpu", input)
    return Elu.apply(input, SELU_ALPHA, SELU_SCALE, 1.0)


def selu_(input: Tensor) -> Tensor:
    _float_input("elu_cpu", input)
    check_inplace(input)
    return EluInplace.apply(input, SELU_ALPHA, SELU_SCALE, 1.0)


def _celu_alpha(alpha: float) -> None:
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """max(0, x) + min(0, alpha (e^{x / alpha} - 1)): elu with input_scale 1 / alpha."""
    _celu_alpha(alpha)
    _float_input("elu_cpu", input)
    return Celu.apply(input, alpha, 1.0, 1.0 / alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    _celu_alpha(alpha)
    _float_input("elu_cpu", input)
    check_inplace(input)
    return CeluInplace.apply(input, alpha, 1.0, 1.0 / alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_input("GeluKernelImpl", input)
    return Gelu.apply(input, approximate)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return Hardtanh.apply(input, min_val, max_val)


def silu(input: Tensor) -> Tensor:
    _float_input("silu_cpu", input)
    return Silu.apply(input)


def mish(input: Tensor) -> Tensor:
    _float_input("mish_cpu", input)
    return Mish.apply(input)


def hardswish(input: Tensor) -> Tensor:
    _float_input("hardswish_cpu", input)
    return Hardswish.apply(input)


def hardsigmoid(input: Tensor) -> Tensor:
    _float_input("hardsigmoid_cpu", input)
    return Hardsigmoid.apply(input)


def logsigmoid(input: Tensor) -> Tensor:
    _float_input("log_sigmoid_cpu", input)
    return LogSigmoid.apply(input)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|), built as torch builds it (a DivBackward0 over AddBackward0 and AbsBackward0)."""
    _refuse_bool(input, "\"abs_cpu\" not implemented for 'Bool'", NotImplementedError)
    return div(input, add(abs_(input), 1))


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x), built as torch builds it (a SubBackward0 over TanhBackward0)."""
    return sub(input, tanh(input))


def _shrink_lambda(x: Tensor, lambd: float) -> None:
    if lambd < 0:
        largest = float(np.finfo(x._data.dtype).max)
        raise RuntimeError(
            f"lambda must be in range [0, {largest:g}] for input dtype {_scalar_type(x)}, but found {lambd:g}"
        )


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    _float_input("softshrink_check", input)
    _shrink_lambda(input, lambd)
    return Softshrink.apply(input, lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    _float_input("hardshrink_cpu", input)
    return Hardshrink.apply(input, lambd)


def _threshold_input(input: Tensor) -> None:
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    _threshold_input(input)
    return Threshold.apply(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    _threshold_input(input)
    check_inplace(input)
    return ThresholdInplace.apply(input, threshold, value)


def _rrelu_noise(input: Tensor, lower: float, upper: float, training: bool, generator: Any) -> np.ndarray:
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    x = input._data
    _float_input("rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu", input)
    if training:
        # torch draws one double U(lower, upper) per element x <= 0, in order, and none for the others
        negative = ~(x > 0)
        slopes = np.ones(x.shape)
        slopes[negative] = random.uniform(int(negative.sum()), np.float64, lower, upper, generator)
        return slopes
    else:
        slopes = x.dtype.type((lower + upper) / 2)
    return np.where(x > 0, x.dtype.type(1), slopes)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    """Randomized leaky ReLU: negative inputs scaled by slopes ~ U(lower, upper) when training,
    by their mean (lower + upper) / 2 otherwise."""
    return RreluWithNoise.apply(input, _rrelu_noise(input, lower, upper, training, generator))


def rrelu_(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    noise = _rrelu_noise(input, lower, upper, training, generator)
    check_inplace(input)
    return RreluWithNoiseInplace.apply(input, noise)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else weight * x, one weight per channel (dim 1) or one shared by all.

    The weight is viewed as [1, C, 1, ...] first (the ViewBackward0 torch's graph shows), so the
    kernel's weight gradient is the upstream gradient un-broadcast over batch and spatial axes.
    """
    channels = weight.numel()
    if channels != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        input_channels = input.shape[1] if input.ndim >= 2 else 1
        if channels != input_channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                f"{channels} and channel size = {input_channels}."
            )
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_scalar_type(input)} and {_scalar_type(weight)}")
    _float_input("prelu_cpu", input)
    shape = [1] * input.ndim
    if input.ndim >= 2:
        shape[1] = channels
    return PreluKernel.apply(input, view(weight, shape))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = wrap_dim(dim, input.ndim)
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}")
    _float_input("glu_cpu", input)
    return Glu.apply(input, dim)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau) with g = -log(E), E ~ Exponential(1) (standard Gumbel noise).

    ``hard``: the one-hot of the argmax in the forward, the soft sample's gradient in the backward
    (straight-through: y_hard - y_soft.detach() + y_soft, the graph torch builds).
    """
    x = logits._data
    if x.dtype.kind != "f":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. "
            f"dtype must be a floating point but you specified {_scalar_type(logits)}"
        )
    draws = random.exponential(x.size, 1.0).astype(x.dtype).reshape(x.shape)  # torch: empty_like().exponential_()
    gumbels = Tensor._make(-np.log(draws))
    y_soft = softmax(div(add(logits, gumbels), tau), dim)
    if not hard:
        return y_soft
    dim = wrap_dim(dim, logits.ndim)
    soft = y_soft._data
    if soft.ndim == 0:
        one_hot = np.ones_like(soft)  # a 0-d tensor's single entry is its argmax
    else:
        one_hot = np.zeros_like(soft)
        np.put_along_axis(one_hot, np.expand_dims(np.argmax(soft, axis=dim), dim), 1.0, axis=dim)
    return add(sub(Tensor._make(one_hot), y_soft.detach()), y_soft)


# in-place: the out-of-place op written back into x (torch's checks and graph; see arithmetic._inplace)
hardtanh_ = _inplace(hardtanh)
sigmoid_ = _inplace(sigmoid)
tanh_ = _inplace(tanh)
silu_ = _inplace(silu)
mish_ = _inplace(mish)
hardswish_ = _inplace(hardswish)
hardsigmoid_ = _inplace(hardsigmoid)

__all__ = [
    "celu",
    "celu_",
    "hardshrink",
    "log_softmax",
    "prelu",
    "relu",
    "relu_",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "sigmoid",
    "sigmoid_",
    "softmax",
    "tanh",
    "tanh_",
    "threshold",
    "threshold_",
]


TENSOR_METHODS = {
    "relu": relu,
    "relu_": relu_,
    "sigmoid_": sigmoid_,
    "tanh_": tanh_,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": lambda self, dim, dtype=None: softmax(self, dim, dtype),
    "log_softmax": lambda self, dim, dtype=None: log_softmax(self, dim, dtype),
    "prelu": prelu,
    "hardshrink": hardshrink,
}
