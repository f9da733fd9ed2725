"""SummaryWriter: torch.utils.tensorboard's writer of TensorBoard event files.

Events are queued in memory and written to ``log_dir/events.out.tfevents.<time>.<host>.<pid>.<n><suffix>``
when ``max_queue`` are waiting, when ``flush_secs`` have passed since the last write (checked at
each add; there is no background thread), on ``flush()`` and on ``close()``. Values are taken as
torch's writer takes them: Python numbers, NumPy arrays or tensors (detached, to NumPy).

``add_graph`` is not offered: torch's records a ``torch.jit.trace`` of the model, which this engine
does not have.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime
from typing import Any

import numpy as np

from ...autograd.tensor import Tensor
from . import _records

_global_uid = 0


def _to_numpy(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.detach().numpy()
    return np.asarray(value)


def _scalar(value: Any) -> float:
    array = _to_numpy(value).squeeze()
    if array.ndim != 0:
        raise AssertionError(
            f"Tensor should contain one element (0 dimensions). Was given size: {array.size} and {array.ndim} dimensions."
        )
    return float(array)


def _default_bins() -> list[float]:
    """TensorFlow's bucket limits: +-1e-12 growing by 10% out to 1e20, and 0."""
    v = 1e-12
    buckets, neg_buckets = [], []
    while v < 1e20:
        buckets.append(v)
        neg_buckets.append(-v)
        v *= 1.1
    return neg_buckets[::-1] + [0] + buckets


def _to_hwc(tensor: np.ndarray, input_format: str) -> np.ndarray:
    """Rearrange an image (or a batch, as a grid) of the given format into (H, W, C) with C in {3, 4}."""
    input_format = input_format.upper()
    if len(set(input_format)) != len(input_format):
        raise AssertionError(f"You can not use the same dimension shordhand twice. input_format: {input_format}")
    if tensor.ndim != len(input_format):
        raise AssertionError(
            f"size of input tensor and input format are different. tensor shape: {tensor.shape}, input_format: {input_format}"
        )
    if len(input_format) == 4:
        nchw = tensor.transpose([input_format.find(c) for c in "NCHW"])
        return _grid(nchw).transpose(1, 2, 0)
    if len(input_format) == 3:
        hwc = tensor.transpose([input_format.find(c) for c in "HWC"])
        if hwc.shape[2] == 1:
            hwc = np.concatenate([hwc, hwc, hwc], 2)
        return hwc
    hw = tensor.transpose([input_format.find(c) for c in "HW"])
    return np.stack([hw, hw, hw], 2)


def _grid(images: np.ndarray, ncols: int = 8) -> np.ndarray:
    """Tile an (N, C, H, W) batch row by row into one (C, rows*H, cols*W) image, up to 8 per row."""
    if images.shape[1] == 1:
        images = np.concatenate([images, images, images], 1)
    n, c, h, w = images.shape
    ncols = min(n, ncols)
    nrows = int(np.ceil(float(n) / ncols))
    canvas = np.zeros((c, h * nrows, w * ncols), dtype=images.dtype)
    for k in range(n):
        y, x = divmod(k, ncols)
        canvas[:, y * h : (y + 1) * h, x * w : (x + 1) * w] = images[k]
    return canvas


def _image_summary(tag: str, tensor: np.ndarray, dataformats: str) -> bytes:
    hwc = _to_hwc(tensor, dataformats)
    # floats are taken as [0, 1], uint8 as [0, 255]
    scale = 1 if hwc.dtype == np.uint8 else 255
    image = np.clip(hwc.astype(np.float32) * scale, 0, 255).astype(np.uint8)
    height, width, channels = image.shape
    return _records.image_value(tag, height, width, channels, _records.png(image))


class _EventFileWriter:
    """One event file: its first record is the file version, then queued events."""

    def __init__(self, log_dir: str, max_queue: int, flush_secs: float, filename_suffix: str) -> None:
        global _global_uid
        os.makedirs(log_dir, exist_ok=True)
        _global_uid += 1
        name = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.{_global_uid}{filename_suffix}"
        self.path = os.path.join(log_dir, name)
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self._queue: list[bytes] = []
        self._file = open(self.path, "wb")  # noqa: SIM115 (held open until close())
        self._last_flush = time.time()
        self.add_event(_records.event(time.time(), file_version="brain.Event:2"))
        self.flush()

    def add_event(self, event: bytes) -> None:
        if self._file is None:
            raise RuntimeError(f"the event file {self.path} is closed")
        self._queue.append(_records.tfrecord(event))
        if len(self._queue) >= self.max_queue or time.time() - self._last_flush >= self.flush_secs:
            self.flush()

    def flush(self) -> None:
        if self._file is None:
            return
        self._file.write(b"".join(self._queue))
        self._queue.clear()
        self._file.flush()
        self._last_flush = time.time()

    def close(self) -> None:
        if self._file is not None:
            self.flush()
            self._file.close()
            self._file = None


class SummaryWriter:
    """Write scalars, images, histograms and text for TensorBoard into ``log_dir``.

    ``log_dir`` defaults to ``runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>``; ``purge_step``
    writes a session restart at that step so TensorBoard hides later events of a crashed run.
    """

    def __init__(
        self,
        log_dir: str | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: int = 120,
        filename_suffix: str = "",
    ) -> None:
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer: _EventFileWriter | None = None
        self.all_writers: dict[str, _EventFileWriter] = {}
        self.default_bins = _default_bins()
        self._get_file_writer()

    def _get_file_writer(self) -> _EventFileWriter:
        if self.file_writer is None:
            self.file_writer = _EventFileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.path: self.file_writer}
            if self.purge_step is not None:
                self.file_writer.add_event(_records.event(time.time(), self.purge_step, session_log_start=True))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self) -> str:
        return self.log_dir

    def _add(
        self, value: bytes, global_step: int | None, walltime: float | None, writer: _EventFileWriter | None = None
    ) -> None:
        writer = writer or self._get_file_writer()
        wall = time.time() if walltime is None else walltime
        writer.add_event(
            _records.event(wall, int(global_step) if global_step is not None else 0, summary=_records.summary(value))
        )

    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        """One number (a Python number or a one-element tensor/array) under ``tag``."""
        self._add(_records.scalar_value(tag, _scalar(scalar_value)), global_step, walltime)

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict[str, Any],
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Several curves on one chart: each goes to its own writer in ``log_dir/<main_tag>_<tag>``."""
        wall = time.time() if walltime is None else walltime
        for tag, scalar_value in tag_scalar_dict.items():
            fw_tag = self.log_dir + "/" + main_tag.replace("/", "_") + "_" + tag
            writer = self.all_writers.get(fw_tag)
            if writer is None:
                writer = _EventFileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[fw_tag] = writer
            self._add(_records.scalar_value(main_tag, _scalar(scalar_value)), global_step, wall, writer)

    def add_histogram(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        bins: Any = "tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """A histogram of ``values`` (``bins`` as np.histogram's, or TensorFlow's exponential buckets)."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        array = _to_numpy(values).astype(float).reshape(-1)
        if array.size == 0:
            raise ValueError("The input has no element.")
        counts, limits = np.histogram(array, bins=bins)
        num_bins = len(counts)
        if max_bins is not None and num_bins > max_bins:
            subsampling = num_bins // max_bins
            subsampling_remainder = num_bins % subsampling
            if subsampling_remainder != 0:
                counts = np.pad(
                    counts, pad_width=[[0, subsampling - subsampling_remainder]], mode="constant", constant_values=0
                )
            counts = counts.reshape(-1, subsampling).sum(axis=-1)
            new_limits = np.empty((counts.size + 1,), limits.dtype)
            new_limits[:-1] = limits[:-1:subsampling]
            new_limits[-1] = limits[-1]
            limits = new_limits
        # keep only the span of non-empty buckets, plus one empty bucket on the left for its limit
        cum_counts = np.cumsum(np.greater(counts, 0))
        start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
        start, end = int(start), int(end) + 1
        counts = counts[start - 1 : end] if start > 0 else np.concatenate([[0], counts[:end]])
        limits = limits[start : end + 1]
        value = _records.histogram_value(
            tag, array.min(), array.max(), len(array), array.sum(), array.dot(array), limits.tolist(), counts.tolist()
        )
        self._add(value, global_step, walltime)

    def add_image(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "CHW",
    ) -> None:
        """One image (float in [0, 1] or uint8), ``dataformats`` CHW, HWC or HW; saved as PNG."""
        self._add(_image_summary(tag, _to_numpy(img_tensor), dataformats), global_step, walltime)

    def add_images(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "NCHW",
    ) -> None:
        """A batch of images, tiled 8 to a row into one image."""
        self._add(_image_summary(tag, _to_numpy(img_tensor), dataformats), global_step, walltime)

    def add_text(
        self, tag: str, text_string: str, global_step: int | None = None, walltime: float | None = None
    ) -> None:
        """Markdown text, shown by TensorBoard's text plugin under ``<tag>/text_summary``."""
        self._add(_records.text_value(tag + "/text_summary", text_string), global_step, walltime)

    def add_hparams(
        self,
        hparam_dict: dict[str, Any],
        metric_dict: dict[str, Any],
        hparam_domain_discrete: dict[str, list] | None = None,
        run_name: str | None = None,
        global_step: int | None = None,
    ) -> None:
        """One run of a hyperparameter search, in ``log_dir/<run_name>`` (default: the time), for the HPARAMS tab.

        Numbers (bools and one-element tensors included, as torch counts them) are FLOAT64
        hparams, strings STRING ones; ``metric_dict``'s values are written as scalars of the run.
        """
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        hparam_domain_discrete = hparam_domain_discrete or {}
        values: dict[str, float | str] = {}
        for name, value in hparam_dict.items():
            if value is None:
                continue
            if isinstance(value, int | float):
                values[name] = float(value)
            elif isinstance(value, str):
                values[name] = value
            elif isinstance(value, Tensor):
                values[name] = float(_to_numpy(value).reshape(-1)[0])
            else:
                raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        if not run_name:
            run_name = str(time.time())
        with SummaryWriter(log_dir=os.path.join(self.log_dir, run_name)) as run:
            for value in _records.hparams_values(values, hparam_domain_discrete, list(metric_dict)):
                run._add(value, global_step, None)
            for tag, metric in metric_dict.items():
                run.add_scalar(tag, metric, global_step)

    def flush(self) -> None:
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        for writer in self.all_writers.values():
            writer.close()
        self.file_writer = None
        self.all_writers = {}

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self.close()
