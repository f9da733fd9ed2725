"""Dropout and Dropout2d: inverted scaling, the saved mask reused by backward, eval identity, errors.

Masks are random (and our stream is not torch's), so outputs are checked by
structure: every entry is 0 or x / (1 - p), the gradient is the upstream
gradient times that same mask / (1 - p), and the kept fraction is about 1 - p.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from reference import strategies as S
from reference.compare import raised

probabilities = st.sampled_from([0.1, 0.25, 0.5, 0.8])


@given(shape=S.shapes(1, 4, 1, 5), p=probabilities, seed=S.seeds, dtype=st.sampled_from([np.float32, np.float64]))
def test_dropout_scales_survivors_and_backward_reuses_the_mask(shape, p, seed, dtype):
    rng = np.random.default_rng(seed)
    x = S.away_from(rng, shape, (0.0,), 0.1).astype(dtype)  # no zeros: a 0 output then means "dropped"
    upstream = rng.normal(size=shape).astype(dtype)
    xt = mt.tensor(x, requires_grad=True)
    y = mt.nn.functional.dropout(xt, p)
    assert y.dtype == xt.dtype and y.shape == xt.shape
    out = y.detach().numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / dtype(1 - p), rtol=1e-6)
    y.backward(mt.tensor(upstream))
    expected = np.where(kept, upstream / dtype(1 - p), 0)
    np.testing.assert_allclose(xt.grad.numpy(), expected, rtol=1e-6)
    # torch's graph: MulBackward0 with edges (input, mask)
    theirs = torch.nn.functional.dropout(torch.tensor(x, requires_grad=True), p)
    assert y.grad_fn.name() == theirs.grad_fn.name() == "MulBackward0"
    assert [type(f).__name__ if f else None for f, _ in y.grad_fn.next_functions] == [
        type(f).__name__ if f else None for f, _ in theirs.grad_fn.next_functions
    ]


@given(n=st.integers(1, 4), c=st.integers(1, 5), hw=S.shapes(2, 2, 1, 4), p=probabilities, seed=S.seeds)
def test_dropout2d_zeroes_whole_channels(n, c, hw, p, seed):
    rng = np.random.default_rng(seed)
    shape = (n, c) + hw
    x = S.away_from(rng, shape, (0.0,), 0.1)
    upstream = rng.normal(size=shape)
    xt = mt.tensor(x, requires_grad=True)
    y = mt.nn.Dropout2d(p)(xt)
    out = y.detach().numpy()
    kept = (out != 0).reshape(n, c, -1)
    assert np.all(kept.all(axis=2) | ~kept.any(axis=2))  # a channel is kept or dropped as a whole
    kept = kept.reshape(shape)
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-12)
    y.backward(mt.tensor(upstream))
    np.testing.assert_allclose(xt.grad.numpy(), np.where(kept, upstream / (1 - p), 0), rtol=1e-12)


def test_kept_fraction_and_mean_are_preserved():
    mt.manual_seed(0)
    x = mt.ones(200, 500)
    for p in (0.2, 0.5, 0.9):
        y = mt.nn.functional.dropout(x, p).numpy()
        assert abs((y != 0).mean() - (1 - p)) < 0.01
        assert abs(y.mean() - 1.0) < 0.03  # inverted scaling keeps E[y] = x


def test_manual_seed_reproduces_masks():
    x = mt.randn(10, 10)
    mt.manual_seed(7)
    a = mt.nn.functional.dropout(x, 0.5).numpy()
    mt.manual_seed(7)
    b = mt.nn.functional.dropout(x, 0.5).numpy()
    c = mt.nn.functional.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_eval_mode_and_p_zero_return_the_input_itself():
    x = mt.randn(3, 4, requires_grad=True)
    d = mt.nn.Dropout(0.5)
    d.eval()
    assert d(x) is x
    assert mt.nn.functional.dropout(x, 0.5, training=False) is x
    assert mt.nn.functional.dropout(x, 0.0) is x
    x4 = mt.randn(2, 3, 2, 2)
    assert mt.nn.Dropout2d(0.3).eval()(x4) is x4
    tx = torch.randn(3, 4, requires_grad=True)
    assert torch.nn.functional.dropout(tx, 0.0) is tx  # torch does the same


def test_p_one_gives_zeros_and_zero_gradient():
    x = mt.randn(4, 5, requires_grad=True)
    y = mt.nn.functional.dropout(x, 1.0)
    assert y.grad_fn.name() == "MulBackward0"
    np.testing.assert_array_equal(y.detach().numpy(), np.zeros((4, 5)))
    y.backward(mt.randn(4, 5))
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((4, 5)))
    assert not np.any(np.isnan(mt.nn.Dropout2d(1.0)(mt.randn(2, 3, 2, 2)).numpy()))


def test_inplace_modifies_the_input_and_backward_still_uses_the_mask():
    rng = np.random.default_rng(5)
    x0 = S.away_from(rng, (6, 7), (0.0,), 0.1)
    leaf = mt.tensor(x0, requires_grad=True)
    h = leaf * 1.0  # a non-leaf, as in-place ops on leaves that need grad are refused
    version = h._version
    y = mt.nn.functional.dropout(h, 0.4, inplace=True)
    assert y is h and h._version == version + 1
    assert y.grad_fn.name() == "MulBackward0"
    kept = y.detach().numpy() != 0
    np.testing.assert_allclose(y.detach().numpy()[kept], x0[kept] / 0.6, rtol=1e-6)
    upstream = rng.normal(size=(6, 7))
    y.backward(mt.tensor(upstream, dtype=mt.float32))
    np.testing.assert_allclose(leaf.grad.numpy(), np.where(kept, upstream / 0.6, 0), rtol=1e-5)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        mt.nn.functional.dropout(mt.randn(3, requires_grad=True), 0.5, inplace=True)
    plain = mt.ones(50)
    mt.nn.Dropout(0.5, inplace=True)(plain)
    assert set(np.unique(plain.numpy())) <= {0.0, 2.0} and (plain.numpy() == 0).any()


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.dropout(lib.randn(3), 1.5),
        lambda lib: lib.nn.functional.dropout(lib.randn(3), -0.1),
        lambda lib: lib.nn.functional.dropout2d(lib.randn(2, 3, 2, 2), 2),
        lambda lib: lib.nn.Dropout(1.5),
        lambda lib: lib.nn.Dropout2d(-1),
    ],
)
def test_errors_as_torch(call):
    theirs = raised(lambda: call(torch))
    assert theirs is not None and raised(lambda: call(mt)) == theirs


@pytest.mark.parametrize("args", [(), (0.2,), (0.7, True), (0, False), (1, True)])
@pytest.mark.parametrize("name", ["Dropout", "Dropout2d"])
def test_repr_as_torch(name, args):
    assert repr(getattr(mt.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 3, 4, 4), (1, 2, 2, 2, 2)])
def test_dropout2d_warnings_and_graph_as_torch(shape):
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = lib.nn.functional.dropout2d(lib.randn(*shape, requires_grad=True), 0.5)
        return [str(w.message) for w in caught], y.grad_fn.name(), tuple(y.shape)

    assert run(mt) == run(torch)
