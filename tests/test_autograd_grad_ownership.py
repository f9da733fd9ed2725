"""A first gradient becomes ``.grad`` without a copy only when nobody else can see its memory.

The engine (autograd/engine.py, ``_only_engine_holds``) steals a leaf's first gradient when its loop
holds the only reference to it and to the array it views; otherwise ``.grad`` is a fresh copy.
Each test writes into one array afterwards and checks that no other gradient, upstream gradient or
stashed hook argument changed, and that the values are torch's.
"""

from __future__ import annotations

import numpy as np
import torch

import minitorch_nn as mt


def _shares(a, b) -> bool:
    return np.shares_memory(np.asarray(a.numpy()), np.asarray(b.numpy()))


def test_linear_gradients_are_taken_as_they_are_and_match_torch():
    rng = np.random.default_rng(0)
    x, w, b, g = (rng.standard_normal(s).astype(np.float32) for s in ((4, 5), (3, 5), (3,), (4, 3)))
    grads = []
    for lib in (mt, torch):
        wt, bt = lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)
        lib.nn.functional.linear(lib.tensor(x), wt, bt).backward(lib.tensor(g))
        grads.append((wt.grad.numpy().copy(), bt.grad.numpy().copy()))
        if lib is mt:
            ours = wt
            assert wt.grad.numpy().base is not None  # the backward's own array (a view of it), not a copy
            assert wt.grad.numpy().flags.c_contiguous  # laid out as the weight
    for o, t in zip(*grads):
        np.testing.assert_allclose(o, t, rtol=1e-5, atol=1e-6)
    # a second backward accumulates into it in place
    mt.nn.functional.linear(mt.tensor(x), ours, None).backward(mt.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), 2 * grads[1][0], rtol=1e-5, atol=1e-6)


def test_a_gradient_sent_to_two_leaves_is_copied_for_each():
    a = mt.tensor(np.arange(3.0), requires_grad=True)
    b = mt.tensor(np.ones(3), requires_grad=True)
    (a + b).backward(mt.tensor(np.array([1.0, -2.0, 3.0])))
    assert not _shares(a.grad, b.grad)
    a.grad.numpy()[:] = 7
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, -2.0, 3.0])


def test_the_callers_upstream_gradient_is_never_taken():
    w = mt.tensor(np.zeros(3), requires_grad=True)
    upstream = mt.tensor(np.array([0.5, -1.0, 2.0]))
    w.backward(upstream)
    x = mt.tensor(np.zeros((2, 3)), requires_grad=True)
    flat_upstream = mt.tensor(np.arange(6.0))
    x.reshape(6).backward(flat_upstream)  # the reshape's backward is a view of the caller's array
    assert not _shares(w.grad, upstream) and not _shares(x.grad, flat_upstream)
    w.grad.numpy()[:] = 0
    x.grad.numpy()[:] = 0
    np.testing.assert_array_equal(upstream.numpy(), [0.5, -1.0, 2.0])
    np.testing.assert_array_equal(flat_upstream.numpy(), np.arange(6.0))


def test_a_hook_that_keeps_the_gradient_keeps_its_own():
    kept = []
    w = mt.tensor(np.ones((2, 2)), requires_grad=True)
    w.register_hook(lambda g: kept.append(g))
    (w * mt.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))).sum().backward()
    assert not _shares(w.grad, kept[0])
    w.grad.numpy()[:] = -1
    np.testing.assert_array_equal(kept[0].numpy(), [[1.0, 2.0], [3.0, 4.0]])


def test_a_gradient_of_another_dtype_or_layout_is_copied():
    # a float64 leaf fed a float32 gradient through a dtype cast, and a transposed leaf
    w = mt.tensor(np.ones((2, 3)), requires_grad=True)
    (w.float() * 2).sum().backward()
    assert w.grad.dtype == mt.float64
    np.testing.assert_array_equal(w.grad.numpy(), np.full((2, 3), 2.0))
    leaf = mt.tensor(np.asfortranarray(np.ones((3, 4))), requires_grad=True)
    (leaf * mt.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.arange(12.0).reshape(3, 4))
