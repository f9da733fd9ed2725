"""Registry entries: scatter family: scatter, scatter_add, scatter_reduce, index_add, index_copy, index_fill, masked_scatter, select/slice_scatter."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
