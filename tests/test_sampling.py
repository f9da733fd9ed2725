"""Resampling against torch: errors and warnings of interpolate / grid_sample / affine_grid, the
deprecated upsample aliases, dtypes and hand-worked values.

Values and gradients over the drawn argument space are in the registry
(reference/registry/sampling.py); here what it does not reach.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import compare_modules, raised


def _pair(shape: tuple, dtype: str = "float32", seed: int = 0) -> tuple:
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return mt.tensor(x), torch.tensor(x)


def _same_outcome(call, *shapes_dtypes) -> None:
    """call(lib, *tensors) raises the same (type, message) in both, or returns equal values and warnings."""
    pairs = [_pair(shape, dtype) for shape, dtype in shapes_dtypes]
    results = []
    for lib, k in ((torch, 1), (mt, 0)):
        tensors = [p[k] for p in pairs]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            error = raised(lambda lib=lib, tensors=tensors: call(lib, *tensors))
            out = None if error else call(lib, *tensors)
        results.append((error, out, [(w.category, str(w.message)) for w in caught]))
    (t_err, t_out, t_warn), (m_err, m_out, m_warn) = results
    assert m_err == t_err
    assert m_warn == t_warn
    if t_out is not None:
        assert tuple(m_out.shape) == tuple(t_out.shape)
        assert str(m_out.dtype) == str(t_out.dtype)
        np.testing.assert_allclose(m_out.numpy(), t_out.numpy(), rtol=1e-5, atol=1e-6)


X4 = ((1, 2, 4, 4), "float32")
INTERPOLATE_CASES = [
    ((X4,), {"size": 0}),
    ((X4,), {"size": (0, 2)}),
    ((X4,), {"scale_factor": 0.1}),
    ((X4,), {"scale_factor": -1.0}),
    ((X4,), {"scale_factor": 0.1, "mode": "bilinear"}),
    ((X4,), {"scale_factor": 2, "mode": "area"}),
    ((X4,), {"scale_factor": 2, "recompute_scale_factor": True}),
    ((X4,), {"size": 2, "recompute_scale_factor": True}),
    ((X4,), {"size": 2, "recompute_scale_factor": False}),
    ((X4,), {"size": 2, "align_corners": True}),
    ((X4,), {"size": 2, "mode": "area", "align_corners": False}),
    ((X4,), {"size": 2, "mode": "nearest-exact", "align_corners": False}),
    ((X4,), {"size": 2, "scale_factor": 2}),
    ((X4,), {}),
    ((X4,), {"size": (2, 2, 2)}),
    ((X4,), {"scale_factor": (2, 2, 2)}),
    ((X4,), {"size": (2.0, 2)}),
    ((X4,), {"size": 2, "mode": "linear"}),
    ((X4,), {"size": 2, "mode": "trilinear"}),
    ((((1, 2, 4), "float32"),), {"size": 2, "mode": "bilinear"}),
    ((((1, 2, 4), "float32"),), {"size": 2, "mode": "trilinear"}),
    ((((1, 2, 4, 4, 4), "float32"),), {"size": 2, "mode": "linear"}),
    ((((1, 2, 4, 4, 4), "float32"),), {"size": 2, "mode": "bilinear"}),
    ((X4,), {"size": 2, "mode": "foo"}),
    ((((4, 4), "float32"),), {"size": 2}),
    ((X4,), {"size": 2, "mode": "nearest", "antialias": True}),
    ((((1, 2, 4), "float32"),), {"size": 2, "mode": "linear", "antialias": True}),
    ((X4,), {"size": 2, "mode": "bilinear", "antialias": True}),
    ((X4,), {"size": 2, "mode": "lanczos"}),
    ((X4,), {"size": 2, "mode": "lanczos", "antialias": True, "align_corners": True}),
    ((X4,), {"size": (3, 2), "mode": "lanczos", "antialias": True, "align_corners": False}),
    ((((1, 2, 4), "float32"),), {"size": 2, "mode": "lanczos", "antialias": True}),
    ((((1, 2, 4), "float32"),), {"size": 2, "mode": "lanczos"}),
    ((((1, 2, 4), "int32"),), {"size": 2}),
    ((((1, 2, 4), "int64"),), {"size": 2, "mode": "linear"}),
    ((((1, 2, 4, 4), "int32"),), {"size": 2}),
    ((((1, 2, 4, 4), "int64"),), {"size": 2, "mode": "bilinear"}),
    ((((1, 2, 4, 4), "int32"),), {"size": 2, "mode": "bicubic"}),
    ((((1, 2, 4, 4), "bool"),), {"size": 2, "mode": "nearest-exact"}),
    ((((1, 2, 4, 4, 4), "bool"),), {"size": 2, "mode": "trilinear"}),
    ((((1, 2, 4, 4, 4), "uint8"),), {"size": 2, "mode": "trilinear"}),
    ((((1, 2, 4), "uint8"),), {"size": 3, "mode": "linear"}),
    ((((1, 2, 4, 4), "uint8"),), {"size": 3, "mode": "nearest"}),
    ((((1, 0, 3, 3), "float32"),), {"size": 2}),
    ((((0, 1, 3, 3), "float32"),), {"size": 2}),
    ((((1, 1, 0, 3), "float32"),), {"size": 2}),
    ((((1, 1, 0, 3), "float32"),), {"size": 2, "mode": "bilinear"}),
    ((((1, 1, 3), "float32"),), {"size": 0, "mode": "linear"}),
    ((((1, 1, 3, 3, 3), "float32"),), {"size": 0, "mode": "trilinear"}),
    ((((1, 1, 3, 3, 3), "float32"),), {"size": (1, 0, 1), "mode": "nearest"}),
    ((X4,), {"scale_factor": 1.7, "mode": "bicubic", "recompute_scale_factor": False}),
    ((X4,), {"scale_factor": (1.5, 0.75), "mode": "bilinear", "align_corners": True}),
    ((((1, 2, 3, 3, 3), "float64"),), {"size": (1, 1, 1), "mode": "area"}),
    ((((1, 2, 3, 3, 3), "float64"),), {"size": (2, 1, 4), "mode": "area"}),
]


@pytest.mark.parametrize(("inputs", "kwargs"), INTERPOLATE_CASES)
def test_interpolate_matches_torch(inputs, kwargs):
    _same_outcome(lambda lib, x: lib.nn.functional.interpolate(x, **kwargs), *inputs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("upsample", {"size": 3}),
        ("upsample", {"scale_factor": 2, "mode": "bilinear", "align_corners": True}),
        ("upsample", {"size": 3, "mode": "bicubic"}),
        ("upsample_nearest", {"size": 3}),
        ("upsample_nearest", {"scale_factor": 1.5}),
        ("upsample_bilinear", {"size": (3, 5)}),
        ("upsample_bilinear", {"scale_factor": 2}),
    ],
)
def test_deprecated_upsample_aliases_warn_and_match_torch(name, kwargs):
    _same_outcome(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), X4)


def test_area_mode_takes_the_pooling_nodes():
    for shape, size, name in [((1, 2, 5), 3, "SqueezeBackward1"), ((1, 2, 5, 4), 3, "AdaptiveAvgPool2DBackward0")]:
        x = mt.zeros(shape, requires_grad=True)
        assert mt.nn.functional.interpolate(x, size=size, mode="area").grad_fn.name() == name
    x = mt.zeros((1, 2, 3, 3, 3), requires_grad=True)
    assert mt.nn.functional.interpolate(x, size=2, mode="area").grad_fn.name() == "AdaptiveAvgPool3DBackward0"


def test_nearest_picks_by_hand():
    x = mt.tensor([[[10.0, 20.0, 30.0]]], requires_grad=True)
    y = mt.nn.functional.interpolate(x, size=5)  # src = floor(i * 3/5) = 0 0 1 1 2
    np.testing.assert_array_equal(y.detach().numpy(), [[[10, 10, 20, 20, 30]]])
    y.backward(mt.tensor([[[1.0, 2.0, 4.0, 8.0, 16.0]]]))
    np.testing.assert_array_equal(x.grad.numpy(), [[[3.0, 12.0, 16.0]]])
    exact = mt.nn.functional.interpolate(x.detach(), size=5, mode="nearest-exact")  # floor((i + .5) 3/5)
    np.testing.assert_array_equal(exact.numpy(), [[[10, 10, 20, 30, 30]]])


def test_linear_weights_by_hand():
    x = mt.tensor([[[0.0, 4.0]]], requires_grad=True)
    y = mt.nn.functional.interpolate(x, size=4, mode="linear", align_corners=True)  # 0, 4/3, 8/3, 4
    np.testing.assert_allclose(y.detach().numpy(), [[[0.0, 4 / 3, 8 / 3, 4.0]]], rtol=1e-6)
    y.backward(mt.tensor([[[1.0, 1.0, 0.0, 2.0]]]))
    np.testing.assert_allclose(x.grad.numpy(), [[[1 + 2 / 3, 1 / 3 + 2]]], rtol=1e-6)


G = (1, 3, 3, 2)
GRID_CASES = [
    ("grid_sample", (X4, (G, "float32")), {}),
    ("grid_sample", (X4, (G, "float32")), {"align_corners": False}),
    ("grid_sample", (X4, (G, "float32")), {"mode": "foo", "align_corners": False}),
    ("grid_sample", (X4, (G, "float32")), {"padding_mode": "foo", "align_corners": False}),
    ("grid_sample", (((1, 2, 3, 3, 3), "float32"), ((1, 2, 2, 2, 3), "float32")), {"mode": "bicubic"}),
    ("grid_sample", (X4, ((2, 3, 3, 2), "float32")), {"align_corners": False}),
    ("grid_sample", (X4, ((1, 3, 3, 3), "float32")), {"align_corners": False}),
    ("grid_sample", (X4, ((1, 3, 3), "float32")), {"align_corners": False}),
    ("grid_sample", (((2, 4, 4), "float32"), ((3, 3, 2), "float32")), {"align_corners": False}),
    ("grid_sample", (X4, (G, "float64")), {"align_corners": False}),
    ("grid_sample", (((1, 2, 4, 4), "int32"), (G, "float32")), {"align_corners": False}),
    ("grid_sample", (((1, 2, 0, 4), "float32"), (G, "float32")), {"align_corners": False}),
    ("grid_sample", (((0, 2, 3, 4), "float32"), ((0, 3, 3, 2), "float32")), {"align_corners": False}),
    ("grid_sample", (((1, 0, 3, 4), "float32"), (G, "float32")), {"align_corners": False}),
    ("grid_sample", (((1, 2, 3, 3, 3), "float32"), ((1, 2, 2, 2, 2), "float32")), {"align_corners": True}),
    ("grid_sampler_2d", (((1, 2, 3, 3, 3), "float32"), ((1, 2, 2, 2, 3), "float32")), {}),
    ("grid_sampler_2d", (X4, ((1, 3, 3, 3), "float32")), {}),
    ("grid_sampler_2d", (X4, ((2, 3, 3, 2), "float32")), {}),
    ("grid_sampler_2d", (X4, (G, "float32")), {}),
    ("grid_sampler", (((1, 2, 3, 3, 3), "float64"), ((1, 2, 2, 2, 3), "float64")), {}),
]


@pytest.mark.parametrize(("name", "inputs", "kwargs"), GRID_CASES)
def test_grid_sample_matches_torch(name, inputs, kwargs):
    if name == "grid_sample":
        _same_outcome(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, **kwargs), *inputs)
    else:
        _same_outcome(lambda lib, x, g: getattr(lib, name)(x, g, 0, 0, False), *inputs)


T2 = ((1, 2, 3), "float32")
AFFINE_CASES = [
    ((T2,), (1, 2, 3, 3), None),
    ((T2,), (1, 2, 3, 3), False),
    ((T2,), (1, 2, 3, 3, 3), False),
    ((((1, 3, 4), "float32"),), (1, 2, 3, 3), False),
    ((T2,), (1, 2, 3), False),
    ((T2,), (2, 2, 3, 3), False),
    ((((1, 2, 3), "int32"),), (1, 2, 3, 3), False),
    ((T2,), (1, 2, 1, 3), True),
    ((T2,), (1, 2, 0, 3), False),
    ((T2,), (1, 2, 3, 3, 3, 3), False),
    ((((2, 3), "float32"),), (1, 2, 3, 3), False),
    ((T2,), [1, 2, 3, 3], False),
    ((((2, 3, 4), "float64"),), [2, 1, 2, 3, 4], True),
]


@pytest.mark.parametrize(("inputs", "size", "align"), AFFINE_CASES)
def test_affine_grid_matches_torch(inputs, size, align):
    _same_outcome(lambda lib, t: lib.nn.functional.affine_grid(t, size, align_corners=align), *inputs)


def test_affine_grid_of_the_identity_is_the_pixel_centres():
    theta = mt.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    grid = mt.nn.functional.affine_grid(theta, (1, 1, 2, 3), align_corners=False)
    np.testing.assert_allclose(grid.numpy()[0, 1, :, 0], [-2 / 3, 0.0, 2 / 3], rtol=1e-6)
    np.testing.assert_allclose(grid.numpy()[0, :, 0, 1], [-0.5, 0.5], rtol=1e-6)


def test_grid_sample_identity_grid_returns_the_input_and_routes_the_gradient():
    x = mt.tensor(np.arange(12, dtype=np.float32).reshape(1, 1, 3, 4), requires_grad=True)
    theta = mt.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    grid = mt.nn.functional.affine_grid(theta, (1, 1, 3, 4), align_corners=True)
    for mode in ("bilinear", "nearest", "bicubic"):
        y = mt.nn.functional.grid_sample(x, grid, mode=mode, align_corners=True)
        np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy(), atol=1e-5)
    g = np.random.default_rng(0).standard_normal((1, 1, 3, 4)).astype(np.float32)
    mt.nn.functional.grid_sample(x, grid, align_corners=True).backward(mt.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), g, atol=1e-6)


def test_grid_sample_nearest_gives_the_grid_a_zero_gradient():
    x = mt.tensor(np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2))
    grid = mt.tensor([[[[0.3, -0.2]]]], requires_grad=True)
    mt.nn.functional.grid_sample(x, grid, mode="nearest", align_corners=False).sum().backward()
    np.testing.assert_array_equal(grid.grad.numpy(), np.zeros((1, 1, 1, 2)))


def test_top_level_names():
    for name in ("grid_sampler", "grid_sampler_2d", "grid_sampler_3d", "affine_grid_generator", "constant_pad_nd"):
        assert hasattr(mt, name) and hasattr(torch, name)


# ---- modules ------------------------------------------------------------------------------

UPSAMPLE_MODULES = [
    (lambda nn: nn.Upsample(size=3), (1, 2, 4)),
    (lambda nn: nn.Upsample(scale_factor=2, mode="bilinear"), (1, 2, 3, 2)),
    (lambda nn: nn.Upsample(scale_factor=(2.0, 1.5), mode="bilinear", align_corners=True), (2, 1, 3, 4)),
    (lambda nn: nn.Upsample(size=(2, 3), recompute_scale_factor=None), (1, 1, 4, 5)),
    (lambda nn: nn.Upsample(scale_factor=1.7, mode="bicubic", recompute_scale_factor=True), (1, 1, 3, 3)),
    (lambda nn: nn.Upsample(scale_factor=(1, 2, 0.5), mode="trilinear"), (1, 1, 2, 3, 4)),
    (lambda nn: nn.Upsample(size=2, mode="area"), (1, 2, 5, 3)),
    (lambda nn: nn.Upsample(scale_factor=1.5, mode="nearest-exact"), (1, 2, 5)),
    (lambda nn: nn.UpsamplingNearest2d(scale_factor=2), (1, 2, 2, 3)),
    (lambda nn: nn.UpsamplingNearest2d(size=(3, 5)), (1, 2, 2, 3)),
    (lambda nn: nn.UpsamplingBilinear2d(size=3), (1, 2, 2, 4)),
    (lambda nn: nn.UpsamplingBilinear2d(scale_factor=(2, 1.5)), (1, 2, 2, 4)),
]


@pytest.mark.parametrize(("make", "shape"), UPSAMPLE_MODULES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_upsample_modules_match_torch(make, shape, dtype):
    ours, theirs = make(mt.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert (ours.name, ours.size, ours.scale_factor, ours.mode, ours.align_corners) == (
        theirs.name,
        theirs.size,
        theirs.scale_factor,
        theirs.mode,
        theirs.align_corners,
    )
    x = np.random.default_rng(0).standard_normal(shape)
    report = compare_modules(ours, theirs, [x], dtype, seed=1)
    assert report.ok, str(report)
