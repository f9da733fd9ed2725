"""Registry entries: torch.linalg's determinants, inverses, solvers and decompositions.

Inputs are built for each op so that its gradient is defined and well conditioned: diagonally
dominant matrices (positive diagonal, so det > 0) for det / inv / solve, Gram matrices of those for
Cholesky, symmetric matrices with eigenvalues at least 0.3 apart for eigh, and singular values at
least 0.3 apart for svd / pinv / lstsq. Ops that read one triangle (cholesky, eigh) are called on
a symmetrized input, so the finite differences see the symmetric matrix torch's gradient assumes.
Eigen- and singular vectors are fixed up to sign by making their first row positive (the sign of a
vector is LAPACK's free choice; the product with its sign is what both libraries agree on).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


def _dominant(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    n = shape[-1]
    return rng.uniform(-1, 1, size=shape) + (n + 1) * np.eye(n)


def _spread(rng: np.random.Generator, shape: tuple[int, ...], symmetric: bool = False) -> np.ndarray:
    """U diag(s) V^T (V = U if symmetric), s at least 0.3 apart and from 0 (signs mixed if symmetric)."""
    *batch, m, n = shape
    k = min(m, n)
    out = np.empty(shape)
    for index in np.ndindex(*batch):
        u, _ = np.linalg.qr(rng.standard_normal((m, k)))
        v = u if symmetric else np.linalg.qr(rng.standard_normal((n, k)))[0]
        s = 0.5 + 0.3 * rng.permutation(k) + rng.uniform(0, 0.1, size=k)
        if symmetric:
            s = s - 0.3 * (k // 2)
        out[index] = (u * s) @ v.T
    return out


@st.composite
def _square(draw: Any, build: Any = _dominant, max_side: int = 4, **kwargs: Any) -> Any:
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    n = draw(st.integers(1, max_side))
    seed = draw(S.seeds)
    x = build(np.random.default_rng(seed), batch + (n, n))
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _rectangular(draw: Any, max_side: int = 4) -> Any:
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=1)))
    m, n = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    seed = draw(S.seeds)
    x = _spread(np.random.default_rng(seed), batch + (m, n))
    return S.sample((x,), {}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _solve(draw: Any) -> Any:
    """A (batch, n, n) and B broadcasting against it: a matrix (.., n, k), or a vector (n,) / (batch, n)."""
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    left = draw(st.booleans())
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    a = _dominant(rng, batch + (n, n))
    kind = draw(st.sampled_from(["matrix", "broadcast", "vector", "batched_vector"]) if left else st.just("matrix"))
    if kind == "matrix":
        b_shape = batch + ((n, k) if left else (k, n))
    elif kind == "broadcast":
        b_shape = (1,) * len(batch) + (n, k) if batch and draw(st.booleans()) else (n, k)
    elif kind == "vector":
        b_shape = (n,)
    else:
        b_shape = batch + (n,)
    b = rng.uniform(-1, 1, size=b_shape)
    return S.sample((a, b), {"left": left}, noncontiguous=draw(st.booleans()), seed=seed)


def _matrix_b(s: Any) -> bool:
    """B a matrix of the right size whose batch broadcasts with A's (a 'batched vector' may not)."""
    a, b = s.inputs
    if b.ndim < 2 or b.shape[-2 if s.kwargs["left"] else -1] != a.shape[-1]:
        return False
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        return False
    return True


@st.composite
def _lu_solve(draw: Any) -> Any:
    """A solve sample whose B is a matrix (lu_solve has no vector B), with adjoint drawn."""
    s = draw(_solve().filter(_matrix_b))
    s.kwargs["adjoint"] = draw(st.booleans())
    return s


@st.composite
def _triangular(draw: Any) -> Any:
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=1)))
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    left = draw(st.booleans())
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    a = _dominant(rng, batch + (n, n))
    b = rng.uniform(-1, 1, size=batch + ((n, k) if left else (k, n)))
    kwargs = {"upper": draw(st.booleans()), "left": left, "unitriangular": draw(st.booleans())}
    return S.sample((a, b), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _cholesky_solve(draw: Any) -> Any:
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=1)))
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    upper = draw(st.booleans())
    factor = _dominant(rng, batch + (n, n))
    factor = np.triu(factor) if upper else np.tril(factor)
    b = rng.uniform(-1, 1, size=batch + (n, k))
    return S.sample((b, factor), {"upper": upper}, seed=seed)


@st.composite
def _lstsq(draw: Any) -> Any:
    """Full-rank A (m >= n: the solution is unique) and B (m, k) or a batch-less B."""
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    n = draw(st.integers(1, 3))
    m = draw(st.integers(n, 4))
    k = draw(st.integers(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    a = _spread(rng, batch + (m, n))
    b = rng.uniform(-1, 1, size=batch + (m, k))
    kwargs = {"driver": draw(st.sampled_from([None, "gels", "gelsy", "gelsd", "gelss"]))}
    return S.sample((a, b), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _symmetric(x: Any) -> Any:
    return (x + x.transpose(-2, -1)) * 0.5


def _gram(x: Any) -> Any:
    return x @ x.transpose(-2, -1)


def _signed_columns(lib: Any, vectors: Any, by: Any = None) -> Any:
    """vectors with each column multiplied by the sign of ``by``'s first row (default: its own)."""
    by = vectors if by is None else by
    return vectors * lib.sign(by[..., :1, :])


def _svd(lib: Any, x: Any, full_matrices: bool) -> Any:
    u, s, vh = lib.linalg.svd(x, full_matrices=full_matrices)
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]  # the extra columns of a full U / V are any orthonormal basis
    signs = lib.sign(u[..., :1, :])
    return s, u * signs, vh * signs.transpose(-2, -1)


def _torch_svd(lib: Any, x: Any) -> Any:
    u, s, v = lib.svd(x)
    signs = lib.sign(u[..., :1, :])
    return s, u * signs, v * signs


def _eigh(lib: Any, x: Any, UPLO: str) -> Any:  # noqa: N803
    w, v = lib.linalg.eigh(_symmetric(x), UPLO=UPLO)
    return w, _signed_columns(lib, v)


def _qr(lib: Any, x: Any, mode: str) -> Any:
    q, r = lib.linalg.qr(x, mode=mode)
    signs = lib.sign(lib.diagonal(r, 0, -2, -1)).unsqueeze(-1)  # R's diagonal made positive
    k = r.shape[-2]
    return q[..., :k] * signs.transpose(-2, -1), r * signs


@st.composite
def _cross(draw: Any) -> Any:
    """Two broadcastable shapes of the same rank holding 3 in one dim, and that dim (as given)."""
    shape_a, shape_b = draw(S.broadcastable_shapes(2, min_dims=1, max_dims=3, max_side=3))
    n = max(len(shape_a), len(shape_b), 1)
    shape_a, shape_b = (1,) * (n - len(shape_a)) + shape_a, (1,) * (n - len(shape_b)) + shape_b
    dim = draw(st.integers(-n, n - 1))
    shape_a, shape_b = list(shape_a), list(shape_b)
    shape_a[dim] = shape_b[dim] = 3
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    arrays = (rng.uniform(-1, 1, size=tuple(shape_a)), rng.uniform(-1, 1, size=tuple(shape_b)))
    return S.sample(arrays, {"dim": dim}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _cond(draw: Any) -> Any:
    # the other orders (1, inf, 'fro', ...) go through an in-place masked_fill of inv_ex's output,
    # which torch's own backward refuses: their values are tested in tests/test_linalg.py
    p = draw(st.sampled_from([None, 2, -2, "nuc"]))
    square = draw(_square(_spread))
    if p != "nuc" and draw(st.booleans()):  # the nuclear norm's cond takes square matrices only
        square = draw(_rectangular())
    square.kwargs["p"] = p
    return square


OPS = [
    OpInfo("linalg_det", lambda lib, x: lib.linalg.det(x), _square),
    OpInfo("det_method", lambda lib, x: x.det(), _square),
    OpInfo("linalg_slogdet", lambda lib, x: tuple(lib.linalg.slogdet(x)), _square),
    OpInfo("slogdet", lambda lib, x: lib.slogdet(x).logabsdet, _square),
    OpInfo("logdet", lambda lib, x: lib.logdet(x), _square),
    OpInfo("linalg_inv", lambda lib, x: lib.linalg.inv(x), _square),
    OpInfo("linalg_inv_ex", lambda lib, x: tuple(lib.linalg.inv_ex(x)), _square),
    OpInfo("inverse", lambda lib, x: lib.inverse(x), _square),
    OpInfo("linalg_solve", lambda lib, a, b, left: lib.linalg.solve(a, b, left=left), _solve),
    OpInfo(
        "linalg_cholesky",
        lambda lib, x, upper: lib.linalg.cholesky(_gram(x), upper=upper),
        lambda: _square(upper=False) | _square(upper=True),
    ),
    OpInfo("linalg_cholesky_ex", lambda lib, x: tuple(lib.linalg.cholesky_ex(_gram(x))), _square),
    OpInfo("linalg_qr", lambda lib, x: _qr(lib, x, "reduced"), _rectangular),
    OpInfo(
        "linalg_qr_complete",
        lambda lib, x: _qr(lib, x, "complete"),
        lambda: _rectangular().filter(lambda s: s.inputs[0].shape[-2] <= s.inputs[0].shape[-1]),
    ),
    OpInfo("linalg_svd", lambda lib, x: _svd(lib, x, False), _rectangular),
    OpInfo("linalg_svd_full", lambda lib, x: _svd(lib, x, True), _rectangular),
    OpInfo("svd", _torch_svd, _rectangular),
    OpInfo(
        "linalg_eigh",
        lambda lib, x, UPLO: _eigh(lib, x, UPLO),  # noqa: N803
        lambda: (
            _square(lambda rng, shape: _spread(rng, shape, symmetric=True), UPLO="L")
            | _square(lambda rng, shape: _spread(rng, shape, symmetric=True), UPLO="U")
        ),
    ),
    OpInfo(
        "linalg_eigvalsh",
        lambda lib, x: lib.linalg.eigvalsh(_symmetric(x)),
        lambda: _square(lambda rng, shape: _spread(rng, shape, symmetric=True)),
    ),
    OpInfo(
        "linalg_matrix_power",
        lambda lib, x, n: lib.linalg.matrix_power(x * 0.3, n),
        lambda: st.integers(-3, 5).flatmap(lambda n: _square(n=n)),
    ),
    OpInfo("matrix_exp", lambda lib, x: lib.linalg.matrix_exp(x * 0.3), _square),
    OpInfo(
        "matrix_exp_method",
        lambda lib, x: x.matrix_exp(),
        lambda: _square(lambda rng, shape: rng.uniform(-1, 1, shape)),
    ),
    OpInfo("linalg_pinv", lambda lib, x: lib.linalg.pinv(x), _rectangular),
    OpInfo(
        "linalg_pinv_hermitian",
        lambda lib, x: lib.linalg.pinv(_symmetric(x), hermitian=True),
        lambda: _square(lambda rng, shape: _spread(rng, shape, symmetric=True)),
    ),
    OpInfo("pinverse", lambda lib, x: lib.pinverse(x), _rectangular),
    OpInfo(
        "linalg_lstsq",
        lambda lib, a, b, driver: tuple(lib.linalg.lstsq(a, b, driver=driver))[:3],  # singular_values: no grad
        _lstsq,
    ),
    OpInfo(
        "linalg_solve_triangular",
        lambda lib, a, b, upper, left, unitriangular: lib.linalg.solve_triangular(
            a, b, upper=upper, left=left, unitriangular=unitriangular
        ),
        _triangular,
    ),
    OpInfo("linalg_lu_factor", lambda lib, x: tuple(lib.linalg.lu_factor(x)), _rectangular),
    OpInfo("linalg_lu_factor_ex", lambda lib, x: tuple(lib.linalg.lu_factor_ex(x)), _square),
    OpInfo("linalg_lu", lambda lib, x: tuple(lib.linalg.lu(x)), _rectangular),
    OpInfo(
        "linalg_lu_solve",
        lambda lib, a, b, left, adjoint: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=left, adjoint=adjoint),
        _lu_solve,
    ),
    OpInfo("linalg_cross", lambda lib, a, b, dim: lib.linalg.cross(a, b, dim=dim), _cross),
    OpInfo("cross", lambda lib, a, b, dim: lib.cross(a, b, dim), _cross),
    OpInfo("linalg_cond", lambda lib, x, p: lib.linalg.cond(x, p), _cond),
    OpInfo(
        "triangular_solve",
        lambda lib, a, b, upper, left, unitriangular: tuple(
            lib.triangular_solve(b if left else b.transpose(-2, -1), a, upper, not left, unitriangular)
        ),
        _triangular,
    ),
    OpInfo("torch_cholesky", lambda lib, x, upper: lib.cholesky(_gram(x), upper), lambda: _square(upper=True)),
    OpInfo(
        "torch_qr_complete",
        lambda lib, x: lib.qr(x, some=False)[1].abs(),
        lambda: _rectangular().filter(lambda s: s.inputs[0].shape[-2] <= s.inputs[0].shape[-1]),
    ),
    OpInfo("matrix_power_method", lambda lib, x, n: (x * 0.3).matrix_power(n), lambda: _square(n=-2) | _square(n=4)),
    OpInfo(
        "cholesky_solve",
        lambda lib, b, factor, upper: lib.cholesky_solve(b, factor.triu() if upper else factor.tril(), upper),
        _cholesky_solve,
    ),
]
