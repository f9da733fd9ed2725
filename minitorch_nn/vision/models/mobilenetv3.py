"""MobileNetV3 (Howard et al. 2019), Large and Small.

The V2 inverted residual with three changes found by architecture search: 5x5 depthwise
kernels in places, a squeeze-and-excitation gate (Hardsigmoid) after the depthwise conv in
some blocks, and Hardswish instead of ReLU in the later blocks. The configs below list, per
block: input channels, kernel, expanded channels, output channels, SE, activation ("RE" ReLU /
"HS" Hardswish), stride, dilation. BatchNorm uses eps=0.001, momentum=0.01 (the TF reference's).
Initialisation as MobileNetV2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ... import flatten, nn
from ...autograd.tensor import Tensor
from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ._utils import _build, _make_divisible

__all__ = ["MobileNetV3", "mobilenet_v3_large", "mobilenet_v3_small"]


class InvertedResidualConfig:
    """One block's settings, channels scaled by ``width_mult`` and rounded to multiples of 8."""

    def __init__(
        self,
        input_channels: int,
        kernel: int,
        expanded_channels: int,
        out_channels: int,
        use_se: bool,
        activation: str,
        stride: int,
        dilation: int,
        width_mult: float,
    ) -> None:
        self.input_channels = self.adjust_channels(input_channels, width_mult)
        self.kernel = kernel
        self.expanded_channels = self.adjust_channels(expanded_channels, width_mult)
        self.out_channels = self.adjust_channels(out_channels, width_mult)
        self.use_se = use_se
        self.use_hs = activation == "HS"
        self.stride = stride
        self.dilation = dilation

    @staticmethod
    def adjust_channels(channels: int, width_mult: float) -> int:
        return _make_divisible(channels * width_mult, 8)


# MobileNetV3's SE gate: ReLU inside, Hardsigmoid (cheaper than Sigmoid) as the gate.
_HARDSIGMOID_SE = partial(SqueezeExcitation, scale_activation=nn.Hardsigmoid)


class InvertedResidual(nn.Module):
    """[1x1 expand] -> depthwise kxk -> [SE] -> 1x1 project (no activation), + input where shapes agree."""

    def __init__(
        self,
        cnf: InvertedResidualConfig,
        norm_layer: Callable[..., nn.Module],
        se_layer: Callable[..., nn.Module] = _HARDSIGMOID_SE,
    ) -> None:
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        activation_layer = nn.Hardswish if cnf.use_hs else nn.ReLU

        layers: list[nn.Module] = []
        if cnf.expanded_channels != cnf.input_channels:
            layers.append(
                Conv2dNormActivation(
                    cnf.input_channels,
                    cnf.expanded_channels,
                    kernel_size=1,
                    norm_layer=norm_layer,
                    activation_layer=activation_layer,
                )
            )
        layers.append(
            Conv2dNormActivation(
                cnf.expanded_channels,
                cnf.expanded_channels,
                kernel_size=cnf.kernel,
                stride=1 if cnf.dilation > 1 else cnf.stride,
                dilation=cnf.dilation,
                groups=cnf.expanded_channels,
                norm_layer=norm_layer,
                activation_layer=activation_layer,
            )
        )
        if cnf.use_se:
            layers.append(se_layer(cnf.expanded_channels, _make_divisible(cnf.expanded_channels // 4, 8)))
        layers.append(
            Conv2dNormActivation(
                cnf.expanded_channels, cnf.out_channels, kernel_size=1, norm_layer=norm_layer, activation_layer=None
            )
        )
        self.block = nn.Sequential(*layers)
        self.out_channels = cnf.out_channels
        self._is_cn = cnf.stride > 1

    def forward(self, input: Tensor) -> Tensor:
        result = self.block(input)
        return result + input if self.use_res_connect else result


class MobileNetV3(nn.Module):
    def __init__(
        self,
        inverted_residual_setting: list[InvertedResidualConfig],
        last_channel: int,
        num_classes: int = 1000,
        block: Callable[..., nn.Module] | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
        dropout: float = 0.2,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (
            isinstance(inverted_residual_setting, Sequence)
            and all(isinstance(s, InvertedResidualConfig) for s in inverted_residual_setting)
        ):
            raise TypeError("The inverted_residual_setting should be List[InvertedResidualConfig]")
        if block is None:
            block = InvertedResidual
        if norm_layer is None:
            norm_layer = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)

        first_channels = inverted_residual_setting[0].input_channels
        layers: list[nn.Module] = [
            Conv2dNormActivation(
                3, first_channels, kernel_size=3, stride=2, norm_layer=norm_layer, activation_layer=nn.Hardswish
            )
        ]
        layers += [block(cnf, norm_layer) for cnf in inverted_residual_setting]
        last_in = inverted_residual_setting[-1].out_channels
        last_out = 6 * last_in
        layers.append(
            Conv2dNormActivation(last_in, last_out, kernel_size=1, norm_layer=norm_layer, activation_layer=nn.Hardswish)
        )
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(last_out, last_channel),
            nn.Hardswish(inplace=True),
            nn.Dropout(p=dropout, inplace=True),
            nn.Linear(last_channel, num_classes),
        )

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def _forward_impl(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self._forward_impl(x)


def _mobilenet_v3_conf(
    arch: str, width_mult: float = 1.0, reduced_tail: bool = False, dilated: bool = False, **kwargs: Any
) -> tuple[list[InvertedResidualConfig], int]:
    """The block list and penultimate width of ``arch``; ``reduced_tail`` halves the last stage,
    ``dilated`` replaces its stride by dilation 2 (both for segmentation backbones)."""
    reduce_divider = 2 if reduced_tail else 1
    dilation = 2 if dilated else 1
    bneck = partial(InvertedResidualConfig, width_mult=width_mult)
    tail = 160 // reduce_divider if arch == "mobilenet_v3_large" else 96 // reduce_divider
    if arch == "mobilenet_v3_large":
        wide = 960 // reduce_divider
        setting = [
            bneck(16, 3, 16, 16, False, "RE", 1, 1),
            bneck(16, 3, 64, 24, False, "RE", 2, 1),
            bneck(24, 3, 72, 24, False, "RE", 1, 1),
            bneck(24, 5, 72, 40, True, "RE", 2, 1),
            bneck(40, 5, 120, 40, True, "RE", 1, 1),
            bneck(40, 5, 120, 40, True, "RE", 1, 1),
            bneck(40, 3, 240, 80, False, "HS", 2, 1),
            bneck(80, 3, 200, 80, False, "HS", 1, 1),
            bneck(80, 3, 184, 80, False, "HS", 1, 1),
            bneck(80, 3, 184, 80, False, "HS", 1, 1),
            bneck(80, 3, 480, 112, True, "HS", 1, 1),
            bneck(112, 3, 672, 112, True, "HS", 1, 1),
            bneck(112, 5, 672, tail, True, "HS", 2, dilation),
            bneck(tail, 5, wide, tail, True, "HS", 1, dilation),
            bneck(tail, 5, wide, tail, True, "HS", 1, dilation),
        ]
        last_channel = InvertedResidualConfig.adjust_channels(1280 // reduce_divider, width_mult)
    elif arch == "mobilenet_v3_small":
        wide = 576 // reduce_divider
        setting = [
            bneck(16, 3, 16, 16, True, "RE", 2, 1),
            bneck(16, 3, 72, 24, False, "RE", 2, 1),
            bneck(24, 3, 88, 24, False, "RE", 1, 1),
            bneck(24, 5, 96, 40, True, "HS", 2, 1),
            bneck(40, 5, 240, 40, True, "HS", 1, 1),
            bneck(40, 5, 240, 40, True, "HS", 1, 1),
            bneck(40, 5, 120, 48, True, "HS", 1, 1),
            bneck(48, 5, 144, 48, True, "HS", 1, 1),
            bneck(48, 5, 288, tail, True, "HS", 2, dilation),
            bneck(tail, 5, wide, tail, True, "HS", 1, dilation),
            bneck(tail, 5, wide, tail, True, "HS", 1, dilation),
        ]
        last_channel = InvertedResidualConfig.adjust_channels(1024 // reduce_divider, width_mult)
    else:
        raise ValueError(f"Unsupported model type {arch}")
    return setting, last_channel


def _mobilenet_v3(arch: str, **kwargs: Any) -> MobileNetV3:
    setting, last_channel = _mobilenet_v3_conf(arch, **kwargs)
    return MobileNetV3(setting, last_channel, **kwargs)


def mobilenet_v3_large(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> MobileNetV3:
    return _build("mobilenet_v3_large", weights, progress, kwargs, partial(_mobilenet_v3, "mobilenet_v3_large"))


def mobilenet_v3_small(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> MobileNetV3:
    return _build("mobilenet_v3_small", weights, progress, kwargs, partial(_mobilenet_v3, "mobilenet_v3_small"))
