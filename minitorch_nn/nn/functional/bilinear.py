"""F.bilinear: torch.bilinear re-exported (the checks and the math are in ``ops/bilinear.py``)."""

from ...ops.bilinear import bilinear

__all__ = ["bilinear"]
