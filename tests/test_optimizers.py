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


def _lbfgs_run(lib: Any, dtype: Any, **kwargs: Any) -> tuple:
    """A small regression with a flat quartic direction: L-BFGS steps until its tolerances stop it."""
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((20, 5)).astype(dtype))
    b = lib.tensor((rng.random(20) > 0.5).astype(dtype))
    w = lib.nn.Parameter(lib.tensor(np.zeros(5, dtype)))
    c = lib.nn.Parameter(lib.tensor(np.array([0.5, -1.0], dtype)))
    optimizer = lib.optim.LBFGS([w, c], **kwargs)

    def closure():
        optimizer.zero_grad()
        loss = ((a @ w + c[0] - b) ** 2).mean() + (c[1] - 2) ** 4 + (w**2).sum() * 0.01
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(4)]
    state = optimizer.state[w]
    return losses, w.detach().numpy().copy(), c.detach().numpy().copy(), state["func_evals"], state["n_iter"]


LBFGS_CONFIGS = [
    {},
    {"line_search_fn": "strong_wolfe"},
    {"history_size": 2, "max_iter": 7, "lr": 0.5},
    {"line_search_fn": "strong_wolfe", "history_size": 3, "max_eval": 9, "tolerance_change": 1e-12},
    {"line_search_fn": "strong_wolfe", "lr": 10.0, "max_iter": 12},  # first trials overshoot: the zoom phase
    {"line_search_fn": "strong_wolfe", "lr": 0.01},  # first trials fall short: the interval grows
]


@pytest.mark.parametrize("kwargs", LBFGS_CONFIGS, ids=[str(k) for k in LBFGS_CONFIGS])
def test_lbfgs_matches_torch(kwargs):
    ours, theirs = _lbfgs_run(mt, np.float64, **kwargs), _lbfgs_run(torch, np.float64, **kwargs)
    assert ours[3:] == theirs[3:]  # the same closure evaluations and iterations: the same decisions
    for o, t in zip(ours[:3], theirs[:3]):
        np.testing.assert_allclose(o, t, rtol=1e-9, atol=1e-12)
    # float32: each engine's BLAS rounds the dot products differently, and L-BFGS's stopping tests then
    # fire at different iterations, so only the loss reached is compared
    losses32 = _lbfgs_run(mt, np.float32, **kwargs)[0]
    np.testing.assert_allclose(losses32[-1], _lbfgs_run(torch, np.float32, **kwargs)[0][-1], rtol=1e-3)


def test_lbfgs_state_and_errors_match_torch():
    def run(lib: Any) -> list:
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        optimizer = lib.optim.LBFGS([p], history_size=4)

        def closure():
            optimizer.zero_grad()
            loss = ((p - 3) ** 2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        state = optimizer.state[p]
        out = [sorted(state), len(state["old_dirs"]), type(state["t"]).__name__.replace("Tensor", "T")]
        out.append(raised(lambda: lib.optim.LBFGS([{"params": [p]}, {"params": [lib.nn.Parameter(lib.ones(1))]}])))
        out.append(raised(lambda: lib.optim.LBFGS([p], lr=-1)))
        out.append(raised(lambda: lib.optim.LBFGS([p], line_search_fn="backtracking").step(closure)))
        out.append(lib.optim.LBFGS([p]).defaults)
        return out

    assert run(mt) == run(torch)


def _rosenbrock_run(lib: Any, **kwargs: Any) -> tuple:
    """The Rosenbrock valley from (-1.5, 2): curved, badly scaled, where line searches earn their keep."""
    xy = lib.nn.Parameter(lib.tensor([-1.5, 2.0], dtype=lib.float64))
    optimizer = lib.optim.LBFGS([xy], **kwargs)

    def closure():
        optimizer.zero_grad()
        loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(3)]
    return losses, xy.detach().numpy().copy(), optimizer.state[xy]["func_evals"], optimizer.state[xy]["n_iter"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"line_search_fn": "strong_wolfe"},
        {"line_search_fn": "strong_wolfe", "lr": 5.0, "history_size": 2},
        {"line_search_fn": "strong_wolfe", "lr": 0.05},
        {"line_search_fn": "strong_wolfe", "lr": 3.0, "history_size": 1},
    ],
)
def test_lbfgs_on_rosenbrock_matches_torch(kwargs):
    ours, theirs = _rosenbrock_run(mt, **kwargs), _rosenbrock_run(torch, **kwargs)
    assert ours[2:] == theirs[2:]  # the same closure evaluations and iterations: the same decisions
    # the valley is badly conditioned: the last-bit differences of the two engines' dot products grow
    # over ~60 iterations to ~1e-9 of the iterate, far below what any changed decision would move
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-7, atol=1e-14)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-7)


def _line_search_cases() -> list:
    """Wiggly one-dimensional objectives f(x) = a sin(b x) + c x^2 + e x from x = 0 along the
    descent direction, with first trial steps from far too short to far too long."""
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(60):
        a, b, c, e = rng.uniform(0.5, 3), rng.uniform(1, 40), rng.uniform(0.001, 1), rng.uniform(-3, 3)
        for t in (0.01, 0.3, 2.0, 7.0, 25.0, 100.0):
            cases.append((a, b, c, e, t))
    return cases


class _Wiggle:
    """f(x) = a sin(b x) + c x^2 + e x and its derivative."""

    def __init__(self, a: float, b: float, c: float, e: float) -> None:
        self.a, self.b, self.c, self.e = a, b, c, e

    def __call__(self, x: float) -> tuple[float, float]:
        a, b, c, e = self.a, self.b, self.c, self.e
        return a * np.sin(b * x) + c * x * x + e * x, a * b * np.cos(b * x) + 2 * c * x + e


def test_strong_wolfe_line_search_matches_torch():
    from torch.optim.lbfgs import _strong_wolfe as theirs

    from minitorch_nn.optim.lbfgs import _strong_wolfe as ours

    for a, b, c, e, t in _line_search_cases():
        f = _Wiggle(a, b, c, e)
        f0, g0 = f(0.0)
        d = -g0

        def ours_at(step: float, f: _Wiggle = f, d: float = d) -> tuple[float, np.ndarray]:
            value, slope = f(step * d)
            return value, np.array([slope])

        def theirs_at(x: Any, step: Any, direction: Any, f: _Wiggle = f) -> tuple[float, torch.Tensor]:
            value, slope = f(float(step) * float(direction[0]))
            return value, torch.tensor([slope], dtype=torch.float64)

        mine = ours(ours_at, t, np.array([d]), f0, np.array([g0]), g0 * d)
        expected = theirs(
            theirs_at, None, t, torch.tensor([d]), f0, torch.tensor([g0], dtype=torch.float64), torch.tensor(g0 * d)
        )
        assert mine[3] == expected[3], (a, b, c, e, t)  # evaluations
        # on the steepest wiggles the zoom's brackets shrink to ~1e-6, where the cubic's divided
        # differences cancel: the engines' last-bit differences then show at ~1e-8 of the step
        np.testing.assert_allclose(float(mine[2]), float(expected[2]), rtol=1e-6)  # the step taken
        np.testing.assert_allclose(mine[0], expected[0], rtol=1e-6, atol=1e-12)
