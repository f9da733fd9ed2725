"""Registry entries: unary elementwise math: trigonometric, hyperbolic, exponential and logarithmic variants, erf, rounding."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
