"""Distances: cosine_similarity, pairwise_distance, normalize, one_hot.

``cosine_similarity`` and ``pairwise_distance`` are one node each (torch ends them in a sum
over ``dim`` and a p-norm, and names their nodes after those: SumBackward1, NormBackward1);
``normalize`` is composed of norm, clamp_min and div as torch composes it. ``one_hot`` has no
gradient (an integer result).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .likelihood_loss import type_word
from .utils import normalize_dims, result_dtype, unbroadcast


class CosineSimilarity(Function):
    r"""$c = \sum_d x_1 x_2 / (n_1 n_2)$ with $n_i = \max(\lVert x_i \rVert, \epsilon)$ along ``dim``.

    torch clamps the norms in place under no_grad, so the clamp is invisible to autograd: $n_1$
    takes the value $\max(\lVert x_1 \rVert, \epsilon)$ but the derivative of $\lVert x_1 \rVert$,
    $x_1 / \lVert x_1 \rVert$ (0 at $x_1 = 0$):

    $$
    \frac{\partial c}{\partial x_1} = \frac{x_2}{n_1 n_2} - c\, \frac{x_1}{n_1 \lVert x_1 \rVert}
    \qquad \Big(= \dots - c\, \frac{x_1}{n_1^2} \text{ unclamped}\Big); \quad x_2 \text{ alike}.
    $$

    Both inputs broadcast first, so each gradient is summed back to its own shape.
    """

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx: Any, x1: np.ndarray, x2: np.ndarray, dim: int, eps: float, dtype: np.dtype) -> np.ndarray:
        a, b = np.broadcast_arrays(x1.astype(dtype, copy=False), x2.astype(dtype, copy=False))
        norm1 = np.sqrt((a * a).sum(dim, keepdims=True))
        norm2 = np.sqrt((b * b).sum(dim, keepdims=True))
        n1, n2 = np.maximum(norm1, eps), np.maximum(norm2, eps)
        cos = (a * b).sum(dim, keepdims=True) / (n1 * n2)
        ctx.save_for_backward(a, b)
        ctx.dim, ctx.shapes, ctx.dtypes = dim, (x1.shape, x2.shape), (x1.dtype, x2.dtype)
        ctx.parts = (n1, n2, norm1, norm2, cos)
        return np.squeeze(cos, dim).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        n1, n2, norm1, norm2, cos = ctx.parts
        g = np.expand_dims(grad, ctx.dim)
        g1 = g2 = None
        if ctx.needs_input_grad[0]:
            g1 = g * (b / (n1 * n2) - cos * a / (n1 * np.where(norm1 == 0, np.inf, norm1)))
            g1 = unbroadcast(g1, ctx.shapes[0]).astype(ctx.dtypes[0], copy=False)
        if ctx.needs_input_grad[1]:
            g2 = g * (a / (n1 * n2) - cos * b / (n2 * np.where(norm2 == 0, np.inf, norm2)))
            g2 = unbroadcast(g2, ctx.shapes[1]).astype(ctx.dtypes[1], copy=False)
        return g1, g2, None, None, None


def _broadcast_shape(x1: Tensor, x2: Tensor) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(x1._data.shape, x2._data.shape)
    except ValueError:
        s1, s2 = x1._data.shape, x2._data.shape
        ndim = max(len(s1), len(s2))
        for back in range(1, ndim + 1):
            a = s1[-back] if back <= len(s1) else 1
            b = s2[-back] if back <= len(s2) else 1
            if a != b and 1 not in (a, b):
                break
        raise RuntimeError(
            f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {ndim - back}"
        ) from None


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    shape = _broadcast_shape(x1, x2)
    (d,) = normalize_dims(dim, len(shape))
    common = result_dtype(x1, x2)
    if common.kind != "f":
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {type_word(common)}")
    return CosineSimilarity.apply(x1, x2, d, eps, common)


class PairwiseDistance(Function):
    r"""$y = \lVert x_1 - x_2 + \epsilon \rVert_p$ over the last dim.

    With $d = x_1 - x_2 + \epsilon$: $dy/dd = \operatorname{sign}(d)\, |d|^{p-1} / y^{p-1}$ ($p = 2$: $d / y$; $p = 1$:
    $\operatorname{sign}(d)$), for $p = \infty$ the one-hot of $\operatorname{argmax} |d|$ times its sign; 0 where
    $y = 0$ (torch's choice at the kink); none at all for $p = 0$ (a count), as in torch. $dy/dx_1 = dy/dd$,
    $dy/dx_2 = -dy/dd$, each summed back over its broadcast dims.
    """

    node_name = "NormBackward1"

    @staticmethod
    def forward(
        ctx: Any, x1: np.ndarray, x2: np.ndarray, p: float, eps: float, keepdim: bool, dtype: np.dtype
    ) -> np.ndarray:
        d = (x1.astype(dtype, copy=False) - x2.astype(dtype, copy=False) + dtype.type(eps)).astype(dtype, copy=False)
        magnitude = np.abs(d)
        if p == math.inf:
            y = magnitude.max(-1, keepdims=True, initial=0.0)
        elif p == 0:
            y = (d != 0).sum(-1, keepdims=True).astype(d.dtype)
        elif p == 1:
            y = magnitude.sum(-1, keepdims=True)
        elif p == 2:
            y = np.sqrt((d * d).sum(-1, keepdims=True))
        else:
            y = (magnitude**p).sum(-1, keepdims=True) ** (1.0 / p)
        ctx.save_for_backward(d, y)
        ctx.p, ctx.keepdim, ctx.shapes, ctx.dtypes = p, keepdim, (x1.shape, x2.shape), (x1.dtype, x2.dtype)
        return (y if keepdim else y[..., 0]).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        d, y = ctx.saved_tensors
        p = ctx.p
        g = grad if ctx.keepdim else grad[..., None]
        safe_y = np.where(y == 0, 1.0, y)
        if p == 0:  # a count of nonzeros: torch's backward gives no gradient at all (grads stay None)
            return None, None, None, None, None, None
        if p == 1:
            dd = np.sign(d) * g
        elif p == 2:
            dd = np.where(y == 0, 0.0, d / safe_y) * g
        elif p == math.inf:
            magnitude = np.abs(d)
            at_max = (magnitude == y) & (y != 0)
            dd = np.sign(d) * at_max / np.maximum(at_max.sum(-1, keepdims=True), 1) * g
        else:
            dd = np.where(y == 0, 0.0, np.sign(d) * np.abs(d) ** (p - 1) / safe_y ** (p - 1)) * g
        g1 = unbroadcast(dd, ctx.shapes[0]).astype(ctx.dtypes[0], copy=False) if ctx.needs_input_grad[0] else None
        g2 = unbroadcast(-dd, ctx.shapes[1]).astype(ctx.dtypes[1], copy=False) if ctx.needs_input_grad[1] else None
        return g1, g2, None, None, None, None


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    _broadcast_shape(x1, x2)
    if x1._data.ndim == 0 or x2._data.ndim == 0:
        raise RuntimeError(
            f"pairwise_distance: expected both inputs to have at least one dimension, got {x1.dim()} and {x2.dim()}"
        )
    dtype = result_dtype(x1, x2)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float32)
    return PairwiseDistance.apply(x1, x2, float(p), eps, keepdim, dtype)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p along dim, eps): norm, clamp_min, expand and div as torch composes it."""
    denominator = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denominator


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """out[..., c] = (tensor[...] == c), int64, with num_classes = max + 1 when -1."""
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if t.size == 0 and num_classes == -1:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if t.size and t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(t.max()) + 1
    elif t.size and t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (t[..., None] == np.arange(num_classes, dtype=np.int64)).astype(np.int64)
    return Tensor._make(out)


__all__ = ["cosine_similarity", "pairwise_distance"]

TENSOR_METHODS: dict = {}
