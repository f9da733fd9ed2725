"""One declarative table of ops and modules: tests, ``check`` and ``bench`` iterate over it.

Like PyTorch's OpInfo: each entry names the call (written once against the
torch API, run with ``lib = minitorch_nn`` and ``lib = torch``), a hypothesis
strategy drawing its inputs and arguments, its tolerances, and its benchmark
shapes (the grad_fn names are checked against torch's on every sample). A new op is added in one family file
here and is at once tested, checked and timed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class BenchCase:
    """A shape to time: ``make(rng) -> Sample`` of fixed shapes."""

    label: str
    make: Callable[[np.random.Generator], Any]


@dataclass(frozen=True)
class OpInfo:
    name: str
    call: Callable[..., Any]  # call(lib, *tensors, **kwargs)
    sample: Callable[[], Any]  # () -> hypothesis strategy of reference.compare.Sample
    tolerances: dict | None = None  # {np.dtype: (rtol, atol)}; None: reference.compare defaults
    gradcheck: bool = True  # False only where no gradient exists (e.g. argmax)
    bench: tuple[BenchCase, ...] = field(default_factory=tuple)


FAMILIES = (
    "arithmetic",
    "comparison",
    "reduction",
    "shape",
    "indexing",
    "matmul",
    "activation",
    "loss",
    "conv",
    "padding",
    "pooling",
    "normalization",
    "unary",
    "binary",
    "scan",
    "sorting",
    "scatter",
    "products",
    "embedding",
    "sampling",
    "fold",
    "spectral",
    "bilinear",
    "instancenorm",
    "likelihood_loss",
    "margin_loss",
    "distance",
    "ctc",
    "recurrent",
    "attention",
    "tensor_api",
    "special",
    "statistics",
    "linalg",
)


def all_ops() -> list[OpInfo]:
    """Every registered op, in family order."""
    ops: list[OpInfo] = []
    for family in FAMILIES:
        module = importlib.import_module(f"{__name__}.{family}")
        ops.extend(module.OPS)
    return ops


def op(name: str) -> OpInfo:
    for info in all_ops():
        if info.name == name:
            return info
    raise KeyError(name)
