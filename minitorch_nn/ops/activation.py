"""Activations: relu, sigmoid, tanh, softmax, log_softmax, leaky_relu, elu, gelu, hardtanh.

Pointwise activations have a diagonal Jacobian, so backward is the upstream
gradient times f'(x), often cheapest from the saved *output*:
sigmoid' = s (1 - s), tanh' = 1 - t^2, relu' = [y > 0].
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor, wrap_dim
from ..autograd.views import check_inplace
from ..kernels.cpu.elementwise import relu_backward, relu_forward
from ..kernels.cpu.special import erf
from .arithmetic import _inplace


class Relu(Function):
    """y = max(x, 0).   dx = dy where y > 0 (or y is NaN), else 0 (the kink at 0 gets gradient 0, as in torch)."""

    node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = relu_forward(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        return (relu_backward(grad, y),)


class ReluInplace(Relu):
    """relu_: the same function written into x's storage (x is marked dirty)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        np.maximum(x, 0, out=x)
        ctx.mark_dirty(x)
        ctx.save_for_backward(x)
        return x


class Sigmoid(Function):
    """s = 1 / (1 + e^-x).   ds/dx = s (1 - s)."""

    node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        # split by sign so exp never overflows
        e = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (s,) = ctx.saved_tensors
        return (grad * s * (1 - s),)


class Tanh(Function):
    """t = tanh(x).   dt/dx = 1 - t^2."""

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
    """s_i = e^{x_i} / sum_j e^{x_j} along ``dim`` (shifted by the max for stability).

    Jacobian ds_i/dx_j = s_i (delta_ij - s_j), so  dx = s * (dy - sum(dy * s)).
    """

    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
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
    """y_i = x_i - log sum_j e^{x_j}  (log-sum-exp shifted by the max).

    dy_i/dx_j = delta_ij - softmax_j, so  dx = dy - softmax * sum(dy),
    with softmax = e^y recovered from the saved output.
    """

    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        # array methods, not np.max/np.sum: the same reductions without NumPy's Python wrapper
        shifted = x - x.max(axis=dim, keepdims=True)
        y = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (y,) = ctx.saved_tensors
        return grad - np.exp(y) * np.sum(grad, axis=ctx.dim, keepdims=True), None


class Softplus(Function):
    """y = log(1 + e^{beta x}) / beta, and y = x where beta x > threshold (torch's linear tail).

    dy/dx = e^{beta x} / (1 + e^{beta x}) = sigmoid(beta x), and 1 on the linear tail.
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
    """y = x if x > 0 else slope * x.   dx = dy * (1 or slope)."""

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
    """y = x if x > 0 else alpha (e^x - 1).   dx = dy * (1 or y + alpha)."""

    node_name = "EluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, alpha: float) -> np.ndarray:
        y = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)
        ctx.alpha = alpha
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        return np.where(x > 0, grad, grad * (y + ctx.alpha)).astype(grad.dtype, copy=False), None


class LeakyReluInplace(Function):
    """leaky_relu_: the same function written into x's storage (x is marked dirty).

    Only the output survives, so the gradient is read off it: for a slope >= 0, y > 0
    exactly where x > 0. With a negative slope it is not (y > 0 where x < 0), and backward
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
    """elu_: the same function written into x's storage (x is marked dirty).

    From the output alone: dx = dy where y > 0, else dy (y + alpha), since y + alpha = alpha e^x
    there. For alpha >= 0, y > 0 exactly where x > 0; with a negative alpha backward raises
    torch's error, as torch's EluBackward1 does.
    """

    node_name = "EluBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, alpha: float) -> np.ndarray:
        np.copyto(x, alpha * np.expm1(np.minimum(x, 0)), where=~(x > 0), casting="same_kind")
        ctx.alpha = alpha
        ctx.mark_dirty(x)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        if ctx.alpha < 0:
            raise RuntimeError(
                "In-place elu backward calculation is triggered with a negative slope which is not supported. "
                "This is caused by calling in-place forward function with a negative slope, please call "
                "out-of-place version instead."
            )
        (y,) = ctx.saved_tensors
        return np.where(y > 0, grad, grad * (y + ctx.alpha)).astype(grad.dtype, copy=False), None


class Gelu(Function):
    """y = x Phi(x) (exact, with erf) or the tanh approximation.

    Exact: dy/dx = Phi(x) + x phi(x).  Tanh form: u = c (x + 0.044715 x^3),
    y = x/2 (1 + tanh u), dy/dx = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) c (1 + 3 * 0.044715 x^2).
    """

    node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, approximate: str) -> np.ndarray:
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        if approximate == "tanh":
            u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
            return (0.5 * x * (1 + np.tanh(u))).astype(x.dtype, copy=False)
        return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            c = math.sqrt(2 / math.pi)
            t = np.tanh(c * (x + 0.044715 * x**3))
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        else:
            d = 0.5 * (1 + erf(x / math.sqrt(2))) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return (grad * d).astype(grad.dtype, copy=False), None


class Hardtanh(Function):
    """y = min(max(x, min_val), max_val).   dy/dx = 1 strictly inside (min_val, max_val), else 0.

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


def _float_input(name: str, x: Tensor) -> None:
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"\"{name}\" not implemented for '{_scalar_type(x)}'")


def _scalar_type(x: Tensor) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte"}.get(
        x._data.dtype.name, x._data.dtype.name
    )


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input)


def relu_(input: Tensor) -> Tensor:
    check_inplace(input)
    return ReluInplace.apply(input)


def _as_float(x: Tensor) -> Tensor:
    """Integer and bool tensors go through sigmoid and tanh in float32, as torch computes them."""
    return x if x._data.dtype.kind == "f" else x.to(np.float32)


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


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    input, dim = _softmax_input(input, dim, dtype)
    _float_input("softmax_lastdim_kernel_impl", input)
    return Softmax.apply(input, dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    input, dim = _softmax_input(input, dim, dtype)
    _float_input("log_softmax_lastdim_kernel_impl", input)
    return LogSoftmax.apply(input, dim)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return Softplus.apply(input, beta, threshold)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    check_inplace(input)
    return LeakyReluInplace.apply(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    return Elu.apply(input, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    check_inplace(input)
    return EluInplace.apply(input, alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return Hardtanh.apply(input, min_val, max_val)


# in-place: the out-of-place op written back into x (torch's checks and graph; see arithmetic._inplace)
hardtanh_ = _inplace(hardtanh)
sigmoid_ = _inplace(sigmoid)
tanh_ = _inplace(tanh)

__all__ = ["log_softmax", "relu", "relu_", "sigmoid", "sigmoid_", "softmax", "tanh", "tanh_"]


TENSOR_METHODS = {
    "relu": relu,
    "relu_": relu_,
    "sigmoid_": sigmoid_,
    "tanh_": tanh_,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": lambda self, dim, dtype=None: softmax(self, dim, dtype),
    "log_softmax": lambda self, dim, dtype=None: log_softmax(self, dim, dtype),
}
