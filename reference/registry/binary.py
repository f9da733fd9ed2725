"""Registry entries: binary elementwise math: atan2, fmod, remainder, hypot, copysign, lerp, fmax/fmin,
logaddexp, xlogy, float_power, their scalar and in-place forms (clamp with tensor bounds is in arithmetic.py).

fmod and remainder jump where x / y is an integer: inputs keep x / y away from integers, where the
output (and so a finite difference) is discontinuous.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _binary(draw: Any, low: float = -2.0, high: float = 2.0, y_low: float | None = None, y_high: float | None = None):
    """Two broadcastable float tensors, x in [low, high), y in [y_low, y_high) (default: x's range)."""
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.array(rng, sx, low, high)
    y = S.array(rng, sy, low if y_low is None else y_low, high if y_high is None else y_high)
    return S.sample((x, y), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _nonzero_pair(draw: Any) -> Any:
    """x and y both at least 0.2 from 0 (sign kinks of copysign, the origin of atan2 and hypot)."""
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x, y = S.away_from(rng, sx, (0.0,), 0.2), S.away_from(rng, sy, (0.0,), 0.2)
    return S.sample((x, y), noncontiguous=draw(st.booleans()), seed=seed)


def _away_from_multiples(x: np.ndarray, y: float, margin: float = 0.1) -> np.ndarray:
    """x moved so that x / y is at least ``margin`` from every integer (fmod/remainder jump there)."""
    q = x / y
    frac = q - np.round(q)
    q = np.where(np.abs(frac) < margin, np.round(q) + np.where(frac >= 0, 2 * margin, -2 * margin), q)
    return np.asarray(q * y)


def _modulo_arrays(rng: np.random.Generator, sx: tuple, sy: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Divisors y in {+-0.5, +-1.5} and x = (k + 1/2) / 2 (+- 0.02): x / y is then at least 1/7 from every
    integer for every pairing that broadcasting makes, whatever the shapes."""
    y = np.asarray(rng.choice([-1.5, -0.5, 0.5, 1.5], size=sy))
    x = (rng.integers(-8, 8, size=sx) + 0.5) / 2 + rng.uniform(-0.02, 0.02, size=sx)
    return np.asarray(x), y


@st.composite
def _modulo(draw: Any) -> Any:
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    x, y = _modulo_arrays(np.random.default_rng(seed), sx, sy)
    return S.sample((x, y), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _modulo_scalar(draw: Any) -> Any:
    """x and a number divisor, x / divisor away from integers."""
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    scalar = draw(st.sampled_from([2, -3, 1.5, -0.75]))
    x = _away_from_multiples(S.array(rng, shape, -4.0, 4.0), scalar)
    return S.sample((x,), {"scalar": scalar}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _number_modulo(draw: Any) -> Any:
    """number % y: torch defines no derivative for it, so y needs no grad here (forward and dtype)."""
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    y = np.asarray(rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape))
    scalar = draw(st.sampled_from([2, -3, 1.5, -0.75]))
    return S.sample((y,), {"scalar": scalar}, requires_grad=(False,), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _with_scalar(draw: Any, scalars: tuple = (2, -3, 0.5, -1.25), low: float = -2.0, high: float = 2.0) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    scalar = draw(st.sampled_from(scalars))
    x = S.away_from(rng, shape, (0.0,), 0.1, low, high)
    return S.sample((x,), {"scalar": scalar}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _into_first(draw: Any, modulo: bool = False, nonzero: bool = False, positive_y: bool = False) -> Any:
    """x and a y that broadcasts to x's shape (what an in-place x.op_(y) accepts)."""
    sx = draw(S.shapes(0, 4))
    drop = draw(st.integers(0, len(sx)))
    sy = tuple(1 if draw(st.booleans()) else d for d in sx[drop:])
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    if modulo:
        x, y = _modulo_arrays(rng, sx, sy)
    else:
        x = S.away_from(rng, sx, (0.0,), 0.2) if nonzero else S.array(rng, sx)
        y = S.away_from(rng, sy, (0.0,), 0.2) if nonzero else S.array(rng, sy)
        if positive_y:
            y = np.asarray(np.abs(y))
    return S.sample((x, y), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _distinct_pair(draw: Any, nan: bool = False) -> Any:
    """Two broadcastable tensors with no ties (fmax/fmin route the gradient by x >= y): x near the grid
    k/4, y near k/4 + 1/8; with ``nan``, some NaNs in each (fmax/fmin ignore them)."""
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = rng.integers(-8, 8, size=sx) / 4 + rng.uniform(-0.02, 0.02, size=sx)
    y = rng.integers(-8, 8, size=sy) / 4 + 0.125 + rng.uniform(-0.02, 0.02, size=sy)
    if nan:
        x = np.where(rng.random(sx) < 0.25, np.nan, x)
        y = np.where(rng.random(sy) < 0.25, np.nan, y)
    return S.sample((np.asarray(x), np.asarray(y)), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _lerp(draw: Any, tensor_weight: bool, inplace: bool = False) -> Any:
    shapes = list(draw(S.broadcastable_shapes(3 if tensor_weight else 2)))
    if inplace:
        shapes[0] = np.broadcast_shapes(*shapes)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    inputs = tuple(S.array(rng, s) for s in shapes)
    kwargs = {} if tensor_weight else {"weight": draw(st.sampled_from([0.0, 0.3, 1.0, -0.5, 1.5]))}
    return S.sample(inputs, kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _xlogy(draw: Any) -> Any:
    """x (with some exact zeros, where xlogy is 0 by definition) and a positive y."""
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = np.where(rng.random(sx) < 0.2, 0.0, S.array(rng, sx))
    return S.sample((x, S.array(rng, sy, 0.2, 3.0)), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _positive_with_scalar(draw: Any, scalars: tuple = (2, 0.5, 3.5, -1)) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    scalar = draw(st.sampled_from(scalars))
    return S.sample((S.array(rng, shape, 0.2, 3.0),), {"scalar": scalar}, noncontiguous=draw(st.booleans()), seed=seed)


def _inplace(method: str) -> Any:
    """(x * 1).<method>(y): the in-place op on a non-leaf, gradients to both x and y."""
    return lambda lib, x, y: getattr(x * 1, method)(y)


OPS = [
    OpInfo("atan2", lambda lib, x, y: lib.atan2(x, y), _nonzero_pair),
    OpInfo("arctan2_method", lambda lib, x, y: x.arctan2(y), _nonzero_pair),
    OpInfo("atan2_", _inplace("atan2_"), lambda: _into_first(nonzero=True)),
    OpInfo("hypot", lambda lib, x, y: lib.hypot(x, y), _nonzero_pair),
    OpInfo("hypot_", _inplace("hypot_"), lambda: _into_first(nonzero=True)),
    OpInfo("fmod", lambda lib, x, y: lib.fmod(x, y), _modulo),
    OpInfo("fmod_scalar", lambda lib, x, scalar: x.fmod(scalar), _modulo_scalar),
    OpInfo("fmod_", _inplace("fmod_"), lambda: _into_first(modulo=True)),
    OpInfo("remainder", lambda lib, x, y: lib.remainder(x, y), _modulo),
    OpInfo("remainder_operator", lambda lib, x, y: x % y, _modulo),
    OpInfo("remainder_scalar", lambda lib, x, scalar: x % scalar, _modulo_scalar),
    OpInfo("remainder_of_number", lambda lib, y, scalar: scalar % y, _number_modulo, gradcheck=False),
    OpInfo("remainder_", _inplace("remainder_"), lambda: _into_first(modulo=True)),
    OpInfo("copysign", lambda lib, x, y: lib.copysign(x, y), _nonzero_pair),
    OpInfo("copysign_scalar", lambda lib, x, scalar: x.copysign(scalar), _with_scalar),
    OpInfo("copysign_", _inplace("copysign_"), lambda: _into_first(nonzero=True)),
    OpInfo("lerp", lambda lib, x, y, weight: lib.lerp(x, y, weight), lambda: _lerp(False)),
    OpInfo("lerp_tensor_weight", lambda lib, x, y, w: x.lerp(y, w), lambda: _lerp(True)),
    OpInfo("lerp_", lambda lib, x, y, w: (x * 1).lerp_(y, w), lambda: _lerp(True, inplace=True)),
    OpInfo("fmax", lambda lib, x, y: lib.fmax(x, y), _distinct_pair),
    OpInfo("fmin", lambda lib, x, y: x.fmin(y), _distinct_pair),
    OpInfo("fmax_nan", lambda lib, x, y: lib.fmax(x, y), lambda: _distinct_pair(nan=True), gradcheck=False),
    OpInfo("fmin_nan", lambda lib, x, y: lib.fmin(x, y), lambda: _distinct_pair(nan=True), gradcheck=False),
    OpInfo("logaddexp", lambda lib, x, y: lib.logaddexp(x, y), lambda: _binary(-3.0, 3.0)),
    OpInfo("logaddexp2", lambda lib, x, y: x.logaddexp2(y), lambda: _binary(-3.0, 3.0)),
    OpInfo("xlogy", lambda lib, x, y: lib.xlogy(x, y), _xlogy),
    OpInfo("xlogy_scalar_other", lambda lib, x, scalar: x.xlogy(abs(scalar)), _with_scalar),
    OpInfo("xlogy_scalar_self", lambda lib, y, scalar: lib.xlogy(scalar, y), _positive_with_scalar),
    OpInfo("xlogy_", _inplace("xlogy_"), lambda: _into_first(nonzero=True, positive_y=True)),
    OpInfo("float_power_scalar", lambda lib, x, scalar: lib.float_power(x, scalar), _positive_with_scalar),
    OpInfo("float_power_tensor", lambda lib, x, y: x.float_power(y), lambda: _binary(0.3, 2.0, -1.5, 1.5)),
    OpInfo("float_power_number", lambda lib, y, scalar: lib.float_power(abs(scalar), y), _positive_with_scalar),
]
