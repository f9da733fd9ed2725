"""Layer, group and RMS normalisation beyond the registry: native_layer_norm's mean and rstd (values,
shapes, no gradient), native_group_norm's, the backward by hand, empty inputs, errors as torch's."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from reference import strategies as S
from reference.bridge import copy_weights_from_torch
from reference.compare import compare_modules, make_inputs
from reference.registry.normalization import group_norm_samples, layer_norm_samples


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


@given(data=st.data())
def test_native_layer_norm_statistics_as_torch(data):
    sample = data.draw(layer_norm_samples())
    kw = sample.kwargs
    results = []
    for lib in (mt, torch):
        x, w, b = make_inputs(lib, sample, np.float64)
        out = lib.native_layer_norm(x, kw["normalized_shape"], w if kw["use_weight"] else None, b, kw["eps"])
        results.append(out)
    for ours, theirs in zip(*results):
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert ours.requires_grad == theirs.requires_grad
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-10)
    assert results[0][1].grad_fn is None and results[0][2].grad_fn is None


@given(data=st.data())
def test_native_group_norm_statistics_as_torch(data):
    sample = data.draw(group_norm_samples())
    groups = sample.kwargs["num_groups"]
    results = []
    for lib in (mt, torch):
        x, w, b = make_inputs(lib, sample, np.float64)
        n, c = x.shape[:2]
        hxw = int(np.prod(x.shape[2:]))
        results.append(lib.native_group_norm(x.contiguous(), None, None, n, c, hxw, groups, 1e-5))
    for ours, theirs in zip(*results):
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert ours.grad_fn.name() == theirs.grad_fn.name() == "NativeGroupNormBackward0"
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-10)


def test_layer_norm_backward_by_hand():
    """Rows (1, 3) and (0, 4): mean 2, var 1 (rstd ~ 1); dL/dx for g = (1, 0) is rstd/2 * (2g - sum g - xhat sum g xhat)."""
    x = mt.tensor([[1.0, 3.0], [0.0, 4.0]], dtype=mt.float64, requires_grad=True)
    out = mt.nn.functional.layer_norm(x, (2,), eps=0.0)
    np.testing.assert_allclose(out.detach().numpy(), [[-1.0, 1.0], [-1.0, 1.0]])
    out.backward(mt.tensor([[1.0, 0.0], [0.0, 3.0]], dtype=mt.float64))
    # row 1: xhat = (-1, 1), g = (1, 0): rstd = 1, 1/2 * ((2, 0) - 1 - (-1, 1) * (-1)) = (0, 0)
    # row 2: rstd = 1/2, g = (0, 3): 1/4 * ((0, 6) - 3 - (-1, 1) * 3) = (0, 0)
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 0.0], [0.0, 0.0]], atol=1e-15)
    y = mt.tensor([[1.0, 2.0, 6.0]], dtype=mt.float64, requires_grad=True)
    mt.nn.functional.layer_norm(y, [3], eps=0.0).backward(mt.tensor([[1.0, 0.0, 0.0]], dtype=mt.float64))
    yt = torch.tensor([[1.0, 2.0, 6.0]], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.layer_norm(yt, [3], eps=0.0).backward(torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64))
    np.testing.assert_allclose(y.grad.numpy(), yt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_empty_batches_and_dtypes_as_torch(dtype):
    x = np.zeros((0, 4), dtype=dtype)
    for fn in (
        lambda lib, t: lib.nn.functional.layer_norm(t, (4,)),
        lambda lib, t: lib.nn.functional.group_norm(t, 2),
        lambda lib, t: lib.nn.functional.rms_norm(t, [4]),
    ):
        ours, theirs = fn(mt, mt.tensor(x)), fn(torch, torch.tensor(x))
        assert tuple(ours.shape) == tuple(theirs.shape) and ours.numpy().dtype == dtype
    stats = mt.native_layer_norm(mt.tensor(x), [4], None, None, 1e-5)
    assert [tuple(s.shape) for s in stats] == [(0, 4), (0, 1), (0, 1)]


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 3, 5), (4,)),
        lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 3, 5), (3, 5), lib.randn(4)),
        lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 3, 5), (5,), None, lib.randn(4)),
        lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 3, 5), ()),
        lambda lib: lib.nn.functional.layer_norm(lib.randn(5), 5),
        lambda lib: lib.nn.functional.layer_norm(lib.randn(5), (2, 5)),
        lambda lib: lib.native_layer_norm(lib.randn(2, 3), [4], None, None, 1e-5),
        lambda lib: lib.nn.functional.group_norm(lib.randn(2, 3, 4), 2),
        lambda lib: lib.nn.functional.group_norm(lib.randn(3), 1),
        lambda lib: lib.nn.functional.group_norm(lib.randn(2, 4), 2, lib.randn(3)),
        lambda lib: lib.nn.functional.group_norm(lib.randn(2, 4), 2, None, lib.randn(3)),
        lambda lib: lib.nn.functional.group_norm(lib.randn(2, 4), 0),
        lambda lib: lib.nn.functional.group_norm(lib.randn(1, 2, 1), 2),
        lambda lib: lib.native_group_norm(lib.randn(2, 4, 3), None, None, 2, 4, 4, 2, 1e-5),
        lambda lib: lib.native_group_norm(lib.randn(2, 4, 6)[:, :, ::2], None, None, 2, 4, 3, 2, 1e-5),
        lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), [4]),
        lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 4, dtype=lib.int64), (4,)),
        lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 4), (4,), lib.ones(4, dtype=lib.float64)),
        lambda lib: lib.nn.functional.layer_norm(lib.randn(2, 4), (4,), None, lib.ones(4, dtype=lib.float64)),
        lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 4, dtype=lib.int64), (4,)),
        lambda lib: lib.nn.functional.group_norm(lib.randn(2, 4), 2, lib.ones(4, dtype=lib.float64)),
        lambda lib: lib.nn.functional.group_norm(lib.ones(2, 4, dtype=lib.int64), 2),
        lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), [3], lib.randn(2)),
    ],
)
def test_errors_as_torch(call):
    ours, theirs = _error(lambda: call(mt)), _error(lambda: call(torch))
    assert theirs is not None
    assert ours == theirs


MODULES = [
    ("LayerNorm", (4,), {}),
    ("LayerNorm", ((3, 4),), {"eps": 1e-3}),
    ("LayerNorm", ([4],), {"elementwise_affine": False}),
    ("LayerNorm", (4,), {"bias": False}),
    ("GroupNorm", (2, 4), {}),
    ("GroupNorm", (3, 6), {"eps": 1e-3, "affine": False}),
    ("GroupNorm", (1, 4), {"bias": False}),
    ("RMSNorm", (4,), {}),
    ("RMSNorm", ([3, 4],), {"eps": 1e-6}),
    ("RMSNorm", (4,), {"elementwise_affine": False}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_module_repr_parameters_and_state_dict_as_torch(name, args, kwargs):
    ours, theirs = getattr(mt.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(p.shape)) for k, p in ours.named_parameters()] == [
        (k, tuple(p.shape)) for k, p in theirs.named_parameters()
    ]
    so, st_ = ours.state_dict(), theirs.state_dict()
    assert list(so) == list(st_)
    for key in st_:
        assert str(so[key].dtype) == str(st_[key].dtype)
        np.testing.assert_array_equal(so[key].numpy(), st_[key].numpy())


@pytest.mark.parametrize("name, args, kwargs", MODULES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_module_forward_backward_as_torch_with_copied_weights(name, args, kwargs, dtype):
    rng = np.random.default_rng(7)
    ours = getattr(mt.nn, name)(*args, **kwargs, dtype=getattr(mt, np.dtype(dtype).name))
    theirs = getattr(torch.nn, name)(*args, **kwargs, dtype=getattr(torch, np.dtype(dtype).name))
    with torch.no_grad():  # affine parameters away from their 1 / 0 start, so their gradients matter
        for p in theirs.parameters():
            p.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, size=p.shape)))
    copy_weights_from_torch(ours, theirs)
    if name == "GroupNorm":
        shape = (2, args[1], 3)
    else:
        normalized = (args[0],) if isinstance(args[0], int) else tuple(args[0])
        shape = (2,) + normalized
    x = S.distinct(rng, shape, 0.2)
    report = compare_modules(ours, theirs, [x], dtype)
    assert report.ok, str(report)
    with pytest.raises(ValueError, match=r"num_channels \(5\) must be divisible by num_groups \(2\)"):
        mt.nn.GroupNorm(2, 5)


def test_group_norm_of_a_strided_input_copies_it_first_as_torch():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 4, 6))
    edges = []
    for lib in (mt, torch):
        base = lib.tensor(x).requires_grad_()
        out = lib.nn.functional.group_norm(base[:, :, ::2], 2)
        edges.append([None if f is None else f.name() for f, _ in out.grad_fn.next_functions])
    assert edges[0] == edges[1] == ["CloneBackward0", None, None]
