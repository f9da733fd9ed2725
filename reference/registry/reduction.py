"""Registry entries: reductions."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _dims(draw: Any, values: str = "uniform", single: bool = False) -> Any:
    """A shape, a dim (int or tuple, negative allowed) and keepdim; values uniform or tie-free."""
    shape = draw(S.shapes(1, 4))
    dims = draw(
        st.lists(
            st.integers(-len(shape), len(shape) - 1),
            min_size=1,
            max_size=1 if single else len(shape),
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
]
