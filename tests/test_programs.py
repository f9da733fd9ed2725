"""Whole programs in both engines: training trajectories and the autograd errors a learner meets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.bridge import copy_weights_from_torch


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(8, 16), lib.nn.ReLU(), lib.nn.Linear(16, 4))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_twenty_sgd_steps_match_torch_at_every_step(dtype):
    rng = np.random.default_rng(0)
    theirs = mlp(torch).to(torch.float64 if dtype == np.float64 else torch.float32)
    ours = mlp(mt).to(mt.float64 if dtype == np.float64 else mt.float32)
    copy_weights_from_torch(ours, theirs)
    opt = mt.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    topt = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    x = rng.standard_normal((32, 8)).astype(dtype)
    y = rng.integers(0, 4, 32)
    losses = []
    for step in range(20):
        loss = mt.nn.CrossEntropyLoss()(ours(mt.tensor(x)), mt.tensor(y))
        tloss = torch.nn.CrossEntropyLoss()(theirs(torch.tensor(x)), torch.tensor(y))
        np.testing.assert_allclose(
            loss.item(), tloss.item(), rtol=1e-5 if dtype == np.float32 else 1e-12, err_msg=f"step {step}"
        )
        losses.append(loss.item())
        opt.zero_grad()
        topt.zero_grad()
        loss.backward()
        tloss.backward()
        opt.step()
        topt.step()
    assert losses[-1] < 0.9 * losses[0]  # it did learn


def _error(lib, program):
    with pytest.raises(Exception) as info:
        program(lib)
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "program",
    [
        lambda lib: lib.randn(2, 3, requires_grad=True).sum(0).backward(),  # non-scalar, no gradient
        lambda lib: lib.randn(3).backward(),  # nothing requires grad
        lambda lib: (lib.randn(2, requires_grad=True) * 2).backward(lib.ones(3)),  # gradient of the wrong shape
        lambda lib: lib.nn.Linear(3, 2)(lib.randn(4, 5)),  # wrong width: both shapes named
        lambda lib: lib.randn(2, requires_grad=True).add_(1),  # in-place on a leaf that requires grad
    ],
)
def test_errors_match_torch(program):
    assert _error(mt, program) == _error(torch, program)
