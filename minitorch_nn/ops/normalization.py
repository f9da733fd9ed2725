"""Batch normalization, with its backward through the batch statistics.

Input x of shape (N, C, *): every channel c is normalised over the N * L
values it has in the batch (L = product of the trailing dims)::

    mu      = mean(x)                       over the N * L values of channel c
    var     = mean((x - mu)^2)              (biased: divide by N * L)
    inv_std = 1 / sqrt(var + eps)
    xhat    = (x - mu) * inv_std
    y       = gamma * xhat + beta           (gamma = 1, beta = 0 when not affine)

In evaluation mode mu and var are the running estimates instead, constants
for autograd. In training mode the running estimates are updated in place::

    running_mean <- (1 - momentum) * running_mean + momentum * mu
    running_var  <- (1 - momentum) * running_var  + momentum * var * M / (M - 1)

with M = N * L: the running variance uses the unbiased estimate, the
normalisation the biased one, exactly as torch.

Backward. Let g = dL/dy and M the count per channel; sums run over the M
values of a channel. The affine part gives

    dL/dbeta  = sum(g),   dL/dgamma = sum(g * xhat),   dL/dxhat = gamma * g.

In evaluation mode xhat = (x - mu) * inv_std with mu, inv_std constant, so
dL/dx = gamma * inv_std * g. In training mode mu and inv_std depend on x.
Write d = dL/dxhat. From xhat = (x - mu) * inv_std,

    dL/dx_i = inv_std * d_i + dL/dmu * dmu/dx_i + dL/dvar * dvar/dx_i
    dmu/dx_i = 1/M,   dvar/dx_i = 2 (x_i - mu) / M
    dL/dmu   = -inv_std * sum(d)        (the var term vanishes: sum(x - mu) = 0)
    dL/dvar  = -1/2 * inv_std^3 * sum(d * (x - mu))

and with x - mu = xhat / inv_std the three terms collect into

    dL/dx = (1/M) * inv_std * (M * d - sum(d) - xhat * sum(d * xhat)),

i.e. with d = gamma * g:  dx = (1/M) gamma inv_std (M g - sum(g) - xhat sum(g xhat)).
torch names the node ``NativeBatchNormBackward0`` in both modes; its edges
are (input, weight, bias): the running statistics are not differentiated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


def _channel_shape(x: np.ndarray) -> tuple[int, ...]:
    """(1, C, 1, ..., 1): broadcasts a per-channel vector against x."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _reduce_axes(x: np.ndarray) -> tuple[int, ...]:
    return (0,) + tuple(range(2, x.ndim))


class BatchNorm(Function):
    """y = gamma * (x - mu) * inv_std + beta per channel (see the module docstring for the backward)."""

    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray,
        running_mean: np.ndarray | None,
        running_var: np.ndarray | None,
        training: bool,
        momentum: float,
        eps: float,
    ) -> np.ndarray:
        axes = _reduce_axes(x)
        shape = _channel_shape(x)
        count = x.size // x.shape[1]
        if training:
            # statistics in float64: float32 sums of many values drift, torch accumulates carefully too
            x64 = x.astype(np.float64, copy=False)
            mean = x64.mean(axis=axes)
            var = x64.var(axis=axes)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += (momentum * mean).astype(running_mean.dtype)
            if running_var is not None:
                unbiased = var * count / (count - 1)
                running_var *= 1 - momentum
                running_var += (momentum * unbiased).astype(running_var.dtype)
        else:
            mean, var = running_mean, running_var
        inv_std = (1.0 / np.sqrt(var.astype(np.float64) + eps)).astype(x.dtype)
        xhat = (x - mean.astype(x.dtype).reshape(shape)) * inv_std.reshape(shape)
        y = xhat * weight.reshape(shape) + bias.reshape(shape)
        ctx.training = training
        ctx.save_for_backward(xhat, inv_std, weight)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        xhat, inv_std, weight = ctx.saved_tensors
        axes = _reduce_axes(xhat)
        shape = _channel_shape(xhat)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            d = grad * weight.reshape(shape)
            scale = inv_std.reshape(shape)
            if ctx.training:
                count = xhat.size // xhat.shape[1]
                sum_d = d.sum(axis=axes).reshape(shape)
                sum_d_xhat = (d * xhat).sum(axis=axes).reshape(shape)
                gx = scale / count * (count * d - sum_d - xhat * sum_d_xhat)
            else:
                gx = d * scale
            gx = gx.astype(xhat.dtype, copy=False)
        if ctx.needs_input_grad[1]:
            gw = (grad * xhat).sum(axis=axes).astype(xhat.dtype, copy=False)
        if ctx.needs_input_grad[2]:
            gb = grad.sum(axis=axes).astype(xhat.dtype, copy=False)
        return gx, gw, gb, None, None, None, None, None


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """``torch.batch_norm`` without the argument checks (``nn.functional.batch_norm`` does them).

    The running statistics are updated in place (their version counters bump,
    as torch's in-place writes do); they are plain arrays to the Function, so
    they get no graph edge.
    """
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    # without affine parameters gamma = 1, beta = 0: constant tensors, so the node still has
    # torch's three edges (input, weight, bias), the last two (None, 0)
    channels = input._data.shape[1]
    if weight is None:
        weight = Tensor._make(np.ones(channels, dtype=input._data.dtype))
    if bias is None:
        bias = Tensor._make(np.zeros(channels, dtype=input._data.dtype))
    out = BatchNorm.apply(input, weight, bias, rm, rv, training, momentum, eps)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._version_counter.value += 1
    return out


__all__: list[str] = []

TENSOR_METHODS: dict = {}
