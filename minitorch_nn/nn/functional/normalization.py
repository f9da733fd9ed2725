"""F.batch_norm, F.layer_norm, F.group_norm, F.rms_norm: torch's argument checks, then ops.

The math (forward, running-statistics update, and the backward through the
batch, row or group mean and variance) is derived in ``minitorch_nn/ops/normalization.py``.
``rms_norm`` is composed of elementwise ops, as torch composes it (its graph ends in a Mul).
"""

from __future__ import annotations

from typing import Any

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


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then scale by ``weight`` and shift by ``bias``."""
    if isinstance(normalized_shape, int) and not isinstance(normalized_shape, bool):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    return _ops.native_layer_norm(input, tuple(normalized_shape), weight, bias, eps)[0]


def group_norm(
    input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5
) -> Tensor:
    """Normalise each of ``num_groups`` channel groups of (N, C, *) input per sample, then the per-channel affine."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    shape = tuple(input.shape)
    n, c = shape[0], shape[1]
    # torch's batch-size check: more than one value per (sample, group) pair; it divides by num_groups first
    size = [n * c // num_groups, num_groups, *shape[2:]]
    if int(np.prod([size[0], *size[2:]], dtype=np.int64)) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(shape)} and num_groups={num_groups}"
        )
    # torch's message for a bad bias prints the weight's shape ([0] when there is no weight); so does ours
    weight_shape = [0] if weight is None else list(weight.shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in input, but got "
                f"{name} of shape {weight_shape} and input of shape {list(shape)}"
            )
    hxw = int(np.prod(shape[2:], dtype=np.int64))
    # torch's group_norm hands native_group_norm a contiguous input (a CloneBackward0 edge when it copies)
    return _ops.native_group_norm(input.contiguous(), weight, bias, n, c, hxw, num_groups, eps)[0]


_SCALAR = {"int64": "Long", "int32": "Int", "bool": "Bool", "int16": "Short", "int8": "Char", "uint8": "Byte"}


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """y = x / sqrt(mean(x^2) + eps) * weight over the trailing dims (eps defaults to the dtype's machine epsilon).

    Composed of elementwise and reduction ops (each with its own backward), the graph torch builds.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if input.dim() < k or tuple(input.shape[input.dim() - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*{', '.join(map(str, shape))}], "
            f"but got input of size{list(input.shape)}"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(
            f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {list(shape)}"
        )
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"rms_norm\" not implemented for '{_SCALAR.get(input._data.dtype.name, input._data.dtype.name)}'"
        )
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.dim() - k, input.dim()))
    out = input * ((input * input).mean(dims, keepdim=True) + eps) ** -0.5
    return out if weight is None else out * weight


__all__ = ["batch_norm", "group_norm", "layer_norm", "rms_norm"]
