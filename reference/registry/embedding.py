"""Registry entries: embedding lookup (a gather of rows) and its scatter-add backward."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
