"""minitorch_nn.vision.io: torchvision.io's image reading, decoding and encoding (Pillow as the codec)."""

from . import image
from .image import *

__all__ = image.__all__
