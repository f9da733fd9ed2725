r"""Convolution (1-d, 2-d, 3-d): one Function, ``ConvolutionBackward0`` as in torch.

Forward (a cross-correlation, as in every deep-learning library), for group g,
output channel o of that group, output position p, kernel offset k:

$$
y[n, o, p] = b[o] + \sum_{c \in \mathrm{group}(o),\, k} W[o, c, k] \, x_{\mathrm{pad}}[n, c, s p + d k]
$$

with stride s, dilation d and $x_{\mathrm{pad}}$ the input with zeros around it.

Backward. y is linear in x and in W, so each gradient is the adjoint map
applied to the upstream gradient $G = \partial L / \partial y$:

- grad input: $x_{\mathrm{pad}}[n, c, q]$ feeds every $y[n, o, p]$ with $s p + d k = q$, with
  weight $W[o, c, k]$. Hence
  $\dfrac{\partial L}{\partial x_{\mathrm{pad}}[n, c, q]} = \sum_{o,\, k:\ s p + d k = q} W[o, c, k] \, G[n, o, p]$:
  G (spread out with s - 1 zeros between entries) convolved with W flipped in
  space and with in/out channels swapped, zero-padded by d*(kernel - 1) on every
  side: a *transposed* ("full") convolution. Then crop the padding off.
- grad weight: $\dfrac{\partial L}{\partial W[o, c, k]} = \sum_{n, p} G[n, o, p] \, x_{\mathrm{pad}}[n, c, s p + d k]$: the
  *correlation* of the input with the output gradient (the gradient plays the
  role of the kernel), summed over the batch.
- grad bias: b[o] is added to every y[n, o, p], so $\dfrac{\partial L}{\partial b[o]} = \sum_{n, p} G[n, o, p]$.

The kernels (kernels/cpu/conv/, one algorithm per file) compute these as GEMMs: with
$\mathrm{col}[(c, k), (n, p)] = x_{\mathrm{pad}}[n, c, s p + d k]$, the forward is $W \, \mathrm{col}$, the grad
weight $G \, \mathrm{col}^T$, and the grad input $\mathrm{col2im}(W^T G)$, col2im being the adjoint
(scatter-add) of im2col: the transposed convolution above, written as a GEMM.
3x3 stride-1 convolutions use Winograd's F(2x2, 3x3) instead, where grad input
is literally the forward algorithm run on G with the flipped, channel-swapped
kernel; grad bias is summed inside the kernels' gradient reorder.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..kernels.backend import backend_of
from .utils import CheckedArguments


def _as_3d(a: np.ndarray) -> np.ndarray:
    """(N, C, *spatial) with 1 to 3 spatial dims -> (N, C, D, H, W), singleton dims in front."""
    return backend_of(a).xp.ascontiguousarray(a).reshape(a.shape[:2] + (1,) * (5 - a.ndim) + a.shape[2:])


def _pad3(values: tuple[int, ...], fill: int) -> tuple[int, ...]:
    return (fill,) * (3 - len(values)) + tuple(values)


class Convolution(Function):
    """y = conv(x, W) + b with stride, zero padding, dilation and groups (see the module docstring)."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None,
        stride: tuple[int, ...],
        padding: tuple[int, ...],
        dilation: tuple[int, ...],
        groups: int,
    ) -> np.ndarray:
        geometry = (_pad3(stride, 1), _pad3(padding, 0), _pad3(dilation, 1), groups)
        ctx.geometry = geometry
        # both are needed whichever gradient is asked for: grad x reads W, grad W reads x
        ctx.save_for_backward(x, weight)
        y = backend_of(x).conv.conv_forward(_as_3d(x), _as_3d(weight), bias, *geometry)
        return y.reshape(y.shape[:2] + y.shape[5 - (x.ndim - 2) :])

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if need_x or need_w:
            gx, gw, gb = backend_of(x).conv.conv_backward(
                _as_3d(x), _as_3d(weight), _as_3d(grad), *ctx.geometry, need_x, need_w, need_b
            )
            gx = None if gx is None else gx.reshape(x.shape)
            gw = None if gw is None else gw.reshape(weight.shape)
        elif need_b:
            gb = grad.sum(axis=(0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb, None, None, None, None


def _convolution(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    groups: int,
) -> Tensor:
    """The op behind F.conv1d/2d/3d, on checked batched arguments (stride etc. one entry per spatial dim)."""
    if bias is None:  # an empty stand-in keeps torch's (None, 0) edge for the absent bias in next_functions
        bias = Tensor._make(weight._data.reshape(-1)[:0])  # empty, on weight's device
    return Convolution.apply(input, weight, bias, tuple(stride), tuple(padding), tuple(dilation), int(groups))


def _tuple(value: Any, d: int, name: str) -> tuple[int, ...]:
    values = (value,) * d if isinstance(value, int) else tuple(value)
    if len(values) == 1 and d > 1:
        values = values * d
    if len(values) != d:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {d} values to match the convolution "
            f"dimensions, but got {name}={list(values)}"
        )
    return tuple(int(v) for v in values)


def _same_padding(ksize: tuple[int, ...], dilation: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """torch's 'same': total d*(k-1) per dim, the odd unit (even kernels) going after the input."""
    total = [d * (k - 1) for k, d in zip(ksize, dilation)]
    return tuple(t // 2 for t in total), tuple(t - t // 2 for t in total)


# F.conv*d's checked arguments (only calls that needed no unsqueeze or extra padding are kept)
_CHECKED = CheckedArguments()


def _conv(d: int, input: Tensor, weight: Tensor, bias: Any, stride: Any, padding: Any, dilation: Any, groups: int):
    """Check the arguments as torch does, then one Convolution (plus torch's pad/unsqueeze around it)."""
    key, checked = _CHECKED.get(
        lambda: (
            d,
            input._data.shape,
            input._data.dtype,
            weight._data.shape,
            weight._data.dtype,
            None if bias is None else (bias._data.shape, bias._data.dtype),
            stride,
            padding,
            dilation,
            groups,
        )
    )
    if checked is not None:
        return _convolution(input, weight, bias, *checked, groups)
    out, normal = _checked_conv(d, input, weight, bias, stride, padding, dilation, groups)
    _CHECKED.put(key, normal)
    return out


def _checked_conv(
    d: int, input: Tensor, weight: Tensor, bias: Any, stride: Any, padding: Any, dilation: Any, groups: int
):
    """(output, (stride, padding, dilation) normalised, or None if the call needed an unsqueeze or extra padding)."""
    name = f"conv{d}d"
    if input.dim() not in (d + 1, d + 2):
        raise RuntimeError(
            f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {name}, but got input of size: "
            f"{list(input.shape)}"
        )
    if weight.dim() != d + 2:
        raise RuntimeError(
            f"Expected {d + 2}-dimensional weight for {d + 2}-dimensional input, but got {weight.dim()}-dimensional "
            f"weight of size {list(weight.shape)} instead"
        )
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != input.dtype):
        other = weight.dtype if input.dtype != weight.dtype else bias.dtype
        names = {"float32": "Float", "float64": "Double"}
        raise RuntimeError(
            f"expected scalar type {names.get(str(input.dtype).split('.')[-1], input.dtype)} but found "
            f"{names.get(str(other).split('.')[-1], other)}"
        )
    unbatched = input.dim() == d + 1
    padded_first = False
    if unbatched:
        input = input.unsqueeze(0)
    stride = _tuple(stride, d, "stride")
    dilation = _tuple(dilation, d, "dilation")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(v <= 0 for v in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    ksize = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * d
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            front, back = _same_padding(ksize, dilation)
            if front != back:  # torch pads the extra unit explicitly, then runs a symmetric conv
                extra = []
                for f, b in zip(reversed(front), reversed(back)):
                    extra += [0, b - f]
                from .padding import pad

                input = pad(input, extra)
                padded_first = True
            padding = front
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = _tuple(padding, d, "padding")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    out_ch, in_ch = weight.shape[0], input.shape[1]
    if out_ch % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight "
            f"of size [{list(weight.shape)}] instead"
        )
    if in_ch != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
            f"{weight.shape[1] * groups} channels, but got {in_ch} channels instead"
        )
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with {out_ch} elements, but got "
            f"bias of size {list(bias.shape)} instead"
        )
    padded = [s + 2 * p for s, p in zip(input.shape[2:], padding)]
    span = [v * (k - 1) + 1 for k, v in zip(ksize, dilation)]
    if any(p < k for p, k in zip(padded, span)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
            f"({' x '.join(map(str, span))}). Kernel size can't be greater than actual input size"
        )
    out = _convolution(input, weight, bias, stride, padding, dilation, groups)
    if unbatched:
        return out.squeeze(0), None
    return out, (None if padded_first else (stride, padding, dilation))


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-d convolution of (N, C, L) or (C, L) input with weight (O, C/groups, k)."""
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-d convolution of (N, C, H, W) or (C, H, W) input with weight (O, C/groups, kh, kw)."""
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-d convolution of (N, C, D, H, W) or (C, D, H, W) input with weight (O, C/groups, kd, kh, kw)."""
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)


def convolution(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    transposed: bool,
    output_padding: Any,
    groups: int,
) -> Tensor:
    """``torch.convolution``: the op every F.conv*d and F.conv_transpose*d lowers to; the spatial rank
    comes from the weight."""
    d = weight.dim() - 2
    if d not in (1, 2, 3):
        raise RuntimeError(f"Expected 3D, 4D or 5D weight for convolution, but got {weight.dim()}D weight")
    if transposed:
        return _conv_transpose(d, input, weight, bias, stride, padding, output_padding, groups, dilation)
    return _conv(d, input, weight, bias, stride, padding, dilation, groups)


__all__ = ["conv1d", "conv2d", "conv3d", "convolution"]

TENSOR_METHODS: dict = {}


def _conv_sized(x: np.ndarray, weight: np.ndarray, geometry: tuple, out_spatial: tuple) -> np.ndarray:
    """x as (N, C, D, H, W), zero-padded at the end to the size of conv(y, W) for y of the transposed
    output's size ``out_spatial``. The two differ when output_padding >= stride (allowed when below the
    dilation): the convolution then has outputs past x's last position, whose pairing is with zeros."""
    x5 = _as_3d(x)
    stride, padding, dilation, _ = geometry
    k5 = _as_3d(weight).shape[2:]
    extra = [
        (m + 2 * p - v * (k - 1) - 1) // s + 1 - n
        for n, m, s, p, v, k in zip(x5.shape[2:], _pad3(out_spatial, 1), stride, padding, dilation, k5)
    ]
    return x5 if not any(extra) else np.pad(x5, ((0, 0), (0, 0)) + tuple((0, e) for e in extra))


class ConvolutionTranspose(Function):
    r"""$y = \operatorname{conv\_transpose}(x, W) + b$, the adjoint of the convolution in its input, run forward.

    With W of shape (C_in, C_out/g, k) read as the weight of a convolution $\operatorname{conv}(u, W)$ from C_out
    channels (the transposed layer's output) to C_in channels, the transposed convolution is the
    linear map T with $\langle \operatorname{conv}(u, W), x \rangle = \langle u, T(x, W) \rangle$ for all u: the input
    gradient of that convolution for upstream gradient x, on an input u of the output's size

    $$
    L_{\mathrm{out}} = (L_{\mathrm{in}} - 1)\, s - 2p + d\, (k - 1) + \mathrm{output\_padding} + 1
    $$

    ($\mathrm{output\_padding} < s$ or $< d$ only adds positions no tap reaches; they stay b). So the forward is
    the kernels' grad-input path (scatter of $W^T x$ through col2im, or Winograd on the flipped
    kernel), with the same stride, padding, dilation and groups.

    Backward, for $G = \partial L / \partial y$, from
    $\langle y, G \rangle = \langle T(x, W), G \rangle = \langle x, \operatorname{conv}(G, W) \rangle$:

    - grad input: $\partial L / \partial x = \operatorname{conv}(G, W)$, a forward convolution of the gradient with the
    same W;
    - grad weight: $\langle x, \operatorname{conv}(G, W) \rangle$ is the convolution's weight pairing with G as its
    input and x as
      its upstream gradient, so $\partial L / \partial W$ = the conv weight-gradient with the roles of input and
      gradient swapped: $\sum_{n, p} x[n, o, p]\, G_{\mathrm{pad}}[n, c, s p + d k]$;
    - grad bias: $\partial L / \partial b[c] = \sum_{n, q} G[n, c, q]$.

    torch builds this as the same ``convolution`` op with transposed=True, hence the same node name.
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None,
        stride: tuple[int, ...],
        padding: tuple[int, ...],
        output_padding: tuple[int, ...],
        groups: int,
        dilation: tuple[int, ...],
    ) -> np.ndarray:
        geometry = (_pad3(stride, 1), _pad3(padding, 0), _pad3(dilation, 1), groups)
        ctx.geometry = geometry
        ctx.save_for_backward(x, weight)
        spatial = tuple(
            (n - 1) * s - 2 * p + v * (k - 1) + op + 1
            for n, s, p, v, k, op in zip(x.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding)
        )
        shape = (x.shape[0], weight.shape[1] * groups) + spatial
        if x.size == 0 or weight.size == 0:
            y = np.zeros(shape, x.dtype)
        else:
            # only the shape and dtype of the convolution's input are read on its grad-input path
            stand_in = np.empty(shape[:2] + (1,) * (5 - len(shape)) + spatial, x.dtype)
            y = backend_of(x).conv.conv_backward(
                stand_in, _as_3d(weight), _conv_sized(x, weight, geometry, spatial), *geometry, True, False
            )[0]
            y = y.reshape(shape)
        if bias is not None and bias.size:
            y = y + bias.reshape((-1,) + (1,) * len(spatial))
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        empty = x.size == 0 or weight.size == 0
        if need_x:
            if empty:
                gx = np.zeros(x.shape, x.dtype)
            else:
                gx = backend_of(grad).conv.conv_forward(_as_3d(grad), _as_3d(weight), None, *ctx.geometry)
                gx = gx[(slice(None), slice(None)) + tuple(slice(0, n) for n in _as_3d(x).shape[2:])].reshape(x.shape)
        if need_w:
            if empty:
                gw = np.zeros(weight.shape, weight.dtype)
            else:
                gw = backend_of(grad).conv.conv_backward(
                    _as_3d(grad),
                    _as_3d(weight),
                    _conv_sized(x, weight, ctx.geometry, grad.shape[2:]),
                    *ctx.geometry,
                    False,
                    True,
                )[1]
                gw = gw.reshape(weight.shape)
        if need_b:
            gb = grad.sum(axis=(0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb, None, None, None, None, None


_SIDES = {1: ("height", "width"), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _per_side(name: str, values: tuple[int, ...], sep: str) -> str:
    values = (1,) * (len(_SIDES[len(values)]) - len(values)) + values if name != "output_padding" else values
    return sep.join(f"{name}_{side}: {v}" for side, v in zip(_SIDES[len(values)], values))


def _conv_transpose(
    d: int,
    input: Tensor,
    weight: Tensor,
    bias: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
) -> Tensor:
    """Check the arguments with torch's messages, then one ConvolutionTranspose (unsqueezed if unbatched)."""
    name = f"conv_transpose{d}d"
    if input.dim() not in (d + 1, d + 2):
        raise RuntimeError(
            f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {name}, but got input of size: "
            f"{list(input.shape)}"
        )
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    if weight.dim() != d + 2:
        # torch's first complaint for a weight of the wrong rank: the stride no longer fits it
        strides = list(_tuple(stride, d, "stride"))
        raise RuntimeError(
            f"expected stride to be a single integer value or a list of {weight.dim() - 2} values to match the "
            f"convolution dimensions, but got stride={strides}"
        )
        raise RuntimeError(
            f"Expected {d + 2}-dimensional weight for {d + 2}-dimensional input, but got {weight.dim()}-dimensional "
            f"weight of size {list(weight.shape)} instead"
        )
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != input.dtype):
        other = weight.dtype if input.dtype != weight.dtype else bias.dtype
        names = {"float32": "Float", "float64": "Double"}
        raise RuntimeError(
            f"expected scalar type {names.get(str(input.dtype).split('.')[-1], input.dtype)} but found "
            f"{names.get(str(other).split('.')[-1], other)}"
        )
    unbatched = input.dim() == d + 1
    if unbatched:
        input = input.unsqueeze(0)
    stride = _tuple(stride, d, "stride")
    padding = _tuple(padding, d, "padding")
    output_padding = _tuple(output_padding, d, "output_padding")
    dilation = _tuple(dilation, d, "dilation")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(v <= 0 for v in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {_per_side('dilation', dilation, ', ')}")
    if any(op >= s and op >= v for op, s, v in zip(output_padding, stride, dilation)):
        # torch checks 1-d as 2-d with a unit height
        lift = (lambda t, f: (f,) + t) if d == 1 else (lambda t, f: t)
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            + " ".join(
                [
                    _per_side("output_padding", lift(output_padding, 0), " "),
                    _per_side("stride", lift(stride, 1), " "),
                    _per_side("dilation", lift(dilation, 1), " "),
                ]
            )
        )
    in_ch = input.shape[1]
    if weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight "
            f"of size [{list(weight.shape)}] instead"
        )
    if in_ch != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
            f"{weight.shape[0]} channels, but got {in_ch} channels instead"
        )
    out_ch = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
            f"{out_ch} elements, but got bias of size {list(bias.shape)} instead"
        )
    sizes = tuple(input.shape[2:])
    if input.shape[0] and in_ch and 0 in sizes:
        raise RuntimeError(
            f"Only zero batch or zero channel inputs are supported, but got input shape: {list(input.shape)}"
        )
    out_sizes = [
        (n - 1) * s - 2 * p + v * (k - 1) + op + 1
        for n, s, p, v, k, op in zip(sizes, stride, padding, dilation, weight.shape[2:], output_padding)
    ]
    if any(o <= 0 for o in out_sizes):
        lift = (lambda t, f: [f] + list(t)) if d == 1 else (lambda t, f: list(t))
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, lift(sizes, 1)))}). Calculated output size per "
            f"channel: ({' x '.join(map(str, lift(out_sizes, 1)))}). Output size is too small"
        )
    if bias is None:  # the empty stand-in keeps torch's (None, 0) edge, as in ``convolution``
        bias = Tensor._make(weight._data.reshape(-1)[:0])  # empty, on weight's device
    out = ConvolutionTranspose.apply(input, weight, bias, stride, padding, output_padding, int(groups), dilation)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """1-d transposed convolution of (N, C_in, L) or (C_in, L) input with weight (C_in, C_out/groups, k)."""
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """2-d transposed convolution of (N, C_in, H, W) or (C_in, H, W) input with weight (C_in, C_out/groups, kh, kw)."""
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """3-d transposed convolution of (N, C_in, D, H, W) or (C_in, D, H, W) input with weight (C_in, C_out/g, k...)."""
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups, dilation)


__all__ += ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
