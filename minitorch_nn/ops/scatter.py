"""Scatter family: scatter, scatter_add, scatter_reduce, index_add, index_copy, index_fill, masked_scatter, select/slice_scatter."""

from __future__ import annotations

__all__: list[str] = []

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
