"""Padding against torch: error types and messages, crops in every mode, dtypes, grad_fn names.

Values and gradients over the drawn argument space are in the registry
(reference/registry/padding.py and the conv family's pad_* entries); here
the exact errors, torch's crop-then-wrap circular semantics and hand cases.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import compare_modules, raised


def _both(shape: tuple, dtype: str = "float64") -> tuple:
    x = np.arange(int(np.prod(shape))).reshape(shape).astype(dtype)
    return mt.tensor(x), torch.tensor(x)


ERRORS = [
    ((1, 2, 3, 3), {"pad": (1,)}),
    ((1, 2, 3, 3), {"pad": (1,) * 10}),
    ((1, 2, 3, 3), {"pad": (3, 3), "mode": "reflect"}),
    ((1, 2, 3, 3), {"pad": (1, 1), "mode": "replicate"}),
    ((3, 3), {"pad": (1, 0, 1, 1), "mode": "circular"}),
    ((1, 2, 3, 3), {"pad": (3, 3, 0, 0), "mode": "reflect"}),
    ((1, 2, 3, 3), {"pad": (0, 0, 3, 0), "mode": "reflect"}),
    ((1, 2, 3, 3, 3), {"pad": (0, 0, 0, 0, 3, 0), "mode": "reflect"}),
    ((1, 2, 1), {"pad": (1, 1), "mode": "reflect"}),
    ((1, 2, 3, 3), {"pad": (4, 0, 0, 0), "mode": "circular"}),
    ((1, 2, 3), {"pad": (-3, -1), "mode": "circular"}),
    ((1, 2, 3), {"pad": (-2, -1), "mode": "reflect"}),
    ((1, 2, 3), {"pad": (-2, -2), "mode": "replicate"}),
    ((1, 2, 3, 3), {"pad": (0, 0, -2, -2), "mode": "replicate"}),
    ((1, 2, 3, 3), {"pad": (1, 0, 0, 0), "mode": "foo"}),
    ((1, 2, 3, 3), {"pad": (1, 0, 0, 0), "mode": "reflect", "value": 1.0}),
    ((1, 0, 3), {"pad": (1, 1), "mode": "reflect"}),
    ((1, 2, 0), {"pad": (0, 0), "mode": "replicate"}),
    ((2, 3, 0, 2), {"pad": (1, 1, 1, 1), "mode": "reflect"}),
    ((2, 1, 0, 2), {"pad": (0, 0, 1, 1), "mode": "circular"}),
    ((1, 2, 3), {"pad": (-2, -2)}),
    ((1, 2, 3), {"pad": (-4, 1)}),
    ((1, 2, 3), {"pad": (2, -4)}),
    ((1, 2, 3), {"pad": (1.5, 1)}),
]


@pytest.mark.parametrize(("shape", "kwargs"), ERRORS)
def test_pad_errors_match_torch(shape, kwargs):
    xo, xt = _both(shape)
    expected = raised(lambda: torch.nn.functional.pad(xt, **kwargs))
    assert expected is not None
    assert raised(lambda: mt.nn.functional.pad(xo, **kwargs)) == expected


@pytest.mark.parametrize(
    ("shape", "pad", "value"),
    [((1, 2, 3), (1,), 0), ((2, 2), (1,) * 6, 0), ((1, 2, 3), (1.5, 1), 0), ((1, 3), (-4, 1), 0), ((3,), (1, -4), 0)],
)
def test_constant_pad_nd_errors_match_torch(shape, pad, value):
    xo, xt = _both(shape)
    expected = raised(lambda: torch.constant_pad_nd(xt, pad, value))
    assert expected is not None
    assert raised(lambda: mt.constant_pad_nd(xo, pad, value)) == expected


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("shape", [(1, 2, 3), (1, 2, 3, 3), (1, 1, 2, 2, 2)])
def test_bool_inputs_raise_as_torch(mode, shape):
    pad = (1, 1) * (len(shape) - 2)
    xo, xt = _both(shape, "bool")
    expected = raised(lambda: torch.nn.functional.pad(xt, pad, mode=mode))
    assert raised(lambda: mt.nn.functional.pad(xo, pad, mode=mode)) == expected


@pytest.mark.parametrize(
    ("mode", "pad"),
    [
        ("circular", (2, -1)),
        ("circular", (-1, 2)),
        ("circular", (-2, -1)),
        ("circular", (0, 0)),
        ("reflect", (-1, 2)),
        ("reflect", (2, -3)),
        ("replicate", (-3, 2)),
        ("replicate", (3, -1)),
    ],
)
def test_crops_in_gathering_modes_match_torch(mode, pad):
    """torch's circular crops first and wraps around what is left; reflect/replicate index the whole input."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 1, 4))
    xo, xt = mt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = mt.nn.functional.pad(xo, pad, mode=mode), torch.nn.functional.pad(xt, pad, mode=mode)
    np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
    g = rng.standard_normal(tuple(yt.shape))
    yo.backward(mt.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert yo.grad_fn.name() == yt.grad_fn.name()


@pytest.mark.parametrize(("dtype", "value"), [("int64", 3.7), ("int32", -2), ("bool", 1), ("float32", 0.5)])
def test_constant_fill_is_cast_to_the_input_dtype(dtype, value):
    xo, xt = _both((2, 3), dtype)
    yo, yt = mt.constant_pad_nd(xo, (1, 2), value), torch.constant_pad_nd(xt, (1, 2), value)
    assert str(yo.dtype) == str(yt.dtype)
    np.testing.assert_array_equal(yo.numpy(), yt.numpy())
    assert not yo.requires_grad


def test_replicate_edge_collects_the_whole_border_gradient():
    x = mt.tensor([[[1.0, 2.0, 3.0]]], requires_grad=True)
    y = mt.nn.functional.pad(x, (2, 1), mode="replicate")
    y.backward(mt.tensor([[[1.0, 2.0, 4.0, 8.0, 16.0, 32.0]]]))
    np.testing.assert_array_equal(x.grad.numpy(), [[[7.0, 8.0, 48.0]]])


def test_reflect_gradient_mirrors_without_the_edge():
    x = mt.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = mt.nn.functional.pad(x, (2, 2), mode="reflect")  # [3, 2, 1, 2, 3, 2, 1]
    np.testing.assert_array_equal(y.detach().numpy(), [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]])
    y.backward(mt.tensor([[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]]))
    np.testing.assert_array_equal(x.grad.numpy(), [[4.0 + 64.0, 2.0 + 8.0 + 32.0, 1.0 + 16.0]])


def test_constant_pad_nd_grad_fn_and_cropped_gradient():
    x = mt.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    y = mt.constant_pad_nd(x, (-1, 2), 9.0)
    assert y.grad_fn.name() == "ConstantPadNdBackward0"
    np.testing.assert_array_equal(y.detach().numpy(), [[2.0, 3.0, 4.0, 9.0, 9.0]])
    y.backward(mt.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]]))
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 2.0, 3.0]])


# ---- modules ------------------------------------------------------------------------------

PAD_MODULES = [
    (lambda nn: nn.ZeroPad1d(2), (2, 3, 4)),
    (lambda nn: nn.ZeroPad1d((1, 2)), (3, 4)),
    (lambda nn: nn.ZeroPad2d(1), (1, 2, 3, 3)),
    (lambda nn: nn.ZeroPad2d((1, 2, -1, 0)), (2, 3, 3)),
    (lambda nn: nn.ZeroPad3d((1, 0, 0, 1, 1, 1)), (1, 1, 2, 2, 2)),
    (lambda nn: nn.ConstantPad1d(2, 3.5), (2, 3, 4)),
    (lambda nn: nn.ConstantPad1d([1, 2], 1), (2, 4)),
    (lambda nn: nn.ConstantPad2d((1, 2, 3, 0), -1), (1, 2, 3, 3)),
    (lambda nn: nn.ConstantPad3d(1, 0), (1, 2, 2, 2)),
    (lambda nn: nn.ReflectionPad1d(2), (2, 3, 4)),
    (lambda nn: nn.ReflectionPad2d((1, 0, 2, 1)), (1, 2, 3, 4)),
    (lambda nn: nn.ReflectionPad3d(1), (1, 2, 2, 3, 2)),
    (lambda nn: nn.ReplicationPad1d((1, 3)), (3, 4)),
    (lambda nn: nn.ReplicationPad2d(2), (2, 3, 3)),
    (lambda nn: nn.ReplicationPad3d((1, 1, 0, 2, 1, 0)), (1, 1, 2, 2, 2)),
    (lambda nn: nn.CircularPad1d(1), (2, 3, 4)),
    (lambda nn: nn.CircularPad2d((1, 2, 0, 1)), (1, 2, 3, 3)),
    (lambda nn: nn.CircularPad3d(2), (2, 3, 3, 3)),
]


@pytest.mark.parametrize(("make", "shape"), PAD_MODULES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_padding_modules_match_torch(make, shape, dtype):
    ours, theirs = make(mt.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding
    x = np.random.default_rng(0).standard_normal(shape)
    report = compare_modules(ours, theirs, [x], dtype, seed=1)
    assert report.ok, str(report)


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda nn: nn.CircularPad1d(1), (4,)),
        (lambda nn: nn.CircularPad2d(1), (1, 1, 2, 2, 2)),
        (lambda nn: nn.CircularPad3d(1), (2, 2, 2)),
    ],
)
def test_circular_pad_modules_check_the_rank_as_torch(make, shape):
    xo, xt = _both(shape)
    assert raised(lambda: make(mt.nn)(xo)) == raised(lambda: make(torch.nn)(xt))
