"""torchvision.transforms.functional: each transform's numerics on PIL images and on tensors.

PIL images go through Pillow exactly as torchvision sends them (``Image.resize`` with the same
filter, ``ImageEnhance``, ``Image.rotate``, ``ImageOps.expand``); tensors (..., C, H, W) go
through minitorch_nn ops (``F.interpolate``, ``F.pad``, indexing, arithmetic), so the tensor path
is differentiable where torchvision's is.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from ... import cat, where
from ... import nn as _nn
from ... import round as _round
from ...autograd.tensor import Tensor
from ...autograd.types import float32, float64, int16, int32, int64, uint8
from ...factories import as_tensor, from_numpy, ones_like, zeros_like

F = _nn.functional


class InterpolationMode(Enum):
    """The interpolation filters; ``.value`` is the name ``F.interpolate`` takes."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


pil_modes_mapping = {
    InterpolationMode.NEAREST: Image.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.NEAREST,
    InterpolationMode.BILINEAR: Image.BILINEAR,
    InterpolationMode.BICUBIC: Image.BICUBIC,
    InterpolationMode.BOX: Image.BOX,
    InterpolationMode.HAMMING: Image.HAMMING,
    InterpolationMode.LANCZOS: Image.LANCZOS,
}

_pil_int_modes = {
    0: InterpolationMode.NEAREST,
    2: InterpolationMode.BILINEAR,
    3: InterpolationMode.BICUBIC,
    4: InterpolationMode.BOX,
    5: InterpolationMode.HAMMING,
    1: InterpolationMode.LANCZOS,
}


def _interpolation_modes_from_int(i: int) -> InterpolationMode:
    return _pil_int_modes[i]


def _is_pil_image(img: Any) -> bool:
    return isinstance(img, Image.Image)


def _check_image(img: Any) -> None:
    if not isinstance(img, Tensor | Image.Image):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def get_dimensions(img: Any) -> list[int]:
    """[channels, height, width] of a PIL image or a (..., C, H, W) tensor."""
    _check_image(img)
    if isinstance(img, Tensor):
        channels = 1 if img.ndim == 2 else img.shape[-3]
        height, width = img.shape[-2:]
        return [channels, height, width]
    width, height = img.size
    return [len(img.getbands()), height, width]


def get_image_size(img: Any) -> list[int]:
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img: Any) -> int:
    return get_dimensions(img)[0]


# ---- conversions -----------------------------------------------------------------------------

_PIL_NP_TYPES = {"I": np.int32, "I;16": np.int16, "F": np.float32}


def _pil_array(pic: Image.Image) -> np.ndarray:
    array = np.array(pic, _PIL_NP_TYPES.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        array = 255 * array
    return array.reshape(pic.size[1], pic.size[0], len(pic.getbands()))


def to_tensor(pic: Any) -> Tensor:
    """A PIL image or HWC ndarray as a CHW tensor; uint8 data scaled to float32 in [0, 1]."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray):
        if pic.ndim not in {2, 3}:
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        array = _pil_array(pic)
    chw = np.ascontiguousarray(array.transpose((2, 0, 1)))
    if chw.dtype == np.uint8:
        return from_numpy((chw / np.float32(255)).astype(np.float32))
    return from_numpy(chw)


def pil_to_tensor(pic: Any) -> Tensor:
    """A PIL image as a CHW tensor of its own dtype, unscaled."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    return from_numpy(np.ascontiguousarray(_pil_array(pic).transpose((2, 0, 1))))


def to_pil_image(pic: Any, mode: str | None = None) -> Image.Image:
    """A CHW tensor or HWC ndarray as a PIL image; float data is taken as [0, 1] and scaled by 255."""
    if isinstance(pic, Tensor):
        if pic.ndim not in {2, 3}:
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic.detach().numpy()
        if array.ndim == 2:
            array = array[None]
        if array.dtype.kind == "f" and mode != "F":
            array = (array * 255).astype(np.uint8)
        npimg = np.transpose(array, (1, 2, 0))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in {2, 3}:
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        npimg = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    channels = npimg.shape[2]
    if channels == 1:
        expected = {np.uint8: "L", np.int16: "I;16", np.int32: "I", np.float32: "F"}.get(npimg.dtype.type)
        if mode is not None and mode != expected and not (mode == "F" and expected is None):
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {npimg.dtype}. Should be {expected}")
        mode = mode or expected
        npimg = npimg[:, :, 0]
    elif channels in (2, 3, 4):
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {channels}D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = permitted[0]
    else:
        raise ValueError(f"pic should not have > 4 channels. Got {channels} channels.")
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return Image.fromarray(npimg, mode=mode)


_INT_MAX = {uint8: 255, int16: 2**15 - 1, int32: 2**31 - 1, int64: 2**63 - 1}


def convert_image_dtype(image: Tensor, dtype: Any = float32) -> Tensor:
    """Convert an image's dtype, rescaling: floats live in [0, 1], integers in [0, their max]."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype in (float32, float64):
            return image.to(dtype)
        if (image.dtype == float32 and dtype in (int32, int64)) or (image.dtype == float64 and dtype == int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # 1 - eps keeps 1.0 at the top value instead of overflowing past it
        eps = 1e-3
        return image.mul(_INT_MAX[dtype] + 1.0 - eps).to(dtype)
    input_max = _INT_MAX[image.dtype]
    if dtype in (float32, float64):
        return image.to(dtype) / input_max
    output_max = _INT_MAX[dtype]
    if input_max > output_max:
        factor = (input_max + 1) // (output_max + 1)
        return (image // factor).to(dtype)
    factor = (output_max + 1) // (input_max + 1)
    return image.to(dtype) * factor


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> Tensor:
    """(x - mean) / std per channel of a float (..., C, H, W) tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(
            f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = {tensor.size()}"
        )
    if not inplace:
        tensor = tensor.clone()
    mean_t = as_tensor(mean, dtype=tensor.dtype)
    std_t = as_tensor(std, dtype=tensor.dtype)
    if (std_t == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean_t.ndim == 1:
        mean_t = mean_t.view(-1, 1, 1)
    if std_t.ndim == 1:
        std_t = std_t.view(-1, 1, 1)
    return tensor.sub_(mean_t).div_(std_t)


# ---- geometry --------------------------------------------------------------------------------


def _compute_resized_output_size(
    image_size: tuple[int, int], size: list[int] | None, max_size: int | None
) -> list[int]:
    h, w = image_size
    if size is None:
        if max_size is None:
            raise ValueError("size and max_size cannot both be None")
        if h > w:
            return [max_size, int(w * max_size / h)]
        return [int(h * max_size / w), max_size]
    if len(size) == 1:
        short, long = (w, h) if w <= h else (h, w)
        requested_new_short = size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(
                    f"max_size = {max_size} must be strictly greater than the requested "
                    f"size for the smaller edge size (size={size})"
                )
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return [new_h, new_w]
    if max_size is not None:
        raise ValueError(
            "max_size should only be passed if size specifies the length of the smaller edge, "
            "i.e. size should be an int or a sequence of length 1 in torchscript mode."
        )
    return [size[0], size[1]]


def resize(
    img: Any,
    size: Any,
    interpolation: InterpolationMode = InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
) -> Any:
    """Resize to (h, w), or the smaller edge to ``size`` keeping the aspect ratio when it is one int."""
    if isinstance(interpolation, int):
        interpolation = _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError(
            "Argument interpolation should be a InterpolationMode or a corresponding Pillow integer constant"
        )
    _, image_height, image_width = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size(
        (image_height, image_width), None if size is None else list(size), max_size
    )
    if [image_height, image_width] == output_size:
        return img
    if _is_pil_image(img):
        return img.resize(tuple(output_size[::-1]), pil_modes_mapping[interpolation])
    mode = interpolation.value
    if mode not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode {mode} is not supported for tensors")
    antialias = bool(antialias) and mode in ("bilinear", "bicubic")
    out_dtype = img.dtype
    squeeze = img.ndim == 3
    x = img.unsqueeze(0) if squeeze else img
    if not x.is_floating_point():
        x = x.to(float32)
    align_corners = False if mode in ("bilinear", "bicubic") else None
    x = F.interpolate(x, size=output_size, mode=mode, align_corners=align_corners, antialias=antialias)
    if mode == "bicubic" and out_dtype == uint8:
        x = x.clamp(min=0, max=255)
    if squeeze:
        x = x.squeeze(0)
    if out_dtype != x.dtype:
        x = _round(x).to(out_dtype)
    return x


def _parse_padding(padding: Any) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) from an int or a sequence of 1, 2 or 4."""
    if not isinstance(padding, numbers.Number | tuple | list):
        raise TypeError("Got inappropriate padding arg")
    if isinstance(padding, numbers.Number):
        padding = [int(padding)]
    if len(padding) not in [1, 2, 4]:
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    return tuple(padding)


def _pil_fill(fill: Any, img: Image.Image) -> Any:
    bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, numbers.Number) and bands > 1:
        return tuple([fill] * bands)
    if isinstance(fill, list | tuple):
        if len(fill) == 1:
            fill = fill * bands
        if len(fill) != bands:
            raise ValueError(
                f"The number of elements in 'fill' does not match the number of bands of the image ({len(fill)} != {bands})"
            )
        return tuple(fill) if bands > 1 else fill[0]
    return fill


def _symmetric_index(n: int, lo: int, hi: int) -> np.ndarray:
    # reflect including the edge pixel: ... 1 0 | 0 1 2 ... n-1 | n-1 n-2 ...
    idx = np.arange(-lo, n + hi)
    period = 2 * n
    idx = np.mod(idx, period)
    return np.where(idx >= n, period - 1 - idx, idx)


def pad(img: Any, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> Any:
    """Pad the borders: ``constant`` (``fill``), ``edge``, ``reflect`` (without the edge) or ``symmetric`` (with it)."""
    _check_image(img)
    if not isinstance(fill, numbers.Number | tuple | list):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _parse_padding(padding)
    if _is_pil_image(img):
        if padding_mode == "constant":
            return ImageOps.expand(img, border=(left, top, right, bottom), fill=_pil_fill(fill, img))
        array = np.asarray(img)
        widths = ((top, bottom), (left, right)) + (((0, 0),) if array.ndim == 3 else ())
        return Image.fromarray(np.pad(array, widths, padding_mode), mode=img.mode if img.mode != "P" else None)
    if padding_mode == "symmetric":
        rows = from_numpy(_symmetric_index(img.shape[-2], top, bottom))
        cols = from_numpy(_symmetric_index(img.shape[-1], left, right))
        return img[..., rows, :][..., cols]
    if padding_mode == "constant":
        if isinstance(fill, tuple | list):
            fill = fill[0] if len(fill) == 1 else fill
        if isinstance(fill, tuple | list):
            channels = [
                F.pad(img[..., c : c + 1, :, :], [left, right, top, bottom], value=float(v)) for c, v in enumerate(fill)
            ]
            return cat(channels, dim=-3)
        return F.pad(img, [left, right, top, bottom], mode="constant", value=float(fill))
    squeeze = img.ndim == 2
    x = img.unsqueeze(0) if squeeze else img
    x = F.pad(x, [left, right, top, bottom], mode="replicate" if padding_mode == "edge" else "reflect")
    return x.squeeze(0) if squeeze else x


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The (height, width) window at (top, left); parts outside the image are filled with 0."""
    _check_image(img)
    if _is_pil_image(img):
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        inside = img[..., max(top, 0) : min(bottom, h), max(left, 0) : min(right, w)]
        pads = [max(-left, 0), max(right - w, 0), max(-top, 0), max(bottom - h, 0)]
        return F.pad(inside, pads, value=0.0)
    return img[..., top:bottom, left:right]


def _crop_size(output_size: Any) -> tuple[int, int]:
    if isinstance(output_size, numbers.Number):
        return int(output_size), int(output_size)
    if isinstance(output_size, Sequence) and len(output_size) == 1:
        return output_size[0], output_size[0]
    return tuple(output_size)


def center_crop(img: Any, output_size: Any) -> Any:
    """The central window of ``output_size``, padding with 0 first where the image is smaller."""
    crop_height, crop_width = _crop_size(output_size)
    _, image_height, image_width = get_dimensions(img)
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(
    img: Any,
    top: int,
    left: int,
    height: int,
    width: int,
    size: list[int],
    interpolation: InterpolationMode = InterpolationMode.BILINEAR,
    antialias: bool | None = True,
) -> Any:
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img: Any) -> Any:
    _check_image(img)
    return img.transpose(Image.FLIP_LEFT_RIGHT) if _is_pil_image(img) else img.flip(-1)


def vflip(img: Any) -> Any:
    _check_image(img)
    return img.transpose(Image.FLIP_TOP_BOTTOM) if _is_pil_image(img) else img.flip(-2)


def _inverse_rotation_matrix(center: list[float], angle: float) -> list[float]:
    """The 2x3 matrix taking output pixel coordinates (about the image centre) back to input ones."""
    rot = math.radians(angle)
    cx, cy = center
    matrix = [math.cos(rot), math.sin(rot), 0.0, -math.sin(rot), math.cos(rot), 0.0]
    matrix[2] += matrix[0] * -cx + matrix[1] * -cy + cx
    matrix[5] += matrix[3] * -cx + matrix[4] * -cy + cy
    return matrix


def _expanded_size(matrix: list[float], w: int, h: int) -> tuple[int, int]:
    """The (w, h) that holds the whole rotated image (corners rounded outwards, within 1e-4)."""
    pts = np.array(
        [[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]],
        np.float32,
    )
    new_pts = pts @ np.array(matrix, np.float32).reshape(2, 3).T
    tol = 1e-4
    cmax = np.ceil(np.trunc(new_pts.max(axis=0) / tol) * tol)
    cmin = np.floor(np.trunc(new_pts.min(axis=0) / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def _rotate_tensor(img: Tensor, matrix: list[float], mode: str, expand: bool, fill: list[float] | None) -> Tensor:
    """torchvision's tensor rotation: an affine grid over output pixel centres, sampled with grid_sample.

    With ``fill``, a channel of ones is sampled alongside; where it comes back below 1 the output
    lies (partly) outside the input and is filled (``nearest``: replaced where under 0.5; others: blended).
    """
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _expanded_size(matrix, w, h) if expand else (w, h)
    out_dtype = img.dtype
    squeeze = img.ndim == 3
    x = img.unsqueeze(0) if squeeze else img
    x = x if x.is_floating_point() else x.to(float32)
    real = np.float64 if x.dtype == float64 else np.float32
    theta = np.array(matrix, dtype=real).reshape(2, 3)
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow, dtype=real)
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh, dtype=real)
    base = np.stack(
        [np.broadcast_to(xs, (oh, ow)), np.broadcast_to(ys[:, None], (oh, ow)), np.ones((oh, ow), real)], -1
    )
    grid = (base.reshape(-1, 3) @ (theta.T / np.array([0.5 * w, 0.5 * h], real))).reshape(1, oh, ow, 2)
    grid = from_numpy(np.ascontiguousarray(np.broadcast_to(grid, (x.shape[0], oh, ow, 2))))
    if fill is not None:
        x = cat((x, ones_like(x[:, :1])), dim=1)
    x = F.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        mask = x[:, -1:].expand_as(x[:, :-1])
        x = x[:, :-1]
        fill_img = as_tensor(fill, dtype=x.dtype).view(1, len(fill), 1, 1).expand_as(x)
        if mode == "nearest":
            x = where(mask < 0.5, fill_img, x)
        else:
            x = x * mask + (1.0 - mask) * fill_img
    if squeeze:
        x = x.squeeze(0)
    if x.dtype != out_dtype:
        x = _round(x).to(out_dtype)
    return x


def rotate(
    img: Any,
    angle: float,
    interpolation: InterpolationMode = InterpolationMode.NEAREST,
    expand: bool = False,
    center: list[int] | None = None,
    fill: Any = None,
) -> Any:
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the middle).

    PIL images through Pillow's ``Image.rotate``; tensors by ``grid_sample`` on torchvision's affine grid
    (``nearest`` or ``bilinear``).
    """
    if isinstance(interpolation, int):
        interpolation = _interpolation_modes_from_int(interpolation)
    _check_image(img)
    if _is_pil_image(img):
        fillcolor = None if fill is None else _pil_fill(fill, img)
        return img.rotate(angle, pil_modes_mapping[interpolation], expand, center, fillcolor=fillcolor)
    if interpolation.value not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation.value}' is unsupported with Tensor input")
    center_f = [0.0, 0.0]
    if center is not None:
        _, height, width = get_dimensions(img)
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = _inverse_rotation_matrix(center_f, -angle)
    if fill is not None:
        channels = get_dimensions(img)[0]
        fill = [float(fill)] * channels if isinstance(fill, numbers.Number) else [float(f) for f in fill]
    return _rotate_tensor(img, matrix, interpolation.value, expand, fill)


# ---- colour ----------------------------------------------------------------------------------


def _max_value(dtype: Any) -> float:
    return 1.0 if dtype in (float32, float64) else float(_INT_MAX[dtype])


def _blend(img1: Tensor, img2: Any, ratio: float) -> Tensor:
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    """ITU-R 601-2 luma (0.2989 R + 0.587 G + 0.114 B) of a (..., 3, H, W) tensor."""
    if img.ndim < 3 or img.shape[-3] not in (1, 3):
        raise TypeError(
            f"Input image tensor permitted channel values are [1, 3], but found {img.shape[-3] if img.ndim >= 3 else 1}"
        )
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        l_img = img.clone()
    if num_output_channels == 3:
        return l_img.expand(img.shape)
    return l_img


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    if _is_pil_image(img):
        if num_output_channels == 1:
            return img.convert("L")
        if num_output_channels == 3:
            np_img = np.array(img.convert("L"), dtype=np.uint8)
            return Image.fromarray(np.dstack([np_img, np_img, np_img]), "RGB")
        raise ValueError("num_output_channels should be either 1 or 3")
    return rgb_to_grayscale(img, num_output_channels)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    if _is_pil_image(img):
        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    return _blend(img, zeros_like(img), brightness_factor)


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    if _is_pil_image(img):
        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    dtype = img.dtype if img.is_floating_point() else float32
    gray = rgb_to_grayscale(img) if img.shape[-3] == 3 else img
    mean = gray.to(dtype).mean(dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if _is_pil_image(img):
        return ImageEnhance.Color(img).enhance(saturation_factor)
    if img.shape[-3] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0, :, :], rgb[..., 1, :, :], rgb[..., 2, :, :]
    maxc, minc = rgb.max(axis=-3), rgb.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    cr_divisor = np.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.mod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(hsv: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0, :, :], hsv[..., 1, :, :], hsv[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = np.zeros(hsv.shape, dtype=hsv.dtype)
    for k, (rr, gg, bb) in enumerate(table):
        mask = i == k
        out[..., 0, :, :] += mask * rr
        out[..., 1, :, :] += mask * gg
        out[..., 2, :, :] += mask * bb
    return out


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Shift the hue by ``hue_factor`` (a fraction of the colour wheel, in [-0.5, 0.5]).

    On a tensor the shift is done on NumPy HSV values (not differentiable, like torchvision's
    integer-valued path): RGB -> HSV, h += factor mod 1, HSV -> RGB.
    """
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _is_pil_image(img):
        if img.mode in {"L", "1", "I", "F"}:
            return img
        input_mode = img.mode
        h, s, v = img.convert("HSV").split()
        np_h = np.array(h, dtype=np.uint8)
        # the shift wraps around the uint8 hue circle, as Pillow's HSV stores it
        np_h = ((np_h.astype(np.int16) + int(hue_factor * 255)) % 256).astype(np.uint8)
        h = Image.fromarray(np_h, "L")
        return Image.merge("HSV", (h, s, v)).convert(input_mode)
    if img.shape[-3] == 1:
        return img
    dtype = img.dtype
    array = img.detach().numpy()
    array = array.astype(np.float32) / 255.0 if dtype == uint8 else array
    hsv = _rgb2hsv(array)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + hue_factor, 1.0)
    rgb = _hsv2rgb(hsv)
    if dtype == uint8:
        return from_numpy((rgb * (256.0 - 1e-3)).astype(np.uint8))  # convert_image_dtype's scaling
    return from_numpy(rgb.astype(array.dtype))


__all__ = [
    "InterpolationMode",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "center_crop",
    "convert_image_dtype",
    "crop",
    "get_dimensions",
    "get_image_num_channels",
    "get_image_size",
    "hflip",
    "normalize",
    "pad",
    "pil_to_tensor",
    "resize",
    "resized_crop",
    "rgb_to_grayscale",
    "rotate",
    "to_grayscale",
    "to_pil_image",
    "to_tensor",
    "vflip",
]
