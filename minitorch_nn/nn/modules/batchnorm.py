"""Batch normalization layers: BatchNorm1d, BatchNorm2d, BatchNorm3d.

Each channel is normalised by the batch's mean and (biased) variance in
training mode, and by the running estimates in evaluation mode, then scaled
by ``weight`` (gamma, init 1) and shifted by ``bias`` (beta, init 0). The
running estimates are buffers (``running_mean``, ``running_var``,
``num_batches_tracked``) so they land in ``state_dict`` under torch's keys.

``momentum`` weights the newest batch in the running estimates; ``momentum
=None`` makes them a cumulative average: factor 1 / num_batches_tracked.
The math and the backward through the batch statistics are derived in
``minitorch_nn/ops/normalization.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.tensor import Tensor
from .. import functional as F
from .. import init
from .linear import _empty_parameter, _factory_dtype
from .module import Module


class _BatchNorm(Module):
    _version = 2  # torch's: version 2 added num_batches_tracked
    num_features: int
    eps: float
    momentum: float | None
    affine: bool
    track_running_stats: bool

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        np_dtype = _factory_dtype(device, dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = _empty_parameter((num_features,), np_dtype)
            if bias:
                self.bias = _empty_parameter((num_features,), np_dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._make(np.zeros(num_features, dtype=np_dtype)))
            self.register_buffer("running_var", Tensor._make(np.ones(num_features, dtype=np_dtype)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """running_mean <- 0, running_var <- 1, num_batches_tracked <- 0 (in place)."""
        if self.track_running_stats:
            for buf, value in ((self.running_mean, 0), (self.running_var, 1), (self.num_batches_tracked, 0)):
                buf._data[...] = value
                buf._version_counter.value += 1

    def reset_parameters(self) -> None:
        """Reset the running statistics, then gamma <- 1 and beta <- 0."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._version_counter.value += 1
            if self.momentum is None:  # cumulative average: the n-th batch weighs 1/n
                factor = 1.0 / float(self.num_batches_tracked._data)
        # batch statistics in training, and in eval when no running statistics exist
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) input, per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) input, per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]
