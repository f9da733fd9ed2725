"""Registry entries: scans along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
