"""The float32 kernels behind the sequence models' speed, on dense grids against torch.

The op registry checks GELU and LayerNorm on small random samples; these check the kernels'
accuracy where the samples rarely go: GELU's polynomial erf on both sides of its split and in the
tails, and LayerNorm's float64 row statistics on long rows and a non-contiguous input.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch_nn as mt

torch = pytest.importorskip("torch")


def test_gelu_float32_on_a_dense_grid():
    x = np.linspace(-12, 12, 48001, dtype=np.float32)
    upstream = np.random.default_rng(0).standard_normal(x.shape).astype(np.float32)
    ours = mt.tensor(x, requires_grad=True)
    y = mt.nn.functional.gelu(ours)
    y.backward(mt.tensor(upstream))
    assert y.dtype == mt.float32 and ours.grad.dtype == mt.float32
    x64 = x.astype(np.float64)
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x64])
    exact = x64 * cdf
    exact_grad = upstream * (cdf + x64 * np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi))
    # relative accuracy also in the left tail (down to y ~ 1e-7), where x/2 (1 + erf(x/sqrt 2)) would
    # cancel; beyond it the erf polynomial's exponent is only as accurate as erf near -1 needs
    tail = x >= -5.5
    np.testing.assert_allclose(y.detach().numpy()[tail], exact[tail], rtol=1e-4, atol=1e-30)
    np.testing.assert_allclose(y.detach().numpy(), exact, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.grad.numpy(), exact_grad, rtol=1e-6, atol=5e-7)
    ref = torch.tensor(x, requires_grad=True)
    ref_y = torch.nn.functional.gelu(ref)
    ref_y.backward(torch.tensor(upstream))
    np.testing.assert_allclose(y.detach().numpy(), ref_y.detach().numpy(), rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(ours.grad.numpy(), ref.grad.numpy(), rtol=1e-5, atol=2e-6)


def test_gelu_float64_matches_torch():
    x = np.linspace(-9, 9, 3001)
    ours = mt.tensor(x, requires_grad=True)
    y = mt.nn.functional.gelu(ours)
    y.sum().backward()
    ref = torch.tensor(x, requires_grad=True)
    ref_y = torch.nn.functional.gelu(ref)
    ref_y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ref_y.detach().numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(ours.grad.numpy(), ref.grad.numpy(), rtol=1e-14, atol=1e-15)


def test_layer_norm_long_rows_noncontiguous_float32():
    rng = np.random.default_rng(1)
    base = (rng.standard_normal((300, 6)) * 3 + 50).astype(np.float32)  # a large mean: the variance must not cancel
    weight = rng.standard_normal(300).astype(np.float32)
    bias = rng.standard_normal(300).astype(np.float32)
    upstream = rng.standard_normal((6, 300)).astype(np.float32)
    results = []
    for lib in (mt, torch):
        x = lib.tensor(base).requires_grad_(True)
        w, b = lib.tensor(weight).requires_grad_(True), lib.tensor(bias).requires_grad_(True)
        y = lib.nn.functional.layer_norm(x.t(), (300,), w, b, eps=1e-5)  # x.t(): a non-contiguous input
        y.backward(lib.tensor(upstream))
        results.append([t.detach().numpy() for t in (y, x.grad, w.grad, b.grad)])
    for ours, ref in zip(*results):
        np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-4)
