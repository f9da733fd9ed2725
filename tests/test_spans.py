"""The row kernels split over threads (kernels/cpu/spans.py): the spans cover every row once, cut at
multiples of the block, and the split GELU and attention softmax give the very bits of one thread's
pass and torch's values, at odd sizes (spans of unequal length, L != S, a row count that is not a
multiple of the thread count)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.kernels.cpu import attention, spans, special


@pytest.fixture
def split_everything(monkeypatch):
    """Two threads, and every array big enough to be split."""
    before = mt.get_num_threads()
    mt.set_num_threads(2)
    monkeypatch.setattr(spans, "PARALLEL_ELEMENTS", 1)
    yield
    mt.set_num_threads(before)


@pytest.mark.parametrize(("rows", "block", "threads"), [(12, 4, 2), (15, 5, 2), (7, 1, 3), (3, 3, 2), (9, 3, 3)])
def test_spans_cover_every_row_once_at_block_multiples(monkeypatch, rows, block, threads):
    monkeypatch.setattr(spans, "num_threads", lambda: threads)
    monkeypatch.setattr(spans, "PARALLEL_ELEMENTS", 1)
    seen = []
    spans.in_row_spans(lambda lo, hi: seen.append((lo, hi)), rows, block, rows)
    seen.sort()
    assert seen[0][0] == 0 and seen[-1][1] == rows
    assert all(a[1] == b[0] for a, b in zip(seen, seen[1:]))
    assert all(lo % block == 0 and hi > lo for lo, hi in seen)
    assert len(seen) == min(threads, rows // block)


def test_small_work_stays_in_one_span(monkeypatch):
    monkeypatch.setattr(spans, "num_threads", lambda: 2)
    seen = []
    spans.in_row_spans(lambda lo, hi: seen.append((lo, hi)), 64, 1, spans.PARALLEL_ELEMENTS - 1)
    assert seen == [(0, 64)]


def _unsplit(fn, *args):
    before = mt.get_num_threads()
    mt.set_num_threads(1)
    try:
        return fn(*args)
    finally:
        mt.set_num_threads(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 2, 7, 1001])
def test_split_gelu_is_one_threads_bits(split_everything, dtype, size):
    rng = np.random.default_rng(size)
    x = (rng.standard_normal((size,)) * 4).astype(dtype)
    g = rng.standard_normal((size,)).astype(dtype)
    np.testing.assert_array_equal(special.gelu_exact(x), _unsplit(special.gelu_exact, x))
    np.testing.assert_array_equal(special.gelu_backward(x, g), _unsplit(special.gelu_backward, x, g))


@pytest.mark.parametrize("shape", [(3, 2, 5, 7), (1, 3, 6, 3), (5, 1, 1, 4)])
def test_split_causal_softmax_and_its_backward_are_one_threads_bits(split_everything, shape):
    rng = np.random.default_rng(sum(shape))
    scores = rng.standard_normal(shape).astype(np.float32)
    probs = attention.causal_softmax_(scores.copy(), 0.7)
    np.testing.assert_array_equal(probs, _unsplit(attention.causal_softmax_, scores.copy(), 0.7))
    grad = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_array_equal(
        attention.softmax_backward_(probs, grad.copy()), _unsplit(attention.softmax_backward_, probs, grad.copy())
    )


@pytest.mark.parametrize(("batch", "heads", "length", "source"), [(3, 2, 5, 5), (2, 3, 7, 4)])
def test_split_causal_attention_and_gelu_as_torch(split_everything, batch, heads, length, source):
    rng = np.random.default_rng(length)
    arrays = [rng.standard_normal((batch, heads, n, 3)).astype(np.float32) for n in (length, source, source)]
    upstream = rng.standard_normal((batch, heads, length, 3)).astype(np.float32)
    results = []
    for lib in (mt, torch):
        q, k, v = (lib.tensor(a).requires_grad_(True) for a in arrays)
        out = lib.nn.functional.gelu(lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True))
        out.backward(lib.tensor(upstream))
        results.append([t.detach().numpy() for t in (out, q.grad, k.grad, v.grad)])
    for ours, ref in zip(*results):
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)
