"""Convolution layers: Conv1d, Conv2d, Conv3d and ConvTranspose1d, ConvTranspose2d, ConvTranspose3d.

Weight (out_channels, in_channels / groups, *kernel_size), bias (out_channels,); the
transposed layers hold it as (in_channels, out_channels / groups, *kernel_size), so
their fan_in (torch's, from dim 1) is out_channels / groups * prod(kernel_size).
Default initialisation is torch's: ``kaiming_uniform_(W, a=sqrt(5))`` gives
W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels / groups *
prod(kernel_size), and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

padding_mode 'zeros' pads inside the convolution; 'reflect', 'replicate' and
'circular' pad first with F.pad (so the graph shows the pad's own backward node,
as in torch) and then convolve without padding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd.tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import _factory_dtype
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(value: Any, n: int) -> tuple:
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * n


class _ConvNd(Module):
    """What Conv1d/2d/3d share; ``_dims`` is the number of spatial dims."""

    _dims = 0
    __constants__ = ("stride", "padding", "dilation", "groups", "padding_mode", "output_padding", "in_channels")

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        d = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size, stride, dilation = _ntuple(kernel_size, d), _ntuple(stride, d), _ntuple(dilation, d)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, d)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                "padding_mode must be one of {'zeros', 'replicate', 'reflect', 'circular'}, but got "
                f"padding_mode={padding_mode!r}"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = False
        self.output_padding = (0,) * d
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's argument: (front, back) pairs from the last dim backwards
        if isinstance(padding, str):
            pads: list[int] = [0, 0] * d
            if padding == "same":
                for k, dil, i in zip(kernel_size, dilation, range(d - 1, -1, -1)):
                    total = dil * (k - 1)
                    pads[2 * i] = total // 2
                    pads[2 * i + 1] = total - total // 2
        else:
            pads = [p for p in reversed(padding) for _ in range(2)]
        self._reversed_padding_repeated_twice = pads
        np_dtype = _factory_dtype(device, dtype)
        shape = self._weight_shape(in_channels, out_channels, groups, tuple(kernel_size))
        self.weight = Parameter(Tensor._make(np.zeros(shape, dtype=np_dtype)))
        if bias:
            self.bias = Parameter(Tensor._make(np.zeros((out_channels,), dtype=np_dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _weight_shape(self, in_channels: int, out_channels: int, groups: int, kernel_size: tuple) -> tuple:
        return (out_channels, in_channels // groups) + kernel_size

    def reset_parameters(self) -> None:
        """W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (see the module docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = (None, F.conv1d, F.conv2d, F.conv3d)[self._dims]
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_ConvNd):
    """1-d convolution over (N, C_in, L) or (C_in, L) input."""

    _dims = 1


class Conv2d(_ConvNd):
    """2-d convolution over (N, C_in, H, W) or (C_in, H, W) input."""

    _dims = 2


class Conv3d(_ConvNd):
    """3-d convolution over (N, C_in, D, H, W) or (C_in, D, H, W) input."""

    _dims = 3


class _ConvTransposeNd(_ConvNd):
    """What ConvTranspose1d/2d/3d share: only 'zeros' padding; forward(input, output_size=None)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype
        )
        self.transposed = True
        self.output_padding = _ntuple(output_padding, self._dims)

    def _weight_shape(self, in_channels: int, out_channels: int, groups: int, kernel_size: tuple) -> tuple:
        return (in_channels, out_channels // groups) + kernel_size

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:
        """output_padding, or the one that gives output_size (spatial sizes, or with batch/channel dims in front)."""
        if output_size is None:
            return self.output_padding
        d = self._dims
        lead = 2 if input.dim() == d + 2 else 1
        output_size = list(output_size)
        if len(output_size) == lead + d:
            output_size = output_size[lead:]
        if len(output_size) != d:
            raise ValueError(
                f"ConvTranspose{d}D: for {input.dim()}D input, output_size must have {d} or {lead + d} elements "
                f"(got {len(output_size)})"
            )
        low = [
            (input.shape[lead + i] - 1) * self.stride[i]
            - 2 * self.padding[i]
            + self.dilation[i] * (self.kernel_size[i] - 1)
            + 1
            for i in range(d)
        ]
        high = [m + s - 1 for m, s in zip(low, self.stride)]
        if any(not lo <= size <= hi for size, lo, hi in zip(output_size, low, high)):
            raise ValueError(
                f"requested an output size of {output_size}, but valid sizes range from {low} to {high} (for an "
                f"input of torch.Size({list(input.shape[lead:])}))"
            )
        return tuple(size - lo for size, lo in zip(output_size, low))

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        conv = (None, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[self._dims]
        output_padding = self._output_padding(input, output_size)
        return conv(
            input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation
        )


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution over (N, C_in, L) or (C_in, L) input."""

    _dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution over (N, C_in, H, W) or (C_in, H, W) input."""

    _dims = 2


class ConvTranspose3d(_ConvTransposeNd):
    """3-d transposed convolution over (N, C_in, D, H, W) or (C_in, D, H, W) input."""

    _dims = 3


__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]
