r"""Losses: mse_loss, l1_loss, nll_loss, cross_entropy.

``nll_loss`` picks $-\mathrm{input}[n, t_n]$ (times the class weight $w[t_n]$);
its gradient is $-w[t_n]$ at the picked entries and 0 elsewhere, divided by
the total weight for the mean. ``cross_entropy`` is ``nll_loss(log_softmax(x))``,
built from those two nodes exactly as torch builds it, so the gradient w.r.t.
the logits comes out as $\operatorname{softmax}(x) - \operatorname{onehot}(t)$ through the two backward
passes. log_softmax subtracts the max first, so logits of 1e4 stay finite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..kernels.backend import backend_of
from .activation import log_softmax
from .utils import _TENSOR_TYPES, as_array, as_contiguous, result_dtype, unbroadcast

REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(values: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return as_array(values.mean(), dtype=values.dtype)
    if reduction == "sum":
        return as_array(values.sum(), dtype=values.dtype)
    return values


class MseLoss(Function):
    r"""$L = \mathrm{reduce}((x - y)^2)$.   $\partial L/\partial x = 2 (x - y)\, g$ (/ n for the mean),
    $\partial L/\partial y = -\partial L/\partial x$.
    """

    node_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str, dtype: np.dtype) -> np.ndarray:
        diff = np.subtract(x, y, dtype=dtype)
        ctx.reduction, ctx.shapes = reduction, (x.shape, y.shape)
        ctx.save_for_backward(diff)
        return _reduce(diff * diff, reduction)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (diff,) = ctx.saved_tensors
        scale = 2.0 / diff.size if ctx.reduction == "mean" else 2.0
        g = (scale * grad * diff).astype(diff.dtype, copy=False)
        gx = unbroadcast(g, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(-g, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, gy, None, None


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """reduce((input - target)^2) in the promoted dtype (float32 input, int64 target: float32)."""
    _check_reduction(reduction)
    dtype = result_dtype(input, target)
    if dtype.kind != "f":
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_TENSOR_TYPES.get(dtype.name, dtype.name)}'")
    return MseLoss.apply(input, target, reduction, dtype)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """reduce(|x - y|), composed of sub, abs and mean/sum as torch composes it."""
    _check_reduction(reduction)
    loss = (input - target).abs()
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _class_axis_last(a: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N*d1*..., C); (C,) -> (1, C)."""
    if a.ndim == 1:
        return a[None, :]
    if a.ndim == 2:
        return a
    return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


class NllLoss(Function):
    r"""$L_n = -w[t_n]\, x[n, t_n]$ (0 where $t_n$ = ignore_index), then reduced.

    mean divides by $\sum_n w[t_n]$ over the kept n.  $\partial L/\partial x[n, t_n] = -w[t_n]\, g_n$
    (/ total weight for mean); every other entry of $\partial L/\partial x$ is 0.
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, target: np.ndarray, weight: np.ndarray | None, reduction: str, ignore_index: int
    ) -> np.ndarray:
        flat = _class_axis_last(x)
        t = target.reshape(-1).astype(np.int64, copy=False)
        kernels = backend_of(x).softmax_cross_entropy
        if kernels is not None:  # the device's kernel: a thread per row picks -w[t_n] x[n, t_n]
            losses, wt = kernels.nll_forward(flat, t, weight, ignore_index)
            total = wt.sum()
            ctx.shape, ctx.reduction, ctx.safe_t, ctx.wt, ctx.total = x.shape, reduction, t, wt, total
            ctx.kernels = kernels
            if reduction == "mean":
                return (losses.sum() / total).astype(x.dtype, copy=False)
            if reduction == "sum":
                return losses.sum()
            return losses.reshape(target.shape)
        keep = t != ignore_index
        every = bool(keep.all())
        safe_t = t if every else np.where(keep, t, 0)
        picked = flat[np.arange(flat.shape[0]), safe_t]
        if weight is None and every:  # every weight is 1 (kept as None: the same numbers, fewer passes)
            wt = None
            losses = -picked
            total = x.dtype.type(flat.shape[0])
        else:
            w = np.ones(flat.shape[1], dtype=x.dtype) if weight is None else weight.astype(x.dtype)
            wt = np.where(keep, w[safe_t], 0).astype(x.dtype)
            losses = -wt * picked
            total = wt.sum(dtype=x.dtype)
        ctx.shape, ctx.reduction, ctx.safe_t, ctx.wt, ctx.total = x.shape, reduction, safe_t, wt, total
        if reduction == "mean":
            return as_array(losses.sum() / total, dtype=x.dtype)
        if reduction == "sum":
            return as_array(losses.sum(), dtype=x.dtype)
        return losses.reshape(target.shape)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        shape = ctx.shape
        n_rows = ctx.safe_t.shape[0]
        classes = shape[0] if len(shape) == 1 else shape[1]
        kernels = getattr(ctx, "kernels", None)
        if kernels is not None:
            xp = backend_of(grad).xp
            g = grad.reshape(-1) if ctx.reduction == "none" else xp.broadcast_to(grad.reshape(1), (n_rows,))
            scale = g * ctx.wt / ctx.total if ctx.reduction == "mean" else g * ctx.wt
            flat = kernels.nll_backward(ctx.safe_t, scale.astype(grad.dtype, copy=False), classes)
            return _class_axis_back(flat, shape, xp), None, None, None, None
        g = grad.reshape(-1) if ctx.reduction == "none" else np.full(n_rows, grad.reshape(()), dtype=grad.dtype)
        if ctx.reduction == "mean":
            g = g / ctx.total
        flat = np.zeros((n_rows, classes), dtype=grad.dtype)
        flat[np.arange(n_rows), ctx.safe_t] = -g if ctx.wt is None else -ctx.wt * g
        if len(shape) == 1:
            gx = flat[0]
        elif len(shape) == 2:
            gx = flat
        else:
            moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
            gx = np.moveaxis(flat.reshape(moved), -1, 1)
        return as_contiguous(gx), None, None, None, None


def _class_axis_back(flat: np.ndarray, shape: tuple, xp: Any) -> np.ndarray:
    """(N*d1*..., C) -> (N, C, d1, ...), the inverse of ``_class_axis_last``."""
    if len(shape) == 1:
        return flat[0]
    if len(shape) == 2:
        return flat
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return xp.ascontiguousarray(xp.moveaxis(flat.reshape(moved), -1, 1))


class NllLoss2d(NllLoss):
    node_name = "NllLoss2DBackward0"


def _type_word(a: np.ndarray) -> str:
    return {"float32": "Float", "float64": "Double", "int32": "Int", "bool": "Bool", "int64": "Long"}.get(
        a.dtype.name, a.dtype.name
    )


def nll_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    _check_reduction(reduction)
    x, t = input._data, target._data
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim <= 2 and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_type_word(t)}")
    if x.ndim >= 2 and t.ndim >= 1 and x.shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
    if x.ndim > 2 and t.shape != (x.shape[0],) + x.shape[2:]:
        raise RuntimeError(f"Expected target size {[x.shape[0], *x.shape[2:]]}, got {list(t.shape)}")
    classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    # two reductions settle the usual case; only a target outside [0, classes) (maybe ignore_index)
    # needs the ignored entries filtered out to find the first bad one
    if t.size and (t.min() < 0 or t.max() >= classes):
        kept = t[t != ignore_index]
        if kept.size and (kept.min() < 0 or kept.max() >= classes):
            bad = kept[(kept < 0) | (kept >= classes)][0]
            raise IndexError(f"Target {bad} is out of bounds.")
    if weight is not None and weight._data.shape != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes but got weight "
            f"tensor of shape: {list(weight._data.shape)}"
        )
    w = None if weight is None else weight._data
    if x.ndim == 3 or x.ndim > 4:
        # torch's nll_loss_nd: (N, C, d1, ...) is viewed as (N, C, 1, d1*...) for nll_loss2d, and the
        # unreduced result viewed back to the target's shape
        n = x.shape[0]
        flat = NllLoss2d.apply(input.reshape(n, classes, 1, -1), t.reshape(n, 1, -1), w, reduction, ignore_index)
        return flat.view(*t.shape) if reduction == "none" else flat
    function = NllLoss2d if x.ndim == 4 else NllLoss
    # the target is not a differentiable input: torch gives the node a single edge (to the input)
    return function.apply(input, t, w, reduction, ignore_index)


class DivByNumber(Function):
    """$y = x / d$ for a Python number d (torch's at::div(tensor, scalar)).   $dx = dy / d$."""

    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, d: float) -> np.ndarray:
        ctx.d = d
        return (x / d).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad / ctx.d, None


def _class_view(weight: Tensor, ndim: int) -> Tensor:
    """Class weights shaped to broadcast over (N, C, d1, ...)."""
    return weight.view(*((1, -1) + (1,) * (ndim - 2))) if ndim >= 2 else weight


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits against class indices or class probabilities (torch's composition)."""
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    if target._data.dtype.kind == "f" and target._data.shape == input._data.shape:
        return _cross_entropy_probabilities(logp, target, weight, reduction, label_smoothing, class_dim, classes)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return nll
    ignored = Tensor._make(target._data == ignore_index)
    weighted = logp * _class_view(weight, input.ndim) if weight is not None else logp
    smooth = -(weighted.sum(class_dim))
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        keep = target._data != ignore_index
        denominator = float(weight._data[target._data[keep]].sum()) if weight is not None else float(keep.sum())
        smooth = DivByNumber.apply(smooth.sum(), denominator)
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _cross_entropy_probabilities(
    logp: Tensor, target: Tensor, weight: Tensor | None, reduction: str, smoothing: float, class_dim: int, classes: int
) -> Tensor:
    if smoothing > 0:
        target = target * (1 - smoothing) + smoothing / classes
    if weight is not None:
        logp = logp * _class_view(weight, logp.ndim)
    products = logp * target
    if reduction == "mean":
        return DivByNumber.apply(-products.sum(), logp.numel() / classes)
    if reduction == "sum":
        return -products.sum()
    return -products.sum(class_dim)


__all__: list[str] = []

TENSOR_METHODS: dict = {}
