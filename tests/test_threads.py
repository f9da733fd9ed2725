"""set_num_threads / get_num_threads as torch's, and the worker pool that honours them."""

from __future__ import annotations

import multiprocessing
import threading
import time

import numba
import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.kernels.cpu import workers
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


def _boom(item):
    if item == 1:  # item 1 is the worker's share (items are dealt round-robin, the caller takes 0)
        raise ValueError("from the worker")
    return item


def test_a_workers_error_reaches_the_caller_and_the_pool_goes_on(restore_threads):
    mt.set_num_threads(2)
    with pytest.raises(ValueError, match="from the worker"):
        WORKERS.map(_boom, [0, 1])
    assert WORKERS.map(lambda i: i * 10, list(range(5))) == [0, 10, 20, 30, 40]


def test_the_caller_waits_for_the_worker_when_its_own_share_fails(restore_threads):
    mt.set_num_threads(2)
    done = []

    def block(item):
        if item == 0:
            raise KeyError("caller")
        time.sleep(0.05)
        done.append(item)
        return item

    with pytest.raises(KeyError):
        WORKERS.map(block, [0, 1])
    assert done == [1]  # the worker's share finished before the error came out
    assert WORKERS.map(lambda i: -i, [1, 2, 3]) == [-1, -2, -3]


def test_a_map_inside_a_block_runs_in_its_thread(restore_threads):
    mt.set_num_threads(2)

    def block(item):
        inner = WORKERS.map(lambda j: (j, threading.get_ident()), [0, 1, 2])
        assert len({ident for _, ident in inner}) == 1  # the pool is busy: all in this thread
        return sum(j for j, _ in inner) + item

    assert WORKERS.map(block, [0, 1, 2, 3]) == [3, 4, 5, 6]


def test_blas_is_single_threaded_in_every_share(restore_threads):
    # a polling worker starts its share the moment it is published: BLAS must already be on one
    # thread then, or OpenBLAS's own threads wake and busy-wait beside ours
    mt.set_num_threads(2)
    seen = set()
    for _ in range(200):
        WORKERS.map(lambda i: seen.add(workers._BLAS_GET()), [0, 1])
    assert seen == {1}


def test_the_pool_works_in_a_forked_child(restore_threads):
    mt.set_num_threads(2)
    WORKERS.map(lambda i: i, [0, 1])  # the parent's worker thread exists
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(_map_in_child).get(timeout=60)
    assert result == [0, 2, 4, 6]


def _map_in_child():
    mt.set_num_threads(2)
    return WORKERS.map(lambda i: 2 * i, [0, 1, 2, 3])
