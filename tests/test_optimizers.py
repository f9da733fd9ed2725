"""Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop against torch: 50-step trajectories over
their options, their state (keys, values, dtypes), state_dict round trips and constructor errors.

Both engines start from the same weights and receive the same gradients at every step (random, with
magnitudes spread over five decades so eps and the corrections matter), so a difference is the
optimizer's own arithmetic. float64 must agree to 1e-12; float32 to 1e-5 (atol a few ulps of the
tensor's largest entry, for entries that pass near zero).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import raised

STEPS = 50
SHAPES = [(3, 4), (4,), (2, 2, 2)]

CONFIGS = {
    "Adagrad": [
        {},
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
        {"eps": 1e-3, "maximize": True, "foreach": False},
    ],
    "Adadelta": [{}, {"lr": 0.5, "rho": 0.5, "eps": 1e-3, "weight_decay": 0.05}, {"maximize": True, "rho": 0.99}],
    "Adamax": [{}, {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.1}, {"maximize": True}],
    "NAdam": [
        {},
        {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "momentum_decay": 0.01},
        {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ],
    "RAdam": [
        {},
        {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1},  # rho_t > 5 from step 6: both branches
        {"weight_decay": 0.05, "decoupled_weight_decay": True, "maximize": True, "eps": 1e-4},
    ],
    "ASGD": [
        {},
        {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 10, "weight_decay": 0.1},  # averaging from step 11
        {"t0": 0, "maximize": True},
    ],
    "Rprop": [{}, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}, {"maximize": True}],
}
CASES = [(name, i) for name, configs in CONFIGS.items() for i in range(len(configs))]


def _params(rng: np.random.Generator, dtype: Any) -> tuple[list, list]:
    theirs = [torch.tensor(rng.normal(size=s).astype(dtype), requires_grad=True) for s in SHAPES]
    ours = [mt.tensor(t.detach().numpy().copy(), requires_grad=True) for t in theirs]
    return ours, theirs


def _groups(params: list, two_groups: bool) -> Any:
    if not two_groups:
        return params
    return [{"params": params[:1]}, {"params": params[1:], "lr": 0.003}]


def _set_grads(rng: np.random.Generator, ours: list, theirs: list, dtype: Any, step: int) -> None:
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if i == 2 and step % 3 == 1:  # now and then a parameter without a gradient: it is skipped
            t.grad, o.grad = None, None
            continue
        scale = 10.0 ** rng.integers(-4, 2, size=t.shape)
        g = (rng.normal(size=t.shape) * scale).astype(dtype)
        t.grad = torch.from_numpy(g.copy())
        o.grad = mt.tensor(g.copy())


def _assert_same(ours: list, theirs: list, dtype: Any, step: int) -> None:
    for i, (o, t) in enumerate(zip(ours, theirs)):
        t = t.detach().numpy()
        if dtype == np.float64:
            np.testing.assert_allclose(o.detach().numpy(), t, rtol=1e-12, atol=1e-14, err_msg=f"param {i}, step {step}")
        else:
            atol = 1e-6 * max(1.0, float(np.abs(t).max()))
            np.testing.assert_allclose(o.detach().numpy(), t, rtol=1e-5, atol=atol, err_msg=f"param {i}, step {step}")


def _run(name: str, kwargs: dict, dtype: Any, seed: int, two_groups: bool = False) -> tuple:
    rng = np.random.default_rng(seed)
    ours, theirs = _params(rng, dtype)
    opt_o = getattr(mt.optim, name)(_groups(ours, two_groups), **kwargs)
    opt_t = getattr(torch.optim, name)(_groups(theirs, two_groups), **kwargs)
    for step in range(STEPS):
        _set_grads(rng, ours, theirs, dtype, step)
        opt_o.step()
        opt_t.step()
        _assert_same(ours, theirs, dtype, step)
    return opt_o, opt_t, ours, theirs


def _state_rows(optimizer: Any, params: list) -> list:
    rows = []
    for p in params:
        state = optimizer.state[p]
        for key in sorted(state):
            value = state[key]
            array = value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)
            rows.append((key, str(array.dtype), array.shape, array.astype(np.float64)))
    return rows


@pytest.mark.parametrize(("name", "config"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fifty_steps_match_torch(name, config, dtype):
    kwargs = CONFIGS[name][config]
    opt_o, opt_t, ours, theirs = _run(name, kwargs, dtype, seed=config, two_groups=config == 1)
    mine, expected = _state_rows(opt_o, ours), _state_rows(opt_t, theirs)
    assert [r[:3] for r in mine] == [r[:3] for r in expected]
    for (key, _, _, a), (_, _, _, b) in zip(mine, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-7, err_msg=key)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_state_dict_round_trip_continues_the_trajectory(name):
    kwargs = CONFIGS[name][1]
    opt_o, opt_t, ours, theirs = _run(name, kwargs, np.float32, seed=7, two_groups=True)
    state_o, state_t = opt_o.state_dict(), opt_t.state_dict()
    assert state_o["param_groups"] == state_t["param_groups"]
    assert sorted(state_o["state"]) == sorted(state_t["state"])
    buffer = io.BytesIO()
    mt.save(state_o, buffer)
    buffer.seek(0)
    fresh = getattr(mt.optim, name)(_groups(ours, True), **kwargs)
    fresh.load_state_dict(mt.load(buffer))
    rng = np.random.default_rng(99)
    for step in range(10):
        _set_grads(rng, ours, theirs, np.float32, step)
        fresh.step()
        opt_t.step()
        _assert_same(ours, theirs, np.float32, step)


def test_adagrad_creates_its_state_at_construction_as_torch():
    ours = mt.optim.Adagrad([mt.nn.Parameter(mt.ones(2))], initial_accumulator_value=0.25)
    theirs = torch.optim.Adagrad([torch.nn.Parameter(torch.ones(2))], initial_accumulator_value=0.25)
    assert ours.state_dict()["state"].keys() == theirs.state_dict()["state"].keys() == {0}
    assert ours.state_dict()["state"][0]["sum"].tolist() == theirs.state_dict()["state"][0]["sum"].tolist()


def test_closure_is_evaluated_and_its_loss_returned():
    def run(lib: Any) -> list:
        w = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = lib.optim.NAdam([w], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        return [opt.step(closure).item() for _ in range(3)] + [w.tolist()]

    np.testing.assert_allclose(np.hstack(run(mt)), np.hstack(run(torch)), rtol=1e-6)


def test_constructor_errors_match_torch():
    def run(lib: Any) -> list:
        o = lib.optim
        p = [lib.nn.Parameter(lib.ones(1))]
        calls = [
            lambda: o.Adagrad(p, lr=-1),
            lambda: o.Adagrad(p, lr_decay=-1),
            lambda: o.Adagrad(p, weight_decay=-1),
            lambda: o.Adagrad(p, initial_accumulator_value=-1),
            lambda: o.Adagrad(p, eps=-1),
            lambda: o.Adagrad(p, lr=lib.tensor([0.1, 0.2])),
            lambda: o.Adadelta(p, rho=1.5),
            lambda: o.Adadelta(p, eps=-1),
            lambda: o.Adadelta(p, weight_decay=-1),
            lambda: o.Adamax(p, betas=(1.0, 0.9)),
            lambda: o.Adamax(p, betas=(0.9, -0.1)),
            lambda: o.Adamax(p, eps=-1),
            lambda: o.NAdam(p, momentum_decay=-1),
            lambda: o.NAdam(p, betas=(0.9, 1.0)),
            lambda: o.RAdam(p, lr=-0.1),
            lambda: o.RAdam(p, weight_decay=-1),
            lambda: o.ASGD(p, weight_decay=-1),
            lambda: o.ASGD(p, lr=-1),
            lambda: o.Rprop(p, etas=(1.5, 1.2)),
            lambda: o.Rprop(p, etas=(0.5, 0.9)),
            lambda: o.Rprop(p, lr=-1),
            lambda: o.Adagrad([], lr=0.1),
        ]
        return [raised(c) for c in calls]

    assert run(mt) == run(torch)


def test_defaults_and_repr_match_torch():
    for name in CONFIGS:
        ours = getattr(mt.optim, name)([mt.nn.Parameter(mt.ones(1))])
        theirs = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))])
        assert ours.defaults == theirs.defaults, name
        assert repr(ours) == repr(theirs), name
