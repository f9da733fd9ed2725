"""Shared hypothesis strategies: shapes, broadcastable pairs, arrays, samples.

Shapes and hyper-parameters are drawn by hypothesis (so failures shrink);
array values come from a NumPy generator seeded by a drawn integer, which is
much faster than drawing every element and still reproducible.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .compare import Sample

seeds = st.integers(0, 2**31 - 1)


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5) -> st.SearchStrategy:
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


@st.composite
def broadcastable_shapes(draw: Any, n: int = 2, min_dims: int = 0, max_dims: int = 4, max_side: int = 5) -> tuple:
    """``n`` shapes that broadcast together: dims dropped from the front or set to 1."""
    full = draw(shapes(min_dims, max_dims, 1, max_side))
    out = []
    for _ in range(n):
        drop = draw(st.integers(0, len(full)))
        s = [1 if draw(st.booleans()) and draw(st.booleans()) else d for d in full[drop:]]
        out.append(tuple(s))
    return tuple(out)


def array(rng: np.random.Generator, shape: tuple[int, ...], low: float = -2.0, high: float = 2.0) -> np.ndarray:
    """Uniform float64 values in [low, high)."""
    return rng.uniform(low, high, size=shape)


def away_from(
    rng: np.random.Generator,
    shape: tuple[int, ...],
    points: tuple[float, ...] = (0.0,),
    margin: float = 0.05,
    low: float = -2.0,
    high: float = 2.0,
) -> np.ndarray:
    """Uniform values kept at least ``margin`` from each kink in ``points`` (e.g. ReLU at 0)."""
    a = rng.uniform(low, high, size=shape)
    for p in points:
        close = np.abs(a - p) < margin
        a = np.where(close, p + np.where(a >= p, margin, -margin) * 2, a)
    return a


def distinct(rng: np.random.Generator, shape: tuple[int, ...], gap: float = 1e-2) -> np.ndarray:
    """Values with no ties (at least ``gap`` apart), for max/min and max-pooling."""
    n = int(np.prod(shape, dtype=np.int64))
    values = (rng.permutation(n) - n / 2) * gap + rng.uniform(0, gap / 10, size=n)
    return values.reshape(shape)


def sample(
    inputs: tuple[np.ndarray, ...],
    kwargs: dict | None = None,
    requires_grad: tuple[bool, ...] | None = None,
    *,
    noncontiguous: bool = False,
    seed: int = 0,
) -> Sample:
    return Sample(tuple(inputs), dict(kwargs or {}), requires_grad, noncontiguous, seed)
