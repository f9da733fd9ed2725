"""nn.utils against torch: clip_grad_norm_ over norm types and sizes, clip_grad_value_, get_total_norm,
clip_grads_with_norm_, parameters_to_vector / vector_to_parameters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import raised

SHAPES = [(3, 4), (5,), (), (2, 1, 3)]


def _params(lib: Any, dtype: Any, seed: int, with_grad: tuple[bool, ...] = (True, True, False, True)) -> list:
    rng = np.random.default_rng(seed)
    params = []
    for shape, has in zip(SHAPES, with_grad):
        p = lib.nn.Parameter(lib.tensor(rng.standard_normal(shape).astype(dtype)))
        if has:
            p.grad = lib.tensor((rng.standard_normal(shape) * 3).astype(dtype))
        params.append(p)
    return params


def _grads(params: list) -> list:
    return [None if p.grad is None else p.grad.numpy().copy() for p in params]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, -math.inf, 0, 0.5, 3.0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e4])
def test_clip_grad_norm_matches_torch(dtype, norm_type, max_norm):
    rtol = 1e-12 if dtype == np.float64 else 2e-6
    for seed in range(3):
        ours, theirs = _params(mt, dtype, seed), _params(torch, dtype, seed)
        total = mt.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
        expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
        assert total.dtype.itemsize == expected.dtype.itemsize and total.shape == expected.shape
        np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=rtol)
        for o, t in zip(_grads(ours), _grads(theirs)):
            assert (o is None) == (t is None)
            if o is not None:
                np.testing.assert_allclose(o, t, rtol=rtol, atol=1e-12)


def test_clip_grad_norm_of_one_tensor_and_of_none():
    def run(lib: Any) -> list:
        p = lib.nn.Parameter(lib.tensor([3.0, 4.0]))
        p.grad = lib.tensor([3.0, 4.0])
        out = [lib.nn.utils.clip_grad_norm_(p, 1.0).item(), p.grad.tolist()]
        q = lib.nn.Parameter(lib.ones(2))
        out.append(lib.nn.utils.clip_grad_norm_([q], 1.0).item())  # no gradients: norm 0
        out.append(lib.nn.utils.get_total_norm([lib.tensor([1.0, -2.0]), lib.tensor([2.0])], norm_type=1).item())
        return out

    ours, theirs = run(mt), run(torch)
    np.testing.assert_allclose(
        np.array(ours[0:1] + ours[1] + ours[2:]), np.array(theirs[0:1] + theirs[1] + theirs[2:]), rtol=1e-6
    )


def test_nonfinite_norm_errors_or_scales_as_torch():
    def run(lib: Any) -> list:
        params = _params(lib, np.float32, 0)
        params[0].grad[0, 0] = math.inf
        out = [raised(lambda: lib.nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True))]
        out.append(params[1].grad.tolist())  # nothing was scaled before the error
        out.append(lib.nn.utils.clip_grad_norm_(params, 1.0).item())
        out.append(np.isnan(params[1].grad.numpy()).tolist())
        return out

    assert run(mt) == run(torch)


def test_clip_grads_with_norm_matches_torch():
    ours, theirs = _params(mt, np.float64, 4), _params(torch, np.float64, 4)
    mt.nn.utils.clip_grads_with_norm_(ours, 0.3, mt.tensor(7.0, dtype=mt.float64))
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.3, torch.tensor(7.0, dtype=torch.float64))
    for o, t in zip(_grads(ours), _grads(theirs)):
        if o is not None:
            np.testing.assert_allclose(o, t, rtol=1e-14)


@pytest.mark.parametrize("clip_value", [0.5, 2, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    ours, theirs = _params(mt, np.float32, 5), _params(torch, np.float32, 5)
    mt.nn.utils.clip_grad_value_(ours, clip_value)
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for o, t in zip(_grads(ours), _grads(theirs)):
        assert (o is None) == (t is None)
        if o is not None:
            np.testing.assert_array_equal(o, t)


def test_deprecated_clip_grad_norm_warns_and_clips():
    ours = _params(mt, np.float64, 6)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        total = mt.nn.utils.clip_grad_norm(ours, 0.1)
    theirs = _params(torch, np.float64, 6)
    with pytest.warns(FutureWarning):
        expected = torch.nn.utils.clip_grad_norm(theirs, 0.1)
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=1e-14)
    np.testing.assert_allclose(ours[0].grad.numpy(), theirs[0].grad.numpy(), rtol=1e-14)


def test_parameters_to_vector_and_back_match_torch():
    def run(lib: Any) -> list:
        model = lib.nn.Linear(3, 2)
        with lib.no_grad():
            for i, p in enumerate(model.parameters()):
                p.copy_(lib.arange(p.numel(), dtype=lib.float32).view_as(p) + 10 * i)
        vec = lib.nn.utils.parameters_to_vector(model.parameters())
        out = [vec.tolist(), vec.grad_fn.name()]
        weights = lib.tensor(np.linspace(-1, 1, 8).astype(np.float32))
        (vec * weights).sum().backward()
        out += [model.weight.grad.tolist(), model.bias.grad.tolist()]
        fresh = lib.arange(8, dtype=lib.float32) * 2
        lib.nn.utils.vector_to_parameters(fresh, model.parameters())
        out += [model.weight.tolist(), model.bias.tolist()]
        fresh[0] = 99.0  # the parameters are views of the vector, as in torch
        out.append(model.weight[0, 0].item())
        out.append(raised(lambda: lib.nn.utils.vector_to_parameters([1.0, 2.0], model.parameters())))
        return out

    assert run(mt) == run(torch)
