"""F.dropout1d, F.dropout3d, F.alpha_dropout, F.feature_alpha_dropout (torch's checks and warnings).

dropout1d / dropout3d are the channel-wise dropout of ``ops/dropout.py`` (one Bernoulli(1 - p) draw per
(sample, channel), torch's CPU draws for the same seed), an unbatched input unsqueezed around it as torch
does (so the graph reads SqueezeBackward1 -> MulBackward0).

Alpha dropout keeps SELU's zero mean and unit variance: a dropped entry is set to the negative
saturation value -alpha' = -1.7580993408473766 instead of 0, then an affine map a*(.) + b restores the
moments. With the mask m ~ Bernoulli(1 - p) (per element, or per channel for the feature form):

    a = 1 / sqrt((alpha'^2 p + 1)(1 - p)),   y = x * (a m) + alpha' a (m - 1 + p)

composed as torch composes it, ``input * noise + b`` with noise = a*m and b constants, so the graph is
AddBackward0 -> MulBackward0 and dL/dx = dL/dy * a m (each node's own backward). p = 1 gives x * 0.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ...autograd.tensor import Tensor
from ...ops import dropout as _ops
from ...random import rng
from .dropout import _check_p

_ALPHA = 1.7580993408473766


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``, scaling the rest by 1 / (1 - p)."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs)."
        )
    return _batched_feature_dropout(input, p, training, inplace, ndim == 3)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p`` (scaled by 1/(1-p))."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. "
            "Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a "
            "channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    return _batched_feature_dropout(input, p, training, inplace, ndim == 5)


def _batched_feature_dropout(input: Tensor, p: float, training: bool, inplace: bool, batched: bool) -> Tensor:
    if batched:
        return _ops.feature_dropout(input, p, training, inplace)
    return _ops.feature_dropout(input.unsqueeze(0), p, training, inplace).squeeze(0)


def _alpha(input: Tensor, p: float, training: bool, inplace: bool, feature: bool) -> Tensor:
    if p == 0 or not training or input.numel() == 0:
        return input
    dtype = input._data.dtype
    if p == 1:
        zero = Tensor._make(np.zeros((), dtype))
        return input.mul_(zero) if inplace else input * zero
    shape = input._data.shape
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = shape[:2] + (1,) * (len(shape) - 2)
    keep = (rng().random(shape) < 1.0 - p).astype(dtype)  # torch's bernoulli_(1 - p) draws
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = Tensor._make(((keep - 1) * (_ALPHA * a) + _ALPHA * a * p).astype(dtype))
    noise = Tensor._make((keep * a).astype(dtype))
    return input.mul_(noise).add_(b) if inplace else (input * noise).add_(b)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Alpha dropout (SELU-preserving, see the module docstring); identity unless ``training``."""
    _check_p(p)
    return _alpha(input, p, training, inplace, feature=False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Alpha dropout of whole (sample, channel) slices; identity unless ``training``."""
    _check_p(p)
    return _alpha(input, p, training, inplace, feature=True)


__all__ = ["alpha_dropout", "dropout1d", "dropout3d", "feature_alpha_dropout"]
