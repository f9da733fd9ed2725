"""F.conv1d / conv2d / conv3d, F.conv_transpose1d / 2d / 3d and F.pad.

The argument checking (ranks, channels vs groups, 'same'/'valid' padding,
kernel larger than the padded input, with torch's messages) lives with the op
in ``ops/conv.py``, because torch exposes the same functions as
``torch.conv2d`` at top level; here they are re-exported under F.
"""

from ...ops.conv import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d
from ...ops.padding import pad

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "pad"]
