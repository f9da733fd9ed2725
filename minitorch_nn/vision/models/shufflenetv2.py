"""ShuffleNetV2 (Ma et al. 2018).

A unit splits its channels in two: at stride 1 one half passes through unchanged and the other
goes through 1x1 -> depthwise 3x3 -> 1x1; at stride 2 both halves see the whole input
(``branch1`` / ``branch2``). The halves are concatenated and then channel-shuffled (interleaved)
so information crosses between them in the next unit. Default PyTorch initialisation, as torchvision.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from ... import cat, nn, transpose
from ...autograd.tensor import Tensor
from ._utils import _build

__all__ = ["ShuffleNetV2", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0"]


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    """Channels (g * c) reordered as (c * g): view as [N, g, c, H, W], swap g and c, flatten back."""
    batchsize, num_channels, height, width = x.size()
    x = x.view(batchsize, groups, num_channels // groups, height, width)
    x = transpose(x, 1, 2).contiguous()
    return x.view(batchsize, num_channels, height, width)


class InvertedResidual(nn.Module):
    def __init__(self, inp: int, oup: int, stride: int) -> None:
        super().__init__()
        if not (1 <= stride <= 3):
            raise ValueError("illegal stride value")
        self.stride = stride
        branch_features = oup // 2
        if (self.stride == 1) and (inp != branch_features << 1):
            raise ValueError(
                f"Invalid combination of stride {stride}, inp {inp} and oup {oup} values. "
                "If stride == 1 then inp should be equal to oup // 2 << 1."
            )
        if self.stride > 1:
            self.branch1 = nn.Sequential(
                self.depthwise_conv(inp, inp, kernel_size=3, stride=self.stride, padding=1),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(branch_features),
                nn.ReLU(inplace=True),
            )
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(
                inp if (self.stride > 1) else branch_features,
                branch_features,
                kernel_size=1,
                stride=1,
                padding=0,
                bias=False,
            ),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
            self.depthwise_conv(branch_features, branch_features, kernel_size=3, stride=self.stride, padding=1),
            nn.BatchNorm2d(branch_features),
            nn.Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
        )

    @staticmethod
    def depthwise_conv(
        i: int, o: int, kernel_size: int, stride: int = 1, padding: int = 0, bias: bool = False
    ) -> nn.Conv2d:
        return nn.Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def forward(self, x: Tensor) -> Tensor:
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = cat((x1, self.branch2(x2)), dim=1)
        else:
            out = cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    def __init__(
        self,
        stages_repeats: list[int],
        stages_out_channels: list[int],
        num_classes: int = 1000,
        inverted_residual: Callable[..., nn.Module] = InvertedResidual,
    ) -> None:
        super().__init__()
        if len(stages_repeats) != 3:
            raise ValueError("expected stages_repeats as list of 3 positive ints")
        if len(stages_out_channels) != 5:
            raise ValueError("expected stages_out_channels as list of 5 positive ints")
        self._stage_out_channels = stages_out_channels

        input_channels = 3
        output_channels = self._stage_out_channels[0]
        self.conv1 = nn.Sequential(
            nn.Conv2d(input_channels, output_channels, 3, 2, 1, bias=False),
            nn.BatchNorm2d(output_channels),
            nn.ReLU(inplace=True),
        )
        input_channels = output_channels
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        for name, repeats, output_channels in zip(
            ["stage2", "stage3", "stage4"], stages_repeats, self._stage_out_channels[1:]
        ):
            seq = [inverted_residual(input_channels, output_channels, 2)]
            seq += [inverted_residual(output_channels, output_channels, 1) for _ in range(repeats - 1)]
            setattr(self, name, nn.Sequential(*seq))
            input_channels = output_channels
        output_channels = self._stage_out_channels[-1]
        self.conv5 = nn.Sequential(
            nn.Conv2d(input_channels, output_channels, 1, 1, 0, bias=False),
            nn.BatchNorm2d(output_channels),
            nn.ReLU(inplace=True),
        )
        self.fc = nn.Linear(output_channels, num_classes)

    def _forward_impl(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stage4(self.stage3(self.stage2(x))))
        return self.fc(x.mean([2, 3]))  # global average pool

    def forward(self, x: Tensor) -> Tensor:
        return self._forward_impl(x)


def _shufflenetv2(repeats: list[int], channels: list[int], **kwargs: Any) -> ShuffleNetV2:
    return ShuffleNetV2(repeats, channels, **kwargs)


def shufflenet_v2_x0_5(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ShuffleNetV2:
    make = partial(_shufflenetv2, [4, 8, 4], [24, 48, 96, 192, 1024])
    return _build("shufflenet_v2_x0_5", weights, progress, kwargs, make)


def shufflenet_v2_x1_0(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ShuffleNetV2:
    make = partial(_shufflenetv2, [4, 8, 4], [24, 116, 232, 464, 1024])
    return _build("shufflenet_v2_x1_0", weights, progress, kwargs, make)


def shufflenet_v2_x1_5(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ShuffleNetV2:
    make = partial(_shufflenetv2, [4, 8, 4], [24, 176, 352, 704, 1024])
    return _build("shufflenet_v2_x1_5", weights, progress, kwargs, make)


def shufflenet_v2_x2_0(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ShuffleNetV2:
    make = partial(_shufflenetv2, [4, 8, 4], [24, 244, 488, 976, 2048])
    return _build("shufflenet_v2_x2_0", weights, progress, kwargs, make)
