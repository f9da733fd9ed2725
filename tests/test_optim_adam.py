"""Adam, AdamW and RMSprop against torch: 50-step trajectories, state, state_dict round trips, errors.

Both engines start from the same weights (copied out of torch) and receive
the same gradients at every step (random, with magnitudes spread over five
decades so eps and the bias corrections matter), so any difference is the
optimizer's own arithmetic: every parameter must follow torch's trajectory
to float32 rtol 1e-5 (atol: a few float32 ulps of the tensor's largest
entry, for entries that pass near zero on the way).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from minitorch_nn.optim import pointwise
from reference.compare import raised

STEPS = 50
SHAPES = [(3, 4), (4,), (2, 2, 2)]


def _params(rng: np.random.Generator):
    theirs = [torch.tensor(rng.normal(size=s).astype(np.float32), requires_grad=True) for s in SHAPES]
    ours = [mt.tensor(t.detach().numpy().copy(), requires_grad=True) for t in theirs]
    return ours, theirs


def _groups(params, group_lrs):
    """One group per entry of group_lrs (None: the optimizer's default lr)."""
    if group_lrs is None:
        return params
    groups = [{"params": params[:1]}, {"params": params[1:]}]
    for g, lr in zip(groups, group_lrs):
        if lr is not None:
            g["lr"] = lr
    return groups


def _set_grads(rng, ours, theirs):
    for o, t in zip(ours, theirs):
        scale = 10.0 ** rng.integers(-4, 2, size=t.shape)
        g = (rng.normal(size=t.shape) * scale).astype(np.float32)
        t.grad = torch.from_numpy(g.copy())
        o.grad = mt.tensor(g.copy())


def _assert_same(ours, theirs, step):
    for i, (o, t) in enumerate(zip(ours, theirs)):
        t = t.detach().numpy()
        # atol: a few float32 ulps of the tensor's largest entry, for entries that pass near zero
        atol = 1e-6 * max(1.0, float(np.abs(t).max()))
        np.testing.assert_allclose(o.detach().numpy(), t, rtol=1e-5, atol=atol, err_msg=f"param {i} at step {step}")


def _run(name, kwargs, seed, group_lrs=None, steps=STEPS):
    rng = np.random.default_rng(seed)
    ours, theirs = _params(rng)
    opt_o = getattr(mt.optim, name)(_groups(ours, group_lrs), **kwargs)
    opt_t = getattr(torch.optim, name)(_groups(theirs, group_lrs), **kwargs)
    for step in range(steps):
        _set_grads(rng, ours, theirs)
        opt_o.step()
        opt_t.step()
        _assert_same(ours, theirs, step)
    return opt_o, opt_t, ours, theirs


lrs = st.sampled_from([1e-3, 1e-2, 0.1])
group_lrs = st.one_of(st.none(), st.tuples(st.sampled_from([None, 1e-3]), st.sampled_from([None, 0.05])))
# beta2 = 0 is left out: then denom = |g| and a small g after large ones multiplies the step by
# m / |g| ~ 1e4, which turns one-ulp differences (torch fuses some multiply-adds) into visible ones
betas = st.tuples(st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.5, 0.9, 0.999]))


@given(
    lr=lrs,
    betas=betas,
    eps=st.sampled_from([1e-8, 1e-3]),
    weight_decay=st.sampled_from([0, 0.01, 0.5]),
    amsgrad=st.booleans(),
    maximize=st.booleans(),
    groups=group_lrs,
    seed=st.integers(0, 2**31 - 1),
)
def test_adam_trajectory_matches_torch(lr, betas, eps, weight_decay, amsgrad, maximize, groups, seed):
    kwargs = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
    _run("Adam", kwargs, seed, groups)


@given(
    lr=lrs,
    betas=betas,
    weight_decay=st.sampled_from([0.01, 0.0, 0.3]),
    amsgrad=st.booleans(),
    maximize=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_adamw_trajectory_matches_torch(lr, betas, weight_decay, amsgrad, maximize, seed):
    kwargs = dict(lr=lr, betas=betas, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
    _run("AdamW", kwargs, seed)


@given(
    lr=lrs,
    alpha=st.sampled_from([0.99, 0.9, 0.5]),
    eps=st.sampled_from([1e-8, 1e-3]),
    weight_decay=st.sampled_from([0, 0.1]),
    momentum=st.sampled_from([0, 0.5, 0.9]),
    centered=st.booleans(),
    maximize=st.booleans(),
    groups=group_lrs,
    seed=st.integers(0, 2**31 - 1),
)
def test_rmsprop_trajectory_matches_torch(lr, alpha, eps, weight_decay, momentum, centered, maximize, groups, seed):
    kwargs = dict(
        lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered, maximize=maximize
    )
    _run("RMSprop", kwargs, seed, groups)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("AdamW", {"lr": 0.01}),
        ("RMSprop", {"momentum": 0.9, "centered": True}),
        ("RMSprop", {}),
    ],
)
def test_state_and_state_dict_as_torch(name, kwargs):
    opt_o, opt_t, ours, theirs = _run(name, kwargs, seed=3, steps=5)
    so, st_ = opt_o.state_dict(), opt_t.state_dict()
    assert so["param_groups"] == st_["param_groups"]
    assert set(so["state"]) == set(st_["state"])
    for k in st_["state"]:
        assert list(so["state"][k]) == list(st_["state"][k])
        for key, value in st_["state"][k].items():
            assert str(so["state"][k][key].dtype) == str(value.dtype)
            assert tuple(so["state"][k][key].shape) == tuple(value.shape)
            np.testing.assert_allclose(so["state"][k][key].numpy(), value.numpy(), rtol=1e-5, atol=1e-7)
    assert repr(opt_o) == repr(opt_t)


@pytest.mark.parametrize(
    "name, kwargs",
    [("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}), ("AdamW", {}), ("RMSprop", {"momentum": 0.5})],
)
def test_state_dict_round_trip_continues_identically(name, kwargs):
    """Stop after 20 steps, save the optimizer through save/load, resume in a new optimizer: same as torch."""
    rng = np.random.default_rng(11)
    ours, theirs = _params(rng)
    opt_o = getattr(mt.optim, name)(ours, **kwargs)
    opt_t = getattr(torch.optim, name)(theirs, **kwargs)
    for _ in range(20):
        _set_grads(rng, ours, theirs)
        opt_o.step()
        opt_t.step()
    buffer = io.BytesIO()
    mt.save(opt_o.state_dict(), buffer)
    buffer.seek(0)
    resumed_params = [mt.tensor(p.detach().numpy().copy(), requires_grad=True) for p in ours]
    resumed = getattr(mt.optim, name)(resumed_params, lr=123.0)  # options come back from the state_dict
    resumed.load_state_dict(mt.load(buffer))
    assert resumed.param_groups[0]["lr"] == opt_t.param_groups[0]["lr"]
    for step in range(30):
        _set_grads(rng, resumed_params, theirs)
        resumed.step()
        opt_t.step()
        _assert_same(resumed_params, theirs, step)


def test_seed_adam_call_and_a_training_step():
    """Seed 003: every keyword of its Adam call is accepted; zero_grad/backward/step updates the weights."""
    net = mt.nn.Linear(3, 2)
    optimizer = mt.optim.Adam(
        params=net.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False, maximize=False
    )
    before = net.weight.detach().numpy().copy()
    optimizer.zero_grad()
    loss = mt.nn.functional.mse_loss(net(mt.randn(4, 3)), mt.randn(4, 2))
    loss.backward()
    optimizer.step()
    # the first Adam step moves every weight by lr * g / (|g| + eps') ~ lr
    np.testing.assert_allclose(np.abs(net.weight.detach().numpy() - before), 0.001, rtol=1e-3)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("Adam", {"lr": -1}),
        ("Adam", {"eps": -1e-3}),
        ("Adam", {"betas": (1.0, 0.9)}),
        ("Adam", {"betas": (0.9, -0.1)}),
        ("Adam", {"betas": (0, 0.9)}),
        ("Adam", {"weight_decay": -1}),
        ("AdamW", {"lr": -0.5}),
        ("AdamW", {"betas": (0.9, 1.5)}),
        ("RMSprop", {"lr": -1}),
        ("RMSprop", {"eps": -1}),
        ("RMSprop", {"alpha": -0.1}),
        ("RMSprop", {"momentum": -1}),
        ("RMSprop", {"weight_decay": -1}),
    ],
)
def test_validation_errors_as_torch(name, kwargs):
    theirs = raised(lambda: getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs))
    ours = raised(lambda: getattr(mt.optim, name)([mt.zeros(2, requires_grad=True)], **kwargs))
    assert theirs is not None and ours == theirs


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop"])
def test_default_repr_as_torch(name):
    assert repr(getattr(mt.optim, name)([mt.zeros(2, requires_grad=True)])) == repr(
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    )


def test_parameters_without_grad_are_skipped_and_get_no_state():
    a, b = mt.zeros(2, requires_grad=True), mt.zeros(2, requires_grad=True)
    opt = mt.optim.Adam([a, b], lr=0.1)
    a.grad = mt.tensor([1.0, -1.0])
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [-0.1, 0.1], rtol=1e-6)
    np.testing.assert_array_equal(b.detach().numpy(), [0.0, 0.0])
    assert b not in opt.state and opt.state[a]["step"].item() == 1.0


@pytest.mark.parametrize("weight", [0.001, 0.1, 0.3, 0.5, 0.7, 0.999, 1.0])
def test_pointwise_updates_round_as_torch(weight):
    # torch's add_(alpha), addcmul_ and lerp_ are fused multiply-adds on the CPU; ours must give
    # the same float32 bits (minitorch_nn/optim/pointwise.py)
    rng = np.random.default_rng(int(weight * 1000))
    s, a, b = (rng.standard_normal(4096).astype(np.float32) for _ in range(3))
    cases = [
        (lambda x: pointwise.lerp_(x, a, weight), lambda t: t.lerp_(torch.from_numpy(a), weight)),
        (lambda x: pointwise.add_(x, a, weight), lambda t: t.add_(torch.from_numpy(a), alpha=weight)),
        (
            lambda x: pointwise.addcmul_(x, a, b, -weight),
            lambda t: t.addcmul_(torch.from_numpy(a), torch.from_numpy(b), value=-weight),
        ),
    ]
    for ours, theirs in cases:
        x, t = s.copy(), torch.from_numpy(s.copy())
        ours(x)
        theirs(t)
        np.testing.assert_array_equal(x, t.numpy())
