"""Gradient clipping: rescale (or clamp) ``.grad`` in place before the optimizer step.

``clip_grad_norm_`` treats all gradients as one long vector g: its p-norm is the p-norm of the
per-tensor p-norms, ||g||_p = || (||g_1||_p, ..., ||g_k||_p) ||_p (for p = inf, the largest
entry), and when it exceeds ``max_norm`` every gradient is multiplied by
max_norm / (||g||_p + 1e-6), so the clipped vector has norm just under max_norm. The factor is
clamped at 1: gradients that are small enough are left as they are (multiplied by exactly 1, as
torch does, so no branch hides a different rounding).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np

from ...autograd.tensor import Tensor


def _tensors(tensors: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [p.grad for p in _tensors(parameters) if p.grad is not None]


def _vector_norm(a: np.ndarray, norm_type: float) -> np.ndarray:
    """||a||_p over all elements, in a's dtype (0-d)."""
    a = np.abs(a.reshape(-1))
    if norm_type == math.inf:
        return a.max(initial=0).astype(a.dtype)
    if norm_type == -math.inf:
        return a.min(initial=np.inf).astype(a.dtype)
    if norm_type == 0:
        return np.asarray(np.count_nonzero(a), dtype=a.dtype)
    if norm_type == 1:
        return a.sum(dtype=a.dtype)
    if norm_type == 2:
        return np.sqrt(np.dot(a, a)).astype(a.dtype)
    return (np.power(a, norm_type).sum() ** (1.0 / norm_type)).astype(a.dtype)


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The norm of the norms of ``tensors`` (see the module docstring); 0 for no tensors."""
    tensors = _tensors(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._make(np.asarray(0.0, dtype=np.float32))
    norms = [_vector_norm(t._data, norm_type) for t in tensors]
    dtype = np.result_type(*norms)
    total = _vector_norm(np.stack([n.astype(dtype) for n in norms]), norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._make(np.asarray(total))


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor], max_norm: float, total_norm: Tensor, foreach: bool | None = None
) -> None:
    """Multiply every gradient by min(1, max_norm / (total_norm + 1e-6)), in place."""
    grads = _grads(parameters)
    if not grads:
        return
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coefficient = np.minimum(float(max_norm) / (total + 1e-6), 1.0)
    for g in grads:
        with np.errstate(invalid="ignore"):  # a non-finite norm scales to NaN, as torch's does
            g._data *= coefficient.astype(g._data.dtype)
        g._version_counter.value += 1


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients so that their total ``norm_type``-norm is at most ``max_norm``; returns
    the total norm before clipping."""
    parameters = _tensors(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The deprecated name of clip_grad_norm_ (torch warns, then clips)."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._version_counter.value += 1


__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]
