"""torch.set_default_dtype / get_default_dtype: what every float-making path gives, against torch."""

from __future__ import annotations

from typing import Any

import torch

import minitorch_nn as mt
from reference.compare import raised

EXPRESSIONS = [
    lambda t: t.tensor([1.5]),
    lambda t: t.ones(2),
    lambda t: t.zeros(2, 3),
    lambda t: t.empty(2),
    lambda t: t.full((2,), 1.5),
    lambda t: t.eye(2),
    lambda t: t.arange(3.0),
    lambda t: t.linspace(0, 1, 3),
    lambda t: t.randn(2),
    lambda t: t.rand(2),
    lambda t: t.normal(0.0, 1.0, (2,)),
    lambda t: t.Tensor([1, 2]),
    lambda t: t.tensor([1, 2]) * 1.5,
    lambda t: t.tensor([1, 2]) / 2,
    lambda t: t.tensor([1, 2]) ** 0.5,
    lambda t: t.tensor([1, 2]).sin(),
    lambda t: t.tensor([1, 2]).exp(),
    lambda t: t.tensor([1, 2]).reciprocal(),
    lambda t: t.tensor([1, 2]).logsumexp(0),
    lambda t: t.atan2(t.tensor([1]), t.tensor([2])),
    lambda t: t.tensor(3).float(),
    lambda t: t.nn.Linear(2, 2).weight,
    lambda t: t.nn.Conv2d(1, 2, 3).bias,
    lambda t: t.nn.BatchNorm1d(2).running_mean,
    lambda t: t.nn.Embedding(3, 2).weight,
]


def _dtypes(lib: Any, default: Any) -> list:
    previous = lib.get_default_dtype()
    lib.set_default_dtype(default)
    try:
        return [str(lib.get_default_dtype())] + [str(e(lib).dtype) for e in EXPRESSIONS]
    finally:
        lib.set_default_dtype(previous)


def test_every_float_path_follows_the_default_as_torch():
    for name in ("float64", "float32", "float16"):
        assert _dtypes(mt, getattr(mt, name)) == _dtypes(torch, getattr(torch, name)), name
    assert str(mt.tensor([1.5]).dtype) == "torch.float32"  # restored


def test_only_floating_types_can_be_the_default():
    for name in ("int64", "bool", "uint8"):
        assert raised(lambda n=name: mt.set_default_dtype(getattr(mt, n))) == raised(
            lambda n=name: torch.set_default_dtype(getattr(torch, n))
        )
    assert mt.get_default_dtype() == mt.float32
