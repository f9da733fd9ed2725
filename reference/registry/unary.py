"""Registry entries: unary elementwise math: trigonometric, hyperbolic, exponential and logarithmic variants, erf, rounding.

Each op is one entry whose sample also draws the place it is called from (``form``): torch.X(x),
x.X(), the in-place x.X_() and, where torch has it, torch.X_(x); the in-place forms run on a
non-leaf (x * 1) so the gradient flows back to x through the rebased node. Inputs stay inside each
function's domain and away from its poles (tan at pi/2, acosh at 1, atanh at +-1) and, for the
piecewise-constant ops, away from the jumps, where neither torch nor finite differences have a
gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo

FORMS = ("torch", "method", "method_", "torch_")
METHOD_FORMS = ("torch", "method", "method_")  # torch has no torch.X_ (erfinv, sgn)
OUT_OF_PLACE = ("torch", "method")


def _forms(name: str) -> Any:
    """call(lib, x, form, **kwargs): the op from the place ``form`` names."""

    def call(lib: Any, x: Any, form: str, **kwargs: Any) -> Any:
        if form == "torch":
            return getattr(lib, name)(x, **kwargs)
        if form == "method":
            return getattr(x, name)(**kwargs)
        if form == "torch_":
            return getattr(lib, name + "_")(x * 1, **kwargs)
        return getattr(x * 1, name + "_")(**kwargs)

    return call


@st.composite
def _values(
    draw: Any,
    low: float = -2.0,
    high: float = 2.0,
    kinks: tuple = (),
    forms: tuple = FORMS,
    margin: float = 0.05,
) -> Any:
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.away_from(rng, shape, kinks, margin, low, high) if kinks else S.array(rng, shape, low, high)
    form = draw(st.sampled_from(forms))
    return S.sample((x,), {"form": form}, noncontiguous=draw(st.booleans()), seed=seed)


_INTEGERS = tuple(float(k) for k in range(-4, 5))
_HALVES = tuple(k + 0.5 for k in range(-4, 4))


@st.composite
def _round_decimals(draw: Any) -> Any:
    """x = (n + u) / 10^d with |u| <= 0.4: round(x * 10^d) stays away from its jumps at n + 1/2."""
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    decimals = draw(st.sampled_from([-2, -1, 0, 1, 3]))
    scaled = rng.integers(-30, 31, size=shape) + rng.uniform(-0.4, 0.4, size=shape)
    x = np.asarray(scaled / 10.0**decimals)
    form = draw(st.sampled_from(FORMS))
    return S.sample((x,), {"form": form, "decimals": decimals}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _logit(draw: Any) -> Any:
    eps = draw(st.sampled_from([None, 0.1, 0.3]))
    kinks = () if eps is None else (eps, 1 - eps)
    low, high = (0.05, 0.95) if eps is None else (-0.2, 1.2)  # with eps, x may leave [0, 1]
    s = draw(_values(low, high, kinks))
    s.kwargs["eps"] = eps
    return s


@st.composite
def _nan_to_num(draw: Any) -> Any:
    """Finite values with NaN, +inf and -inf put in, and finite replacements (see tests/test_unary.py
    for the defaults, the dtype's extremes, whose weighted sum finite differences would overflow)."""
    s = draw(_values(-3.0, 3.0))
    rng = np.random.default_rng(s.seed + 7)
    x = s.inputs[0].copy()
    picks = rng.integers(0, 5, size=x.shape)
    x[picks == 0] = np.nan
    x[picks == 1] = np.inf
    x[picks == 2] = -np.inf
    s.inputs = (x,)
    s.kwargs.update(
        nan=draw(st.sampled_from([0.0, 1.5, -2.0])),
        posinf=draw(st.sampled_from([10.0, 1e3])),
        neginf=draw(st.sampled_from([-10.0, -5.5])),
    )
    return s


@st.composite
def _hardtanh(draw: Any, inplace_form: bool = False) -> Any:
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    min_val = draw(st.sampled_from([-1.0, -2.5, 0.0, 0.5]))
    max_val = min_val + draw(st.sampled_from([0.5, 2.0, 4.0]))
    x = S.away_from(rng, shape, (min_val, max_val), 0.05, -4.0, 4.0)
    kwargs = {"min_val": min_val, "max_val": max_val}
    if inplace_form:
        kwargs["inplace"] = draw(st.booleans())
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _relu6(draw: Any) -> Any:
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    x = S.away_from(np.random.default_rng(seed), shape, (0.0, 6.0), 0.05, -3.0, 9.0)
    return S.sample((x,), {"inplace": draw(st.booleans())}, noncontiguous=draw(st.booleans()), seed=seed)


def _entry(name: str, sample: Any, **options: Any) -> OpInfo:
    return OpInfo(name, _forms(name), sample, **options)


OPS = [
    # trigonometric and hyperbolic
    _entry("sin", lambda: _values(-4.0, 4.0)),
    _entry("cos", lambda: _values(-4.0, 4.0)),
    _entry("tan", lambda: _values(-1.3, 1.3)),
    _entry("asin", lambda: _values(-0.9, 0.9)),
    _entry("acos", lambda: _values(-0.9, 0.9)),
    _entry("atan", lambda: _values(-4.0, 4.0)),
    _entry("arcsin", lambda: _values(-0.9, 0.9)),
    _entry("arctan", lambda: _values(-4.0, 4.0)),
    _entry("sinh", lambda: _values(-3.0, 3.0)),
    _entry("cosh", lambda: _values(-3.0, 3.0)),
    # (torch's asinh_, acosh_, atanh_ have no derivative: tests/test_unary.py checks they refuse as torch's do)
    _entry("asinh", lambda: _values(-4.0, 4.0, forms=OUT_OF_PLACE)),
    _entry("acosh", lambda: _values(1.1, 4.0, forms=OUT_OF_PLACE)),
    _entry("atanh", lambda: _values(-0.9, 0.9, forms=OUT_OF_PLACE)),
    _entry("arccosh", lambda: _values(1.1, 4.0, forms=OUT_OF_PLACE)),
    # exponential and logarithmic
    _entry("expm1", lambda: _values(-3.0, 3.0)),
    _entry("exp2", lambda: _values(-3.0, 3.0)),
    _entry("log2", lambda: _values(0.1, 4.0)),
    _entry("log10", lambda: _values(0.1, 4.0)),
    _entry("log1p", lambda: _values(-0.9, 3.0)),
    _entry("rsqrt", lambda: _values(0.1, 4.0)),
    # error function
    _entry("erf", lambda: _values(-3.0, 3.0)),
    _entry("erfc", lambda: _values(-3.0, 3.0)),
    _entry("erfinv", lambda: _values(-0.95, 0.95, forms=METHOD_FORMS)),
    # rounding: zero gradients, inputs away from the jumps
    _entry("floor", lambda: _values(-4.0, 4.0, _INTEGERS)),
    _entry("ceil", lambda: _values(-4.0, 4.0, _INTEGERS)),
    _entry("trunc", lambda: _values(-4.0, 4.0, _INTEGERS)),
    _entry("fix", lambda: _values(-4.0, 4.0, _INTEGERS)),
    _entry("round", lambda: _values(-4.0, 4.0, _HALVES)),
    OpInfo("round_decimals", _forms("round"), _round_decimals),
    _entry("frac", lambda: _values(-4.0, 4.0, _INTEGERS)),
    OpInfo(
        "sgn",  # times x: torch's SgnBackward0 hands back a ZeroTensor, which NumPy cannot read
        lambda lib, x, form: _forms("sgn")(lib, x, form) * x,
        lambda: _values(kinks=(0.0,), forms=METHOD_FORMS),
    ),
    # other pointwise functions
    OpInfo("sigmoid_forms", _forms("sigmoid"), _values),  # ("sigmoid": activation's entry)
    OpInfo("tanh_forms", _forms("tanh"), _values),
    _entry("logit", _logit),
    _entry("sinc", lambda: _values(-3.0, 3.0)),
    _entry("deg2rad", lambda: _values(-200.0, 200.0)),
    _entry("rad2deg", _values),
    _entry("nan_to_num", _nan_to_num),
    OpInfo(
        "signbit",
        lambda lib, x, form: lib.signbit(x) if form == "torch" else x.signbit(),
        lambda: _values(forms=OUT_OF_PLACE),
        gradcheck=False,  # a bool output: no gradient exists
    ),
    OpInfo(
        "positive",
        lambda lib, x, form: lib.positive(x * 2) if form == "torch" else (x * 2).positive(),
        lambda: _values(forms=OUT_OF_PLACE),
    ),
    # hardtanh and relu6 (nn.functional)
    OpInfo(
        "hardtanh",
        lambda lib, x, inplace=False, **kw: lib.nn.functional.hardtanh(x * 1 if inplace else x, inplace=inplace, **kw),
        lambda: _hardtanh(inplace_form=True),
    ),
    OpInfo("hardtanh_", lambda lib, x, **kw: lib.nn.functional.hardtanh_(x * 1, **kw), _hardtanh),
    OpInfo(
        "relu6",
        lambda lib, x, inplace: lib.nn.functional.relu6(x * 1 if inplace else x, inplace=inplace),
        _relu6,
    ),
]
