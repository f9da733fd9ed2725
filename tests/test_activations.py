"""torch.nn's activations past the registry: modules (repr, parameters, state_dict, forward and
backward against torch with copied weights), errors and dtypes against torch, in-place forms under
autograd, the implicit softmax dim, and the random ones (RReLU in training, gumbel_softmax) by
their distributional properties and their gradients.

Values and gradients of every function over its arguments are in reference/registry/activation.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.bridge import copy_weights_from_torch, tensor_from_torch
from reference.compare import compare_modules, raised

# (constructor text, input shape): the same text builds our module (nn = mt.nn) and torch's
MODULES = [
    ("nn.Tanh()", (2, 3)),
    ("nn.Sigmoid()", (2, 3)),
    ("nn.Softmax(dim=1)", (2, 3, 4)),
    ("nn.Softmax(-1)", (2, 3)),
    ("nn.LogSoftmax(dim=0)", (3, 2)),
    ("nn.Softmin(dim=1)", (2, 3, 2)),
    ("nn.Softmax2d()", (2, 3, 2, 2)),
    ("nn.Softmax2d()", (3, 2, 4)),
    ("nn.GELU()", (2, 3)),
    ("nn.GELU(approximate='tanh')", (2, 3)),
    ("nn.SiLU()", (2, 3)),
    ("nn.Mish()", (2, 3)),
    ("nn.Hardswish()", (2, 3)),
    ("nn.Hardsigmoid()", (2, 3)),
    ("nn.PReLU()", (2, 3, 4)),
    ("nn.PReLU(num_parameters=3, init=0.1)", (2, 3, 4, 2)),
    ("nn.PReLU(4)", (5, 4)),
    ("nn.SELU()", (2, 3)),
    ("nn.CELU(alpha=0.7)", (2, 3)),
    ("nn.CELU()", (2, 3)),
    ("nn.ELU(alpha=0.5)", (2, 3)),
    ("nn.ELU()", (2, 3)),
    ("nn.LeakyReLU(0.2)", (2, 3)),
    ("nn.LeakyReLU()", (2, 3)),
    ("nn.Softplus(beta=2, threshold=5)", (2, 3)),
    ("nn.Softplus()", (2, 3)),
    ("nn.Softsign()", (2, 3)),
    ("nn.Tanhshrink()", (2, 3)),
    ("nn.Softshrink(0.3)", (2, 3)),
    ("nn.Softshrink()", (2, 3)),
    ("nn.Hardshrink(lambd=0.3)", (2, 3)),
    ("nn.Hardshrink()", (2, 3)),
    ("nn.Threshold(0.1, 2.0)", (2, 3)),
    ("nn.GLU()", (3, 4)),
    ("nn.GLU(dim=0)", (4, 3)),
    ("nn.LogSigmoid()", (2, 3)),
    ("nn.RReLU()", (2, 3)),
    ("nn.RReLU(0.1, 0.3)", (2, 3)),
    ("nn.ReLU()", (2, 3)),
    ("nn.ReLU6()", (2, 3)),
    ("nn.Hardtanh(-2.0, 2.0)", (2, 3)),
]

# (constructor text, expected attributes): torch's defaults
REPRS = [
    "nn.SiLU(inplace=True)",
    "nn.Mish(inplace=True)",
    "nn.Hardswish(inplace=True)",
    "nn.Hardsigmoid(inplace=True)",
    "nn.SELU(inplace=True)",
    "nn.CELU(2.0, inplace=True)",
    "nn.Threshold(0.1, 2.0, inplace=True)",
    "nn.RReLU(0.1, 0.3, inplace=True)",
    "nn.Softmin()",
    "nn.Softplus(2, 10)",
]


def _build(text: str, lib):
    return eval(text, {"nn": lib.nn})


def _away_from_kinks(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.5, 3.5, size=shape)
    kinks = np.array([0.0, 0.1, 0.3, 0.5, -0.3, -0.5, 3.0, -3.0, 2.0, -2.0, 1.0, -1.0, 6.0])
    near = np.abs(x[..., None] - kinks).min(axis=-1) < 0.05
    return np.where(near, x + 0.13, x)


@pytest.mark.parametrize("text,shape", MODULES, ids=[f"{t}{list(s)}" for t, s in MODULES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_modules_match_torch(text, shape, dtype):
    theirs, ours = _build(text, torch), _build(text, mt)
    theirs.eval()
    ours.eval()
    if text.startswith("nn.PReLU"):
        with torch.no_grad():
            theirs.weight.uniform_(-0.5, 1.5)  # distinct slopes per channel, negative included
        theirs = theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
        ours = ours.to(mt.float64 if dtype == np.float64 else mt.float32)
        copy_weights_from_torch(ours, theirs)
    report = compare_modules(ours, theirs, [_away_from_kinks(shape)], dtype=dtype, seed=3)
    assert report.ok, f"{text}: {report}"


@pytest.mark.parametrize("text", [t for t, _ in MODULES] + REPRS)
def test_module_repr_state_dict_and_attributes_match_torch(text):
    theirs, ours = _build(text, torch), _build(text, mt)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    for name in ("inplace", "dim", "alpha", "beta", "threshold", "value", "lambd", "lower", "upper", "approximate"):
        if hasattr(theirs, name):
            assert getattr(ours, name) == getattr(theirs, name), name
    for name in ("num_parameters", "init"):
        if hasattr(theirs, name):
            assert getattr(ours, name) == getattr(theirs, name)


def test_prelu_parameter_shape_init_dtype_and_bridge():
    theirs = torch.nn.PReLU(3, init=0.1, dtype=torch.float64)
    ours = mt.nn.PReLU(3, init=0.1, dtype=mt.float64)
    assert ours.weight.shape == (3,) and ours.weight.dtype == mt.float64 and ours.weight.requires_grad
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    assert mt.nn.PReLU().weight.dtype == mt.float32
    ours.weight.data.fill_(0.7)
    ours.reset_parameters()
    np.testing.assert_allclose(ours.weight.detach().numpy(), 0.1)


def test_prelu_weight_gradient_sums_over_batch_and_spatial_axes():
    # dL/dw_c = sum over n, h, w of dy * x where x <= 0 (in channel c only)
    x = _away_from_kinks((2, 3, 4, 5), seed=1)
    g = np.random.default_rng(2).normal(size=x.shape)
    w = mt.tensor([0.2, -0.4, 1.3], dtype=mt.float64, requires_grad=True)
    xt = mt.tensor(x, requires_grad=True)
    mt.nn.functional.prelu(xt, w).backward(mt.tensor(g))
    expected = (g * np.where(x > 0, 0, x)).sum(axis=(0, 2, 3))
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)
    slopes = np.array([0.2, -0.4, 1.3])[None, :, None, None]
    np.testing.assert_allclose(xt.grad.numpy(), np.where(x > 0, g, g * slopes), rtol=1e-12)


def test_prelu_graph_matches_torch():
    xt, wt = torch.randn(2, 3, dtype=torch.float64, requires_grad=True), torch.rand(3, dtype=torch.float64)
    wt.requires_grad_(True)
    xo, wo = tensor_from_torch(xt), tensor_from_torch(wt)
    yt, yo = torch.nn.functional.prelu(xt, wt), mt.nn.functional.prelu(xo, wo)
    assert yo.grad_fn.name() == yt.grad_fn.name()
    assert [f.name() for f, _ in yo.grad_fn.next_functions] == [f.name() for f, _ in yt.grad_fn.next_functions]


def _same_error(call):
    ours, theirs = raised(lambda: call(mt)), raised(lambda: call(torch))
    assert theirs is not None, "torch accepts this call"
    assert ours == theirs


ERRORS = {
    "glu_odd": lambda lib: lib.nn.functional.glu(lib.ones(2, 3, 4), 1),
    "glu_odd_default_dim": lambda lib: lib.nn.functional.glu(lib.ones(2, 3)),
    "glu_0d": lambda lib: lib.nn.functional.glu(lib.tensor(1.0)),
    "glu_dim_range": lambda lib: lib.nn.functional.glu(lib.ones(2, 4), 2),
    "glu_dim_range_negative": lambda lib: lib.nn.functional.glu(lib.ones(2, 4), -3),
    "glu_module_odd": lambda lib: lib.nn.GLU(0)(lib.ones(3, 2)),
    "prelu_channels": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3, 4), lib.ones(4)),
    "prelu_module_channels": lambda lib: lib.nn.PReLU(3)(lib.ones(2, 4)),
    "prelu_1d_input": lambda lib: lib.nn.functional.prelu(lib.ones(3), lib.ones(3)),
    "prelu_0d_input": lambda lib: lib.nn.functional.prelu(lib.tensor(1.0), lib.ones(3)),
    "prelu_weight_2d": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(3, 1)),
    "prelu_weight_2d_numel_mismatch": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(2, 3)),
    "prelu_dtypes": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(3, dtype=lib.float64)),
    "prelu_int_int": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3, dtype=lib.int64), lib.ones(3, dtype=lib.int64)),
    "prelu_int": lambda lib: lib.nn.functional.prelu(lib.ones(2, 3, dtype=lib.int64), lib.ones(1)),
    "softshrink_negative_float": lambda lib: lib.nn.functional.softshrink(lib.ones(3), -0.5),
    "softshrink_negative_double": lambda lib: lib.nn.functional.softshrink(lib.ones(3, dtype=lib.float64), -1.0),
    "celu_zero_alpha": lambda lib: lib.nn.functional.celu(lib.ones(3), 0.0),
    "celu_zero_alpha_inplace": lambda lib: lib.nn.functional.celu(lib.ones(3), 0.0, inplace=True),
    "rrelu_bounds": lambda lib: lib.nn.functional.rrelu(lib.ones(3), 0.5, 0.1),
    "rrelu_bounds_training": lambda lib: lib.nn.functional.rrelu(lib.ones(3), 0.5, 0.1, training=True),
    "softmax2d_2d": lambda lib: lib.nn.Softmax2d()(lib.ones(3, 4)),
    "softmax2d_5d": lambda lib: lib.nn.Softmax2d()(lib.ones(1, 2, 3, 4, 5)),
    "softmin_dim_range": lambda lib: lib.nn.functional.softmin(lib.ones(2, 3), 2),
    "softmax_dim_range": lambda lib: lib.nn.functional.softmax(lib.ones(2, 3), -3),
    "gelu_approximate": lambda lib: lib.nn.functional.gelu(lib.ones(3), approximate="exact"),
    "gumbel_int": lambda lib: lib.nn.functional.gumbel_softmax(lib.ones(3, dtype=lib.int64)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    _same_error(ERRORS[name])


F_CALLS = {
    "silu": lambda f, x: f.silu(x),
    "mish": lambda f, x: f.mish(x),
    "hardswish": lambda f, x: f.hardswish(x),
    "hardsigmoid": lambda f, x: f.hardsigmoid(x),
    "selu": lambda f, x: f.selu(x),
    "celu": lambda f, x: f.celu(x, 0.5),
    "elu": lambda f, x: f.elu(x),
    "leaky_relu": lambda f, x: f.leaky_relu(x, 0.1),
    "gelu": lambda f, x: f.gelu(x),
    "softplus": lambda f, x: f.softplus(x),
    "softsign": lambda f, x: f.softsign(x),
    "tanhshrink": lambda f, x: f.tanhshrink(x),
    "softshrink": lambda f, x: f.softshrink(x, 0.5),
    "hardshrink": lambda f, x: f.hardshrink(x, 0.5),
    "threshold": lambda f, x: f.threshold(x, 1.5, 7.7),
    "threshold_negative": lambda f, x: f.threshold(x, -0.5, 9),
    "glu": lambda f, x: f.glu(x),
    "logsigmoid": lambda f, x: f.logsigmoid(x),
    "rrelu": lambda f, x: f.rrelu(x),
    "rrelu_training": lambda f, x: f.rrelu(x, training=True),
    "softmin": lambda f, x: f.softmin(x, 0),
    "softmin_lastdim": lambda f, x: f.softmin(x, 1),
    "softmax": lambda f, x: f.softmax(x, 0),
    "softmax_lastdim": lambda f, x: f.softmax(x, 1),
    "log_softmax": lambda f, x: f.log_softmax(x, 0),
    "log_softmax_lastdim": lambda f, x: f.log_softmax(x, -1),
    "sigmoid": lambda f, x: f.sigmoid(x),
    "tanh": lambda f, x: f.tanh(x),
}


def _outcome(lib, call, values, dtype):
    try:
        out = call(lib.nn.functional, lib.tensor(values, dtype=dtype))
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return str(out.dtype).replace("minitorch_nn.", "torch."), np.asarray(out.detach().numpy()).tolist()


@pytest.mark.parametrize("name", list(F_CALLS))
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_integer_and_bool_inputs_as_torch(name, dtype):
    # accepted (threshold keeps the integer dtype; softsign, tanhshrink compute in float32) or refused alike
    values = [[-2, 1], [3, 0]] if dtype == "int64" else [[True, False], [False, True]]
    ours = _outcome(mt, F_CALLS[name], values, getattr(mt, dtype))
    theirs = _outcome(torch, F_CALLS[name], values, getattr(torch, dtype))
    if isinstance(theirs[1], list):
        assert ours[0] == theirs[0]
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    else:
        assert ours == theirs


@pytest.mark.parametrize("name", [n for n in F_CALLS if n != "glu"])
@pytest.mark.parametrize("shape", [(0,), (0, 3)])
def test_empty_inputs_as_torch(name, shape):
    if len(shape) == 1 and name.endswith("lastdim"):
        shape = (1, 0)  # the calls name dim 1
    xs = [lib.zeros(shape, dtype=lib.float64, requires_grad=True) for lib in (mt, torch)]
    ours, theirs = (F_CALLS[name](lib.nn.functional, x) for lib, x in zip((mt, torch), xs))
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype)[-7:] == str(theirs.dtype)[-7:]
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    ours.sum().backward()
    assert tuple(xs[0].grad.shape) == shape


def test_glu_empty_and_zero_d():
    assert mt.nn.functional.glu(mt.ones(4, 0), 0).shape == torch.nn.functional.glu(torch.ones(4, 0), 0).shape


INPLACE = {
    "selu": lambda f, x: f.selu(x, inplace=True),
    "selu_": lambda f, x: f.selu_(x),
    "celu": lambda f, x: f.celu(x, 0.5, inplace=True),
    "celu_": lambda f, x: f.celu_(x, 2.0),
    "silu": lambda f, x: f.silu(x, inplace=True),
    "mish": lambda f, x: f.mish(x, inplace=True),
    "hardswish": lambda f, x: f.hardswish(x, inplace=True),
    "hardsigmoid": lambda f, x: f.hardsigmoid(x, inplace=True),
    "threshold": lambda f, x: f.threshold(x, 0.1, 2.0, inplace=True),
    "threshold_above": lambda f, x: f.threshold_(x, 0.1, 3.0),
    "rrelu": lambda f, x: f.rrelu(x, inplace=True),
    "rrelu_": lambda f, x: f.rrelu_(x, 0.2, 0.3),
    "elu": lambda f, x: f.elu(x, inplace=True),
    "leaky_relu": lambda f, x: f.leaky_relu(x, inplace=True),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_forms_under_autograd_as_torch(name):
    x = _away_from_kinks((3, 4), seed=4)
    g = np.random.default_rng(5).normal(size=x.shape)
    results = []
    for lib in (mt, torch):
        leaf = lib.tensor(x, requires_grad=True)
        # on a leaf that requires grad: torch's refusal
        results.append(raised(lambda leaf=leaf, lib=lib: INPLACE[name](lib.nn.functional, leaf)))
        base = leaf * 1
        out = INPLACE[name](lib.nn.functional, base)
        assert out is base  # written into its input
        out.backward(lib.tensor(g))
        results.append(out.grad_fn.name())
        results.append(out.detach().numpy().copy())
        results.append(leaf.grad.numpy().copy())
        # a view: the write goes through it into the base
        whole = leaf * 1
        INPLACE[name](lib.nn.functional, whole[1:])
        whole.backward(lib.tensor(g))
        results.append(whole.grad_fn.name())
        results.append(leaf.grad.numpy().copy())
    ours, theirs = results[:6], results[6:]
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]
    for a, b in zip(ours[2:4] + ours[5:], theirs[2:4] + theirs[5:]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert ours[4] == theirs[4]


def test_inplace_result_saved_for_backward_refuses_after_another_write():
    for lib in (mt, torch):
        x = lib.ones(3, dtype=lib.float64, requires_grad=True)
        y = lib.nn.functional.selu(x * -1, inplace=True)
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.nn.functional.softmin(x),
        lambda lib, x: lib.nn.Softmin()(x),
        lambda lib, x: lib.nn.functional.softmax(x),
        lambda lib, x: lib.nn.Softmax()(x),
        lambda lib, x: lib.nn.functional.log_softmax(x),
    ],
)
@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
def test_implicit_dim_warns_and_chooses_as_torch(call, ndim):
    x = np.random.default_rng(ndim).normal(size=(2, 3, 2, 3)[:ndim])
    outs, messages = [], []
    for lib in (mt, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outs.append(call(lib, lib.tensor(x)).numpy())
        messages.append([(w.category, str(w.message)) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12)


def test_softmin_and_gumbel_graphs_match_torch():
    x = np.random.default_rng(0).normal(size=(2, 3))
    names = []
    for lib in (mt, torch):
        t = lib.tensor(x, requires_grad=True)
        row = []
        for y in (
            lib.nn.functional.softmin(t, 1),
            lib.nn.functional.softmin(t.float(), 1, dtype=lib.float64),
            lib.nn.functional.gumbel_softmax(t),
            lib.nn.functional.gumbel_softmax(t, hard=True),
            lib.nn.functional.softsign(t),
            lib.nn.functional.tanhshrink(t),
            lib.nn.functional.selu(t),
        ):
            row.append(y.grad_fn.name())
            row.append([None if f is None else f.name() for f, _ in y.grad_fn.next_functions])
        names.append(row)
    assert names[0] == names[1]


# ---- RReLU in training: random slopes --------------------------------------------------------------


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("lower,upper", [(0.125, 1 / 3), (0.1, 0.9), (0.25, 0.25)])
def test_rrelu_training_slopes_are_uniform_and_are_the_gradient(inplace, lower, upper):
    mt.manual_seed(0)
    x = -np.random.default_rng(1).uniform(0.5, 2.0, size=(200, 50))
    x[:, :5] *= -1  # some positives, passed through unchanged
    leaf = mt.tensor(x, requires_grad=True)
    y = mt.nn.functional.rrelu(leaf * 1, lower, upper, training=True, inplace=inplace)
    assert y.grad_fn.name() == ("RreluWithNoiseBackward1" if inplace else "RreluWithNoiseBackward0")
    slopes = y.detach().numpy() / x
    negative = x < 0
    np.testing.assert_array_equal(slopes[~negative], 1.0)
    drawn = slopes[negative]
    assert drawn.min() >= lower - 1e-12 and drawn.max() <= upper + 1e-12
    width = upper - lower
    # U(lower, upper): mean (lower + upper) / 2, variance width^2 / 12 (9000 draws: 5 standard errors)
    assert abs(drawn.mean() - (lower + upper) / 2) <= 5 * width / np.sqrt(12 * drawn.size) + 1e-12
    assert abs(drawn.var() - width**2 / 12) <= 0.1 * width**2 / 12 + 1e-12
    if width > 0:
        assert len(np.unique(drawn)) == drawn.size  # one draw per element
    g = np.random.default_rng(2).normal(size=x.shape)
    y.backward(mt.tensor(g))
    np.testing.assert_allclose(leaf.grad.numpy(), g * slopes, rtol=1e-12)


def test_rrelu_training_reproducible_by_seed_and_module_follows_mode():
    x = mt.tensor(-np.ones((4, 5)))
    mt.manual_seed(7)
    first = mt.nn.functional.rrelu(x, training=True)
    mt.manual_seed(7)
    again = mt.nn.functional.rrelu(x, training=True)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    m = mt.nn.RReLU(0.1, 0.3)
    assert m.training and len(np.unique(m(x).numpy())) > 1
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), -0.2, rtol=1e-7)
    # eval and the functional default (training=False): the mean slope, exactly torch's
    v = _away_from_kinks((3, 4))
    for lower, upper in [(0.125, 1 / 3), (0.0, 0.5)]:
        np.testing.assert_array_equal(
            mt.nn.functional.rrelu(mt.tensor(v), lower, upper).numpy(),
            torch.nn.functional.rrelu(torch.tensor(v), lower, upper).numpy(),
        )


# ---- gumbel_softmax -------------------------------------------------------------------------------


@pytest.mark.parametrize("tau", [1.0, 0.5, 2.0])
@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax_is_a_softmax_of_gumbel_perturbed_logits(tau, dim):
    logits = np.random.default_rng(0).normal(size=(4, 3))
    mt.manual_seed(3)
    y = mt.nn.functional.gumbel_softmax(mt.tensor(logits), tau=tau, dim=dim).numpy()
    assert y.shape == logits.shape and (y > 0).all()
    np.testing.assert_allclose(y.sum(axis=dim), 1.0, rtol=1e-12)
    # log y = (logits + g) / tau - logsumexp, so tau * log y - logits = g - const along dim: the noise
    # itself, which must differ from one entry to the next (one Gumbel draw each)
    noise = tau * np.log(y) - logits
    centred = noise - noise.mean(axis=dim, keepdims=True)
    assert np.abs(centred).min() > 0
    mt.manual_seed(3)
    np.testing.assert_array_equal(
        mt.nn.functional.gumbel_softmax(mt.tensor(logits), tau=tau, dim=dim).numpy(), y
    )  # the seed fixes the noise


def test_gumbel_max_frequencies_follow_the_softmax_of_the_logits():
    # argmax(logits + g) is distributed as softmax(logits) (the Gumbel-max trick), at any tau
    logits = np.log(np.array([0.5, 0.3, 0.2]))
    n = 6000
    mt.manual_seed(11)
    hard = mt.nn.functional.gumbel_softmax(mt.tensor(np.tile(logits, (n, 1))), tau=0.3, hard=True).numpy()
    np.testing.assert_array_equal(np.sort(np.unique(hard)), [0.0, 1.0])
    np.testing.assert_array_equal(hard.sum(axis=1), 1.0)
    freq = hard.mean(axis=0)
    assert np.all(np.abs(freq - [0.5, 0.3, 0.2]) < 4 * np.sqrt(0.25 / n))
    # the Gumbel draws themselves: mean Euler's gamma, variance pi^2 / 6
    mt.manual_seed(12)
    soft = mt.nn.functional.gumbel_softmax(mt.zeros(n, 2, dtype=mt.float64)).numpy()
    diff = np.log(soft[:, 0]) - np.log(soft[:, 1])  # g1 - g2: logistic, variance pi^2 / 3
    assert abs(diff.mean()) < 5 * np.sqrt(np.pi**2 / 3 / n)
    assert abs(diff.var() / (np.pi**2 / 3) - 1) < 0.1


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_gumbel_softmax_gradients_soft_and_straight_through(dim):
    logits = np.random.default_rng(1).normal(size=(3, 4))
    g = np.random.default_rng(2).normal(size=logits.shape)
    tau = 0.7
    mt.manual_seed(5)
    soft_in = mt.tensor(logits, requires_grad=True)
    y_soft = mt.nn.functional.gumbel_softmax(soft_in, tau=tau, dim=dim)
    y_soft.backward(mt.tensor(g))
    s = y_soft.detach().numpy()
    # y = softmax(z / tau): dL/dlogits = s (g - sum(g s)) / tau
    expected = s * (g - (g * s).sum(axis=dim, keepdims=True)) / tau
    np.testing.assert_allclose(soft_in.grad.numpy(), expected, rtol=1e-10, atol=1e-14)
    mt.manual_seed(5)  # the same noise: the hard sample's gradient is the soft sample's
    hard_in = mt.tensor(logits, requires_grad=True)
    y_hard = mt.nn.functional.gumbel_softmax(hard_in, tau=tau, hard=True, dim=dim)
    one_hot = np.zeros_like(s)
    np.put_along_axis(one_hot, np.expand_dims(s.argmax(axis=dim), dim), 1.0, axis=dim)
    np.testing.assert_allclose(y_hard.detach().numpy(), one_hot, atol=1e-15)
    y_hard.backward(mt.tensor(g))
    np.testing.assert_allclose(hard_in.grad.numpy(), expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_of_a_zero_d_tensor_is_one_as_torch(hard):
    ours = mt.nn.functional.gumbel_softmax(mt.tensor(0.3, requires_grad=True), hard=hard)
    theirs = torch.nn.functional.gumbel_softmax(torch.tensor(0.3, requires_grad=True), hard=hard)
    assert ours.shape == theirs.shape == () and ours.item() == theirs.item() == 1.0
    assert ours.grad_fn.name() == theirs.grad_fn.name()


def test_gumbel_softmax_eps_is_deprecated_as_torch():
    messages = []
    for lib in (mt, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3), eps=1e-5)
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] == ["`eps` parameter is deprecated and has no effect."]


def test_torch_level_names_and_methods():
    x = _away_from_kinks((2, 3))
    pairs = [
        lambda lib, t: lib.selu(t),
        lambda lib, t: lib.celu(t, alpha=2.0),
        lambda lib, t: lib.threshold(t, threshold=0.1, value=2.0),
        lambda lib, t: lib.hardshrink(t, lambd=0.2),
        lambda lib, t: t.hardshrink(0.3),
        lambda lib, t: lib.rrelu(t, 0.1, 0.3),
        lambda lib, t: lib.prelu(t, lib.full((3,), 0.2, dtype=lib.float64)),
        lambda lib, t: t.prelu(lib.full((1,), 0.2, dtype=lib.float64)),
    ]
    for call in pairs:
        np.testing.assert_allclose(call(mt, mt.tensor(x)).numpy(), call(torch, torch.tensor(x)).numpy(), rtol=1e-12)


def test_rrelu_training_and_gumbel_softmax_draw_torchs_numbers():
    x = np.random.default_rng(0).standard_normal((6, 7))
    for dtype in (np.float64, np.float32):
        results = []
        for lib in (mt, torch):
            lib.manual_seed(3)
            a = lib.tensor(x.astype(dtype), requires_grad=True)
            y = lib.nn.functional.rrelu(a, training=True)
            y.backward(lib.tensor(np.linspace(-1, 1, 42).reshape(6, 7).astype(dtype)))
            lib.manual_seed(4)
            g = lib.nn.functional.gumbel_softmax(lib.tensor(x.astype(dtype)), tau=0.5)
            results.append((y.detach().numpy(), a.grad.numpy(), g.numpy()))
        rtol = 0 if dtype == np.float64 else 2e-7  # float32 rrelu products: torch's last bit may differ
        for ours, theirs in zip(*results):
            np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-15 if dtype == np.float64 else 1e-7)
