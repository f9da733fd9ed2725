"""torch.accelerator's queries: which accelerator this engine runs on, if any.

torch.accelerator is device-agnostic code's way to ask for "the GPU, whatever kind": on a machine
without one, ``is_available()`` is False and ``current_accelerator()`` None, so
``device = torch.accelerator.current_accelerator() or torch.device("cpu")`` picks the CPU; the calls
that need a device raise torch's RuntimeError.
"""

from __future__ import annotations

from typing import Any

from . import cuda
from .autograd.types import device

_NO_DEVICE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """True when this engine can run on an accelerator (its CUDA backend on a GPU)."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """The accelerator's device type as a ``torch.device`` (``device('cuda')``), or None without one."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()


def current_device_index() -> int:
    if not is_available():
        raise RuntimeError(_NO_DEVICE)
    return cuda.current_device()


current_device_idx = current_device_index


def set_device_index(device: Any) -> None:
    if not is_available():
        raise RuntimeError(_NO_DEVICE)
    cuda.set_device(device)


set_device_idx = set_device_index


def synchronize(device: Any = None) -> None:
    if not is_available():
        raise RuntimeError(_NO_DEVICE)
    cuda.synchronize(device)


__all__ = [
    "current_accelerator",
    "current_device_idx",
    "current_device_index",
    "device_count",
    "is_available",
    "set_device_idx",
    "set_device_index",
    "synchronize",
]
