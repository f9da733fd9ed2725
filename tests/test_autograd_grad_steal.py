"""A leaf's first gradient becomes its ``.grad`` without a copy only when nobody else can see it.

Each case builds a graph where the gradient array reaching a leaf is (or is not) shared with
another leaf, a saved context, a hook's tensor or the caller, then changes one ``.grad`` in place
and checks against torch that nothing else moved."""

import numpy as np
import torch as ref

import minitorch_nn as torch


def _pair(shape=(3, 4), seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return torch.tensor(a, requires_grad=True), ref.tensor(a, requires_grad=True)


def test_fresh_gradient_is_taken_and_matches_torch():
    x, rx = _pair()
    w, rw = _pair((4, 5), 1)
    (x @ w).sin().sum().backward()
    (rx @ rw).sin().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), rx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), rw.grad.numpy(), rtol=1e-12)
    assert x.grad._data.flags.owndata or x.grad._data.base is not None


def test_one_array_sent_to_two_leaves_gives_two_grads():
    x, rx = _pair()
    y, ry = _pair(seed=2)
    (x + y).sin().sum().backward()  # AddBackward hands SinBackward's fresh array to both inputs
    (rx + ry).sin().sum().backward()
    assert not np.shares_memory(x.grad._data, y.grad._data)
    x.grad.mul_(5)
    rx.grad.mul_(5)
    np.testing.assert_array_equal(y.grad.numpy(), ry.grad.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), rx.grad.numpy())


def test_callers_gradient_is_not_taken():
    x, _ = _pair()
    upstream = torch.full((3, 4), 2.0, dtype=torch.float64)
    y = x * 1
    y.backward(upstream)
    x.grad.add_(1)
    np.testing.assert_array_equal(upstream.numpy(), np.full((3, 4), 2.0))
    leaf = torch.zeros(2, requires_grad=True)
    g = torch.tensor([1.0, 2.0])
    leaf.backward(g)  # the root is the leaf itself: its gradient is the caller's tensor
    leaf.grad.mul_(10)
    np.testing.assert_array_equal(g.numpy(), [1.0, 2.0])


class _ReturnsSaved(torch.autograd.Function):
    """y = x * c with c saved; backward returns the saved array itself when the upstream is ones."""

    @staticmethod
    def forward(ctx, x, c):
        ctx.save_for_backward(c)
        return x * c

    @staticmethod
    def backward(ctx, g):
        (c,) = ctx.saved_tensors
        return c, None


def test_saved_array_returned_by_backward_is_not_taken():
    x, rx = _pair((3,))
    c = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    y = _ReturnsSaved.apply(x, c)
    for _ in range(3):  # retain_graph: the saved c must survive the += into x.grad
        y.sum().backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 6.0, 9.0])
    np.testing.assert_array_equal(c.numpy(), [1.0, 2.0, 3.0])


def test_tensor_hook_result_kept_elsewhere_is_not_taken():
    x, rx = _pair((2, 2))
    kept = []
    kept_ref = []

    def hook(g):
        kept.append(g * 2)
        return kept[-1]

    def ref_hook(g):
        kept_ref.append(g * 2)
        return kept_ref[-1]

    x.register_hook(hook)
    rx.register_hook(ref_hook)
    (x * 3).sum().backward()
    (rx * 3).sum().backward()
    x.grad.add_(1)
    rx.grad.add_(1)
    np.testing.assert_array_equal(kept[0].numpy(), kept_ref[0].numpy())
    np.testing.assert_array_equal(x.grad.numpy(), rx.grad.numpy())


def test_taken_gradient_keeps_leaf_layout_and_dtype():
    a = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
    x = torch.tensor(a).t().detach().requires_grad_()
    rx = ref.tensor(a).t().detach().requires_grad_()
    (x * 2).sum().backward()
    (rx * 2).sum().backward()
    assert x.grad.stride() == rx.grad.stride()
    assert x.grad.dtype == torch.float32
    np.testing.assert_array_equal(x.grad.numpy(), rx.grad.numpy())


def test_second_backward_accumulates_into_taken_gradient():
    x, rx = _pair()
    for _ in range(2):
        (x.exp() * 2).sum().backward()
        (rx.exp() * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), rx.grad.numpy(), rtol=1e-12)


_stash = []


class _ReturnsView(torch.autograd.Function):
    """y = 2 x; backward builds its gradient in a flat buffer and returns a reshaped view of it,
    optionally keeping the buffer (as a kernel's workspace could)."""

    @staticmethod
    def forward(ctx, x, keep):
        ctx.keep = keep
        return x * 2

    @staticmethod
    def backward(ctx, g):
        upstream = g.numpy()
        flat = np.empty(upstream.size, dtype=upstream.dtype)
        flat[...] = (upstream * 2).reshape(-1)
        if ctx.keep:
            _stash.append(flat)
        return torch.from_numpy(flat.reshape(upstream.shape)), None


def test_view_of_a_kept_buffer_is_not_taken_and_an_unkept_one_is_right():
    for keep in (True, False):
        _stash.clear()
        x = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
        _ReturnsView.apply(x, keep).sin().sum().backward()
        expected = 2 * np.ones((2, 3))
        np.testing.assert_array_equal(x.grad.numpy(), expected)
        x.grad.add_(1)
        if keep:
            np.testing.assert_array_equal(_stash[0], expected.reshape(-1))
