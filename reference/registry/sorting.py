"""Registry entries: sorting and selection: sort, argsort, msort, topk, kthvalue, median, mode, unique."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
