"""Registry entries: torch.bilinear / F.bilinear (leading dims none, one or two; with and without bias)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..compare import Sample
from . import OpInfo


@st.composite
def _bilinear(draw: Any) -> Sample:
    lead = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    i, j, o = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    inputs = (S.array(rng, lead + (i,)), S.array(rng, lead + (j,)), S.array(rng, (o, i, j)))
    if draw(st.booleans()):
        inputs += (S.array(rng, (o,)),)
    return S.sample(inputs, noncontiguous=draw(st.booleans()), seed=seed)


def _call(top_level: bool):
    def call(lib: Any, x1: Any, x2: Any, w: Any, *bias: Any) -> Any:
        f = lib.bilinear if top_level else lib.nn.functional.bilinear
        return f(x1, x2, w, bias[0] if bias else None)

    return call


OPS = [
    OpInfo("bilinear", _call(False), _bilinear),
    OpInfo("torch.bilinear", _call(True), _bilinear),
]
