"""Registry entries: shape ops."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _view(draw: Any) -> Any:
    shape = draw(S.shapes(1, 4))
    n = int(np.prod(shape))
    target = draw(st.sampled_from([(n,), (-1,), (1, n), (n, 1), (-1, 1)]))
    seed = draw(S.seeds)
    return S.sample((S.array(np.random.default_rng(seed), shape),), {"shape": target}, seed=seed)


@st.composite
def _matrix(draw: Any) -> Any:
    shape = draw(S.shapes(0, 2))
    seed = draw(S.seeds)
    return S.sample((S.array(np.random.default_rng(seed), shape),), noncontiguous=draw(st.booleans()), seed=seed)


OPS = [
    OpInfo("view", lambda lib, x, shape: (x * 1).view(*shape) * 2, _view),
    OpInfo("t", lambda lib, x: x.t(), _matrix),
]
