"""EfficientNet-B0 (Tan & Le 2019), torchvision's EfficientNet class with MBConv blocks.

An MBConv block is MobileNetV2's inverted residual with SiLU activations and a
squeeze-and-excitation gate (squeezing to a quarter of the block's *input* channels); the
residual branch of block i (of n) is dropped per sample with stochastic depth probability
``stochastic_depth_prob * i / n`` while training. The config lists per stage: expansion,
kernel, stride, input channels, output channels, repeats; ``width_mult`` / ``depth_mult``
scale channels and repeats (B0 is 1.0 / 1.0). Initialisation as torchvision: convs
kaiming_normal_(fan_out), norms 1 / 0, Linear uniform(+-1/sqrt(out_features)) with zero bias.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ... import flatten, nn
from ...autograd.tensor import Tensor
from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..ops.stochastic_depth import StochasticDepth
from ._utils import _build, _make_divisible

__all__ = ["EfficientNet", "MBConvConfig", "efficientnet_b0"]


class MBConvConfig:
    """One stage's settings, channels scaled by ``width_mult`` (multiples of 8), repeats by ``depth_mult`` (ceil)."""

    def __init__(
        self,
        expand_ratio: float,
        kernel: int,
        stride: int,
        input_channels: int,
        out_channels: int,
        num_layers: int,
        width_mult: float = 1.0,
        depth_mult: float = 1.0,
        block: Callable[..., nn.Module] | None = None,
    ) -> None:
        self.expand_ratio = expand_ratio
        self.kernel = kernel
        self.stride = stride
        self.input_channels = self.adjust_channels(input_channels, width_mult)
        self.out_channels = self.adjust_channels(out_channels, width_mult)
        self.num_layers = self.adjust_depth(num_layers, depth_mult)
        self.block = MBConv if block is None else block

    @staticmethod
    def adjust_channels(channels: int, width_mult: float, min_value: int | None = None) -> int:
        return _make_divisible(channels * width_mult, 8, min_value)

    @staticmethod
    def adjust_depth(num_layers: int, depth_mult: float) -> int:
        return int(math.ceil(num_layers * depth_mult))


class MBConv(nn.Module):
    """[1x1 expand] -> depthwise kxk -> SE -> 1x1 project; + stochastic_depth(branch) where shapes agree."""

    def __init__(
        self,
        cnf: MBConvConfig,
        stochastic_depth_prob: float,
        norm_layer: Callable[..., nn.Module],
        se_layer: Callable[..., nn.Module] = SqueezeExcitation,
    ) -> None:
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)

        layers: list[nn.Module] = []
        if expanded_channels != cnf.input_channels:
            layers.append(
                Conv2dNormActivation(
                    cnf.input_channels,
                    expanded_channels,
                    kernel_size=1,
                    norm_layer=norm_layer,
                    activation_layer=nn.SiLU,
                )
            )
        layers.append(
            Conv2dNormActivation(
                expanded_channels,
                expanded_channels,
                kernel_size=cnf.kernel,
                stride=cnf.stride,
                groups=expanded_channels,
                norm_layer=norm_layer,
                activation_layer=nn.SiLU,
            )
        )
        squeeze_channels = max(1, cnf.input_channels // 4)
        layers.append(se_layer(expanded_channels, squeeze_channels, activation=partial(nn.SiLU, inplace=True)))
        layers.append(
            Conv2dNormActivation(
                expanded_channels, cnf.out_channels, kernel_size=1, norm_layer=norm_layer, activation_layer=None
            )
        )
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input: Tensor) -> Tensor:
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result


class EfficientNet(nn.Module):
    def __init__(
        self,
        inverted_residual_setting: Sequence[MBConvConfig],
        dropout: float,
        stochastic_depth_prob: float = 0.2,
        num_classes: int = 1000,
        norm_layer: Callable[..., nn.Module] | None = None,
        last_channel: int | None = None,
    ) -> None:
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (
            isinstance(inverted_residual_setting, Sequence)
            and all(isinstance(s, MBConvConfig) for s in inverted_residual_setting)
        ):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d

        layers: list[nn.Module] = [
            Conv2dNormActivation(
                3,
                inverted_residual_setting[0].input_channels,
                kernel_size=3,
                stride=2,
                norm_layer=norm_layer,
                activation_layer=nn.SiLU,
            )
        ]
        total_stage_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
        stage_block_id = 0
        for cnf in inverted_residual_setting:
            stage: list[nn.Module] = []
            for _ in range(cnf.num_layers):
                block_cnf = copy.copy(cnf)
                if stage:  # the stage's later blocks keep its width and resolution
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1
                sd_prob = stochastic_depth_prob * float(stage_block_id) / total_stage_blocks
                stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                stage_block_id += 1
            layers.append(nn.Sequential(*stage))
        last_in = inverted_residual_setting[-1].out_channels
        last_out = last_channel if last_channel is not None else 4 * last_in
        layers.append(
            Conv2dNormActivation(last_in, last_out, kernel_size=1, norm_layer=norm_layer, activation_layer=nn.SiLU)
        )
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(last_out, num_classes))

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                init_range = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -init_range, init_range)
                nn.init.zeros_(m.bias)

    def _forward_impl(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self._forward_impl(x)


def _efficientnet_conf(width_mult: float, depth_mult: float) -> list[MBConvConfig]:
    bneck = partial(MBConvConfig, width_mult=width_mult, depth_mult=depth_mult)
    return [
        bneck(1, 3, 1, 32, 16, 1),
        bneck(6, 3, 2, 16, 24, 2),
        bneck(6, 5, 2, 24, 40, 2),
        bneck(6, 3, 2, 40, 80, 3),
        bneck(6, 5, 1, 80, 112, 3),
        bneck(6, 5, 2, 112, 192, 4),
        bneck(6, 3, 1, 192, 320, 1),
    ]


def _efficientnet_b0(**kwargs: Any) -> EfficientNet:
    dropout = kwargs.pop("dropout", 0.2)
    return EfficientNet(_efficientnet_conf(1.0, 1.0), dropout, last_channel=None, **kwargs)


def efficientnet_b0(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> EfficientNet:
    return _build("efficientnet_b0", weights, progress, kwargs, _efficientnet_b0)
