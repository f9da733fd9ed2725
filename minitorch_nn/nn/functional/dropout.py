"""F.dropout and F.dropout2d: torch's checks and warnings, then one call into ``ops/dropout.py``.

Inverted dropout: in training, each element (dropout) or each (sample,
channel) slice (dropout2d) is kept with probability 1 - p and scaled by
1 / (1 - p); outside training the input is returned unchanged. The math and
the backward (the saved mask times the upstream gradient) are in
``minitorch_nn/ops/dropout.py``.
"""

from __future__ import annotations

import warnings

from ...autograd.tensor import Tensor
from ...ops import dropout as _ops


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p) (training only)."""
    _check_p(p)
    return _ops.dropout(input, p, training, inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) input with probability ``p``, scaling the rest by 1 / (1 - p)."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. "
            "Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a "
            "channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if ndim == 3:
        # torch 2.x reads a 3-D input as (N, C, L), not as unbatched (C, H, W), and says so
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _ops.feature_dropout(input, p, training, inplace)


__all__ = ["dropout", "dropout2d"]
