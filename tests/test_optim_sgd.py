"""SGD and the Optimizer base against torch.optim: trajectories, groups, state_dict, errors, repr."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from minitorch_nn.optim import sgd as sgd_module

_kernel = sgd_module.sgd_momentum_


def twin_params(rng, shapes, dtype):
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    return [mt.nn.Parameter(mt.tensor(a.copy())) for a in arrays], [
        torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays
    ]


@st.composite
def sgd_options(draw):
    momentum = draw(st.sampled_from([0.0, 0.5, 0.9]))
    nesterov = momentum > 0 and draw(st.booleans())
    return dict(
        lr=draw(st.sampled_from([0.01, 0.1, 0.5])),
        momentum=momentum,
        dampening=0.0 if nesterov else draw(st.sampled_from([0.0, 0.3])),
        weight_decay=draw(st.sampled_from([0.0, 0.01, 0.1])),
        nesterov=nesterov,
        maximize=draw(st.booleans()),
    )


@given(options=sgd_options(), seed=st.integers(0, 2**31 - 1), dtype=st.sampled_from([np.float32, np.float64]))
def test_sgd_trajectory_matches_torch(options, seed, dtype):
    rng = np.random.default_rng(seed)
    ours, theirs = twin_params(rng, [(3, 4), (4,)], dtype)
    opt, topt = mt.optim.SGD(ours, **options), torch.optim.SGD(theirs, **options)
    for _ in range(20):
        grads = [rng.standard_normal(p.shape).astype(dtype) for p in ours]
        opt.zero_grad()
        topt.zero_grad()
        sum((p * mt.tensor(g)).sum() for p, g in zip(ours, grads)).backward()
        sum((p * torch.tensor(g)).sum() for p, g in zip(theirs, grads)).backward()
        opt.step()
        topt.step()
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=rtol, atol=rtol)


@given(options=sgd_options(), seed=st.integers(0, 2**31 - 1), dtype=st.sampled_from([np.float32, np.float64]))
def test_one_pass_update_is_bit_for_bit_the_numpy_one(options, seed, dtype):
    # from the second step on, SGD with momentum runs kernels/cpu/optim.py; the NumPy form it
    # replaced (kept for arrays the kernel does not take) must give the very same bits
    rng = np.random.default_rng(seed)
    first = [mt.nn.Parameter(mt.tensor(rng.standard_normal(s).astype(dtype))) for s in [(3, 4), (5,)]]
    second = [mt.nn.Parameter(mt.tensor(p.detach().numpy().copy())) for p in first]
    fast, slow = mt.optim.SGD(first, **options), mt.optim.SGD(second, **options)
    for _ in range(4):
        grads = [rng.standard_normal(p.shape).astype(dtype) for p in first]
        for params, opt, kernel in ((first, fast, sgd_module.sgd_momentum_), (second, slow, _never)):
            for p, g in zip(params, grads):
                p.grad = mt.tensor(g.copy())
            sgd_module.sgd_momentum_ = kernel
            try:
                opt.step()
            finally:
                sgd_module.sgd_momentum_ = _kernel
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
        if options["momentum"]:
            np.testing.assert_array_equal(
                fast.state[a]["momentum_buffer"].numpy(), slow.state[b]["momentum_buffer"].numpy()
            )


def _never(*args, **kwargs):
    return False


def test_param_groups_state_dict_round_trip_continues_identically():
    rng = np.random.default_rng(0)
    ours, theirs = twin_params(rng, [(2, 2), (3,)], np.float64)
    groups = lambda ps: [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.2, "momentum": 0.5}]  # noqa: E731
    opt, topt = mt.optim.SGD(groups(ours), lr=0.1, momentum=0.9), torch.optim.SGD(groups(theirs), lr=0.1, momentum=0.9)
    assert repr(opt) == repr(topt)

    def step(o, ps, lib, gs):
        o.zero_grad()
        sum((p * lib.tensor(g)).sum() for p, g in zip(ps, gs)).backward()
        o.step()

    for _ in range(3):
        gs = [rng.standard_normal(p.shape) for p in ours]
        step(opt, ours, mt, gs)
        step(topt, theirs, torch, gs)
    state = opt.state_dict()
    tstate = topt.state_dict()
    assert state["param_groups"] == tstate["param_groups"]
    assert sorted(state["state"]) == sorted(tstate["state"])
    fresh = mt.optim.SGD(groups(ours), lr=0.1, momentum=0.9)
    fresh.load_state_dict(state)
    gs = [rng.standard_normal(p.shape) for p in ours]
    step(fresh, ours, mt, gs)
    step(topt, theirs, torch, gs)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, p: lib.optim.SGD([p], lr=-1),
        lambda lib, p: lib.optim.SGD([p], lr=0.1, momentum=-0.5),
        lambda lib, p: lib.optim.SGD([p], lr=0.1, weight_decay=-1),
        lambda lib, p: lib.optim.SGD([p], lr=0.1, nesterov=True),
        lambda lib, p: lib.optim.SGD([], lr=0.1),
        lambda lib, p: lib.optim.SGD(p, lr=0.1),
        lambda lib, p: lib.optim.SGD([{"params": {p}}], lr=0.1),
        lambda lib, p: lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
        lambda lib, p: lib.optim.SGD([p * 2], lr=0.1),
    ],
)
def test_errors_match_torch(call):
    def error(lib):
        with pytest.raises(Exception) as info:
            call(lib, lib.nn.Parameter(lib.zeros(2)))
        return type(info.value), str(info.value)

    assert error(mt) == error(torch)


def test_zero_grad_sets_none_or_zeros():
    p = mt.nn.Parameter(mt.ones(3))
    opt = mt.optim.SGD([p], lr=0.1)
    (p * mt.tensor([1.0, 2.0, 3.0])).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3))
    opt.zero_grad()
    assert p.grad is None
