r"""torch.linalg's determinants, inverses, solvers and decompositions, each backward written by hand.

Notation: matrices live in the last two dims (batched over the rest), $X^T$ swaps those two dims,
G is the upstream gradient of an output, $\langle G, dY \rangle = \sum G \odot dY$. Each backward is the adjoint
of the forward's differential: write dY as a linear map of dA, then move it across the inner product:

$$
\langle G, dY \rangle = \langle G, \mathcal{J}(dA) \rangle = \langle \mathcal{J}^*(G), dA \rangle,
\qquad \frac{\partial L}{\partial A} = \mathcal{J}^*(G).
$$

Forwards call NumPy's LAPACK wrappers; where torch's error names a pivot (the singular diagonal
element of LU, the leading minor Cholesky stopped at), a small NumPy elimination finds it, on the
failing path only.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .comparison import where
from .return_types import named_result
from .shape import transpose
from .spectral import svdvals
from .utils import unbroadcast

LinalgSlogdetResult = named_result("linalg_slogdet", ("sign", "logabsdet"))
SlogdetResult = named_result("slogdet", ("sign", "logabsdet"))
LinalgInvExResult = named_result("linalg_inv_ex", ("inverse", "info"))
LinalgCholeskyExResult = named_result("linalg_cholesky_ex", ("L", "info"))
LinalgQrResult = named_result("linalg_qr", ("Q", "R"))
QrResult = named_result("qr", ("Q", "R"))
LinalgSvdResult = named_result("linalg_svd", ("U", "S", "Vh"))
SvdResult = named_result("svd", ("U", "S", "V"))
LinalgEighResult = named_result("linalg_eigh", ("eigenvalues", "eigenvectors"))
LinalgLstsqResult = named_result("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
LinalgLuFactorResult = named_result("linalg_lu_factor", ("LU", "pivots"))
LinalgLuFactorExResult = named_result("linalg_lu_factor_ex", ("LU", "pivots", "info"))
LinalgLuResult = named_result("linalg_lu", ("P", "L", "U"))
TriangularSolveResult = named_result("triangular_solve", ("solution", "cloned_coefficient"))


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a singular or non positive-definite input."""


_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
_TYPE_NAMES = {"float32": "Float", "float64": "Double", **_SCALAR_NAMES}


def _mT(a: np.ndarray) -> np.ndarray:  # noqa: N802
    return np.swapaxes(a, -1, -2)


def _check_float(A: Tensor, name: str) -> None:  # noqa: N803
    kind = A._data.dtype
    if kind.kind != "f":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got {_TYPE_NAMES[kind.name]}"
        )


def _check_matrix(A: Tensor, name: str, square: bool = True) -> None:  # noqa: N803
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} matrices"
        )


def _check_square_float(A: Tensor, name: str) -> None:  # noqa: N803
    _check_matrix(A, name)
    _check_float(A, name)


def _zero_pivot(a: np.ndarray) -> int:
    """1-based index of the first zero pivot of LU with partial pivoting (0 when there is none)."""
    u = a.astype(np.float64, copy=True)
    n = u.shape[-1]
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1 :] -= np.outer(u[k + 1 :, k] / u[k, k], u[k])
    return 0


def _pivots(a: np.ndarray) -> np.ndarray:
    """_zero_pivot of every matrix of a batch, shape a.shape[:-2] (int32, as torch's info)."""
    info = np.zeros(a.shape[:-2], dtype=np.int32)
    for index in np.ndindex(*a.shape[:-2]):
        info[index] = _zero_pivot(a[index])
    return info


def _batch_prefix(info: np.ndarray) -> tuple[str, int]:
    first = next(i for i in np.ndindex(*info.shape) if info[i] != 0) if info.ndim else ()
    prefix = f"(Batch element {int(np.ravel_multi_index(first, info.shape))}): " if info.ndim else ""
    return prefix, int(info[first])


# ---- determinants -------------------------------------------------------------------------------
class Det(Function):
    r"""$d = \det A$.   Jacobi's formula: $\mathrm{d}d = d \operatorname{tr}(A^{-1} dA)$, so
    $\partial L / \partial A = g\, d\, A^{-T}$.
    """

    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        d = np.linalg.det(a).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, d = ctx.saved_tensors
        return ((grad * d)[..., None, None] * _mT(np.linalg.inv(a)),)


class Slogdet(Function):
    r"""$(\mathrm{sign}, \log|\det A|)$. sign is piecewise constant (its gradient is zero, but as in torch it is an
    output of the node);
    $\mathrm{d} \log|\det A| = \operatorname{tr}(A^{-1} dA)$, so $\partial L / \partial A = g A^{-T}$.
    """

    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> tuple:
        sign, logabsdet = np.linalg.slogdet(a)
        ctx.save_for_backward(a)
        sign = sign.astype(a.dtype, copy=False)
        return sign, logabsdet.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad_sign: np.ndarray, grad: np.ndarray) -> tuple:
        (a,) = ctx.saved_tensors
        return (grad[..., None, None] * _mT(np.linalg.inv(a)),)


def det(A: Tensor) -> Tensor:  # noqa: N803  (torch's names)
    """torch.linalg.det / torch.det: the determinant of each matrix of A (..., n, n)."""
    _check_square_float(A, "linalg.det")
    return Det.apply(A)


def linalg_slogdet(A: Tensor) -> Any:  # noqa: N803
    """torch.linalg.slogdet: (sign, logabsdet) with det A = sign * exp(logabsdet)."""
    _check_square_float(A, "linalg.slogdet")
    return LinalgSlogdetResult(*Slogdet.apply(A))


def slogdet(input: Tensor) -> Any:
    """torch.slogdet: linalg.slogdet under the name torch.return_types.slogdet."""
    return SlogdetResult(*linalg_slogdet(input))


def logdet(input: Tensor) -> Tensor:
    """torch.logdet: log det A, nan where det A < 0 (built as torch builds it: slogdet, then where)."""
    _check_float(input, "logdet")
    _check_matrix(input, "linalg.slogdet")
    sign, logabsdet = Slogdet.apply(input)
    return where(sign < 0, float("nan"), logabsdet)


# ---- inverse and solve --------------------------------------------------------------------------
class InvEx(Function):
    r"""$X = A^{-1}$.   $dX = -X\, dA\, X$, so $\partial L / \partial A = -X^T G X^T$."""

    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, check_errors: bool, name: str = "linalg.inv") -> tuple:
        info = np.zeros(a.shape[:-2], dtype=np.int32)
        try:
            x = np.linalg.inv(a)
        except np.linalg.LinAlgError:  # some matrix is singular: find its zero pivot, as LAPACK's info
            info = _pivots(a)
            with np.errstate(divide="ignore", invalid="ignore"):
                x = _inverse(a, info)
        if check_errors and np.any(info):
            prefix, pivot = _batch_prefix(info)
            raise _LinAlgError(
                f"{name}: {prefix}The diagonal element {pivot} is zero, the inversion could not be completed "
                "because the input matrix is singular."
            )
        ctx.save_for_backward(x)
        ctx.mark_non_differentiable(info)
        return x, info

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, grad_info: Any) -> tuple:
        (x,) = ctx.saved_tensors
        x_t = _mT(x)
        return -x_t @ grad @ x_t, None, None


def _inverse(a: np.ndarray, info: np.ndarray) -> np.ndarray:
    """inv of each matrix; a singular one gets inf / nan entries as LAPACK leaves them (and an info
    of n if rounding hid its zero pivot from the elimination in _zero_pivot)."""
    out = np.empty_like(a)
    for index in np.ndindex(*info.shape):
        try:
            out[index] = np.linalg.inv(a[index])
        except np.linalg.LinAlgError:
            out[index] = np.linalg.pinv(a[index]) * np.inf  # no finite inverse: inf / nan like torch
            info[index] = info[index] or a.shape[-1]
    return out


def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:  # noqa: N803
    """torch.linalg.inv_ex: (inverse, info), info the 1-based zero pivot of LU (0: invertible)."""
    _check_square_float(A, "linalg.inv")
    return LinalgInvExResult(*InvEx.apply(A, check_errors, "linalg.inv_ex"))


def inv(A: Tensor) -> Tensor:  # noqa: N803
    """torch.linalg.inv / torch.inverse: A^{-1}; a singular A raises torch's LinAlgError."""
    _check_square_float(A, "linalg.inv")
    return InvEx.apply(A, True)[0]


class Solve(Function):
    r"""$X = A^{-1} B$ (left) or $X = B A^{-1}$ (right; solved as $A^T X^T = B^T$).

    $$
    \begin{aligned}
    \text{left:}\quad & dX = A^{-1}(dB - dA\, X), &
    \frac{\partial L}{\partial B} &= A^{-T} G, & \frac{\partial L}{\partial A} &= -\frac{\partial L}{\partial B} X^T, \\
    \text{right:}\quad & dX = (dB - X\, dA) A^{-1}, &
    \frac{\partial L}{\partial B} &= G A^{-T}, & \frac{\partial L}{\partial A} &= -X^T \frac{\partial L}{\partial B}.
    \end{aligned}
    $$

    A vector B (..., n) is solved as the column (..., n, 1); the gradients are un-broadcast
    to the batch shapes of A and B.
    """

    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray, left: bool, vector: bool) -> np.ndarray:
        columns = b[..., None] if vector else b
        if not left:
            a, columns = _mT(a), _mT(columns)
        batch = np.broadcast_shapes(a.shape[:-2], columns.shape[:-2])
        try:
            x = np.linalg.solve(
                np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(columns, batch + columns.shape[-2:])
            )
        except np.linalg.LinAlgError:
            raise _LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
        ctx.save_for_backward(a, x)
        ctx.shapes = (a.shape, b.shape)
        ctx.left, ctx.vector = left, vector
        if not left:
            x = _mT(x)
        return x[..., 0] if vector else x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, x = ctx.saved_tensors  # a, x of the left problem a x = columns
        a_shape, b_shape = ctx.shapes
        g = grad[..., None] if ctx.vector else grad
        if not ctx.left:
            g = _mT(g)
        batch = x.shape[:-2]
        grad_columns = np.linalg.solve(np.broadcast_to(_mT(a), batch + a.shape[-2:]), g)
        grad_a = -grad_columns @ _mT(x)
        if not ctx.left:
            grad_columns, grad_a = _mT(grad_columns), _mT(grad_a)
        if ctx.vector:
            grad_columns = grad_columns[..., 0]
        return unbroadcast(grad_a, a_shape), unbroadcast(grad_columns, b_shape), None, None


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """torch.linalg.solve: X with AX = B (left) or XA = B; B (..., n) is a vector when its shape
    is A's without the last dim, or it is 1-d."""
    _check_square_float(A, "linalg.solve")
    _check_float(B, "linalg.solve")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{_TYPE_NAMES[A._data.dtype.name]} and B of type {_TYPE_NAMES[B._data.dtype.name]} instead"
        )
    n = A.shape[-1]
    # as torch: B is a vector when 1-d or A's shape without the last dim, and is then solved as a column
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if not vector and B.ndim < 2:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    matrix = tuple(B.shape) + (1,) if vector else tuple(B.shape)
    if (matrix[-2] if left else matrix[-1]) != n:
        b_text = "x".join(str(s) for s in matrix[-2:])
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {equation} ({n}x{n} and {b_text})"
        )
    return Solve.apply(A, B, left, vector)


# ---- Cholesky -----------------------------------------------------------------------------------
def _leading_minor(a: np.ndarray) -> int:
    """The order of the first leading minor that is not positive-definite (0 when none is)."""
    n = a.shape[-1]
    for k in range(1, n + 1):
        try:
            np.linalg.cholesky(a[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return 0


class CholeskyEx(Function):
    r"""$A = L L^T$ from A's lower triangle (upper: $A = U^T U$, $U = L^T$, from the upper triangle).

    $dA = dL\, L^T + L\, dL^T$; with $P = L^{-1} dA\, L^{-T}$ (symmetric), $L^{-1} dL$ is lower triangular,
    so $dL = L\, \Phi(P)$, $\Phi$ taking the lower triangle with the diagonal halved. The adjoint:

    $$
    M = \operatorname{tril}(L^T G), \qquad S = \tfrac{1}{2} \big(M + \operatorname{tril}(M, -1)^T\big), \qquad
    \frac{\partial L}{\partial A} = L^{-T} S L^{-1},
    $$

    M made symmetric with every entry halved, and the result symmetric (A is read as a symmetric matrix).
    """

    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, upper: bool, check_errors: bool) -> tuple:
        if upper:  # LAPACK reads the triangle it is asked for
            symmetric = np.triu(a) + _mT(np.triu(a, 1))
        else:
            symmetric = np.tril(a) + _mT(np.tril(a, -1))
        info = np.zeros(a.shape[:-2], dtype=np.int32)
        try:
            out = np.linalg.cholesky(symmetric)
        except np.linalg.LinAlgError:  # some matrix is not positive-definite: factor one by one
            out = np.zeros_like(a)
            for index in np.ndindex(*info.shape):
                try:
                    out[index] = np.linalg.cholesky(symmetric[index])
                except np.linalg.LinAlgError:
                    info[index] = _leading_minor(symmetric[index])
        if check_errors and np.any(info):
            prefix, order = _batch_prefix(info)
            raise _LinAlgError(
                f"linalg.cholesky: {prefix}The factorization could not be completed because the input is not "
                f"positive-definite (the leading minor of order {order} is not positive-definite)."
            )
        ctx.save_for_backward(out)
        ctx.upper = upper
        ctx.mark_non_differentiable(info)
        return (_mT(out).copy() if upper else out), info

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, grad_info: Any) -> tuple:
        (lower,) = ctx.saved_tensors
        g = _mT(grad) if ctx.upper else grad
        m = np.tril(_mT(lower) @ np.tril(g))
        s = 0.5 * (m + _mT(np.tril(m, -1)))
        inv_lower = np.linalg.inv(lower)
        return _mT(inv_lower) @ s @ inv_lower, None, None


class Cholesky(CholeskyEx):
    """torch.cholesky's node: the same factorization under its own name."""

    node_name = "CholeskyBackward0"


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:  # noqa: N803
    """torch.linalg.cholesky_ex: (L, info), info the order of the failing leading minor (0: success)."""
    _check_square_float(A, "linalg.cholesky")
    return LinalgCholeskyExResult(*CholeskyEx.apply(A, upper, check_errors))


def linalg_cholesky(A: Tensor, *, upper: bool = False) -> Tensor:  # noqa: N803
    """torch.linalg.cholesky: L lower triangular with A = L L^T (upper=True: U with A = U^T U)."""
    _check_square_float(A, "linalg.cholesky")
    return CholeskyEx.apply(A, upper, True)[0]


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky (deprecated, with torch's warning)."""
    warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
        "PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = torch.linalg.cholesky(A)\nand\n"
        "U = torch.cholesky(A, upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\n"
        "This transform will produce equivalent results for all valid (symmetric positive definite) inputs.",
        UserWarning,
        stacklevel=2,
    )
    _check_square_float(input, "linalg.cholesky")
    return Cholesky.apply(input, upper, True)[0]


# ---- QR -----------------------------------------------------------------------------------------
def _copyltu(m: np.ndarray) -> np.ndarray:
    """The symmetric matrix with m's strict lower triangle mirrored above, m's diagonal kept."""
    return np.tril(m, -1) + _mT(np.tril(m, -1)) + m * np.eye(m.shape[-1], dtype=m.dtype)


def _solve_upper_right(r: np.ndarray, b: np.ndarray) -> np.ndarray:
    """b R^{-T}, R square upper triangular."""
    return _mT(np.linalg.solve(r, _mT(b)))


class Qr(Function):
    r"""$A = Q R$, Q with orthonormal columns, R upper triangular (over the last two dims).

    Tall or square ($m \ge n$, reduced): from $dA = dQ\, R + Q\, dR$, $C = Q^T dQ$ is skew-symmetric and
    $dR\, R^{-1}$ upper triangular; the adjoint is

    $$
    M = R\, G_R^T - G_Q^T Q, \qquad \frac{\partial L}{\partial A} = \big(G_Q + Q \operatorname{copyltu}(M)\big) R^{-T}.
    $$

    Wide ($m < n$): $A = [X \mid Y]$ with $X = Q U$ square, $Y = Q V$; Y adds $G_Q \leftarrow G_Q + Y G_V^T$ and
    $\partial L / \partial Y = Q G_V$, and the square rule gives $\partial L / \partial X$ with $G_U$.
    """

    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, mode: str) -> tuple:
        q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
        q, r = q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)
        ctx.save_for_backward(q, r)
        ctx.mode = mode
        if mode == "r":
            return np.zeros((0,), dtype=a.dtype), r
        return q, r

    @staticmethod
    def backward(ctx: Any, grad_q: np.ndarray, grad_r: np.ndarray) -> tuple:
        q, r = ctx.saved_tensors
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
            )
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_square_grad(q, r, grad_q, grad_r), None
        square_r, rest = r[..., :m], r[..., m:]
        grad_square_r, grad_rest = grad_r[..., :m], grad_r[..., m:]
        y = q @ rest
        grad_x = _qr_square_grad(q, square_r, grad_q + y @ _mT(grad_rest), grad_square_r)
        return np.concatenate([grad_x, q @ grad_rest], axis=-1), None


def _qr_square_grad(q: np.ndarray, r: np.ndarray, grad_q: np.ndarray, grad_r: np.ndarray) -> np.ndarray:
    m_term = r @ _mT(grad_r) - _mT(grad_q) @ q
    return _solve_upper_right(r, grad_q + q @ _copyltu(m_term))


def linalg_qr(A: Tensor, mode: str = "reduced") -> Any:  # noqa: N803
    """torch.linalg.qr: (Q, R); mode 'reduced' (Q m x k), 'complete' (Q m x m) or 'r' (Q empty)."""
    if mode not in ("reduced", "r", "complete"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'"
        )
    _check_matrix(A, "linalg.qr", square=False)
    _check_float(A, "linalg.qr")
    return LinalgQrResult(*Qr.apply(A, mode))


def qr(input: Tensor, some: bool = True) -> Any:
    """torch.qr (deprecated, with torch's warning): some=False is mode 'complete'."""
    warnings.warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch release.\n"
        "The boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
        "Q, R = torch.qr(A, some)\nshould be replaced with\n"
        "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')",
        UserWarning,
        stacklevel=2,
    )
    return QrResult(*linalg_qr(input, "reduced" if some else "complete"))


# ---- SVD ----------------------------------------------------------------------------------------
class Svd(Function):
    r"""$A = U \operatorname{diag}(S) V_h$, singular values descending (full_matrices: U m x m, Vh n x n).

    With $k = \min(m, n)$, $F_{ij} = 1 / (S_j^2 - S_i^2)$ ($i \ne j$; 0 on the diagonal), $V = V_h^T$,
    $J = F \odot (U^T G_U - G_U^T U)$, $K = F \odot (V^T G_V - G_V^T V)$, the adjoint of the differential is

    $$
    \frac{\partial L}{\partial A} = U \big(J S + \operatorname{diag}(G_S) + S K\big) V^T
      + (I - U U^T)\, G_U S^{-1} V^T + U S^{-1} G_V^T (I - V V^T)
    $$

    (only the first k columns of a full U, V enter it, as in torch). Repeated singular values make F
    infinite: the gradient of U, V is then undefined (inf / nan, as torch's), that of S is not affected.
    """

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, full_matrices: bool) -> tuple:
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        u, s, vh = (x.astype(a.dtype, copy=False) for x in (u, s, vh))
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx: Any, grad_u: np.ndarray, grad_s: np.ndarray, grad_vh: np.ndarray) -> tuple:
        u, s, vh = ctx.saved_tensors
        k = s.shape[-1]
        u, vh, grad_u, grad_vh = u[..., :k], vh[..., :k, :], grad_u[..., :k], grad_vh[..., :k, :]
        v, grad_v = _mT(vh), _mT(grad_vh)
        inner = grad_s[..., None, :] * np.eye(k, dtype=s.dtype)
        if not (np.any(grad_u) or np.any(grad_vh)):
            return u @ inner @ vh, None
        squares = s * s
        with np.errstate(divide="ignore"):
            gaps = squares[..., None, :] - squares[..., :, None]  # S_j^2 - S_i^2
            f = np.where(np.eye(k, dtype=bool), 0.0, 1.0 / gaps)
        uhgu = _mT(u) @ grad_u
        vhgv = _mT(v) @ grad_v
        with np.errstate(invalid="ignore"):  # inf * 0 at repeated singular values: nan, as torch's
            j = f * (uhgu - _mT(uhgu))
            kk = f * (vhgv - _mT(vhgv))
        inner = inner + j * s[..., None, :] + s[..., :, None] * kk
        grad_a = u @ inner @ vh
        inv_s = 1.0 / s
        m, n = u.shape[-2], v.shape[-2]
        if m > k:
            grad_a = grad_a + (grad_u - u @ uhgu) * inv_s[..., None, :] @ vh
        if n > k:
            grad_a = grad_a + (u * inv_s[..., None, :]) @ (_mT(grad_v) - vhgv.swapaxes(-1, -2) @ vh)
        return grad_a, None


def linalg_svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None) -> Any:  # noqa: N803
    """torch.linalg.svd: (U, S, Vh) with A = U diag(S) Vh."""
    _check_matrix(A, "linalg.svd", square=False)
    _check_float(A, "linalg.svd")
    return LinalgSvdResult(*Svd.apply(A, full_matrices))


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """torch.svd: (U, S, V) with A = U diag(S) V^T (V, not Vh); compute_uv=False gives zero U and V."""
    _check_matrix(input, "linalg.svd", square=False)
    _check_float(input, "linalg.svd")
    if not compute_uv:
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        dtype = input._data.dtype
        return SvdResult(
            Tensor._make(np.zeros(batch + (m, m), dtype=dtype)),
            svdvals(input),
            Tensor._make(np.zeros(batch + (n, n), dtype=dtype)),
        )
    u, s, vh = Svd.apply(input, not some)
    return SvdResult(u, s, transpose(vh, -2, -1))


# ---- symmetric eigendecomposition --------------------------------------------------------------
class Eigh(Function):
    r"""$A = V \operatorname{diag}(w) V^T$ from one triangle of A (UPLO), eigenvalues ascending.

    $dw_i = v_i^T dA\, v_i$ and $dV = V (F \odot (V^T dA\, V))$, $F_{ij} = 1 / (w_j - w_i)$ (0 on the diagonal), so

    $$
    \frac{\partial L}{\partial A} = V \big(\operatorname{diag}(G_w) + F \odot (V^T G_V)\big) V^T,
    $$

    with $V^T G_V$ first made skew-symmetric (only that part moves an orthogonal V).
    Repeated eigenvalues make F infinite, as in torch.
    """

    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, uplo: str, eigenvectors: bool) -> tuple:
        w, v = np.linalg.eigh(a, UPLO=uplo)
        w, v = w.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)
        ctx.save_for_backward(w, v)
        return (w, v) if eigenvectors else w

    @staticmethod
    def backward(ctx: Any, grad_w: np.ndarray, grad_v: np.ndarray | None = None) -> tuple:
        w, v = ctx.saved_tensors
        n = w.shape[-1]
        inner = grad_w[..., None, :] * np.eye(n, dtype=w.dtype)
        if grad_v is not None and np.any(grad_v):
            vhgv = _mT(v) @ grad_v
            vhgv = 0.5 * (vhgv - _mT(vhgv))
            with np.errstate(divide="ignore"):
                f = np.where(np.eye(n, dtype=bool), 0.0, 1.0 / (w[..., None, :] - w[..., :, None]))
            inner = inner + f * vhgv
        return v @ inner @ _mT(v), None, None


def _check_uplo(UPLO: str) -> None:  # noqa: N803
    if UPLO.upper() not in ("L", "U"):  # torch takes either case
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def _check_eigh_dtype(A: Tensor) -> None:  # noqa: N803
    if A._data.dtype.kind != "f":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{_TYPE_NAMES[A._data.dtype.name]}'")


def eigh(A: Tensor, UPLO: str = "L") -> Any:  # noqa: N803
    """torch.linalg.eigh: (eigenvalues ascending, eigenvectors as columns) of symmetric A."""
    _check_uplo(UPLO)
    _check_matrix(A, "linalg.eigh")
    _check_eigh_dtype(A)
    return LinalgEighResult(*Eigh.apply(A, UPLO.upper(), True))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """torch.linalg.eigvalsh: the eigenvalues of symmetric A, ascending."""
    _check_uplo(UPLO)
    _check_matrix(A, "linalg.eigh")
    _check_eigh_dtype(A)
    return Eigh.apply(A, UPLO.upper(), False)


# ---- LU -----------------------------------------------------------------------------------------
def _lu_packed(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian elimination with partial pivoting, as LAPACK's getrf: (LU packed, 1-based pivots
    (int32, row k swapped with row pivots[k] - 1), info = first zero pivot, 1-based, or 0).
    A column with a zero pivot is left unscaled (it is all zero below the diagonal), as LAPACK does."""
    lu = a.copy()
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    flat = lu.reshape(-1, m, n)
    pivots = np.zeros((flat.shape[0], k), dtype=np.int32)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    rows = np.arange(flat.shape[0])
    for j in range(k):
        p = j + np.argmax(np.abs(flat[:, j:, j]), axis=-1)
        pivots[:, j] = p + 1
        swapped = flat[rows, p].copy()
        flat[rows, p] = flat[:, j]
        flat[:, j] = swapped
        pivot = flat[:, j, j]
        zero = pivot == 0
        info = np.where(zero & (info == 0), j + 1, info)
        with np.errstate(divide="ignore", invalid="ignore"):
            column = np.where(zero[:, None], 0.0, flat[:, j + 1 :, j] / np.where(zero, 1.0, pivot)[:, None])
        flat[:, j + 1 :, j] = column
        flat[:, j + 1 :, j + 1 :] -= column[:, :, None] * flat[:, j, None, j + 1 :]
    return lu, pivots.reshape(batch + (k,)), info.reshape(batch)


def _permutation(pivots: np.ndarray, m: int, dtype: np.dtype) -> np.ndarray:
    """P with A = P L U from LAPACK's sequential row swaps."""
    order = np.broadcast_to(np.arange(m), pivots.shape[:-1] + (m,)).copy()
    flat, flat_pivots = order.reshape(-1, m), pivots.reshape(-1, pivots.shape[-1]) - 1
    rows = np.arange(flat.shape[0])
    for j in range(flat_pivots.shape[-1]):  # the swaps in order, each over the whole batch at once
        p = flat_pivots[:, j]
        swapped = flat[rows, p].copy()
        flat[rows, p] = flat[:, j]
        flat[:, j] = swapped
    # row i of P^T A is row order[i] of A, so P[order[i], i] = 1
    eye = np.eye(m, dtype=dtype)
    return np.swapaxes(eye[order], -1, -2)


def _split(lu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m, n = lu.shape[-2:]
    k = min(m, n)
    lower = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype)
    return lower, np.triu(lu[..., :k, :])


def _lu_grad(p: np.ndarray, lower: np.ndarray, upper: np.ndarray, grad_l: np.ndarray, grad_u: np.ndarray) -> np.ndarray:
    """dL/dA of A = P L U (L unit lower m x k, U upper k x n) given G_L (strictly lower) and G_U (upper).

    Square: X = L^{-1} P^T dA U^{-1} splits into dL = L tril(X, -1) and dU = triu(X) U, so
        dL/dA = P L^{-T} (tril(L^T G_L, -1) + triu(G_U U^T)) U^{-T}.
    Wide (A = P L [U1 | U2]): dU2 = L^{-1}(P^T dA2 - dL U2) adds -L^{-T} G_U2 U2^T to G_L and gives
    dL/dA2 = P L^{-T} G_U2. Tall (P^T A = [L1; L2] U): dL2 = (P^T dA2 - L2 dU) U^{-1} adds
    -L2^T G_L2 U^{-T} to G_U and gives P^T-rows dL/dA2 = G_L2 U^{-T}.
    """
    m, n = lower.shape[-2], upper.shape[-1]
    k = min(m, n)
    l1, u1 = lower[..., :k, :], upper[..., :, :k]
    g_l1, g_u1 = grad_l[..., :k, :], grad_u[..., :, :k]
    rest_a = None
    if n > k:
        inv_l_t = np.linalg.inv(_mT(l1))
        g_u2 = grad_u[..., :, k:]
        g_l1 = g_l1 - inv_l_t @ g_u2 @ _mT(upper[..., :, k:])
        rest_a = inv_l_t @ g_u2  # columns k: of P^T dL/dA
    if m > k:
        inv_u_t = np.linalg.inv(_mT(u1))
        g_l2 = grad_l[..., k:, :]
        g_u1 = g_u1 - _mT(lower[..., k:, :]) @ g_l2 @ inv_u_t
        rest_a = g_l2 @ inv_u_t  # rows k: of P^T dL/dA
    middle = np.tril(_mT(l1) @ g_l1, -1) + np.triu(g_u1 @ _mT(u1))
    square = np.linalg.solve(_mT(l1), _mT(np.linalg.solve(u1, _mT(middle))))
    if rest_a is None:
        full = square
    elif n > k:
        full = np.concatenate([square, rest_a], axis=-1)
    else:
        full = np.concatenate([square, rest_a], axis=-2)
    return p @ full


class LuFactorEx(Function):
    r"""(LU, pivots, info) = getrf(A): L (unit lower) and U packed in one matrix; backward _lu_grad
    with $G_L = \operatorname{tril}(G_{LU}, -1)$, $G_U = \operatorname{triu}(G_{LU})$.
    """

    node_name = "LinalgLuFactorExBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, check_errors: bool, name: str) -> tuple:
        lu, pivots, info = _lu_packed(a)
        if check_errors and np.any(info):
            prefix, order = _batch_prefix(info)
            raise RuntimeError(
                f"{name}: {prefix}U[{order},{order}] is zero and using it on lu_solve would result in a division "
                "by zero. If you still want to perform the factorization, consider calling linalg.lu(A, pivot) or "
                "linalg.lu_factor_ex(A, pivot)"
            )
        ctx.save_for_backward(lu, pivots)
        ctx.mark_non_differentiable(pivots, info)
        return lu, pivots, info

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, grad_pivots: Any, grad_info: Any) -> tuple:
        lu, pivots = ctx.saved_tensors
        lower, upper = _split(lu)
        k = min(lu.shape[-2:])
        p = _permutation(pivots, lu.shape[-2], lu.dtype)
        return _lu_grad(p, lower, upper, np.tril(grad[..., :, :k], -1), np.triu(grad[..., :k, :])), None, None


class Lu(Function):
    """(P, L, U) with $A = P L U$; P a permutation (no gradient); backward _lu_grad."""

    node_name = "LinalgLuBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> tuple:
        lu, pivots, _ = _lu_packed(a)
        lower, upper = _split(lu)
        p = _permutation(pivots, a.shape[-2], a.dtype)
        ctx.save_for_backward(p, lower, upper)
        ctx.mark_non_differentiable(p)
        return p, lower, upper

    @staticmethod
    def backward(ctx: Any, grad_p: Any, grad_l: np.ndarray, grad_u: np.ndarray) -> tuple:
        p, lower, upper = ctx.saved_tensors
        return (_lu_grad(p, lower, upper, np.tril(grad_l, -1), np.triu(grad_u)),)


def _check_lu(A: Tensor, pivot: bool, name: str) -> None:  # noqa: N803
    if A.ndim < 2:
        raise RuntimeError(
            f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead"
        )
    if A._data.dtype.kind != "f":
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_TYPE_NAMES[A._data.dtype.name]}'")
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False) -> Any:  # noqa: N803
    """torch.linalg.lu_factor_ex: (LU, pivots, info), info the first zero pivot (1-based) or 0."""
    _check_lu(A, pivot, "linalg.lu_factor")
    return LinalgLuFactorExResult(*LuFactorEx.apply(A, check_errors, "torch.linalg.lu_factor_ex"))


def lu_factor(A: Tensor, *, pivot: bool = True) -> Any:  # noqa: N803
    """torch.linalg.lu_factor: (LU, pivots) of A = P L U, L and U packed; a zero pivot raises."""
    _check_lu(A, pivot, "linalg.lu_factor")
    lu, pivots, _ = LuFactorEx.apply(A, True, "torch.linalg.lu_factor")
    return LinalgLuFactorResult(lu, pivots)


def lu(A: Tensor, *, pivot: bool = True) -> Any:  # noqa: N803
    """torch.linalg.lu: (P, L, U) with A = P L U."""
    _check_lu(A, pivot, "linalg.lu_factor")  # torch names lu_factor here too
    return LinalgLuResult(*Lu.apply(A))


class LuSolve(Function):
    r"""X with $\operatorname{op}(A) X = B$ (left) or $X \operatorname{op}(A) = B$, $A = P L U$ from lu_factor,
    $\operatorname{op}(A) = A$ or $A^T$ (adjoint).

    As Solve on op(A): left, $\partial L / \partial B = \operatorname{op}(A)^{-T} G$ and
    $\partial L / \partial \operatorname{op}(A) = -(\partial L / \partial B) X^T$; right,
    $\partial L / \partial B = G \operatorname{op}(A)^{-T}$ and
    $\partial L / \partial \operatorname{op}(A) = -X^T (\partial L / \partial B)$. From $\partial L / \partial A$,
    through $dA = P (dL\, U + L\, dU)$:

    $$
    \frac{\partial L}{\partial LU} = \operatorname{tril}(P^T G_A U^T, -1) + \operatorname{triu}(L^T P^T G_A).
    $$
    """

    node_name = "LinalgLuSolveBackward0"

    @staticmethod
    def forward(ctx: Any, lu: np.ndarray, pivots: np.ndarray, b: np.ndarray, left: bool, adjoint: bool) -> np.ndarray:
        lower, upper = _split(lu)
        p = _permutation(pivots, lu.shape[-1], lu.dtype)
        a = p @ lower @ upper
        op = _mT(a) if adjoint else a
        system = op if left else _mT(op)
        columns = b if left else _mT(b)
        batch = np.broadcast_shapes(system.shape[:-2], columns.shape[:-2])
        x = np.linalg.solve(
            np.broadcast_to(system, batch + system.shape[-2:]), np.broadcast_to(columns, batch + columns.shape[-2:])
        )
        x = x if left else _mT(x)
        ctx.save_for_backward(p, lower, upper, op, x)
        ctx.options = (left, adjoint, lu.shape, b.shape)
        return x.astype(b.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        p, lower, upper, op, x = ctx.saved_tensors
        left, adjoint, lu_shape, b_shape = ctx.options
        batch = x.shape[:-2]
        op_t = np.broadcast_to(_mT(op), batch + op.shape[-2:])
        if left:
            grad_b = np.linalg.solve(op_t, grad)
            grad_op = -grad_b @ _mT(x)
        else:
            grad_b = _mT(np.linalg.solve(_mT(op_t), _mT(grad)))
            grad_op = -_mT(x) @ grad_b
        grad_a = _mT(grad_op) if adjoint else grad_op
        rotated = _mT(p) @ grad_a
        grad_lu = np.tril(rotated @ _mT(upper), -1) + np.triu(_mT(lower) @ rotated)
        return unbroadcast(grad_lu, lu_shape), None, unbroadcast(grad_b, b_shape), None, None


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False) -> Tensor:  # noqa: N803
    """torch.linalg.lu_solve: X with A X = B (A^T X = B if adjoint; X A = B if not left), A from lu_factor."""
    _check_square_float(LU, "torch.linalg.lu_solve")
    n = LU.shape[-1]
    if B.ndim < 2 or (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(
            f"linalg.lu_solve: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
            f"({n}x{n} and {'x'.join(str(d) for d in B.shape[-2:])})"
        )
    return LuSolve.apply(LU, pivots, B, left, adjoint)


def inverse(input: Tensor) -> Tensor:
    """torch.inverse: linalg.inv."""
    return inv(input)


__all__ = ["det", "inverse", "logdet", "slogdet", "cholesky", "qr", "svd"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS = {
    "det": det,
    "inverse": inverse,
    "logdet": logdet,
    "slogdet": slogdet,
    "cholesky": cholesky,
    "qr": qr,
    "svd": svd,
}
