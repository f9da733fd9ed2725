"""Registry entries: sorting and selection: sort, argsort, msort, topk, kthvalue, median, mode."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo
from .reduction import integer_dims
from .scan import along_dim


def _size(s: Any) -> int:
    shape = s.inputs[0].shape
    return shape[s.kwargs["dim"]] if shape else 1


@st.composite
def _sort(draw: Any) -> Any:
    s = draw(along_dim("distinct"))
    s.kwargs["descending"] = draw(st.booleans())
    return s


@st.composite
def _topk(draw: Any) -> Any:
    s = draw(along_dim("distinct"))
    s.kwargs["k"] = draw(st.integers(0, _size(s)))
    s.kwargs["largest"] = draw(st.booleans())
    return s


@st.composite
def _kthvalue(draw: Any) -> Any:
    s = draw(along_dim("distinct"))
    s.kwargs["k"] = draw(st.integers(1, _size(s)))
    s.kwargs["keepdim"] = draw(st.booleans())
    return s


@st.composite
def _keepdim(draw: Any, values: str = "distinct") -> Any:
    s = draw(along_dim(values))
    s.kwargs["keepdim"] = draw(st.booleans())
    return s


@st.composite
def _levels(draw: Any, nan: bool = False) -> Any:
    """Values from a few levels, so they repeat (mode; median's even split of the gradient at ties)."""
    shape = draw(S.shapes(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 0.5, 1.5, 2.0], size=shape)
    if nan:
        x.reshape(-1)[rng.integers(0, x.size)] = np.nan
    return S.sample((x,), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _with_nan(draw: Any) -> Any:
    """Distinct values with NaNs that nanmedian skips; the last element of each slice stays a number
    (where a slice is all NaN, torch's index is whichever NaN its selection met)."""
    s = draw(_keepdim())
    x, dim = s.inputs[0], s.kwargs["dim"]
    if x.ndim and x.shape[dim] > 1:
        rng = np.random.default_rng(s.seed)
        position = np.indices(x.shape)[dim % x.ndim]
        x[(rng.random(x.shape) < 0.3) & (position < x.shape[dim] - 1)] = np.nan
    return s


OPS = [
    OpInfo("sort", lambda lib, x, dim, descending: lib.sort(x, dim, descending), _sort),
    OpInfo("sort_method", lambda lib, x, dim, descending: x.sort(dim=dim, descending=descending), _sort),
    OpInfo(
        "sort_stable", lambda lib, x, dim, descending: lib.sort(x, stable=True, dim=dim, descending=descending), _sort
    ),
    OpInfo("sort_values", lambda lib, x, dim, descending: x.sort(dim, descending).values * 2, _sort),
    OpInfo("argsort", lambda lib, x, dim, descending: lib.argsort(x, dim, descending), _sort, gradcheck=False),
    OpInfo("msort", lambda lib, x, dim: lib.msort(x), lambda: along_dim("distinct", min_dims=1)),
    OpInfo("topk", lambda lib, x, dim, k, largest: lib.topk(x, k, dim, largest), _topk),
    OpInfo("topk_method", lambda lib, x, dim, k, largest: x.topk(k, dim=dim, largest=largest).values * 3, _topk),
    OpInfo(
        # torch leaves the order unspecified when sorted=False: compare the set, sorted afterwards
        "topk_unsorted",
        lambda lib, x, dim, k, largest: x.topk(k, dim, largest, sorted=False).values.sort(dim).values,
        _topk,
    ),
    OpInfo("kthvalue", lambda lib, x, dim, k, keepdim: lib.kthvalue(x, k, dim, keepdim), _kthvalue),
    OpInfo("kthvalue_method", lambda lib, x, dim, k, keepdim: x.kthvalue(k, dim=dim, keepdim=keepdim)[0], _kthvalue),
    OpInfo("median", lambda lib, x, dim: lib.median(x), lambda: along_dim("distinct")),
    OpInfo("median_ties", lambda lib, x: x.median(), _levels, gradcheck=False),  # even split at ties
    OpInfo("median_dim", lambda lib, x, dim, keepdim: lib.median(x, dim, keepdim), _keepdim),
    OpInfo("median_dim_method", lambda lib, x, dim, keepdim: x.median(dim=dim, keepdim=keepdim).values, _keepdim),
    OpInfo("nanmedian", lambda lib, x, dim: x.nanmedian(), lambda: along_dim("distinct")),
    OpInfo("nanmedian_nan", lambda lib, x: lib.nanmedian(x), lambda: _levels(nan=True), gradcheck=False),
    OpInfo("nanmedian_dim", lambda lib, x, dim, keepdim: lib.nanmedian(x, dim, keepdim), _keepdim),
    OpInfo("nanmedian_dim_nan", lambda lib, x, dim, keepdim: x.nanmedian(dim, keepdim), _with_nan, gradcheck=False),
    OpInfo("mode", lambda lib, x, dim, keepdim: lib.mode(x, dim, keepdim), _keepdim),
    OpInfo("mode_levels", lambda lib, x: x.mode(-1), _levels, gradcheck=False),  # repeats: finite differences move it
    OpInfo(
        # stable: equal integers keep their order, so the indices are defined
        "sort_integers",
        lambda lib, x, dim, keepdim: lib.sort(x, dim=dim, descending=keepdim, stable=True),
        integer_dims,
        gradcheck=False,
    ),
    OpInfo(
        "argsort_integers",
        lambda lib, x, dim, keepdim: x.argsort(stable=True, dim=dim, descending=keepdim),
        integer_dims,
        gradcheck=False,
    ),
    OpInfo("median_integers", lambda lib, x, dim, keepdim: x.median(), lambda: integer_dims("i"), gradcheck=False),
    OpInfo("mode_integers", lambda lib, x, dim, keepdim: lib.mode(x, dim, keepdim), integer_dims, gradcheck=False),
]
