"""Registry entries: losses (every reduction, class weights, ignore_index, label smoothing, probability targets)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo

reductions = st.sampled_from(["mean", "sum", "none"])


@st.composite
def _regression(draw: Any) -> Any:
    shape = draw(S.shapes(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    target_requires_grad = draw(st.booleans())
    x = S.array(rng, shape)
    y = x + S.away_from(rng, shape, (0.0,), 0.05)  # |x - y| away from the kink of l1 at 0
    return S.sample(
        (x, y),
        {"reduction": draw(reductions)},
        (True, target_requires_grad),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


@st.composite
def _classification(draw: Any, probabilities: bool = False) -> Any:
    n, c = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    spatial = draw(st.sampled_from([(), (), (3, 2), (4,), (2, 1, 2)]))  # 3-d and 5-d go through nll_loss2d
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 2, size=(n, c) + spatial)
    kwargs = {"reduction": draw(reductions)}
    if probabilities:
        p = rng.uniform(0.05, 1, size=x.shape)
        target = p / p.sum(axis=1, keepdims=True)
        kwargs["label_smoothing"] = draw(st.sampled_from([0.0, 0.1, 0.3]))
    else:
        target = rng.integers(0, c, size=(n,) + spatial)
        ignore = draw(st.sampled_from([-100, 0, 1]))
        # keep at least one target that is not ignored, else the mean is 0/0 in both engines
        if np.all(target == ignore):
            target.flat[0] = (ignore + 1) % c
        kwargs["ignore_index"] = ignore
    weights = rng.uniform(0.2, 2.0, size=(c,)) if draw(st.booleans()) else None
    inputs = (x, target) if weights is None else (x, target, weights)
    grads = (True, False) + ((False,) if weights is not None else ())
    return S.sample(inputs, kwargs, grads, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _smoothed(draw: Any) -> Any:
    s = draw(_classification())
    s.kwargs["label_smoothing"] = draw(st.sampled_from([0.0, 0.1, 0.5]))
    return s


def _ce(lib: Any, x: Any, t: Any, w: Any = None, **kwargs: Any) -> Any:
    return lib.nn.functional.cross_entropy(x, t, weight=w, **kwargs)


def _nll(lib: Any, x: Any, t: Any, w: Any = None, **kwargs: Any) -> Any:
    return lib.nn.functional.nll_loss(lib.log_softmax(x, 1), t, weight=w, **kwargs)


OPS = [
    OpInfo("mse_loss", lambda lib, x, y, reduction: lib.nn.functional.mse_loss(x, y, reduction=reduction), _regression),
    OpInfo("l1_loss", lambda lib, x, y, reduction: lib.nn.functional.l1_loss(x, y, reduction=reduction), _regression),
    OpInfo("nll_loss", _nll, _classification),
    OpInfo("cross_entropy", _ce, _classification),
    OpInfo("cross_entropy_label_smoothing", _ce, _smoothed),
    OpInfo("cross_entropy_probabilities", _ce, lambda: _classification(probabilities=True)),
]
