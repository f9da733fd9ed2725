"""Registry entries: elementwise arithmetic."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _binary(draw: Any) -> Any:
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample((S.array(rng, sx), S.array(rng, sy)), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _with_scalar(draw: Any) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    scalar = draw(st.sampled_from([2, -3, 0.5, -1.25]))
    return S.sample((S.array(rng, shape),), {"scalar": scalar}, seed=seed)


@st.composite
def _add_alpha(draw: Any) -> Any:
    s = draw(_binary())
    s.kwargs["alpha"] = draw(st.sampled_from([1, 2, -0.5]))
    return s


OPS = [
    OpInfo("add", lambda lib, x, y, alpha=1: lib.add(x, y, alpha=alpha), _add_alpha),
    OpInfo("add_scalar", lambda lib, x, scalar: x + scalar, _with_scalar),
    OpInfo("radd_scalar", lambda lib, x, scalar: scalar + x, _with_scalar),
    OpInfo("mul", lambda lib, x, y: x * y, _binary),
    OpInfo("mul_scalar", lambda lib, x, scalar: scalar * x, _with_scalar),
]
