"""Conv2dNormActivation, SqueezeExcitation and Permute, as torchvision.ops.misc builds them.

Conv2dNormActivation is a Sequential (conv, norm, activation), so its
children are keyed "0", "1", "2" and a torchvision state_dict's
``features.0.1.running_mean`` lands where it should. The conv has a bias only
when there is no norm layer after it (a BatchNorm's shift would cancel it).
"""

from __future__ import annotations

from collections.abc import Callable

from ... import nn, permute
from ...autograd.tensor import Tensor


class Conv2dNormActivation(nn.Sequential):
    """Conv2d -> norm_layer -> activation_layer; padding defaults to "same" for odd kernels:
    ``(kernel_size - 1) // 2 * dilation``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int] = 3,
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str | None = None,
        groups: int = 1,
        norm_layer: Callable[..., nn.Module] | None = nn.BatchNorm2d,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        dilation: int | tuple[int, int] = 1,
        inplace: bool | None = True,
        bias: bool | None = None,
    ) -> None:
        if padding is None:
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                kernel_pair = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
                dilation_pair = (dilation, dilation) if isinstance(dilation, int) else tuple(dilation)
                padding = tuple((k - 1) // 2 * d for k, d in zip(kernel_pair, dilation_pair))
        if bias is None:
            bias = norm_layer is None
        layers: list[nn.Module] = [
            nn.Conv2d(
                in_channels, out_channels, kernel_size, stride, padding, dilation=dilation, groups=groups, bias=bias
            )
        ]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer() if inplace is None else activation_layer(inplace=inplace))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(nn.Module):
    """Channel gating (Hu et al. 2017): ``x * sigma(fc2(delta(fc1(avgpool(x)))))``.

    fc1 / fc2 are 1x1 convolutions (with bias), as in torchvision, so the keys read
    ``fc1.weight``; the gate broadcasts over the spatial dims.
    """

    def __init__(
        self,
        input_channels: int,
        squeeze_channels: int,
        activation: Callable[..., nn.Module] = nn.ReLU,
        scale_activation: Callable[..., nn.Module] = nn.Sigmoid,
    ) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input: Tensor) -> Tensor:
        scale = self.fc1(self.avgpool(input))
        scale = self.fc2(self.activation(scale))
        return self.scale_activation(scale)

    def forward(self, input: Tensor) -> Tensor:
        return self._scale(input) * input


class Permute(nn.Module):
    """``permute(x, dims)`` as a layer, so a Sequential can switch between NCHW and NHWC (ConvNeXt's block)."""

    def __init__(self, dims: list[int]) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: Tensor) -> Tensor:
        return permute(x, self.dims)
