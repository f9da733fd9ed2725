"""F.batch_norm: torch's argument checks, then one call into ``ops/normalization.py``.

The math (forward, running-statistics update, and the backward through the
batch mean and variance) is derived in ``minitorch_nn/ops/normalization.py``.
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from ...autograd.types import Size
from ...ops import normalization as _ops


def _check_channel_vector(name: str, t: Tensor | None, channels: int) -> None:
    if t is not None and t.numel() != channels:
        raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel of ``input`` (N, C, *) by batch (training) or running statistics.

    In training mode ``running_mean``/``running_var`` (when given) are updated
    in place with ``momentum``; in evaluation mode they are required and used.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"batch_norm(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if momentum is None or isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
        raise TypeError(f"batch_norm(): argument 'momentum' (position 7) must be float, not {type(momentum).__name__}")
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.dim()}D input)")
    if training:
        shape = input._data.shape
        if int(np.prod(shape, dtype=np.int64)) // shape[1] == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {Size(shape)}")
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if not training and (running_mean is None or running_var is None):
        name = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{name} must be defined in evaluation mode")
    channels = input._data.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        _check_channel_vector(name, t, channels)
    return _ops.batch_norm(input, running_mean, running_var, weight, bias, bool(training), float(momentum), eps)


__all__ = ["batch_norm"]
