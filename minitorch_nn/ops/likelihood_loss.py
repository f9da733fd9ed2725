"""Likelihood losses: binary cross-entropy (on probabilities and on logits), KL divergence,
Poisson and Gaussian negative log-likelihood.

Each loss is one elementwise node, then torch's reduction. Where torch has a fused kernel
(binary_cross_entropy, binary_cross_entropy_with_logits) the node reduces itself and carries
torch's name; where torch composes the loss in Python or C++ (kl_div, poisson_nll_loss,
gaussian_nll_loss) our node fuses the elementwise part and is named after torch's last
elementwise node (SubBackward0, MulBackward0, AddBackward0), then mean()/sum() add
MeanBackward0/SumBackward0 exactly as torch's graph ends.

Every loss here broadcasts its operands; each gradient is summed back to its input's shape.
With ``reduction``: 'none' passes g through, 'sum' spreads the scalar g to every element,
'mean' spreads $g / n$.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .loss import _check_reduction, _reduce
from .utils import as_array, result_dtype, unbroadcast

ENUM_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}
TYPE_WORDS = {
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "uint8": "Byte",
    "bool": "Bool",
}


def reduction_name(reduction: str | int) -> str:
    """torch.X forms take at::Reduction's integers (0 none, 1 mean, 2 sum); F forms take the names."""
    return ENUM_REDUCTIONS.get(reduction, reduction) if isinstance(reduction, int) else reduction


def spread(grad: np.ndarray, reduction: str, shape: tuple[int, ...]) -> np.ndarray:
    """The upstream gradient of a reduced loss, as one value per element of the unreduced loss."""
    if reduction == "none":
        return grad
    n = int(np.prod(shape, dtype=np.int64))
    if reduction == "sum" or n == 0:  # an empty loss has no elements to spread to
        return np.broadcast_to(grad.reshape(()), shape)
    return np.broadcast_to(grad.reshape(()) / n, shape)


def sum_back(g: np.ndarray, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A gradient computed on the broadcast shape, summed back to an input's shape and dtype."""
    return unbroadcast(as_array(g), shape).astype(dtype, copy=False)


def float_dtype(*operands: Any) -> np.dtype:
    """torch's result dtype of the operands, made float32 when it is integral (float math on ints)."""
    dtype = result_dtype(*operands)
    return dtype if dtype.kind == "f" else np.dtype(np.float32)


class BinaryCrossEntropy(Function):
    r"""$L = -w\, [y \log x + (1 - y) \log(1 - x)]$, each log clamped at -100 as torch clamps it.

    $$
    \begin{aligned}
    \frac{\partial L}{\partial x} &= \frac{w\, (x - y)}{\max(x (1 - x), 10^{-12})}
      && \text{(torch's clamp keeps x at 0 or 1 finite)}, \\
    \frac{\partial L}{\partial y} &= w\, [\log(1 - x) - \log x] && \text{(the clamped logs)}.
    \end{aligned}
    $$
    """

    node_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, w: np.ndarray | None, reduction: str) -> np.ndarray:
        dtype = x.dtype
        log_x = np.maximum(np.log(x), -100)
        log_not_x = np.maximum(np.log1p(-x), -100)
        weight = np.ones((), dtype) if w is None else w.astype(dtype, copy=False)
        loss = (-weight * (y * log_x + (1 - y) * log_not_x)).astype(dtype, copy=False)
        ctx.save_for_backward(x, y, weight, log_x, log_not_x)
        ctx.reduction, ctx.shape = reduction, loss.shape
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, weight, log_x, log_not_x = ctx.saved_tensors
        g = spread(grad, ctx.reduction, ctx.shape)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = sum_back(g * weight * (x - y) / np.maximum(x * (1 - x), 1e-12), x.shape, x.dtype)
        if ctx.needs_input_grad[1]:
            gy = sum_back(g * weight * (log_not_x - log_x), y.shape, y.dtype)
        return gx, gy, None, None


def type_word(dtype: np.dtype) -> str:
    """torch's word for a dtype in its messages (Float, Long, ...)."""
    return TYPE_WORDS.get(dtype.name, dtype.name)


def check_no_grad(weight: Tensor | None, name: str, op: str) -> None:
    if weight is not None and weight.requires_grad:
        raise RuntimeError(
            f"The function '{op}' is not differentiable with respect to argument '{name}'. "
            "This input cannot have requires_grad True."
        )


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
            "deprecated. Please ensure they have the same size."
        )
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {type_word(target._data.dtype)} but expected {type_word(input._data.dtype)}")
    x = input._data
    if x.size and (x.min() < 0 or x.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    check_no_grad(weight, "weight", "binary_cross_entropy")
    w = None if weight is None else np.broadcast_to(weight._data, x.shape)
    return BinaryCrossEntropy.apply(input, target, w, reduction)


class BinaryCrossEntropyWithLogits(Function):
    r"""$L = w\, [(1 - y) x + l \operatorname{softplus}(-x)]$ with $l = 1 + (p - 1) y$ (p: pos_weight, 1 without it).

    $\operatorname{softplus}(-x) = \log(1 + e^{-|x|}) + \max(-x, 0)$ stays finite for any x. From
    $\frac{d}{dx} \operatorname{softplus}(-x) = \sigma(x) - 1$:

    $$
    \frac{\partial L}{\partial x} = w\, [l\, \sigma(x) - p y], \qquad
    \frac{\partial L}{\partial y} = w\, [(p - 1) \operatorname{softplus}(-x) - x].
    $$
    """

    node_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, y: np.ndarray, w: np.ndarray | None, p: np.ndarray | None, reduction: str
    ) -> np.ndarray:
        dtype = np.result_type(x, y)
        one = np.ones((), dtype)
        softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
        pos = one if p is None else p.astype(dtype, copy=False)
        weight = one if w is None else w.astype(dtype, copy=False)
        log_weight = 1 + (pos - 1) * y
        loss = (weight * ((1 - y) * x + log_weight * softplus_neg)).astype(dtype, copy=False)
        ctx.save_for_backward(x, y, weight, pos, log_weight, softplus_neg)
        ctx.reduction, ctx.shape = reduction, loss.shape
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, weight, pos, log_weight, softplus_neg = ctx.saved_tensors
        g = spread(grad, ctx.reduction, ctx.shape) * weight
        gx = gy = None
        if ctx.needs_input_grad[0]:
            sigmoid = 1 / (1 + np.exp(-x))
            gx = sum_back(g * (log_weight * sigmoid - pos * y), x.shape, x.dtype)
        if ctx.needs_input_grad[1]:
            gy = sum_back(g * ((pos - 1) * softplus_neg - x), y.shape, y.dtype)
        return gx, gy, None, None, None


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    pos_weight: Tensor | None = None,
    reduction: str | int = "mean",
) -> Tensor:
    reduction = reduction_name(reduction)
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    check_no_grad(weight, "weight", "binary_cross_entropy_with_logits")
    check_no_grad(pos_weight, "pos_weight", "binary_cross_entropy_with_logits")
    shape = input._data.shape
    w = None if weight is None else np.broadcast_to(weight._data, shape)
    p = None if pos_weight is None else np.broadcast_to(pos_weight._data, shape)
    return BinaryCrossEntropyWithLogits.apply(input, target, w, p, reduction)


class KlDiv(Function):
    r"""$L = y \log y - y x$ (xlogy(y, y) - y * x, with $0 \log 0 = 0$); x holds log-probabilities.

    $\partial L / \partial x = -y$,  $\partial L / \partial y = \log y + 1 - x$ (where $y > 0$; xlogy's gradient at
    $y = 0$ is 0 and 1).
    """

    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
        positive = y > 0
        y_log_y = np.where(positive, y * np.log(np.where(positive, y, 1)), 0)
        ctx.save_for_backward(x, y)
        return (y_log_y - y * x).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        gx = sum_back(-grad * y, x.shape, x.dtype) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            positive = y > 0
            gy = sum_back(grad * (np.where(positive, np.log(np.where(positive, y, 1)), 0) + 1 - x), y.shape, y.dtype)
        return gx, gy, None


class KlDivLogTarget(Function):
    r"""$L = e^y (y - x)$ with $y = \log q$.   $\partial L / \partial x = -e^y$,
    $\partial L / \partial y = e^y (y - x + 1)$.
    """

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
        exp_y = np.exp(y)
        ctx.save_for_backward(x, y, exp_y)
        return (exp_y * (y - x)).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, exp_y = ctx.saved_tensors
        gx = sum_back(-grad * exp_y, x.shape, x.dtype) if ctx.needs_input_grad[0] else None
        gy = sum_back(grad * exp_y * (y - x + 1), y.shape, y.dtype) if ctx.needs_input_grad[1] else None
        return gx, gy, None


def kl_div(input: Tensor, target: Tensor, reduction: str | int = "mean", log_target: bool = False) -> Tensor:
    """Pointwise KL divergence, then 'mean', 'sum', 'batchmean' (sum / batch size) or 'none'."""
    reduction = reduction_name(reduction)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    dtype = float_dtype(input, target)
    loss = (KlDivLogTarget if log_target else KlDiv).apply(input, target, dtype)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim > 0 else loss.sum()
    return loss


class PoissonNll(Function):
    r"""$L = e^x - y x$ (log_input) or $x - y \log(x + \epsilon)$; with ``full``, plus Stirling's term
    $s(y) = y \log y - y + \frac{1}{2} \log(2 \pi y)$ where $y > 1$.

    $\partial L / \partial x = e^x - y$, or $1 - y / (x + \epsilon)$;  $\partial L / \partial y = -x$, or
    $-\log(x + \epsilon)$; plus $ds/dy = \log y + 1 / (2 y)$ where $y > 1$.
    """

    node_name = "SubBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, y: np.ndarray, log_input: bool, full: bool, eps: float, dtype: np.dtype
    ) -> np.ndarray:
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
        rate = np.exp(x) if log_input else x + dtype.type(eps)
        loss = rate - y * x if log_input else x - y * np.log(rate)
        ctx.save_for_backward(x, y, rate)
        ctx.log_input, ctx.full = log_input, full
        if full:
            above = y > 1
            safe_y = np.where(above, y, 1)
            loss = loss + np.where(above, safe_y * np.log(safe_y) - safe_y + 0.5 * np.log(2 * math.pi * safe_y), 0)
        return as_array(loss, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, rate = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = sum_back(grad * ((rate - y) if ctx.log_input else (1 - y / rate)), x.shape, x.dtype)
        if ctx.needs_input_grad[1]:
            dy = -x if ctx.log_input else -np.log(rate)
            if ctx.full:
                above = y > 1
                safe_y = np.where(above, y, 1)
                dy = dy + np.where(above, np.log(safe_y) + 0.5 / safe_y, 0)
            gy = sum_back(grad * dy, y.shape, y.dtype)
        return gx, gy, None, None, None, None


class PoissonNllFull(PoissonNll):
    node_name = "AddBackward0"


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str | int = "mean",
) -> Tensor:
    reduction = reduction_name(reduction)
    _check_reduction(reduction)
    dtype = float_dtype(input, target)
    loss = (PoissonNllFull if full else PoissonNll).apply(input, target, log_input, full, eps, dtype)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class GaussianNll(Function):
    r"""$L = \frac{1}{2} (\log v + (x - y)^2 / v)$ (+ $\frac{1}{2} \log(2 \pi)$ with ``full``),
    $v = \max(\mathrm{var}, \epsilon)$.

    torch clamps v in place under no_grad, so the clamp passes the gradient through unchanged:

    $$
    \frac{\partial L}{\partial x} = \frac{x - y}{v}, \qquad \frac{\partial L}{\partial y} = -\frac{x - y}{v}, \qquad
    \frac{\partial L}{\partial \mathrm{var}} = \frac{1}{2} \Big(\frac{1}{v} - \frac{(x - y)^2}{v^2}\Big).
    $$
    """

    node_name = "MulBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, y: np.ndarray, var: np.ndarray, full: bool, eps: float, dtype: np.dtype
    ) -> np.ndarray:
        x, y, v = x.astype(dtype, copy=False), y.astype(dtype, copy=False), var.astype(dtype, copy=False)
        v = np.maximum(v, dtype.type(eps))
        diff = x - y
        loss = 0.5 * (np.log(v) + diff * diff / v)
        if full:
            loss = loss + 0.5 * math.log(2 * math.pi)
        ctx.save_for_backward(diff, v)
        ctx.shapes, ctx.dtypes = (x.shape, y.shape, var.shape), (x.dtype, y.dtype, var.dtype)
        return as_array(loss, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        diff, v = ctx.saved_tensors
        shapes, dtypes = ctx.shapes, ctx.dtypes
        ratio = grad * diff / v
        gx = sum_back(ratio, shapes[0], dtypes[0]) if ctx.needs_input_grad[0] else None
        gy = sum_back(-ratio, shapes[1], dtypes[1]) if ctx.needs_input_grad[1] else None
        gv = None
        if ctx.needs_input_grad[2]:
            gv = sum_back(grad * 0.5 * (1 / v - diff * diff / (v * v)), shapes[2], dtypes[2])
        return gx, gy, gv, None, None, None


class GaussianNllFull(GaussianNll):
    node_name = "AddBackward0"


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Gaussian NLL with torch's var shapes: input's shape, input's without the last dim
    (homoscedastic, unsqueezed), or input's with exactly one dim of size 1."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._make(np.full(input._data.shape, var, dtype=input._data.dtype))
    elif var._data.size and (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    x_shape, v_shape = input._data.shape, var._data.shape
    if v_shape != x_shape:
        if x_shape[:-1] == v_shape:
            var = var.unsqueeze(-1)
        elif not (len(x_shape) == len(v_shape) and sum(b for a, b in zip(x_shape, v_shape) if a != b) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    dtype = float_dtype(input, target, var)
    loss = (GaussianNllFull if full else GaussianNll).apply(input, target, var, full, eps, dtype)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


__all__ = ["binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss"]

TENSOR_METHODS: dict = {}
