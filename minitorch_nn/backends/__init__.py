"""torch.backends: the switches programs set for the libraries under torch, and the deterministic mode.

Programs written for torch set these without checking them (``cudnn.benchmark = True`` before
training, ``torch.backends.mps.is_available()`` to pick a device, ``use_deterministic_algorithms``
for reproducible runs), so they must exist and hold what is set. minitorch_nn links neither cuDNN
nor Metal, so those report themselves unavailable and their flags change nothing; every kernel
here is deterministic already (no atomics, fixed summation orders), so deterministic mode only
records the setting.
"""

from __future__ import annotations

from . import cudnn, mps


class _DeterministicState:
    enabled: bool = False
    warn_only: bool = False


_deterministic = _DeterministicState()


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms (here: all of them are), as torch's switch of the same name."""
    if not isinstance(mode, bool):
        raise TypeError(
            f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not {type(mode).__name__}"
        )
    _deterministic.enabled, _deterministic.warn_only = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic.enabled


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic.warn_only


__all__ = [
    "are_deterministic_algorithms_enabled",
    "cudnn",
    "is_deterministic_algorithms_warn_only_enabled",
    "mps",
    "use_deterministic_algorithms",
]
