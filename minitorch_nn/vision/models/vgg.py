"""VGG (Simonyan & Zisserman 2014), configurations A (11), B (13), D (16), E (19), with or without BatchNorm.

``features`` is one flat Sequential of 3x3 convolutions (padding 1) and 2x2 max pools as the
config lists them ("M" is a pool), so the state_dict keys count every layer: vgg16's
``features.28.weight``. Initialisation as torchvision: convs kaiming_normal_(fan_out, relu) with
zero bias, BatchNorm weight 1 / bias 0, Linear normal(0, 0.01) with zero bias.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ... import flatten, nn
from ...autograd.tensor import Tensor
from ._utils import _build

__all__ = [
    "VGG",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
]


class VGG(nn.Module):
    def __init__(
        self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True, dropout: float = 0.5
    ) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


def make_layers(cfg: list[str | int], batch_norm: bool = False) -> nn.Sequential:
    """The ``features`` Sequential of a config: an int is a conv to that many channels (+BN) + ReLU, "M" a pool."""
    layers: list[nn.Module] = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            conv = nn.Conv2d(in_channels, int(v), kernel_size=3, padding=1)
            layers += (
                [conv, nn.BatchNorm2d(int(v)), nn.ReLU(inplace=True)] if batch_norm else [conv, nn.ReLU(inplace=True)]
            )
            in_channels = int(v)
    return nn.Sequential(*layers)


cfgs: dict[str, list[str | int]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def _vgg(cfg: str, batch_norm: bool, **kwargs: Any) -> VGG:
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    return _build("vgg11", weights, progress, kwargs, partial(_vgg, "A", False))


def vgg11_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    return _build("vgg11_bn", weights, progress, kwargs, partial(_vgg, "A", True))


def vgg13(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    return _build("vgg13", weights, progress, kwargs, partial(_vgg, "B", False))


def vgg13_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    return _build("vgg13_bn", weights, progress, kwargs, partial(_vgg, "B", True))


def vgg16(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    return _build("vgg16", weights, progress, kwargs, partial(_vgg, "D", False))


def vgg16_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    return _build("vgg16_bn", weights, progress, kwargs, partial(_vgg, "D", True))


def vgg19(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    return _build("vgg19", weights, progress, kwargs, partial(_vgg, "E", False))


def vgg19_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    return _build("vgg19_bn", weights, progress, kwargs, partial(_vgg, "E", True))
