"""torch.cuda's query functions for a CPU-only engine.

``cuda.is_available()`` is False, so the usual idiom
``device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')``
picks the CPU and runs unchanged. Anything that needs a GPU raises a
RuntimeError that points to the torch path (``reference.bridge.to_torch``).
"""

from __future__ import annotations

from typing import Any

from .autograd.tensor import raise_no_cuda


def is_available() -> bool:
    """False: this engine has no CUDA backend."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def current_device() -> int:
    raise_no_cuda()


def set_device(device: Any) -> None:
    raise_no_cuda()


def get_device_name(device: Any = None) -> str:
    raise_no_cuda()


def synchronize(device: Any = None) -> None:
    raise_no_cuda()


def manual_seed(seed: int) -> None:
    """Accepted and ignored, as torch does when CUDA is absent (seeding code runs unchanged)."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored, as torch does when CUDA is absent."""


def empty_cache() -> None:
    """Nothing to free: no CUDA memory is ever allocated."""


__all__ = [
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "set_device",
    "synchronize",
]
