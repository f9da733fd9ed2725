"""Moving tensors between devices: ``.cpu()``, ``.cuda()`` and the device part of ``.to()``.

A move is an op like any other, ``ToCopyBackward0`` as in torch: the forward copies the storage
to the other device's memory (kernels/backend.py knows how), and since the copy is the
identity on values its backward is the same copy of the gradient the other way:

    y = x (on device b);   dL/dx = dL/dy (moved back to x's device)

A tensor already on the target device is returned itself, as torch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor, check_cuda_index
from ..autograd.types import device
from ..kernels import backend


class ToDevice(Function):
    r"""$y = x$ copied to another device;  $dx = dy$ copied back to x's device (a copy's Jacobian is the identity)."""

    node_name = "ToCopyBackward0"
    moves_device = True  # Function.apply leaves the output on the device forward put it

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, target: str) -> Any:
        ctx.source = backend.device_type_of(x)
        return _copy(x, target)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple:
        return _copy(grad, ctx.source), None


def _copy(array: Any, target: str) -> Any:
    return backend.to_device(array) if target == "cuda" else backend.to_host(array)


def to_device(input: Tensor, target: Any) -> Tensor:
    """``input`` on device ``target`` (itself when it is there already)."""
    target = device(target)
    if target.type == "cuda":
        check_cuda_index(target)
    elif target.type != "cpu":
        raise RuntimeError(f"minitorch_nn has no {target.type} backend")
    if input.device.type == target.type:
        return input
    return ToDevice.apply(input, target.type)


def cpu(self: Tensor, memory_format: Any = None) -> Tensor:
    """A copy in host memory (the tensor itself when it is there)."""
    return to_device(self, "cpu")


def cuda(self: Tensor, device: Any = None, non_blocking: bool = False, memory_format: Any = None) -> Tensor:
    """A copy on the GPU, cuda:0 (the tensor itself when it is there); raises without a CUDA backend."""
    if isinstance(device, int):
        device = f"cuda:{device}"
    return to_device(self, "cuda" if device is None else device)


__all__: list[str] = []

TENSOR_METHODS = {"cpu": cpu, "cuda": cuda}
