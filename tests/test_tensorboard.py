"""minitorch_nn.utils.tensorboard.SummaryWriter: the event files read back.

The files are decoded here by a small reader written independently of the writer: TFRecord framing
with both CRCs checked (CRC32C computed bit by bit), then a generic protobuf field parser, following
TensorFlow's event.proto / summary.proto field numbers. (TensorBoard's own EventAccumulator reads
the same files; it is not a dependency of the suite.)
"""

from __future__ import annotations

import io
import os
import struct

import numpy as np
import pytest
from PIL import Image

import minitorch_nn as torch
from minitorch_nn.utils.tensorboard import SummaryWriter


def crc32c_bitwise(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def unmask(masked: int) -> int:
    rot = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def read_records(path: str) -> list[bytes]:
    blob = open(path, "rb").read()
    records, pos = [], 0
    while pos < len(blob):
        header = blob[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", blob[pos + 8 : pos + 12])
        assert unmask(length_crc) == crc32c_bitwise(header)
        data = blob[pos + 12 : pos + 12 + length]
        (data_crc,) = struct.unpack("<I", blob[pos + 12 + length : pos + 16 + length])
        assert unmask(data_crc) == crc32c_bitwise(data)
        records.append(data)
        pos += 16 + length
    return records


def parse(data: bytes) -> dict[int, list]:
    """Protobuf fields: number -> values (ints for varints, bytes for length-delimited, raw 4/8 bytes)."""
    fields: dict[int, list] = {}
    pos = 0

    def read_varint() -> int:
        nonlocal pos
        shift = result = 0
        while True:
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result

    while pos < len(data):
        key = read_varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = read_varint()
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        elif wire == 2:
            n = read_varint()
            value, pos = data[pos : pos + n], pos + n
        else:
            raise AssertionError(f"wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def double(raw: bytes) -> float:
    return struct.unpack("<d", raw)[0]


def events(log_dir: str) -> list[dict]:
    (name,) = [f for f in os.listdir(log_dir) if f.startswith("events.out.tfevents.")]
    out = []
    for record in read_records(os.path.join(log_dir, name)):
        fields = parse(record)
        event = {"wall_time": double(fields[1][0]), "step": fields.get(2, [0])[0]}
        if 3 in fields:
            event["file_version"] = fields[3][0].decode()
        if 6 in fields:
            event["session_log"] = parse(fields[6][0])
        if 5 in fields:
            event["values"] = [parse(v) for v in parse(fields[5][0])[1]]
        out.append(event)
    return out


def test_crc32c_known_answer():
    from minitorch_nn.utils.tensorboard import _records

    assert _records.crc32c(b"123456789") == 0xE3069283 == crc32c_bitwise(b"123456789")


def test_scalars_read_back(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(3):
            writer.add_scalar("train loss", 1.0 / (step + 1), global_step=step)
        writer.add_scalar("tensor", torch.tensor(2.5), 7, walltime=123.0)
        writer.add_scalar("array", np.float64(-1.5), 8)
    evs = events(str(tmp_path))
    assert evs[0]["file_version"] == "brain.Event:2"
    scalars = [(e["step"], v[1][0].decode(), struct.unpack("<f", v[2][0])[0]) for e in evs[1:] for v in e["values"]]
    assert scalars == [
        (0, "train loss", 1.0),
        (1, "train loss", 0.5),
        (2, "train loss", np.float32(1 / 3)),
        (7, "tensor", 2.5),
        (8, "array", -1.5),
    ]
    assert evs[4]["wall_time"] == 123.0
    with pytest.raises(AssertionError, match="Tensor should contain one element"):
        SummaryWriter(str(tmp_path / "x")).add_scalar("bad", torch.zeros(2))


def test_add_scalars_writes_one_run_per_tag(tmp_path):
    writer = SummaryWriter(str(tmp_path))
    writer.add_scalars("run/acc", {"train": 0.5, "test": 0.25}, 3)
    writer.close()
    assert sorted(os.listdir(tmp_path))[1:] == ["run_acc_test", "run_acc_train"]
    (ev,) = [e for e in events(str(tmp_path / "run_acc_test")) if "values" in e]
    assert ev["step"] == 3 and ev["values"][0][1][0] == b"run/acc"
    assert struct.unpack("<f", ev["values"][0][2][0])[0] == 0.25


@pytest.mark.parametrize(
    "dataformats,shape", [("CHW", (3, 4, 5)), ("HWC", (4, 5, 3)), ("HW", (4, 5)), ("CHW", (1, 4, 5))]
)
def test_add_image_is_a_png_of_the_pixels(tmp_path, dataformats, shape):
    data = np.random.RandomState(0).rand(*shape).astype(np.float32)
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_image("img", torch.tensor(data), 2, dataformats=dataformats)
    (ev,) = [e for e in events(str(tmp_path)) if "values" in e]
    image = parse(ev["values"][0][4][0])
    assert (image[1][0], image[2][0], image[3][0]) == (4, 5, 3)  # height, width, colorspace
    decoded = np.asarray(Image.open(io.BytesIO(image[4][0])))
    hwc = {"CHW": lambda a: a.transpose(1, 2, 0), "HWC": lambda a: a, "HW": lambda a: a[..., None]}[dataformats](data)
    if hwc.shape[2] == 1:
        hwc = np.repeat(hwc, 3, axis=2)
    np.testing.assert_array_equal(decoded, (hwc * 255).clip(0, 255).astype(np.uint8))


def test_add_images_tiles_the_batch(tmp_path):
    batch = np.random.RandomState(1).randint(0, 256, size=(10, 3, 2, 3)).astype(np.uint8)
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_images("batch", batch)
    (ev,) = [e for e in events(str(tmp_path)) if "values" in e]
    image = parse(ev["values"][0][4][0])
    decoded = np.asarray(Image.open(io.BytesIO(image[4][0])))
    assert decoded.shape == (4, 24, 3)  # 8 to a row: 2 rows of 2, 8 columns of 3
    np.testing.assert_array_equal(decoded[2:4, 3:6], batch[9].transpose(1, 2, 0))
    assert (decoded[2:4, 6:] == 0).all()


def test_add_histogram(tmp_path):
    values = np.array([0.5, 1.5, 1.6, 3.2, -1.0])
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_histogram("w", torch.tensor(values), 4, bins=[-2, 0, 1, 2, 3, 4])
        writer.add_histogram("tf", torch.tensor(values), 5)
    evs = [e for e in events(str(tmp_path)) if "values" in e]
    histo = parse(evs[0]["values"][0][5][0])
    assert [double(histo[k][0]) for k in (1, 2, 3, 4, 5)] == [-1.0, 3.2, 5.0, values.sum(), values.dot(values)]
    limits = np.frombuffer(histo[6][0], "<f8").tolist()
    counts = np.frombuffer(histo[7][0], "<f8").tolist()
    # all buckets hold something, so one empty bucket is added on the left
    assert limits == [-2, 0, 1, 2, 3, 4] and counts == [0, 1, 1, 2, 0, 1]
    tf = parse(evs[1]["values"][0][5][0])
    assert sum(np.frombuffer(tf[7][0], "<f8")) == 5 and evs[1]["step"] == 5
    with pytest.raises(ValueError, match="The input has no element."):
        SummaryWriter(str(tmp_path / "e")).add_histogram("x", np.array([]))


def test_add_text(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_text("notes", "loss **fell**", 1)
    (ev,) = [e for e in events(str(tmp_path)) if "values" in e]
    value = ev["values"][0]
    assert value[1][0] == b"notes/text_summary"
    tensor = parse(value[8][0])
    assert tensor[1][0] == 7 and tensor[8][0] == b"loss **fell**"  # DT_STRING
    assert parse(parse(value[9][0])[1][0])[1][0] == b"text"


def test_purge_step_queue_and_default_dir(tmp_path, monkeypatch):
    writer = SummaryWriter(str(tmp_path), purge_step=5, max_queue=3, filename_suffix=".mine")
    (name,) = os.listdir(tmp_path)
    assert name.endswith(".mine") and name.startswith("events.out.tfevents.")
    writer.add_scalar("a", 1.0, 6)
    # the version record is written at once; the purge marker and the scalar wait in the queue
    assert len(read_records(str(tmp_path / name))) == 1
    writer.add_scalar("a", 2.0, 7)  # the third queued event flushes
    assert len(read_records(str(tmp_path / name))) == 4
    writer.flush()
    writer.close()
    evs = events(str(tmp_path))
    assert evs[1]["step"] == 5 and evs[1]["session_log"] == {1: [1]}
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_exp") as default:
        log_dir = default.get_logdir()
    assert log_dir.startswith("runs" + os.sep) and log_dir.endswith("_exp")
    assert os.listdir(tmp_path / log_dir)


def test_add_hparams(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_hparams(
            {"lr": 0.1, "optimizer": "adam", "batch": torch.tensor([64]), "skip": None},
            {"hparam/accuracy": 0.75},
            hparam_domain_discrete={"optimizer": ["adam", "sgd"]},
            run_name="trial",
        )
    evs = [e for e in events(str(tmp_path / "trial")) if "values" in e]
    tags = [e["values"][0][1][0].decode() for e in evs]
    assert tags == [
        "_hparams_/experiment",
        "_hparams_/session_start_info",
        "_hparams_/session_end_info",
        "hparam/accuracy",
    ]

    def plugin(value: dict) -> tuple[bytes, dict]:
        data = parse(parse(value[9][0])[1][0])
        return data[1][0], parse(data[2][0])

    name, content = plugin(evs[0]["values"][0])
    assert name == b"hparams"
    experiment = parse(content[2][0])
    infos = [parse(i) for i in experiment[4]]
    assert [(i[1][0], i[4][0]) for i in infos] == [(b"lr", 3), (b"optimizer", 1), (b"batch", 3)]  # FLOAT64, STRING
    domain = [parse(v) for v in parse(infos[1][5][0])[1]]
    assert [d[3][0] for d in domain] == [b"adam", b"sgd"]
    assert parse(parse(experiment[5][0])[1][0])[2] == [b"hparam/accuracy"]
    _, content = plugin(evs[1]["values"][0])
    entries = {parse(e)[1][0]: parse(parse(e)[2][0]) for e in parse(content[3][0])[1]}
    assert double(entries[b"lr"][2][0]) == 0.1 and entries[b"optimizer"][3][0] == b"adam"
    assert double(entries[b"batch"][2][0]) == 64.0 and b"skip" not in entries
    _, content = plugin(evs[2]["values"][0])
    assert parse(content[4][0]) == {1: [1]}  # STATUS_SUCCESS
    assert struct.unpack("<f", evs[3]["values"][0][2][0])[0] == 0.75
    with pytest.raises(TypeError, match="hparam_dict and metric_dict should be dictionary."):
        SummaryWriter(str(tmp_path)).add_hparams([], {})
    with pytest.raises(ValueError, match="value should be one of int, float, str, bool, or torch.Tensor"):
        SummaryWriter(str(tmp_path)).add_hparams({"x": [1]}, {})
