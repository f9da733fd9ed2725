"""Registry entries: the special functions (gamma family, Bessel I0/I1, normal distribution, erfcx,
entr, xlog1py, zeta) in their torch.X, Tensor.X, in-place and torch.special.X forms.

Inputs keep away from the poles of lgamma/digamma/polygamma (0, -1, -2, ...) by at least 0.1, and
from 0 for entr (its derivative -ln x - 1 is unbounded there); ndtri takes p in [0.05, 0.95].
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo

# torch's trigamma (the gradient of digamma and polygamma(0)) truncates its asymptotic series at x >= 6
# and is only good to ~1e-9 relative (tests/test_special.py checks ours against mpmath to 1e-14); the
# float64 finite-difference check, which needs no torch, holds these entries to the full accuracy.
_TRIGAMMA = {np.dtype(np.float64): (1e-8, 1e-10), np.dtype(np.float32): (1e-4, 1e-5)}


@st.composite
def _values(draw: Any, low: float = -4.0, high: float = 4.0, away_from_integers: bool = False) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    x = S.array(np.random.default_rng(seed), shape, low, high)
    if away_from_integers:
        frac = x - np.round(x)
        x = np.where(np.abs(frac) < 0.1, np.round(x) + np.where(frac >= 0, 0.2, -0.2), x)
    return S.sample((x,), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _pair(draw: Any, x_low: float, x_high: float, y_low: float, y_high: float) -> Any:
    sx, sy = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample((S.array(rng, sx, x_low, x_high), S.array(rng, sy, y_low, y_high)), seed=seed)


@st.composite
def _polygamma(draw: Any) -> Any:
    sample = draw(_values(-3.0, 4.0, away_from_integers=True))
    return S.sample(sample.inputs, {"n": draw(st.integers(0, 3))}, noncontiguous=sample.noncontiguous, seed=sample.seed)


@st.composite
def _mvlgamma(draw: Any) -> Any:
    p = draw(st.integers(1, 4))
    sample = draw(_values((p - 1) / 2 + 0.2, (p - 1) / 2 + 4.0))
    return S.sample(sample.inputs, {"p": p}, noncontiguous=sample.noncontiguous, seed=sample.seed)


@st.composite
def _zeta_q(draw: Any) -> Any:
    """zeta(s, q) with s a number > 1 (torch has no derivative in s) and q > 0."""
    sample = draw(_values(0.3, 4.0))
    s = draw(st.sampled_from([1.5, 2.0, 3.5]))
    return S.sample(sample.inputs, {"s": s}, noncontiguous=sample.noncontiguous, seed=sample.seed)


OPS = [
    OpInfo("lgamma", lambda lib, x: lib.lgamma(x), lambda: _values(away_from_integers=True)),
    OpInfo("lgamma_", lambda lib, x: (x * 1).lgamma_(), lambda: _values(away_from_integers=True)),
    OpInfo("special.gammaln", lambda lib, x: lib.special.gammaln(x), lambda: _values(0.1, 10.0)),
    OpInfo("digamma", lambda lib, x: x.digamma(), lambda: _values(away_from_integers=True), _TRIGAMMA),
    OpInfo("digamma_", lambda lib, x: (x * 1).digamma_(), lambda: _values(away_from_integers=True), _TRIGAMMA),
    OpInfo("special.psi", lambda lib, x: lib.special.psi(x), lambda: _values(0.1, 10.0), _TRIGAMMA),
    OpInfo("polygamma", lambda lib, x, n: lib.polygamma(n, x), _polygamma, _TRIGAMMA),
    OpInfo("polygamma_method", lambda lib, x, n: x.polygamma(n), _polygamma, _TRIGAMMA),
    OpInfo("polygamma_", lambda lib, x, n: (x * 1).polygamma_(n), _polygamma, _TRIGAMMA),
    OpInfo("special.polygamma", lambda lib, x, n: lib.special.polygamma(n, x), _polygamma, _TRIGAMMA),
    OpInfo("mvlgamma", lambda lib, x, p: lib.mvlgamma(x, p), _mvlgamma),
    OpInfo("mvlgamma_", lambda lib, x, p: (x * 1).mvlgamma_(p), _mvlgamma),
    OpInfo("special.multigammaln", lambda lib, x, p: lib.special.multigammaln(x, p), _mvlgamma),
    OpInfo("i0", lambda lib, x: lib.i0(x), lambda: _values(-40.0, 40.0)),
    OpInfo("i0_", lambda lib, x: (x * 1).i0_(), _values),
    OpInfo("special.i0", lambda lib, x: lib.special.i0(x), _values),
    OpInfo("special.i0e", lambda lib, x: lib.special.i0e(x), lambda: _values(-40.0, 40.0)),
    OpInfo("special.i1", lambda lib, x: lib.special.i1(x), lambda: _values(-40.0, 40.0)),
    OpInfo("special.i1e", lambda lib, x: lib.special.i1e(x), lambda: _values(-40.0, 40.0)),
    OpInfo("special.erfcx", lambda lib, x: lib.special.erfcx(x), lambda: _values(-3.0, 30.0)),
    OpInfo("special.ndtr", lambda lib, x: lib.special.ndtr(x), _values),
    OpInfo("special.ndtri", lambda lib, p: lib.special.ndtri(p), lambda: _values(0.05, 0.95)),
    OpInfo("special.log_ndtr", lambda lib, x: lib.special.log_ndtr(x), lambda: _values(-20.0, 6.0)),
    OpInfo("special.entr", lambda lib, x: lib.special.entr(x), lambda: _values(0.1, 4.0)),
    OpInfo("special.xlog1py", lambda lib, x, y: lib.special.xlog1py(x, y), lambda: _pair(-2.0, 2.0, -0.8, 3.0)),
    OpInfo("special.zeta_q", lambda lib, q, s: lib.special.zeta(s, q), _zeta_q),
    OpInfo("special.expit", lambda lib, x: lib.special.expit(x), _values),
    OpInfo("special.softmax", lambda lib, x: lib.special.softmax(x, -1) if x.ndim else x * 1, _values),
]


@st.composite
def _igamma(draw: Any) -> Any:
    """a a number-like tensor without gradient (torch has no derivative in a), x > 0."""
    sa, sx = draw(S.broadcastable_shapes(2))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    a, x = S.array(rng, sa, 0.3, 6.0), S.array(rng, sx, 0.1, 10.0)
    return S.sample((a, x), requires_grad=(False, True), noncontiguous=draw(st.booleans()), seed=seed)


# torch's igamma/igammac are good to ~1e-9 relative only (tests/test_special.py checks ours against mpmath)
_IGAMMA = {np.dtype(np.float64): (1e-8, 1e-10), np.dtype(np.float32): (1e-4, 1e-5)}

OPS += [
    OpInfo("igamma", lambda lib, a, x: lib.igamma(a, x), _igamma, _IGAMMA),
    OpInfo("igammac", lambda lib, a, x: a.igammac(x), _igamma, _IGAMMA),
    OpInfo("special.gammainc", lambda lib, a, x: lib.special.gammainc(a, x), _igamma, _IGAMMA),
    OpInfo("special.gammaincc", lambda lib, a, x: lib.special.gammaincc(a, x), _igamma, _IGAMMA),
    OpInfo(
        "igamma_", lambda lib, a, x: (a * 1).igamma_(x) if a.shape == x.shape else lib.igamma(a, x), _igamma, _IGAMMA
    ),
    OpInfo("nextafter", lambda lib, x, y: lib.nextafter(x, y), lambda: _pair(-2.0, 2.0, -2.0, 2.0)),
]
