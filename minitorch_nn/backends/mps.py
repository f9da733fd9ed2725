"""torch.backends.mps: Apple's Metal device, which minitorch_nn does not build for."""

from __future__ import annotations


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
