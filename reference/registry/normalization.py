"""Registry entries: batch_norm (training and eval, affine or not, 2-D to 5-D inputs, momentum, eps).

In training mode the running statistics are also updated in place;
``tests/test_batchnorm.py`` compares those buffers with torch's (the generic
registry tests compare outputs and gradients only).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def batch_norm_samples(draw: Any, training: bool | None = None) -> Any:
    """Input (N, C, *spatial) with at least 3 values per channel, gamma, beta, running mean and variance."""
    ndim = draw(st.integers(2, 5))
    c = draw(st.integers(1, 4))
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(ndim - 2))
    n = draw(st.integers(3 if not spatial else 2, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    shape = (n, c) + spatial
    x = rng.normal(0.5, 1.5, size=shape)
    weight = rng.uniform(0.5, 2.0, size=c) * rng.choice([-1, 1], size=c)
    bias = rng.normal(size=c)
    running_mean = rng.normal(size=c)
    running_var = rng.uniform(0.5, 2.0, size=c)
    affine = draw(st.booleans())
    mode = draw(st.booleans()) if training is None else training
    kwargs = {
        "affine": affine,
        "training": mode,
        # eval mode needs running statistics; training may go without them (batch statistics only)
        "use_running": True if not mode else draw(st.booleans()),
        "momentum": draw(st.sampled_from([0.1, 0.0, 0.5, 1.0, 0.01])),
        "eps": draw(st.sampled_from([1e-5, 1e-3, 0.1])),
    }
    return S.sample(
        (x, weight, bias, running_mean, running_var),
        kwargs,
        (True, affine, affine, False, False),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


def batch_norm_call(
    lib: Any, x: Any, w: Any, b: Any, rm: Any, rv: Any, affine: bool, training: bool, use_running: bool, **kw: Any
) -> Any:
    return lib.nn.functional.batch_norm(
        x,
        rm if use_running else None,
        rv if use_running else None,
        w if affine else None,
        b if affine else None,
        training=training,
        **kw,
    )


OPS = [
    OpInfo("batch_norm_train", batch_norm_call, lambda: batch_norm_samples(training=True)),
    OpInfo("batch_norm_eval", batch_norm_call, lambda: batch_norm_samples(training=False)),
]


@st.composite
def layer_norm_samples(draw: Any) -> Any:
    """Input (*lead, *normalized) with 0-2 leading and 1-3 normalised dims, optional weight and bias."""
    lead = draw(S.shapes(0, 2, 0, 3))
    normalized = draw(S.shapes(1, 3, 1, 4))
    # at least three values a row: with one or two the output is constant (0, or -1 and 1) and the true
    # gradient 0, which torch's float32 misses by its rounding times rstd
    if int(np.prod(normalized, dtype=np.int64)) < 3:
        normalized = normalized[:-1] + (3,)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    # values 0.2 apart: a row of nearly equal values has a tiny variance, and a huge rstd amplifies
    # float32 rounding (torch's own float32 gradient is then off by 1e-4)
    x = S.distinct(rng, lead + normalized, 0.2)
    use_weight, use_bias = draw(st.booleans()), draw(st.booleans())
    kwargs = {
        "normalized_shape": normalized if draw(st.booleans()) else list(normalized),
        "use_weight": use_weight,
        "use_bias": use_bias,
        "eps": draw(st.sampled_from([1e-5, 1e-3, 0.1])),
    }
    return S.sample(
        (x, S.array(rng, normalized, 0.5, 2.0), S.array(rng, normalized)),
        kwargs,
        (True, use_weight, use_bias),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


def layer_norm_call(lib: Any, x: Any, w: Any, b: Any, normalized_shape: Any, use_weight: bool, use_bias: bool, eps):
    return lib.nn.functional.layer_norm(x, normalized_shape, w if use_weight else None, b if use_bias else None, eps)


def native_layer_norm_call(lib: Any, x: Any, w: Any, b: Any, normalized_shape: Any, use_weight: bool, use_bias, eps):
    """The output only: mean and rstd are non-differentiable outputs, which the finite-difference check
    would differentiate anyway; tests/test_layer_norm.py compares them (values, shapes, no grad) with torch."""
    return lib.native_layer_norm(x, normalized_shape, w if use_weight else None, b if use_bias else None, eps)[0]


@st.composite
def group_norm_samples(draw: Any) -> Any:
    """Input (N, C, *spatial) with C = groups * channels per group, 0-2 spatial dims, optional affine."""
    groups, per_group = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    c = groups * per_group
    n = draw(st.integers(1, 3))
    spatial = draw(S.shapes(0, 2, 1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    # at least three values per group (see layer_norm_samples)
    if per_group * int(np.prod(spatial, dtype=np.int64)) < 3:
        spatial = (3,)
    # values 0.2 apart, so no group has a tiny variance (see layer_norm_samples)
    x = S.distinct(rng, (n, c) + spatial, 0.2)
    # a bias without a weight: torch's NativeGroupNormBackward0 fails ("tensor does not have a device")
    use_weight = draw(st.booleans())
    use_bias = use_weight and draw(st.booleans())
    kwargs = {
        "num_groups": groups,
        "use_weight": use_weight,
        "use_bias": use_bias,
        "eps": draw(st.sampled_from([1e-5, 1e-3, 0.1])),
    }
    return S.sample(
        (x, S.array(rng, (c,), 0.5, 2.0), S.array(rng, (c,))),
        kwargs,
        (True, use_weight, use_bias),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


def group_norm_call(lib: Any, x: Any, w: Any, b: Any, num_groups: int, use_weight: bool, use_bias: bool, eps):
    return lib.nn.functional.group_norm(x, num_groups, w if use_weight else None, b if use_bias else None, eps)


def native_group_norm_call(lib: Any, x: Any, w: Any, b: Any, num_groups: int, use_weight: bool, use_bias, eps):
    """All three outputs: torch differentiates mean and rstd too, so their upstream gradients are random too."""
    n, c = x.shape[:2]
    hxw = int(np.prod(x.shape[2:], dtype=np.int64))
    # torch's kernel wants contiguous arguments (it rejects a strided input and misreads a strided
    # weight); group_norm makes them so, and the entry above tests strided ones
    w, b = w.contiguous(), b.contiguous()
    return lib.native_group_norm(
        x.contiguous(), w if use_weight else None, b if use_bias else None, n, c, hxw, num_groups, eps
    )


OPS += [
    OpInfo("layer_norm", layer_norm_call, layer_norm_samples),
    OpInfo("native_layer_norm", native_layer_norm_call, layer_norm_samples),
    OpInfo("group_norm", group_norm_call, group_norm_samples),
    OpInfo("native_group_norm", native_group_norm_call, group_norm_samples),
]


@st.composite
def native_dropout_samples(draw: Any) -> Any:
    """The draws that need no random mask: p = 0 in training, p = 1 in training, any p outside it."""
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    p, train = draw(st.sampled_from([(0.0, True), (1.0, True), (0.5, False), (0.0, False), (0.3, False)]))
    return S.sample((S.array(rng, shape),), {"p": p, "train": train}, noncontiguous=draw(st.booleans()), seed=seed)


OPS += [OpInfo("native_dropout", lambda lib, x, p, train: lib.native_dropout(x, p, train), native_dropout_samples)]


@st.composite
def rms_norm_samples(draw: Any) -> Any:
    """Input (*lead, *normalized), an optional weight, eps None (the dtype's epsilon) or drawn."""
    lead = draw(S.shapes(0, 2, 0, 3))
    normalized = draw(S.shapes(1, 2, 1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    use_weight = draw(st.booleans())
    kwargs = {
        "normalized_shape": normalized if draw(st.booleans()) else list(normalized),
        "use_weight": use_weight,
        "eps": draw(st.sampled_from([None, 1e-5, 0.1])),
    }
    x = S.away_from(rng, lead + normalized, (0.0,), 0.3)  # a row near 0 has a huge 1/rms
    return S.sample(
        (x, S.array(rng, normalized, 0.5, 2.0)),
        kwargs,
        (True, use_weight),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


def rms_norm_call(lib: Any, x: Any, w: Any, normalized_shape: Any, use_weight: bool, eps: float | None) -> Any:
    return lib.nn.functional.rms_norm(x, normalized_shape, w if use_weight else None, eps)


OPS += [OpInfo("rms_norm", rms_norm_call, rms_norm_samples)]
