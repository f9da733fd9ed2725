r"""Bilinear form: $y = x_1^T A x_2 + b$ per output feature, built as torch builds it.

torch.bilinear flattens the leading dims of x1 (..., I) and x2 (..., J) to rows, runs one
``_trilinear`` (node ``TrilinearBackward0``), views the (B, O) result back to (..., O) and adds the
bias (``AddBackward0``). The trilinear product, for rows b, output o:

$$
y[b, o] = \sum_{i, j} x_1[b, i]\, W[o, i, j]\, x_2[b, j]
$$

is linear in each of its three arguments, so each gradient is the same sum with the upstream
gradient $G = \partial L / \partial y$ in place of that argument:

$$
\begin{aligned}
\frac{\partial L}{\partial x_1[b, i]} &= \sum_{o, j} G[b, o]\, W[o, i, j]\, x_2[b, j], \\
\frac{\partial L}{\partial W[o, i, j]} &= \sum_b G[b, o]\, x_1[b, i]\, x_2[b, j], \\
\frac{\partial L}{\partial x_2[b, j]} &= \sum_{o, i} G[b, o]\, x_1[b, i]\, W[o, i, j],
\end{aligned}
$$

each one einsum (NumPy contracts them as GEMMs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


class Trilinear(Function):
    r"""$y[b, o] = \sum_{i,j} x_1[b, i]\, W[o, i, j]\, x_2[b, j]$ (see the module docstring for the gradients)."""

    node_name = "TrilinearBackward0"

    @staticmethod
    def forward(ctx: Any, x1: np.ndarray, weight: np.ndarray, x2: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x1, weight, x2)
        return np.einsum("bi,oij,bj->bo", x1, weight, x2, optimize=True)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x1, weight, x2 = ctx.saved_tensors
        need_x1, need_w, need_x2 = ctx.needs_input_grad[:3]
        g1 = np.einsum("bo,oij,bj->bi", grad, weight, x2, optimize=True) if need_x1 else None
        gw = np.einsum("bo,bi,bj->oij", grad, x1, x2, optimize=True) if need_w else None
        g2 = np.einsum("bo,bi,oij->bj", grad, x1, weight, optimize=True) if need_x2 else None
        return g1, gw, g2


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x1^T W[o] x2 + b[o] over the last dims of input1 (..., in1) and input2 (..., in2); W (out, in1, in2)."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {i}: got {input1.shape[i]} and "
                f"{input2.shape[i]}"
            )
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but expected {weight.shape[1]}"
        )
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but expected {weight.shape[2]}"
        )
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {bias.shape[-1] if bias.dim() else 1} but "
            f"expected {weight.shape[0]}"
        )
    lead = tuple(input1.shape[:-1])
    rows = Trilinear.apply(input1.reshape(-1, input1.shape[-1]), weight, input2.reshape(-1, input2.shape[-1]))
    out = rows.view(*lead, weight.shape[0])
    return out if bias is None else out + bias


__all__ = ["bilinear"]

TENSOR_METHODS: dict = {}
