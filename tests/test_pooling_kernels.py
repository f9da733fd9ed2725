"""The float32 grid kernels of 2-d pooling (kernels/cpu/pooling.py) against the float64 NumPy path, the
scalar float32 kernels and torch, at the odd shapes they serve: borders, ceil_mode, padding, strides 1-3,
dilation, count_include_pad, divisor_override, ties and NaNs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.kernels.cpu import pooling as K

# (H, W, kernel, stride, padding, dilation, ceil_mode): every one has a block of full windows (the grid)
CASES = [
    ((11, 13), (3, 3), (2, 2), (1, 1), (1, 1), False),
    ((32, 32), (3, 3), (2, 2), (1, 1), (1, 1), False),
    ((28, 28), (2, 2), (2, 2), (0, 0), (1, 1), False),  # the exact 2x2 tiling (its own kernels)
    ((10, 14), (2, 2), (2, 2), (0, 0), (1, 1), True),
    ((9, 10), (2, 3), (1, 2), (1, 0), (1, 1), True),
    ((22, 20), (3, 2), (3, 3), (1, 1), (1, 1), True),
    ((10, 11), (3, 3), (1, 1), (0, 1), (1, 1), False),
    ((12, 15), (2, 3), (2, 2), (1, 1), (2, 2), True),
]
IDS = [f"{h}x{w}-k{k}-s{s}-p{p}-d{d}{'-ceil' if c else ''}" for (h, w), k, s, p, d, c in CASES]


def _tables(size, k, s, p, d, ceil_mode, count_include_pad=True):
    out = [K.output_size(n, ki, si, pi, di, ceil_mode) for n, ki, si, pi, di in zip(size, k, s, p, d)]
    axes = [
        K.sliding_windows(n, o, ki, si, pi, di, count_include_pad)
        for n, o, ki, si, pi, di in zip(size, out, k, s, p, d)
    ]
    return (K.unit_window(1), *axes)


def _integers(rng, shape, high=4):
    """Small integers: many ties, and sums that float32 holds exactly."""
    return rng.integers(-high, high + 1, shape).astype(np.float32)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_max_grid_matches_numpy_with_ties_and_nans(case):
    size, k, s, p, d, ceil_mode = case
    tables = _tables(size, k, s, p, d, ceil_mode)
    assert K._grid_span(tables) is not None
    rng = np.random.default_rng(0)
    x = _integers(rng, (5, 1, *size), high=2)
    x.reshape(-1)[rng.choice(x.size, 7, replace=False)] = np.nan
    step = (1, *d)
    y, idx = K.max_forward(x, *tables, step)
    want_y, want_idx = K._max_forward_numpy(x.astype(np.float64), tables, step)
    np.testing.assert_array_equal(y, want_y.astype(np.float32))
    np.testing.assert_array_equal(idx, want_idx)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_max_grid_equals_the_scalar_kernel(case):
    size, k, s, p, d, ceil_mode = case
    tables = _tables(size, k, s, p, d, ceil_mode)
    x = np.random.default_rng(1).standard_normal((3, 1, *size)).astype(np.float32)
    y, idx = K.max_forward(x, *tables, (1, *d))
    want_y, want_idx = np.empty_like(y), np.empty_like(idx)
    K._max_forward(x, want_y, want_idx, *tables, 1, *d, 0, 3)
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(idx, want_idx)


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor", [0, 5])
@pytest.mark.parametrize(
    "case", [c for c in CASES if c[4] == (1, 1)], ids=[i for c, i in zip(CASES, IDS) if c[4] == (1, 1)]
)
def test_avg_grid_equals_the_scalar_kernel_and_numpy(case, count_include_pad, divisor):
    size, k, s, p, d, ceil_mode = case
    tables = _tables(size, k, s, p, d, ceil_mode, count_include_pad)
    assert K._grid_span(tables) is not None
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 1, *size)).astype(np.float32)
    y = K.avg_forward(x, *tables, divisor)
    want = np.empty_like(y)
    K._avg_forward(x, want, *tables, divisor, 0, 4)  # the same taps in the same order: the same bits
    np.testing.assert_array_equal(y, want)
    np.testing.assert_allclose(y, K._avg_forward_numpy(x.astype(np.float64), tables, divisor), rtol=1e-6, atol=1e-6)

    gy = _integers(rng, y.shape)
    gx = K.avg_backward(gy, *tables, divisor, (1, *size))
    want_gx = np.empty_like(gx)
    K._avg_backward(gy, want_gx, *tables, divisor, 0, 4)
    np.testing.assert_allclose(gx, want_gx, rtol=1e-6, atol=1e-6)
    numpy_gx = K._avg_backward_numpy(gy.astype(np.float64), tables, divisor, (1, *size))
    np.testing.assert_allclose(gx, numpy_gx, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "kind, kwargs",
    [
        ("max", {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("max", {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 0), "dilation": 2, "ceil_mode": True}),
        ("avg", {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("avg", {"kernel_size": 2}),
        ("avg", {"kernel_size": 2, "divisor_override": 3}),
        ("avg", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True}),
        ("avg", {"kernel_size": (3, 2), "stride": (2, 3), "padding": 1, "divisor_override": 4}),
    ],
)
def test_grid_paths_match_torch_forward_and_backward(kind, kwargs):
    rng = np.random.default_rng(3)
    x = rng.permutation(2 * 3 * 16 * 14).reshape(2, 3, 16, 14).astype(np.float32) / 7  # distinct: no ties
    gy = None
    results = []
    for lib in (torch, mt):
        t = lib.tensor(x, requires_grad=True)
        f = getattr(lib.nn.functional, f"{kind}_pool2d")
        if kind == "max":
            y, idx = f(t, return_indices=True, **kwargs)
        else:
            y, idx = f(t, **kwargs), None
        if gy is None:
            gy = rng.standard_normal(tuple(y.shape)).astype(np.float32)
        y.backward(lib.tensor(gy))
        results.append((y.detach().numpy(), None if idx is None else idx.numpy(), t.grad.numpy()))
    (ty, tidx, tgx), (oy, oidx, ogx) = results
    np.testing.assert_allclose(oy, ty, rtol=1e-6, atol=1e-6)
    if tidx is not None:
        np.testing.assert_array_equal(oidx, tidx)
    np.testing.assert_allclose(ogx, tgx, rtol=1e-5, atol=1e-6)
