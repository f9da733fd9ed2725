"""Registry entries: resampling: interpolate (nearest, linear, bilinear, bicubic, trilinear), grid_sample, affine_grid."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
