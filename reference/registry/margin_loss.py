"""Registry entries: smooth_l1 (beta), huber (delta, weight), soft margin, multilabel (soft) margin, multi margin
(p, margin, weight), margin ranking, hinge and cosine embedding, triplet margin (margin, p, eps, swap) and its
custom-distance form, each under every reduction."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


def _sample(inputs: tuple, *args: Any, **kwargs: Any) -> Any:
    """S.sample, with 0-d draws (NumPy scalars) made arrays again."""
    return S.sample(tuple(np.asarray(a) for a in inputs), *args, **kwargs)


reductions = st.sampled_from(["mean", "sum", "none"])


def fn(lib: Any) -> Any:
    return lib.nn.functional


@st.composite
def _robust(draw: Any, name: str) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    width = draw(st.sampled_from([0.5, 1.0, 2.0])) if name == "huber" else draw(st.sampled_from([0.0, 0.5, 1.0]))
    x = S.array(rng, shape)
    # |x - y| away from the switch at beta / delta (and from the kink of beta = 0 at 0)
    y = x + S.away_from(rng, shape, (-width, 0.0, width), 0.05)
    kwargs = {"reduction": draw(reductions), ("delta" if name == "huber" else "beta"): width}
    inputs, grads = [x, y], [True, draw(st.booleans())]
    if name == "huber" and draw(st.booleans()):
        inputs.append(rng.uniform(0.2, 2, size=shape))
        grads.append(False)
    return _sample(tuple(inputs), kwargs, tuple(grads), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _soft_margin(draw: Any, multilabel: bool = False) -> Any:
    shape = draw(S.shapes(1, 2)) if multilabel else draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.array(rng, shape, -3, 3)
    if multilabel:
        y = rng.integers(0, 2, size=shape).astype(float) if draw(st.booleans()) else rng.uniform(0, 1, size=shape)
    else:
        y = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0) if draw(st.booleans()) else S.array(rng, shape)
    inputs, grads = [x, y], [True, multilabel and draw(st.booleans())]  # soft_margin's target has no gradient
    if multilabel and draw(st.booleans()):
        inputs.append(rng.uniform(0.2, 2, size=shape[-1:]))
        grads.append(draw(st.booleans()))  # torch's class weight is a differentiable factor here
    kwargs = {"reduction": draw(reductions)}
    return _sample(tuple(inputs), kwargs, tuple(grads), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _multi_margin(draw: Any) -> Any:
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    one_sample = draw(st.booleans())
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    margin = draw(st.sampled_from([1.0, 0.5, 2.0]))
    shape = (c,) if one_sample else (n, c)
    target = rng.integers(0, c, size=(1,) if one_sample else (n,))
    # each hinge margin - x[y] + x[i] kept away from 0
    x = S.distinct(rng, shape, gap=0.13) * 5
    rows = x.reshape(-1, c)
    picked = rows[np.arange(rows.shape[0]), target][:, None]
    hinge = margin - picked + rows
    rows += np.where(np.abs(hinge) < 0.05, 0.1, 0.0)
    x = rows.reshape(shape)
    kwargs = {"p": draw(st.sampled_from([1, 2])), "margin": margin, "reduction": draw(reductions)}
    inputs, grads = [x, target], [True, False]
    if draw(st.booleans()):
        inputs.append(rng.uniform(0.2, 2, size=(c,)))
        grads.append(False)
    return _sample(tuple(inputs), kwargs, tuple(grads), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _multilabel_margin(draw: Any) -> Any:
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    one_sample = draw(st.booleans())
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    targets = np.full((n, c), -1)
    for row in targets:
        k = rng.integers(0, c + 1)
        row[:k] = rng.permutation(c)[:k]
        row[k + 1 :] = rng.integers(0, c, size=max(c - k - 1, 0))  # after the first -1: ignored
    x = S.distinct(rng, (n, c), gap=0.37)  # no pair difference lands on the hinge at 1
    if one_sample:
        x, targets = x[0], targets[0]
    return _sample(
        (x, targets), {"reduction": draw(reductions)}, (True, False), noncontiguous=draw(st.booleans()), seed=seed
    )


@st.composite
def _ranking(draw: Any) -> Any:
    shape = draw(S.shapes(1, 1))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    margin = draw(st.sampled_from([0.0, 0.5]))
    x1 = S.array(rng, shape)
    y = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)
    x2 = x1 - y * (margin + S.away_from(rng, shape, (0.0,), 0.05))  # -y (x1 - x2) + margin away from 0
    kwargs = {"margin": margin, "reduction": draw(reductions)}
    return _sample(
        (x1, x2, y),
        kwargs,
        (
            True,
            draw(st.booleans()),
            draw(st.booleans()),
        ),  # the target is a differentiable factor, noncontiguous=draw(st.booleans()), seed=seed
    )


@st.composite
def _hinge(draw: Any) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    margin = draw(st.sampled_from([1.0, 0.5, 2.0]))
    x = S.away_from(rng, shape, (margin,), 0.05, -3, 3)
    y = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)
    return _sample(
        (x, y),
        {"margin": margin, "reduction": draw(reductions)},
        (True, False),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


@st.composite
def _cosine_embedding(draw: Any) -> Any:
    one_sample = draw(st.booleans())
    n, d = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    margin = draw(st.sampled_from([0.0, 0.3, -0.3]))
    shape = (d,) if one_sample else (n, d)
    x1, x2 = S.array(rng, shape), S.array(rng, shape)
    y = np.where(rng.uniform(size=shape[:-1] if not one_sample else ()) < 0.5, -1.0, 1.0)
    flat1, flat2 = x1.reshape(-1, d), x2.reshape(-1, d)
    cos = (flat1 * flat2).sum(1) / np.sqrt((flat1**2).sum(1) * (flat2**2).sum(1))
    near = np.abs(cos - margin) < 0.05  # keep cos - margin away from the clamp
    flat2[near] = -flat2[near] if margin == 0 else flat2[near] + 0.5 * flat1[near]
    return _sample(
        (x1, flat2.reshape(shape), y),
        {"margin": margin, "reduction": draw(reductions)},
        (True, draw(st.booleans()), False),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


@st.composite
def _triplet(draw: Any, custom: bool = False) -> Any:
    shape = draw(st.sampled_from([(3,), (2, 4), (4, 3), (1, 5)]))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    a = S.array(rng, shape)
    p = a + S.away_from(rng, shape, (0.0,), 0.1, -1, 1)
    n = a + S.away_from(rng, shape, (0.0,), 0.1, -1.5, 1.5)
    kwargs: dict = {
        "margin": draw(st.sampled_from([1.0, 0.5, 2.0])),
        "swap": draw(st.booleans()),
        "reduction": draw(reductions),
    }
    if custom:
        kwargs["distance"] = draw(st.sampled_from(["default", "l1", "cosine"]))
    else:
        kwargs["p"] = draw(st.sampled_from([2.0, 1.0, 3.0]))
        kwargs["eps"] = draw(st.sampled_from([1e-6, 0.01]))
    return _sample(
        (a, p, n),
        kwargs,
        (True, draw(st.booleans()), draw(st.booleans())),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


def _triplet_distance_call(lib: Any, a: Any, p: Any, n: Any, distance: str, **kw: Any) -> Any:
    functions = {
        "default": None,
        "l1": lambda x, y: (x - y).abs().sum(-1),
        "cosine": lambda x, y: 1 - fn(lib).cosine_similarity(x, y, dim=-1),
    }
    return fn(lib).triplet_margin_with_distance_loss(a, p, n, distance_function=functions[distance], **kw)


def _huber_call(lib: Any, x: Any, y: Any, weight: Any = None, **kw: Any) -> Any:
    return fn(lib).huber_loss(x, y, weight=weight, **kw)


OPS = [
    OpInfo("smooth_l1_loss", lambda lib, x, y, **kw: fn(lib).smooth_l1_loss(x, y, **kw), lambda: _robust("smooth_l1")),
    OpInfo("huber_loss", _huber_call, lambda: _robust("huber")),
    OpInfo("soft_margin_loss", lambda lib, x, y, **kw: fn(lib).soft_margin_loss(x, y, **kw), _soft_margin),
    OpInfo(
        "multilabel_soft_margin_loss",
        lambda lib, x, y, w=None, **kw: fn(lib).multilabel_soft_margin_loss(x, y, weight=w, **kw),
        lambda: _soft_margin(multilabel=True),
    ),
    OpInfo(
        "multi_margin_loss",
        lambda lib, x, t, w=None, **kw: fn(lib).multi_margin_loss(x, t, weight=w, **kw),
        _multi_margin,
    ),
    OpInfo(
        "multilabel_margin_loss", lambda lib, x, t, **kw: fn(lib).multilabel_margin_loss(x, t, **kw), _multilabel_margin
    ),
    OpInfo("margin_ranking_loss", lambda lib, a, b, y, **kw: fn(lib).margin_ranking_loss(a, b, y, **kw), _ranking),
    OpInfo(
        "torch.margin_ranking_loss",
        lambda lib, a, b, y, margin, reduction: lib.margin_ranking_loss(
            a, b, y, margin, {"none": 0, "mean": 1, "sum": 2}[reduction]
        ),
        _ranking,
    ),
    OpInfo("hinge_embedding_loss", lambda lib, x, y, **kw: fn(lib).hinge_embedding_loss(x, y, **kw), _hinge),
    OpInfo(
        "cosine_embedding_loss",
        lambda lib, a, b, y, **kw: fn(lib).cosine_embedding_loss(a, b, y, **kw),
        _cosine_embedding,
    ),
    OpInfo("triplet_margin_loss", lambda lib, a, b, c, **kw: fn(lib).triplet_margin_loss(a, b, c, **kw), _triplet),
    OpInfo("triplet_margin_with_distance_loss", _triplet_distance_call, lambda: _triplet(custom=True)),
]
