r"""Dropout: zero entries at random and rescale the survivors (inverted dropout).

Forward, in training mode with drop probability p:

$$
m \sim \operatorname{Bernoulli}(1 - p) \ \text{(one draw per element; per (sample, channel) for dropout2d)}, \qquad
y = x \odot m / (1 - p),
$$

so $E[y] = x$ and nothing needs rescaling at evaluation time, where dropout is
the identity. Writing $s = m / (1 - p)$ (the "scaled mask"), $y = x \odot s$ is a
product with a constant, hence

$$
\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} \odot s.
$$

The backward reuses the very mask drawn by the forward (saved on the node),
never a fresh draw. torch builds this as ``input * mask`` on the CPU, so the
node is a ``MulBackward0`` whose second edge (the mask) is ``(None, 0)``; ours
reads the same. With $p = 1$ the scaled mask is all zeros (no division by 0);
with $p = 0$ or outside training the input itself is returned, as torch does.

Masks come from ``minitorch_nn.random.rng()`` and are torch's CPU masks for the
same seed: torch draws ``bernoulli_(1 - p)`` ($u < 1 - p$ for a double uniform u per
element) and divides by $1 - p$ in the input's dtype. (For a non-contiguous input torch
draws its mask in memory order, this in index order.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..autograd.views import check_inplace
from ..random import rng


class Dropout(Function):
    r"""$y = x \odot s$ with s the scaled mask (a constant);
    $\partial L / \partial x = \partial L / \partial y \odot s$.
    """

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, scaled_mask: np.ndarray, inplace: bool) -> np.ndarray:
        ctx.save_for_backward(scaled_mask)
        if inplace:
            np.multiply(x, scaled_mask, out=x)
            ctx.mark_dirty(x)
            return x
        return x * scaled_mask

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (scaled_mask,) = ctx.saved_tensors
        gx = (grad * scaled_mask).astype(grad.dtype, copy=False) if ctx.needs_input_grad[0] else None
        return gx, None, None


def keep_mask(shape: tuple[int, ...], p: float) -> np.ndarray:
    """Bernoulli(1 - p) draws of ``shape`` as booleans (True: kept); all False when p = 1 (nothing drawn)."""
    if p >= 1.0:
        return np.zeros(shape, dtype=bool)
    return rng().random(shape) < 1.0 - p


def scaled_mask(shape: tuple[int, ...], p: float, np_dtype: np.dtype) -> np.ndarray:
    """Bernoulli(1 - p) draws of ``shape``, divided by 1 - p (all zeros when p = 1)."""
    if p >= 1.0:
        return np.zeros(shape, dtype=np_dtype)
    return keep_mask(shape, p).astype(np_dtype) / np.dtype(np_dtype).type(1.0 - p)


class NativeDropout(Function):
    r"""``torch.native_dropout``: $y = x \odot m \cdot \mathrm{scale}$ with the boolean mask m returned as a second
    output.

    $\mathrm{scale} = 1 / (1 - p)$ in training (0 when $p = 1$), 1 otherwise (then m is all True and y a copy of x).
    y is x times a constant, so $\partial L / \partial x = \partial L / \partial y \odot m \cdot \mathrm{scale}$; the
    mask is not differentiable.
    """

    node_name = "NativeDropoutBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mask: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
        ctx.scale = scale
        ctx.save_for_backward(mask)
        ctx.mark_non_differentiable(mask)
        return (x * (mask * scale).astype(x.dtype)).astype(x.dtype, copy=False), mask

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _mask_grad: Any) -> tuple:
        (mask,) = ctx.saved_tensors
        return (grad * (mask * ctx.scale).astype(grad.dtype)).astype(grad.dtype, copy=False), None, None


def native_dropout(input: Tensor, p: float, train: bool | None) -> tuple[Tensor, Tensor]:
    """(output, mask): inverted dropout with its boolean keep-mask; ``train=None`` counts as training."""
    training = train is None or bool(train)
    if training and not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={1 - p:g}")
    shape = input._data.shape
    if not training:
        return NativeDropout.apply(input, np.ones(shape, dtype=bool), 1.0)
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return NativeDropout.apply(input, keep_mask(shape, p), scale)


def _apply(input: Tensor, p: float, training: bool, inplace: bool, mask_shape: tuple[int, ...]) -> Tensor:
    if p == 0 or not training or input.numel() == 0:
        return input
    if inplace:
        check_inplace(input)
    mask = Tensor._make(scaled_mask(mask_shape, p, input._data.dtype))
    return Dropout.apply(input, mask, inplace)


def dropout(input: Tensor, p: float = 0.5, train: bool = True, inplace: bool = False) -> Tensor:
    """Element-wise inverted dropout (``torch.dropout``; checks live in ``nn.functional``)."""
    return _apply(input, p, train, inplace, input._data.shape)


def feature_dropout(input: Tensor, p: float = 0.5, train: bool = True, inplace: bool = False) -> Tensor:
    """Channel-wise dropout: one draw per (N, C) slice, broadcast over the remaining dims."""
    shape = input._data.shape
    return _apply(input, p, train, inplace, shape[:2] + (1,) * (len(shape) - 2))


__all__ = ["dropout", "feature_dropout", "native_dropout"]

TENSOR_METHODS: dict = {}
