"""Registry entries: addcmul/addcdiv (and in-place), diff, cross, dist, renorm, ldexp, sum_to_size,
fill_diagonal_ and the in-place aliases of the Tensor API family.

dist's p-norm has a kink where x == y and its inf-norm one where two |x - y| tie: inputs keep the
differences away from 0 and distinct. renorm switches at norm == maxnorm: maxnorm is set between
sub-tensor norms, away from each of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _three(draw: Any, divisor: bool = False, inplace: bool = False) -> Any:
    """x, a, b broadcastable (x the full shape for in-place); b away from 0 when it divides."""
    shapes = draw(S.broadcastable_shapes(3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    if inplace:
        full = np.broadcast_shapes(*shapes)
        shapes = (full, shapes[1], shapes[2])
    x, a = S.array(rng, shapes[0]), S.array(rng, shapes[1])
    b = S.away_from(rng, shapes[2], (0.0,), 0.3) if divisor else S.array(rng, shapes[2])
    value = draw(st.sampled_from([1, -0.5, 2.0]))
    return S.sample((x, a, b), {"value": value}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _diff(draw: Any) -> Any:
    shape = draw(S.shapes(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    n = draw(st.integers(1, 3))  # n = 0 (a copy of input) is in tests/test_tensor_api.py
    extra = list(shape)
    extra[dim] = draw(st.integers(1, 2))
    prepend, append = draw(st.booleans()), draw(st.booleans())
    inputs = [S.array(rng, shape)]
    if prepend:
        inputs.append(S.array(rng, tuple(extra)))
    if append:
        inputs.append(S.array(rng, tuple(extra)))
    kwargs = {"n": n, "dim": dim, "has_prepend": prepend, "has_append": append}
    return S.sample(tuple(inputs), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _call_diff(lib: Any, x: Any, *extra: Any, n: int, dim: int, has_prepend: bool, has_append: bool) -> Any:
    extra = list(extra)
    prepend = extra.pop(0) if has_prepend else None
    append = extra.pop(0) if has_append else None
    return lib.diff(x, n=n, dim=dim, prepend=prepend, append=append)


@st.composite
def _cross(draw: Any) -> Any:
    shape = list(draw(S.shapes(1, 3, max_side=4)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 3
    other = [s if draw(st.booleans()) or i == dim % len(shape) else 1 for i, s in enumerate(shape)]
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x, y = S.array(rng, tuple(shape)), S.array(rng, tuple(other))
    return S.sample((x, y), {"dim": dim}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _dist(draw: Any) -> Any:
    sx, sy = draw(S.broadcastable_shapes(2, min_dims=1))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    shape = np.broadcast_shapes(sx, sy)
    y = S.array(rng, sy)
    # x = y + a difference with distinct magnitudes at least 0.1 from 0 (sign and max ties)
    gaps = np.abs(S.distinct(rng, shape, 0.1)) + 0.1
    diff = gaps * rng.choice([-1.0, 1.0], size=shape)
    x = np.broadcast_to(y, shape) + diff
    p = draw(st.sampled_from([1, 1.5, 2, 3, float("inf")]))
    return S.sample((np.array(x), y), {"p": p}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _renorm(draw: Any, inplace: bool = False) -> Any:
    shape = draw(S.shapes(2, 3, min_side=2))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    p = draw(st.sampled_from([1, 2, 3, float("inf")]))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.distinct(rng, shape, 0.05) + rng.uniform(0.5, 1.0, size=shape) * 0.01
    axes = tuple(i for i in range(len(shape)) if i != dim % len(shape))
    a = np.abs(x)
    norms = np.sort((a.max(axis=axes) if np.isinf(p) else np.sum(a**p, axis=axes) ** (1 / p)).ravel())
    # maxnorm between two neighbouring norms (or below all): some sub-tensors scaled, some kept
    k = draw(st.integers(0, len(norms) - 1))
    maxnorm = float((norms[k - 1] + norms[k]) / 2 if k else norms[0] / 2)
    return S.sample((x,), {"p": p, "dim": dim, "maxnorm": maxnorm}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _ldexp(draw: Any) -> Any:
    sx, se = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.array(rng, sx)
    e = rng.integers(-3, 4, size=se).astype(np.float64)
    return S.sample((x, e), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _ldexp_int_exponent(draw: Any) -> Any:
    sx, se = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    # exponents >= 0: torch's backward for an integer exponent forms 2^e in integers, 0 for e < 0
    return S.sample((S.array(rng, sx), rng.integers(0, 4, size=se)), seed=seed)


@st.composite
def _sum_to_size(draw: Any) -> Any:
    shape = draw(S.shapes(1, 4))
    keep = draw(st.integers(0, len(shape)))
    size = tuple(s if draw(st.booleans()) else 1 for s in shape[len(shape) - keep :])
    seed = draw(S.seeds)
    x = S.array(np.random.default_rng(seed), shape)
    return S.sample((x,), {"size": size}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _square(draw: Any) -> Any:
    shape = draw(st.sampled_from([(3, 3), (2, 4), (5, 2), (7, 2), (3, 3, 3)]))
    seed = draw(S.seeds)
    x = S.array(np.random.default_rng(seed), shape)
    return S.sample((x,), {"wrap": draw(st.booleans())}, seed=seed)


@st.composite
def _pair(draw: Any, nonzero: bool = False) -> Any:
    sx = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.array(rng, sx)
    y = S.away_from(rng, sx, (0.0,), 0.3) if nonzero else S.array(rng, sx)
    return S.sample((x, y), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _away_from_zero(draw: Any) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    x = S.away_from(np.random.default_rng(seed), shape, (0.0,), 0.2)
    return S.sample((x,), noncontiguous=draw(st.booleans()), seed=seed)


OPS = [
    OpInfo("addcmul", lambda lib, x, a, b, value: lib.addcmul(x, a, b, value=value), _three),
    OpInfo("addcmul_", lambda lib, x, a, b, value: (x * 1).addcmul_(a, b, value=value), lambda: _three(inplace=True)),
    OpInfo("addcdiv", lambda lib, x, a, b, value: x.addcdiv(a, b, value=value), lambda: _three(divisor=True)),
    OpInfo(
        "addcdiv_",
        lambda lib, x, a, b, value: (x * 1).addcdiv_(a, b, value=value),
        lambda: _three(divisor=True, inplace=True),
    ),
    OpInfo("diff", _call_diff, _diff),
    OpInfo("cross", lambda lib, x, y, dim: lib.cross(x, y, dim=dim), _cross),
    OpInfo("linalg_cross", lambda lib, x, y, dim: lib.linalg.cross(x, y, dim=dim), _cross),
    OpInfo("dist", lambda lib, x, y, p: lib.dist(x, y, p), _dist),
    OpInfo("renorm", lambda lib, x, p, dim, maxnorm: x.renorm(p, dim, maxnorm), _renorm),
    OpInfo("renorm_", lambda lib, x, p, dim, maxnorm: (x * 1).renorm_(p, dim, maxnorm), _renorm),
    OpInfo("ldexp", lambda lib, x, e: lib.ldexp(x, e), _ldexp),
    OpInfo("ldexp_int_exponent", lambda lib, x, e: x.ldexp(e), _ldexp_int_exponent),
    OpInfo("sum_to_size", lambda lib, x, size: x.sum_to_size(size) * 1, _sum_to_size),
    OpInfo("fill_diagonal_", lambda lib, x, wrap: (x * 1).fill_diagonal_(0.5, wrap=wrap), _square),
    OpInfo("absolute_", lambda lib, x: (x * 1).absolute_(), _away_from_zero),
    OpInfo("negative_", lambda lib, x: (x * 1).negative_(), _away_from_zero),
    OpInfo("multiply_", lambda lib, x, y: (x * 1).multiply_(y), _pair),
    OpInfo("subtract_", lambda lib, x, y: (x * 1).subtract_(y, alpha=2), _pair),
    OpInfo("divide_", lambda lib, x, y: (x * 1).divide_(y), lambda: _pair(nonzero=True)),
    OpInfo("true_divide_", lambda lib, x, y: (x * 1).true_divide_(y), lambda: _pair(nonzero=True)),
]
