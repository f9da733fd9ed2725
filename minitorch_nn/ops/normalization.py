r"""Batch normalization, with its backward through the batch statistics.

Input x of shape (N, C, *): every channel c is normalised over the $N L$
values it has in the batch (L = product of the trailing dims):

$$
\begin{aligned}
\mu &= \operatorname{mean}(x) && \text{over the } N L \text{ values of channel } c, \\
\sigma^2 &= \operatorname{mean}((x - \mu)^2) && \text{(biased: divide by } N L), \\
r &= 1 / \sqrt{\sigma^2 + \epsilon} && \text{(inv\_std)}, \\
\hat{x} &= (x - \mu)\, r, \\
y &= \gamma \hat{x} + \beta && (\gamma = 1, \beta = 0 \text{ when not affine}).
\end{aligned}
$$

In evaluation mode $\mu$ and $\sigma^2$ are the running estimates instead, constants
for autograd. In training mode the running estimates are updated in place:

$$
\begin{aligned}
\mathrm{running\_mean} &\leftarrow (1 - m)\, \mathrm{running\_mean} + m\, \mu, \\
\mathrm{running\_var} &\leftarrow (1 - m)\, \mathrm{running\_var} + m\, \sigma^2 \tfrac{M}{M - 1},
\end{aligned}
$$

with m the momentum and $M = N L$: the running variance uses the unbiased estimate, the
normalisation the biased one, exactly as torch.

Backward. Let $g = \partial L / \partial y$ and M the count per channel; sums run over the M
values of a channel. The affine part gives

$$
\frac{\partial L}{\partial \beta} = \sum g, \qquad \frac{\partial L}{\partial \gamma} = \sum g \odot \hat{x}, \qquad
\frac{\partial L}{\partial \hat{x}} = \gamma g.
$$

In evaluation mode $\hat{x} = (x - \mu)\, r$ with $\mu$, r constant, so
$\partial L / \partial x = \gamma r g$. In training mode $\mu$ and r depend on x.
Write $d = \partial L / \partial \hat{x}$. From $\hat{x} = (x - \mu)\, r$,

$$
\begin{aligned}
\frac{\partial L}{\partial x_i} &= r\, d_i + \frac{\partial L}{\partial \mu} \frac{\partial \mu}{\partial x_i}
  + \frac{\partial L}{\partial \sigma^2} \frac{\partial \sigma^2}{\partial x_i}, \\
\frac{\partial \mu}{\partial x_i} &= \frac{1}{M}, \qquad
  \frac{\partial \sigma^2}{\partial x_i} = \frac{2 (x_i - \mu)}{M}, \\
\frac{\partial L}{\partial \mu} &= -r \sum d
  \qquad \text{(the variance term vanishes: } \textstyle\sum (x - \mu) = 0), \\
\frac{\partial L}{\partial \sigma^2} &= -\tfrac{1}{2} r^3 \sum d \odot (x - \mu),
\end{aligned}
$$

and with $x - \mu = \hat{x} / r$ the three terms collect into

$$
\frac{\partial L}{\partial x} = \frac{r}{M} \Big(M d - \sum d - \hat{x} \sum d \odot \hat{x}\Big),
$$

i.e. with $d = \gamma g$:  $dx = \frac{1}{M} \gamma r\, (M g - \sum g - \hat{x} \sum g \odot \hat{x})$.
torch names the node ``NativeBatchNormBackward0`` in both modes; its edges
are (input, weight, bias): the running statistics are not differentiated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..kernels.backend import backend_of
from ..kernels.cpu import batch_norm as batch_norm_kernels
from ..kernels.cpu.layer_norm import layer_norm_backward, layer_norm_forward


def _channel_shape(x: np.ndarray) -> tuple[int, ...]:
    """(1, C, 1, ..., 1): broadcasts a per-channel vector against x."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _reduce_axes(x: np.ndarray) -> tuple[int, ...]:
    return (0,) + tuple(range(2, x.ndim))


class BatchNorm(Function):
    r"""$y = \gamma (x - \mu)\, r + \beta$ per channel, $r = 1 / \sqrt{\sigma^2 + \epsilon}$ (see the module docstring
    for the backward).
    """

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
        ctx.training = training
        ctx.fused = (
            backend_of(x).device_type == "cpu"
            and weight.dtype == x.dtype
            and (training or running_mean is not None)
            and batch_norm_kernels.usable(x)
        )
        if ctx.fused:
            # one compiled pass per channel (kernels/cpu/batch_norm.py); it keeps x, not x-hat
            y, mean, var, inv_std = batch_norm_kernels.forward(
                x, weight, bias, eps, training, running_mean, running_var
            )
            if training:
                _update_running(running_mean, running_var, mean, var, momentum, count)
            ctx.mean = mean
            ctx.save_for_backward(x, inv_std, weight)
            return y
        if training:
            # statistics in float64: float32 sums of many values drift, torch accumulates carefully too
            x64 = x.astype(np.float64, copy=False)
            mean = x64.mean(axis=axes)
            var = x64.var(axis=axes)
            _update_running(running_mean, running_var, mean, var, momentum, count)
        else:
            mean, var = running_mean, running_var
        inv_std = (1.0 / np.sqrt(var.astype(np.float64) + eps)).astype(x.dtype)
        xhat = (x - mean.astype(x.dtype).reshape(shape)) * inv_std.reshape(shape)
        y = xhat * weight.reshape(shape) + bias.reshape(shape)
        ctx.save_for_backward(xhat, inv_std, weight)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        if ctx.fused:
            x, inv_std, weight = ctx.saved_tensors
            gx, gw, gb = batch_norm_kernels.backward(
                grad, x, ctx.mean, inv_std, weight, ctx.training, ctx.needs_input_grad[0]
            )
            return gx, gw if ctx.needs_input_grad[1] else None, gb if ctx.needs_input_grad[2] else None, *(None,) * 5
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


def _update_running(running_mean, running_var, mean, var, momentum: float, count: int) -> None:
    """torch's running statistics: an exponential average of the batch mean and the unbiased variance."""
    if running_mean is not None:
        running_mean *= 1 - momentum
        running_mean += (momentum * mean).astype(running_mean.dtype)
    if running_var is not None:
        unbiased = var * count / (count - 1)
        running_var *= 1 - momentum
        running_var += (momentum * unbiased).astype(running_var.dtype)


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
        weight = Tensor._make(backend_of(input._data).xp.ones(channels, dtype=input._data.dtype))
    if bias is None:
        bias = Tensor._make(backend_of(input._data).xp.zeros(channels, dtype=input._data.dtype))
    out = BatchNorm.apply(input, weight, bias, rm, rv, training, momentum, eps)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._version_counter.value += 1
    return out


def _normalize(x: np.ndarray, axes: tuple[int, ...], eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xhat, mean, rstd) over ``axes`` (kept as size-1 dims), statistics accumulated in float64."""
    x64 = x.astype(np.float64, copy=False)
    mean = x64.mean(axis=axes, keepdims=True)
    var = x64.var(axis=axes, keepdims=True)
    rstd = 1.0 / np.sqrt(var + eps)
    xhat = ((x64 - mean) * rstd).astype(x.dtype, copy=False)
    return xhat, mean.astype(x.dtype), rstd.astype(x.dtype)


def _normalized_input_grad(d: np.ndarray, xhat: np.ndarray, rstd: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """dL/dx from d = dL/dxhat when xhat = (x - mean) * rstd over ``axes``: the batch-norm identity,
    dx = rstd / M * (M d - sum(d) - xhat * sum(d * xhat)) with M values in each normalised group."""
    count = int(np.prod([xhat.shape[a] for a in axes], dtype=np.int64))
    sum_d = d.sum(axis=axes, keepdims=True)
    sum_d_xhat = (d * xhat).sum(axis=axes, keepdims=True)
    return rstd / count * (count * d - sum_d - xhat * sum_d_xhat)


_ROW_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class LayerNorm(Function):
    r"""Layer normalisation over the trailing ``k`` dims of x (one group per leading index).

    Forward, for each leading index (a "row" of $M = \prod \mathrm{normalized\_shape}$ values):

    $$
    \mu = \operatorname{mean}(x_{\mathrm{row}}), \quad
    r = 1 / \sqrt{\operatorname{mean}((x_{\mathrm{row}} - \mu)^2) + \epsilon}, \quad
    \hat{x} = (x - \mu)\, r, \quad y = \hat{x} \odot w + b
    $$

    (w, b of normalized_shape), and ``native_layer_norm`` also returns mean and rstd (r), of shape
    x.shape[:-k] + (1,) * k.

    Backward. The same algebra as batch normalisation (module docstring) with the sums over the
    row instead of over the batch: with $d = g \odot w$,

    $$
    dx = \frac{r}{M} \Big(M d - \sum_{\mathrm{row}} d - \hat{x} \sum_{\mathrm{row}} d \odot \hat{x}\Big), \qquad
    dw = \sum_{\mathrm{rows}} g \odot \hat{x}, \qquad db = \sum_{\mathrm{rows}} g.
    $$

    torch marks mean and rstd non-differentiable, so do we; the node is ``NativeLayerNormBackward0``
    with the edges (input, weight, bias), the absent affine ones (None, 0).
    """

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, weight: np.ndarray, bias: np.ndarray, k: int, eps: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        axes = tuple(range(x.ndim - k, x.ndim))
        ctx.axes = axes
        if x.size and x.dtype in _ROW_KERNEL_DTYPES and backend_of(x).device_type == "cpu":
            # one compiled pass per row (kernels/cpu/layer_norm.py) on the (rows, M) view; a device
            # array takes the array-module path below
            stats_shape = x.shape[: x.ndim - k] + (1,) * k
            y, xhat, mean, rstd = layer_norm_forward(
                x.reshape(-1, weight.size), weight.reshape(-1), bias.reshape(-1), eps
            )
            y, xhat = y.reshape(x.shape), xhat.reshape(x.shape)
            mean, rstd = mean.reshape(stats_shape), rstd.reshape(stats_shape)
        else:
            xhat, mean, rstd = _normalize(x, axes, eps)
            y = (xhat * weight + bias).astype(x.dtype, copy=False)
        ctx.save_for_backward(xhat, rstd, weight)
        ctx.mark_non_differentiable(mean, rstd)
        return y, mean, rstd

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _mean_grad: Any, _rstd_grad: Any) -> tuple:
        xhat, rstd, weight = ctx.saved_tensors
        rows = tuple(range(xhat.ndim - len(ctx.axes)))
        gx = gw = gb = None
        on_cpu = backend_of(xhat).device_type == "cpu"
        if xhat.size and xhat.dtype in _ROW_KERNEL_DTYPES and grad.dtype == xhat.dtype and on_cpu:
            m = weight.size
            gx, gw, gb = layer_norm_backward(
                grad.reshape(-1, m), xhat.reshape(-1, m), rstd.reshape(-1), weight.reshape(-1)
            )
            needs = ctx.needs_input_grad
            return (
                gx.reshape(xhat.shape) if needs[0] else None,
                gw.reshape(weight.shape) if needs[1] else None,
                gb.reshape(weight.shape) if needs[2] else None,
                None,
                None,
            )
        if ctx.needs_input_grad[0]:
            gx = _normalized_input_grad(grad * weight, xhat, rstd, ctx.axes).astype(xhat.dtype, copy=False)
        if ctx.needs_input_grad[1]:
            gw = (grad * xhat).sum(axis=rows)
        if ctx.needs_input_grad[2]:
            gb = grad.sum(axis=rows)
        return gx, gw, gb, None, None


class GroupNorm(Function):
    r"""Group normalisation: x (N, C, HxW) split into G groups of C/G channels, each normalised alone.

    Forward, for each sample n and group j ($M = C/G \cdot HW$ values): $\mu[n, j]$ and $r[n, j]$ the mean and
    $1/\sqrt{\operatorname{var} + \epsilon}$ of those values (biased variance), and

    $$
    y[n, c, s] = (x[n, c, s] - \mu[n, j(c)])\, r[n, j(c)]\, w[c] + b[c].
    $$

    Backward, $g = \partial L / \partial y$ and $d = g\, w[c]$; within each group, as for layer normalisation,

    $$
    dx = \frac{r}{M} \Big(M d - \sum d - \hat{x} \sum d \odot \hat{x}\Big), \qquad
    dw[c] = \sum_{n, s} g \odot \hat{x}, \qquad db[c] = \sum_{n, s} g.
    $$

    torch differentiates mean and rstd too. With $\partial \mu / \partial x_i = 1/M$ and

    $$
    \frac{\partial r}{\partial x_i} = -\tfrac{1}{2} (\operatorname{var} + \epsilon)^{-3/2} \cdot \frac{2 (x_i - \mu)}{M}
      = -\frac{r^2 \hat{x}_i}{M}
    $$

    (the variance's own dependence on mean drops out: $\sum (x - \mu) = 0$), their upstream
    gradients $g_\mu$, $g_r$ add $g_\mu / M - g_r r^2 \hat{x} / M$ to every $dx_i$ of the group.
    """

    node_name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, weight: np.ndarray, bias: np.ndarray, n: int, c: int, hxw: int, group: int, eps: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        grouped = x.reshape(n, group, (c // group) * hxw)
        xhat, mean, rstd = _normalize(grouped, (2,), eps)
        per_channel = (1, c) + (1,) * (x.ndim - 2)
        y = xhat.reshape(x.shape) * weight.reshape(per_channel) + bias.reshape(per_channel)
        ctx.shape, ctx.per_channel = x.shape, per_channel
        ctx.save_for_backward(xhat, rstd, weight)
        return y.astype(x.dtype, copy=False), mean.reshape(n, group), rstd.reshape(n, group)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, grad_mean: np.ndarray, grad_rstd: np.ndarray) -> tuple:
        xhat, rstd, weight = ctx.saved_tensors
        n, group, count = xhat.shape
        channel_axes = (0,) + tuple(range(2, len(ctx.shape)))
        xhat_full = xhat.reshape(ctx.shape)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            d = (grad * weight.reshape(ctx.per_channel)).reshape(xhat.shape)
            gx = _normalized_input_grad(d, xhat, rstd, (2,))
            gx = gx + grad_mean.reshape(n, group, 1) / count
            gx = gx - grad_rstd.reshape(n, group, 1) * rstd * rstd * xhat / count
            gx = gx.reshape(ctx.shape).astype(xhat.dtype, copy=False)
        if ctx.needs_input_grad[1]:
            gw = (grad * xhat_full).sum(axis=channel_axes)
        if ctx.needs_input_grad[2]:
            gb = grad.sum(axis=channel_axes)
        return gx, gw, gb, None, None, None, None, None


_TORCH_SCALAR = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool"}


def _check_dtypes(kernel: str, input: Tensor, *params: Tensor | None) -> None:
    """Floating inputs only, and affine parameters of the input's dtype (torch's CPU kernels' messages)."""
    kind = input._data.dtype
    if kind.kind != "f":
        name = _TORCH_SCALAR.get(kind.name, kind.name)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")
    for p in params:
        if p is not None and p._data.dtype != kind:
            raise RuntimeError(
                f"mixed dtype (CPU): expect parameter to have scalar type of {_TORCH_SCALAR.get(kind.name, kind.name)}"
            )


def _affine_or_constant(t: Tensor | None, shape: tuple[int, ...], fill: float, like: Tensor) -> Tensor:
    """The affine parameter, or a constant stand-in (the node keeps torch's (None, 0) edge for it)."""
    if t is not None:
        return t
    return Tensor._make(backend_of(like._data).xp.full(shape, fill, dtype=like._data.dtype))


def native_layer_norm(
    input: Tensor, normalized_shape: Any, weight: Tensor | None, bias: Tensor | None, eps: float
) -> tuple[Tensor, Tensor, Tensor]:
    """(output, mean, rstd) of layer normalisation over the trailing ``normalized_shape`` dims."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k < 1:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, "
            f"but got normalized_shape = {list(shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                f"{list(t.shape)} and normalized_shape = {list(shape)}"
            )
    if input.dim() < k or tuple(input.shape[input.dim() - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, {', '.join(map(str, shape))}], "
            f"but got input of size{list(input.shape)}"
        )
    _check_dtypes("LayerNormKernelImpl", input, weight, bias)
    weight = _affine_or_constant(weight, shape, 1.0, input)
    bias = _affine_or_constant(bias, shape, 0.0, input)
    return LayerNorm.apply(input, weight, bias, k, float(eps))


def native_group_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    N: int,  # noqa: N803  (torch's argument names)
    C: int,  # noqa: N803
    HxW: int,  # noqa: N803
    group: int,
    eps: float,
) -> tuple[Tensor, Tensor, Tensor]:
    """(output, mean (N, group), rstd (N, group)) of group normalisation of input viewed as (N, C, HxW)."""
    if not input._data.flags.c_contiguous:
        raise RuntimeError(
            "Expected X.is_contiguous(memory_format) to be true, but got false.  (Could this error message be "
            "improved?  If so, please report an enhancement request to PyTorch.)"
        )
    if input.numel() != N * C * HxW:
        raise RuntimeError(
            "Expected X.numel() == N * C * HxW to be true, but got false.  (Could this error message be "
            "improved?  If so, please report an enhancement request to PyTorch.)"
        )
    if group <= 0 or C % group:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(input.shape)} and num_groups={group}"
        )
    _check_dtypes("GroupNormKernelImpl", input, weight, bias)
    weight = _affine_or_constant(weight, (C,), 1.0, input)
    bias = _affine_or_constant(bias, (C,), 0.0, input)
    return GroupNorm.apply(input, weight, bias, int(N), int(C), int(HxW), int(group), float(eps))


__all__ = ["native_group_norm", "native_layer_norm"]

TENSOR_METHODS: dict = {}
