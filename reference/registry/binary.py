"""Registry entries: binary elementwise math: atan2, fmod, remainder, hypot, copysign, lerp, logical and bitwise ops."""

from __future__ import annotations

from . import OpInfo

OPS: list[OpInfo] = []
