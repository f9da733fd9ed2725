"""Summary protocol buffers: one function per kind of value, as torch.utils.tensorboard.summary.

Each function returns a ``tensorboard.compat.proto.summary_pb2.Summary`` (the hparams one three of
them) built from tensorboard's own message classes, so the bytes TensorBoard reads are those its
protobuf schema defines; the writer only wraps them in events. What each value holds follows
torch's writer field for field, so a log reads the same in TensorBoard whichever engine wrote it.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from google.protobuf import struct_pb2
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

from ...autograd.tensor import Tensor
from ._utils import convert_to_HWC, make_np

__all__ = ["scalar", "histogram", "make_histogram", "image", "make_image", "text", "hparams"]


def scalar(name: str, tensor: Any, new_style: bool = False, double_precision: bool = False) -> Summary:
    """One number under ``name``: ``simple_value`` (a float32 on disk), or with ``new_style`` a
    tensor of the scalars plugin (float32, or float64 with ``double_precision``)."""
    array = make_np(tensor).squeeze()
    if array.ndim != 0:
        raise AssertionError(
            "Tensor should contain one element (0 dimensions).             "
            f"Was given size: {array.size} and {array.ndim} dimensions."
        )
    value = float(array)
    if not new_style:
        return Summary(value=[Summary.Value(tag=name, simple_value=value)])
    if double_precision:
        proto = TensorProto(double_val=[value], dtype="DT_DOUBLE")
    else:
        proto = TensorProto(float_val=[value], dtype="DT_FLOAT")
    scalars_plugin = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=name, tensor=proto, metadata=scalars_plugin)])


def make_histogram(values: np.ndarray, bins: Any, max_bins: int | None = None) -> HistogramProto:
    """TensorBoard's histogram of ``values`` on ``bins`` (np.histogram's argument).

    ``max_bins`` merges neighbouring buckets until at most that many remain. TensorBoard stores only
    each bucket's right limit, so only the span from the first to the last non-empty bucket is kept,
    plus the empty bucket to its left, whose limit is where the histogram starts.
    """
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        group = len(counts) // max_bins
        if len(counts) % group:
            counts = np.pad(counts, (0, group - len(counts) % group))
        counts = counts.reshape(-1, group).sum(axis=-1)
        limits = np.concatenate([limits[:-1:group], limits[-1:]])
    nonempty_so_far = np.cumsum(counts > 0)
    first, last = np.searchsorted(nonempty_so_far, [0, nonempty_so_far[-1] - 1], side="right")
    first, end = int(first), int(last) + 1
    counts = counts[first - 1 : end] if first > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[first : end + 1]
    return HistogramProto(
        min=values.min(),
        max=values.max(),
        num=len(values),
        sum=values.sum(),
        sum_squares=values.dot(values),
        bucket_limit=limits.tolist(),
        bucket=counts.tolist(),
    )


def histogram(name: str, values: Any, bins: Any, max_bins: int | None = None) -> Summary:
    """A histogram of ``values`` (any shape, as float64) under ``name``."""
    histo = make_histogram(make_np(values).astype(float), bins, max_bins)
    return Summary(value=[Summary.Value(tag=name, histo=histo)])


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            "SummaryWriter's images (add_image, add_images, add_figure, add_embedding's label_img) are PNG "
            "files encoded by Pillow, which is not installed: pip install Pillow"
        ) from error
    return Image


def make_image(hwc: np.ndarray) -> Summary.Image:
    """An (H, W, C) uint8 array, C 3 or 4, as a PNG ``Summary.Image``."""
    height, width, channels = hwc.shape
    buffer = io.BytesIO()
    _pillow().fromarray(hwc).save(buffer, format="PNG")
    return Summary.Image(height=height, width=width, colorspace=channels, encoded_image_string=buffer.getvalue())


def image(tag: str, tensor: Any, dataformats: str = "NCHW") -> Summary:
    """An image (a batch becomes one grid, 8 to a row): uint8 values are taken as 0..255, any other
    dtype as 0..1 and scaled by 255; values outside are clipped."""
    hwc = convert_to_HWC(make_np(tensor), dataformats)
    scale = 1 if hwc.dtype == np.uint8 else 255
    pixels = (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    return Summary(value=[Summary.Value(tag=tag, image=make_image(pixels))])


def text(tag: str, text_string: str) -> Summary:
    """Markdown text for the text plugin, under ``<tag>/text_summary``: a one-element string tensor."""
    text_plugin = SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(
            plugin_name="text", content=TextPluginData(version=0).SerializeToString()
        )
    )
    proto = TensorProto(
        dtype="DT_STRING",
        string_val=[text_string.encode("utf_8")],
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]),
    )
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=text_plugin, tensor=proto)])


def _hparams_summary(tag: str, **content: Any) -> Summary:
    data = plugin_data_pb2.HParamsPluginData(version=hparams_metadata.PLUGIN_DATA_VERSION, **content)
    plugin = SummaryMetadata.PluginData(plugin_name=hparams_metadata.PLUGIN_NAME, content=data.SerializeToString())
    return Summary(value=[Summary.Value(tag=tag, metadata=SummaryMetadata(plugin_data=plugin))])


def hparams(
    hparam_dict: dict[str, Any], metric_dict: dict[str, Any], hparam_domain_discrete: dict[str, list] | None = None
) -> tuple[Summary, Summary, Summary]:
    """The hparams plugin's three summaries of one run: the experiment (each hparam's name, type and
    discrete domain, the metrics' tags), the session start (the values) and the session end (success).

    Numbers (bools among them, as ints are) and one-element tensors are FLOAT64 hparams, strings
    STRING ones; None values are left out; anything else is a ValueError.
    """
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for name, domain in hparam_domain_discrete.items():
        if (
            name not in hparam_dict
            or not isinstance(domain, list)
            or not all(isinstance(d, type(hparam_dict[name])) for d in domain)
        ):
            raise TypeError(
                f"parameter: hparam_domain_discrete[{name}] should be a list of same type as hparam_dict[{name}]."
            )
    infos = []
    start = plugin_data_pb2.SessionStartInfo()
    for name, value in hparam_dict.items():
        if value is None:
            continue
        if isinstance(value, Tensor):
            value = make_np(value).reshape(-1)[0]
            kind, field = "DATA_TYPE_FLOAT64", "number_value"
        elif isinstance(value, int | float):
            kind, field = "DATA_TYPE_FLOAT64", "number_value"
        elif isinstance(value, str):
            kind, field = "DATA_TYPE_STRING", "string_value"
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        setattr(start.hparams[name], field, value)
        domain = None
        if name in hparam_domain_discrete and not isinstance(hparam_dict[name], Tensor):
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in hparam_domain_discrete[name]])
        infos.append(api_pb2.HParamInfo(name=name, type=api_pb2.DataType.Value(kind), domain_discrete=domain))
    metrics = [api_pb2.MetricInfo(name=api_pb2.MetricName(tag=tag)) for tag in metric_dict]
    experiment = api_pb2.Experiment(hparam_infos=infos, metric_infos=metrics)
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.Status.Value("STATUS_SUCCESS"))
    return (
        _hparams_summary(hparams_metadata.EXPERIMENT_TAG, experiment=experiment),
        _hparams_summary(hparams_metadata.SESSION_START_INFO_TAG, session_start_info=start),
        _hparams_summary(hparams_metadata.SESSION_END_INFO_TAG, session_end_info=end),
    )
