"""set_num_threads / get_num_threads as torch's, and the worker pool that honours them."""

from __future__ import annotations

import threading

import numba
import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.kernels.cpu.workers import WORKERS


@pytest.fixture
def restore_threads():
    before = mt.get_num_threads()
    yield
    mt.set_num_threads(before)


def test_set_and_get_num_threads(restore_threads):
    mt.set_num_threads(1)
    assert mt.get_num_threads() == 1
    mt.set_num_threads(2)
    assert mt.get_num_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
    mt.set_num_threads(10_000)  # capped at the cores the process started with, as Numba's
    assert mt.get_num_threads() == numba.config.NUMBA_NUM_THREADS


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_thread_counts_raise_like_torch(bad, restore_threads):
    with pytest.raises(Exception) as theirs:
        torch.set_num_threads(bad)
    with pytest.raises(type(theirs.value)) as ours:
        mt.set_num_threads(bad)
    assert str(ours.value) == str(theirs.value)


def test_the_pool_uses_the_set_count(restore_threads):
    seen = []
    mt.set_num_threads(1)
    WORKERS.map(lambda i: seen.append(threading.get_ident()), list(range(4)))
    assert set(seen) == {threading.get_ident()}  # one thread: all in the caller
    if numba.config.NUMBA_NUM_THREADS >= 2:
        mt.set_num_threads(2)
        seen.clear()
        results = WORKERS.map(lambda i: (i, seen.append(threading.get_ident())), list(range(4)))
        assert [r[0] for r in results] == [0, 1, 2, 3]  # results in item order
        assert len(set(seen)) == 2


def test_conv_same_result_on_one_and_two_threads(restore_threads):
    rng = np.random.default_rng(0)
    x = mt.tensor(rng.standard_normal((8, 3, 12, 12)).astype(np.float32), requires_grad=True)
    w = mt.tensor(rng.standard_normal((5, 3, 5, 5)).astype(np.float32), requires_grad=True)
    g = mt.tensor(rng.standard_normal((8, 5, 8, 8)).astype(np.float32))
    out = []
    for n in (1, 2):
        mt.set_num_threads(n)
        x.grad = w.grad = None
        y = mt.nn.functional.conv2d(x, w)
        y.backward(g)
        out.append((y.detach().numpy(), x.grad.numpy(), w.grad.numpy()))
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
