"""Functional resampling and sliding blocks: interpolate, grid_sample, affine_grid, unfold, fold."""

from __future__ import annotations

__all__: list[str] = []
