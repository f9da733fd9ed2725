"""Scans along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp."""

from __future__ import annotations

__all__: list[str] = []

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
