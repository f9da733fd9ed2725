"""Array helpers of the writer: values to NumPy, images to (H, W, C), batches to a grid, figures to pixels."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd.tensor import Tensor


def make_np(value: Any) -> np.ndarray:
    """A NumPy array of ``value``: an array as it is, a Python or NumPy scalar as a one-element array,
    a tensor detached and on the CPU; anything else is refused, as torch's writer refuses it."""
    if isinstance(value, np.ndarray):
        return value
    if np.isscalar(value):
        return np.array([value])
    if isinstance(value, Tensor):
        return value.detach().cpu().numpy()
    raise NotImplementedError(f"Got {type(value)}, but numpy array or torch tensor are expected.")


def make_grid(images: np.ndarray, ncols: int = 8) -> np.ndarray:
    """Tile an (N, C, H, W) batch (C 1 or 3) row by row into one (3, rows*H, cols*W) image, ``ncols`` a row;
    the cells after the last image stay 0."""
    if not isinstance(images, np.ndarray):
        raise AssertionError("plugin error, should pass numpy array here")
    if images.shape[1] == 1:
        images = np.concatenate([images, images, images], 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    count, _, height, width = images.shape
    ncols = min(count, ncols)
    nrows = int(np.ceil(float(count) / ncols))
    canvas = np.zeros((3, height * nrows, width * ncols), dtype=images.dtype)
    for k in range(count):
        row, col = divmod(k, ncols)
        canvas[:, row * height : (row + 1) * height, col * width : (col + 1) * width] = images[k]
    return canvas


def convert_to_HWC(tensor: np.ndarray, input_format: str) -> np.ndarray:  # noqa: N802 (torch's name)
    """Rearrange an image laid out as ``input_format`` (letters N, C, H, W in any order: NCHW, CHW, HWC,
    HW, WH, ...) into (H, W, C): a batch becomes a grid, one channel or none becomes three grey ones."""
    if len(set(input_format)) != len(input_format):
        raise AssertionError(
            f"You can not use the same dimension shorthand twice.             input_format: {input_format}"
        )
    if len(tensor.shape) != len(input_format):
        raise AssertionError(
            "size of input tensor and input format are different.         "
            f"tensor shape: {tensor.shape}, input_format: {input_format}"
        )
    input_format = input_format.upper()
    letters = {4: "NCHW", 3: "CHW", 2: "HW"}.get(len(input_format))
    if letters is None or set(input_format) != set(letters):
        raise AssertionError(
            f"dataformats must be the letters N, C, H, W (NCHW), C, H, W (CHW) or H, W (HW) in some order, "
            f"got {input_format!r} for a tensor of shape {tensor.shape}"
        )
    if len(input_format) == 4:
        nchw = tensor.transpose([input_format.find(c) for c in "NCHW"])
        return make_grid(nchw).transpose(1, 2, 0)
    if len(input_format) == 3:
        hwc = tensor.transpose([input_format.find(c) for c in "HWC"])
        if hwc.shape[2] == 1:
            hwc = np.concatenate([hwc, hwc, hwc], 2)
        return hwc
    hw = tensor.transpose([input_format.find(c) for c in "HW"])
    return np.stack([hw, hw, hw], 2)


def figure_to_image(figures: Any, close: bool = True) -> np.ndarray:
    """Render a matplotlib figure to a (3, H, W) uint8 array, or a list of figures to (N, 3, H, W).

    The figure is drawn on an Agg canvas at its own size and dpi and its RGBA buffer loses the alpha
    channel, as torch's writer renders it; ``close`` closes each figure after drawing.
    """
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def render(figure: Any) -> np.ndarray:
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8)
        width, height = figure.canvas.get_width_height()
        chw = np.moveaxis(rgba.reshape(height, width, 4)[:, :, :3], 2, 0)
        if close:
            plt.close(figure)
        return chw

    if isinstance(figures, list):
        return np.stack([render(figure) for figure in figures])
    return render(figures)
