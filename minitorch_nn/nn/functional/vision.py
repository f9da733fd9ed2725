"""Functional resampling and sliding blocks: interpolate, grid_sample, affine_grid, unfold, fold, pixel shuffles.

The argument checks (with torch's messages and warnings) live beside the ops
in ``ops/sampling.py`` and ``ops/fold.py``, because torch exposes the same
ops at top level (torch.grid_sampler, torch.pixel_shuffle); here they are
re-exported under F.
"""

from ...ops.fold import fold, pixel_shuffle, pixel_unshuffle, unfold
from ...ops.sampling import (
    affine_grid,
    grid_sample,
    interpolate,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ = [
    "affine_grid",
    "fold",
    "grid_sample",
    "interpolate",
    "pixel_shuffle",
    "pixel_unshuffle",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]
