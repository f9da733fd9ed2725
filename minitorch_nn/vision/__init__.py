"""minitorch_nn.vision: torchvision's datasets, transforms and models, used as ``import minitorch_nn.vision as torchvision``.

Like torchvision beside torch, this is a separate import: ``import minitorch_nn`` does not load it
(nor Pillow, which it needs for its images).
"""

from . import datasets, io, models, ops, transforms, utils

__all__ = ["datasets", "io", "models", "ops", "transforms", "utils"]
