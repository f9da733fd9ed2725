"""Sliding blocks: unfold (im2col) and fold (col2im), each the other's adjoint."""

from __future__ import annotations

__all__: list[str] = []

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
