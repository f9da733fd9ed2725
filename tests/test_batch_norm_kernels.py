"""The float32 batch-norm kernels (kernels/cpu/batch_norm.py) against torch: training and eval,
every input gradient under a random upstream gradient, the running statistics, 2-d to 5-d inputs,
non-contiguous inputs, no affine parameters, channel counts that split between threads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.kernels.cpu import batch_norm as K

SHAPES = [(5, 3), (4, 3, 7), (3, 5, 6, 7), (2, 2, 3, 4, 5), (8, 64, 12, 12)]


def _run(lib, x, gy, training, affine, noncontiguous, grads=(True, True, True)):
    torch.manual_seed(0)
    mt.manual_seed(0)
    bn = {2: lib.nn.BatchNorm1d, 3: lib.nn.BatchNorm1d, 4: lib.nn.BatchNorm2d, 5: lib.nn.BatchNorm3d}[x.ndim](
        x.shape[1], affine=affine, momentum=0.3
    )
    with lib.no_grad():
        bn.running_mean.copy_(lib.tensor(np.linspace(-1, 1, x.shape[1], dtype=np.float32)))
        bn.running_var.copy_(lib.tensor(np.linspace(0.5, 2, x.shape[1], dtype=np.float32)))
        if affine:
            bn.weight.copy_(lib.tensor(np.linspace(0.5, 1.5, x.shape[1], dtype=np.float32)))
            bn.bias.copy_(lib.tensor(np.linspace(-0.2, 0.3, x.shape[1], dtype=np.float32)))
            bn.weight.requires_grad_(grads[1])
            bn.bias.requires_grad_(grads[2])
    bn.train(training)
    t = lib.tensor(np.swapaxes(x, 0, -1).copy() if noncontiguous else x)
    if noncontiguous:
        t = t.transpose(0, -1)
    t.requires_grad_(grads[0])
    y = bn(t)
    y.backward(lib.tensor(gy))
    out = [y.detach().numpy(), bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()]
    out.append(None if t.grad is None else t.grad.numpy())
    if affine:
        out += [None if p.grad is None else p.grad.numpy() for p in (bn.weight, bn.bias)]
    return out


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine, noncontiguous", [(True, False), (False, True)])
def test_fused_batch_norm_matches_torch(shape, training, affine, noncontiguous):
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) * 3 + 5).astype(np.float32)  # an offset mean: the variance must not cancel
    gy = rng.standard_normal(shape).astype(np.float32)
    assert K.usable(x)
    want = _run(torch, x, gy, training, affine, noncontiguous)
    got = _run(mt, x, gy, training, affine, noncontiguous)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("grads", [(True, False, False), (False, True, True), (False, True, False)])
def test_fused_batch_norm_computes_only_the_asked_gradients(grads):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    gy = rng.standard_normal(x.shape).astype(np.float32)
    want = _run(torch, x, gy, True, True, False, grads)
    got = _run(mt, x, gy, True, True, False, grads)
    for g, w in zip(got, want):
        if w is None:
            assert g is None
        else:
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=2e-5)


def test_fused_statistics_are_float64_two_pass():
    # a large offset over a small spread: a float32 or one-pass E[x^2] - E[x]^2 variance loses it all
    rng = np.random.default_rng(2)
    x = (1000 + rng.standard_normal((16, 2, 32, 32)) * 1e-2).astype(np.float32)
    y, mean, var, rstd = K.forward(x, np.ones(2, np.float32), np.zeros(2, np.float32), 1e-5, True)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(mean, x64.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(var, x64.var(axis=(0, 2, 3)), rtol=1e-9)
