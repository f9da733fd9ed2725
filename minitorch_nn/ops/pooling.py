r"""Pooling: max and average over windows, 1-d to 3-d, sliding and adaptive; max unpooling.

Each output is a function of one window $W_o$ of input positions (per plane:
batch x channel).

Max pooling: $y_o = \max_{i \in W_o} x_i = x_{a(o)}$, with $a(o)$ the argmax. Near
any input without ties, $a(o)$ stays the same under a small change of x, so
$y_o = x_{a(o)}$ is locally the identity on the winner and constant in every
other input: $\partial y_o / \partial x_i = [i = a(o)]$. Hence

$$
\frac{\partial L}{\partial x_i} = \sum_o \frac{\partial L}{\partial y_o}\, [a(o) = i],
$$

the output gradient routed to the argmax. Overlapping windows (stride $<$
kernel) can share a winner, so the routed gradients are scatter-added. The
forward keeps $a(o)$ as ``indices`` (the flat position in the plane, torch's
layout), which is all backward needs.

Average pooling: $y_o = \frac{1}{c_o} \sum_{i \in W_o} x_i$ with $c_o$ the divisor
(divisor_override; else the window size, counting padding with
count_include_pad). Each $x_i$ in $W_o$ has $\partial y_o / \partial x_i = 1/c_o$, so

$$
\frac{\partial L}{\partial x_i} = \sum_{o:\ i \in W_o} \frac{1}{c_o} \frac{\partial L}{\partial y_o},
$$

every window's gradient spread evenly over its inputs, divided by the same
divisor the forward used. Padding positions get their share too, which is
dropped (they are not inputs). Adaptive average pooling is the same with
windows $[\lfloor o \cdot \mathrm{in}/\mathrm{out} \rfloor, \lceil (o+1) \cdot \mathrm{in}/\mathrm{out} \rceil)$ and
$c_o$ their size; adaptive max pooling routes as max pooling does (2-d and 3-d alike: the kernels take three
spatial axes). An adaptive pool's backward refuses an empty output as torch's does.

Max unpooling is max pooling's gather run backwards, a scatter of the values to
their indices; its gradient is therefore the gather
$\partial L / \partial x_q = \partial L / \partial y[\mathrm{idx}[q]]$.

1-d pooling runs as torch runs it: unsqueeze(-2), 2-d pooling over a height-1
image, squeeze(-2) (so ``grad_fn`` shows SqueezeBackward1 ->
MaxPool2DWithIndicesBackward0 -> UnsqueezeBackward0, as in torch). Unbatched
inputs (C, *spatial) are pooled directly: the kernels see any leading dims as
planes. The argument checks reproduce torch's errors, in torch's order.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..kernels.backend import backend_of
from ..kernels.cpu import pooling as K  # the window tables (host-side, for every device)
from .utils import CheckedArguments

_NAMES = {1: "one", 2: "two", 3: "three"}
_AXES = {2: "HW", 3: "THW"}


# ---- the Functions: forward and backward side by side ------------------------------------


def _plane_shape(spatial: tuple[int, ...]) -> tuple[int, int, int]:
    return (1,) * (3 - len(spatial)) + tuple(spatial)  # type: ignore[return-value]


def _tables(windows: list[np.ndarray]) -> list[np.ndarray]:
    """Pad per-axis window tables to the kernels' three axes with singleton axes in front."""
    return [K.unit_window(1)] * (3 - len(windows)) + windows


@functools.lru_cache(maxsize=256)  # a model pools the same few shapes every step; the tables are never written
def _sliding(spatial, ks, ss, ps, ds, ceil_mode, count_include_pad=True) -> tuple[list[np.ndarray], tuple]:
    outs = tuple(K.output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(spatial, ks, ss, ps, ds))
    windows = [
        K.sliding_windows(n, o, k, s, p, d, count_include_pad)
        for n, o, k, s, p, d in zip(spatial, outs, ks, ss, ps, ds)
    ]
    return _tables(windows), outs


class MaxPool2DWithIndices(Function):
    r"""(y, indices): the max of each window and its flat position; dx = dy scattered to the argmax:
    $dx_i = \sum_o dy_o\, [a(o) = i]$.
    """

    node_name = "MaxPool2DWithIndicesBackward0"
    nd = 2

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, ks, ss, ps, ds, ceil_mode: bool) -> tuple:
        spatial = x.shape[-cls.nd :]
        tables, outs = _sliding(spatial, ks, ss, ps, ds, ceil_mode)
        step = (1,) * (3 - cls.nd) + tuple(ds)
        y, idx = backend_of(x).pooling.max_forward(backend_of(x).pooling.planes(x, cls.nd), *tables, step)
        shape = x.shape[: -cls.nd] + outs
        y, idx = y.reshape(shape), idx.reshape(shape)
        ctx.shape = x.shape
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return y, idx

    @classmethod
    def backward(cls, ctx: Any, grad: np.ndarray, _grad_indices: Any) -> tuple:
        (idx,) = ctx.saved_tensors
        planes = idx.reshape(-1, *_plane_shape(idx.shape[-cls.nd :]))
        gx = backend_of(grad).pooling.max_backward(
            grad.reshape(planes.shape), planes, _plane_shape(ctx.shape[-cls.nd :])
        )
        return gx.reshape(ctx.shape), None, None, None, None, None


class MaxPool3DWithIndices(MaxPool2DWithIndices):
    node_name = "MaxPool3DWithIndicesBackward0"
    nd = 3


class AvgPool2D(Function):
    r"""$y_o = \sum_{i \in W_o} x_i / c_o$;   $dx_i = \sum_{o:\ i \in W_o} dy_o / c_o$, each $dy_o / c_o$ spread over
    every input of its window.
    """

    node_name = "AvgPool2DBackward0"
    nd = 2

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, ks, ss, ps, ceil_mode, count_include_pad, divisor_override) -> np.ndarray:
        spatial = x.shape[-cls.nd :]
        tables, outs = _sliding(spatial, ks, ss, ps, (1,) * cls.nd, ceil_mode, count_include_pad)
        divisor = int(divisor_override or 0)  # 0: the window sizes in the tables
        y = backend_of(x).pooling.avg_forward(backend_of(x).pooling.planes(x, cls.nd), *tables, divisor)
        ctx.shape, ctx.tables, ctx.divisor = x.shape, tables, divisor
        ctx.save_for_backward(x)  # unused, but freed after backward as torch frees self
        return y.reshape(x.shape[: -cls.nd] + outs)

    @classmethod
    def backward(cls, ctx: Any, grad: np.ndarray) -> tuple:
        _ = ctx.saved_tensors  # raises on a second backward through a freed graph
        gy = grad.reshape(-1, *_plane_shape(grad.shape[-cls.nd :]))
        gx = backend_of(gy).pooling.avg_backward(gy, *ctx.tables, ctx.divisor, _plane_shape(ctx.shape[-cls.nd :]))
        return gx.reshape(ctx.shape), None, None, None, None, None, None


class AvgPool3D(AvgPool2D):
    node_name = "AvgPool3DBackward0"
    nd = 3


def _check_adaptive_grad(grad: np.ndarray, op: str) -> None:
    """torch's backward refuses an empty output (an output_size with a 0): the same error here."""
    for i in range(1, grad.ndim):
        if grad.shape[i] == 0:
            raise RuntimeError(
                f"{op}(): Expected grad_output to have non-zero size for non-batch dimensions, but grad_output has "
                f"sizes {list(grad.shape)} with dimension {i} being empty"
            )


class AdaptiveAvgPool2D(Function):
    r"""Adaptive windows $W_o = [\lfloor o\, n_{in} / n_{out} \rfloor, \lceil (o+1)\, n_{in} / n_{out} \rceil)$;
    y = window mean, $dx_i = \sum_{o:\ i \in W_o} dy_o / |W_o|$, dy spread over each window.
    """

    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        tables = _tables([K.adaptive_windows(n, o) for n, o in zip(x.shape[-2:], size)])
        y = backend_of(x).pooling.avg_forward(backend_of(x).pooling.planes(x, 2), *tables, 0)
        ctx.shape, ctx.tables = x.shape, tables
        ctx.save_for_backward(x)
        return y.reshape(x.shape[:-2] + tuple(size))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        _ = ctx.saved_tensors
        _check_adaptive_grad(grad, "adaptive_avg_pool2d_backward")
        gy = grad.reshape(-1, *_plane_shape(grad.shape[-2:]))
        return backend_of(gy).pooling.avg_backward(gy, *ctx.tables, 0, _plane_shape(ctx.shape[-2:])).reshape(
            ctx.shape
        ), None


class AdaptiveMaxPool2D(Function):
    r"""(y, indices) over adaptive windows; dx = dy scattered to the argmax: $dx_i = \sum_o dy_o\, [a(o) = i]$."""

    node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, size: tuple[int, int]) -> tuple:
        tables = _tables([K.adaptive_windows(n, o) for n, o in zip(x.shape[-2:], size)])
        y, idx = backend_of(x).pooling.max_forward(backend_of(x).pooling.planes(x, 2), *tables, (1, 1, 1))
        shape = x.shape[:-2] + tuple(size)
        y, idx = y.reshape(shape), idx.reshape(shape)
        ctx.shape = x.shape
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return y, idx

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: Any) -> tuple:
        (idx,) = ctx.saved_tensors
        _check_adaptive_grad(grad, "adaptive_max_pool2d_backward")
        planes = idx.reshape(-1, *_plane_shape(idx.shape[-2:]))
        gx = backend_of(grad).pooling.max_backward(grad.reshape(planes.shape), planes, _plane_shape(ctx.shape[-2:]))
        return gx.reshape(ctx.shape), None


class AdaptiveAvgPool3D(Function):
    r"""AdaptiveAvgPool2D over three spatial dims: the same windows per axis, the same spread backward,
    $dx_i = \sum_{o:\ i \in W_o} dy_o / |W_o|$.
    """

    node_name = "AdaptiveAvgPool3DBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, size: tuple[int, int, int]) -> np.ndarray:
        tables = [K.adaptive_windows(n, o) for n, o in zip(x.shape[-3:], size)]
        y = backend_of(x).pooling.avg_forward(backend_of(x).pooling.planes(x, 3), *tables, 0)
        ctx.shape, ctx.tables = x.shape, tables
        return y.reshape(x.shape[:-3] + tuple(size))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        _check_adaptive_grad(grad, "adaptive_avg_pool3d_backward")
        gy = grad.reshape((-1,) + grad.shape[-3:])
        return backend_of(gy).pooling.avg_backward(gy, *ctx.tables, 0, ctx.shape[-3:]).reshape(ctx.shape), None


class AdaptiveMaxPool3D(Function):
    """(y, indices) over 3-d adaptive windows, indices flat in the (D, H, W) volume; $dx = dy$ at the argmax."""

    node_name = "AdaptiveMaxPool3DBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, size: tuple[int, int, int]) -> tuple:
        tables = [K.adaptive_windows(n, o) for n, o in zip(x.shape[-3:], size)]
        y, idx = backend_of(x).pooling.max_forward(backend_of(x).pooling.planes(x, 3), *tables, (1, 1, 1))
        shape = x.shape[:-3] + tuple(size)
        y, idx = y.reshape(shape), idx.reshape(shape)
        ctx.shape = x.shape
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return y, idx

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: Any) -> tuple:
        (idx,) = ctx.saved_tensors
        _check_adaptive_grad(grad, "adaptive_max_pool3d_backward")
        planes = idx.reshape((-1,) + idx.shape[-3:])
        gx = backend_of(grad).pooling.max_backward(grad.reshape(planes.shape), planes, ctx.shape[-3:])
        return gx.reshape(ctx.shape), None


class MaxUnpool(Function):
    r"""Max unpooling, the scatter that undoes max pooling's gather.

    Forward, per plane (batch x channel): y = 0 of the output's volume, then $y[\mathrm{idx}[q]] = x[q]$, each
    input value put back at the flat position its pooling took it from.

    Backward: $y[j] = x[q]$ if $\mathrm{idx}[q] = j$, so $\partial y_j / \partial x_q = [\mathrm{idx}[q] = j]$ and
    $\partial L / \partial x_q = \partial L / \partial y[\mathrm{idx}[q]]$,
    the output gradient gathered at the indices (the indices get no gradient). With repeated
    indices torch keeps one writer; they never repeat for a pooling whose windows do not overlap.
    """

    node_name = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, indices: np.ndarray, size: tuple[int, ...]) -> np.ndarray:
        nd = len(size)
        lead = x.shape[:-nd]
        flat_x = x.reshape((-1, math.prod(x.shape[-nd:])))
        flat_idx = indices.reshape(flat_x.shape)
        y = np.zeros((flat_x.shape[0], math.prod(size)), x.dtype)
        np.put_along_axis(y, flat_idx, flat_x, axis=1)
        ctx.nd = nd
        ctx.save_for_backward(indices)
        return y.reshape(lead + tuple(size))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        (indices,) = ctx.saved_tensors
        flat_idx = indices.reshape((-1, math.prod(indices.shape[-ctx.nd :])))
        flat_g = grad.reshape((flat_idx.shape[0], -1))
        return np.take_along_axis(flat_g, flat_idx, axis=1).reshape(indices.shape), None, None


class MaxUnpool3D(MaxUnpool):
    node_name = "MaxUnpool3DBackward0"


# ---- argument handling, with torch's checks and messages ---------------------------------


def _ints(value: Any, nd: int, message: str, allow_empty: bool = False) -> tuple[int, ...] | None:
    """An int or a sequence of 1 or ``nd`` ints as an nd-tuple (None for an omitted stride)."""
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        if allow_empty and len(value) == 0:
            return None
        if len(value) not in (1, nd):
            raise RuntimeError(message)
        return tuple(int(v) for v in value) * (nd if len(value) == 1 else 1)
    return (int(value),) * nd


def _one_int(value: Any, op: str, name: str) -> int | None:
    """torch's parsing of a 1-d argument (an int or a one-element sequence)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise RuntimeError(f"{op}() argument '{name}' should contain one int (got {len(value)})")
        return int(value[0])
    return None if value is None else int(value)


def _check_rank_2_to_3(input: Tensor, op: str) -> None:
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 'self' "
            f"(while checking arguments for {op})"
        )


def _half(v: int) -> int:
    return int(v / 2)  # C++ integer division truncates toward zero


def _output_sizes(spatial, ks, ss, ps, ds, ceil_mode) -> list[int]:
    """Per axis, torch's pooling_output_shape with its checks."""
    outs = []
    for n, k, s, p, d in zip(spatial, ks, ss, ps, ds):
        if s == 0:
            raise RuntimeError("stride should not be zero")
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > _half((k - 1) * d + 1):
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k} and dilation={d}"
            )
        outs.append(K.output_size(n, k, s, p, d, ceil_mode) if k > 0 and s > 0 and d > 0 else 1)
    return outs


def _shape_check(input: Tensor, nd: int, ks, ss, ps, ds, outs, avg: bool) -> None:
    """torch's pool2d_shape_check / pool3d_shape_check."""
    shape = tuple(input.shape)
    axes = _AXES[nd]

    def named(prefix: str, values: tuple[int, ...], sep: str = " ") -> str:
        return sep.join(f"{prefix}{a}: {v}" for a, v in zip(axes, values))

    if nd == 3 and any(s == 0 for s in shape[1:]):
        dim = next(i for i, s in enumerate(shape[1:]) if s == 0)
        where = "avg_pool3d()" if avg else "max_pool3d_with_indices_out_cpu_template()"
        raise RuntimeError(
            f"{where}: Expected input's non-batch dimensions to have positive length, but input has a shape of "
            f"{list(shape)} and non-batch dimension {dim} has length zero!"
        )
    if min(ks) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got " + named("k", ks))
    if min(ss) <= 0:
        raise RuntimeError("stride should be greater than zero, but got " + named("d", ss))
    if min(ds) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got " + named("dilation", ds))
    if nd == 2 and (input.dim() not in (3, 4) or any(s == 0 for s in shape[-3:])):
        raise RuntimeError(
            f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{list(shape)}"
        )
    if any(p > k // 2 for k, p in zip(ks, ps)):
        if nd == 2:
            (kh, kw), (ph, pw) = ks, ps
            text = f"padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}"
        else:
            (kt, kh, kw), (pt, ph, pw) = ks, ps
            text = f"kT: {kt} kW: {kw} kH: {kh} padT: {pt} padW: {pw} padH: {ph}"
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got " + text)
    spatial = shape[-nd:]
    if nd == 3 and avg and any(n < k for n, k in zip(spatial, ks)):
        t, h, w = spatial
        kt, kh, kw = ks
        raise RuntimeError(f"input image (T: {t} H: {h} W: {w}) smaller than kernel size (kT: {kt} kH: {kh} kW: {kw})")
    if min(outs) < 1:
        channels = shape[-nd - 1]
        given = "x".join(str(v) for v in (channels, *spatial))
        calc = "x".join(str(v) for v in (channels, *outs))
        raise RuntimeError(f"Given input size: ({given}). Calculated output size: ({calc}). Output size is too small")


# F.max_pool*d's checked arguments (see ops/utils.py)
_CHECKED = CheckedArguments()


def _max_pool_nd(input, nd, kernel_size, stride, padding, dilation, ceil_mode) -> tuple[Tensor, Tensor]:
    """torch's max_pool{2,3}d_with_indices: checks, then the Function."""
    function = MaxPool3DWithIndices if nd == 3 else MaxPool2DWithIndices
    key, checked = _CHECKED.get(
        lambda: (nd, input._data.shape, kernel_size, stride, padding, dilation, bool(ceil_mode))
    )
    if checked is None:
        checked = _check_max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode)
        _CHECKED.put(key, checked)
    return function.apply(input, *checked, bool(ceil_mode))


def _check_max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode) -> tuple:
    """(kernel, stride, padding, dilation) as tuples of nd ints, after torch's checks."""
    name, count = f"max_pool{nd}d", _NAMES[nd]
    ks = _ints(kernel_size, nd, f"{name}: kernel_size must either be a single int, or a tuple of {count} ints")
    ss = _ints(stride, nd, f"{name}: stride must either be omitted, a single int, or a tuple of {count} ints", True)
    ps = _ints(padding, nd, f"{name}: padding must either be a single int, or a tuple of {count} ints")
    ds = _ints(dilation, nd, f"{name}: dilation must be either a single int, or a tuple of {count} ints")
    ss = ss or ks
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    outs = _output_sizes(input.shape[-nd:], ks, ss, ps, ds, ceil_mode)
    _shape_check(input, nd, ks, ss, ps, ds, outs, avg=False)
    return ks, ss, ps, ds


def _avg_pool_nd(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override) -> Tensor:
    """torch's avg_pool{2,3}d: checks, then the Function."""
    if nd == 2:
        ks = _ints(kernel_size, 2, "avg_pool2d: kernel_size must either be a single int, or a tuple of two ints")
        ss = _ints(stride, 2, "avg_pool2d: stride must either be omitted, a single int, or a tuple of two ints", True)
        ps = _ints(padding, 2, "avg_pool2d: padding must either be a single int, or a tuple of two ints")
    else:
        ks = _ints(kernel_size, 3, "avg_pool3d: kernel_size must be a single int, or a tuple of three ints")
        ss = _ints(stride, 3, "avg_pool3d: stride must be omitted, a single int, or a tuple of three ints", True)
        ps = _ints(padding, 3, "avg_pool3d: padding must be a single int, or a tuple of three ints")
    ss = ss or ks
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if nd == 2 and input.dim() < 3:
        low, high = -input.dim(), input.dim() - 1
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], but got -3)")
    if nd == 3 and input.dim() not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    ds = (1,) * nd
    outs = _output_sizes(input.shape[-nd:], ks, ss, ps, ds, ceil_mode)
    _shape_check(input, nd, ks, ss, ps, ds, outs, avg=True)
    function = AvgPool3D if nd == 3 else AvgPool2D
    return function.apply(input, ks, ss, ps, bool(ceil_mode), bool(count_include_pad), divisor_override)


def _check_max_pool1d(input: Tensor, kernel_size, stride, padding, dilation, ceil_mode) -> None:
    """The checks of torch's max_pool1d (the path without indices), with its own messages."""
    if input.dim() not in (2, 3) or any(s == 0 for s in input.shape[-2:]):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{list(input.shape)}"
        )

    def size1(value, what, text) -> int | None:
        if isinstance(value, (tuple, list)):
            if len(value) == 0 and what == "stride":
                return None
            if len(value) != 1:
                raise RuntimeError(f"max_pool1d() {what} must be {text} of size 1 but got size {len(value)}")
            return int(value[0])
        return None if value is None else int(value)

    k = size1(kernel_size, "kernel_size", "an int, list of ints or tuple of ints")
    s = size1(stride, "stride", "None, an int, list of ints, or tuple of ints")
    p = size1(padding, "padding", "an int, list of ints, or tuple of ints")
    d = size1(dilation, "dilation", "an int, list of ints or tuple of ints")
    s = k if s is None else s
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(
            f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and kernel_size={k}"
        )
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    out = K.output_size(input.shape[-1], k, s, p, d, ceil_mode)
    if out <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")


# ---- the user functions (torch.max_pool2d, F.max_pool2d, ...) ----------------------------


def max_pool1d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:  # fmt: skip
    """Max over windows of the last dim of (N, C, L) or (C, L): 2-d pooling of an unsqueezed height-1 image."""
    if not return_indices:
        # torch's path without indices checks first, with its own messages
        _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    k = _one_int(kernel_size, "max_pool1d", "kernel_size")
    s = _one_int(stride, "max_pool1d", "stride") if stride not in (None, [], ()) else None
    p = _one_int(padding, "max_pool1d", "padding")
    d = _one_int(dilation, "max_pool1d", "dilation")
    _check_rank_2_to_3(input, "max_pool1d")
    s = k if s is None else s
    values, indices = _max_pool_nd(input.unsqueeze(-2), 2, (1, k), (1, s), (0, p), (1, d), ceil_mode)
    values = values.squeeze(-2)
    return (values, indices.squeeze(-2)) if return_indices else values


def max_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:  # fmt: skip
    """Max over (kH, kW) windows of (N, C, H, W) or (C, H, W); with return_indices, the flat argmax too."""
    values, indices = _max_pool_nd(input, 2, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def max_pool3d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = False,
) -> Any:  # fmt: skip
    """Max over (kT, kH, kW) windows of (N, C, T, H, W) or (C, T, H, W)."""
    values, indices = _max_pool_nd(input, 3, kernel_size, stride, padding, dilation, ceil_mode)
    return (values, indices) if return_indices else values


def avg_pool1d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:  # fmt: skip
    """Window means along the last dim of (N, C, L) or (C, L), as 2-d pooling of a height-1 image."""
    k = _one_int(kernel_size, "avg_pool1d", "kernel_size")
    s = _one_int(stride, "avg_pool1d", "stride") if stride not in (None, [], ()) else None
    p = _one_int(padding, "avg_pool1d", "padding")
    _check_rank_2_to_3(input, "avg_pool1d")
    s = k if s is None else s
    y = _avg_pool_nd(input.unsqueeze(-2), 2, (1, k), (1, s), (0, p), ceil_mode, count_include_pad, None)
    return y.squeeze(-2)


def avg_pool2d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:  # fmt: skip
    """Window means (or sums / divisor_override) over (kH, kW) windows of (N, C, H, W) or (C, H, W)."""
    return _avg_pool_nd(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
    count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:  # fmt: skip
    """Window means over (kT, kH, kW) windows of (N, C, T, H, W) or (C, T, H, W)."""
    return _avg_pool_nd(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _adaptive_size(input: Tensor, output_size: Any) -> tuple[int, int]:
    size = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(size) == 1:
        size = size * 2
    return tuple(input.shape[-2 + i] if s is None else int(s) for i, s in enumerate(size))  # type: ignore[return-value]


def _check_adaptive(input: Tensor, op: str, colon: str) -> None:
    if input.dim() not in (3, 4):
        raise RuntimeError(f"{op}(): Expected 3D or 4D tensor, but got{colon} {list(input.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes "
                f"{list(input.shape)} with dimension {i} being empty"
            )


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Means over adaptive windows giving an (oH, oW) output; (1, 1) is a plain mean, as in torch."""
    size = _adaptive_size(input, output_size)
    if min(size) < 0:
        raise RuntimeError(
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received "
            f"{{{size[0]}, {size[1]}}}"
        )
    _check_adaptive(input, "adaptive_avg_pool2d", "")
    if size == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    return AdaptiveAvgPool2D.apply(input, size)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Adaptive means along the last dim: adaptive_avg_pool2d of an unsqueezed height-1 image."""
    size = _one_int(output_size, "adaptive_avg_pool1d", "output_size")
    _check_rank_2_to_3(input, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows giving an (oH, oW) output (and the flat argmax with return_indices)."""
    size = _adaptive_size(input, output_size)
    _check_adaptive(input, "adaptive_max_pool2d", ":")
    if min(size) < 0:
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(size)}: {list(input.shape[:-2]) + list(size)}"
        )
    values, indices = AdaptiveMaxPool2D.apply(input, size)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Adaptive max along the last dim, as adaptive_max_pool2d of a height-1 image."""
    size = _one_int(output_size, "adaptive_max_pool1d", "output_size")
    _check_rank_2_to_3(input, "adaptive_max_pool1d")
    values, indices = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), True)
    values = values.squeeze(-2)
    return (values, indices.squeeze(-2)) if return_indices else values


def max_pool1d_with_indices(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = True,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# torch's top level has these (avg_pool2d/3d and the 2-d adaptive pools live only in F)
__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "avg_pool1d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool3d",
]

TENSOR_METHODS: dict = {}


# ---- 3-d adaptive pooling and max unpooling ----------------------------------------------


def _adaptive_size3(input: Tensor, output_size: Any, op: str) -> tuple[int, int, int]:
    size = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * 3
    if len(size) == 1:
        size = size * 3
    if len(size) != 3:
        if op == "adaptive_max_pool3d":
            raise RuntimeError(f"{op}(): internal error: output_size.size() must be 3")
        raise RuntimeError(f"{op}: output_size must be 3")
    return tuple(input.shape[-3 + i] if s is None else int(s) for i, s in enumerate(size))  # type: ignore[return-value]


def _check_adaptive3(input: Tensor, op: str, colon: str) -> None:
    if input.dim() not in (4, 5):
        raise RuntimeError(f"{op}(): Expected 4D or 5D tensor, but got{colon} {list(input.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes "
                f"{list(input.shape)} with dimension {i} being empty"
            )


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Means over adaptive windows giving an (oD, oH, oW) output; (1, 1, 1) is a plain mean, as in torch."""
    size = _adaptive_size3(input, output_size, "adaptive_avg_pool3d")
    if min(size) < 0:
        raise RuntimeError(
            "adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but received "
            f"{{{size[0]}, {size[1]},{size[2]}}}"
        )
    _check_adaptive3(input, "adaptive_avg_pool3d", "")
    if size == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)
    return AdaptiveAvgPool3D.apply(input, size)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows giving an (oD, oH, oW) output (and the flat argmax with return_indices)."""
    size = _adaptive_size3(input, output_size, "adaptive_max_pool3d")
    _check_adaptive3(input, "adaptive_max_pool3d", ":")
    if min(size) < 0:
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(size)}: {list(input.shape[:-3]) + list(size)}"
        )
    values, indices = AdaptiveMaxPool3D.apply(input, size)
    return (values, indices) if return_indices else values


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "int32": "Int", "int16": "Short", "int8": "Char"}
_TYPE_NAMES.update({"uint8": "Byte", "bool": "Bool", "float16": "Half", "int64": "Long"})


def max_unpool(input: Tensor, indices: Tensor, output_size: list[int], nd: int) -> Tensor:
    """The op behind F.max_unpool{1,2,3}d (1-d runs as 2-d with a unit width, as in torch): torch's checks."""
    name = f"max_unpooling{nd}d"
    if str(indices.dtype).split(".")[-1] != "int64":
        raise RuntimeError(
            f"elements in indices should be type int64 but got: {_TYPE_NAMES.get(str(indices.dtype).split('.')[-1])}"
        )
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Input to {name} should be a {nd + 1}d or {nd + 2}d Tensor, but got a tensor with {input.dim()} "
            "dimensions."
        )
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) but got "
            f"indices tensor with shape: {list(indices.shape)}"
        )
    size = tuple(int(v) for v in output_size)
    volume = math.prod(size)
    flat = indices._data.reshape(-1)
    bad = np.flatnonzero((flat < 0) | (flat >= volume))
    if bad.size:
        raise RuntimeError(
            f"Found an invalid max index: {flat[bad[0]]} (output volumes are of size {'x'.join(map(str, size))})"
        )
    return (MaxUnpool if nd == 2 else MaxUnpool3D).apply(input, indices, size)


# ---- fractional max pooling ---------------------------------------------------------------


def _fractional_starts(samples: np.ndarray, size: int, out: int, k: int) -> np.ndarray:
    """torch's pseudo-random window starts, per plane (P,) sample u: with alpha = (size - k) / (out - 1),
    start[i] = int((i + u) * alpha) - int(u * alpha) for i < out - 1, and the last window ends at the edge.
    The arithmetic is in the input's dtype, as in torch (float32 rounding moves a start)."""
    dtype = samples.dtype.type
    starts = np.empty((samples.shape[0], out), dtype=np.int64)
    if out > 1:
        alpha = dtype(size - k) / dtype(out - 1)
        i = np.arange(out - 1, dtype=samples.dtype)
        scaled = ((i[None, :] + samples[:, None]) * alpha).astype(np.int64)
        starts[:, :-1] = scaled - (samples * alpha).astype(np.int64)[:, None]
    if out > 0:
        starts[:, -1] = size - k
    return starts


class FractionalMaxPool2D(Function):
    r"""Max over pseudo-random (kh, kw) windows (one start sequence per plane and axis).

    Forward: $y[p, i, j]$ = max over the window at $(\mathrm{start}_h[p, i], \mathrm{start}_w[p, j])$, indices the flat
    argmax $h \cdot \mathrm{width} + w$ (the first maximum, as torch's strict comparison keeps it). Backward as max
    pooling: $\partial L / \partial x$ at each argmax gets the sum of the output gradients routed to it.
    """

    node_name = "FractionalMaxPool2DBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, ksize: tuple, osize: tuple, samples: np.ndarray) -> tuple:
        height, width = x.shape[-2:]
        (kh, kw), (oh, ow) = ksize, osize
        planes = x.reshape(-1, height * width)
        u = samples.reshape(-1, 2)
        sw = _fractional_starts(u[:, 0], width, ow, kw)  # sample 0 drives the width, 1 the height (torch's order)
        sh = _fractional_starts(u[:, 1], height, oh, kh)
        rows = sh[:, :, None, None, None] + np.arange(kh)[None, None, None, :, None]
        cols = sw[:, None, :, None, None] + np.arange(kw)[None, None, None, None, :]
        flat = (rows * width + cols).reshape(u.shape[0], oh, ow, kh * kw)
        taps = np.take_along_axis(planes, flat.reshape(u.shape[0], -1), axis=1).reshape(flat.shape)
        best = taps.argmax(axis=-1)[..., None]
        shape = x.shape[:-2] + (oh, ow)
        y = np.take_along_axis(taps, best, axis=-1).reshape(shape)
        idx = np.take_along_axis(flat, best, axis=-1).reshape(shape)
        ctx.shape = x.shape
        ctx.save_for_backward(idx)
        ctx.mark_non_differentiable(idx)
        return y, idx

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: Any) -> tuple:
        (idx,) = ctx.saved_tensors
        height, width = ctx.shape[-2:]
        gx = np.zeros((int(np.prod(ctx.shape[:-2], dtype=np.int64)), height * width), grad.dtype)
        rows = np.arange(gx.shape[0])[:, None]
        np.add.at(gx, (rows, idx.reshape(gx.shape[0], -1)), grad.reshape(gx.shape[0], -1))
        return gx.reshape(ctx.shape), None, None, None


def fractional_max_pool2d_op(input: Tensor, kernel_size: tuple, output_size: tuple, samples: Tensor) -> tuple:
    """The op behind F.fractional_max_pool2d, with torch's size checks; (values, indices)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"fractional_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}")
    (kh, kw), (oh, ow) = kernel_size, output_size
    height, width = input.shape[-2:]
    if oh + kh - 1 > height:
        raise RuntimeError(f"fractional_max_pool2d(): pool height {kh} too large relative to input height {height}")
    if ow + kw - 1 > width:
        raise RuntimeError(f"fractional_max_pool2d(): pool width {kw} too large relative to input width {width}")
    return FractionalMaxPool2D.apply(input, (kh, kw), (oh, ow), samples._data)
