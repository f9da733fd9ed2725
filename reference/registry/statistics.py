"""Registry entries: quantile and nanquantile (float or tensor q, dim int/negative/None, keepdim, every
interpolation), cov (correction, fweights, aweights) and corrcoef.

quantile sorts: the values are distinct (no ties, where the gradient would depend on the order kept).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _quantile(draw: Any) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.distinct(rng, shape, 0.05)
    dim = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1))) if shape else None
    q_kind = draw(st.sampled_from(["float", "tensor", "tensor0d"]))
    q_values = np.sort(rng.uniform(0.0, 1.0, draw(st.integers(1, 3))))
    kwargs = {
        "dim": dim,
        "keepdim": draw(st.booleans()),
        "interpolation": draw(st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"])),
    }
    if q_kind == "float":
        return S.sample((x,), {**kwargs, "q": float(q_values[0])}, noncontiguous=draw(st.booleans()), seed=seed)
    q = q_values if q_kind == "tensor" else np.asarray(q_values[0])
    return S.sample((x, q), kwargs, requires_grad=(True, False), noncontiguous=draw(st.booleans()), seed=seed)


def _call_quantile(function: str) -> Any:
    def call(lib: Any, x: Any, q: Any = None, **kwargs: Any) -> Any:
        q = kwargs.pop("q") if q is None else q
        return getattr(lib, function)(x, q, kwargs["dim"], kwargs["keepdim"], interpolation=kwargs["interpolation"])

    return call


@st.composite
def _cov(draw: Any) -> Any:
    variables, observations = draw(st.integers(1, 4)), draw(st.integers(3, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    one_d = draw(st.booleans())
    x = S.array(rng, (observations,) if one_d else (variables, observations))
    inputs = [x]
    kwargs: dict = {
        "correction": draw(st.sampled_from([0, 1, 2])),
        "weights": draw(st.sampled_from(["", "f", "a", "fa"])),
    }
    if "f" in kwargs["weights"]:
        inputs.append(rng.integers(1, 4, size=observations))
    if "a" in kwargs["weights"]:
        inputs.append(rng.uniform(0.5, 2.0, size=observations))
    return S.sample(tuple(inputs), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _call_cov(lib: Any, x: Any, *weights: Any, correction: int, weights_kind: str = "", **kw: Any) -> Any:
    kind = kw.get("weights", weights_kind)
    given = list(weights)
    fweights = given.pop(0) if "f" in kind else None
    aweights = given.pop(0) if "a" in kind else None
    return lib.cov(x, correction=correction, fweights=fweights, aweights=aweights)


@st.composite
def _corrcoef(draw: Any) -> Any:
    shape = draw(st.sampled_from([(2, 4), (3, 5), (1, 4), (4,)]))
    seed = draw(S.seeds)
    x = S.array(np.random.default_rng(seed), shape)
    return S.sample((x,), noncontiguous=draw(st.booleans()), seed=seed)


OPS = [
    OpInfo("quantile", _call_quantile("quantile"), _quantile),
    OpInfo("nanquantile", _call_quantile("nanquantile"), _quantile),
    OpInfo("cov", _call_cov, _cov),
    OpInfo("corrcoef", lambda lib, x: lib.corrcoef(x), _corrcoef),
]
