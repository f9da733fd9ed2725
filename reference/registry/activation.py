"""Registry entries: activations (pointwise and softmax-like)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _pointwise(draw: Any, kinks: tuple = (), low: float = -3.0, high: float = 3.0) -> Any:
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.away_from(rng, shape, kinks, 0.05, low, high) if kinks else S.array(rng, shape, low, high)
    return S.sample((x,), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _along_dim(draw: Any) -> Any:
    shape = draw(S.shapes(1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    scale = draw(st.sampled_from([1.0, 10.0, 100.0]))  # large logits: only a max-shifted softmax survives
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return S.sample((S.array(rng, shape) * scale,), {"dim": dim}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _leaky(draw: Any) -> Any:
    s = draw(_pointwise((0.0,)))
    s.kwargs["negative_slope"] = draw(st.sampled_from([0.01, 0.2, -0.5, 1.5]))
    return s


@st.composite
def _leaky_inplace(draw: Any) -> Any:
    # slopes >= 0 only: with a negative one torch's in-place backward refuses (tests/test_nn_module.py)
    s = draw(_pointwise((0.0,)))
    s.kwargs["negative_slope"] = draw(st.sampled_from([0.0, 0.01, 0.2, 1.5]))
    return s


@st.composite
def _elu_alpha(draw: Any) -> Any:
    s = draw(_pointwise((0.0,)))
    s.kwargs["alpha"] = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))  # >= 0: as _leaky_inplace
    return s


@st.composite
def _softplus(draw: Any) -> Any:
    s = draw(_pointwise())
    beta = draw(st.sampled_from([0.5, 1.0, 2.0]))
    threshold = draw(st.sampled_from([1.0, 20.0]))
    # keep beta * x off the threshold, where softplus switches to the identity
    s.inputs = (S.away_from(np.random.default_rng(s.seed), s.inputs[0].shape, (threshold / beta,), 0.05, -3, 3),)
    s.kwargs.update(beta=beta, threshold=threshold)
    return s


OPS = [
    OpInfo("relu", lambda lib, x: lib.relu(x), lambda: _pointwise((0.0,))),
    OpInfo("relu_method", lambda lib, x: x.relu(), lambda: _pointwise((0.0,))),
    OpInfo("relu_", lambda lib, x: (x * 1).relu_(), lambda: _pointwise((0.0,))),
    OpInfo("sigmoid", lambda lib, x: lib.sigmoid(x), _pointwise),
    OpInfo("sigmoid_large", lambda lib, x: (x * 20).sigmoid(), _pointwise),
    OpInfo("sigmoid_", lambda lib, x: (x * 1).sigmoid_(), _pointwise),
    OpInfo("tanh", lambda lib, x: lib.tanh(x), _pointwise),
    OpInfo("tanh_", lambda lib, x: (x * 1).tanh_(), _pointwise),
    OpInfo("softmax", lambda lib, x, dim: lib.softmax(x, dim), _along_dim),
    OpInfo("softmax_method", lambda lib, x, dim: x.softmax(dim), _along_dim),
    OpInfo("log_softmax", lambda lib, x, dim: lib.log_softmax(x, dim), _along_dim),
    OpInfo("log_softmax_method", lambda lib, x, dim: x.log_softmax(dim=dim), _along_dim),
    OpInfo(
        "leaky_relu",
        lambda lib, x, negative_slope: lib.nn.functional.leaky_relu(x, negative_slope),
        _leaky,
    ),
    OpInfo(
        "leaky_relu_",
        lambda lib, x, negative_slope: lib.nn.functional.leaky_relu_(x * 1, negative_slope),
        _leaky_inplace,
    ),
    OpInfo("elu", lambda lib, x: lib.nn.functional.elu(x), lambda: _pointwise((0.0,))),
    OpInfo("elu_alpha", lambda lib, x, alpha: lib.nn.functional.elu(x, alpha), _elu_alpha),
    OpInfo("elu_", lambda lib, x, alpha: lib.nn.functional.elu_(x * 1, alpha), _elu_alpha),
    OpInfo("gelu", lambda lib, x: lib.nn.functional.gelu(x), _pointwise),
    OpInfo("gelu_tanh", lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"), _pointwise),
]
