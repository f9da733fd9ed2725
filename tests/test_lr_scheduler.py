"""optim.lr_scheduler against torch: 50-step trajectories of every group's lr (and momentum where a
schedule cycles it), state_dict round trips mid-run, the deprecated step(epoch), warnings and errors.

The schedules are Python float arithmetic in both engines, so the trajectories must agree exactly.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest
import torch

import minitorch_nn as mt
from reference.compare import raised

STEPS = 50


def _optimizer(lib: Any, kind: str = "sgd") -> Any:
    a, b = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(3))
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1, betas=(0.9, 0.99))
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


class Halve:
    """A callable object: its __dict__ is what LambdaLR's state_dict keeps."""

    def __init__(self) -> None:
        self.every = 7

    def __call__(self, epoch: int) -> float:
        return 0.5 ** (epoch // self.every)


SCHEDULES = {
    "LambdaLR": lambda s, o: s.LambdaLR(o, lambda e: 1 / (1 + e)),
    "LambdaLR_per_group": lambda s, o: s.LambdaLR(o, [lambda e: 0.9**e, Halve()]),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lambda e: 0.95),
    "StepLR": lambda s, o: s.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "ConstantLR": lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=9),
    "LinearLR": lambda s, o: s.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=13),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.93),
    "PolynomialLR": lambda s, o: s.PolynomialLR(o, total_iters=30, power=1.7),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=17, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.002),
    "CyclicLR_triangular": lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=6),
    "CyclicLR_triangular2": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=4, step_size_down=7, mode="triangular2"),
    "CyclicLR_exp_range": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range", gamma=0.97),
    "CyclicLR_scale_fn": lambda s, o: s.CyclicLR(
        o, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations", cycle_momentum=False
    ),
    "OneCycleLR_cos": lambda s, o: s.OneCycleLR(o, max_lr=[0.5, 0.3], total_steps=STEPS + 1),
    "OneCycleLR_linear_three_phase": lambda s, o: s.OneCycleLR(
        o, max_lr=0.4, epochs=5, steps_per_epoch=11, pct_start=0.25, anneal_strategy="linear", three_phase=True
    ),
    "SequentialLR": lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.1, total_iters=5), s.ExponentialLR(o, gamma=0.9)], milestones=[8]
    ),
    "ChainedScheduler": lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.5, total_iters=6), s.ExponentialLR(o, gamma=0.95)]
    ),
}
CYCLES_MOMENTUM = {"CyclicLR_triangular", "CyclicLR_triangular2", "CyclicLR_exp_range", "OneCycleLR_cos"}


def _state(optimizer: Any) -> list:
    return [(g["lr"], g.get("momentum"), g.get("betas")) for g in optimizer.param_groups]


def _trajectory(lib: Any, name: str, kind: str) -> list:
    optimizer = _optimizer(lib, kind)
    scheduler = SCHEDULES[name](lib.optim.lr_scheduler, optimizer)
    out = [_state(optimizer), scheduler.get_last_lr()]
    for _ in range(STEPS):
        optimizer.step()
        scheduler.step()
        out += [_state(optimizer), list(scheduler.get_last_lr())]
    return out


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_fifty_steps_match_torch(name):
    kinds = ["sgd", "adam"] if name in CYCLES_MOMENTUM else ["sgd"]
    for kind in kinds:
        assert _trajectory(mt, name, kind) == _trajectory(torch, name, kind)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_state_dict_resumes_the_schedule(name):
    def run(lib: Any) -> list:
        optimizer = _optimizer(lib)
        scheduler = SCHEDULES[name](lib.optim.lr_scheduler, optimizer)
        for _ in range(11):
            optimizer.step()
            scheduler.step()
        saved_opt, saved = optimizer.state_dict(), scheduler.state_dict()
        fresh_opt = _optimizer(lib)
        fresh = SCHEDULES[name](lib.optim.lr_scheduler, fresh_opt)
        fresh_opt.load_state_dict(saved_opt)
        fresh.load_state_dict(saved)
        out = [_state(fresh_opt)]
        for _ in range(25):
            fresh_opt.step()
            fresh.step()
            out.append(_state(fresh_opt))
        return out

    theirs = run(torch)
    assert run(mt) == theirs
    assert len({str(s) for s in theirs}) > 1 or name in ("ConstantLR",)  # the schedule moved on


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.79, 0.9, 0.9, 0.9, 0.9, 0.9]
    configs = [
        {},
        {"mode": "max", "factor": 0.5, "patience": 1, "threshold": 0.01, "threshold_mode": "abs"},
        {"patience": 0, "cooldown": 2, "min_lr": [0.02, 0.001], "eps": 1e-3},
        {"patience": 2, "threshold_mode": "abs", "threshold": 0.05, "min_lr": 0.004},
    ]

    def run(lib: Any, config: dict) -> list:
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **config)
        out = []
        for m in metrics * 2:
            optimizer.step()
            scheduler.step(m if config.get("mode") != "max" else -m)
            out.append((_state(optimizer), scheduler.get_last_lr(), scheduler.num_bad_epochs, scheduler.best))
        resumed = lib.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(lib), **config)
        resumed.load_state_dict(scheduler.state_dict())
        out.append((resumed.best, resumed.cooldown_counter, resumed.mode_worse))
        return out

    for config in configs:
        assert run(mt, config) == run(torch, config)


def test_closed_form_with_an_epoch_argument_matches_torch():
    def run(lib: Any) -> list:
        out = []
        for make in (
            lambda s, o: s.StepLR(o, 4, 0.5),
            lambda s, o: s.MultiStepLR(o, [3, 9], 0.1),
            lambda s, o: s.LinearLR(o, 0.5, 1.0, 6),
            lambda s, o: s.ExponentialLR(o, 0.8),
            lambda s, o: s.CosineAnnealingLR(o, 10),
            lambda s, o: s.PolynomialLR(o, 8, 2.0),
            lambda s, o: s.ConstantLR(o, 0.5, 4),
            lambda s, o: s.CosineAnnealingWarmRestarts(o, 3, 2),
            lambda s, o: s.LambdaLR(o, lambda e: 1 / (e + 1)),
        ):
            optimizer = _optimizer(lib)
            scheduler = make(lib.optim.lr_scheduler, optimizer)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for epoch in (
                    5,
                    2,
                    11,
                    7.5 if isinstance(scheduler, lib.optim.lr_scheduler.CosineAnnealingWarmRestarts) else 7,
                ):
                    optimizer.step()
                    scheduler.step(epoch)
                    out.append(_state(optimizer))
            out.append(sorted({str(w.message)[:40] for w in caught}))
        return out

    assert run(mt) == run(torch)


def _warnings_of(call: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [f"{w.category.__name__}: {w.message}" for w in caught]


def test_warnings_match_torch():
    def run(lib: Any) -> list:
        s = lib.optim.lr_scheduler
        out = []
        optimizer = _optimizer(lib)
        scheduler = s.StepLR(optimizer, 2)
        out.append(_warnings_of(scheduler.step))  # before any optimizer.step()
        out.append(_warnings_of(scheduler.get_lr))  # outside step
        optimizer = _optimizer(lib)
        scheduler = s.ExponentialLR(optimizer, 0.5)
        out.append(_warnings_of(lambda: (optimizer.step(), scheduler.step())))  # the right order: none
        optimizer = _optimizer(lib)
        scheduler = s.ExponentialLR(optimizer, 0.5)
        optimizer.step = lambda closure=None: None  # replaced after the scheduler wrapped it
        out.append(_warnings_of(scheduler.step))
        return out

    assert run(mt) == run(torch)


def test_errors_match_torch():
    def run(lib: Any) -> list:
        s = lib.optim.lr_scheduler
        o = _optimizer(lib)
        calls = [
            lambda: s.StepLR("not an optimizer", 3),
            lambda: s.StepLR(o, 3, last_epoch=4),
            lambda: s.LambdaLR(o, [lambda e: 1.0]),
            lambda: s.MultiplicativeLR(o, [1.0, 2.0]),
            lambda: s.ConstantLR(o, factor=1.5),
            lambda: s.LinearLR(o, start_factor=0),
            lambda: s.LinearLR(o, end_factor=1.5),
            lambda: s.CosineAnnealingWarmRestarts(o, T_0=0),
            lambda: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
            lambda: s.CyclicLR(o, 0.1, 0.2, mode="sawtooth"),
            lambda: s.CyclicLR(o, [0.1], 0.2),
            lambda: s.CyclicLR(lib.optim.Optimizer([lib.nn.Parameter(lib.zeros(1))], {"lr": 0.1}), 0.1, 0.2),
            lambda: s.OneCycleLR(o, 0.1),
            lambda: s.OneCycleLR(o, 0.1, total_steps=0),
            lambda: s.OneCycleLR(o, 0.1, total_steps=10, pct_start=1),
            lambda: s.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="cubic"),
            lambda: s.ReduceLROnPlateau(o, factor=1.0),
            lambda: s.ReduceLROnPlateau(o, mode="up"),
            lambda: s.ReduceLROnPlateau(o, threshold_mode="both"),
            lambda: s.ReduceLROnPlateau(o, min_lr=[0.1]),
            lambda: s.SequentialLR(o, [], []),
            lambda: s.SequentialLR(o, [s.StepLR(o, 2), s.StepLR(o, 3)], milestones=[]),
            lambda: s.ChainedScheduler([s.StepLR(o, 2), s.ReduceLROnPlateau(o)]),
            lambda: s.ChainedScheduler([]),
        ]
        return [raised(c) for c in calls]

    assert run(mt) == run(torch)


def test_one_cycle_refuses_to_step_past_its_end():
    def run(lib: Any) -> Any:
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=3)
        for _ in range(3):
            optimizer.step()
            scheduler.step()
        return raised(scheduler.step)

    assert run(mt) == run(torch)


def test_cosine_schedule_by_hand():
    optimizer = _optimizer(mt)
    scheduler = mt.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    lrs = []
    for _ in range(4):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    expected = [0.05 * (1 + math.cos(math.pi * t / 4)) for t in range(1, 5)]
    assert lrs == pytest.approx(expected, abs=1e-15)
