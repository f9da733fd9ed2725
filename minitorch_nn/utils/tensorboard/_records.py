"""The bytes of a TensorBoard event file, written by hand: TFRecord framing around protobuf Events.

A TFRecord is ``uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)``
(little-endian), where CRC32C is the Castagnoli CRC and masking is ``rotr15(crc) + 0xa282ead8``.
``data`` is one serialized ``tensorflow.Event``. Protobuf's wire format is a sequence of fields, each
``varint(field_number << 3 | wire_type)`` then the value: wire type 0 a varint, 1 eight bytes
(double), 2 a varint length then bytes (strings, nested messages, packed repeated doubles), 5 four
bytes (float). Only the fields the SummaryWriter writes are encoded here:

    Event:   wall_time=1 (double), step=2 (int64), file_version=3 (string), summary=5, session_log=6
    Summary: value=1 (repeated Value)
    Value:   tag=1, simple_value=2 (float), image=4, histo=5, tensor=8, metadata=9
    Image:   height=1, width=2, colorspace=3, encoded_image_string=4
    HistogramProto: min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7 (packed doubles)
    TensorProto: dtype=1 (DT_STRING=7), tensor_shape=2 (dim=2 {size=1}), string_val=8
    SummaryMetadata: plugin_data=1 {plugin_name=1, content=2}
    SessionLog: status=1 (START=1)
    hparams plugin (plugin_name "hparams"): HParamsPluginData experiment=2, session_start_info=3,
      session_end_info=4; Experiment hparam_infos=4, metric_infos=5; HParamInfo name=1, type=4
      (STRING=1, BOOL=2, FLOAT64=3), domain_discrete=5 (ListValue values=1); MetricInfo name=1
      {tag=2}; SessionStartInfo hparams=1 (map entries key=1, value=2); SessionEndInfo status=1
      (SUCCESS=1); google.protobuf.Value number_value=2, string_value=3, bool_value=4

Writing these few fields directly keeps the writer free of the protobuf runtime (tensorboardX and
torch's writer both need it, plus the generated message classes).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

import numpy as np


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1  # the reflected Castagnoli polynomial
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data: bytes) -> bytes:
    """One TFRecord: the length and the data, each followed by its masked CRC32C."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


# ---- protobuf wire format ----------------------------------------------------------------------


def varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64  # negative int64s are ten-byte two's complement varints
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number: int, value: int) -> bytes:
    return varint(number << 3 | 0) + varint(int(value))


def field_double(number: int, value: float) -> bytes:
    return varint(number << 3 | 1) + struct.pack("<d", float(value))


def field_float(number: int, value: float) -> bytes:
    return varint(number << 3 | 5) + struct.pack("<f", float(value))


def field_bytes(number: int, value: bytes | str) -> bytes:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return varint(number << 3 | 2) + varint(len(value)) + value


def field_packed_doubles(number: int, values: Iterable[float]) -> bytes:
    return field_bytes(number, np.asarray(list(values), dtype="<f8").tobytes())


# ---- messages --------------------------------------------------------------------------------------


def event(
    wall_time: float,
    step: int = 0,
    *,
    file_version: str | None = None,
    summary: bytes | None = None,
    session_log_start: bool = False,
) -> bytes:
    out = field_double(1, wall_time)
    if step:
        out += field_varint(2, step)
    if file_version is not None:
        out += field_bytes(3, file_version)
    if summary is not None:
        out += field_bytes(5, summary)
    if session_log_start:
        out += field_bytes(6, field_varint(1, 1))
    return out


def summary(*values: bytes) -> bytes:
    return b"".join(field_bytes(1, v) for v in values)


def scalar_value(tag: str, value: float) -> bytes:
    return field_bytes(1, tag) + field_float(2, value)


def image_value(tag: str, height: int, width: int, colorspace: int, png: bytes) -> bytes:
    image = field_varint(1, height) + field_varint(2, width) + field_varint(3, colorspace) + field_bytes(4, png)
    return field_bytes(1, tag) + field_bytes(4, image)


def histogram_value(
    tag: str,
    vmin: float,
    vmax: float,
    num: int,
    vsum: float,
    sum_squares: float,
    bucket_limit: list[float],
    bucket: list[float],
) -> bytes:
    histo = (
        field_double(1, vmin)
        + field_double(2, vmax)
        + field_double(3, num)
        + field_double(4, vsum)
        + field_double(5, sum_squares)
        + field_packed_doubles(6, bucket_limit)
        + field_packed_doubles(7, bucket)
    )
    return field_bytes(1, tag) + field_bytes(5, histo)


def text_value(tag: str, text: str) -> bytes:
    plugin_data = field_bytes(1, "text")  # TextPluginData(version=0) serializes to no bytes
    metadata = field_bytes(1, plugin_data)
    shape = field_bytes(2, field_varint(1, 1))  # one dim of size 1
    tensor = field_varint(1, 7) + field_bytes(2, shape) + field_bytes(8, text)
    return field_bytes(1, tag) + field_bytes(8, tensor) + field_bytes(9, metadata)


def _plugin_value(tag: str, plugin_name: str, content: bytes) -> bytes:
    plugin_data = field_bytes(1, plugin_name) + (field_bytes(2, content) if content else b"")
    return field_bytes(1, tag) + field_bytes(9, field_bytes(1, plugin_data))


def struct_value(value: float | str) -> bytes:
    """A google.protobuf.Value holding a number or a string."""
    return field_bytes(3, value) if isinstance(value, str) else field_double(2, value)


def hparams_values(hparams: dict[str, float | str], domains: dict[str, list], metric_tags: list[str]) -> list[bytes]:
    """The experiment, session-start and session-end Values of the hparams plugin."""
    infos = b""
    starts = b""
    for name, value in hparams.items():
        info = field_bytes(1, name) + field_varint(4, 1 if isinstance(value, str) else 3)
        if name in domains:
            info += field_bytes(5, b"".join(field_bytes(1, struct_value(d)) for d in domains[name]))
        infos += field_bytes(4, info)
        starts += field_bytes(1, field_bytes(1, name) + field_bytes(2, struct_value(value)))
    metrics = b"".join(field_bytes(5, field_bytes(1, field_bytes(2, tag))) for tag in metric_tags)
    return [
        _plugin_value("_hparams_/experiment", "hparams", field_bytes(2, infos + metrics)),
        _plugin_value("_hparams_/session_start_info", "hparams", field_bytes(3, starts)),
        _plugin_value("_hparams_/session_end_info", "hparams", field_bytes(4, field_varint(1, 1))),
    ]


def png(hwc: np.ndarray) -> bytes:
    """An 8-bit PNG (grey, grey+alpha, RGB or RGBA by the channel count) of a uint8 (H, W, C) array."""
    height, width, channels = hwc.shape
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    rows = np.concatenate([np.zeros((height, 1), np.uint8), hwc.reshape(height, width * channels)], axis=1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes()))
        + chunk(b"IEND", b"")
    )
