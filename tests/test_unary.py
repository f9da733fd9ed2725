"""Unary math beyond the registry: integer and bool inputs, 0-d and empty tensors, in-place forms,
domain edges, round's decimals, erfinv's accuracy, and hardtanh / relu6 with their modules."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch_nn as mt
import minitorch_nn.nn as mnn
import minitorch_nn.nn.functional as MF

FLOAT_FUNCTIONS = (
    "sin cos tan asin acos atan sinh cosh asinh acosh atanh arcsin arccos arctan arcsinh arccosh arctanh "
    "expm1 exp2 log2 log10 log1p rsqrt erf erfc erfinv sinc deg2rad rad2deg sigmoid tanh logit"
).split()
ROUNDING = "floor ceil trunc fix round".split()
ALL = FLOAT_FUNCTIONS + ROUNDING + ["frac", "sgn", "nan_to_num", "signbit", "positive"]
# torch's in-place forms without a derivative (their node's backward raises)
NO_INPLACE_GRAD = {"asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh"}
INPLACE = [n for n in ALL if n not in ("signbit", "positive")]


def _tensor(lib, values, dtype, requires_grad=False):
    t = lib.tensor(values, dtype=getattr(lib, dtype))
    return t.requires_grad_(True) if requires_grad else t


def _numpy(t):
    # force: torch's SgnBackward0 hands back a ZeroTensor, which plain .numpy() refuses
    return t.detach().numpy(force=True) if isinstance(t, torch.Tensor) else np.asarray(t._data)


def _same(ours, theirs, exact=False):
    """Same dtype, shape and values (NaN where torch has NaN, infinities of the same sign)."""
    a, b = _numpy(ours), _numpy(theirs)
    assert str(ours.dtype) == str(theirs.dtype)
    assert a.shape == b.shape
    if exact or a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b)
    else:
        rtol = 1e-12 if a.dtype == np.float64 else 1e-6
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol, equal_nan=True)


def _raises_like(call):
    """Run call(torch) and call(mt): both raise the same error type with the same message."""
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(mt)
    assert str(ours.value) == str(theirs.value)


# ---- places --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL + ["arcsin_", "arccos_", "arctan_", "arcsinh_", "arccosh_", "arctanh_"])
def test_present_wherever_torch_has_it(name):
    for suffix in ("", "_"):
        for ours, theirs in ((mt, torch), (mt.Tensor, torch.Tensor)):
            assert hasattr(ours, name + suffix) == hasattr(theirs, name + suffix), (ours, name + suffix)


# ---- integer and bool inputs ---------------------------------------------------------------------


def _call(lib, name, x, **kwargs):
    return getattr(lib, name)(x, **kwargs)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", ALL)
def test_integer_and_bool_inputs_as_torch(name, dtype):
    values = [0, 1, 0, 1] if dtype == "bool" else [0, 1, 2, 3, 5]
    if dtype in ("int64", "int32") and name not in ("log2", "log10", "rsqrt", "acosh", "arccosh"):
        values = values + [-1, -4]
    try:
        theirs = _call(torch, name, _tensor(torch, values, dtype))
    except (RuntimeError, NotImplementedError) as error:
        with pytest.raises(type(error)) as ours:
            _call(mt, name, _tensor(mt, values, dtype))
        assert str(ours.value) == str(error)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = _call(mt, name, _tensor(mt, values, dtype))
    _same(ours, theirs)
    assert not ours.requires_grad


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_round_with_decimals_refuses_integers(dtype):
    _raises_like(lambda lib: lib.round(_tensor(lib, [1, 0], dtype), decimals=1))
    _raises_like(lambda lib: lib.round(_tensor(lib, [1, 0], dtype), decimals=0))


@pytest.mark.parametrize("name", [n for n in INPLACE if n in FLOAT_FUNCTIONS or n == "frac"])
def test_float_result_into_integer_tensor_refused(name):
    _raises_like(lambda lib: getattr(_tensor(lib, [1, 2], "int64"), name + "_")())


@pytest.mark.parametrize("name", ["floor_", "ceil_", "trunc_", "round_", "sgn_", "nan_to_num_"])
def test_inplace_on_integers_keeps_them(name):
    ours, theirs = _tensor(mt, [3, -2, 0], "int64"), _tensor(torch, [3, -2, 0], "int64")
    assert getattr(ours, name)() is ours
    getattr(theirs, name)()
    _same(ours, theirs)


# ---- 0-d and empty tensors -----------------------------------------------------------------------


def _domain_value(name):
    return {"acosh": 1.7, "arccosh": 1.7, "log2": 2.5, "log10": 2.5, "rsqrt": 2.5}.get(name, 0.3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ALL)
def test_zero_dim_and_empty(name, dtype):
    for shape in ((), (0,), (2, 0, 3)):
        base = np.full(shape, _domain_value(name))
        ours = _call(mt, name, mt.tensor(base, dtype=getattr(mt, dtype)))
        theirs = _call(torch, name, torch.tensor(base, dtype=getattr(torch, dtype)))
        _same(ours, theirs)
    x = mt.tensor(_domain_value(name), dtype=getattr(mt, dtype), requires_grad=True)
    y = _call(mt, name, x * 1)
    if y.requires_grad:
        y.backward()
        assert x.grad.shape == ()


# ---- in-place forms under autograd ---------------------------------------------------------------


def _inplace_case(lib, name, dtype, via_function):
    values = np.array([0.15, -0.35, 0.55, -0.8, 0.7])  # inside every domain once scaled by 1.1 ...
    if name in ("log2", "log10", "rsqrt", "logit"):
        values = np.abs(values)
    if name in ("acosh", "arccosh"):
        values = 1.2 + np.abs(values)
    x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
    z = x * 1.1  # ... and off every rounding jump
    y = getattr(lib, name + "_")(z) if via_function else getattr(z, name + "_")()
    assert y is z
    upstream = lib.tensor([0.3, -1.2, 2.0, 0.7, -0.4], dtype=getattr(lib, dtype))
    (y * y).backward(upstream)  # y itself is read by the product: its saved value must be the written one
    return y, x.grad


# x.X_() always, torch.X_(x) where torch has it (not erfinv_ nor sgn_)
INPLACE_PLACES = [
    (name, via_function)
    for name in INPLACE
    if name not in NO_INPLACE_GRAD
    for via_function in (False, True)
    if not via_function or hasattr(torch, name + "_")
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, via_function", INPLACE_PLACES)
def test_inplace_on_non_leaf_matches_torch(name, via_function, dtype):
    y_ours, g_ours = _inplace_case(mt, name, dtype, via_function)
    y_theirs, g_theirs = _inplace_case(torch, name, dtype, via_function)
    _same(y_ours, y_theirs)
    _same(g_ours, g_theirs)
    assert y_ours.grad_fn.name() == y_theirs.grad_fn.name()


@pytest.mark.parametrize("name", sorted(NO_INPLACE_GRAD))
def test_inplace_without_derivative_refuses_as_torch(name):
    def run(lib):
        x = lib.tensor([1.2, 1.5], dtype=lib.float64, requires_grad=True)
        y = getattr(x * 1, name + "_")()
        assert y.grad_fn.name() == {"asinh": "AsinhBackward1", "acosh": "AcoshBackward1"}.get(
            name.replace("arc", "a"), "AtanhBackward1"
        )
        y.sum().backward()

    _raises_like(run)
    # without a graph it is an ordinary in-place op
    ours, theirs = mt.tensor([1.2, 1.5, 0.5]), torch.tensor([1.2, 1.5, 0.5])
    getattr(ours, name + "_")()
    getattr(theirs, name + "_")()
    _same(ours, theirs)


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_on_leaf_that_requires_grad_refused(name):
    _raises_like(lambda lib: getattr(lib.tensor([0.5, 0.25], requires_grad=True), name + "_")())
    if hasattr(torch, name + "_"):
        _raises_like(lambda lib: getattr(lib, name + "_")(lib.tensor([0.5, 0.25], requires_grad=True)))


def test_inplace_under_no_grad_on_leaf_allowed():
    x = mt.tensor([0.5, 0.25], requires_grad=True)
    with mt.no_grad():
        x.sin_()
    np.testing.assert_allclose(x.detach().numpy(), np.sin([0.5, 0.25]).astype(np.float32))


# ---- domain edges --------------------------------------------------------------------------------

EDGES = [-np.inf, -3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, np.inf, np.nan]
UPSTREAM = [-2.0, 1.5, -1.0, 0.5, -0.25, 0.75, -0.5, 1.25, 2.0, -1.5, 3.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ALL)
def test_out_of_domain_values_and_gradients_as_torch(name, dtype):
    def run(lib):
        x = lib.tensor(EDGES, dtype=getattr(lib, dtype), requires_grad=True)
        y = _call(lib, name, x * 1)
        if y.requires_grad:
            y.backward(lib.tensor(UPSTREAM, dtype=getattr(lib, dtype)))
        return y, x.grad

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warnings leak out
        y_ours, g_ours = run(mt)
    y_theirs, g_theirs = run(torch)
    _same(y_ours, y_theirs)
    if g_theirs is None:
        assert g_ours is None
    else:
        _same(g_ours, g_theirs)


def test_signbit_sees_negative_zero_and_nan():
    values = np.array([-0.0, 0.0, -1.0, 2.0, np.nan, -np.nan, -np.inf])
    for dtype in ("float32", "float64"):
        _same(mt.signbit(mt.tensor(values, dtype=getattr(mt, dtype))), torch.signbit(torch.tensor(values)))


def test_sgn_names_its_node_and_zeroes_nan_and_negative_zero():
    x = mt.tensor([-0.0, np.nan, -2.0, 3.0], requires_grad=True)
    y = mt.sgn(x * 1)
    assert y.grad_fn.name() == "SgnBackward0"
    np.testing.assert_array_equal(y.detach().numpy(), [0.0, 0.0, -1.0, 1.0])
    assert not np.signbit(y.detach().numpy()[0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"nan": 2.0}, {"posinf": 7.0}, {"neginf": -1.0}, {"nan": None, "posinf": 1e300, "neginf": -1e300}],
)
def test_nan_to_num_defaults_and_replacements(kwargs, dtype):
    values = [np.nan, np.inf, -np.inf, 1.5, -0.0]
    for method in (False, True):
        _same(
            *(
                (lambda t: t.nan_to_num(**kwargs) if method else lib.nan_to_num(t, **kwargs))(
                    lib.tensor(values, dtype=getattr(lib, dtype))
                )
                for lib in (mt, torch)
            ),
            exact=True,
        )


def test_positive_is_the_input_itself():
    x = mt.tensor([1.0, -2.0], requires_grad=True)
    assert mt.positive(x) is x and x.positive() is x
    _raises_like(lambda lib: lib.positive(lib.tensor([True])))


@pytest.mark.parametrize("eps", [None, 0.0, 0.1, 0.6, -1.0])
def test_logit_eps_clamps_and_gradients(eps):
    def run(lib):
        x = lib.tensor([-0.2, 0.0, 0.05, 0.1, 0.4, 0.5, 0.9, 0.95, 1.0, 1.3], dtype=lib.float64, requires_grad=True)
        y = lib.logit(x * 1, eps=eps)
        y.backward(lib.linspace(-1.0, 2.0, 10, dtype=lib.float64))
        return y, x.grad

    for ours, theirs in zip(run(mt), run(torch)):
        _same(ours, theirs)


# ---- round with decimals -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("decimals", [-3, -2, -1, 0, 1, 2, 4, 40, 400, -400])
def test_round_decimals_as_torch(decimals, dtype):
    rng = np.random.default_rng(abs(decimals))
    values = np.concatenate(
        [rng.uniform(-2000, 2000, 40), rng.uniform(-1, 1, 20), [0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 1234.5678, -0.0]]
    )
    for method in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            t = mt.tensor(values, dtype=getattr(mt, dtype))
            ours = t.round(decimals=decimals) if method else mt.round(t, decimals=decimals)
        theirs = torch.round(torch.tensor(values, dtype=getattr(torch, dtype)), decimals=decimals)
        _same(ours, theirs, exact=True)


def test_round_overloads_name_their_nodes_as_torch():
    for kwargs in ({}, {"decimals": 0}, {"decimals": 2}, {"decimals": -1}):
        ours = mt.round(mt.tensor([1.26, -3.5], requires_grad=True) * 1, **kwargs)
        theirs = torch.round(torch.tensor([1.26, -3.5], requires_grad=True) * 1, **kwargs)
        assert ours.grad_fn.name() == theirs.grad_fn.name()


def test_round_halves_to_even():
    values = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49999]
    _same(mt.round(mt.tensor(values)), torch.round(torch.tensor(values)), exact=True)


# ---- erfinv accuracy -----------------------------------------------------------------------------


def _erfinv_inputs():
    rng = np.random.default_rng(0)
    near_one = 1 - np.logspace(-16, -1, 120)
    return np.concatenate(
        [
            rng.uniform(-1, 1, 2000),
            near_one,
            -near_one,
            np.logspace(-300, -1, 60),
            [np.nextafter(1.0, 0.0), np.nextafter(-1.0, 0.0), 0.5, np.nextafter(0.5, 1.0), np.nextafter(0.5, 0.0)],
        ]
    )


def test_erfinv_float64_within_float64_rounding_of_torch():
    x = _erfinv_inputs()
    ours = mt.erfinv(mt.tensor(x, dtype=mt.float64)).numpy()
    theirs = torch.erfinv(torch.tensor(x, dtype=torch.float64)).numpy()
    ulps = np.abs(ours - theirs) / np.spacing(np.abs(theirs))
    assert ulps.max() <= 2, (x[np.argmax(ulps)], ulps.max())


def test_erfinv_inverts_erf():
    # erf(erfinv(x)) = x to float64 rounding: erf is the well-conditioned direction near +-1
    x = _erfinv_inputs()
    back = mt.erf(mt.erfinv(mt.tensor(x, dtype=mt.float64))).numpy()
    np.testing.assert_allclose(back, x, rtol=5e-16, atol=2.3e-16)
    # and erfinv(erf(y)) = y where erf still separates neighbouring y (|y| < 3)
    y = np.linspace(-3.0, 3.0, 601)
    np.testing.assert_allclose(mt.erfinv(mt.erf(mt.tensor(y, dtype=mt.float64))).numpy(), y, rtol=1e-12, atol=1e-15)


def test_erfinv_float32_and_edges():
    x = np.concatenate([np.linspace(-0.999, 0.999, 501), [0.0, -0.0]]).astype(np.float32)
    ours = mt.erfinv(mt.tensor(x)).numpy()
    theirs = torch.erfinv(torch.tensor(x)).numpy()
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-7)
    edges = [1.0, -1.0, 1.5, -2.0, np.inf, np.nan]
    _same(mt.erfinv(mt.tensor(edges)), torch.erfinv(torch.tensor(edges)))


# ---- sigmoid and tanh of integers ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_sigmoid_tanh_of_integers_in_float32(name):
    for lib_f in (lambda lib: getattr(lib, name), lambda lib: getattr(lib.nn.functional, name)):
        _same(lib_f(mt)(mt.tensor([-2, 0, 3])), lib_f(torch)(torch.tensor([-2, 0, 3])))


# ---- hardtanh and relu6 --------------------------------------------------------------------------


@pytest.mark.parametrize("inplace", [False, True])
def test_hardtanh_no_gradient_at_the_bounds(inplace):
    def run(lib, f):
        x = lib.tensor([-2.0, -1.0, -0.5, 0.0, 1.0, 6.0, 7.0], dtype=lib.float64, requires_grad=True)
        y = f(lib)(x * 1)
        y.backward(lib.arange(7, dtype=lib.float64) + 1)
        return y, x.grad, y.grad_fn.name()

    for f in (
        lambda lib: lambda t: lib.nn.functional.hardtanh(t, inplace=inplace),
        lambda lib: lambda t: lib.nn.functional.relu6(t, inplace=inplace),
        lambda lib: lambda t: lib.nn.functional.hardtanh(t, -0.5, 1.0, inplace),
    ):
        (y, g, name), (ty, tg, tname) = run(mt, f), run(torch, f)
        _same(y, ty)
        _same(g, tg)
        assert name == tname == "HardtanhBackward0"


def test_hardtanh_errors_and_integers():
    _raises_like(lambda lib: lib.nn.functional.hardtanh(lib.tensor([1.0]), 2.0, 1.0))
    _raises_like(lambda lib: lib.nn.functional.hardtanh(lib.tensor([True, False])))
    _raises_like(lambda lib: lib.nn.functional.hardtanh_(lib.tensor([1.0], requires_grad=True)))
    _raises_like(lambda lib: lib.nn.functional.relu6(lib.tensor([1.0], requires_grad=True), inplace=True))
    ints = [-3, -1, 0, 1, 2, 5, 9]
    for bounds in ((0.5, 2.0), (-0.5, 2.5), (-1.0, 1.0)):
        _same(MF.hardtanh(mt.tensor(ints), *bounds), torch.nn.functional.hardtanh(torch.tensor(ints), *bounds))
    _same(MF.relu6(mt.tensor(ints)), torch.nn.functional.relu6(torch.tensor(ints)))
    x = mt.tensor([-3.0, 0.5, 9.0])
    assert MF.hardtanh_(x, 0.0, 1.0) is x and MF.relu6(x, inplace=True) is x


def test_hardtanh_and_relu6_modules():
    for make in (
        lambda nn: nn.Hardtanh(),
        lambda nn: nn.Hardtanh(-2, 3, True),
        lambda nn: nn.Hardtanh(-0.5, 0.5),
        lambda nn: nn.ReLU6(),
        lambda nn: nn.ReLU6(inplace=True),
    ):
        ours, theirs = make(mnn), make(torch.nn)
        assert repr(ours) == repr(theirs)
        x = [-7.0, -1.5, 0.25, 2.0, 8.0]
        _same(ours(mt.tensor(x)), theirs(torch.tensor(x)))
    assert isinstance(mnn.ReLU6(), mnn.Hardtanh)
    with pytest.warns(FutureWarning, match="min_value"):
        assert mnn.Hardtanh(min_value=-2.0).min_val == -2.0
    with pytest.warns(FutureWarning, match="max_value"):
        assert mnn.Hardtanh(max_value=2.0).max_val == 2.0
    _raises_like(lambda lib: lib.nn.Hardtanh(1.0, 1.0))


def test_sign_of_nan_is_zero_as_torch():
    values = [float("nan"), -0.0, 0.0, -2.0, 3.0, float("inf"), float("-inf")]
    for dtype in ("float32", "float64"):
        ours = mt.sign(mt.tensor(values, dtype=getattr(mt, dtype)))
        theirs = torch.sign(torch.tensor(values, dtype=getattr(torch, dtype)))
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert mt.sign(mt.tensor([-3, 0, 4])).tolist() == torch.sign(torch.tensor([-3, 0, 4])).tolist()
