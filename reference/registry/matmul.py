"""Registry entries: matrix products."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _mm(draw: Any) -> Any:
    n, k, m = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample((S.array(rng, (n, k)), S.array(rng, (k, m))), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _addmm(draw: Any) -> Any:
    n, k, m = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    bias_shape = draw(st.sampled_from([(n, m), (m,), (1, m), (n, 1), ()]))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    kwargs = {"beta": draw(st.sampled_from([1, 0.5, -2])), "alpha": draw(st.sampled_from([1, 2, -0.25]))}
    return S.sample(
        (S.array(rng, bias_shape), S.array(rng, (n, k)), S.array(rng, (k, m))),
        kwargs,
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


OPS = [
    OpInfo("mm", lambda lib, a, b: lib.mm(a, b), _mm),
    OpInfo("mm_t", lambda lib, a, b: lib.mm(a, b.t().t()), _mm),
    OpInfo("addmm", lambda lib, c, a, b, beta, alpha: lib.addmm(c, a, b, beta=beta, alpha=alpha), _addmm),
]
