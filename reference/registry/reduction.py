"""Registry entries: reductions."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _dims(draw: Any, values: str = "uniform", single: bool = False, at_most: int = 4) -> Any:
    """A shape, a dim (int or tuple, negative allowed) and keepdim; values uniform or tie-free."""
    shape = draw(S.shapes(1, 4))
    dims = draw(
        st.lists(
            st.integers(-len(shape), len(shape) - 1),
            min_size=1,
            max_size=1 if single else min(len(shape), at_most),
            unique_by=lambda d: d % len(shape),
        )
    )
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    dim = dims[0] if single or (len(dims) == 1 and draw(st.booleans())) else tuple(dims)
    x = S.distinct(rng, shape, 0.05) if values == "distinct" else S.array(rng, shape)
    return S.sample((x,), {"dim": dim, "keepdim": draw(st.booleans())}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _whole(draw: Any, values: str = "uniform", min_dims: int = 0, min_side: int = 1) -> Any:
    shape = draw(S.shapes(min_dims, 4, min_side))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.distinct(rng, shape, 0.05) if values == "distinct" else S.array(rng, shape)
    return S.sample((x,), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _ties(draw: Any) -> Any:
    """Values drawn from a few levels, so the maximum repeats: torch splits its gradient evenly."""
    shape = draw(S.shapes(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 0.5, 1.5], size=shape)
    x.reshape(-1)[0] = 1.5
    return S.sample((x,), seed=seed)


@st.composite
def _variance(draw: Any) -> Any:
    s = draw(_dims())
    shape = s.inputs[0].shape
    dims = s.kwargs["dim"] if isinstance(s.kwargs["dim"], tuple) else (s.kwargs["dim"],)
    n = int(np.prod([shape[d] for d in dims]))
    s.kwargs["correction"] = draw(st.sampled_from([c for c in (0, 1, 2) if c < n] or [0]))
    if n == 1:  # a single element: the variance is 0 and its derivative is not defined (sqrt at 0)
        s.kwargs["correction"] = 0
        # two elements along the first reduced dim; concatenate keeps the rank, so negative dims
        # still name the same dims (stacking added one, and (1, -2) could then both mean dim 1)
        s.inputs = (np.concatenate([s.inputs[0], s.inputs[0] + 0.5], axis=dims[0]),)
    return s


@st.composite
def _prod(draw: Any) -> Any:
    s = draw(_dims(single=True))
    if draw(st.booleans()):  # a zero in the input: the gradient is then not prod / x
        s.inputs[0].reshape(-1)[0] = 0.0
    return s


@st.composite
def _with_nan(draw: Any) -> Any:
    """Uniform values with a few NaNs (nansum and nanmean skip them), over drawn dims."""
    s = draw(_dims())
    x = s.inputs[0]
    rng = np.random.default_rng(s.seed)
    x.reshape(-1)[rng.integers(0, x.size, size=draw(st.integers(0, 2)))] = np.nan
    return s


@st.composite
def _with_dtype(draw: Any) -> Any:
    s = draw(_dims())
    s.kwargs["dtype"] = draw(st.sampled_from(["float64", None]))
    return s


@st.composite
def _vector_norm(draw: Any) -> Any:
    """An ord, dims (None, int or tuple, negative allowed), keepdim; values away from 0 (|x| has a
    kink there) and, for the max/min norms, with distinct magnitudes."""
    ord = draw(st.sampled_from([2, 1, 3, 0.5, -1, 0, float("inf"), float("-inf")]))
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = np.asarray(S.away_from(rng, shape, (0.0,), 0.1))
    if abs(ord) == float("inf"):
        x = np.asarray(np.sign(x) * (np.abs(S.distinct(rng, shape, 0.05)) + 0.1))
    kwargs: dict = {"ord": ord, "keepdim": draw(st.booleans())}
    if shape and draw(st.booleans()):
        dims = draw(
            st.lists(
                st.integers(-len(shape), len(shape) - 1),
                min_size=1,
                max_size=len(shape),
                unique_by=lambda d: d % len(shape),
            )
        )
        kwargs["dim"] = dims[0] if len(dims) == 1 else tuple(dims)
    else:
        kwargs["dim"] = None
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _one_dim(draw: Any) -> Any:
    """A vector norm over one dim (what linalg.norm does with a number ord and one dim)."""
    s = draw(_vector_norm())
    x = s.inputs[0]
    if x.ndim == 0:
        s.inputs = (x.reshape(1),)
    s.kwargs["dim"] = draw(st.integers(-s.inputs[0].ndim, s.inputs[0].ndim - 1))
    return s


@st.composite
def _matrix_norm(draw: Any) -> Any:
    """A matrix (or a batch of them), an ord among 'fro', 1, -1, inf, -inf, and two dims."""
    shape = draw(S.shapes(2, 3, 1))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = np.asarray(S.away_from(rng, shape, (0.0,), 0.1))
    n = len(shape)
    dims = draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2, unique_by=lambda d: d % n))
    kwargs = {
        "ord": draw(st.sampled_from(["fro", 1, -1, float("inf"), float("-inf")])),
        "dim": tuple(dims),
        "keepdim": draw(st.booleans()),
    }
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def integer_dims(draw: Any, kinds: str = "ib") -> Any:
    """An int64 or bool tensor (no gradient), one dim of it and keepdim: torch's result dtypes."""
    shape = draw(S.shapes(0, 3))
    n = max(len(shape), 1)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(list(kinds)))
    x = rng.integers(-3, 4, size=shape) if kind == "i" else rng.integers(0, 2, size=shape).astype(bool)
    kwargs = {"dim": draw(st.integers(-n, n - 1)), "keepdim": draw(st.booleans())}
    return S.sample((np.asarray(x),), kwargs, seed=seed)


@st.composite
def _unbiased(draw: Any) -> Any:
    s = draw(_variance())
    s.kwargs.pop("correction")
    s.kwargs["unbiased"] = draw(st.booleans())
    if s.kwargs["unbiased"]:  # n - 1 > 0 needs two elements per slice
        dims = s.kwargs["dim"] if isinstance(s.kwargs["dim"], tuple) else (s.kwargs["dim"],)
        x = s.inputs[0]
        if int(np.prod([x.shape[d] for d in dims])) < 2:
            s.inputs = (np.concatenate([x, x + 0.5], axis=dims[0]),)
    return s


def _dtype(lib: Any, name: str | None) -> Any:
    return None if name is None else getattr(lib, name)


OPS = [
    OpInfo("sum", lambda lib, x: x.sum(), _whole),
    OpInfo("sum_dim", lambda lib, x, dim, keepdim: x.sum(dim, keepdim=keepdim), _dims),
    OpInfo("mean", lambda lib, x: lib.mean(x), _whole),
    OpInfo("mean_dim", lambda lib, x, dim, keepdim: x.mean(dim, keepdim=keepdim), _dims),
    OpInfo("max", lambda lib, x: x.max(), lambda: _whole("distinct")),
    OpInfo("min", lambda lib, x: lib.min(x), lambda: _whole("distinct")),
    OpInfo("max_ties", lambda lib, x: x.max(), _ties, gradcheck=False),  # not differentiable at ties
    OpInfo("min_ties", lambda lib, x: (-x).min(), _ties, gradcheck=False),
    OpInfo("max_dim", lambda lib, x, dim, keepdim: x.max(dim, keepdim), lambda: _dims("distinct", True)),
    OpInfo(
        "min_dim", lambda lib, x, dim, keepdim: lib.min(x, dim=dim, keepdim=keepdim), lambda: _dims("distinct", True)
    ),
    OpInfo(
        "max_dim_values", lambda lib, x, dim, keepdim: x.max(dim, keepdim).values * 2, lambda: _dims("distinct", True)
    ),
    OpInfo("amax", lambda lib, x, dim, keepdim: x.amax(dim, keepdim), lambda: _dims("distinct")),
    OpInfo("amin", lambda lib, x, dim, keepdim: lib.amin(x, dim, keepdim), lambda: _dims("distinct")),
    OpInfo("amax_ties", lambda lib, x: x.amax(0), _ties, gradcheck=False),
    OpInfo(
        "argmax", lambda lib, x, dim, keepdim: x.argmax(dim, keepdim), lambda: _dims("distinct", True), gradcheck=False
    ),
    OpInfo(
        "argmin",
        lambda lib, x, dim, keepdim: lib.argmin(x, dim, keepdim),
        lambda: _dims("distinct", True),
        gradcheck=False,
    ),
    OpInfo("argmax_all", lambda lib, x: lib.argmax(x), lambda: _whole("distinct"), gradcheck=False),
    OpInfo("prod", lambda lib, x: x.prod(), _whole),
    OpInfo("prod_dim", lambda lib, x, dim, keepdim: x.prod(dim, keepdim), _prod),
    OpInfo("var", lambda lib, x: x.var(), lambda: _whole(min_dims=1, min_side=2)),
    OpInfo("var_dim", lambda lib, x, **kw: lib.var(x, **kw), _variance),
    OpInfo("std", lambda lib, x: x.std(unbiased=False), lambda: _whole(min_dims=1, min_side=2)),
    OpInfo("std_dim", lambda lib, x, **kw: x.std(**kw), _variance),
    OpInfo("sum_dtype", lambda lib, x, dim, keepdim, dtype: x.sum(dim, keepdim, dtype=_dtype(lib, dtype)), _with_dtype),
    OpInfo(
        "mean_dtype",
        lambda lib, x, dim, keepdim, dtype: lib.mean(x, dim, keepdim, dtype=_dtype(lib, dtype)),
        _with_dtype,
    ),
    OpInfo("amax_ties_dims", lambda lib, x: lib.amax(x.unsqueeze(0), (0, -1)), _ties, gradcheck=False),
    OpInfo("aminmax", lambda lib, x: lib.aminmax(x), lambda: _whole("distinct")),
    OpInfo(
        "aminmax_dim",
        lambda lib, x, dim, keepdim: x.aminmax(dim=dim, keepdim=keepdim),
        lambda: _dims("distinct", True),
    ),
    OpInfo("aminmax_ties", lambda lib, x: lib.aminmax(x, dim=0), _ties, gradcheck=False),
    OpInfo("logsumexp", lambda lib, x, dim, keepdim: lib.logsumexp(x * 3, dim, keepdim), _dims),
    OpInfo("logsumexp_method", lambda lib, x, dim, keepdim: x.logsumexp(dim=dim, keepdim=keepdim), _dims),
    OpInfo("nansum", lambda lib, x, dim, keepdim: lib.nansum(x, dim, keepdim), _with_nan),
    OpInfo("nansum_all", lambda lib, x: x.nansum(), _whole),
    OpInfo("nanmean", lambda lib, x, dim, keepdim: x.nanmean(dim, keepdim), _with_nan),
    OpInfo("nanmean_all", lambda lib, x: lib.nanmean(x), _whole),
    OpInfo("count_nonzero", lambda lib, x, dim, keepdim: lib.count_nonzero(x > 0, dim), _dims, gradcheck=False),
    OpInfo("var_mean", lambda lib, x, **kw: lib.var_mean(x, **kw), _variance),
    OpInfo("std_mean", lambda lib, x, **kw: lib.std_mean(x, **kw), _variance),
    OpInfo("var_mean_all", lambda lib, x: lib.var_mean(x, unbiased=False), lambda: _whole(min_dims=1, min_side=2)),
    OpInfo("vector_norm", lambda lib, x, ord, dim, keepdim: lib.linalg.vector_norm(x, ord, dim, keepdim), _vector_norm),
    OpInfo(
        "vector_norm_dtype",
        lambda lib, x, ord, dim, keepdim: lib.linalg.vector_norm(x, ord, dim, keepdim, dtype=lib.float64),
        _vector_norm,
    ),
    OpInfo("norm", lambda lib, x, ord, dim, keepdim: lib.norm(x, ord, dim, keepdim), _vector_norm),
    OpInfo("norm_method", lambda lib, x, ord, dim, keepdim: x.norm(p=ord, dim=dim, keepdim=keepdim), _vector_norm),
    OpInfo("norm_fro", lambda lib, x, dim, keepdim: lib.norm(x, "fro", dim, keepdim), lambda: _dims(at_most=2)),
    OpInfo("linalg_norm_vector", lambda lib, x, ord, dim, keepdim: lib.linalg.norm(x, ord, dim, keepdim), _one_dim),
    OpInfo("linalg_norm_flat", lambda lib, x, dim, keepdim: lib.linalg.norm(x, keepdim=keepdim), _dims),
    OpInfo("linalg_norm_matrix", lambda lib, x, ord, dim, keepdim: lib.linalg.norm(x, ord, dim, keepdim), _matrix_norm),
    OpInfo("matrix_norm", lambda lib, x, ord, dim, keepdim: lib.linalg.matrix_norm(x, ord, dim, keepdim), _matrix_norm),
    OpInfo("var_unbiased", lambda lib, x, **kw: x.var(**kw), _unbiased),
    OpInfo("std_unbiased", lambda lib, x, **kw: lib.std(x, **kw), _unbiased),
    OpInfo("sum_integers", lambda lib, x, dim, keepdim: x.sum(dim, keepdim), integer_dims, gradcheck=False),
    OpInfo("prod_integers", lambda lib, x, dim, keepdim: lib.prod(x, dim, keepdim), integer_dims, gradcheck=False),
    OpInfo("amax_integers", lambda lib, x, dim, keepdim: x.amax(dim, keepdim), integer_dims, gradcheck=False),
    OpInfo("max_dim_integers", lambda lib, x, dim, keepdim: lib.max(x, dim, keepdim), integer_dims, gradcheck=False),
    OpInfo("any_integers", lambda lib, x, dim, keepdim: x.any(dim, keepdim), integer_dims, gradcheck=False),
    OpInfo("all_integers", lambda lib, x, dim, keepdim: lib.all(x, dim, keepdim), integer_dims, gradcheck=False),
    OpInfo("count_nonzero_integers", lambda lib, x, dim, keepdim: x.count_nonzero(dim), integer_dims, gradcheck=False),
    OpInfo("logsumexp_integers", lambda lib, x, dim, keepdim: x.logsumexp(dim, keepdim), integer_dims, gradcheck=False),
]
