"""Embedding lookup (a gather of rows) and its scatter-add backward.

Forward. W is a (num_embeddings, dim) table and idx an integer tensor of any
shape; the output stacks the rows it names::

    y[..., :] = W[idx[...], :]           (y has shape idx.shape + (dim,))

Backward. Every y[k, :] is a copy of one row W[idx[k], :], so the row
receives the sum of the gradients of all positions that read it::

    dL/dW[r, :] = sum_{k : idx[k] = r} G[k, :]          (G = dL/dy)

a scatter-add of the rows of G into a zero table. Two options change it:

- ``padding_idx = p``: row p is treated as a constant, dL/dW[p, :] = 0
  (its entries of G are simply not added).
- ``scale_grad_by_freq``: each row's sum is divided by the number of times
  its index occurs in idx (a mean instead of a sum over repeats).

The indices get no gradient (they are integers), so torch's
``EmbeddingBackward0`` node has a single edge, to the weight; ours too (the
indices reach the Function as a plain array).

``embedding_renorm_`` (behind F.embedding's ``max_norm``) rescales in place,
outside autograd, every row that idx names whose p-norm exceeds max_norm:
W[r] *= max_norm / (||W[r]||_p + 1e-7), as torch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


def _check_indices(indices: np.ndarray) -> None:
    if indices.dtype not in (np.int64, np.int32):
        names = {"float32": "Float", "float64": "Double", "bool": "Bool", "int16": "Short", "int8": "Char"}
        kind = names.get(indices.dtype.name, indices.dtype.name)
        # torch names a bool tensor by its backend type here
        found = "CPUBoolType" if indices.dtype == np.bool_ else f"torch.{kind}Tensor"
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {found} instead (while checking arguments for embedding)"
        )


class Embedding(Function):
    """y = W[idx]  (rows gathered);  dW = scatter-add of dy's rows at idx (see the module docstring)."""

    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(
        ctx: Any, weight: np.ndarray, indices: np.ndarray, padding_idx: int, scale_grad_by_freq: bool
    ) -> np.ndarray:
        if weight.ndim != 2:
            raise RuntimeError("'weight' must be 2-D")
        _check_indices(indices)
        rows = weight.shape[0]
        if indices.size and (indices.min() < 0 or indices.max() >= rows):
            raise IndexError("index out of range in self")
        ctx.indices, ctx.rows = indices, rows
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        flat = ctx.indices.reshape(-1)
        rows_grad = grad.reshape(flat.size, grad.shape[-1])
        if ctx.scale_grad_by_freq:
            counts = np.bincount(flat, minlength=ctx.rows)
            rows_grad = rows_grad / counts[flat, np.newaxis].astype(grad.dtype)
        if ctx.padding_idx >= 0:
            keep = flat != ctx.padding_idx
            flat, rows_grad = flat[keep], rows_grad[keep]
        gw = np.zeros((ctx.rows, grad.shape[-1]), dtype=grad.dtype)
        np.add.at(gw, flat, rows_grad)
        return gw, None, None, None


def embedding(
    weight: Tensor, input: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False, sparse: bool = False
) -> Tensor:
    """``torch.embedding``: rows of ``weight`` at ``input``; ``padding_idx`` -1 means none (torch's convention)."""
    if sparse:
        raise RuntimeError("sparse embedding gradients are not supported by minitorch_nn (use sparse=False)")
    indices = input._data if isinstance(input, Tensor) else np.asarray(input)
    return Embedding.apply(weight, indices, int(padding_idx), bool(scale_grad_by_freq))


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """Rescale in place the rows of ``input`` named by ``indices`` whose ``norm_type``-norm exceeds ``max_norm``."""
    table = input._data
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    _check_indices(idx)
    rows = np.unique(idx.reshape(-1))
    n = table.shape[0]
    # torch selects each distinct index in sorted order: a negative one in range wraps (the lookup
    # rejects it afterwards), the first one out of range fails the select
    bad = rows[(rows < -n) | (rows >= n)]
    if bad.size:
        raise IndexError(f"select(): index {bad[0]} out of range for tensor of size {list(table.shape)} at dimension 0")
    rows = np.unique(rows % n) if n else rows
    norms = np.linalg.norm(table[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    scale = max_norm / (norms[big] + 1e-7)
    table[rows[big]] *= scale[:, np.newaxis].astype(table.dtype)
    input._version_counter.value += 1
    return input


__all__ = ["embedding", "embedding_renorm_"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
