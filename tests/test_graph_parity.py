"""Gradient-graph parity: the grad_fn graph of each seed model's loss equals torch's.

Both graphs are walked depth-first from ``loss.grad_fn`` through
``next_functions``; each node gets the number of its first visit, so shared
nodes (a parameter used twice, a tensor feeding two ops) must be shared in
both. The walk records every node's name and every edge (input slot, target
node, output_nr), so names and topology are compared at once.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch as real_torch

import minitorch_nn as mt
from reference.compare import graph_signature
from tests.test_seed_samples import cifar_class, lenet_class


def loss_graph(lib, make_class, loss_name):
    model = make_class(lib)()
    x = lib.randn(2, 1 if make_class is lenet_class else 3, 32, 32)
    out = model(x)
    if loss_name == "mse":
        loss = lib.nn.MSELoss()(out, lib.randn(2, 10))
    else:
        loss = lib.nn.CrossEntropyLoss()(out, lib.tensor([1, 7]))
    return loss.grad_fn


@pytest.mark.parametrize("make_class", [lenet_class, cifar_class], ids=["lenet", "cifar"])
@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
def test_seed_model_graphs_equal_torch(make_class, loss_name):
    ours = graph_signature(loss_graph(mt, make_class, loss_name))
    theirs = graph_signature(loss_graph(real_torch, make_class, loss_name))
    assert [r[1] for r in ours] == [r[1] for r in theirs]
    assert ours == theirs


def test_shared_parameter_has_one_accumulate_grad():
    """A weight used twice reaches one AccumulateGrad node, as in torch."""
    for lib in (mt, real_torch):
        w = lib.randn(3, 3, requires_grad=True)
        y = (w * w).sum()
        (a, _), (b, _) = y.grad_fn.next_functions[0][0].next_functions
        assert a is b and type(a).__name__ == "AccumulateGrad"
        assert a.name() == "torch::autograd::AccumulateGrad"
        assert a.variable is w


def test_backward_runs_each_node_once_and_sums_branches():
    """x feeds two branches; its gradient is the sum of both (checked by hand)."""
    x = mt.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    y = x * 3.0 + x * x  # dy/dx = 3 + 2x
    g = np.array([0.5, -1.5, 2.0])
    y.backward(mt.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), g * (3 + 2 * np.array([1.0, -2.0, 3.0])))


@pytest.mark.parametrize(
    "shapes",
    [
        ((1, 2, 3), (4, 3, 5)),
        ((1, 1, 1), (2, 1, 1)),
        ((4, 2, 3), (1, 3, 5)),
        ((1, 2, 3), (1, 3, 5)),
        ((1, 1, 2, 3), (4, 3, 5)),
    ],
)
@pytest.mark.parametrize("requires_grad", [(True, True), (True, False), (False, True)])
def test_batched_matmul_with_a_batch_of_one_builds_torchs_graph(shapes, requires_grad):
    # of two 3-D operands, one with a batch of one that requires grad is squeezed to a matrix (mm,
    # not expand + bmm); values and gradients under a random upstream gradient match too
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    results = []
    for lib in (mt, real_torch):
        a, b = (lib.tensor(x, requires_grad=r) for x, r in zip(arrays, requires_grad))
        y = a @ b
        signature = graph_signature(y.grad_fn)
        y.backward(lib.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape))))
        grads = [t.grad.numpy() for t in (a, b) if t.requires_grad]
        results.append((signature, y.detach().numpy(), grads))
    (ours, y_ours, g_ours), (theirs, y_theirs, g_theirs) = results
    assert ours == theirs
    np.testing.assert_allclose(y_ours, y_theirs, rtol=1e-12)
    for o, t in zip(g_ours, g_theirs):
        np.testing.assert_allclose(o, t, rtol=1e-12, atol=1e-12)
