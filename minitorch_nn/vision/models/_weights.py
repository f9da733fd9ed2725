"""torchvision's weights enums (``ResNet18_Weights.IMAGENET1K_V1``, ``.DEFAULT``), naming where each file is.

This engine downloads no weights: a builder given one of these members (or its name, or
``pretrained=True``) raises an error that gives the member's URL (torchvision's, as torch.hub fetches it),
so the file can be fetched once by hand and passed as ``weights="resnet18-f37072fd.pth"``: a torch.save
state_dict loads here directly. ``meta`` holds the parameter count and the number of classes of the
checkpoint (None for VGG16's feature-only weights); the ImageNet category names are not shipped.
"""

# ruff: noqa: N801  (the class names are torchvision's: ResNet18_Weights, MobileNet_V3_Small_Weights, ...)
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = [
    "Weights",
    "WeightsEnum",
    "AlexNet_Weights",
    "ConvNeXt_Tiny_Weights",
    "DenseNet121_Weights",
    "DenseNet161_Weights",
    "DenseNet169_Weights",
    "DenseNet201_Weights",
    "EfficientNet_B0_Weights",
    "MobileNet_V2_Weights",
    "MobileNet_V3_Large_Weights",
    "MobileNet_V3_Small_Weights",
    "ResNeXt101_32X8D_Weights",
    "ResNeXt101_64X4D_Weights",
    "ResNeXt50_32X4D_Weights",
    "ResNet101_Weights",
    "ResNet152_Weights",
    "ResNet18_Weights",
    "ResNet34_Weights",
    "ResNet50_Weights",
    "ShuffleNet_V2_X0_5_Weights",
    "ShuffleNet_V2_X1_0_Weights",
    "ShuffleNet_V2_X1_5_Weights",
    "ShuffleNet_V2_X2_0_Weights",
    "SqueezeNet1_0_Weights",
    "SqueezeNet1_1_Weights",
    "VGG11_BN_Weights",
    "VGG11_Weights",
    "VGG13_BN_Weights",
    "VGG13_Weights",
    "VGG16_BN_Weights",
    "VGG16_Weights",
    "VGG19_BN_Weights",
    "VGG19_Weights",
    "Wide_ResNet101_2_Weights",
    "Wide_ResNet50_2_Weights",
]


@dataclass(frozen=True)
class Weights:
    """Where a checkpoint lives and what it holds."""

    url: str
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


class WeightsEnum(Enum):
    """The checkpoints of one builder; DEFAULT is the best of them, as in torchvision."""

    @property
    def url(self) -> str:
        return self.value.url

    @property
    def meta(self) -> dict[str, Any]:
        return self.value.meta

    @property
    def file_name(self) -> str:
        return self.value.url.rsplit("/", 1)[-1]

    @classmethod
    def verify(cls, obj: Any) -> Any:
        """A member from itself or its name (``"IMAGENET1K_V1"``, ``"ResNet18_Weights.DEFAULT"``); None stays None."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            name = obj.replace(cls.__name__ + ".", "")
            if name in cls.__members__:
                return cls.__members__[name]
        raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received {type(obj).__name__}.")

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}.{self._name_}"


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", {"num_params": 61100840, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/vgg11-8a719046.pth", {"num_params": 132863336, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/vgg11_bn-6002323d.pth", {"num_params": 132868840, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/vgg13-19584684.pth", {"num_params": 133047848, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/vgg13_bn-abd245e5.pth", {"num_params": 133053736, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/vgg16-397923af.pth", {"num_params": 138357544, "num_classes": 1000}
    )
    IMAGENET1K_FEATURES = Weights(
        "https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth",
        {"num_params": 138357544, "num_classes": None},
    )
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/vgg16_bn-6c64b313.pth", {"num_params": 138365992, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth", {"num_params": 143667240, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/vgg19_bn-c79401a0.pth", {"num_params": 143678248, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/resnet18-f37072fd.pth", {"num_params": 11689512, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/resnet34-b627a593.pth", {"num_params": 21797672, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/resnet50-0676ba61.pth", {"num_params": 25557032, "num_classes": 1000}
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/resnet50-11ad3fa6.pth", {"num_params": 25557032, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V2


class ResNet101_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/resnet101-63fe2227.pth", {"num_params": 44549160, "num_classes": 1000}
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/resnet101-cd907fc2.pth", {"num_params": 44549160, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V2


class ResNet152_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/resnet152-394f9c45.pth", {"num_params": 60192808, "num_classes": 1000}
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/resnet152-f82ba261.pth", {"num_params": 60192808, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V2


class ResNeXt50_32X4D_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth",
        {"num_params": 25028904, "num_classes": 1000},
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth",
        {"num_params": 25028904, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_32X8D_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/resnext101_32x8d-8ba56ff5.pth",
        {"num_params": 88791336, "num_classes": 1000},
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/resnext101_32x8d-110c445d.pth",
        {"num_params": 88791336, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_64X4D_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/resnext101_64x4d-173b62eb.pth",
        {"num_params": 83455272, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V1


class Wide_ResNet50_2_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/wide_resnet50_2-95faca4d.pth",
        {"num_params": 68883240, "num_classes": 1000},
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/wide_resnet50_2-9ba9bcbe.pth",
        {"num_params": 68883240, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V2


class Wide_ResNet101_2_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/wide_resnet101_2-32ee1156.pth",
        {"num_params": 126886696, "num_classes": 1000},
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/wide_resnet101_2-d733dc28.pth",
        {"num_params": 126886696, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V2


class SqueezeNet1_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/squeezenet1_0-b66bff10.pth", {"num_params": 1248424, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class SqueezeNet1_1_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth", {"num_params": 1235496, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class MobileNet_V2_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/mobilenet_v2-b0353104.pth", {"num_params": 3504872, "num_classes": 1000}
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/mobilenet_v2-7ebf99e0.pth", {"num_params": 3504872, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V2


class MobileNet_V3_Small_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/mobilenet_v3_small-047dcff4.pth",
        {"num_params": 2542856, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V1


class MobileNet_V3_Large_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/mobilenet_v3_large-8738ca79.pth",
        {"num_params": 5483032, "num_classes": 1000},
    )
    IMAGENET1K_V2 = Weights(
        "https://download.pytorch.org/models/mobilenet_v3_large-5c1a4163.pth",
        {"num_params": 5483032, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V2


class DenseNet121_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/densenet121-a639ec97.pth", {"num_params": 7978856, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class DenseNet161_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/densenet161-8d451a50.pth", {"num_params": 28681000, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class DenseNet169_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/densenet169-b2777c0a.pth", {"num_params": 14149480, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class DenseNet201_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/densenet201-c1103571.pth", {"num_params": 20013928, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X0_5_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/shufflenetv2_x0.5-f707e7126e.pth",
        {"num_params": 1366792, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X1_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/shufflenetv2_x1-5666bf0f80.pth",
        {"num_params": 2278604, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X1_5_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/shufflenetv2_x1_5-3c479a10.pth",
        {"num_params": 3503624, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X2_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/shufflenetv2_x2_0-8be3c8ee.pth",
        {"num_params": 7393996, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B0_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/efficientnet_b0_rwightman-7f5810bc.pth",
        {"num_params": 5288548, "num_classes": 1000},
    )
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Tiny_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        "https://download.pytorch.org/models/convnext_tiny-983f1562.pth", {"num_params": 28589128, "num_classes": 1000}
    )
    DEFAULT = IMAGENET1K_V1


# each builder's enum, for weights given by name and for pretrained=True
WEIGHTS_BY_ARCH: dict[str, type[WeightsEnum]] = {
    "alexnet": AlexNet_Weights,
    "vgg11": VGG11_Weights,
    "vgg11_bn": VGG11_BN_Weights,
    "vgg13": VGG13_Weights,
    "vgg13_bn": VGG13_BN_Weights,
    "vgg16": VGG16_Weights,
    "vgg16_bn": VGG16_BN_Weights,
    "vgg19": VGG19_Weights,
    "vgg19_bn": VGG19_BN_Weights,
    "resnet18": ResNet18_Weights,
    "resnet34": ResNet34_Weights,
    "resnet50": ResNet50_Weights,
    "resnet101": ResNet101_Weights,
    "resnet152": ResNet152_Weights,
    "resnext50_32x4d": ResNeXt50_32X4D_Weights,
    "resnext101_32x8d": ResNeXt101_32X8D_Weights,
    "resnext101_64x4d": ResNeXt101_64X4D_Weights,
    "wide_resnet50_2": Wide_ResNet50_2_Weights,
    "wide_resnet101_2": Wide_ResNet101_2_Weights,
    "squeezenet1_0": SqueezeNet1_0_Weights,
    "squeezenet1_1": SqueezeNet1_1_Weights,
    "mobilenet_v2": MobileNet_V2_Weights,
    "mobilenet_v3_small": MobileNet_V3_Small_Weights,
    "mobilenet_v3_large": MobileNet_V3_Large_Weights,
    "densenet121": DenseNet121_Weights,
    "densenet161": DenseNet161_Weights,
    "densenet169": DenseNet169_Weights,
    "densenet201": DenseNet201_Weights,
    "shufflenet_v2_x0_5": ShuffleNet_V2_X0_5_Weights,
    "shufflenet_v2_x1_0": ShuffleNet_V2_X1_0_Weights,
    "shufflenet_v2_x1_5": ShuffleNet_V2_X1_5_Weights,
    "shufflenet_v2_x2_0": ShuffleNet_V2_X2_0_Weights,
    "efficientnet_b0": EfficientNet_B0_Weights,
    "convnext_tiny": ConvNeXt_Tiny_Weights,
}
