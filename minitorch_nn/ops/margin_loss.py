"""Margin and robust losses.

torch fuses smooth_l1, huber, soft_margin, multi_margin and multilabel_margin into single
kernels: each is one Function here with torch's node name, reducing itself. The embedding
losses (margin_ranking, hinge_embedding, cosine_embedding, triplet_margin and its
custom-distance form) and multilabel_soft_margin are composed of existing ops exactly as torch
composes them, so their graphs (and grad_fn names) are torch's and every node's backward is
the hand-written one of its op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .comparison import minimum, where
from .distance import pairwise_distance
from .likelihood_loss import check_no_grad, float_dtype, reduction_name, spread, sum_back, type_word
from .loss import _check_reduction, _reduce, l1_loss


def _reduced(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class SmoothL1Loss(Function):
    r"""$d = x - y$;  $L = d^2 / (2 \beta)$ where $|d| < \beta$, else $|d| - \beta / 2$ ($\beta > 0$; 0 is l1_loss).

    $\partial L / \partial x = d / \beta$ inside, $\operatorname{sign}(d)$ outside;
    $\partial L / \partial y = -\partial L / \partial x$.
    """

    node_name = "SmoothL1LossBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str, beta: float, dtype: np.dtype) -> np.ndarray:
        d = x.astype(dtype, copy=False) - y.astype(dtype, copy=False)
        magnitude = np.abs(d)
        inside = magnitude < beta
        loss = np.where(inside, 0.5 * d * d / beta, magnitude - 0.5 * beta).astype(dtype)
        slope = np.where(inside, d / beta, np.sign(d))
        ctx.save_for_backward(slope)
        ctx.reduction, ctx.shapes, ctx.dtypes = reduction, (x.shape, y.shape), (x.dtype, y.dtype)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (slope,) = ctx.saved_tensors
        g = spread(grad, ctx.reduction, slope.shape) * slope
        gx = sum_back(g, ctx.shapes[0], ctx.dtypes[0]) if ctx.needs_input_grad[0] else None
        gy = sum_back(-g, ctx.shapes[1], ctx.dtypes[1]) if ctx.needs_input_grad[1] else None
        return gx, gy, None, None, None


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _broadcast(input, target)
    if beta == 0:  # torch hands beta = 0 to l1_loss (sub, abs, mean/sum nodes)
        return l1_loss(input, target, reduction)
    return SmoothL1Loss.apply(input, target, reduction, float(beta), float_dtype(input, target))


class HuberLoss(Function):
    r"""$d = x - y$;  $L = d^2 / 2$ where $|d| \le \delta$, else $\delta (|d| - \delta / 2)$.

    $\partial L / \partial x = d$ inside, $\delta \operatorname{sign}(d)$ outside;
    $\partial L / \partial y = -\partial L / \partial x$. (Huber = $\beta \cdot$ smooth_l1 with $\beta = \delta$.)
    """

    node_name = "HuberLossBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str, delta: float, dtype: np.dtype) -> np.ndarray:
        d = x.astype(dtype, copy=False) - y.astype(dtype, copy=False)
        magnitude = np.abs(d)
        inside = magnitude <= delta
        loss = np.where(inside, 0.5 * d * d, delta * (magnitude - 0.5 * delta)).astype(dtype)
        ctx.save_for_backward(np.where(inside, d, delta * np.sign(d)))
        ctx.reduction, ctx.shapes, ctx.dtypes = reduction, (x.shape, y.shape), (x.dtype, y.dtype)
        return _reduce(loss, reduction)

    backward = SmoothL1Loss.backward


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _broadcast(input, target)
    return HuberLoss.apply(input, target, reduction, float(delta), float_dtype(input, target))


def _broadcast(a: Tensor | tuple[int, ...], b: Tensor | tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape of two operands (tensors or shapes), or torch's error naming the first clash."""
    s1 = a if isinstance(a, tuple) else a._data.shape
    s2 = b if isinstance(b, tuple) else b._data.shape
    try:
        return np.broadcast_shapes(s1, s2)
    except ValueError:
        ndim = max(len(s1), len(s2))
        for back in range(1, ndim + 1):
            m = s1[-back] if back <= len(s1) else 1
            n = s2[-back] if back <= len(s2) else 1
            if m != n and 1 not in (m, n):
                break
        raise RuntimeError(
            f"The size of tensor a ({m}) must match the size of tensor b ({n}) at non-singleton dimension {ndim - back}"
        ) from None


def _check_long(target: Tensor) -> None:
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {type_word(target._data.dtype)}")


class SoftMarginLoss(Function):
    r"""$L = \log(1 + e^{-y x})$.   $\partial L / \partial x = -y\, \sigma(-y x)$ (torch gives the target no
    gradient).
    """

    node_name = "SoftMarginLossBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str, dtype: np.dtype) -> np.ndarray:
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
        z = -y * x
        loss = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))).astype(dtype)  # softplus(z), finite for any z
        ctx.save_for_backward(x, y, 1 / (1 + np.exp(-z)))
        ctx.reduction, ctx.shape = reduction, loss.shape
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, sigmoid_z = ctx.saved_tensors
        g = spread(grad, ctx.reduction, ctx.shape) * sigmoid_z
        return sum_back(-g * y, x.shape, x.dtype), None, None, None


def soft_margin_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    _check_reduction(reduction)
    _broadcast(input, target)
    check_no_grad(target, "target", "soft_margin_loss")
    return SoftMarginLoss.apply(input, target, reduction, float_dtype(input, target))


class MultilabelSoftMarginTerms(Function):
    r"""$t = -[y \log \sigma(x) + (1 - y) \log \sigma(-x)] = \operatorname{softplus}(x) - y x$.

    $\partial t / \partial x = \sigma(x) - y$,  $\partial t / \partial y = -x$.
    """

    node_name = "MultilabelSoftMarginTermsBackward"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
        ctx.save_for_backward(x, y)
        return np.asarray(np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))) - y * x, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        gx = sum_back(grad * (1 / (1 + np.exp(-x)) - y), x.shape, x.dtype) if ctx.needs_input_grad[0] else None
        gy = sum_back(-grad * x, y.shape, y.dtype) if ctx.needs_input_grad[1] else None
        return gx, gy, None


def multilabel_soft_margin_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """Per-class logistic terms (times the class weight, a differentiable product as in torch), summed
    over the class (last) dim and divided by C, then reduced."""
    _broadcast(target, input)  # torch's first product is target * logsigmoid(input)
    terms = MultilabelSoftMarginTerms.apply(input, target, float_dtype(input, target))
    if weight is not None:
        terms = terms * weight
    class_dim = input.ndim - 1
    loss = terms.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduced(loss, reduction)


class MultiMarginLoss(Function):
    r"""$L_n = \frac{1}{C} \sum_{i \ne y_n} w[y_n] \max(0, m - x[n, y_n] + x[n, i])^p$ ($p = 1$ or 2).

    With $h_i$ the hinge:

    $$
    \frac{\partial L}{\partial x[n, i]} = \frac{w[y_n]\, p\, h_i^{p-1}}{C} \ \text{where } h_i > 0, \qquad
    \frac{\partial L}{\partial x[n, y_n]} = -\sum_{i \ne y_n} \frac{\partial L}{\partial x[n, i]}.
    $$
    """

    node_name = "MultiMarginLossBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, target: np.ndarray, p: int, margin: float, w: np.ndarray | None, reduction: str
    ) -> np.ndarray:
        rows = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
        n, classes = rows.shape
        t = target.reshape(-1)
        picked = rows[np.arange(n), t][:, None]
        hinge = np.maximum(margin - picked + rows, 0)
        hinge[np.arange(n), t] = 0
        weight = np.ones(n, x.dtype) if w is None else w.astype(x.dtype)[t]
        loss = (weight * (hinge**p).sum(1) / classes).astype(x.dtype)
        slopes = weight[:, None] * (p * hinge ** (p - 1) * (hinge > 0)) / classes
        slopes[np.arange(n), t] = -slopes.sum(1)
        ctx.save_for_backward(slopes)
        ctx.reduction, ctx.shape = reduction, x.shape
        out = loss.reshape(target.shape) if reduction == "none" else loss
        return _reduce(out, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (slopes,) = ctx.saved_tensors
        per_row = spread(grad, ctx.reduction, (slopes.shape[0],)).reshape(-1, 1)
        gx = (per_row * slopes).reshape(ctx.shape).astype(slopes.dtype, copy=False)
        return gx, None, None, None, None, None


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    reduction: str = "mean",
) -> Tensor:
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x, t = input._data, target._data
    n = x.shape[0] if x.ndim == 2 else 1
    classes = x.shape[-1] if x.ndim else 1
    _check_long(target)
    if t.ndim > 1 or t.size != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples (batch "
            f"size). Expected target size [{n}], but got {list(t.shape)}. Input has shape {list(x.shape)}."
        )
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise RuntimeError("target out of range")
    check_no_grad(weight, "weight", "multi_margin_loss")
    if weight is not None and weight._data.shape != (classes,):
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {list(weight._data.shape)}")
    w = None if weight is None else weight._data
    return MultiMarginLoss.apply(input, t.astype(np.int64), int(p), float(margin), w, reduction)


class MultilabelMarginLoss(Function):
    r"""$L_n = \frac{1}{C} \sum_{j \in T_n} \sum_{i \notin T_n} \max(0, 1 - x[n, j] + x[n, i])$, where $T_n$ is the
    target row up to its first -1.

    Each active pair ($h > 0$) adds $1/C$ to $\partial L / \partial x[n, i]$ and $-1/C$ to
    $\partial L / \partial x[n, j]$.
    """

    node_name = "MultilabelMarginLossBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, target: np.ndarray, reduction: str) -> np.ndarray:
        rows = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
        targets = target.reshape(rows.shape)
        n, classes = rows.shape
        loss = np.zeros(n, dtype=x.dtype)
        slopes = np.zeros_like(rows)
        for r in range(n):
            ends = np.flatnonzero(targets[r] < 0)
            labels = targets[r, : ends[0] if ends.size else classes]
            is_label = np.zeros(classes, dtype=bool)
            is_label[labels] = True
            others = np.flatnonzero(~is_label)
            hinge = 1 - rows[r, labels][:, None] + rows[r, others][None, :]
            active = hinge > 0
            loss[r] = np.where(active, hinge, 0).sum() / classes
            np.add.at(slopes[r], others, active.sum(0) / classes)
            np.add.at(slopes[r], labels, -active.sum(1) / classes)
        ctx.save_for_backward(slopes)
        ctx.reduction, ctx.shape = reduction, x.shape
        out = loss.reshape(x.shape[:-1]) if reduction == "none" and x.ndim else loss
        return _reduce(out.reshape(()) if reduction == "none" and x.ndim == 0 else out, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (slopes,) = ctx.saved_tensors
        per_row = spread(grad, ctx.reduction, (slopes.shape[0],)).reshape(-1, 1)
        return (per_row * slopes).reshape(ctx.shape).astype(slopes.dtype, copy=False), None, None


def multilabel_margin_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    _check_reduction(reduction)
    x, t = input._data, target._data
    _check_long(target)
    if t.shape != x.shape:
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: {list(x.shape)}")
    classes = x.shape[-1] if x.ndim else 1
    if t.size and (t.min() < -1 or t.max() >= classes):
        raise RuntimeError("argument #2 'target' is out of range")
    return MultilabelMarginLoss.apply(input, t.astype(np.int64), reduction)


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: str | int = "mean"
) -> Tensor:
    """max(0, -y (x1 - x2) + margin): sub, mul, add and clamp_min as torch composes it."""
    reduction = reduction_name(reduction)
    _check_reduction(reduction)
    _broadcast(target, _broadcast(input1, input2))
    return _reduced((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, reduction: str | int = "mean") -> Tensor:
    """x where y == 1, max(0, margin - x) where y == -1 (both where y is neither): torch's where + add."""
    reduction = reduction_name(reduction)
    _check_reduction(reduction)
    zeros = Tensor._make(np.zeros(_broadcast(target, input), dtype=float_dtype(input)))
    margin_part = where(target != 1, (margin - input).clamp_min(0), zeros)
    self_part = where(target != -1, input, zeros)
    return _reduced(margin_part + self_part, reduction)


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: str | int = "mean"
) -> Tensor:
    """1 - cos where y == 1, max(0, cos - margin) where y == -1; cos with 1e-12 added to each squared norm."""
    reduction = reduction_name(reduction)
    _check_reduction(reduction)
    if target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = 2 if target.ndim == 1 else 1
    if input1.ndim != expected or input2.ndim != expected:
        raise RuntimeError(
            f"{target.ndim}D target tensor expects {expected}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    dim = expected - 1
    _broadcast(target, _broadcast(input1, input2)[:dim])
    products = (input1 * input2).sum(dim)
    squares1 = (input1 * input1).sum(dim) + 1e-12
    squares2 = (input2 * input2).sum(dim) + 1e-12
    cos = products / (squares1 * squares2).sqrt()
    zeros = Tensor._make(np.zeros(cos.shape, dtype=cos._data.dtype))
    positive = where(target == 1, 1 - cos, zeros)
    negative = where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduced(positive + negative, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str | int = "mean",
) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with the p-norm pairwise distance (swap: d(a, n) -> min(d(a, n), d(p, n)))."""
    reduction = reduction_name(reduction)
    _check_reduction(reduction)
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D inputs"
        )

    def distance(a: Tensor, b: Tensor) -> Tensor:
        return pairwise_distance(a, b, p, eps)

    return _triplet(anchor, positive, negative, distance, margin, swap, reduction)


def _triplet(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    distance: Callable[[Tensor, Tensor], Tensor],
    margin: float,
    swap: bool,
    reduction: str,
) -> Tensor:
    positive_distance = distance(anchor, positive)
    negative_distance = distance(anchor, negative)
    if swap:
        negative_distance = minimum(negative_distance, distance(positive, negative))
    return _reduced((margin + positive_distance - negative_distance).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """The triplet loss under any distance (default: pairwise_distance); margin must be positive."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D inputs"
        )
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin, swap, reduction)


__all__ = ["cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss", "triplet_margin_loss"]

TENSOR_METHODS: dict = {}
