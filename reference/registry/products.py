"""Registry entries: contractions: einsum, tensordot, kron, trace, cdist, baddbmm, addmv, addr."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
