"""Functional embeddings: argument checking, then one call into minitorch_nn.ops.embedding."""

from __future__ import annotations

__all__: list[str] = []
