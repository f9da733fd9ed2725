"""Summary protocol buffers: one function per kind of value, as torch.utils.tensorboard.summary.

Each function returns a ``tensorboard.compat.proto.summary_pb2.Summary`` (the hparams one three of
them) built from tensorboard's own message classes, so the bytes TensorBoard reads are those its
protobuf schema defines; the writer only wraps them in events. What each value holds follows
torch's writer field for field, so a log reads the same in TensorBoard whichever engine wrote it.
"""

from __future__ import annotations

import io
import json
import wave
from typing import Any

import numpy as np
from google.protobuf import struct_pb2
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.custom_scalar import layout_pb2
from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

from ...autograd.tensor import Tensor
from ._utils import convert_to_HWC, make_np

__all__ = [
    "scalar",
    "histogram",
    "histogram_raw",
    "make_histogram",
    "image",
    "make_image",
    "image_boxes",
    "mesh",
    "text",
    "hparams",
    "tensor_proto",
    "pr_curve",
    "pr_curve_raw",
    "compute_curve",
    "custom_scalars",
    "audio",
]


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


def _draw_box(picture: Any, box: np.ndarray, label: str | None) -> None:
    """A red rectangle (x1, y1, x2, y2), 2 pixels wide, and its label on a red band at its bottom left."""
    from PIL import ImageDraw, ImageFont

    left, top, right, bottom = box[0], box[1], box[2], box[3]
    draw = ImageDraw.Draw(picture)
    draw.line([(left, top), (left, bottom), (right, bottom), (right, top), (left, top)], width=2, fill="Red")
    if label:
        font = ImageFont.load_default()
        x0, y0, x1, y1 = font.getbbox(label)
        text_width, text_height = x1 - x0, y1 - y0
        margin = np.ceil(0.05 * text_height)
        draw.rectangle([(left, bottom - text_height - 2 * margin), (left + text_width, bottom)], fill="Red")
        draw.text((left + margin, bottom - text_height - margin), label, fill="black", font=font)


def make_image(hwc: np.ndarray, rescale: float = 1, rois: np.ndarray | None = None, labels: list | None = None) -> Any:
    """An (H, W, C) uint8 array, C 3 or 4, as a PNG ``Summary.Image``: boxes ``rois`` (N, 4) drawn on it
    first, then resized by ``rescale`` (Lanczos); the proto keeps the size before resizing, as torch's."""
    height, width, channels = hwc.shape
    picture = _pillow().fromarray(hwc)
    if rois is not None:
        for k in range(rois.shape[0]):
            _draw_box(picture, rois[k], None if labels is None else labels[k])
    picture = picture.resize((int(width * rescale), int(height * rescale)), _pillow().Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return Summary.Image(height=height, width=width, colorspace=channels, encoded_image_string=buffer.getvalue())


def image(tag: str, tensor: Any, rescale: float = 1, dataformats: str = "NCHW") -> Summary:
    """An image (a batch becomes one grid, 8 to a row): uint8 values are taken as 0..255, any other
    dtype as 0..1 and scaled by 255; values outside are clipped."""
    hwc = convert_to_HWC(make_np(tensor), dataformats)
    scale = 1 if hwc.dtype == np.uint8 else 255
    pixels = (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    return Summary(value=[Summary.Value(tag=tag, image=make_image(pixels, rescale=rescale))])


def image_boxes(
    tag: str, tensor_image: Any, tensor_boxes: Any, rescale: float = 1, dataformats: str = "CHW", labels=None
) -> Summary:
    """An image with boxes (N, 4) of (x1, y1, x2, y2) pixels drawn in red, each with its label if given."""
    hwc = convert_to_HWC(make_np(tensor_image), dataformats)
    scale = 1 if hwc.dtype == np.uint8 else 255
    pixels = (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    picture = make_image(pixels, rescale=rescale, rois=make_np(tensor_boxes), labels=labels)
    return Summary(value=[Summary.Value(tag=tag, image=picture)])


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


def histogram_raw(
    name: str,
    min: float,  # noqa: A002 (torch's argument names)
    max: float,  # noqa: A002
    num: int,
    sum: float,  # noqa: A002
    sum_squares: float,
    bucket_limits: Any,
    bucket_counts: Any,
) -> Summary:
    """A histogram given by its statistics and buckets (each limit the right edge of its bucket)."""
    histo = HistogramProto(
        min=min,
        max=max,
        num=num,
        sum=sum,
        sum_squares=sum_squares,
        bucket_limit=bucket_limits,
        bucket=bucket_counts,
    )
    return Summary(value=[Summary.Value(tag=name, histo=histo)])


# the TensorProto dtype and value field of each tensor dtype, where TensorFlow puts them (and TensorBoard
# reads them): float16 as its 16 bits and uint8 in int_val. torch's writer differs there (float16 as a
# float32 bit pattern, uint8 in uint32_val), and TensorBoard cannot decode those two from its files.
_TENSOR_FIELDS = {
    "float16": ("DT_HALF", "half_val"),
    "float32": ("DT_FLOAT", "float_val"),
    "float64": ("DT_DOUBLE", "double_val"),
    "int8": ("DT_INT8", "int_val"),
    "uint8": ("DT_UINT8", "int_val"),
    "int16": ("DT_INT16", "int_val"),
    "int32": ("DT_INT32", "int_val"),
    "int64": ("DT_INT64", "int64_val"),
    "bool": ("DT_BOOL", "bool_val"),
}


def tensor_proto(tag: str, tensor: Tensor) -> Summary:
    """The whole tensor (its dtype, shape and values) for the tensor plugin."""
    if tensor.numel() * tensor.element_size() >= (1 << 31):
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    if tensor.dtype.name not in _TENSOR_FIELDS:
        raise ValueError(f"{tag} has unsupported tensor dtype {tensor.dtype}")
    dtype, field = _TENSOR_FIELDS[tensor.dtype.name]
    array = make_np(tensor).reshape(-1)
    values = array.view(np.uint16).tolist() if field == "half_val" else array.tolist()
    proto = TensorProto(
        dtype=dtype,
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in tensor.shape]),
        **{field: values},
    )
    tensor_plugin = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="tensor"))
    return Summary(value=[Summary.Value(tag=tag, metadata=tensor_plugin, tensor=proto)])


def _pr_curve_summary(tag: str, data: np.ndarray, num_thresholds: int) -> Summary:
    content = PrCurvePluginData(version=0, num_thresholds=num_thresholds).SerializeToString()
    pr_plugin = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="pr_curves", content=content))
    proto = TensorProto(
        dtype="DT_FLOAT",
        float_val=data.reshape(-1).tolist(),
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in data.shape[:2]]),
    )
    return Summary(value=[Summary.Value(tag=tag, metadata=pr_plugin, tensor=proto)])


def compute_curve(labels: np.ndarray, predictions: np.ndarray, num_thresholds: int, weights: Any = None) -> np.ndarray:
    """The (6, num_thresholds) rows TP, FP, TN, FN, precision, recall of the PR-curve plugin.

    Each prediction in [0, 1] falls in the bucket floor(p * (num_thresholds - 1)); the counts at
    threshold k are those in buckets k and above (a suffix sum), weighted by ``weights``.
    """
    minimum_count = 1e-7
    weights = 1.0 if weights is None else weights
    buckets = np.int32(np.floor(predictions * (num_thresholds - 1)))
    positive = labels.astype(np.float64)
    span = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(buckets, bins=num_thresholds, range=span, weights=positive * weights)
    fp_buckets, _ = np.histogram(buckets, bins=num_thresholds, range=span, weights=(1.0 - positive) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(minimum_count, tp + fp)
    recall = tp / np.maximum(minimum_count, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def pr_curve(tag: str, labels: Any, predictions: Any, num_thresholds: int = 127, weights: Any = None) -> Summary:
    """A precision-recall curve of binary ``labels`` against ``predictions`` (at most 127 thresholds)."""
    num_thresholds = min(num_thresholds, 127)
    return _pr_curve_summary(tag, compute_curve(labels, predictions, num_thresholds, weights), num_thresholds)


def pr_curve_raw(
    tag: str, tp: Any, fp: Any, tn: Any, fn: Any, precision: Any, recall: Any, num_thresholds: int = 127, weights=None
) -> Summary:
    """A precision-recall curve from its counts, one value per threshold in each argument."""
    num_thresholds = min(num_thresholds, 127)
    data = np.stack(
        [make_np(v) if isinstance(v, Tensor) else np.asarray(v) for v in (tp, fp, tn, fn, precision, recall)]
    )
    return _pr_curve_summary(tag, data, num_thresholds)


def custom_scalars(layout: dict[str, dict[str, list]]) -> Summary:
    """The custom-scalars plugin's layout: {category: {chart title: ["Multiline", tags] or
    ["Margin", [value, lower, upper]]}}."""
    categories = []
    for category, charts in layout.items():
        chart_protos = []
        for title, (kind, tags) in charts.items():
            if kind == "Margin":
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1], upper=tags[2])
                chart_protos.append(
                    layout_pb2.Chart(title=title, margin=layout_pb2.MarginChartContent(series=[series]))
                )
            else:
                chart_protos.append(layout_pb2.Chart(title=title, multiline=layout_pb2.MultilineChartContent(tag=tags)))
        categories.append(layout_pb2.Category(title=category, chart=chart_protos))
    proto = TensorProto(
        dtype="DT_STRING",
        string_val=[layout_pb2.Layout(category=categories).SerializeToString()],
        tensor_shape=TensorShapeProto(),
    )
    plugin = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="custom_scalars"))
    return Summary(value=[Summary.Value(tag="custom_scalars__config__", tensor=proto, metadata=plugin)])


def audio(tag: str, tensor: Any, sample_rate: int = 44100) -> Summary:
    """A mono clip (values in [-1, 1], clipped with a warning) as 16-bit WAV."""
    samples = make_np(tensor).squeeze()
    if abs(samples).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        samples = samples.clip(-1, 1)
    if samples.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    pcm = (samples * np.iinfo(np.int16).max).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.data)
    clip = Summary.Audio(
        sample_rate=sample_rate,
        num_channels=1,
        length_frames=pcm.shape[-1],
        encoded_audio_string=buffer.getvalue(),
        content_type="audio/wav",
    )
    return Summary(value=[Summary.Value(tag=tag, audio=clip)])


def mesh(
    tag: str,
    vertices: Any,
    colors: Any,
    faces: Any,
    config_dict: dict | None,
    display_name: str | None = None,
    description: str | None = None,
) -> Summary:
    """A mesh or point cloud for the mesh plugin: one value each for the vertices, faces and colors
    given, all (B, N, 3), with the three.js ``config_dict`` as JSON."""
    from tensorboard.plugins.mesh import metadata as mesh_metadata
    from tensorboard.plugins.mesh.plugin_data_pb2 import MeshPluginData

    json_config = "{}" if config_dict is None else json.dumps(config_dict, sort_keys=True)
    parts = [(vertices, MeshPluginData.VERTEX), (faces, MeshPluginData.FACE), (colors, MeshPluginData.COLOR)]
    parts = [(tensor, kind) for tensor, kind in parts if tensor is not None]
    components = mesh_metadata.get_components_bitmask([kind for _, kind in parts])
    values = []
    for tensor, kind in parts:
        array = make_np(tensor)
        part_metadata = mesh_metadata.create_summary_metadata(
            tag, display_name, kind, components, array.shape, description, json_config=json_config
        )
        proto = TensorProto(
            dtype="DT_FLOAT",
            float_val=array.reshape(-1).tolist(),
            tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in array.shape[:3]]),
        )
        values.append(
            Summary.Value(tag=mesh_metadata.get_instance_name(tag, kind), tensor=proto, metadata=part_metadata)
        )
    return Summary(value=values)
