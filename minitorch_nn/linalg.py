"""torch.linalg: vector and matrix norms, singular values and multi_dot; determinants, inverses,
solvers and decompositions (ops/decompositions.py), matrix functions and least squares (ops/solvers.py).

``vector_norm`` is one op (ops/reduction.py, LinalgVectorNormBackward0). ``matrix_norm`` and ``norm``
build the matrix norms from it and amax/amin as torch does, so their graphs (and grad_fn names)
are torch's: 'fro' is the vector 2-norm over the two dims, ord = 1 / -1 the largest / smallest
column 1-norm, ord = inf / -inf the largest / smallest row 1-norm; ord = 2 / -2 the largest /
smallest singular value and 'nuc' their sum (svdvals, ops/spectral.py, over the two dims moved last).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .autograd.tensor import Tensor, wrap_dim
from .ops.arithmetic import div, mul, reciprocal
from .ops.decompositions import _LinAlgError as LinAlgError
from .ops.decompositions import (
    cholesky_ex,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    lu,
    lu_factor,
    lu_factor_ex,
    lu_solve,
    solve,
)
from .ops.decompositions import linalg_cholesky as cholesky
from .ops.decompositions import linalg_qr as qr
from .ops.decompositions import linalg_slogdet as slogdet
from .ops.decompositions import linalg_svd as svd
from .ops.indexing import masked_fill
from .ops.products import multi_dot
from .ops.reduction import amax, amin, sum, vector_norm
from .ops.shape import squeeze
from .ops.solvers import linalg_cross as cross
from .ops.solvers import lstsq, matrix_exp, matrix_power, matrix_rank, pinv, solve_triangular
from .ops.spectral import spectral_matrix_norm, svdvals
from .ops.unary import nan_to_num

_INF = float("inf")

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "inv_ex",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
    "svd",
    "svdvals",
    "vector_norm",
]


def _matrix_dims(A: Tensor, dim: Any) -> tuple[int, int]:  # noqa: N803  (torch's names)
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    dim = tuple(dim) if not isinstance(dim, int) else (dim,)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}")
    for d in dim:
        wrap_dim(d, A.ndim)  # torch's IndexError for a dim out of range
    rows, columns = dim[0] % A.ndim, dim[1] % A.ndim
    if rows == columns:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({rows}, {columns})")
    return rows, columns


def matrix_norm(
    A: Tensor,  # noqa: N803
    ord: Any = "fro",
    dim: Any = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """The matrix norm of A over the two dims ``dim`` (rows, columns): 'fro', 'nuc', 1, -1, 2, -2, inf or -inf."""
    rows, columns = _matrix_dims(A, dim)
    if ord == "fro":
        return vector_norm(A, 2, (rows, columns), keepdim, dtype=dtype)
    if ord in ("nuc", 2, -2):
        return spectral_matrix_norm(A if dtype is None else A.to(dtype), ord, rows, columns, keepdim)
    if isinstance(ord, str) or ord not in (1, -1, _INF, -_INF):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    # ord = +-1: the 1-norm of each column (down the rows), then the extreme over the columns;
    # +-inf the other way round
    summed, extreme = (rows, columns) if abs(ord) == 1 else (columns, rows)
    if not keepdim and summed < extreme:
        extreme -= 1  # the summed dim is gone
    picked = amax if ord > 0 else amin
    return picked(vector_norm(A, 1, summed, keepdim, dtype=dtype), extreme, keepdim)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: N803
    """torch.linalg.norm: a vector norm over one dim (or all, flattened, when ord and dim are None),
    a matrix norm over two."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
        if len(dims) == 1:
            if isinstance(ord, str):
                raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dims[0]}")
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2):
        raise RuntimeError(
            f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D."
        )
    if A.ndim == 1:
        if isinstance(ord, str):
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


_COND_ORDS = (None, 2, -2, 1, -1, _INF, -_INF, "fro", "nuc")


def cond(A: Tensor, p: Any = None) -> Tensor:  # noqa: N803
    """torch.linalg.cond: the condition number ||A||_p ||A^{-1}||_p, built from torch's pieces.

    p = None / 2 / -2: the ratio of the largest and smallest singular values (any shape);
    'nuc': sum(s) * sum(1 / s); 1 / -1 / inf / -inf / 'fro' (square A): the two norms with the
    inverse from inv_ex, a singular matrix's inverse set to inf and a nan product read as inf.
    """
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p not in _COND_ORDS or isinstance(p, bool):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if p in (None, 2, -2, "nuc"):
        values = svdvals(A)
        if A.numel() == 0:
            return sum(values, -1) * 0
        if p == "nuc":
            with np.errstate(divide="ignore", invalid="ignore"):  # a singular A: inf or nan, as torch's
                return mul(sum(values, -1), sum(reciprocal(values), -1))
        largest, smallest = values[..., :1], values[..., -1:]
        return squeeze(div(smallest, largest) if p == -2 else div(largest, smallest), -1)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"linalg.cond(ord={p}): A must be batches of square matrices, but they are "
            f"{A.shape[-2]} by {A.shape[-1]} matrices"
        )
    if A.numel() == 0:
        return sum(sum(A, -1), -1) * 0
    inverse, info = inv_ex(A)
    inverse = masked_fill(inverse, (info > 0)[..., None, None], _INF)
    with np.errstate(invalid="ignore"):  # 0 * inf for a zero matrix: nan, then read as inf
        product = mul(matrix_norm(A, p), matrix_norm(inverse, p))
    return nan_to_num(product, _INF, _INF)
