"""Registry entries: sliding blocks: unfold (im2col) and fold (col2im), each the other's adjoint."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
