"""Grad mode: whether new operations are recorded in the autograd graph.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers
and as decorators, like torch's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


class _GradState:
    enabled: bool = True


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward."""
    return _state.enabled


class _GradModeContext:
    _mode: bool

    def __enter__(self) -> None:
        self._previous = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._previous

    def __call__(self, func: _F) -> _F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):  # noqa: N801  (torch's name)
    """Disable graph recording inside the block (inference, optimizer steps)."""

    _mode = False


class enable_grad(_GradModeContext):  # noqa: N801
    """Re-enable graph recording inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set grad mode to ``mode``; takes effect at once, and is undone on exiting a ``with``."""

    def __init__(self, mode: bool) -> None:
        self._previous = _state.enabled
        self._mode = bool(mode)
        _state.enabled = self._mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._previous

    def __call__(self, func: _F) -> _F:
        _state.enabled = self._previous
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
