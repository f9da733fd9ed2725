"""DenseNet-BC (Huang et al. 2016): every layer of a dense block sees all earlier layers' maps.

A dense layer is BN-ReLU-1x1 conv (to ``bn_size * growth_rate`` channels) then BN-ReLU-3x3 conv
(to ``growth_rate``), applied to the channel-concatenation of the block's input and every earlier
layer's output; a transition (BN-ReLU-1x1 conv-2x2 avg pool) halves channels and resolution
between blocks. Keys follow torchvision: ``features.denseblock1.denselayer1.norm1.weight``.
``memory_efficient`` is accepted for torchvision's signature; torchvision uses it to recompute
the concatenation in backward (checkpointing) to save memory, which this engine does not do, so
the flag changes neither results nor memory here. Initialisation as torchvision: convs
kaiming_normal_ (fan_in), BN 1 / 0, Linear bias 0 (weight: the Linear default).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from functools import partial
from typing import Any

from ... import cat, flatten, int64, nn, zeros
from ...autograd.tensor import Tensor
from ...nn import functional as F
from ._utils import _build

__all__ = ["DenseNet", "densenet121", "densenet161", "densenet169", "densenet201"]


class _DenseLayer(nn.Module):
    def __init__(
        self, num_input_features: int, growth_rate: int, bn_size: int, drop_rate: float, memory_efficient: bool = False
    ) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs: list[Tensor]) -> Tensor:
        return self.conv1(self.relu1(self.norm1(cat(inputs, 1))))

    def forward(self, input: Tensor | list[Tensor]) -> Tensor:
        prev_features = [input] if isinstance(input, Tensor) else input
        new_features = self.conv2(self.relu2(self.norm2(self.bn_function(prev_features))))
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(nn.ModuleDict):
    _version = 2

    def __init__(
        self,
        num_layers: int,
        num_input_features: int,
        bn_size: int,
        growth_rate: int,
        drop_rate: float,
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(
                num_input_features + i * growth_rate,
                growth_rate=growth_rate,
                bn_size=bn_size,
                drop_rate=drop_rate,
                memory_efficient=memory_efficient,
            )
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features: Tensor) -> Tensor:
        features = [init_features]
        for layer in self.values():
            features.append(layer(features))
        return cat(features, 1)


class _Transition(nn.Sequential):
    def __init__(self, num_input_features: int, num_output_features: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    def __init__(
        self,
        growth_rate: int = 32,
        block_config: tuple[int, int, int, int] = (6, 12, 24, 16),
        num_init_features: int = 64,
        bn_size: int = 4,
        drop_rate: float = 0,
        num_classes: int = 1000,
        memory_efficient: bool = False,
    ) -> None:
        super().__init__()
        self.features = nn.Sequential(
            OrderedDict(
                [
                    ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
                    ("norm0", nn.BatchNorm2d(num_init_features)),
                    ("relu0", nn.ReLU(inplace=True)),
                    ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
                ]
            )
        )
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = _DenseBlock(
                num_layers=num_layers,
                num_input_features=num_features,
                bn_size=bn_size,
                growth_rate=growth_rate,
                drop_rate=drop_rate,
                memory_efficient=memory_efficient,
            )
            self.features.add_module(f"denseblock{i + 1}", block)
            num_features = num_features + num_layers * growth_rate
            if i != len(block_config) - 1:
                trans = _Transition(num_input_features=num_features, num_output_features=num_features // 2)
                self.features.add_module(f"transition{i + 1}", trans)
                num_features = num_features // 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.features(x), inplace=True)
        out = F.adaptive_avg_pool2d(out, (1, 1))
        return self.classifier(flatten(out, 1))


# torchvision's published DenseNet checkpoints predate the ban on "." in module names (their layers' keys
# read "denselayer1.norm.1.weight" where the module is "denselayer1.norm1") and BatchNorm's
# num_batches_tracked (torch's BatchNorm fills it with 0 when loading such a checkpoint).
_LEGACY_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$"
)


def _rename_legacy_keys(state: Mapping[str, Any]) -> OrderedDict[str, Any]:
    """The state_dict with ``...denselayerN.norm.1.weight`` renamed ``...denselayerN.norm1.weight`` (order kept),
    and a 0 ``num_batches_tracked`` after each norm's ``running_var`` that has none."""
    renamed: OrderedDict[str, Any] = OrderedDict()
    for key, value in state.items():
        match = _LEGACY_KEY.match(key)
        renamed[match.group(1) + match.group(2) if match else key] = value
    completed: OrderedDict[str, Any] = OrderedDict()
    for key, value in renamed.items():
        completed[key] = value
        if key.endswith(".running_var"):
            tracked = key[: -len("running_var")] + "num_batches_tracked"
            if tracked not in renamed:
                completed[tracked] = zeros((), dtype=int64)
    return completed


def _densenet(
    growth_rate: int, block_config: tuple[int, int, int, int], num_init_features: int, **kwargs: Any
) -> DenseNet:
    return DenseNet(growth_rate, block_config, num_init_features, **kwargs)


def densenet121(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    return _build(
        "densenet121", weights, progress, kwargs, partial(_densenet, 32, (6, 12, 24, 16), 64), adapt=_rename_legacy_keys
    )


def densenet161(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    return _build(
        "densenet161", weights, progress, kwargs, partial(_densenet, 48, (6, 12, 36, 24), 96), adapt=_rename_legacy_keys
    )


def densenet169(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    return _build(
        "densenet169", weights, progress, kwargs, partial(_densenet, 32, (6, 12, 32, 32), 64), adapt=_rename_legacy_keys
    )


def densenet201(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    return _build(
        "densenet201", weights, progress, kwargs, partial(_densenet, 32, (6, 12, 48, 32), 64), adapt=_rename_legacy_keys
    )
