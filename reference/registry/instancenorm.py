"""Registry entries: torch.instance_norm / F.instance_norm (with and without affine parameters, 1-d to 3-d
spatial) and F.local_response_norm (3-d to 5-d inputs, every size from 1 to past the channel count)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..compare import Sample
from . import OpInfo


@st.composite
def _instance_norm(draw: Any) -> Sample:
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3))))
    if int(np.prod(spatial)) == 1:
        spatial = spatial[:-1] + (2,)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    inputs: tuple = (S.array(rng, (n, c) + spatial),)
    if draw(st.booleans()):
        inputs += (rng.uniform(0.5, 1.5, c), S.array(rng, (c,)))
    kwargs = {"eps": draw(st.sampled_from([1e-5, 1e-3, 0.1]))}
    return S.sample(inputs, kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _instance_call(top_level: bool):
    def call(lib: Any, x: Any, *affine: Any, eps: float) -> Any:
        weight, bias = affine if affine else (None, None)
        if top_level:
            return lib.instance_norm(x, weight, bias, None, None, True, 0.1, eps, False)
        return lib.nn.functional.instance_norm(x, weight=weight, bias=bias, eps=eps)

    return call


@st.composite
def _local_response_norm(draw: Any) -> Sample:
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 5)))
    shape += tuple(draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3))))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    kwargs = {
        "size": draw(st.integers(1, shape[1] + 1)),
        "alpha": draw(st.sampled_from([1e-4, 0.5])),
        "beta": draw(st.sampled_from([0.75, 0.5, 1.2])),
        "k": draw(st.sampled_from([1.0, 2.0])),
    }
    return S.sample((S.array(rng, shape),), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


OPS = [
    OpInfo("instance_norm", _instance_call(False), _instance_norm),
    OpInfo("torch.instance_norm", _instance_call(True), _instance_norm),
    OpInfo(
        "local_response_norm", lambda lib, x, **kw: lib.nn.functional.local_response_norm(x, **kw), _local_response_norm
    ),
]
