r"""linear: $y = x W^T + b$, composed from matrix-product nodes exactly as torch composes it.

torch has no fused linear backward. ``aten::linear`` picks one of three graphs:

- 2-D x with bias: ``addmm(b, x, W^T)``                       (AddmmBackward0)
- contiguous x (any dim) with a contiguous bias that has one dim of size
  other than 1 (or is 1-D): x viewed as rows (n, in), addmm,
  the result viewed back to (*, out)                         (View, Addmm, View)
- otherwise ``matmul(x, W^T)`` and then ``out.add_(b)``; matmul multiplies a
  1-D x as a row (unsqueeze(0), mm, squeeze_(0)) and folds the batch dims of
  an N-D x into rows (reshape: a view, a strided alias, or clone +
  _unsafe_view when the strides allow no view), multiplies, and unfolds with ``_unsafe_view``.

The small shape Functions here are the nodes those graphs need. Each only
moves data, so its backward undoes the move: a reshape's gradient is reshaped
back, an unsqueeze's is squeezed, a clone's passes through. The in-place bias
add passes the gradient to ``out`` and sums it over the batch dims for ``b``: $db = \sum_{\mathrm{rows}} dy$.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .matmul import addmm, mm
from .shape import t, view
from .utils import as_contiguous, check_broadcasts_into, unbroadcast


class UnsafeView(Function):
    """y = x with another shape, x being a fresh result nobody else sees.   $dx = dy$ reshaped back."""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.reshape(ctx.shape), None


class ReshapeAlias(Function):
    """y = x seen with another shape, sharing x's (strided) storage.   $dx = dy$ reshaped back."""

    node_name = "ReshapeAliasBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        y = x.view()
        y.shape = shape  # the caller checked that no copy is needed
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.reshape(ctx.shape), None


def _viewable(x: np.ndarray, shape: tuple[int, ...]) -> bool:
    try:
        x.view().shape = shape
    except AttributeError:
        return False
    return True


class Clone(Function):
    """y = a contiguous copy of x.   $dx = dy$."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return as_contiguous(x).copy()

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad,)


class UnsqueezeRow(Function):
    """y = x as a 1 x n row.   $dx = dy$ with that dim dropped."""

    node_name = "UnsqueezeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x[np.newaxis]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad[0],)


class SqueezeRowInplace(Function):
    """In place, y = the 1 x m row x as a vector (torch's ``squeeze_(0)``).   $dx = dy$ as a row."""

    node_name = "SqueezeBackward4"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x[0]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad[np.newaxis],)


class AddBiasInplace(Function):
    r"""In place, $\mathrm{out} \mathrel{+}= b$ (b broadcast over the rows).   $d\mathrm{out} = dy$;
    $db = \sum_{\mathrm{rows}} dy$ (summed to b's shape).
    """

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx: Any, out: np.ndarray, bias: np.ndarray) -> np.ndarray:
        check_broadcasts_into(bias.shape, out.shape)
        ctx.bias_shape = bias.shape
        out += bias
        ctx.mark_dirty(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gb = unbroadcast(grad, ctx.bias_shape) if ctx.needs_input_grad[1] else None
        return grad, gb


def _rows(x: Tensor) -> Tensor:
    """x reshaped to (n, in) as torch's reshape does it.

    Contiguous: ``view``; strides that still allow it: ``_reshape_alias``;
    otherwise a contiguous clone, then ``_unsafe_view``.
    """
    shape = (int(np.prod(x.shape[:-1])), x.shape[-1])
    if x.is_contiguous():
        return view(x, shape)
    if _viewable(x._data, shape):
        return ReshapeAlias.apply(x, shape)
    return UnsafeView.apply(Clone.apply(x), shape)


def _matmul_weight_t(x: Tensor, weight_t: Tensor) -> Tensor:
    if x.dim() == 1:
        return SqueezeRowInplace.apply(mm(UnsqueezeRow.apply(x), weight_t))
    if x.dim() == 2:
        return mm(x, weight_t)
    out = mm(_rows(x), weight_t)
    return UnsafeView.apply(out, (*x.shape[:-1], weight_t.shape[1]))


def _bias_fusable(bias: Tensor) -> bool:
    """torch's test for folding the bias into addmm: 1-D, or one dim once squeezed, and contiguous."""
    squeezed_dims = sum(1 for size in bias.shape if size != 1)
    return (bias.dim() == 1 or squeezed_dims == 1) and bias.is_contiguous()


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input W^T + bias, with torch's graph for each case (see the module docstring)."""
    if input.dim() == 2 and bias is not None:
        return addmm(bias, input, t(weight))
    if bias is not None and _bias_fusable(bias) and input.is_contiguous():
        out = addmm(bias, _rows(input), t(weight))
        return view(out, (*input.shape[:-1], out.shape[1]))
    out = _matmul_weight_t(input, t(weight))
    if bias is not None:
        out = AddBiasInplace.apply(out, bias)
    return out


__all__: list[str] = []
