"""The hyper-parameter checks every optimizer's constructor runs, with torch's messages."""

from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor


def check_lr(lr: Any) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonnegative(label: str, value: float) -> None:
    """``Invalid <label>: value`` unless value >= 0 (label as torch words it, e.g. 'epsilon value')."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label}: {value}")


def check_betas(betas: tuple[float, float]) -> None:
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def check_fused(fused: bool | None, foreach: bool | None, differentiable: bool) -> None:
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
