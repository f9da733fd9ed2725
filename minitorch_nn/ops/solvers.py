"""torch.linalg's matrix functions and least-squares solvers: matrix_exp, matrix_power, pinv, lstsq,
matrix_rank, solve_triangular (and torch.triangular_solve, torch.cholesky_solve).

Notation as in ops/decompositions.py: matrices in the last two dims, $X^T$ swaps them, G the upstream
gradient, each backward the adjoint of the forward's differential.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor, wrap_dim
from .decompositions import (
    _TYPE_NAMES,
    LinalgLstsqResult,
    TriangularSolveResult,
    _check_float,
    _check_matrix,
    _check_square_float,
    _mT,
    inv,
)
from .indexing import copy_into
from .matmul import matmul
from .shape import clone
from .utils import check_broadcast, unbroadcast


# ---- matrix exponential -------------------------------------------------------------------------
def expm(a: np.ndarray) -> np.ndarray:
    """exp of (a batch of) square matrices: scaling and squaring around a degree-18 Taylor polynomial.

    Scaled to norm <= 1/2 the truncation error is below 0.5^19 / 19! (far under float64's eps).
    """
    norm = float(np.max(np.sum(np.abs(a), axis=-2))) if a.size else 0.0
    squarings = max(0, int(np.ceil(np.log2(norm / 0.5)))) if norm > 0.5 else 0
    scaled = a / (2.0**squarings)
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    result = eye.copy()
    term = eye.copy()
    for j in range(1, 19):
        term = term @ scaled / j
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result


class MatrixExp(Function):
    r"""$Q = \exp(A)$. Backward: $\partial L / \partial A$ is the top-right block of

    $$
    \exp \begin{pmatrix} A^T & G \\ 0 & A^T \end{pmatrix}.
    $$

    (The Frechet derivative of exp at $A^T$ applied to G, which is the adjoint
    of the derivative at A; Higham, Functions of Matrices, thm 3.6.)
    """

    node_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        return expm(a.astype(np.float64)).astype(a.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        a_t = _mT(a).astype(np.float64)
        block = np.zeros(a.shape[:-2] + (2 * n, 2 * n))
        block[..., :n, :n] = a_t
        block[..., n:, n:] = a_t
        block[..., :n, n:] = grad
        return (expm(block)[..., :n, n:].astype(a.dtype),)


def matrix_exp(A: Tensor) -> Tensor:  # noqa: N803
    """torch.linalg.matrix_exp / torch.matrix_exp: exp(A) = sum_k A^k / k! of each square matrix."""
    _check_square_float(A, "linalg.matrix_exp")
    return MatrixExp.apply(A)


def matrix_power(A: Tensor, n: int) -> Tensor:  # noqa: N803
    """torch.linalg.matrix_power: A^n by repeated squaring of matmuls (n < 0: of inv(A)).

    Composite as torch's, so the graph is matmul nodes; n = 0 is the identity copied into a clone
    of A (no gradient flows), n = 1 a clone.
    """
    _check_matrix(A, "linalg.matrix_power")
    if n == 0:
        out = clone(A)
        eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), tuple(A.shape))
        copy_into(out, Tensor._make(np.ascontiguousarray(eye)))
        return out
    base = inv(A) if n < 0 else A
    n = abs(n)
    if n == 1:
        return clone(base)
    # binary decomposition of n, lowest bit first: z runs through base^(2^i)
    square: Tensor | None = None
    result: Tensor | None = None
    while n > 0:
        bit, n = n % 2, n // 2
        square = base if square is None else matmul(square, square)
        if bit:
            result = square if result is None else matmul(result, square)
    return result  # type: ignore[return-value]


# ---- triangular systems -------------------------------------------------------------------------
def _triangle(a: np.ndarray, upper: bool, unitriangular: bool) -> np.ndarray:
    t = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        n = a.shape[-1]
        t = t * (1 - np.eye(n, dtype=a.dtype)) + np.eye(n, dtype=a.dtype)
    return t


def _mask(grad: np.ndarray, upper: bool, unitriangular: bool) -> np.ndarray:
    offset = 1 if unitriangular else 0
    return np.triu(grad, offset) if upper else np.tril(grad, -offset)


def _solve_broadcast(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            return np.linalg.solve(np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:]))
        except np.linalg.LinAlgError:
            # a zero on the diagonal: back-substitution leaves inf / nan, as LAPACK's trtrs does
            return _substitute(np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:]))


def _substitute(t: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Back- (or forward-) substitution row by row, for triangular t that may be singular."""
    n = t.shape[-1]
    upper = not np.any(np.tril(t, -1))
    x = np.zeros(b.shape, dtype=np.result_type(t, b))
    order = range(n - 1, -1, -1) if upper else range(n)
    for i in order:
        known = (t[..., i : i + 1, :] @ x)[..., 0, :]
        x[..., i, :] = (b[..., i, :] - known) / t[..., i, i][..., None]
    return x


class SolveTriangular(Function):
    r"""$X = T^{-1} B$ (left) or $B T^{-1}$ (right), T the upper / lower triangle of A (unit diagonal if
    unitriangular). As Solve: left, $\partial L / \partial B = T^{-T} G$,
    $\partial L / \partial A = -(\partial L / \partial B) X^T$; right, $\partial L / \partial B = G T^{-T}$,
    $\partial L / \partial A = -X^T (\partial L / \partial B)$; $\partial L / \partial A$ keeps only the triangle that
    was read (strictly, if unitriangular).
    """

    node_name = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray, upper: bool, left: bool, unitriangular: bool) -> np.ndarray:
        t = _triangle(a, upper, unitriangular)
        x = _solve_broadcast(t, b) if left else _mT(_solve_broadcast(_mT(t), _mT(b)))
        ctx.save_for_backward(t, x)
        ctx.options = (upper, left, unitriangular, a.shape, b.shape)
        return x.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        t, x = ctx.saved_tensors
        upper, left, unitriangular, a_shape, b_shape = ctx.options
        if left:
            grad_b = _solve_broadcast(_mT(t), grad)
            grad_a = -grad_b @ _mT(x)
        else:
            grad_b = _mT(_solve_broadcast(t, _mT(grad)))
            grad_a = -_mT(x) @ grad_b
        return unbroadcast(_mask(grad_a, upper, unitriangular), a_shape), unbroadcast(grad_b, b_shape), None, None, None


class TriangularSolve(Function):
    r"""torch.triangular_solve: X with $\operatorname{op}(T) X = b$, $\operatorname{op}(T) = T$ or $T^T$ (transpose),
    and a clone M of A.

    As SolveTriangular (left) on op(T): $\partial L / \partial b = \operatorname{op}(T)^{-T} G$,
    $\partial L / \partial \operatorname{op}(T) = -(\partial L / \partial b) X^T$, transposed
    back when op is the transpose, keeping only the triangle of A that was read; the clone adds its
    gradient $G_M$ to all of A.
    """

    node_name = "TriangularSolveBackward0"

    @staticmethod
    def forward(ctx: Any, b: np.ndarray, a: np.ndarray, upper: bool, transpose: bool, unitriangular: bool) -> tuple:
        t = _triangle(a, upper, unitriangular)
        op = _mT(t) if transpose else t
        x = _solve_broadcast(op, b).astype(b.dtype, copy=False)
        ctx.save_for_backward(op, x)
        ctx.options = (upper, transpose, unitriangular, a.shape, b.shape)
        return x, a.copy()

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, grad_clone: np.ndarray) -> tuple:
        op, x = ctx.saved_tensors
        upper, transpose, unitriangular, a_shape, b_shape = ctx.options
        grad_b = _solve_broadcast(_mT(op), grad)
        grad_op = -grad_b @ _mT(x)
        grad_a = _mask(unbroadcast(_mT(grad_op) if transpose else grad_op, a_shape), upper, unitriangular)
        return unbroadcast(grad_b, b_shape), grad_a + grad_clone, None, None, None


def _check_triangular(A: Tensor, B: Tensor, left: bool, name: str) -> None:  # noqa: N803
    for t in (A, B):
        if t._data.dtype.kind != "f":
            raise NotImplementedError(
                f"\"triangular_solve_cpu\" not implemented for '{_TYPE_NAMES[t._data.dtype.name]}'"
            )
    _check_matrix(A, name)
    if B.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"{name}: Incompatible shapes of A and B for the equation {equation} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})"
        )


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:  # noqa: N803
    """torch.linalg.solve_triangular: X with T X = B (left) or X T = B, T a triangle of A."""
    _check_triangular(A, B, left, "linalg.solve_triangular")
    return SolveTriangular.apply(A, B, upper, left, unitriangular)


def triangular_solve(
    b: Tensor,
    A: Tensor,  # noqa: N803
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,
) -> Any:
    """torch.triangular_solve (deprecated, with torch's warning): (solution of op(T) X = b, clone of A)."""
    warnings.warn(
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be removed in a "
        "future PyTorch release.\ntorch.linalg.solve_triangular has its arguments reversed and does not return a "
        "copy of one of the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
        "X = torch.linalg.solve_triangular(A, B).",
        UserWarning,
        stacklevel=2,
    )
    _check_triangular(A, b, True, "linalg.solve_triangular")
    return TriangularSolveResult(*TriangularSolve.apply(b, A, upper, transpose, unitriangular))


class CholeskySolve(Function):
    r"""$X = (L L^T)^{-1} B$ from the Cholesky factor L (upper: $(U^T U)^{-1} B$), $A = L L^T$.

    As Solve: $\partial L / \partial B = A^{-1} G$ (A symmetric) and
    $\partial L / \partial A = -(\partial L / \partial B) X^T$; through $dA = dL\, L^T + L\, dL^T$ (writing
    $\bar{B} = \partial L / \partial B$),

    $$
    \frac{\partial L}{\partial L} = \Big(\frac{\partial L}{\partial A} + \frac{\partial L}{\partial A}^T\Big) L
      = -(\bar{B} X^T + X \bar{B}^T)\, L \qquad (\text{upper: } -U (\dots)).
    $$
    """

    node_name = "CholeskySolveBackward0"

    @staticmethod
    def forward(ctx: Any, b: np.ndarray, factor: np.ndarray, upper: bool) -> np.ndarray:
        t = np.triu(factor) if upper else np.tril(factor)
        a = _mT(t) @ t if upper else t @ _mT(t)
        x = _solve_broadcast(a, b)
        ctx.save_for_backward(t, a, x)
        ctx.options = (upper, b.shape, factor.shape)
        return x.astype(b.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        t, a, x = ctx.saved_tensors
        upper, b_shape, factor_shape = ctx.options
        grad_b = _solve_broadcast(a, grad)
        common = grad_b @ _mT(x)
        common = common + _mT(common)
        grad_factor = -(t @ common) if upper else -(common @ t)
        return unbroadcast(grad_b, b_shape), unbroadcast(grad_factor, factor_shape), None


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky_solve(B, L): X with L L^T X = B (upper: U^T U X = B)."""
    _check_matrix(input2, "linalg.cholesky_solve")
    for t in (input, input2):
        _check_float(t, "cholesky_solve")
    if input._data.dtype != input2._data.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type {_TYPE_NAMES[input._data.dtype.name]} "
            f"and A of type {_TYPE_NAMES[input2._data.dtype.name]} instead."
        )
    return CholeskySolve.apply(input, input2, upper)


# ---- pseudo-inverse, least squares, rank -------------------------------------------------------
def _tolerance(s: np.ndarray, shape: tuple[int, ...], atol: Any, rtol: Any) -> np.ndarray:
    """torch's cutoff max(atol, rtol * s_max); rtol defaults to eps * max(m, n) when atol is unset
    (or zero), to 0 when atol is positive."""
    dtype = s.dtype
    if rtol is None:
        rtol = 0.0 if (atol is not None and np.any(np.asarray(atol) > 0)) else np.finfo(dtype).eps * max(shape[-2:])
    largest = s.max(axis=-1) if s.shape[-1] else np.zeros(s.shape[:-1], dtype=dtype)
    atol = 0.0 if atol is None else np.asarray(atol._data if isinstance(atol, Tensor) else atol)
    rtol = np.asarray(rtol._data if isinstance(rtol, Tensor) else rtol)
    return np.maximum(atol, rtol * largest)


def _pinv_array(a: np.ndarray, hermitian: bool, atol: Any, rtol: Any) -> np.ndarray:
    if hermitian:
        w, v = np.linalg.eigh(a)
        cutoff = _tolerance(np.abs(w), a.shape, atol, rtol)[..., None]
        with np.errstate(divide="ignore"):
            inverse = np.where(np.abs(w) > cutoff, 1.0 / w, 0.0)
        return (v * inverse[..., None, :]) @ _mT(v)
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    cutoff = _tolerance(s, a.shape, atol, rtol)[..., None]
    with np.errstate(divide="ignore"):
        inverse = np.where(s > cutoff, 1.0 / s, 0.0)
    return (_mT(vh) * inverse[..., None, :]) @ _mT(u)


def _pinv_grad(a: np.ndarray, p: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Adjoint of dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P (P = pinv(A), rank fixed):
    dL/dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A)."""
    p_t, g_t = _mT(p), _mT(grad)
    left = np.eye(a.shape[-2], dtype=a.dtype) - a @ p
    right = np.eye(a.shape[-1], dtype=a.dtype) - p @ a
    return -p_t @ grad @ p_t + left @ g_t @ p @ p_t + p_t @ p @ g_t @ right


class Pinv(Function):
    r"""$P = A^+$ (singular values under $\max(\mathrm{atol}, \mathrm{rtol}\, s_{\max})$ treated as zero); backward:
    _pinv_grad.
    """

    node_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, hermitian: bool, atol: Any, rtol: Any) -> np.ndarray:
        p = _pinv_array(a, hermitian, atol, rtol).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, p = ctx.saved_tensors
        return _pinv_grad(a, p, grad), None, None, None


def _check_pinv(A: Tensor) -> None:  # noqa: N803
    if A._data.dtype.kind != "f" or A.ndim < 2:
        name = _TYPE_NAMES.get(A._data.dtype.name, A._data.dtype.name)
        raise RuntimeError(
            f"linalg.pinv({name}{{{list(A.shape)}}}): expected a tensor with 2 or more dimensions of float, "
            "double, cfloat or cdouble types"
        )


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:  # noqa: N803
    """torch.linalg.pinv: the Moore-Penrose pseudo-inverse (..., n, m) of A (..., m, n)."""
    _check_pinv(A)
    return Pinv.apply(A, hermitian, atol, rtol)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: linalg.pinv with rtol = rcond."""
    _check_pinv(input)
    return Pinv.apply(input, False, None, rcond)


class Lstsq(Function):
    r"""$X = \operatorname{argmin} \lVert A X - B \rVert$ (the minimum-norm one), i.e. $X = A^+ B$ for A of full rank,
    and the squared residuals $r_j = \lVert A x_j - b_j \rVert^2$ of each column (only when asked: $m > n$, full rank).

    $dX = dP\, B + P\, dB$, so $\partial L / \partial B = P^T G$ and
    $\partial L / \partial A = \mathrm{\_pinv\_grad}(A, P, G B^T)$. At the minimum $r_j$ does not move with $x_j$ (its
    gradient in $x_j$ is 0), so with $R = A X - B$, $dr_j = 2 R_j \cdot (dA\, x_j - db_j)$:

    $$
    \frac{\partial L}{\partial A} \mathrel{+}= 2 R \operatorname{diag}(g_r) X^T, \qquad
    \frac{\partial L}{\partial B} \mathrel{-}= 2 R \operatorname{diag}(g_r).
    $$
    """

    node_name = "LinalgLstsqBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray, rcond: Any, vector: bool, residuals: bool) -> tuple:
        columns = b[..., None] if vector else b
        p = _pinv_array(a, False, None, rcond)
        batch = np.broadcast_shapes(a.shape[:-2], columns.shape[:-2])
        x = (np.broadcast_to(p, batch + p.shape[-2:]) @ columns).astype(a.dtype, copy=False)
        misfit = a @ x - columns
        squared = (misfit**2).sum(axis=-2) if residuals else np.zeros((0,), dtype=a.dtype)
        ctx.save_for_backward(a, p, columns, x, misfit)
        ctx.options = (a.shape, b.shape, vector, residuals)
        return (x[..., 0] if vector else x), squared.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, grad_residuals: np.ndarray) -> tuple:
        a, p, columns, x, misfit = ctx.saved_tensors
        a_shape, b_shape, vector, residuals = ctx.options
        g = grad[..., None] if vector else grad
        grad_b = _mT(p) @ g
        grad_a = _pinv_grad(a, p, g @ _mT(columns))
        if residuals:
            weighted = 2 * misfit * grad_residuals[..., None, :]
            grad_a = grad_a + weighted @ _mT(x)
            grad_b = grad_b - weighted
        if vector:
            grad_b = grad_b[..., 0]
        return unbroadcast(grad_a, a_shape), unbroadcast(grad_b, b_shape), None, None, None


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> Any:  # noqa: N803
    """torch.linalg.lstsq: (solution, residuals, rank, singular_values) as torch's CPU returns them.

    The default driver is 'gelsy'. rank is computed by all but 'gels' (which assumes full rank),
    singular_values by 'gelsd' / 'gelss'; the squared residuals by all but 'gelsy', when m > n and
    every A has full rank. What a driver does not compute is an empty tensor.
    """
    for t in (A, B):
        if t._data.dtype.kind != "f":
            raise RuntimeError("This function doesn't handle types other than float and double")
    if driver is not None and driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    driver = driver or "gelsy"
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    vector = B.ndim == A.ndim - 1
    rows = B.shape[-1] if vector else B.shape[-2]
    if rows != A.shape[-2]:
        raise RuntimeError(
            "torch.linalg.lstsq: input.size(-1) should match other.size(-1)"
            if vector
            else "torch.linalg.lstsq: input.size(-2) should match other.size(-2)"
        )
    m, n = A.shape[-2:]
    dtype = A._data.dtype
    rcond = np.finfo(dtype).eps * max(m, n) if rcond is None else rcond
    s = np.linalg.svd(A._data, compute_uv=False)
    rank = (s > rcond * s[..., :1]).sum(axis=-1).astype(np.int64)
    residuals = driver != "gelsy" and m > n and (driver == "gels" or bool(np.all(rank == n)))
    solution, squared = Lstsq.apply(A, B, rcond, vector, residuals)
    rank_out = Tensor._make(np.zeros((0,), dtype=np.int64) if driver == "gels" else rank)
    values = Tensor._make(s.astype(dtype) if driver in ("gelsd", "gelss") else np.zeros((0,), dtype=dtype))
    return LinalgLstsqResult(solution, squared, rank_out, values)


def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False, tol: Any = None) -> Tensor:  # noqa: N803
    """torch.linalg.matrix_rank: the number of singular values (|eigenvalues| if hermitian) above
    max(atol, rtol * s_max); int64, no gradient."""
    if A._data.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    _check_matrix(A, "linalg.matrix_rank", square=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    a = A._data
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    cutoff = _tolerance(s, a.shape, atol, rtol)
    return Tensor._make((s > cutoff[..., None]).sum(axis=-1).astype(np.int64))


# ---- cross product ------------------------------------------------------------------------------
class LinalgCross(Function):
    r"""$c = a \times b$ along ``dim`` (size 3), broadcast. c is bilinear, and
    $\langle g, a \times b \rangle = \langle b \times g, a \rangle = \langle g \times a, b \rangle$ (the scalar triple
    product is cyclic), so $\partial L / \partial a = b \times g$ and $\partial L / \partial b = g \times a$.
    """

    node_name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray, dim: int) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return np.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        dim = ctx.dim
        grad_a = np.cross(b, grad, axis=dim) if ctx.needs_input_grad[0] else None
        grad_b = np.cross(grad, a, axis=dim) if ctx.needs_input_grad[1] else None
        return (
            None if grad_a is None else unbroadcast(grad_a, a.shape),
            None if grad_b is None else unbroadcast(grad_b, b.shape),
            None,
        )


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """torch.linalg.cross: the cross product of 3-vectors along ``dim``, broadcast over the rest."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    given, dim = dim, wrap_dim(dim, input.ndim)
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {given} must have length 3. Got {input.shape[dim]} and {other.shape[dim]}"
        )
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(
            f"expected scalar type {_TYPE_NAMES[input._data.dtype.name]} but found {_TYPE_NAMES[other._data.dtype.name]}"
        )
    check_broadcast(tuple(input.shape), tuple(other.shape))
    return LinalgCross.apply(input, other, dim)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: linalg.cross, but dim=None (deprecated, with torch's warning) picks the first
    dim of size 3."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim explicitly "
            "or simply use torch.linalg.cross.\nThe default value of dim will change to agree with that of "
            "linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
        sizes = [d for d, n in enumerate(shape) if n == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    return linalg_cross(input, other, dim=dim)


__all__ = ["cross", "cholesky_solve", "matrix_exp", "matrix_power", "pinverse", "triangular_solve"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS = {
    "cholesky_solve": cholesky_solve,
    "cross": cross,
    "matrix_exp": matrix_exp,
    "matrix_power": matrix_power,
    "pinverse": pinverse,
    "triangular_solve": triangular_solve,
}
