"""Registry entries: contractions (einsum, tensordot, kron, trace, cdist, the add-products) and torch.convolution."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from . import OpInfo
from .conv import _conv


def _listed(value: Any, d: int) -> list[int]:
    return [value] * d if isinstance(value, int) else list(value)


def _convolution_call(lib: Any, x: Any, w: Any, b: Any = None, *, stride, padding, dilation, groups) -> Any:
    """torch.convolution spells every geometry argument out, one entry per spatial dim."""
    d = w.dim() - 2
    return lib.convolution(
        x, w, b, _listed(stride, d), _listed(padding, d), _listed(dilation, d), False, [0] * d, groups
    )


def _convolution_samples(d: int) -> Any:
    # F.conv*d's strategy without the padding strings, which torch.convolution does not take
    return _conv(d).filter(lambda s: not isinstance(s.kwargs["padding"], str))


OPS: list[OpInfo] = [
    OpInfo("convolution_1d", _convolution_call, lambda: _convolution_samples(1)),
    OpInfo("convolution_2d", _convolution_call, lambda: _convolution_samples(2)),
]

_ = st  # strategies of the contractions below use it
