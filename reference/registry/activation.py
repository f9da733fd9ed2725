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


# ---- the rest of torch.nn's activations -------------------------------------------------------------
# Each entry's sample also draws the place the op is called from (``form``): F.X(x), F.X(x, inplace=True),
# F.X_(x), torch.X(x), torch.X_(x), x.X(); the in-place forms run on a non-leaf (x * 1), so the
# gradient flows back to x through the rebased node.


def _from(name: str, form: str, lib: Any) -> Any:
    if form in ("F", "F_inplace"):
        return getattr(lib.nn.functional, name)
    if form == "F_":
        return getattr(lib.nn.functional, name + "_")
    if form == "torch":
        return getattr(lib, name)
    return getattr(lib, name + "_")  # "torch_"


def _forms(name: str) -> Any:
    """call(lib, *tensors, form, **kwargs) for the op ``name`` at the place ``form`` names."""

    def call(lib: Any, x: Any, *rest: Any, form: str = "F", **kwargs: Any) -> Any:
        if form == "method":
            return getattr(x, name)(*rest, **kwargs)
        if form == "F_inplace":
            return _from(name, form, lib)(x * 1, *rest, inplace=True, **kwargs)
        if form in ("F_", "torch_"):
            return _from(name, form, lib)(x * 1, *rest, **kwargs)
        return _from(name, form, lib)(x, *rest, **kwargs)

    return call


@st.composite
def _activation(
    draw: Any,
    forms: tuple[str, ...] = ("F",),
    kinks: tuple = (),
    low: float = -3.0,
    high: float = 3.0,
    options: dict | None = None,
    kinks_of: Any = None,
) -> Any:
    """x of a drawn shape away from the kinks, one value per option in ``options`` and a form.
    ``kinks_of(kwargs)`` gives kinks that depend on the drawn options (softshrink's +-lambd)."""
    kwargs = {k: draw(st.sampled_from(v)) for k, v in (options or {}).items()}
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    points = tuple(kinks) + (tuple(kinks_of(kwargs)) if kinks_of else ())
    x = S.away_from(rng, shape, points, 0.05, low, high) if points else S.array(rng, shape, low, high)
    kwargs["form"] = draw(st.sampled_from(forms))
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _softmin(draw: Any) -> Any:
    s = draw(_along_dim())
    s.kwargs["dtype"] = draw(st.sampled_from([None, "float64"]))
    return s


def _softmin_call(lib: Any, x: Any, dim: int, dtype: Any) -> Any:
    return lib.nn.functional.softmin(x, dim, dtype=None if dtype is None else getattr(lib, dtype))


@st.composite
def _glu(draw: Any) -> Any:
    shape = list(draw(S.shapes(1, 4)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 2 * draw(st.integers(1, 3))  # glu halves dim
    seed = draw(S.seeds)
    x = S.array(np.random.default_rng(seed), tuple(shape), -3, 3)
    return S.sample((x,), {"dim": dim}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _prelu(draw: Any) -> Any:
    """x of any rank with one slope per channel (dim 1) or a single shared slope (weight (1,) or 0-d)."""
    shape = draw(S.shapes(0, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    per_channel = len(shape) >= 2 and draw(st.booleans())
    if per_channel:
        w_shape: tuple[int, ...] = (shape[1],)
    else:
        w_shape = draw(st.sampled_from([(1,), ()]))
    x = S.away_from(rng, shape, (0.0,), 0.05, -3, 3)
    w = rng.uniform(-0.5, 1.5, size=w_shape)
    form = draw(st.sampled_from(["F", "torch", "method"]))
    return S.sample((x, w), {"form": form}, noncontiguous=draw(st.booleans()), seed=seed)


def _softplus_f(lib: Any, x: Any, beta: float, threshold: float) -> Any:
    return lib.nn.functional.softplus(x, beta, threshold)


_ALL_FORMS = ("F", "F_inplace", "torch", "torch_")

OPS += [
    OpInfo("silu", _forms("silu"), lambda: _activation(("F", "F_inplace"), low=-6, high=6)),
    OpInfo("mish", _forms("mish"), lambda: _activation(("F", "F_inplace"), low=-6, high=6)),
    OpInfo("hardswish", _forms("hardswish"), lambda: _activation(("F", "F_inplace"), (-3.0, 3.0), -5, 5)),
    OpInfo("hardsigmoid", _forms("hardsigmoid"), lambda: _activation(("F", "F_inplace"), (-3.0, 3.0), -5, 5)),
    OpInfo("selu", _forms("selu"), lambda: _activation(_ALL_FORMS + ("F_",), (0.0,))),
    OpInfo(
        "celu",
        _forms("celu"),
        lambda: _activation(_ALL_FORMS + ("F_",), (0.0,), options={"alpha": [0.5, 0.7, 1.0, 2.0]}),
    ),
    OpInfo("softsign", _forms("softsign"), lambda: _activation(kinks=(0.0,))),
    OpInfo("tanhshrink", _forms("tanhshrink"), _activation),
    OpInfo("logsigmoid", _forms("logsigmoid"), lambda: _activation(low=-30, high=30)),
    OpInfo(
        "softshrink",
        _forms("softshrink"),
        lambda: _activation(options={"lambd": [0.0, 0.5, 1.0]}, kinks_of=lambda kw: (kw["lambd"], -kw["lambd"])),
    ),
    OpInfo(
        "hardshrink",
        _forms("hardshrink"),
        lambda: _activation(
            ("F", "torch", "method"),
            options={"lambd": [0.3, 0.5, 1.0]},
            kinks_of=lambda kw: (kw["lambd"], -kw["lambd"]),
        ),
    ),
    OpInfo(
        "threshold",
        _forms("threshold"),
        lambda: _activation(
            _ALL_FORMS + ("F_",),
            options={"threshold": [0.1, -0.5, 1.0], "value": [2.0, -1.0]},
            kinks_of=lambda kw: (kw["threshold"],),
        ),
    ),
    OpInfo(
        "rrelu_eval",
        _forms("rrelu"),
        lambda: _activation(_ALL_FORMS + ("F_",), (0.0,), options={"lower": [0.125, 0.0, 0.3], "upper": [0.4, 1 / 3]}),
    ),
    OpInfo("softmin", _softmin_call, _softmin),
    OpInfo("glu", lambda lib, x, dim: lib.nn.functional.glu(x, dim), _glu),
    OpInfo("glu_default_dim", lambda lib, x, dim: lib.nn.functional.glu(x.movedim(dim, -1)), _glu),
    OpInfo("prelu", lambda lib, x, w, form: _forms("prelu")(lib, x, w, form=form), _prelu),
    OpInfo("softplus_F", _softplus_f, _softplus),
]
