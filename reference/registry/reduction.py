"""Registry entries: reductions."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _sum_dims(draw: Any) -> Any:
    shape = draw(S.shapes(1, 4))
    dims = draw(
        st.lists(
            st.integers(-len(shape), len(shape) - 1),
            min_size=1,
            max_size=len(shape),
            unique_by=lambda d: d % len(shape),
        )
    )
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    dim = dims[0] if len(dims) == 1 and draw(st.booleans()) else tuple(dims)
    return S.sample(
        (S.array(rng, shape),),
        {"dim": dim, "keepdim": draw(st.booleans())},
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


@st.composite
def _whole(draw: Any) -> Any:
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    return S.sample((S.array(np.random.default_rng(seed), shape),), seed=seed)


OPS = [
    OpInfo("sum", lambda lib, x: x.sum(), _whole),
    OpInfo("sum_dim", lambda lib, x, dim, keepdim: x.sum(dim, keepdim=keepdim), _sum_dims),
]
