"""Registry entries: comparisons (bool results, no gradient), where, maximum/minimum."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _pair(draw: Any, ties: bool = False) -> Any:
    """Two broadcastable tensors; with ties, y copies some of x's values (equal elements)."""
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x, y = S.array(rng, sx), S.array(rng, sy)
    if ties:
        x, y = np.asarray(np.round(x)), np.asarray(np.round(y))
    return S.sample((x, y), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _where(draw: Any) -> Any:
    sc, sx, sy = draw(S.broadcastable_shapes(3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    cond = np.asarray(rng.random(sc) > 0.5)
    return S.sample((cond, S.array(rng, sx), S.array(rng, sy)), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _where_scalar(draw: Any) -> Any:
    s = draw(_where())
    s.inputs = s.inputs[:2]
    s.kwargs["other"] = draw(st.sampled_from([0.0, -1.5, 3]))
    return s


@st.composite
def _compare(draw: Any) -> Any:
    s = draw(_pair(ties=True))
    s.kwargs["op"] = draw(st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]))
    return s


_OPERATORS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


OPS = [
    OpInfo("compare_operator", lambda lib, x, y, op: _OPERATORS[op](x, y), _compare, gradcheck=False),
    OpInfo("compare_function", lambda lib, x, y, op: getattr(lib, op)(x, y), _compare, gradcheck=False),
    OpInfo("compare_scalar", lambda lib, x, y, op: _OPERATORS[op](x, 0.0), _compare, gradcheck=False),
    OpInfo("where", lambda lib, c, x, y: lib.where(c, x, y), _where),
    OpInfo("where_scalar", lambda lib, c, x, other: lib.where(c, x, other), _where_scalar),
    OpInfo("where_method", lambda lib, c, x, y: x.where(c, y), _where),
    OpInfo("maximum", lambda lib, x, y: lib.maximum(x, y), _pair),
    OpInfo("minimum", lambda lib, x, y: x.minimum(y), _pair),
    # ties: torch gives each input half the gradient; finite differences are undefined there
    OpInfo("maximum_ties", lambda lib, x, y: lib.maximum(x, y), lambda: _pair(True), gradcheck=False),
    OpInfo("minimum_ties", lambda lib, x, y: lib.minimum(x, y), lambda: _pair(True), gradcheck=False),
    OpInfo("max_binary", lambda lib, x, y: lib.max(x, y), _pair),
]
