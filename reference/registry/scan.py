"""Registry entries: scans along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo
from .reduction import integer_dims


@st.composite
def along_dim(draw: Any, values: str = "uniform", min_dims: int = 0) -> Any:
    """A shape (0-d included), one dim of it (negative allowed) and values: uniform, distinct or with zeros."""
    shape = draw(S.shapes(min_dims, 4))
    n = max(len(shape), 1)
    dim = draw(st.integers(-n, n - 1))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    if values == "distinct":
        x = S.distinct(rng, shape, 0.05)
    else:
        x = S.array(rng, shape)
        if values == "zeros" and x.size:
            # one or two zeros: the backward then cannot divide by x
            flat = x.reshape(-1)
            flat[rng.integers(0, x.size, size=draw(st.integers(1, 2)))] = 0.0
    return S.sample((x,), {"dim": dim}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _with_dtype(draw: Any) -> Any:
    """dtype=float64 scans float32 inputs in float64 (the gradient comes back in the input's dtype)."""
    s = draw(along_dim())
    s.kwargs["dtype"] = draw(st.sampled_from(["float64", None]))
    return s


def _dtype(lib: Any, name: str | None) -> Any:
    return None if name is None else getattr(lib, name)


OPS = [
    OpInfo("cumsum", lambda lib, x, dim: lib.cumsum(x, dim), along_dim),
    OpInfo("cumsum_method", lambda lib, x, dim: x.cumsum(dim=dim), along_dim),
    OpInfo("cumsum_dtype", lambda lib, x, dim, dtype: lib.cumsum(x, dim, dtype=_dtype(lib, dtype)), _with_dtype),
    OpInfo("cumsum_", lambda lib, x, dim: (x * 1).cumsum_(dim), along_dim),
    OpInfo("cumprod", lambda lib, x, dim: lib.cumprod(x, dim), along_dim),
    OpInfo("cumprod_zeros", lambda lib, x, dim: x.cumprod(dim), lambda: along_dim("zeros")),
    OpInfo("cumprod_dtype", lambda lib, x, dim, dtype: x.cumprod(dim, dtype=_dtype(lib, dtype)), _with_dtype),
    OpInfo("cumprod_", lambda lib, x, dim: (x * 1).cumprod_(dim), lambda: along_dim("zeros")),
    OpInfo("cummax", lambda lib, x, dim: lib.cummax(x, dim), lambda: along_dim("distinct")),
    OpInfo("cummin", lambda lib, x, dim: x.cummin(dim), lambda: along_dim("distinct")),
    OpInfo("cummax_values", lambda lib, x, dim: x.cummax(dim=dim).values * 2, lambda: along_dim("distinct")),
    OpInfo("logcumsumexp", lambda lib, x, dim: lib.logcumsumexp(x, dim), along_dim),
    OpInfo("logcumsumexp_method", lambda lib, x, dim: (x * 10).logcumsumexp(dim), along_dim),
    OpInfo("cumsum_integers", lambda lib, x, dim, keepdim: x.cumsum(dim), integer_dims, gradcheck=False),
    OpInfo("cumprod_integers", lambda lib, x, dim, keepdim: lib.cumprod(x, dim), integer_dims, gradcheck=False),
    OpInfo("cummax_integers", lambda lib, x, dim, keepdim: lib.cummax(x, dim), integer_dims, gradcheck=False),
]
