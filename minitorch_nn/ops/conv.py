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

The kernels (kernels/cpu/conv.py) compute these through im2col: with
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
from ..kernels.cpu import conv as kernels
from .utils import CheckedArguments


def _as_3d(a: np.ndarray) -> np.ndarray:
    """(N, C, *spatial) with 1 to 3 spatial dims -> (N, C, D, H, W), singleton dims in front."""
    return np.ascontiguousarray(a).reshape(a.shape[:2] + (1,) * (5 - a.ndim) + a.shape[2:])


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
        y = kernels.conv_forward(_as_3d(x), _as_3d(weight), bias, *geometry)
        return y.reshape(y.shape[:2] + y.shape[5 - (x.ndim - 2) :])

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        gx = gw = gb = None
        if need_x or need_w:
            gx, gw, gb = kernels.conv_backward(
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
        bias = Tensor._make(np.zeros(0, dtype=weight._data.dtype))
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
    """``torch.convolution``: the op every F.conv*d lowers to; the spatial rank comes from the weight.

    Only the direct convolution exists here: ``transposed=True`` (ConvTranspose) raises.
    """
    if transposed:
        raise NotImplementedError("convolution: transposed=True (ConvTranspose) is not implemented in minitorch_nn")
    d = weight.dim() - 2
    if d not in (1, 2, 3):
        raise RuntimeError(f"Expected 3D, 4D or 5D weight for convolution, but got {weight.dim()}D weight")
    return _conv(d, input, weight, bias, stride, padding, dilation, groups)


__all__ = ["conv1d", "conv2d", "conv3d", "convolution"]

TENSOR_METHODS: dict = {}
