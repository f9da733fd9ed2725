"""torchvision.utils: make_grid and save_image.

The grid is assembled in NumPy (a picture for looking at, as in torchvision, where it is mostly
used under no_grad); the result is a new tensor that does not track gradients.
"""

from __future__ import annotations

import math
import os
from typing import IO, Any

import numpy as np
from PIL import Image

from ..autograd.tensor import Tensor
from ..factories import from_numpy


def _normalize_range(array: np.ndarray, value_range: tuple[float, float] | None) -> np.ndarray:
    low, high = value_range if value_range is not None else (float(array.min()), float(array.max()))
    return (np.clip(array, low, high) - low) / max(high - low, 1e-5)


def make_grid(
    tensor: Tensor | list[Tensor],
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Tensor:
    """Tile a (B, C, H, W) batch (or a list of CHW images) ``nrow`` to a row, ``padding`` pixels apart."""
    if isinstance(tensor, list):
        array = np.stack([t.detach().numpy() for t in tensor])
    elif isinstance(tensor, Tensor):
        array = tensor.detach().numpy()
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        if array.shape[0] == 1:
            array = np.concatenate((array, array, array), 0)
        array = array[None]
    if array.ndim == 4 and array.shape[1] == 1:
        array = np.concatenate((array, array, array), 1)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if scale_each:
            array = np.stack([_normalize_range(a, value_range) for a in array]).astype(array.dtype)
        else:
            array = _normalize_range(array, value_range).astype(array.dtype)
    if array.shape[0] == 1:
        return from_numpy(np.ascontiguousarray(array[0]))
    nmaps = array.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(array.shape[2] + padding), int(array.shape[3] + padding)
    grid = np.full((array.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, dtype=array.dtype)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        top, left = y * height + padding, x * width + padding
        grid[:, top : top + height - padding, left : left + width - padding] = array[k]
    return from_numpy(grid)


def save_image(
    tensor: Tensor | list[Tensor], fp: str | os.PathLike | IO[bytes], format: str | None = None, **kwargs: Any
) -> None:
    """Save ``make_grid(tensor, **kwargs)`` as an image file, values in [0, 1] rounded to uint8."""
    grid = make_grid(tensor, **kwargs).numpy()
    ndarr = np.clip(grid * 255 + 0.5, 0, 255).transpose(1, 2, 0).astype(np.uint8)
    Image.fromarray(ndarr).save(fp, format=format)


__all__ = ["make_grid", "save_image"]
