"""Padding modules: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and CircularPad, 1-d to 3-d.

Each stores its padding as a tuple of 2k ints (a single int is repeated, as
torch's _pair / _quadruple / _ntuple(6)) and calls F.pad; no parameters.
"""

from __future__ import annotations

from typing import Any

from ...autograd.tensor import Tensor
from .. import functional as F
from .module import Module


def _ntuple(value: Any, n: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class _ConstantPadNd(Module):
    _sides = 2

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__()
        self.value = value
        self.padding = _ntuple(padding, self._sides)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _sides = 2


class ConstantPad2d(_ConstantPadNd):
    _sides = 4


class ConstantPad3d(_ConstantPadNd):
    _sides = 6


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _GatherPadNd(Module):
    """Reflection, replication and circular padding: F.pad in ``mode``."""

    _sides = 2
    mode = ""

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _ntuple(padding, self._sides)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_GatherPadNd):
    _sides, mode = 2, "reflect"


class ReflectionPad2d(_GatherPadNd):
    _sides, mode = 4, "reflect"


class ReflectionPad3d(_GatherPadNd):
    _sides, mode = 6, "reflect"


class ReplicationPad1d(_GatherPadNd):
    _sides, mode = 2, "replicate"


class ReplicationPad2d(_GatherPadNd):
    _sides, mode = 4, "replicate"


class ReplicationPad3d(_GatherPadNd):
    _sides, mode = 6, "replicate"


class _CircularPadNd(_GatherPadNd):
    mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        k = self._sides // 2
        if input.dim() not in (k + 1, k + 2):
            raise ValueError(f"expected {k + 1}D or {k + 2}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    _sides = 2


class CircularPad2d(_CircularPadNd):
    _sides = 4


class CircularPad3d(_CircularPadNd):
    _sides = 6


__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]
