"""Registry entries: elementwise arithmetic, its operators and in-place forms."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _binary(draw: Any, low: float = -2.0, high: float = 2.0, y_away_from_zero: bool = False) -> Any:
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.array(rng, sx, low, high)
    y = S.away_from(rng, sy, (0.0,), 0.2) if y_away_from_zero else S.array(rng, sy, low, high)
    return S.sample((x, y), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _with_scalar(draw: Any, scalars: tuple = (2, -3, 0.5, -1.25), low: float = -2.0, high: float = 2.0) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    scalar = draw(st.sampled_from(scalars))
    return S.sample((S.array(rng, shape, low, high),), {"scalar": scalar}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _into_first(draw: Any, y_away_from_zero: bool = False) -> Any:
    """x and a y that broadcasts to x's shape (what an in-place x.op_(y) accepts)."""
    sx = draw(S.shapes(0, 4))
    drop = draw(st.integers(0, len(sx)))
    sy = tuple(1 if draw(st.booleans()) else d for d in sx[drop:])
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    y = S.away_from(rng, sy, (0.0,), 0.2) if y_away_from_zero else S.array(rng, sy)
    return S.sample((S.array(rng, sx), y), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _unary(draw: Any, low: float = -2.0, high: float = 2.0, kinks: tuple = ()) -> Any:
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.away_from(rng, shape, kinks, 0.05, low, high) if kinks else S.array(rng, shape, low, high)
    return S.sample((x,), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _add_alpha(draw: Any) -> Any:
    s = draw(_binary())
    s.kwargs["alpha"] = draw(st.sampled_from([1, 2, -0.5]))
    return s


@st.composite
def _clamp(draw: Any, which: str = "both") -> Any:
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    lo = draw(st.sampled_from([-1.5, -0.5, 0.0, 0.25]))
    hi = lo + draw(st.sampled_from([0.5, 1.0, 2.5]))
    kwargs = {"both": {"min": lo, "max": hi}, "min": {"min": lo}, "max": {"max": hi}}[which]
    x = S.away_from(rng, shape, (lo, hi), 0.05)
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _clamp_tensor(draw: Any, which: str = "both", inplace: bool = False) -> Any:
    """x and tensor bounds that broadcast with it. x lies on the grid k/2, lo on k/2 + 1/6 and hi on
    k/2 + 1/3, so no x meets a bound and lo never equals hi (the gradient jumps there) whatever the
    broadcast pairs; sometimes lo > hi somewhere (then z = hi and the gradient goes to hi)."""
    shapes = list(draw(S.broadcastable_shapes(3 if which == "both" else 2)))
    if inplace or which == "both":
        # with both bounds, x has the full shape: torch's backward and-s masks of the broadcast pairs
        # in place and fails where (x, hi) broadcasts beyond (x, lo)
        shapes[0] = np.broadcast_shapes(*shapes)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 5, size=shapes[0]) / 2
    lo = rng.integers(-3, 0, size=shapes[1]) / 2 + 1 / 6
    hi = rng.integers(0, 3, size=shapes[-1]) / 2 + 1 / 3
    if which == "both" and draw(st.booleans()):
        hi = np.where(rng.random(hi.shape) < 0.3, hi - 2.0, hi)  # some hi below lo
    bounds = {"both": (lo, hi), "min": (lo,), "max": (hi,)}[which]
    return S.sample((np.asarray(x), *map(np.asarray, bounds)), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _int_and_float(draw: Any) -> Any:
    """An integer tensor (no grad) with a float one: the result type promotes to float."""
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    ints = np.asarray(rng.integers(1, 5, size=sx) * rng.choice([-1, 1], size=sx))
    return S.sample((ints.astype(np.int64), S.array(rng, sy)), seed=seed)


def _inplace(method: str) -> Any:
    """(x * 1).<method>_(y): the in-place op on a non-leaf, gradients to both x and y."""
    return lambda lib, x, y: getattr(x * 1, method)(y)


OPS = [
    OpInfo("add", lambda lib, x, y, alpha=1: lib.add(x, y, alpha=alpha), _add_alpha),
    OpInfo("add_scalar", lambda lib, x, scalar: x + scalar, _with_scalar),
    OpInfo("radd_scalar", lambda lib, x, scalar: scalar + x, _with_scalar),
    OpInfo("add_int_float", lambda lib, i, y: i + y, _int_and_float),
    OpInfo("mul", lambda lib, x, y: x * y, _binary),
    OpInfo("mul_scalar", lambda lib, x, scalar: scalar * x, _with_scalar),
    OpInfo("mul_int_float", lambda lib, i, y: y * i, _int_and_float),
    OpInfo("sub", lambda lib, x, y, alpha=1: lib.sub(x, y, alpha=alpha), _add_alpha),
    OpInfo("sub_operator", lambda lib, x, y: x - y, _binary),
    OpInfo("sub_scalar", lambda lib, x, scalar: x - scalar, _with_scalar),
    OpInfo("rsub_scalar", lambda lib, x, scalar: scalar - x, _with_scalar),
    OpInfo("div", lambda lib, x, y: x / y, lambda: _binary(y_away_from_zero=True)),
    OpInfo("div_scalar", lambda lib, x, scalar: x / scalar, _with_scalar),
    OpInfo("rdiv_scalar", lambda lib, x, scalar: scalar / x, lambda: _with_scalar(low=0.3, high=2.0)),
    OpInfo("div_int_float", lambda lib, i, y: i / (y + 3), _int_and_float),
    OpInfo(
        "div_floor",
        lambda lib, x, y: lib.div(x, y, rounding_mode="floor") * y,
        lambda: _binary(y_away_from_zero=True),
        gradcheck=False,  # floor jumps; the gradient through it is 0 by definition
    ),
    OpInfo("neg", lambda lib, x: -x, _unary),
    OpInfo("pow_scalar", lambda lib, x, scalar: x**scalar, lambda: _with_scalar(low=0.2, high=2.0)),
    OpInfo("pow_int_exponent", lambda lib, x, scalar: x.pow(scalar), lambda: _with_scalar((2, 3, -1, 0))),
    OpInfo("rpow_scalar", lambda lib, x, scalar: scalar**x, lambda: _with_scalar((2, 0.5, 3.5))),
    OpInfo("pow_tensor", lambda lib, x, y: lib.pow(x, y), lambda: _binary(0.3, 2.0)),
    OpInfo("exp", lambda lib, x: lib.exp(x), _unary),
    OpInfo("log", lambda lib, x: x.log(), lambda: _unary(0.1, 3.0)),
    OpInfo("sqrt", lambda lib, x: lib.sqrt(x), lambda: _unary(0.1, 3.0)),
    OpInfo("reciprocal", lambda lib, x: x.reciprocal(), lambda: _unary(0.2, 3.0)),
    OpInfo("square", lambda lib, x: x.square(), _unary),
    OpInfo("abs", lambda lib, x: abs(x), lambda: _unary(kinks=(0.0,))),
    OpInfo("sign", lambda lib, x: x.sign() * x, lambda: _unary(kinks=(0.0,))),
    OpInfo("clamp", lambda lib, x, **kw: lib.clamp(x, **kw), _clamp),
    OpInfo("clamp_min_kwarg", lambda lib, x, **kw: x.clamp(**kw), lambda: _clamp("min")),
    OpInfo("clamp_max_kwarg", lambda lib, x, **kw: x.clip(**kw), lambda: _clamp("max")),
    OpInfo("clamp_min", lambda lib, x, min: x.clamp_min(min), lambda: _clamp("min")),
    OpInfo("clamp_max", lambda lib, x, max: x.clamp_max(max), lambda: _clamp("max")),
    OpInfo("clamp_tensor", lambda lib, x, lo, hi: lib.clamp(x, lo, hi), _clamp_tensor),
    OpInfo("clip_tensor_", lambda lib, x, lo, hi: (x * 1).clip_(lo, hi), lambda: _clamp_tensor(inplace=True)),
    OpInfo("clamp_tensor_min", lambda lib, x, lo: x.clamp(min=lo), lambda: _clamp_tensor("min")),
    OpInfo("clamp_tensor_max", lambda lib, x, hi: lib.clamp(x, max=hi), lambda: _clamp_tensor("max")),
    OpInfo("clamp_min_tensor", lambda lib, x, lo: lib.clamp_min(x, lo), lambda: _clamp_tensor("min")),
    OpInfo("clamp_max_tensor", lambda lib, x, hi: x.clamp_max(hi), lambda: _clamp_tensor("max")),
    OpInfo("add_", _inplace("add_"), _into_first),
    OpInfo("sub_", _inplace("sub_"), _into_first),
    OpInfo("mul_", _inplace("mul_"), _into_first),
    OpInfo("div_", _inplace("div_"), lambda: _into_first(y_away_from_zero=True)),
    OpInfo("iadd_imul", lambda lib, x, y: _iadd_imul(x, y), _into_first),
    OpInfo("exp_", lambda lib, x: (x * 1).exp_(), _unary),
    OpInfo("neg_", lambda lib, x: (x * 2).neg_(), _unary),
    OpInfo("clamp_", lambda lib, x, **kw: (x * 1).clamp_(**kw), _clamp),
]


def _iadd_imul(x: Any, y: Any) -> Any:
    z = x * 1
    z += y
    z *= y
    z -= x
    z /= 2
    return z
