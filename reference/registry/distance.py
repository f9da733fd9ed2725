"""Registry entries: cosine_similarity (dim, eps, broadcasting), pairwise_distance (p, eps, keepdim), normalize."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


def _sample(inputs: tuple, *args: Any, **kwargs: Any) -> Any:
    """S.sample, with 0-d draws (NumPy scalars) made arrays again."""
    return S.sample(tuple(np.asarray(a) for a in inputs), *args, **kwargs)


@st.composite
def _pair(draw: Any, with_dim: bool = True) -> Any:
    shape = draw(S.shapes(1, 3, min_side=2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    # entries away from 0 keep every norm well away from 0 (a tiny norm makes the float32 gradient a
    # difference of two large terms)
    x1 = S.away_from(rng, shape, (0.0,), 0.25)
    # the second operand sometimes broadcasts (a leading dim of 1, or fewer dims)
    shape2 = draw(st.sampled_from([shape, (1,) + shape[1:], shape[1:] or shape]))
    x2 = S.away_from(rng, shape2, (0.0,), 0.25)
    kwargs: dict = {}
    if with_dim:
        kwargs["dim"] = draw(st.integers(-len(shape), len(shape) - 1))
        kwargs["eps"] = draw(st.sampled_from([1e-8, 1e-3]))
    return _sample((x1, x2), kwargs, (True, draw(st.booleans())), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _distance(draw: Any) -> Any:
    shape = draw(S.shapes(1, 3, min_side=2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    kwargs = {
        "p": draw(st.sampled_from([1.0, 2.0, 3.0, 1.5, math.inf, 0.0])),
        "eps": draw(st.sampled_from([1e-6, 0.0, 0.1])),
        "keepdim": draw(st.booleans()),
    }
    x2 = S.array(rng, draw(st.sampled_from([shape, (1,) + shape[1:], shape[1:] or shape])))
    # d = x1 - x2 + eps kept away from 0 (the kink of |.|) and free of ties (the max of the inf-norm)
    d = S.distinct(rng, shape, gap=0.1)
    d = d + np.where(d >= 0, 0.2, -0.2)
    x1 = np.broadcast_to(x2, shape) + d - kwargs["eps"]
    return _sample((x1, x2), kwargs, (True, draw(st.booleans())), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _normalize(draw: Any) -> Any:
    shape = draw(S.shapes(1, 3, min_side=2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.away_from(rng, shape, (0.0,), 0.1)
    kwargs = {
        "p": draw(st.sampled_from([1.0, 2.0, 3.0])),
        "dim": draw(st.integers(-len(shape), len(shape) - 1)),
        "eps": draw(st.sampled_from([1e-12, 1e-3])),
    }
    return _sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


OPS = [
    OpInfo("cosine_similarity", lambda lib, a, b, **kw: lib.nn.functional.cosine_similarity(a, b, **kw), _pair),
    OpInfo("torch.cosine_similarity", lambda lib, a, b, **kw: lib.cosine_similarity(a, b, **kw), _pair),
    OpInfo("pairwise_distance", lambda lib, a, b, **kw: lib.nn.functional.pairwise_distance(a, b, **kw), _distance),
    OpInfo("normalize", lambda lib, x, **kw: lib.nn.functional.normalize(x, **kw), _normalize),
]
