"""minitorch_nn.vision.ops: the building blocks torchvision's classification models share."""

from .misc import Conv2dNormActivation, Permute, SqueezeExcitation
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = ["Conv2dNormActivation", "Permute", "SqueezeExcitation", "StochasticDepth", "stochastic_depth"]
