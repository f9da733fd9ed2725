"""Grad mode: whether new operations are recorded in the autograd graph.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context
managers and as decorators, like torch's (``@no_grad``, ``@enable_grad`` and
``@inference_mode`` with or without the call parentheses).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


class _GradState:
    enabled: bool = True
    inference: bool = False


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (and not inside a nested ``inference_mode(False)``)."""
    return _state.inference


class _GradModeContext:
    _mode: bool

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        # torch lets ``@no_grad`` decorate without the parentheses: the class is then called with the function
        self = super().__new__(cls)
        return self if orig_func is None else self(orig_func)

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

    def __new__(cls, mode: bool) -> set_grad_enabled:
        return object.__new__(cls)

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


class inference_mode(_GradModeContext):  # noqa: N801
    """``no_grad`` for code that only evaluates: nothing inside is recorded. As torch's C++ guard
    does, ``inference_mode(mode)`` sets grad mode to ``not mode``, so ``inference_mode(False)``
    nested inside turns recording back on. torch also marks the tensors made inside as inference
    tensors that autograd later refuses; here they are ordinary tensors that do not require grad."""

    def __new__(cls, mode: bool | Callable[..., Any] = True) -> Any:
        self = object.__new__(cls)
        if callable(mode):  # ``@inference_mode`` without parentheses
            self.__init__(True)
            return self(mode)
        return self

    def __init__(self, mode: bool | Callable[..., Any] = True) -> None:
        if not callable(mode):
            self._inference = bool(mode)

    def __enter__(self) -> None:
        self._previous = (_state.enabled, _state.inference)
        _state.enabled, _state.inference = not self._inference, self._inference

    def __exit__(self, *exc: object) -> None:
        _state.enabled, _state.inference = self._previous

    def __call__(self, func: _F) -> _F:
        inference = self._inference

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(inference):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
