"""Pooling against torch: module reprs, indices, ceil_mode shapes, graphs, errors, seed snippets.

The functional forms' values and gradients over the whole argument space are
covered by the registry (reference/registry/pooling.py, tests/test_op_registry.py);
this file checks what the registry does not: module texts, graph topology, the
exact error types and messages, shapes over drawn sizes, multi-threaded kernel
paths on bigger inputs, and gradients worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from minitorch_nn.kernels.cpu import pooling as kernels
from reference import strategies as S


def _pair(x: np.ndarray, requires_grad: bool = False) -> tuple:
    ours = mt.tensor(x, requires_grad=requires_grad)
    theirs = torch.tensor(x, requires_grad=requires_grad)
    return ours, theirs


def _max_pool_matches_torch(x: np.ndarray, k, rng: np.random.Generator, **kwargs) -> None:
    """max_pool2d(x, k, **kwargs) with indices: values, indices and the gradient under a random
    upstream gradient all equal torch's (the taps are the same numbers, so exactly)."""
    xo, xt = _pair(x, requires_grad=True)
    yo, io = mt.nn.functional.max_pool2d(xo, k, return_indices=True, **kwargs)
    yt, it = torch.nn.functional.max_pool2d(xt, k, return_indices=True, **kwargs)
    np.testing.assert_array_equal(io.numpy(), it.numpy())
    np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
    g = rng.standard_normal(tuple(yt.shape)).astype(x.dtype)
    yo.backward(mt.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())


# ---- modules ------------------------------------------------------------------------------

MODULES = [
    lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.MaxPool2d((2, 2)),
    lambda nn: nn.MaxPool2d(3, stride=[1, 2], padding=1, dilation=2, ceil_mode=True),
    lambda nn: nn.MaxPool1d(3, stride=1, padding=1, return_indices=True, ceil_mode=True),
    lambda nn: nn.MaxPool3d((2, 1, 2)),
    lambda nn: nn.MaxPool3d(2, dilation=2),
    lambda nn: nn.AvgPool1d(2),
    lambda nn: nn.AvgPool1d((3,), stride=1, padding=1, ceil_mode=True, count_include_pad=False),
    lambda nn: nn.AvgPool2d(2, 2),
    lambda nn: nn.AvgPool2d((2, 3), (1, 2), (1, 1), True, False, 4),
    lambda nn: nn.AvgPool3d(2, ceil_mode=True, count_include_pad=False, divisor_override=3),
    lambda nn: nn.AdaptiveAvgPool1d(3),
    lambda nn: nn.AdaptiveAvgPool2d((2, 3)),
    lambda nn: nn.AdaptiveAvgPool2d((None, 3)),
    lambda nn: nn.AdaptiveAvgPool2d(1),
    lambda nn: nn.AdaptiveMaxPool1d(2, return_indices=True),
    lambda nn: nn.AdaptiveMaxPool2d((2, 3)),
]
ATTRIBUTES = (
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "ceil_mode",
    "return_indices",
    "count_include_pad",
    "divisor_override",
    "output_size",
)


@pytest.mark.parametrize("make", MODULES)
def test_module_repr_attributes_and_no_parameters(make):
    ours, theirs = make(mt.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.parameters()) == [] and list(ours.state_dict()) == []
    for name in ATTRIBUTES:
        assert getattr(ours, name, "absent") == getattr(theirs, name, "absent"), name


@pytest.mark.parametrize("make", MODULES)
def test_module_forward_backward_matches_torch(make):
    ours, theirs = make(mt.nn), make(torch.nn)
    nd = 3 if "3d" in type(theirs).__name__ else 2 if "2d" in type(theirs).__name__ else 1
    rng = np.random.default_rng(nd)
    x = S.distinct(rng, (2, 3) + (6,) * nd)
    xo, xt = _pair(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    if isinstance(yt, tuple):
        np.testing.assert_array_equal(yo[1].numpy(), yt[1].numpy())
        yo, yt = yo[0], yt[0]
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(tuple(yt.shape))
    yo.backward(mt.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


# ---- the seeds' snippets ------------------------------------------------------------------


def test_seed_avg_pool_module_snippet():
    # pool = nn.AvgPool2d(2, 2); list(pool.parameters()) == []; out = pool(input)
    x = np.random.default_rng(0).standard_normal((1, 3, 8, 8)).astype(np.float32)
    outs = []
    for lib in (mt, torch):
        pool = lib.nn.AvgPool2d(2, 2)
        assert list(pool.parameters()) == []
        outs.append(pool(lib.tensor(x)).numpy())
    np.testing.assert_array_equal(outs[0], outs[1])


def test_seed_max_pool_of_relu_snippet():
    # F.max_pool2d(F.relu(x), (2, 2)) and F.max_pool2d(x, 2)
    x = S.away_from(np.random.default_rng(1), (2, 3, 8, 8)).astype(np.float32)
    for args in ((2, 2), 2):
        xo, xt = _pair(x, requires_grad=True)
        yo = mt.nn.functional.max_pool2d(mt.nn.functional.relu(xo), args)
        yt = torch.nn.functional.max_pool2d(torch.nn.functional.relu(xt), args)
        np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
        g = np.random.default_rng(2).standard_normal(tuple(yt.shape)).astype(np.float32)
        yo.backward(mt.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())


# ---- indices, shapes, graphs ----------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.nn.functional.max_pool1d(x[:, :, 0, 0], 3, 2, 1, return_indices=True),
        lambda lib, x: lib.nn.functional.max_pool2d(x[:, :, 0], 3, 2, 1, 2, True, True),
        lambda lib, x: lib.nn.functional.max_pool2d(x[0, :, 0], (2, 3), 1, return_indices=True),
        lambda lib, x: lib.nn.functional.max_pool2d_with_indices(x[:, :, 0], 2),
        lambda lib, x: lib.nn.functional.max_pool3d(x, 2, 1, 1, return_indices=True),
        lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x[:, :, 0], (3, 4), return_indices=True),
        lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x[:, :, 0, 0], 4, return_indices=True),
    ],
)
def test_indices_equal_torch(call):
    x = S.distinct(np.random.default_rng(3), (2, 3, 5, 6, 7))
    ours, theirs = call(mt, mt.tensor(x)), call(torch, torch.tensor(x))
    assert ours[1].dtype == mt.int64
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
    np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())


@given(
    size=st.integers(1, 12),
    k=st.integers(1, 5),
    s=st.integers(1, 5),
    data=st.data(),
)
def test_ceil_mode_output_shapes_match_torch(size, k, s, data):
    d = data.draw(st.integers(1, 3))
    p = data.draw(st.integers(0, min(k // 2, (d * (k - 1) + 1) // 2)))
    ceil = data.draw(st.booleans())
    if size + 2 * p < d * (k - 1) + 1:
        return  # torch raises here: covered by the error tests
    x = np.zeros((1, 1, size, size + 1))
    for name, kwargs in (("max_pool2d", {"dilation": d}), ("avg_pool2d", {})):
        if name == "avg_pool2d" and size + 2 * p < k:
            continue
        ours = getattr(mt.nn.functional, name)(mt.tensor(x), k, s, p, ceil_mode=ceil, **kwargs)
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x), k, s, p, ceil_mode=ceil, **kwargs)
        assert tuple(ours.shape) == tuple(theirs.shape), (name, size, k, s, p, d, ceil)


def _graph(fn) -> list:
    """The grad_fn chain as names (following first edges), as far as the leaf."""
    names = []
    while fn is not None:
        names.append(fn.name())
        fn = fn.next_functions[0][0] if fn.next_functions else None
    return names


@pytest.mark.parametrize(
    "shape, call",
    [
        ((2, 3, 6), lambda f, x: f.max_pool1d(x, 2)),
        ((3, 6), lambda f, x: f.max_pool1d(x, 2, return_indices=True)[0]),
        ((2, 3, 6), lambda f, x: f.avg_pool1d(x, 2)),
        ((3, 4, 4), lambda f, x: f.max_pool2d(x, 2)),
        ((3, 4, 4), lambda f, x: f.avg_pool2d(x, 2)),
        ((2, 3, 4, 4, 4), lambda f, x: f.max_pool3d(x, 2)),
        ((3, 4, 4, 4), lambda f, x: f.avg_pool3d(x, 2)),
        ((2, 3, 4, 4), lambda f, x: f.adaptive_avg_pool2d(x, 1)),
        ((2, 3, 4, 4), lambda f, x: f.adaptive_avg_pool2d(x, (None, 1))),
        ((2, 3, 1, 4), lambda f, x: f.adaptive_avg_pool2d(x, (None, 1))),
        ((3, 6), lambda f, x: f.adaptive_avg_pool1d(x, 1)),
        ((2, 3, 6), lambda f, x: f.adaptive_avg_pool1d(x, 3)),
        ((2, 3, 6), lambda f, x: f.adaptive_max_pool1d(x, 3)),
        ((2, 3, 4, 4), lambda f, x: f.adaptive_max_pool2d(x, 3)),
    ],
)
def test_graph_topology_matches_torch(shape, call):
    x = S.distinct(np.random.default_rng(4), shape)
    xo, xt = _pair(x, requires_grad=True)
    assert _graph(call(mt.nn.functional, xo).grad_fn) == _graph(call(torch.nn.functional, xt).grad_fn)


def test_second_backward_through_freed_graph_raises_as_torch():
    x = S.distinct(np.random.default_rng(5), (1, 2, 4, 4))
    for pool in (
        lambda f, t: f.max_pool2d(t, 2),
        lambda f, t: f.avg_pool2d(t, 2),
        lambda f, t: f.adaptive_avg_pool2d(t, 3),
        lambda f, t: f.adaptive_max_pool2d(t, 3),
    ):
        for lib in (mt, torch):
            t = lib.tensor(x, requires_grad=True)
            y = pool(lib.nn.functional, t).sum()
            y.backward()
            with pytest.raises(RuntimeError, match="backward through the graph a second time"):
                y.backward()


# ---- the multi-threaded kernel path -----------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda f, x: f.max_pool2d(x, 3, 2, 1),
        lambda f, x: f.max_pool2d(x, 2, 1, ceil_mode=True),  # overlapping windows
        lambda f, x: f.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        lambda f, x: f.avg_pool2d(x, 2, 1, divisor_override=3),
        lambda f, x: f.adaptive_avg_pool2d(x, (5, 7)),
        lambda f, x: f.adaptive_max_pool2d(x, (5, 7)),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_threaded_kernels_match_torch(call, dtype, monkeypatch):
    # every call split over threads (by plane blocks), whatever its size
    monkeypatch.setattr(kernels, "MIN_PARALLEL_WORK", 1)
    rng = np.random.default_rng(6)
    x = S.distinct(rng, (3, 5, 24, 25)).astype(dtype)
    xo, xt = _pair(x, requires_grad=True)
    yo, yt = call(mt.nn.functional, xo), call(torch.nn.functional, xt)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    yo.backward(mt.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


@given(
    dilation=st.sampled_from([(1, 1), (2, 1), (1, 2), (2, 2)]),
    stride=st.sampled_from([(1, 1), (2, 2), (1, 3), (3, 1)]),
    padding=st.sampled_from([(0, 0), (1, 0), (0, 1), (1, 1)]),
    ceil_mode=st.booleans(),
    seed=S.seeds,
)
def test_unrolled_2x2_windows_match_torch(dilation, stride, padding, ceil_mode, seed):
    # the kernel's unrolled path for full 2x2 windows, beside the general loop at the clipped edges
    rng = np.random.default_rng(seed)
    x = S.distinct(rng, (2, 3, 7, 6))
    _max_pool_matches_torch(x, 2, rng, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)


@given(
    n=st.integers(1, 3),
    c=st.integers(1, 4),
    h=st.integers(1, 6).map(lambda v: 2 * v),
    w=st.integers(1, 6).map(lambda v: 2 * v),
    dtype=st.sampled_from([np.float32, np.float64]),
    threaded=st.booleans(),
    seed=S.seeds,
)
def test_2x2_tiling_path_matches_torch_with_ties_nan_and_inf(n, c, h, w, dtype, threaded, seed):
    # kernel 2, stride 2 over even planes takes the two-pass kernel (_max_forward_2x2): values drawn
    # from a few levels so windows hold ties, plus NaNs and -inf, where the tap order decides
    assert kernels._tiles_2x2((n * c, 1, h, w), kernels_tables(h, w), (1, 1, 1))
    rng = np.random.default_rng(seed)
    levels = np.array([-np.inf, -1.0, 0.0, 0.5, np.nan, 2.0])
    x = rng.choice(levels, size=(n, c, h, w), p=[0.1, 0.25, 0.25, 0.25, 0.05, 0.1]).astype(dtype)
    if threaded:
        kernels_min = kernels.MIN_PARALLEL_WORK
        kernels.MIN_PARALLEL_WORK = 1
    try:
        _max_pool_matches_torch(x, 2, rng)
    finally:
        if threaded:
            kernels.MIN_PARALLEL_WORK = kernels_min


@given(
    k=st.integers(2, 3),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    data=st.data(),
    ceil_mode=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=S.seeds,
)
def test_clipped_windows_match_torch_with_ties_nan_and_inf(k, stride, dilation, data, ceil_mode, dtype, seed):
    # windows clipped by padding and ceil_mode hold fewer taps than the full ones: with many NaNs,
    # ties and -inf, only torch's tap order (first maximum, last NaN) gives its values and indices
    padding = data.draw(st.integers(0, k // 2))
    size = data.draw(st.integers(dilation * (k - 1) + 1, 8))  # smaller: windows wholly in padding (below)
    rng = np.random.default_rng(seed)
    levels = np.array([-np.inf, -1.0, 0.5, np.nan, 2.0])
    x = rng.choice(levels, size=(2, 2, size, size + 1), p=[0.2, 0.2, 0.2, 0.3, 0.1]).astype(dtype)
    _max_pool_matches_torch(x, k, rng, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_window_wholly_in_padding_is_minus_inf_and_gets_no_gradient(dtype):
    # size 1, kernel 2, padding 1, dilation 2: the taps at -1 and 1 both miss the input. Values and
    # indices are torch's (the index lies past the plane). torch's CPU backward adds the gradient at
    # that index, into the next plane and, for the last plane, past the end of the buffer (calling
    # it here aborts the process); the output depends on no input, so our gradient is zero
    x = np.zeros((2, 1, 1, 2), dtype)
    kwargs = {"stride": 1, "padding": 1, "dilation": 2, "return_indices": True}
    xo, xt = _pair(x, requires_grad=True)
    (yo, io), (yt, it) = (lib.nn.functional.max_pool2d(t, 2, **kwargs) for lib, t in ((mt, xo), (torch, xt)))
    np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(io.numpy(), it.numpy())
    assert np.all(yo.detach().numpy() == -np.inf) and io.numpy().max() >= 2
    yo.backward(mt.tensor(np.array([1.0, 2.0, 3.0, 4.0], dtype).reshape(2, 1, 1, 2)))
    np.testing.assert_array_equal(xo.grad.numpy(), np.zeros_like(x))
    avg = mt.nn.functional.avg_pool2d(mt.tensor(x[:, :, :, :1] + 1), (1, 2), stride=1, padding=(0, 1))
    np.testing.assert_array_equal(
        avg.numpy(), torch.nn.functional.avg_pool2d(torch.tensor(x[:, :, :, :1] + 1), (1, 2), 1, (0, 1)).numpy()
    )


def kernels_tables(h: int, w: int) -> tuple:
    """The window tables max_pool2d(x, 2) builds for an h x w plane."""
    return (
        kernels.unit_window(1),
        kernels.sliding_windows(h, h // 2, 2, 2, 0, 1, True),
        kernels.sliding_windows(w, w // 2, 2, 2, 0, 1, True),
    )


def test_empty_batch_and_nan_as_torch():
    for shape in ((0, 2, 4, 4),):
        for name in ("max_pool2d", "avg_pool2d"):
            ours = getattr(mt.nn.functional, name)(mt.zeros(*shape), 2)
            assert tuple(ours.shape) == tuple(getattr(torch.nn.functional, name)(torch.zeros(*shape), 2).shape)
    x = S.distinct(np.random.default_rng(7), (1, 1, 4, 4))
    x[0, 0, 1, 2] = np.nan
    x[0, 0, 2:, 2:] = -np.inf  # a window with nothing above -inf: torch keeps its first valid tap
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}):
        yo = mt.nn.functional.max_pool2d(mt.tensor(x), return_indices=True, **kwargs)
        yt = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kwargs)
        np.testing.assert_array_equal(yo[0].numpy(), yt[0].numpy())
        np.testing.assert_array_equal(yo[1].numpy(), yt[1].numpy())


# ---- gradients by hand ---------------------------------------------------------------------


def test_max_pool_gradient_goes_to_the_argmax_by_hand():
    x = mt.tensor(np.array([[[[1.0, 5.0], [3.0, 2.0]]]]), requires_grad=True)
    mt.nn.functional.max_pool2d(x, 2).backward(mt.tensor(np.array([[[[0.7]]]])))
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0.0, 0.7], [0.0, 0.0]]]])


def test_overlapping_max_windows_accumulate_by_hand():
    # the peak 9 wins both stride-1 windows that cover it: its gradient is their sum
    x = mt.tensor(np.array([[[1.0, 9.0, 2.0, 0.5]]]), requires_grad=True)
    y = mt.nn.functional.max_pool1d(x, 2, 1)
    np.testing.assert_array_equal(y.detach().numpy(), [[[9.0, 9.0, 2.0]]])
    y.backward(mt.tensor(np.array([[[0.25, 0.5, -2.0]]])))
    np.testing.assert_array_equal(x.grad.numpy(), [[[0.0, 0.75, -2.0, 0.0]]])


def test_avg_pool_gradient_spread_over_window_by_hand():
    # 1-d, kernel 3, padding 1: windows [-1, 1], [1, 3] over 4 inputs (stride 2)
    x = mt.tensor(np.array([[[1.0, 2.0, 4.0, 8.0]]]), requires_grad=True)
    y = mt.nn.functional.avg_pool1d(x, 3, 2, 1, count_include_pad=False)
    np.testing.assert_allclose(y.detach().numpy(), [[[1.5, 14.0 / 3.0]]])
    y.backward(mt.tensor(np.array([[[0.6, 0.9]]])))
    np.testing.assert_allclose(x.grad.numpy(), [[[0.3, 0.3 + 0.3, 0.3, 0.3]]])
    x.grad = None
    y = mt.nn.functional.avg_pool1d(x, 3, 2, 1)  # the padding counts: divisor 3 for both
    np.testing.assert_allclose(y.detach().numpy(), [[[1.0, 14.0 / 3.0]]])
    y.backward(mt.tensor(np.array([[[0.6, 0.9]]])))
    np.testing.assert_allclose(x.grad.numpy(), [[[0.2, 0.2 + 0.3, 0.3, 0.3]]])


# ---- errors: torch's type and message -----------------------------------------------------


ERRORS = [
    # (function name, input, args, kwargs)
    ("max_pool2d", (1, 1, 4, 4), (3,), {"padding": 2}),
    ("max_pool2d", (1, 1, 8, 8), (3,), {"padding": 2, "dilation": 2}),
    ("max_pool2d", (1, 1, 2, 2), (3,), {}),
    ("max_pool2d", (4, 4), (2,), {}),
    ("max_pool2d", (1, 1, 1, 4, 4), (2,), {}),
    ("max_pool2d", (1, 1, 4, 4), (2,), {"stride": 0}),
    ("max_pool2d", (1, 1, 4, 4), (0,), {}),
    ("max_pool2d", (1, 1, 4, 4), (-1,), {}),
    ("max_pool2d", (1, 1, 4, 4), (2,), {"stride": -1}),
    ("max_pool2d", (1, 1, 4, 4), (2,), {"dilation": 0}),
    ("max_pool2d", (1, 1, 4, 4), (2,), {"padding": -1}),
    ("max_pool2d", (1, 1, 4, 4), ((2, 2, 2),), {}),
    ("max_pool2d", (1, 1, 4, 4), (2, (1, 1, 1)), {}),
    ("max_pool2d", (1, 1, 4, 4), (2, 2, (0, 0, 0)), {}),
    ("max_pool2d", (1, 1, 4, 4), (2, 2, 0, (1, 1, 1)), {}),
    ("max_pool2d", (1, 0, 4, 4), (2,), {}),
    ("max_pool2d", (1, 1, 0, 4), (2,), {}),
    ("max_pool1d", (1, 1, 8), (3,), {"padding": 2}),
    ("max_pool1d", (1, 1, 8), (3,), {"padding": 2, "dilation": 2, "return_indices": True}),
    ("max_pool1d", (1, 1, 8), (3,), {"padding": 2, "return_indices": True}),
    ("max_pool1d", (1, 1, 2), (3,), {}),
    ("max_pool1d", (1, 1, 2), (3,), {"return_indices": True}),
    ("max_pool1d", (4,), (2,), {}),
    ("max_pool1d", (4,), (2,), {"return_indices": True}),
    ("max_pool1d", (1, 1, 4), (2,), {"stride": 0}),
    ("max_pool1d", (1, 1, 4), (0,), {}),
    ("max_pool1d", (1, 1, 4), (2,), {"padding": -1}),
    ("max_pool1d", (1, 1, 4), (2,), {"dilation": 0}),
    ("max_pool1d", (1, 1, 4), (2,), {"dilation": 0, "return_indices": True}),
    ("max_pool1d", (1, 0, 4), (2,), {}),
    ("max_pool1d", (1, 1, 4), ((2, 2),), {}),
    ("max_pool1d", (1, 1, 4), ((2, 2),), {"return_indices": True}),
    ("max_pool1d", (1, 1, 4), (2, (2, 2)), {}),
    ("max_pool3d", (1, 1, 8, 8, 8), (3,), {"padding": 2}),
    ("max_pool3d", (1, 1, 8, 8, 8), (3,), {"padding": 2, "dilation": 2}),
    ("max_pool3d", (1, 1, 2, 2, 2), (3,), {}),
    ("max_pool3d", (4, 4, 4), (2,), {}),
    ("max_pool3d", (1, 1, 4, 4, 4), ((2, 2),), {}),
    ("max_pool3d", (1, 1, 4, 4, 4), (2,), {"dilation": 0}),
    ("max_pool3d", (1, 1, 4, 4, 4), (2,), {"stride": -1}),
    ("max_pool3d", (1, 0, 4, 4, 4), (2,), {}),
    ("avg_pool2d", (1, 1, 4, 4), (3,), {"padding": 2}),
    ("avg_pool2d", (1, 1, 2, 2), (3,), {}),
    ("avg_pool2d", (4, 4), (2,), {}),
    ("avg_pool2d", (4,), (2,), {}),
    ("avg_pool2d", (1, 1, 1, 4, 4), (2,), {}),
    ("avg_pool2d", (1, 1, 4, 4), (2,), {"divisor_override": 0}),
    ("avg_pool2d", (1, 1, 4, 4), ((2, 2, 2),), {}),
    ("avg_pool2d", (1, 1, 4, 4), (2, (1, 1, 1)), {}),
    ("avg_pool2d", (1, 1, 4, 4), (2,), {"stride": -1}),
    ("avg_pool2d", (1, 0, 4, 4), (2,), {}),
    ("avg_pool1d", (1, 1, 4), (3,), {"padding": 2}),
    ("avg_pool1d", (1, 1, 2), (3,), {}),
    ("avg_pool1d", (4,), (2,), {}),
    ("avg_pool1d", (1, 1, 4), ((2, 2),), {}),
    ("avg_pool1d", (1, 1, 4), (0,), {}),
    ("avg_pool3d", (1, 1, 4, 4, 4), (3,), {"padding": 2}),
    ("avg_pool3d", (1, 1, 2, 2, 2), (3,), {}),
    ("avg_pool3d", (1, 1, 2, 2, 2), (3,), {"ceil_mode": True}),
    ("avg_pool3d", (3, 3), (3,), {}),
    ("avg_pool3d", (1, 1, 4, 4, 4), ((2, 2),), {}),
    ("avg_pool3d", (1, 1, 3, 3, 3), (3,), {"divisor_override": 0}),
    ("adaptive_avg_pool2d", (4, 4), (2,), {}),
    ("adaptive_avg_pool2d", (1, 4, 4), (-1,), {}),
    ("adaptive_avg_pool2d", (1, 0, 4), (2,), {}),
    ("adaptive_avg_pool1d", (4,), (2,), {}),
    ("adaptive_max_pool2d", (4, 4), (2,), {}),
    ("adaptive_max_pool2d", (1, 0, 4), (2,), {}),
    ("adaptive_max_pool1d", (4,), (2,), {}),
]


@pytest.mark.parametrize("name, shape, args, kwargs", ERRORS)
def test_errors_match_torch(name, shape, args, kwargs):
    def error(lib):
        with pytest.raises(Exception) as info:
            getattr(lib.nn.functional, name)(lib.zeros(*shape), *args, **kwargs)
        return type(info.value), str(info.value)

    assert error(mt) == error(torch)


def test_errors_from_modules_match_torch():
    for make, shape in (
        (lambda nn: nn.MaxPool2d(3, padding=2), (1, 1, 4, 4)),
        (lambda nn: nn.AvgPool1d(3, padding=2), (1, 4)),
    ):
        caught = []
        for lib in (mt, torch):
            with pytest.raises(RuntimeError) as info:
                make(lib.nn)(lib.zeros(*shape))
            caught.append(str(info.value))
        assert caught[0] == caught[1]


def test_argument_cache_keeps_the_checks():
    """F.max_pool2d remembers checked arguments by input shape and raw arguments (ops/pooling.py):
    a cached call gives the same result, and a call with another padding is still checked."""
    x = mt.tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32))
    first = mt.nn.functional.max_pool2d(x, 2).numpy()
    np.testing.assert_array_equal(first, mt.nn.functional.max_pool2d(x, 2).numpy())
    np.testing.assert_array_equal(first, torch.nn.functional.max_pool2d(torch.from_numpy(x.numpy()), 2).numpy())
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size"):
        mt.nn.functional.max_pool2d(x, 2, padding=2)
