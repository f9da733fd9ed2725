"""Pooling beyond the registry: MaxUnpool1d/2d/3d, AdaptiveAvg/MaxPool3d, LPPool1d/2d/3d modules (repr,
forward/backward vs torch), torch's errors, and adaptive pooling's backward on an empty output."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import compare_modules, raised


def _t(lib, *shape, dtype=np.float32):
    return lib.tensor(np.random.default_rng(1).standard_normal(shape).astype(dtype))


@pytest.mark.parametrize(
    "text",
    [
        "LPPool1d(1.5, 3, 2, True)",
        "LPPool2d(2, 3)",
        "LPPool3d(3, (2, 1, 2), stride=1)",
        "MaxUnpool1d(3, 2, 1)",
        "MaxUnpool2d(2)",
        "MaxUnpool2d((2, 3), stride=(3, 3), padding=1)",
        "MaxUnpool3d((2, 1, 2))",
        "AdaptiveAvgPool3d((2, None, 1))",
        "AdaptiveAvgPool3d(3)",
        "AdaptiveMaxPool3d(2, True)",
        "AdaptiveMaxPool3d((1, 2, None))",
    ],
)
def test_repr_matches_torch(text):
    ours, theirs = eval("mt.nn." + text), eval("torch.nn." + text)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_pool_then_unpool_module_matches_torch(d, dtype):
    """MaxPool with return_indices feeding MaxUnpool with output_size=input.size(), as in torch's docs."""

    def pair(lib):
        pool = getattr(lib.nn, f"MaxPool{d}d")(2, stride=2, return_indices=True)
        unpool = getattr(lib.nn, f"MaxUnpool{d}d")(2, stride=2)

        class Net(lib.nn.Module):
            def forward(self, x):
                values, indices = pool(x)
                return unpool(values * 3, indices, output_size=x.size())

        return Net()

    rng = np.random.default_rng(d)
    x = (rng.permutation(2 * 2 * 5**d).reshape((2, 2) + (5,) * d) - 50.0) / 7
    report = compare_modules(pair(mt), pair(torch), [x], dtype, seed=d)
    assert report.ok, str(report)


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("norm_type", [1, 2.5, float("inf")])
def test_lp_pool_module_matches_torch(d, norm_type):
    rng = np.random.default_rng(d)
    x = rng.permutation(2 * 4**d).reshape((1, 2) + (4,) * d) / 10 + 0.5
    ours = getattr(mt.nn, f"LPPool{d}d")(norm_type, 2, stride=1, ceil_mode=True)
    theirs = getattr(torch.nn, f"LPPool{d}d")(norm_type, 2, stride=1, ceil_mode=True)
    report = compare_modules(ours, theirs, [x], np.float64, seed=d)
    assert report.ok, str(report)


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("zero_at", [0, 1])
def test_adaptive_pool_backward_of_an_empty_output_raises_as_torch(d, kind, zero_at):
    size = [2] * d
    size[zero_at] = 0
    errors, shapes = [], []
    for lib in (torch, mt):
        x = lib.ones((1, 2) + (3,) * d, requires_grad=True)
        y = getattr(lib.nn.functional, f"adaptive_{kind}_pool{d}d")(x, size)
        shapes.append(tuple(y.shape))
        errors.append(raised(y.sum().backward))
    assert shapes[0] == shapes[1]
    assert errors[0] is not None and errors[0] == errors[1]


def _pooled(lib, d, n=4):
    values, indices = getattr(torch.nn.functional, f"max_pool{d}d")(
        torch.tensor(np.random.default_rng(0).permutation(2 * n**d).reshape((1, 2) + (n,) * d) * 1.0), 2,
        return_indices=True,
    )  # fmt: skip
    return lib.tensor(values.numpy().astype(np.float32)), lib.tensor(indices.numpy())


@pytest.mark.parametrize(
    "call",
    [
        # one invalid index (torch's threads race to report one of several)
        lambda lib: lib.nn.functional.max_unpool2d(_t(lib, 1, 1, 1, 2), lib.tensor([[[[0, 8]]]]), 2),
        lambda lib: lib.nn.functional.max_unpool3d(_t(lib, 1, 1, 1, 1, 2), lib.tensor([[[[[-1, 3]]]]]), 2),
        lambda lib: lib.nn.functional.max_unpool1d(_t(lib, 2, 3), lib.tensor([[0, 1, 9], [1, 2, 3]]), 2),
        lambda lib: lib.nn.functional.max_unpool2d(_pooled(lib, 2)[0], _pooled(lib, 2)[1].int(), 2),
        lambda lib: lib.nn.functional.max_unpool2d(_pooled(lib, 2)[0], _pooled(lib, 2)[1].float(), 2),
        lambda lib: lib.nn.functional.max_unpool2d(_pooled(lib, 2)[0], _pooled(lib, 2)[1][:, :1], 2),
        lambda lib: lib.nn.functional.max_unpool2d(_pooled(lib, 2)[0][0, 0], _pooled(lib, 2)[1][0, 0], 2),
        lambda lib: lib.nn.functional.max_unpool3d(_pooled(lib, 3)[0][0, 0], _pooled(lib, 3)[1][0, 0], 2),
        lambda lib: lib.nn.functional.max_unpool2d(*_pooled(lib, 2), 2, output_size=(7, 5)),
        lambda lib: lib.nn.functional.max_unpool2d(*_pooled(lib, 2), 2, output_size=(1, 5, 5)),
        lambda lib: lib.nn.MaxUnpool1d(2)(*_pooled(lib, 1), output_size=[1, 2, 3, 4]),
        lambda lib: lib.nn.functional.adaptive_avg_pool3d(_t(lib, 3, 4, 5), 2),
        lambda lib: lib.nn.functional.adaptive_avg_pool3d(_t(lib, 1, 2, 3, 4, 5), (2, 2)),
        lambda lib: lib.nn.functional.adaptive_avg_pool3d(_t(lib, 1, 2, 3, 4, 5), -1),
        lambda lib: lib.nn.functional.adaptive_avg_pool3d(_t(lib, 1, 2, 0, 3, 3), 2),
        lambda lib: lib.nn.functional.adaptive_max_pool3d(_t(lib, 3, 4, 5), 2),
        lambda lib: lib.nn.functional.adaptive_max_pool3d(_t(lib, 1, 2, 3, 4, 5), (2, 2)),
        lambda lib: lib.nn.functional.adaptive_max_pool3d(_t(lib, 1, 2, 3, 4, 5), -1),
        lambda lib: lib.nn.functional.adaptive_max_pool3d(_t(lib, 1, 2, 0, 3, 3), 2),
    ],
)
def test_errors_match_torch(call):
    theirs = raised(lambda: call(torch))
    assert theirs is not None
    assert raised(lambda: call(mt)) == theirs


def test_adaptive_max_pool3d_indices_match_torch():
    x = np.random.default_rng(0).permutation(2 * 3 * 4 * 5).reshape(2, 3, 4, 5) * 1.0
    ours = mt.nn.AdaptiveMaxPool3d((2, None, 3), return_indices=True)(mt.tensor(x))
    theirs = torch.nn.AdaptiveMaxPool3d((2, None, 3), return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
    assert ours[1].dtype == mt.int64 and not ours[1].requires_grad


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "args, kwargs, shape",
    [
        ((2,), {"output_size": (3, 4)}, (2, 3, 5, 6)),
        (((2, 3),), {"output_ratio": 0.5}, (3, 7, 7)),
        ((3,), {"output_size": 4, "return_indices": True}, (1, 2, 9, 8)),
        ((2,), {"output_ratio": (0.7, 0.4)}, (2, 2, 5, 5)),
    ],
)
def test_fractional_max_pool_module_draws_torchs_windows(args, kwargs, shape, dtype):
    """After manual_seed the windows (from rand(N, C, 2) in the input's dtype) are torch's."""
    ours, theirs = mt.nn.FractionalMaxPool2d(*args, **kwargs), torch.nn.FractionalMaxPool2d(*args, **kwargs)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).permutation(int(np.prod(shape))).reshape(shape) / 10.0
    for lib in (mt, torch):
        lib.manual_seed(4)
    report = compare_modules(ours, theirs, [x], dtype)
    assert report.ok, str(report)
    if kwargs.get("return_indices"):
        for lib in (mt, torch):
            lib.manual_seed(4)
        indices = [m(lib.tensor(x.astype(dtype)))[1].numpy() for m, lib in ((ours, mt), (theirs, torch))]
        np.testing.assert_array_equal(indices[0], indices[1])


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.FractionalMaxPool2d(2),
        lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=1.5),
        lambda lib: lib.nn.FractionalMaxPool2d(2, 3, 0.5),
        lambda lib: lib.nn.functional.fractional_max_pool2d(_t(lib, 1, 2, 5, 6), 4, output_size=4),
        lambda lib: lib.nn.functional.fractional_max_pool2d(_t(lib, 1, 2, 5, 6), 2, output_size=(3, 6)),
        lambda lib: lib.nn.functional.fractional_max_pool2d(_t(lib, 1, 2, 5, 6), 2),
        lambda lib: lib.nn.functional.fractional_max_pool2d(_t(lib, 1, 2, 5, 6), 2, output_ratio=(0.5, 0.5, 0.5)),
    ],
)
def test_fractional_errors_match_torch(call):
    theirs = raised(lambda: call(torch))
    assert theirs is not None
    assert raised(lambda: call(mt)) == theirs
