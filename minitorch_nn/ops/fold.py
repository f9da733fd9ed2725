r"""Blocks: unfold (im2col) and fold (col2im), each the other's adjoint; pixel_shuffle and pixel_unshuffle.

unfold copies every sliding $k_h \times k_w$ block of the zero-padded input into a
column: with $x_{\mathrm{pad}}$ the input padded by p,

$$
\mathrm{cols}[n, (c, i, j), (a, b)] = x_{\mathrm{pad}}[n, c, s_h a + d_h i, s_w b + d_w j]
$$

(stride s, dilation d; row index $c k_h k_w + i k_w + j$, column index
$a L_w + b$). That is a gather, so its backward is the scatter-add

$$
\frac{\partial L}{\partial x_{\mathrm{pad}}[n, c, u, v]}
  = \sum_{\substack{(i, j, a, b): \\ s_h a + d_h i = u,\ s_w b + d_w j = v}}
    \frac{\partial L}{\partial \mathrm{cols}[n, (c, i, j), (a, b)]},
$$

cropped back to the unpadded input. fold is exactly that scatter-add (the
sum over overlapping blocks), run as a forward, so its backward is unfold's
gather: the two are each other's adjoint, and they share the two loops below
(one strided slice per kernel tap (i, j)).

pixel_shuffle moves channels into space, $(C r^2, H, W) \to (C, H r, W r)$ with
$y[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w]$, a permutation of entries;
its backward is the inverse permutation, pixel_unshuffle of the gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor

Geometry = tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]  # kernel, dilation, pad, stride


def _blocks(size: tuple[int, int], geometry: Geometry) -> tuple[int, int]:
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = geometry
    return (size[0] + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (size[1] + 2 * pw - dw * (kw - 1) - 1) // sw + 1


def _tap_slices(i: int, j: int, blocks: tuple[int, int], geometry: Geometry) -> tuple[slice, slice]:
    """The strided window of x_pad that kernel tap (i, j) reads across all blocks."""
    _, (dh, dw), _, (sh, sw) = geometry
    return (
        slice(dh * i, dh * i + sh * (blocks[0] - 1) + 1, sh),
        slice(dw * j, dw * j + sw * (blocks[1] - 1) + 1, sw),
    )


def _im2col(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(N, C, H, W) -> (N, C k_h k_w, L): the gather (module docstring)."""
    (kh, kw), _, (ph, pw), _ = geometry
    n, c = x.shape[:2]
    blocks = _blocks(x.shape[2:], geometry)
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((n, c, kh, kw) + blocks, dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = padded[(slice(None), slice(None)) + _tap_slices(i, j, blocks, geometry)]
    return cols.reshape(n, c * kh * kw, blocks[0] * blocks[1])


def _col2im(cols: np.ndarray, size: tuple[int, int], geometry: Geometry) -> np.ndarray:
    """(N, C k_h k_w, L) -> (N, C, H, W): the scatter-add over overlapping blocks, then the crop."""
    (kh, kw), _, (ph, pw), _ = geometry
    n = cols.shape[0]
    blocks = _blocks(size, geometry)
    c = cols.shape[1] // (kh * kw)
    taps = cols.reshape((n, c, kh, kw) + blocks)
    padded = np.zeros((n, c, size[0] + 2 * ph, size[1] + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            padded[(slice(None), slice(None)) + _tap_slices(i, j, blocks, geometry)] += taps[:, :, i, j]
    return padded[:, :, ph : ph + size[0], pw : pw + size[1]]


class Im2Col(Function):
    r"""cols = unfold(x): a gather; backward is the scatter-add col2im (module docstring):
    $dx = \operatorname{col2im}(d\mathrm{cols})$.
    """

    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, geometry: Geometry) -> np.ndarray:
        ctx.geometry, ctx.shape = geometry, x.shape
        batched = x if x.ndim == 4 else x[None]
        cols = _im2col(batched, geometry)
        return cols if x.ndim == 4 else cols[0]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        batched = grad if grad.ndim == 3 else grad[None]
        gx = _col2im(batched, ctx.shape[-2:], ctx.geometry)
        return (gx if len(ctx.shape) == 4 else gx[0]), None


class Col2Im(Function):
    r"""x = fold(cols): the scatter-add over overlapping blocks; backward is the gather im2col:
    $d\mathrm{cols} = \operatorname{im2col}(dx)$.
    """

    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx: Any, cols: np.ndarray, size: tuple[int, int], geometry: Geometry) -> np.ndarray:
        ctx.geometry = geometry
        batched = cols if cols.ndim == 3 else cols[None]
        out = _col2im(batched, size, geometry)
        return np.ascontiguousarray(out if cols.ndim == 3 else out[0])

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        batched = grad if grad.ndim == 4 else grad[None]
        gcols = _im2col(batched, ctx.geometry)
        return (gcols if grad.ndim == 4 else gcols[0]), None, None


_TYPE_NAMES = {"int32": "Int", "int64": "Long", "int16": "Short", "int8": "Char", "bool": "Bool", "uint8": "Byte"}


def _pair(value: Any, name: str, fname: str) -> tuple[int, int]:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    for pos, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            position = {"output_size": 2, "kernel_size": 2 if fname == "im2col" else 3}.get(name, 0)
            position = position or {"dilation": 3, "padding": 4, "stride": 5}[name] + (fname == "col2im")
            raise TypeError(
                f"{fname}(): argument '{name}' (position {position}) must be tuple of ints, but found element of "
                f"type {type(v).__name__} at pos {pos}"
            )
    if len(values) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(values)}")
    return int(values[0]), int(values[1])


def _check_geometry(geometry: Geometry, order: tuple[int, ...]) -> None:
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = geometry
    checks = [
        (kh > 0 and kw > 0, f"kernel size should be greater than zero, but got kernel_height: {kh} kernel_width: {kw}"),
        (
            dh > 0 and dw > 0,
            f"dilation should be greater than zero, but got dilation_height: {dh} dilation_width: {dw}",
        ),
        (ph >= 0 and pw >= 0, f"padding should be non-negative, but got pad_height: {ph} pad_width: {pw}"),
        (sh > 0 and sw > 0, f"stride should be greater than zero, but got stride_height: {sh} stride_width: {sw}"),
    ]
    for k in order:
        ok, message = checks[k]
        if not ok:
            raise RuntimeError(message)


def _geometry(kernel_size: Any, dilation: Any, padding: Any, stride: Any, fname: str) -> Geometry:
    return (
        _pair(kernel_size, "kernel_size", fname),
        _pair(dilation, "dilation", fname),
        _pair(padding, "padding", fname),
        _pair(stride, "stride", fname),
    )


def _check_float_or_bool(input: Tensor, op: str, bool_ok: bool) -> None:
    kind = input._data.dtype
    if kind.kind != "f" and not (bool_ok and kind == np.bool_):
        raise NotImplementedError(f"\"{op}\" not implemented for '{_TYPE_NAMES.get(kind.name, kind.name)}'")


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """torch.nn.functional.unfold: every sliding block of an (N, C, H, W) or (C, H, W) input as a column."""
    geometry = _geometry(kernel_size, dilation, padding, stride, "im2col")
    _check_geometry(geometry, (0, 1, 2, 3))
    shape = tuple(input.shape)
    if input.dim() < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{input.dim()}, {input.dim() - 1}], but got 2)"
        )
    nonempty = input.shape[1] != 0 and input.shape[2] != 0
    if not ((input.dim() == 3 and input.shape[0] != 0 and nonempty) or (input.dim() == 4 and nonempty and shape[3])):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for "
            f"input, but got: {list(shape)}"
        )
    blocks = _blocks(shape[-2:], geometry)
    if min(blocks) < 1:
        (kh, kw), (dh, dw), (ph, pw), _ = geometry
        raise RuntimeError(
            f"Given input with spatial size ({shape[-2]}, {shape[-1]}), kernel_size=({kh}, {kw}), dilation=({dh}, "
            f"{dw}), padding=({ph}, {pw}), calculated shape of the array of sliding blocks as ({blocks[0]}, "
            f"{blocks[1]}), but its components must be at least one."
        )
    _check_float_or_bool(input, "im2col_out_cpu", True)
    return Im2Col.apply(input, geometry)


def fold(
    input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """torch.nn.functional.fold: sum the (N, C k_h k_w, L) or (C k_h k_w, L) columns back into an image."""
    size = _pair(output_size, "output_size", "col2im")
    geometry = _geometry(kernel_size, dilation, padding, stride, "col2im")
    _check_geometry(geometry, (0, 3, 1, 2))
    shape = list(input.shape)
    if not (
        (input.dim() == 2 and shape[0] != 0 and shape[1] != 0) or (input.dim() == 3 and shape[1] != 0 and shape[2])
    ):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for "
            f"input, but got: {shape}"
        )
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = geometry
    planes, length = shape[-2], shape[-1]
    if planes % (kh * kw):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
            f"input.size(1)={planes} and kernel_size=({kh}, {kw})."
        )
    blocks = _blocks(size, geometry)
    described = (
        f"Given output_size=({size[0]}, {size[1]}), kernel_size=({kh}, {kw}), dilation=({dh}, {dw}), padding=({ph}, "
        f"{pw}), stride=({sh}, {sw}), "
    )
    if length != blocks[0] * blocks[1]:
        raise RuntimeError(
            f"{described}expected size of input's dimension 2 to match the calculated number of sliding blocks "
            f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={length}."
        )
    if min(blocks) < 1:
        raise RuntimeError(
            f"{described}calculated shape of the array of sliding blocks as ({blocks[0]}, {blocks[1]}), which is too "
            "small (non-positive)"
        )
    _check_float_or_bool(input, "col2im_out_cpu", True)
    return Col2Im.apply(input, size, geometry)


# ---- pixel shuffles ---------------------------------------------------------------------------


def _shuffle(x: np.ndarray, r: int) -> np.ndarray:
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""
    *lead, c, h, w = x.shape
    blocks = x.reshape((*lead, c // (r * r), r, r, h, w))
    k = len(lead)
    order = tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2)  # (C, H, i, W, j)
    return np.ascontiguousarray(blocks.transpose(order)).reshape((*lead, c // (r * r), h * r, w * r))


def _unshuffle(x: np.ndarray, r: int) -> np.ndarray:
    """(*, C, H r, W r) -> (*, C r^2, H, W), the inverse permutation of _shuffle."""
    *lead, c, h, w = x.shape
    blocks = x.reshape((*lead, c, h // r, r, w // r, r))
    k = len(lead)
    order = tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3)  # (C, i, j, H, W)
    return np.ascontiguousarray(blocks.transpose(order)).reshape((*lead, c * r * r, h // r, w // r))


class PixelShuffle(Function):
    """A permutation of entries (module docstring); backward applies the inverse permutation: $dx = P^{-1} dy$."""

    node_name = "PixelShuffleBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, r: int) -> np.ndarray:
        ctx.r = r
        return _shuffle(x, r)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return _unshuffle(grad, ctx.r), None


class PixelUnshuffle(Function):
    r"""The inverse permutation of PixelShuffle; backward shuffles the gradient: $dx = P\, dy$."""

    node_name = "PixelUnshuffleBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, r: int) -> np.ndarray:
        # torch returns an empty input unchanged (shape included): the identity, whose backward is too
        ctx.r = r if x.size else 1
        return _unshuffle(x, ctx.r)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return _shuffle(grad, ctx.r), None


def _factor(value: Any, fname: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fname}(): argument '{name}' (position 2) must be int, not {type(value).__name__}")
    return int(value)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """torch.pixel_shuffle: (*, C r^2, H, W) -> (*, C, H r, W r)."""
    r = _factor(upscale_factor, "pixel_shuffle", "upscale_factor")
    if input.dim() < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with {input.dim()} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
            f"but input.size(-3)={c} is not divisible by {r * r}"
        )
    return PixelShuffle.apply(input, r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """torch.pixel_unshuffle: (*, C, H r, W r) -> (*, C r^2, H, W)."""
    r = _factor(downscale_factor, "pixel_unshuffle", "downscale_factor")
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for axis, name in ((-2, "height"), (-1, "width")):
        if input.shape[axis] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but input.size({axis})="
                f"{input.shape[axis]} is not divisible by {r}"
            )
    return PixelUnshuffle.apply(input, r)


__all__ = ["pixel_shuffle", "pixel_unshuffle"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
