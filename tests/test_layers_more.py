"""Bilinear, Dropout1d/3d, AlphaDropout, FeatureAlphaDropout: modules vs torch (repr, parameters,
state_dict, seeded init, forward/backward with copied weights), torch's masks for the same seed, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import compare_modules, raised


def test_bilinear_module_matches_torch():
    for lib in (mt, torch):
        lib.manual_seed(5)
    ours, theirs = mt.nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    # torch's init for the same seed: weight then bias, both U(-1/sqrt(in1), 1/sqrt(in1))
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.detach().numpy(), theirs.bias.detach().numpy())
    rng = np.random.default_rng(0)
    report = compare_modules(ours, theirs, [rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 4))], np.float32)
    assert report.ok, str(report)


def test_bilinear_without_bias_and_init_bounds():
    ours, theirs = mt.nn.Bilinear(2, 3, 4, bias=False), torch.nn.Bilinear(2, 3, 4, bias=False)
    assert repr(ours) == repr(theirs) and ours.bias is None
    assert list(ours.state_dict()) == ["weight"]
    big = mt.nn.Bilinear(16, 8, 64).weight.detach().numpy()
    assert 0.9 / 4 < np.abs(big).max() <= 1 / 4


def test_bilinear_graph_names_match_torch():
    names = []
    for lib in (mt, torch):
        x1 = lib.tensor(np.ones((2, 2, 3)), requires_grad=True)
        x2 = lib.tensor(np.ones((2, 2, 4)))
        w = lib.tensor(np.ones((5, 3, 4)), requires_grad=True)
        y = lib.nn.functional.bilinear(x1, x2, w, lib.tensor(np.ones(5), requires_grad=True))
        view = y.grad_fn.next_functions[0][0]
        tri = view.next_functions[0][0]
        names.append(
            (y.grad_fn.name(), view.name(), tri.name(), [f and type(f).__name__ for f, _ in tri.next_functions])
        )
    assert names[0] == names[1]


def _t(lib, *shape):
    return lib.tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 1, 2, 4), _t(lib, 5, 3, 4)),
        lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 3, 4), _t(lib, 5, 3, 4)),
        lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 2, 4), _t(lib, 5, 2, 4)),
        lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 2, 4), _t(lib, 5, 3, 2)),
        lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 2, 4), _t(lib, 5, 3, 4), _t(lib, 4)),
        lambda lib: lib.nn.functional.dropout1d(_t(lib, 3), 0.5),
        lambda lib: lib.nn.functional.dropout1d(_t(lib, 2, 3, 4, 5), 0.5),
        lambda lib: lib.nn.functional.dropout1d(_t(lib, 2, 3), 1.5),
        lambda lib: lib.nn.functional.alpha_dropout(_t(lib, 2, 3), -0.1),
        lambda lib: lib.nn.functional.feature_alpha_dropout(_t(lib, 3), 0.5, True),
        lambda lib: lib.nn.Dropout3d(2.0),
        lambda lib: lib.nn.AlphaDropout(-1),
    ],
)
def test_errors_match_torch(call):
    theirs = raised(lambda: call(torch))
    assert theirs is not None
    assert raised(lambda: call(mt)) == theirs


@pytest.mark.parametrize(
    "name, shape, p",
    [
        ("Dropout1d", (3, 4, 5), 0.4),
        ("Dropout1d", (4, 5), 0.4),
        ("Dropout3d", (2, 3, 2, 2, 2), 0.3),
        ("Dropout3d", (3, 2, 2, 2), 0.6),
        ("AlphaDropout", (3, 4, 5), 0.3),
        ("AlphaDropout", (3, 4), 1.0),
        ("FeatureAlphaDropout", (3, 4, 5), 0.3),
        ("FeatureAlphaDropout", (2, 3, 2, 2), 0.5),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_modules_draw_torchs_masks(name, shape, p, dtype):
    """After manual_seed both engines draw the same Bernoulli masks, so outputs and gradients agree."""
    ours, theirs = getattr(mt.nn, name)(p), getattr(torch.nn, name)(p)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape)
    for lib in (mt, torch):
        lib.manual_seed(11)
    report = compare_modules(ours, theirs, [x], dtype)
    assert report.ok, str(report)


@pytest.mark.parametrize("name", ["dropout1d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"])
def test_eval_and_p_zero_return_the_input(name):
    f = getattr(mt.nn.functional, name)
    x = _t(mt, 2, 3, 2, 2, 2) if name == "dropout3d" else _t(mt, 2, 3, 4)
    assert f(x, 0.5, False) is x
    assert f(x, 0.0, True) is x
    module = {"dropout1d": mt.nn.Dropout1d, "dropout3d": mt.nn.Dropout3d}.get(name, mt.nn.AlphaDropout)(0.5)
    assert module.eval()(x) is x


def test_alpha_dropout_defaults_to_eval_as_torch():
    x = _t(mt, 2, 3)
    assert mt.nn.functional.alpha_dropout(x) is x
    assert mt.nn.functional.feature_alpha_dropout(x) is x


def test_alpha_dropout_graph_and_inplace_match_torch():
    out = []
    for lib in (mt, torch):
        lib.manual_seed(2)
        x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        y = lib.nn.functional.alpha_dropout(x, 0.5, True)
        z = x * 1.0
        lib.manual_seed(2)
        lib.nn.functional.feature_alpha_dropout(z, 0.5, True, inplace=True)
        out.append((y.grad_fn.name(), [f and type(f).__name__ for f, _ in y.grad_fn.next_functions], y.detach().numpy(),
                    z.grad_fn.name(), z.detach().numpy()))  # fmt: skip
    assert out[0][:2] == out[1][:2] and out[0][3] == out[1][3]
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=1e-12)
    np.testing.assert_allclose(out[0][4], out[1][4], rtol=1e-12)


def test_dropout3d_warns_as_torch_on_other_ranks():
    messages = []
    for lib in (mt, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.functional.dropout3d(_t(lib, 2, 3), 0.5)
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and messages[0]


INSTANCE_NORM_CASES = [
    (1, {}, (2, 3, 5)),
    (1, {"affine": True}, (3, 4)),
    (2, {"affine": True, "track_running_stats": True}, (2, 3, 3, 4)),
    (2, {"track_running_stats": True, "momentum": None}, (3, 2, 3)),
    (3, {"affine": True, "eps": 1e-3, "momentum": 0.3}, (2, 3, 2, 2, 3)),
    (3, {"affine": True, "bias": False, "track_running_stats": True}, (3, 2, 2, 2)),
]


@pytest.mark.parametrize("d, kwargs, shape", INSTANCE_NORM_CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_instance_norm_modules_match_torch(d, kwargs, shape, dtype):
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    ours = getattr(mt.nn, f"InstanceNorm{d}d")(3, **kwargs, dtype=mt.float64 if dtype == np.float64 else mt.float32)
    theirs = getattr(torch.nn, f"InstanceNorm{d}d")(3, **kwargs, dtype=torch_dtype)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if ours.weight is not None:  # non-trivial affine parameters, copied across
        rng = np.random.default_rng(3)
        for p, q in zip(ours.parameters(), theirs.parameters()):
            values = rng.uniform(0.5, 1.5, tuple(q.shape))
            p.data = mt.tensor(values.astype(dtype))
            q.data = torch.tensor(values, dtype=torch_dtype)
    x = np.random.default_rng(d).standard_normal(shape) * 2 + 1
    for step in range(2):  # training twice (running statistics move), then eval
        report = compare_modules(ours, theirs, [x + step], dtype)
        assert report.ok, str(report)
    for name, buffer in theirs.named_buffers():
        np.testing.assert_allclose(dict(ours.named_buffers())[name].numpy(), buffer.numpy(), rtol=1e-5)
    ours.eval(), theirs.eval()
    report = compare_modules(ours, theirs, [x], dtype)
    assert report.ok, str(report)


def test_instance_norm_graph_matches_torch():
    sig = []
    for lib in (mt, torch):
        m = lib.nn.InstanceNorm1d(3, affine=True)
        y = m(lib.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32), requires_grad=True))
        bn = y.grad_fn.next_functions[0][0]
        sig.append((y.grad_fn.name(), bn.name(), [f and type(f).__name__ for f, _ in bn.next_functions]))
    assert sig[0] == sig[1]


@pytest.mark.parametrize("shape, size", [((2, 5, 3), 3), ((2, 4, 3, 3), 2), ((1, 6, 2, 2, 2), 5), ((2, 3, 4), 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_local_response_norm_matches_torch(shape, size, dtype):
    ours, theirs = mt.nn.LocalResponseNorm(size, 0.5, 0.6, 2.0), torch.nn.LocalResponseNorm(size, 0.5, 0.6, 2.0)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape)
    report = compare_modules(ours, theirs, [x], dtype)
    assert report.ok, str(report)
    y = [lib.nn.functional.local_response_norm(lib.tensor(x, requires_grad=True), size) for lib in (mt, torch)]
    assert y[0].grad_fn.name() == y[1].grad_fn.name()


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.instance_norm(_t(lib, 2, 3, 1)),
        lambda lib: lib.nn.functional.instance_norm(_t(lib, 2, 3, 4), use_input_stats=False),
        lambda lib: lib.nn.InstanceNorm1d(3)(_t(lib, 2, 3, 4, 5)),
        lambda lib: lib.nn.InstanceNorm2d(3, affine=True)(_t(lib, 2, 4, 3, 3)),
        lambda lib: lib.nn.InstanceNorm3d(3)(_t(lib, 3, 3)),
        lambda lib: lib.nn.functional.local_response_norm(_t(lib, 2, 3), 2),
    ],
)
def test_norm_errors_match_torch(call):
    theirs = raised(lambda: call(torch))
    assert theirs is not None
    assert raised(lambda: call(mt)) == theirs


@pytest.mark.parametrize(
    "dim, sizes, shape",
    [(1, (2, 3), (4, 6)), (-1, (-1, 2), (4, 6)), (1, [2, 3], (4, 6)), (0, (2, 2), (4, 6)), (1, (2, 4), (4, 6))],
)
def test_unflatten_and_identity_match_torch(dim, sizes, shape):
    results = []
    for lib in (mt, torch):
        module = lib.nn.Unflatten(dim, sizes)
        x = lib.zeros(*shape, requires_grad=True)
        out = raised(lambda m=module, t=x: m(t))
        y = None if out else module(x)
        results.append((repr(module), out, y is not None and (tuple(y.shape), y.grad_fn.name())))
        identity = lib.nn.Identity(3, unused="argument")
        assert identity(x) is x and repr(identity) == "Identity()"
    assert results[0] == results[1]
