"""ConvTranspose1d/2d/3d and F.conv_transpose*d beyond the registry: modules vs torch with copied
weights, output_size=, repr / parameters / state_dict, torch's default init, errors, graph names."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
import minitorch_nn.nn as nn
from reference.compare import compare_modules, raised

MODULES = {
    1: (nn.ConvTranspose1d, torch.nn.ConvTranspose1d),
    2: (nn.ConvTranspose2d, torch.nn.ConvTranspose2d),
    3: (nn.ConvTranspose3d, torch.nn.ConvTranspose3d),
}


def _copy_weights(ours, theirs, dtype) -> None:
    ours.weight.data = mt.tensor(theirs.weight.detach().numpy().astype(dtype))
    if theirs.bias is not None:
        ours.bias.data = mt.tensor(theirs.bias.detach().numpy().astype(dtype))
    theirs.to(torch.float64 if dtype == np.float64 else torch.float32)


@st.composite
def module_args(draw, d):
    groups = draw(st.sampled_from([1, 2]))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = draw(st.integers(1, 3 if d < 3 else 2))
    stride = draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2))
    kwargs = dict(
        stride=stride,
        padding=draw(st.integers(0, 1)),
        output_padding=draw(st.integers(0, max(stride, dilation) - 1)),
        groups=groups,
        bias=draw(st.booleans()),
        dilation=dilation,
    )
    size = tuple(draw(st.integers(3, 4 if d < 3 else 3)) for _ in range(d))  # padding 1 keeps an output
    batched = draw(st.booleans())
    shape = ((draw(st.integers(1, 2)),) if batched else ()) + (c_in,) + size
    return (c_in, c_out, k), kwargs, shape, draw(st.integers(0, 2**16))


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(data=st.data())
def test_module_matches_torch(d, dtype, data):
    args, kwargs, shape, seed = data.draw(module_args(d))
    ours_cls, theirs_cls = MODULES[d]
    torch.manual_seed(seed)
    theirs = theirs_cls(*args, **kwargs)
    ours = ours_cls(*args, **kwargs, dtype=mt.float64 if dtype == np.float64 else mt.float32)
    _copy_weights(ours, theirs, dtype)
    x = np.random.default_rng(seed).uniform(-2, 2, shape)
    report = compare_modules(ours, theirs, [x], dtype, seed=seed)
    assert report.ok, f"{args} {kwargs} {shape}: {report}"


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize("full", [False, True])
def test_output_size_picks_the_output_padding(d, extra, full):
    torch.manual_seed(0)
    theirs = MODULES[d][1](2, 3, 3, stride=2, padding=1)
    ours = MODULES[d][0](2, 3, 3, stride=2, padding=1, dtype=mt.float64)
    _copy_weights(ours, theirs, np.float64)
    x = np.random.default_rng(0).standard_normal((1, 2) + (3,) * d)
    size = [5 + extra] * d
    if full:
        size = [1, 3] + size
    y = ours(mt.tensor(x), output_size=size)
    expected = theirs(torch.tensor(x), output_size=size)
    assert tuple(y.shape) == tuple(expected.shape)
    np.testing.assert_allclose(y.detach().numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((1, 6, 5), {}),
        ((4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "dilation": 2, "bias": False}),
        ((2, 4, 1), {"stride": 3, "output_padding": 2}),
        ((2, 2, 2), {"groups": 2, "padding": 2}),
    ],
)
@pytest.mark.parametrize("d", [1, 2, 3])
def test_repr_parameters_and_state_dict_match_torch(d, args, kwargs):
    ours, theirs = MODULES[d][0](*args, **kwargs), MODULES[d][1](*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()
    ]
    assert list(ours.state_dict().keys()) == list(theirs.state_dict().keys())
    assert ours.transposed and ours.output_padding == theirs.output_padding


def test_default_init_is_torchs_for_the_same_seed():
    # fan_in of the (in, out/groups, k...) weight is out/groups * prod(k)
    for lib in (mt, torch):
        lib.manual_seed(3)
    ours, theirs = nn.ConvTranspose2d(4, 6, (3, 2), groups=2), torch.nn.ConvTranspose2d(4, 6, (3, 2), groups=2)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.detach().numpy(), theirs.bias.detach().numpy())
    mt.manual_seed(0)
    big = nn.ConvTranspose2d(3, 256, (5, 4))
    bound = 1 / math.sqrt(256 * 5 * 4)
    w = big.weight.detach().numpy()
    assert w.dtype == np.float32 and w.shape == (3, 256, 5, 4)
    assert bound * 0.9 < np.abs(w).max() <= bound
    assert abs(w.var() - bound**2 / 3) < 0.15 * bound**2 / 3


def test_graph_names_match_torch():
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 3))
    w = np.random.default_rng(1).standard_normal((2, 3, 2, 2))
    names = []
    for lib in (mt, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv_transpose2d(xt, wt, stride=2)
        names.append((y.grad_fn.name(), [(type(f).__name__ if f else None, i) for f, i in y.grad_fn.next_functions]))
    assert names[0] == names[1]


def test_empty_batch_matches_torch():
    outs = []
    for lib in (mt, torch):
        x = lib.zeros(0, 2, 3, 3, requires_grad=True)
        w = lib.ones(2, 3, 2, 2, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        y = lib.nn.functional.conv_transpose2d(x, w, b, stride=2)
        y.sum().backward()
        outs.append((tuple(y.shape), tuple(x.grad.shape), w.grad.numpy().sum(), b.grad.numpy().sum()))
    assert outs[0] == outs[1]


def _t(lib, *shape, dtype=np.float32):
    return lib.tensor(np.random.default_rng(1).standard_normal(shape).astype(dtype))


F2 = "conv_transpose2d"


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), output_padding=1),
        lambda lib: lib.nn.functional.conv_transpose2d(
            _t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), stride=(1, 2), output_padding=(1, 0)
        ),
        lambda lib: lib.nn.functional.conv_transpose1d(_t(lib, 1, 2, 3), _t(lib, 2, 2, 2), output_padding=1),
        lambda lib: lib.nn.functional.conv_transpose3d(
            _t(lib, 1, 2, 3, 3, 3), _t(lib, 2, 2, 2, 2, 2), output_padding=1
        ),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 3, 3, 2, 2)),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), groups=3),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), _t(lib, 4)),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2)),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 4), _t(lib, 4, 3, 2, 2)),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), stride=0),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), padding=-1),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), padding=3),
        lambda lib: lib.nn.functional.conv_transpose1d(_t(lib, 1, 2, 3), _t(lib, 2, 2, 2), padding=3),
        lambda lib: lib.nn.functional.conv_transpose3d(_t(lib, 1, 2, 3, 3, 3), _t(lib, 2, 2, 2, 2, 2), padding=3),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), dilation=(0, 1)),
        lambda lib: lib.nn.functional.conv_transpose1d(_t(lib, 1, 2, 3), _t(lib, 2, 2, 2), dilation=0),
        lambda lib: lib.nn.functional.conv_transpose3d(_t(lib, 1, 2, 3, 3, 3), _t(lib, 2, 2, 2, 2, 2), dilation=0),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), groups=0),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), output_padding=-1),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), stride=(1, 2, 3)),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2), padding="same"),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 4, 3, 3), _t(lib, 4, 3, 2, 2, dtype=np.float64)),
        lambda lib: lib.nn.functional.conv_transpose2d(_t(lib, 1, 2, 0, 3), _t(lib, 2, 2, 2, 2)),
        lambda lib: lib.nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect"),
        lambda lib: lib.nn.ConvTranspose2d(2, 3, 3, groups=2),
        lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, stride=2)(_t(lib, 1, 4, 3, 3), output_size=[10, 10]),
        lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, stride=2)(_t(lib, 1, 4, 3, 3), output_size=[1, 10, 10]),
        lambda lib: lib.nn.ConvTranspose1d(4, 6, 3, stride=2)(_t(lib, 4, 3), output_size=[1, 2, 3]),
    ],
)
def test_errors_match_torch(call):
    theirs = raised(lambda: call(torch))
    assert theirs is not None
    assert raised(lambda: call(mt)) == theirs


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("stride", [1, 2])
def test_output_padding_past_the_stride_matches_torch(d, dtype, stride):
    """output_padding >= stride (allowed below the dilation): the convolution behind the op has outputs past
    the input's last position, padded with zeros for the kernels (each path, float32 stride 1 the direct one)."""
    torch.manual_seed(d)
    theirs = MODULES[d][1](2, 4, 3, stride=stride, dilation=3, output_padding=2, padding=1, groups=2)
    ours = MODULES[d][0](2, 4, 3, stride=stride, dilation=3, output_padding=2, padding=1, groups=2)
    _copy_weights(ours, theirs, dtype)
    x = np.random.default_rng(d).uniform(-2, 2, (2, 2) + (3,) * d)
    report = compare_modules(ours, theirs, [x], dtype, seed=d)
    assert report.ok, str(report)
