r"""Singular values (torch.linalg.svdvals) and the norms built on them: the spectral and nuclear
matrix norms, and torch.norm, which reaches them with p = 'nuc'.

$A = U \operatorname{diag}(s) V^T$ (reduced SVD over the last two dims, batched over the rest). Perturbing A moves
each singular value by the matching singular vectors alone: $ds_i = u_i^T dA\, v_i$ (differentiate
$A v_i = s_i u_i$ and use $u_i^T u_i = 1$), so

$$
\frac{\partial L}{\partial A} = \sum_i g_i\, u_i v_i^T = U \operatorname{diag}(g) V^T,
$$

which needs no gaps between the singular values (unlike the gradients of U and V themselves).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .reduction import amax, amin, sum, vector_norm
from .shape import permute, unsqueeze


class SvdVals(Function):
    r"""s = singular values of A, in descending order.   $dA = U \operatorname{diag}(ds) V^T$."""

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        if not ctx.needs_input_grad[0]:
            return np.linalg.svd(a, compute_uv=False).astype(a.dtype, copy=False)
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vh)
        return s.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        u, vh = ctx.saved_tensors
        return (np.matmul(u * grad[..., None, :], vh),)


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:  # noqa: N803  (torch's name)
    """torch.linalg.svdvals: the singular values of A (..., m, n), shape (..., min(m, n))."""
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    kind = A._data.dtype
    if kind.kind != "f":
        name = _SCALAR_NAMES.get(kind.name, kind.name)
        raise RuntimeError(f"linalg.svd: Expected a floating point or complex tensor as input. Got {name}")
    return SvdVals.apply(A)


_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def spectral_matrix_norm(A: Tensor, ord: Any, rows: int, columns: int, keepdim: bool) -> Tensor:  # noqa: N803
    """ord 'nuc' / 2 / -2: the sum / largest / smallest singular value of each matrix over (rows, columns).

    As torch builds it: the two dims are permuted last, the singular values reduced over their last
    dim, and with keepdim the result is permuted back (so the graph is torch's, node for node).
    """
    order = [d for d in range(A.ndim) if d not in (rows, columns)] + [rows, columns]
    values = svdvals(permute(A, order))
    reduce = sum if ord == "nuc" else amax if ord == 2 else amin
    out = reduce(values, -1, keepdim)
    if keepdim:
        out = permute(unsqueeze(out, -1), [order.index(d) for d in range(A.ndim)])
    return out


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """torch.norm: p = 'fro' (the 2-norm of the elements over dim), 'nuc' (the nuclear norm over two
    dims, all of them when dim is None) or a number (a vector p-norm)."""
    if isinstance(p, str) and p != "fro":
        dims = tuple(range(input.ndim)) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dims)}")
        if p != "nuc":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if dtype is not None:
            input = input.to(dtype)
        return spectral_matrix_norm(input, p, dims[0] % input.ndim, dims[1] % input.ndim, keepdim)
    if p == "fro":
        if dim is not None and not isinstance(dim, int) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}")
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


__all__ = ["norm"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS = {"norm": norm}
