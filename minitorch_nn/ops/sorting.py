"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, mode, unique."""

from __future__ import annotations

__all__: list[str] = []

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
