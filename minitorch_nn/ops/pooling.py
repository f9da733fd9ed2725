"""Pooling: max and average over sliding windows, 1-d to 3-d (N, C, *spatial).

Max pooling outputs each window's largest value and remembers where it was
(the flat index into the channel's spatial input, as torch returns it). Its
backward routes each output gradient to that one position: the max is locally
the identity on the winner and constant in the others. Overlapping windows may
pick the same input, so the gradients are scatter-added. Average pooling's
output is the window sum over its divisor, so each input in the window gets
dy / divisor, again added up where windows overlap.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


def _tuple(v: Any, n: int) -> tuple[int, ...]:
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return tuple(v) * n
        return tuple(int(x) for x in v)
    return (int(v),) * n


def output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside the input or the left padding
    return out


def _windows(shape_sp, ks, ss, ps, ds, outs):
    """For each spatial axis: the input index of every (output, kernel) pair, shape (out, k)."""
    return [np.arange(o)[:, None] * s - p + np.arange(k)[None, :] * d for o, k, s, p, d in zip(outs, ks, ss, ps, ds)]


def _gather(x: np.ndarray, idx: list[np.ndarray], fill: float) -> tuple[np.ndarray, np.ndarray]:
    """Values (N, C, *out, *k) of x at the window indices, ``fill`` outside; and the validity mask."""
    nd = len(idx)
    sp = x.shape[2:]
    grids = np.meshgrid(*[i.reshape(-1) for i in idx], indexing="ij")  # not used for big shapes
    del grids
    shape_out = tuple(i.shape[0] for i in idx)
    shape_k = tuple(i.shape[1] for i in idx)
    # broadcast each axis's (out, k) table into (*out, *k)
    full = []
    for a, table in enumerate(idx):
        view = [1] * (2 * nd)
        view[a] = table.shape[0]
        view[nd + a] = table.shape[1]
        full.append(table.reshape(view))
    valid = np.ones(shape_out + shape_k, dtype=bool)
    for a in range(nd):
        valid &= (full[a] >= 0) & (full[a] < sp[a])
    clipped = [np.clip(f, 0, s - 1) for f, s in zip(full, sp)]
    values = x[(slice(None), slice(None), *clipped)]
    values = np.where(valid, values, fill)
    return values, valid, clipped


class MaxPool(Function):
    """y = max over each window; indices = flat position of the max (torch's layout)."""

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, ks, ss, ps, ds, ceil_mode: bool) -> tuple:
        nd = len(ks)
        sp = x.shape[2:]
        outs = tuple(output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(sp, ks, ss, ps, ds))
        idx = _windows(sp, ks, ss, ps, ds, outs)
        values, valid, clipped = _gather(x, idx, -np.inf)
        n, c = x.shape[:2]
        flat_values = values.reshape(n, c, *outs, -1)
        arg = np.argmax(flat_values, axis=-1)
        y = np.take_along_axis(flat_values, arg[..., None], axis=-1)[..., 0].astype(x.dtype)
        # flat index of the winner into the channel's spatial input
        flat_pos = np.zeros(outs + tuple(ks), dtype=np.int64)
        stride = 1
        for a in reversed(range(nd)):
            flat_pos = flat_pos + np.broadcast_to(clipped[a], outs + tuple(ks)) * stride
            stride *= sp[a]
        flat_pos = flat_pos.reshape(*outs, -1)
        positions = np.take_along_axis(np.broadcast_to(flat_pos, (n, c) + flat_pos.shape), arg[..., None], axis=-1)[
            ..., 0
        ]
        positions = np.ascontiguousarray(positions, dtype=np.int64)
        ctx.shape = x.shape
        ctx.positions = positions
        ctx.mark_non_differentiable(positions)
        return y, positions

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: np.ndarray) -> tuple:
        n, c = ctx.shape[:2]
        spatial = int(np.prod(ctx.shape[2:]))
        out = np.zeros((n * c, spatial), dtype=grad.dtype)
        rows = np.repeat(np.arange(n * c), grad[0, 0].size if grad.ndim > 2 else 1)
        np.add.at(out, (rows, ctx.positions.reshape(-1)), grad.reshape(-1))
        return out.reshape(ctx.shape), None, None, None, None, None


class MaxPool3d(MaxPool):
    node_name = "MaxPool3DWithIndicesBackward0"


class AvgPool(Function):
    """y = sum over each window / divisor.   dx = dy / divisor added at every window position."""

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, ks, ss, ps, ceil_mode: bool, count_include_pad: bool, divisor_override
    ) -> np.ndarray:
        nd = len(ks)
        sp = x.shape[2:]
        ds = (1,) * nd
        outs = tuple(output_size(n, k, s, p, 1, ceil_mode) for n, k, s, p in zip(sp, ks, ss, ps))
        idx = _windows(sp, ks, ss, ps, ds, outs)
        values, valid, clipped = _gather(x, idx, 0.0)
        if divisor_override:
            divisor = np.full(outs, float(divisor_override))
        else:
            # torch's divisor: the window clipped to the padded input (count_include_pad) or to the input
            divisor = np.ones(outs)
            for a in range(nd):
                start = np.arange(outs[a]) * ss[a] - ps[a]
                end = np.minimum(start + ks[a], sp[a] + ps[a])
                if not count_include_pad:
                    start, end = np.maximum(start, 0), np.minimum(end, sp[a])
                shape = [1] * nd
                shape[a] = outs[a]
                divisor = divisor * (end - start).reshape(shape)
        y = values.reshape(x.shape[:2] + outs + (-1,)).sum(-1) / divisor
        ctx.shape, ctx.divisor, ctx.clipped, ctx.valid, ctx.nd = x.shape, divisor, clipped, valid, nd
        return y.astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        nd = ctx.nd
        g = (grad / ctx.divisor).astype(grad.dtype)
        g = g.reshape(g.shape + (1,) * nd) * ctx.valid  # (N, C, *out, *k)
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        target = [np.broadcast_to(c, g.shape[2:]) for c in ctx.clipped]
        n, cc = ctx.shape[:2]
        for i in range(n):
            for j in range(cc):
                np.add.at(out[i, j], tuple(target), g[i, j])
        return out, None, None, None, None, None, None


class AvgPool3d(AvgPool):
    node_name = "AvgPool3DBackward0"


class AdaptiveAvgPool2d(Function):
    """Window i spans [floor(i*in/out), ceil((i+1)*in/out)); y = mean over it, dx = dy / window size."""

    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, out_size: tuple[int, int]) -> np.ndarray:
        h, w = x.shape[-2:]
        oh, ow = out_size
        rows = [(i * h // oh, -(-(i + 1) * h // oh)) for i in range(oh)]
        cols = [(j * w // ow, -(-(j + 1) * w // ow)) for j in range(ow)]
        y = np.empty(x.shape[:-2] + (oh, ow), dtype=x.dtype)
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                y[..., i, j] = x[..., r0:r1, c0:c1].mean(axis=(-2, -1))
        ctx.shape, ctx.rows, ctx.cols = x.shape, rows, cols
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        for i, (r0, r1) in enumerate(ctx.rows):
            for j, (c0, c1) in enumerate(ctx.cols):
                out[..., r0:r1, c0:c1] += grad[..., i, j, None, None] / ((r1 - r0) * (c1 - c0))
        return out, None


def _check(input: Tensor, nd: int, ks, ss, ps, ds, ceil_mode: bool, name: str) -> None:
    if input.ndim not in (nd + 1, nd + 2) or input._data.size == 0:
        kinds = {1: "2D or 3D", 2: "3D or 4D", 3: "4D or 5D"}[nd]
        raise RuntimeError(f"non-empty {kinds} (batch mode) tensor expected for input")
    for k, p, d in zip(ks, ps, ds):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k} and dilation={d}"
            )
    if any(p > k // 2 for k, p in zip(ks, ps)):
        # torch's second check ignores dilation; for 1-d it already speaks of the 2-d kernel (kH = 1)
        (kh, kw), (ph, pw) = ((1,) + ks, (0,) + ps) if nd == 1 else (ks[-2:], ps[-2:])
        raise RuntimeError(
            f"pad should be smaller than or equal to half of kernel size, but got padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}"
        )
    sp = input.shape[-nd:]
    outs = [output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(sp, ks, ss, ps, ds)]
    if min(outs) < 1:
        channels = input.shape[-nd - 1]
        given = "x".join(str(v) for v in (channels, *sp))
        calc = "x".join(str(v) for v in (channels, *outs))
        raise RuntimeError(f"Given input size: ({given}). Calculated output size: ({calc}). Output size is too small")


def _batched(input: Tensor, nd: int) -> tuple[Tensor, bool]:
    if input.ndim == nd + 1:
        return input.unsqueeze(0), True
    return input, False


def max_pool(
    input: Tensor, nd: int, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    ks = _tuple(kernel_size, nd)
    ss = ks if stride is None or stride == [] or stride == () else _tuple(stride, nd)
    ps, ds = _tuple(padding, nd), _tuple(dilation, nd)
    _check(input, nd, ks, ss, ps, ds, ceil_mode, "max_pool")
    x, unbatched = _batched(input, nd)
    if nd == 1:
        # torch runs 1-d max pooling as 2-d over a height-1 image
        values, indices = MaxPool.apply(x.unsqueeze(-2), (1,) + ks, (1,) + ss, (0,) + ps, (1,) + ds, ceil_mode)
        values, indices = values.squeeze(-2), indices.squeeze(-2)
    else:
        function = MaxPool3d if nd == 3 else MaxPool
        values, indices = function.apply(x, ks, ss, ps, ds, ceil_mode)
    if unbatched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return (values, indices) if return_indices else values


def avg_pool(
    input: Tensor,
    nd: int,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    ks = _tuple(kernel_size, nd)
    ss = ks if stride is None or stride == [] or stride == () else _tuple(stride, nd)
    ps = _tuple(padding, nd)
    _check(input, nd, ks, ss, ps, (1,) * nd, ceil_mode, "avg_pool")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    x, unbatched = _batched(input, nd)
    if nd == 1:
        y = AvgPool.apply(
            x.unsqueeze(-2), (1,) + ks, (1,) + ss, (0,) + ps, ceil_mode, count_include_pad, divisor_override
        ).squeeze(-2)
    else:
        y = (AvgPool3d if nd == 3 else AvgPool).apply(x, ks, ss, ps, ceil_mode, count_include_pad, divisor_override)
    return y.squeeze(0) if unbatched else y


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(
    input: Tensor, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    return avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(
    input: Tensor, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    return avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    size = _tuple(output_size, 2)
    size = tuple(input.shape[-2 + i] if s is None else s for i, s in enumerate(size))
    if size == (1, 1):
        return input.mean((-2, -1), keepdim=True)  # torch reduces to a mean here, with its grad_fn
    return AdaptiveAvgPool2d.apply(input, size)


__all__ = ["adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "avg_pool3d", "max_pool1d", "max_pool2d", "max_pool3d"]

TENSOR_METHODS: dict = {}
