"""Registry entries: binary cross-entropy (weight, pos_weight), kl_div (log_target, batchmean), Poisson and
Gaussian NLL (log_input, full, eps, var shapes), each under every reduction."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


def _sample(inputs: tuple, *args: Any, **kwargs: Any) -> Any:
    """S.sample, with 0-d draws (NumPy scalars) made arrays again."""
    return S.sample(tuple(np.asarray(a) for a in inputs), *args, **kwargs)


reductions = st.sampled_from(["mean", "sum", "none"])


@st.composite
def _bce(draw: Any, logits: bool = False) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.array(rng, shape, -3, 3) if logits else rng.uniform(0.05, 0.95, size=shape)
    y = rng.uniform(0, 1, size=shape) if draw(st.booleans()) else rng.integers(0, 2, size=shape).astype(float)
    inputs, grads = [x, y], [True, draw(st.booleans())]
    kwargs: dict = {"reduction": draw(reductions)}
    tail = shape[-1:] if shape else ()
    if draw(st.booleans()):
        kwargs["has_weight"] = True
        inputs.append(rng.uniform(0.2, 2.0, size=draw(st.sampled_from([shape, tail]))))
        grads.append(False)
    if logits and draw(st.booleans()):
        kwargs["has_pos_weight"] = True
        inputs.append(rng.uniform(0.2, 3.0, size=tail))
        grads.append(False)
    return _sample(tuple(inputs), kwargs, tuple(grads), noncontiguous=draw(st.booleans()), seed=seed)


def _bce_call(lib: Any, x: Any, y: Any, weight: Any = None, has_weight: bool = False, **kw: Any) -> Any:
    return lib.nn.functional.binary_cross_entropy(x, y, weight, **kw)


def _bce_logits_call(
    lib: Any, x: Any, y: Any, *weights: Any, has_weight: bool = False, has_pos_weight: bool = False, **kw: Any
) -> Any:
    weights = list(weights)
    weight = weights.pop(0) if has_weight else None
    pos_weight = weights.pop(0) if has_pos_weight else None
    return lib.nn.functional.binary_cross_entropy_with_logits(x, y, weight, pos_weight=pos_weight, **kw)


@st.composite
def _kl(draw: Any) -> Any:
    shape = draw(S.shapes(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    log_target = draw(st.booleans())
    x = np.log(rng.uniform(0.05, 1, size=shape))
    y = np.log(rng.uniform(0.05, 1, size=shape)) if log_target else rng.uniform(0.05, 1, size=shape)
    kwargs = {"reduction": draw(st.sampled_from(["mean", "sum", "none", "batchmean"])), "log_target": log_target}
    return _sample((x, y), kwargs, (True, draw(st.booleans())), noncontiguous=draw(st.booleans()), seed=seed)


def _kl_call(lib: Any, x: Any, y: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note that 'mean' is not 'batchmean' (tested in test_losses_more)
        return lib.nn.functional.kl_div(x, y, **kw)


@st.composite
def _poisson(draw: Any) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    log_input = draw(st.booleans())
    x = S.array(rng, shape, -1.5, 1.5) if log_input else rng.uniform(0.1, 3, size=shape)
    # targets on both sides of 1 (Stirling's term applies above 1), away from the switch at 1
    y = np.where(rng.uniform(size=shape) < 0.5, rng.uniform(0, 0.9, size=shape), rng.uniform(1.1, 4, size=shape))
    kwargs = {
        "log_input": log_input,
        "full": draw(st.booleans()),
        "eps": draw(st.sampled_from([1e-8, 0.1])),
        "reduction": draw(reductions),
    }
    return _sample((x, y), kwargs, (True, draw(st.booleans())), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _gaussian(draw: Any) -> Any:
    shape = draw(S.shapes(1, 3, min_side=2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x, y = S.array(rng, shape), S.array(rng, shape)
    one_dim = tuple(1 if i == len(shape) - 1 else s for i, s in enumerate(shape))
    var_shape = draw(st.sampled_from([shape, shape[:-1], one_dim]))
    eps = draw(st.sampled_from([1e-6, 0.3]))
    var = rng.uniform(0.4, 2.0, size=var_shape)  # above both eps values: the clamp never switches under a nudge
    kwargs = {"full": draw(st.booleans()), "eps": eps, "reduction": draw(reductions)}
    return _sample(
        (x, y, var),
        kwargs,
        (True, draw(st.booleans()), draw(st.booleans())),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


@st.composite
def _gaussian_clamped(draw: Any) -> Any:
    s = draw(_gaussian())
    var = np.where(np.random.default_rng(s.seed).uniform(size=s.inputs[2].shape) < 0.5, 0.0, s.inputs[2])
    s.kwargs["eps"] = 0.3
    return _sample((s.inputs[0], s.inputs[1], var), s.kwargs, (True, True, False), seed=s.seed)


def _gaussian_call(lib: Any, x: Any, y: Any, var: Any, **kw: Any) -> Any:
    return lib.nn.functional.gaussian_nll_loss(x, y, var, **kw)


OPS = [
    OpInfo("binary_cross_entropy", _bce_call, _bce),
    OpInfo("binary_cross_entropy_with_logits", _bce_logits_call, lambda: _bce(logits=True)),
    OpInfo("kl_div", _kl_call, _kl),
    OpInfo("poisson_nll_loss", lambda lib, x, y, **kw: lib.nn.functional.poisson_nll_loss(x, y, **kw), _poisson),
    OpInfo("gaussian_nll_loss", _gaussian_call, _gaussian),
    OpInfo("gaussian_nll_loss_clamped_var", _gaussian_call, _gaussian_clamped),
]
