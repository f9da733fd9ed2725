"""Memory: saved arrays freed after backward, optimizer state and .grad updated in place, scratch reuse.

What these tests pin down is what a training step keeps alive: a node's saved arrays go once its
backward ran (unless retain_graph), the optimizer's buffers are the same arrays from step to step,
and the per-thread scratch slots that kernels share never hand one buffer to two live results.
"""

from __future__ import annotations

import contextlib
import threading
import weakref

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.kernels.cpu import conv as conv_kernels
from minitorch_nn.kernels.cpu import workspace
from minitorch_nn.models import build


def _nodes(root) -> list:
    """Every node of the graph below ``root`` (a grad_fn), each once."""
    seen, stack, out = set(), [root], []
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        out.append(node)
        stack.extend(n for n, _ in node.next_functions)
    return out


def _saved_refs(loss, model) -> list[weakref.ref]:
    """Weak references to every array the graph's nodes saved for backward, but the parameters'
    (the model keeps those)."""
    params = {id(p._data) for p in model.parameters()}
    refs = []
    for node in _nodes(loss.grad_fn):
        for array, _, _ in getattr(node, "_saved", None) or ():
            if array is not None and id(array) not in params:
                refs.append(weakref.ref(array))
    return refs


def _lenet_loss(batch: int = 3, seed: int = 0):
    mt.manual_seed(seed)
    model = build("lenet", mt, 1)
    rng = np.random.default_rng(seed)
    x = mt.tensor(rng.standard_normal((batch, 1, 32, 32)).astype(np.float32))
    y = mt.tensor(rng.integers(0, 10, batch))
    return model, mt.nn.functional.cross_entropy(model(x), y)


def test_saved_arrays_are_released_after_backward():
    """The graph outlives backward (the loss holds it), its saved arrays do not: conv inputs, relu
    results, pooling indices, linear operands are all gone once loss.backward() returns."""
    model, loss = _lenet_loss()
    refs = _saved_refs(loss, model)
    assert len(refs) >= 8  # conv, relu, pool and linear nodes each saved something
    loss.backward()
    assert loss.grad_fn is not None
    assert [r for r in refs if r() is not None] == []


def test_retain_graph_keeps_saved_arrays_and_a_second_backward_adds():
    model, loss = _lenet_loss()
    refs = _saved_refs(loss, model)
    loss.backward(retain_graph=True)
    assert all(r() is not None for r in refs)
    first = [p.grad.clone() for p in model.parameters()]
    loss.backward()  # the retained graph runs again, then frees
    for p, g in zip(model.parameters(), first):
        np.testing.assert_allclose(p.grad.numpy(), 2 * g.numpy(), rtol=1e-6, atol=1e-7)
    assert [r for r in refs if r() is not None] == []
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()


def test_node_that_saved_nothing_runs_twice_as_in_torch():
    for lib in (mt, torch):
        x = lib.ones(3, requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_unused_indices_get_no_gradient_array():
    """max_pool2d's indices output receives no gradient: its backward gets None there, not int64
    zeros of the indices' size (torch's node sees only the values' gradient)."""
    x = mt.tensor(np.random.default_rng(2).standard_normal((2, 3, 6, 6)), requires_grad=True)
    y, _ = mt.nn.functional.max_pool2d(x, 2, return_indices=True)
    seen = []
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(grad_outputs))
    y.sum().backward()
    (grads,) = seen
    assert [g.dtype for g in grads if g is not None] == [mt.float64]


def _unused_index_gradient(lib):
    """What a user's backward receives for an integer output nobody used."""
    got = []

    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, lib.arange(3)

        @staticmethod
        def backward(ctx, grad, grad_index):
            got.append(grad_index)
            return grad * 2

    x = lib.ones(3, requires_grad=True)
    Double.apply(x)[0].sum().backward()
    return got[0]


def test_user_function_still_gets_zeros_for_an_unused_integer_output():
    ours, theirs = _unused_index_gradient(mt), _unused_index_gradient(torch)
    assert ours.tolist() == theirs.tolist() == [0, 0, 0]
    assert ours.dtype == mt.int64


def _train(lib, optimizer: str, steps: int, set_to_none: bool) -> tuple:
    """A few steps of a small linear model; the identities of the optimizer state and .grad arrays
    seen at each step, and the final weights."""
    rng = np.random.default_rng(3)
    layer = lib.nn.Linear(4, 3)
    with lib.no_grad():
        for p in layer.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
    if optimizer == "sgd":
        opt = lib.optim.SGD(layer.parameters(), lr=0.1, momentum=0.9)
        keys = ("momentum_buffer",)
    else:
        opt = lib.optim.Adam(layer.parameters(), lr=0.1)
        keys = ("exp_avg", "exp_avg_sq")
    x = lib.tensor(rng.standard_normal((5, 4)).astype(np.float32))
    state_ids, grad_ids = [], []
    for _ in range(steps):
        opt.zero_grad(set_to_none=set_to_none)
        layer(x).square().sum().backward()
        opt.step()
        w = layer.weight
        state_ids.append(tuple(opt.state[w][k].data_ptr() for k in keys))
        grad_ids.append(w.grad.data_ptr())
    return state_ids, grad_ids, layer.weight.detach().numpy().copy()


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_optimizer_state_is_updated_in_place(optimizer):
    """torch keeps one momentum / moment buffer per parameter for the whole run; so do we."""
    ours, _, w = _train(mt, optimizer, 4, True)
    theirs, _, w_torch = _train(torch, optimizer, 4, True)
    assert len(set(ours)) == 1 and len(set(theirs)) == 1
    np.testing.assert_allclose(w, w_torch, rtol=1e-5, atol=1e-6)


def test_grad_zeroed_in_place_keeps_its_array():
    """zero_grad(set_to_none=False) zeroes .grad where it is and backward adds into it in place."""
    _, grads, _ = _train(mt, "sgd", 4, False)
    _, torch_grads, _ = _train(torch, "sgd", 4, False)
    assert len(set(grads)) == 1 and len(set(torch_grads)) == 1


def test_scratch_slots_are_distinct_reused_and_grow():
    dtype = np.float32
    a = workspace.scratch(workspace.INPUT, (4, 8), dtype)
    b = workspace.scratch(workspace.OUTPUT, (4, 8), dtype)
    c = workspace.scratch(workspace.GRAD_INPUT, (4, 8), dtype)
    assert not np.shares_memory(a, b) and not np.shares_memory(b, c) and not np.shares_memory(a, c)
    again = workspace.scratch(workspace.INPUT, (2, 3), np.float64)
    assert np.shares_memory(a, again)  # the same slot: the same memory, whatever the shape
    bigger = workspace.scratch(workspace.INPUT, (1 << 16,), dtype)
    assert bigger.shape == (1 << 16,) and bigger.flags.c_contiguous
    assert not np.shares_memory(bigger, b)
    zeroed = workspace.scratch(workspace.OUTPUT, (4, 8), dtype, zero=True)
    assert not zeroed.any()


def test_scratch_is_per_thread():
    here = workspace.scratch(workspace.INPUT, (64,), np.float32)
    there = []
    thread = threading.Thread(target=lambda: there.append(workspace.scratch(workspace.INPUT, (64,), np.float32)))
    thread.start()
    thread.join()
    assert not np.shares_memory(here, there[0])


@contextlib.contextmanager
def _layout(value: str):
    before = conv_kernels.DIRECT_LAYOUT
    conv_kernels.DIRECT_LAYOUT = value
    try:
        yield
    finally:
        conv_kernels.DIRECT_LAYOUT = before


def _conv_pool(lib, x, w, b, g, padding):
    """conv2d (stride 1, the direct paths that use scratch) then a 2x2 max pool (its pair scratch)."""
    x = lib.tensor(x, requires_grad=True)
    w = lib.tensor(w, requires_grad=True)
    b = lib.tensor(b, requires_grad=True)
    y = lib.nn.functional.max_pool2d(lib.nn.functional.conv2d(x, w, b, padding=padding), 2)
    y.backward(lib.tensor(g))
    return [t.detach().numpy() for t in (y, x.grad, w.grad, b.grad)]


@pytest.mark.parametrize("layout", ["wide", "batch_last"])
def test_shared_scratch_never_aliases_live_results(layout):
    """Convolutions and poolings of different shapes, interleaved, on the shared slots: every result
    and gradient equals torch's (a result left in a slot that the next call reused would not)."""
    rng = np.random.default_rng(7)
    cases = [(3, 2, 3, 10, 1), (5, 3, 2, 12, 0), (2, 1, 4, 8, 2), (4, 2, 3, 14, 1)]
    with _layout(layout):
        for _ in range(2):
            for n, c, o, size, padding in cases:
                x = rng.standard_normal((n, c, size, size)).astype(np.float32)
                w = rng.standard_normal((o, c, 3, 5)).astype(np.float32)
                b = rng.standard_normal(o).astype(np.float32)
                side = (size + 2 * padding - 3 + 1) // 2, (size + 2 * padding - 5 + 1) // 2
                g = rng.standard_normal((n, o) + side).astype(np.float32)
                ours = _conv_pool(mt, x, w, b, g, padding)
                theirs = _conv_pool(torch, x, w, b, g, padding)
                for a, t in zip(ours, theirs):
                    np.testing.assert_allclose(a, t, rtol=1e-4, atol=1e-4)


def test_scratch_buffers_are_reused_across_steps_of_the_same_shapes():
    """A second LeNet step of the same batch makes no new scratch buffer: the same arrays serve it."""

    def buffers() -> list[int]:
        return [id(b) for slots in workspace._every_thread for b in slots]

    model, loss = _lenet_loss(batch=6)
    loss.backward()
    before, held = buffers(), workspace.held_bytes()
    model, loss = _lenet_loss(batch=6)
    loss.backward()
    assert buffers()[: len(before)] == before
    assert workspace.held_bytes() == held
