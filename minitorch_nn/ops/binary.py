"""Binary elementwise math: atan2, fmod, remainder, hypot, copysign, lerp, logical and bitwise ops."""

from __future__ import annotations

__all__: list[str] = []

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
