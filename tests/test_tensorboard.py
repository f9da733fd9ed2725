"""minitorch_nn.utils.tensorboard.SummaryWriter against torch.utils.tensorboard.SummaryWriter.

Each test makes the same calls on both writers (with the same wall times) and reads both folders
back with TensorBoard's own readers: ``EventFileLoader`` for the raw ``Event`` protos (which must be
equal, field for field, after the file-version record that holds the file's opening time) and
``EventAccumulator`` for what TensorBoard shows (scalars, histograms, decoded image pixels, text,
the hparams plugin's data, the graph). ``events()`` at the end is an independent decoder of the
TFRecord framing (both CRCs checked) that tests/test_seed003_cifar10.py also uses.
"""

from __future__ import annotations

import io
import os
import re
import socket
import struct
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch as real_torch
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util
from torch.utils.tensorboard import SummaryWriter as TorchWriter

import minitorch_nn as torch
import minitorch_nn.nn as nn
from minitorch_nn.utils.tensorboard import SummaryWriter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEP_ALL = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0, "compressedHistograms": 0}


def event_files(log_dir) -> list[str]:
    return sorted(f for f in os.listdir(log_dir) if f.startswith("events.out.tfevents."))


def protos(log_dir) -> list:
    """Every Event of the one event file in ``log_dir``, as TensorBoard's loader reads it."""
    (name,) = event_files(log_dir)
    return list(EventFileLoader(os.path.join(log_dir, name)).Load())


def accumulate(log_dir) -> EventAccumulator:
    accumulator = EventAccumulator(str(log_dir), size_guidance=KEEP_ALL)
    accumulator.Reload()
    return accumulator


def assert_same_events(ours_dir, torch_dir, same_wall_times: bool = True) -> list:
    """The events after the version record are equal (all but their wall times where those are now)."""
    ours, theirs = protos(ours_dir), protos(torch_dir)
    assert ours[0].file_version == theirs[0].file_version == "brain.Event:2"
    assert ours[0].source_metadata == theirs[0].source_metadata
    if not same_wall_times:
        for event in ours + theirs:
            event.ClearField("wall_time")
    assert ours[1:] == theirs[1:]
    return ours[1:]


def both(tmp_path, calls) -> tuple[str, str]:
    """Run ``calls(writer, lib)`` on our writer (lib=minitorch_nn) and torch's (lib=torch)."""
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "torch")
    with SummaryWriter(ours) as writer:
        calls(writer, torch)
    with TorchWriter(theirs) as writer:
        calls(writer, real_torch)
    return ours, theirs


def torch_error(call) -> tuple[type, str]:
    with pytest.raises(Exception) as info:
        call()
    return info.type, str(info.value)


# ---- the package -----------------------------------------------------------------------------------


def run_python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)


def test_import_minitorch_nn_loads_no_tensorboard():
    code = (
        "import sys, minitorch_nn, minitorch_nn.nn, minitorch_nn.utils\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorboard', 'google')))\n"
        "import minitorch_nn.utils.tensorboard\n"
        "print('tensorboard.summary.writer.event_file_writer' in sys.modules)"
    )
    assert run_python(code).stdout.split("\n")[:2] == ["[]", "True"]


def test_without_tensorboard_the_import_error_says_how_to_install_it():
    code = "import sys; sys.modules['tensorboard'] = None\nfrom minitorch_nn.utils.tensorboard import SummaryWriter"
    result = run_python(code)
    assert "ImportError: minitorch_nn.utils.tensorboard writes its event files" in result.stderr
    assert "pip install tensorboard" in result.stderr


# ---- scalars ---------------------------------------------------------------------------------------


def test_scalars_match_torch(tmp_path):
    def calls(writer, lib):
        for step in range(3):
            writer.add_scalar("train loss", 1.0 / (step + 1), global_step=step, walltime=100.0 + step)
        writer.add_scalar("tensor", lib.tensor(2.5), 7, walltime=107.0)
        writer.add_scalar("one element", lib.tensor([[-0.25]], dtype=lib.float64), np.int64(8), walltime=108.0)
        writer.add_scalar("numpy", np.float32(1e-3), 9, walltime=109.0)
        writer.add_scalar("int", 3, walltime=110.0)  # no step: 0
        writer.add_scalar("new", 0.1, 10, walltime=111.0, new_style=True)
        writer.add_scalar("new64", 0.1, 11, walltime=112.0, new_style=True, double_precision=True)

    ours, theirs = both(tmp_path, calls)
    assert_same_events(ours, theirs)
    read = accumulate(ours)
    loss = [(s.step, s.wall_time, s.value) for s in read.Scalars("train loss")]
    assert loss == [(0, 100.0, 1.0), (1, 101.0, 0.5), (2, 102.0, np.float32(1 / 3))]
    assert [(s.step, s.value) for s in read.Scalars("one element")] == [(8, -0.25)]
    assert [(s.step, s.value) for s in read.Scalars("int")] == [(0, 3.0)]
    assert read.Tensors("new64")[0].tensor_proto.double_val == [0.1]
    assert read.Tensors("new")[0].tensor_proto.float_val == [np.float32(0.1)]


def test_scalar_errors_match_torch(tmp_path):
    writer = SummaryWriter(str(tmp_path))
    ours = torch_error(lambda: writer.add_scalar("bad", torch.zeros(2)))
    theirs = torch_error(lambda: TorchWriter(str(tmp_path / "t")).add_scalar("bad", real_torch.zeros(2)))
    assert ours == theirs and ours[0] is AssertionError and "Was given size: 2 and 1 dimensions." in ours[1]
    ours = torch_error(lambda: writer.add_scalar("bad", [1.0]))
    theirs = torch_error(lambda: TorchWriter(str(tmp_path / "t")).add_scalar("bad", [1.0]))
    assert ours == theirs and ours[0] is NotImplementedError


def test_add_scalars_writes_one_run_per_key_as_torch(tmp_path):
    def calls(writer, lib):
        writer.add_scalars("run/acc", {"train": 0.5, "test": lib.tensor(0.25)}, 3, walltime=5.0)
        writer.add_scalars("run/acc", {"train": 0.75, "test": 0.5}, 4, walltime=6.0)

    ours, theirs = both(tmp_path, calls)
    folders = sorted(d for d in os.listdir(ours) if not d.startswith("events"))
    assert folders == sorted(d for d in os.listdir(theirs) if not d.startswith("events"))
    assert folders == ["run_acc_test", "run_acc_train"]
    for run in ("run_acc_test", "run_acc_train"):
        assert_same_events(os.path.join(ours, run), os.path.join(theirs, run))
        assert len(event_files(os.path.join(ours, run))) == 1
    test = accumulate(os.path.join(ours, "run_acc_test")).Scalars("run/acc")
    assert [(s.step, s.wall_time, s.value) for s in test] == [(3, 5.0, 0.25), (4, 6.0, 0.5)]
    assert protos(ours)[1:] == []  # the main file holds no scalars of add_scalars


# ---- histograms ------------------------------------------------------------------------------------


def test_histograms_match_torch(tmp_path):
    values = np.random.RandomState(0).randn(200) * 3

    def calls(writer, lib):
        writer.add_histogram("tf", lib.tensor(values), 1, walltime=1.0)
        writer.add_histogram("auto", values.astype(np.float32), 2, bins="auto", walltime=2.0)
        writer.add_histogram("ten", lib.tensor(values).reshape(20, 10), 3, bins=10, walltime=3.0)
        writer.add_histogram("edges", lib.tensor(values), 4, bins=[-20, -1, 0, 1, 20], walltime=4.0)
        writer.add_histogram("merged", lib.tensor(values), 5, bins=50, max_bins=7, walltime=5.0)
        writer.add_histogram("ints", lib.tensor([1, 2, 2, 3]), 6, walltime=6.0)

    ours, theirs = both(tmp_path, calls)
    assert_same_events(ours, theirs)
    read_ours, read_torch = accumulate(ours), accumulate(theirs)
    for tag in ("tf", "auto", "ten", "edges", "merged", "ints"):
        (a,), (b,) = read_ours.Histograms(tag), read_torch.Histograms(tag)
        assert (a.step, a.wall_time) == (b.step, b.wall_time)
        assert a.histogram_value == b.histogram_value
    (edges,) = read_ours.Histograms("edges")
    h = edges.histogram_value
    assert (h.min, h.max, h.num) == (values.min(), values.max(), 200)
    assert h.sum == values.sum() and h.sum_squares == values.dot(values)
    # every bucket holds a value, so one empty bucket on the left carries the first limit
    counts, _ = np.histogram(values, [-20, -1, 0, 1, 20])
    assert list(h.bucket_limit) == [-20, -1, 0, 1, 20] and list(h.bucket) == [0, *counts]
    (merged,) = read_ours.Histograms("merged")
    # 50 buckets merged 7 at a time (the last padded) are 8, plus at most the empty one on the left
    assert len(merged.histogram_value.bucket) <= 8 + 1 and sum(merged.histogram_value.bucket) == 200


def test_histogram_of_nothing_is_torchs_error(tmp_path):
    ours = torch_error(lambda: SummaryWriter(str(tmp_path)).add_histogram("x", np.array([])))
    theirs = torch_error(lambda: TorchWriter(str(tmp_path / "t")).add_histogram("x", np.array([])))
    assert ours == theirs == (ValueError, "The input has no element.")


# ---- images ----------------------------------------------------------------------------------------


def decoded(log_dir, tag) -> list[np.ndarray]:
    return [np.asarray(Image.open(io.BytesIO(e.encoded_image_string))) for e in accumulate(log_dir).Images(tag)]


IMAGE_CASES = [
    ("CHW", (3, 4, 5)),
    ("CHW", (1, 4, 5)),
    ("HWC", (4, 5, 3)),
    ("HWC", (4, 5, 1)),
    ("HW", (4, 5)),
    ("WH", (5, 4)),
    ("CHW", (4, 4, 5)),  # RGBA
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
@pytest.mark.parametrize("dataformats,shape", IMAGE_CASES)
def test_add_image_matches_torch(tmp_path, dataformats, shape, dtype):
    rng = np.random.RandomState(0)
    data = rng.randint(0, 256, size=shape).astype(dtype) if dtype == np.uint8 else rng.uniform(-0.2, 1.2, shape)
    data = data.astype(dtype)

    def calls(writer, lib):
        writer.add_image("img", lib.tensor(data), 2, walltime=3.0, dataformats=dataformats)

    ours, theirs = both(tmp_path, calls)
    assert_same_events(ours, theirs)
    (pixels,) = decoded(ours, "img")
    np.testing.assert_array_equal(pixels, decoded(theirs, "img")[0])
    # by hand: (H, W, C) of the layout, grey to RGB, 0..1 scaled to 0..255 and clipped
    hwc = data.transpose([dataformats.find(c) for c in "HWC" if c in dataformats])
    if hwc.ndim == 2 or hwc.shape[2] == 1:
        hwc = np.repeat(hwc.reshape(hwc.shape[0], hwc.shape[1], 1), 3, axis=2)
    scale = 1 if dtype == np.uint8 else 255
    np.testing.assert_array_equal(pixels, (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8))
    (event,) = accumulate(ours).Images("img")
    assert (event.height, event.width, event.step) == (4, 5, 2)


@pytest.mark.parametrize(
    "dataformats,shape",
    [("NCHW", (10, 3, 2, 3)), ("NHWC", (3, 2, 3, 1)), ("NCHW", (1, 1, 4, 4)), ("nhwc", (2, 2, 2, 3))],
)
def test_add_images_tiles_the_batch_as_torch(tmp_path, dataformats, shape):
    batch = np.random.RandomState(1).randint(0, 256, size=shape).astype(np.uint8)

    def calls(writer, lib):
        writer.add_images("batch", lib.tensor(batch), walltime=1.0, dataformats=dataformats)

    ours, theirs = both(tmp_path, calls)
    assert_same_events(ours, theirs)
    (pixels,) = decoded(ours, "batch")
    np.testing.assert_array_equal(pixels, decoded(theirs, "batch")[0])
    if shape == (10, 3, 2, 3):  # 8 to a row: 2 rows of 2, 8 columns of 3, the last 6 cells black
        assert pixels.shape == (4, 24, 3)
        np.testing.assert_array_equal(pixels[2:4, 3:6], batch[9].transpose(1, 2, 0))
        assert (pixels[2:4, 6:] == 0).all()


@pytest.mark.parametrize(
    "shape,dataformats",
    [((3, 4, 5), "HW"), ((4, 5), "CHW"), ((2, 3, 4, 5), "CHW"), ((3, 4, 5), "CCH"), ((3, 4, 5), "hww")],
)
def test_image_of_the_wrong_dims_is_torchs_error(tmp_path, shape, dataformats):
    ours = torch_error(lambda: SummaryWriter(str(tmp_path)).add_image("x", np.zeros(shape), dataformats=dataformats))
    theirs = torch_error(
        lambda: TorchWriter(str(tmp_path / "t")).add_image("x", np.zeros(shape), dataformats=dataformats)
    )
    assert ours == theirs and ours[0] is AssertionError


def test_image_layout_letters_outside_nchw_are_a_clear_error(tmp_path):
    with pytest.raises(AssertionError, match=r"dataformats must be the letters .* got 'CHX'"):
        SummaryWriter(str(tmp_path)).add_image("x", np.zeros((3, 4, 5)), dataformats="CHX")
    with pytest.raises(AssertionError, match=r"got 'NCHWT'"):
        SummaryWriter(str(tmp_path)).add_image("x", np.zeros((1, 3, 4, 5, 1)), dataformats="NCHWT")


# ---- figures ---------------------------------------------------------------------------------------


def make_figure(seed: int):
    figure, axes = plt.subplots(figsize=(2.0, 1.5), dpi=40)
    axes.plot(np.random.RandomState(seed).rand(10))
    axes.set_title(f"figure {seed}")
    return figure


@pytest.mark.parametrize("close", [True, False])
def test_add_figure_renders_as_torch(tmp_path, close):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "torch")
    figures = {}
    for log_dir, writer_class in ((ours, SummaryWriter), (theirs, TorchWriter)):
        with writer_class(log_dir) as writer:
            single = make_figure(0)
            several = [make_figure(1), make_figure(2)]
            writer.add_figure("one", single, 1, close=close, walltime=2.0)
            writer.add_figure("many", several, 2, close=close, walltime=3.0)
            figures[log_dir] = [single, *several]
    assert_same_events(ours, theirs)
    for tag in ("one", "many"):
        np.testing.assert_array_equal(decoded(ours, tag)[0], decoded(theirs, tag)[0])
    (one,) = decoded(ours, "one")
    assert one.shape == (60, 80, 3)  # 2 x 1.5 inches at 40 dpi
    (many,) = decoded(ours, "many")
    assert many.shape == (60, 160, 3)  # two figures side by side
    assert not (one == 255).all()  # something was drawn
    for figure in figures[ours]:
        assert plt.fignum_exists(figure.number) is not close
    plt.close("all")


# ---- text ------------------------------------------------------------------------------------------


def test_add_text_matches_torch(tmp_path):
    def calls(writer, lib):
        writer.add_text("notes", "loss **fell**", 1, walltime=1.0)
        writer.add_text("notes", "ünïcode ✓", 2, walltime=2.0)

    ours, theirs = both(tmp_path, calls)
    assert_same_events(ours, theirs)
    read = accumulate(ours)
    texts = [(e.step, e.tensor_proto.string_val[0].decode()) for e in read.Tensors("notes/text_summary")]
    assert texts == [(1, "loss **fell**"), (2, "ünïcode ✓")]
    assert list(read.PluginTagToContent("text")) == ["notes/text_summary"]


# ---- hparams ---------------------------------------------------------------------------------------


def test_add_hparams_matches_torch(tmp_path):
    def calls(writer, lib):
        writer.add_hparams(
            {"lr": 0.1, "layers": 3, "optimizer": "adam", "nesterov": True, "skip": None},
            {"hparam/accuracy": 0.75, "hparam/loss": lib.tensor(0.5)},
            hparam_domain_discrete={"optimizer": ["adam", "sgd"], "layers": [2, 3]},
            run_name="trial",
            global_step=4,
        )

    ours, theirs = both(tmp_path, calls)
    assert [d for d in os.listdir(ours) if not d.startswith("events")] == ["trial"]
    assert [d for d in os.listdir(theirs) if not d.startswith("events")] == ["trial"]
    assert_same_events(os.path.join(ours, "trial"), os.path.join(theirs, "trial"), same_wall_times=False)
    read = accumulate(os.path.join(ours, "trial"))
    content = read.PluginTagToContent("hparams")
    experiment = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
    infos = [(i.name, i.type) for i in experiment.hparam_infos]
    assert infos == [("lr", 3), ("layers", 3), ("optimizer", 1), ("nesterov", 3)]  # FLOAT64, STRING
    domain = {
        i.name: [v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind")) for v in i.domain_discrete.values]
        for i in experiment.hparam_infos
    }
    assert domain["optimizer"] == ["adam", "sgd"] and domain["layers"] == [2, 3] and domain["lr"] == []
    assert [m.name.tag for m in experiment.metric_infos] == ["hparam/accuracy", "hparam/loss"]
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"]).session_start_info
    assert start.hparams["lr"].number_value == 0.1 and start.hparams["optimizer"].string_value == "adam"
    assert "skip" not in start.hparams
    end = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"]).session_end_info
    assert end.status == 1  # STATUS_SUCCESS
    assert [(s.step, s.value) for s in read.Scalars("hparam/loss")] == [(4, 0.5)]


def test_add_hparams_with_a_tensor_value(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_hparams({"batch": torch.tensor([64])}, {"m": 1.0}, run_name="r")
    with TorchWriter(str(tmp_path / "t")) as writer:
        writer.add_hparams({"batch": real_torch.tensor([64])}, {"m": 1.0}, run_name="r")
    ours, theirs = protos(tmp_path / "r"), protos(tmp_path / "t" / "r")
    assert [e.summary for e in ours[1:4]] == [e.summary for e in theirs[1:4]]


@pytest.mark.parametrize(
    "args",
    [
        ([], {}),
        ({"x": [1]}, {}),
        ({"x": {1: 2}}, {}),
        ({"x": 1.0}, {}, {"x": ["a"]}),
        ({"x": 1.0}, {}, {"y": [1.0]}),
        ({"x": 1.0}, {}, {"x": 1.0}),
    ],
)
def test_add_hparams_bad_input_is_torchs_error(tmp_path, args):
    ours = torch_error(lambda: SummaryWriter(str(tmp_path / "o")).add_hparams(*args, run_name="r"))
    theirs = torch_error(lambda: TorchWriter(str(tmp_path / "t")).add_hparams(*args, run_name="r"))
    assert ours == theirs and ours[0] in (TypeError, ValueError)


# ---- files, queue, purge, close --------------------------------------------------------------------


def test_file_name_purge_step_and_suffix_as_torch(tmp_path):
    def calls(writer, lib):
        writer.add_scalar("a", 1.0, 6, walltime=1.0)

    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "torch")
    with SummaryWriter(ours, purge_step=5, filename_suffix=".mine") as writer:
        calls(writer, torch)
    with TorchWriter(theirs, purge_step=5, filename_suffix=".mine") as writer:
        calls(writer, real_torch)
    (name,) = event_files(ours)
    pattern = rf"events\.out\.tfevents\.\d{{10}}\.{re.escape(socket.gethostname())}\.{os.getpid()}\.\d+\.mine"
    assert re.fullmatch(pattern, name) and re.fullmatch(pattern, event_files(theirs)[0])
    ours_events, theirs_events = protos(ours), protos(theirs)
    # the purge marker: a version record and a session restart at the purge step
    for got, expected in zip(ours_events[1:3], theirs_events[1:3]):
        assert (got.step, got.file_version, got.session_log) == (
            expected.step,
            expected.file_version,
            expected.session_log,
        )
    assert ours_events[2].step == 5 and ours_events[2].session_log.status == ours_events[2].session_log.START
    assert ours_events[3] == theirs_events[3]


def test_flush_secs_writes_without_flush_and_max_queue_bounds_the_queue(tmp_path):
    writer = SummaryWriter(str(tmp_path), max_queue=2, flush_secs=0.2)
    for step in range(5):  # more events than the queue holds: add waits for the writer thread, never drops
        writer.add_scalar("a", float(step), step)
    deadline = time.time() + 20
    while time.time() < deadline and len(protos(tmp_path)) < 6:
        time.sleep(0.1)
    assert [e.step for e in protos(tmp_path)[1:]] == [0, 1, 2, 3, 4]  # written by the writer's thread
    writer.close()


def test_close_is_idempotent_and_a_later_add_opens_a_new_file(tmp_path):
    writer = SummaryWriter(str(tmp_path), flush_secs=1000)
    writer.add_scalar("a", 1.0, 1)
    writer.flush()
    assert [e.step for e in protos(tmp_path)[1:]] == [1]
    writer.close()
    writer.close()
    writer.flush()
    writer.add_scalar("a", 2.0, 2)
    writer.close()
    files = event_files(tmp_path)
    assert len(files) == 2
    steps = [[e.step for e in EventFileLoader(os.path.join(tmp_path, f)).Load()][1:] for f in files]
    assert sorted(steps) == [[1], [2]]
    assert [s.value for s in accumulate(tmp_path).Scalars("a")] == [1.0, 2.0]


def test_context_manager_closes_and_default_log_dir_has_the_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_exp") as writer:
        log_dir = writer.get_logdir()
        writer.add_scalar("a", 1.0)
    assert writer.all_writers is None
    assert log_dir.startswith("runs" + os.sep) and log_dir.endswith(socket.gethostname() + "_exp")
    assert re.fullmatch(r"[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_.*", os.path.basename(log_dir))
    assert [e.step for e in protos(tmp_path / log_dir)[1:]] == [0]


# ---- embeddings ------------------------------------------------------------------------------------


def read_tree(root) -> dict[str, bytes]:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            if not name.startswith("events.out."):
                path = os.path.join(folder, name)
                out[os.path.relpath(path, root)] = open(path, "rb").read()
    return out


def test_add_embedding_writes_torchs_projector_files(tmp_path):
    rng = np.random.RandomState(0)
    mat = rng.randn(5, 3).astype(np.float32)
    images = rng.rand(5, 3, 4, 6).astype(np.float32)
    grey = rng.rand(7, 1, 3, 3).astype(np.float32)
    labels = ["a", "b", 3, "d", "e"]
    rows = [[k, f"name{k}"] for k in range(7)]

    def calls(writer, lib):
        writer.add_embedding(lib.tensor(mat), metadata=labels, label_img=lib.tensor(images))
        writer.add_embedding(mat.astype(np.float64), global_step=12, tag="layer/2 %x")
        writer.add_embedding(
            lib.tensor(rng_mat), metadata=rows, metadata_header=["id", "name"], label_img=lib.tensor(grey), tag="grey"
        )

    rng_mat = rng.randn(7, 2).astype(np.float32)
    ours, theirs = both(tmp_path, calls)
    files = read_tree(ours)
    assert files == read_tree(theirs)
    assert sorted(files) == [
        "00000/default/metadata.tsv",
        "00000/default/sprite.png",
        "00000/default/tensors.tsv",
        "00000/grey/metadata.tsv",
        "00000/grey/sprite.png",
        "00000/grey/tensors.tsv",
        "00012/layer%2f2 %25x/tensors.tsv",
        "projector_config.pbtxt",
    ]
    tsv = files["00000/default/tensors.tsv"].decode().splitlines()
    assert [[float(v) for v in line.split("\t")] for line in tsv] == mat.tolist()
    assert files["00000/default/metadata.tsv"] == b"a\nb\n3\nd\ne\n"
    assert files["00000/grey/metadata.tsv"].decode().splitlines()[:2] == ["id\tname", "0\tname0"]
    sprite = np.asarray(Image.open(io.BytesIO(files["00000/default/sprite.png"])))
    assert sprite.shape == (18, 18, 3)  # 3 images to a row of 6 pixels, on a square canvas
    np.testing.assert_array_equal(sprite[4:8, 6:12], np.uint8((images[4].transpose(1, 2, 0) * 255).clip(0, 255)))
    assert (sprite[8:] == 0).all()
    config = files["projector_config.pbtxt"].decode()
    assert 'tensor_name: "default:00000"' in config and 'tensor_name: "grey:00000"' in config
    assert 'image_path: "00000/default/sprite.png"' in config and "single_image_dim: 6" in config


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(mat=np.zeros((3, 2)), metadata=["a"]),
        dict(mat=np.zeros((3, 2)), label_img=np.zeros((2, 3, 4, 4))),
        dict(mat=np.zeros(3)),
        dict(mat=np.zeros((3, 2)), metadata=[[1, 2], [3, 4], [5, 6]], metadata_header=["x"]),
    ],
)
def test_add_embedding_errors_match_torch(tmp_path, kwargs):
    torch_kwargs = dict(kwargs)
    if "label_img" in kwargs:
        torch_kwargs["label_img"] = real_torch.tensor(kwargs["label_img"])
    ours = torch_error(lambda: SummaryWriter(str(tmp_path / "o")).add_embedding(**kwargs))
    theirs = torch_error(lambda: TorchWriter(str(tmp_path / "t")).add_embedding(**torch_kwargs))
    assert ours == theirs and ours[0] is AssertionError


def test_add_embedding_into_an_existing_folder_or_a_file(tmp_path, capsys):
    mat = np.zeros((3, 2))
    writer = SummaryWriter(str(tmp_path / "again"))
    writer.add_embedding(mat)
    writer.add_embedding(mat)
    assert "warning: Embedding dir exists, did you set global_step for add_embedding()?" in capsys.readouterr().out
    os.makedirs(tmp_path / "again" / "00001")
    open(tmp_path / "again" / "00001" / "default", "w").close()
    with pytest.raises(NotADirectoryError, match="exists, but is a file. Cannot proceed."):
        writer.add_embedding(mat, global_step=1)


# ---- the graph -------------------------------------------------------------------------------------


def graph_of(log_dir) -> dict[str, tuple[str, list[str], list[list[int]]]]:
    """name -> (op, inputs, output shapes) of the graph TensorBoard reads back."""
    read = accumulate(log_dir)
    assert read.Tags()["graph"] and read.Tags()["run_metadata"] == ["step1"]
    assert read.RunMetadata("step1").step_stats.dev_stats[0].device == "/device:CPU:0"
    return {
        n.name: (n.op, list(n.input), [[d.size for d in s.dim] for s in n.attr["_output_shapes"].list.shape])
        for n in read.Graph().node
    }


def test_add_graph_of_a_sequential(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_graph(model, torch.randn(5, 3))
    first, second = "Sequential/Linear[0]", "Sequential/Linear[2]"
    # by hand: linear is addmm(bias, input, weight.t()); relu; linear again; the output
    assert graph_of(tmp_path) == {
        "input/input.0": ("IO Node", [], [[5, 3]]),
        f"{first}/weight": ("Parameter", [], [[4, 3]]),
        f"{first}/bias": ("Parameter", [], [[4]]),
        f"{second}/weight": ("Parameter", [], [[2, 4]]),
        f"{second}/bias": ("Parameter", [], [[2]]),
        f"{first}/TBackward0": ("TBackward0", [f"{first}/weight"], [[3, 4]]),
        f"{first}/AddmmBackward0": (
            "AddmmBackward0",
            [f"{first}/bias", "input/input.0", f"{first}/TBackward0"],
            [[5, 4]],
        ),
        "Sequential/ReLU[1]/ReluBackward0": ("ReluBackward0", [f"{first}/AddmmBackward0"], [[5, 4]]),
        f"{second}/TBackward0": ("TBackward0", [f"{second}/weight"], [[4, 2]]),
        f"{second}/AddmmBackward0": (
            "AddmmBackward0",
            [f"{second}/bias", "Sequential/ReLU[1]/ReluBackward0", f"{second}/TBackward0"],
            [[5, 2]],
        ),
        "output/output.0": ("IO Node", [f"{second}/AddmmBackward0"], [[5, 2]]),
    }
    node = {n.name: n for n in accumulate(tmp_path).Graph().node}[f"{first}/weight"]
    assert node.attr["name"].s == b"0.weight" and node.attr["dtype"].type == 1  # DT_FLOAT


class Block(nn.Module):
    """A residual block with an in-place ReLU and a parameter used twice."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.drop = nn.Dropout(0.5)

    def forward(self, x, y):
        h = self.act(self.fc(x))
        return self.drop(h) + x * self.fc.weight.sum(), y.sum()


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(Block())

    def forward(self, x, y):
        out, total = self.body[0](x, y)
        return (out.mean(), total)


def test_add_graph_scopes_nested_modules_and_restores_training(tmp_path, capsys):
    model = Net()
    model.train()
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_graph(model, (torch.ones(3, 2), torch.ones(4)), verbose=True)
    assert model.training and model.body[0].drop.training  # eval only while drawing
    nodes = graph_of(tmp_path)
    block = "Net/Sequential[body]/Block[0]"
    assert nodes[f"{block}/Linear[fc]/weight"][:2] == ("Parameter", [])
    assert nodes[f"{block}/Linear[fc]/MmBackward0"][1] == ["input/input.0", f"{block}/Linear[fc]/TBackward0"]
    # the in-place ReLU's node is its own, though it rewrote the tensor the module got
    assert nodes[f"{block}/ReLU[act]/ReluBackward0"][1] == [f"{block}/Linear[fc]/MmBackward0"]
    # eval mode: dropout is the identity and leaves no node; the block's own ops are in its scope
    assert not any("Dropout" in name for name in nodes)
    assert nodes[f"{block}/SumBackward0"][1] == [f"{block}/Linear[fc]/weight"]
    assert nodes[f"{block}/MulBackward0"][1] == ["input/input.0", f"{block}/SumBackward0"]
    assert nodes[f"{block}/AddBackward0"][1] == [f"{block}/ReLU[act]/ReluBackward0", f"{block}/MulBackward0"]
    assert nodes[f"{block}/SumBackward0.1"][1] == ["input/input.1"]  # a repeated name gets .1
    assert nodes["Net/MeanBackward0"] == ("MeanBackward0", [f"{block}/AddBackward0"], [[]])
    assert nodes["output/output.0"][1] == ["Net/MeanBackward0"]
    assert nodes["output/output.1"] == ("IO Node", [f"{block}/SumBackward0.1"], [[]])
    assert f"{block}/ReLU[act]/ReluBackward0 = ReluBackward0({block}/Linear[fc]/MmBackward0) [[3, 2]]" in (
        capsys.readouterr().out
    )


def test_add_graph_of_a_conv_net_reads_back_in_tensorboard(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2, 3))
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_graph(model, torch.randn(2, 1, 4, 4))
    nodes = graph_of(tmp_path)
    ops = {name.rsplit("/", 1)[0]: op for name, (op, _, _) in nodes.items() if op not in ("Parameter", "IO Node")}
    assert set(ops) >= {"Sequential/Conv2d[0]", "Sequential/BatchNorm2d[1]", "Sequential/MaxPool2d[2]"}
    assert nodes["output/output.0"][2] == [[2, 3]]
    # every edge names a node of the graph
    assert all(i.split(":")[0] in nodes for _, inputs, _ in nodes.values() for i in inputs)
    # the parameters that reach the output are all drawn; BatchNorm's running stats are buffers and are not
    params = {n for n, (op, _, _) in nodes.items() if op == "Parameter"}
    assert len(params) == len(list(model.parameters()))


# ---- the raw bytes, decoded independently ----------------------------------------------------------


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


def events(log_dir: str) -> list[dict]:
    """Each record of the one event file: wall_time, step, and the Summary values as parsed fields
    (event.proto: 1 wall_time, 2 step, 3 file_version, 5 summary, 7 session_log)."""
    (name,) = event_files(log_dir)
    out = []
    for record in read_records(os.path.join(log_dir, name)):
        fields = parse(record)
        event = {"wall_time": struct.unpack("<d", fields[1][0])[0], "step": fields.get(2, [0])[0]}
        if 3 in fields:
            event["file_version"] = fields[3][0].decode()
        if 7 in fields:
            event["session_log"] = parse(fields[7][0])
        if 5 in fields:
            event["values"] = [parse(v) for v in parse(fields[5][0])[1]]
        out.append(event)
    return out


def test_the_bytes_decode_independently(tmp_path):
    with SummaryWriter(str(tmp_path), purge_step=2) as writer:
        writer.add_scalar("loss", 0.5, 3, walltime=9.0)
    evs = events(str(tmp_path))
    assert evs[0]["file_version"] == "brain.Event:2"
    assert evs[2]["step"] == 2 and evs[2]["session_log"] == {1: [1]}  # SessionLog.START
    (value,) = evs[3]["values"]
    assert (evs[3]["step"], evs[3]["wall_time"], value[1][0]) == (3, 9.0, b"loss")
    assert struct.unpack("<f", value[2][0])[0] == 0.5


class Halves(nn.Module):
    def forward(self, x):
        left, right = x.split(1, dim=1)
        return left * right


def test_add_graph_names_the_outputs_of_a_multi_output_node(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_graph(Halves(), torch.randn(3, 2))
    assert graph_of(tmp_path) == {
        "input/input.0": ("IO Node", [], [[3, 2]]),
        "Halves/SplitBackward0": ("SplitBackward0", ["input/input.0"], [[3, 1], [3, 1]]),
        "Halves/MulBackward0": ("MulBackward0", ["Halves/SplitBackward0", "Halves/SplitBackward0:1"], [[3, 1]]),
        "output/output.0": ("IO Node", ["Halves/MulBackward0"], [[3, 1]]),
    }


class Tagger(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(10, 3)
        self.rnn = nn.LSTM(3, 4, batch_first=True)

    def forward(self, ids):
        return self.rnn(self.emb(ids))  # (output, (h, c))


def test_add_graph_with_integer_inputs_frozen_parameters_and_nested_outputs(tmp_path):
    model = Tagger()
    model.emb.weight.requires_grad_(False)
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_graph(model, torch.tensor([[1, 2, 3]]))
    assert not model.emb.weight.requires_grad  # frozen again after drawing
    nodes = graph_of(tmp_path)
    # integer ids carry no gradient: their IO node has no edge; the frozen table is connected
    assert nodes["input/input.0"] == ("IO Node", [], [[1, 3]])
    assert not any("input/input.0" in inputs for _, inputs, _ in nodes.values())
    assert nodes["Tagger/Embedding[emb]/EmbeddingBackward0"][1] == ["Tagger/Embedding[emb]/weight"]
    outputs = {name: shapes for name, (op, _, shapes) in nodes.items() if name.startswith("output/")}
    assert outputs == {"output/output.0": [[1, 3, 4]], "output/output.1": [[1, 1, 4]], "output/output.2": [[1, 1, 4]]}
    assert all(nodes[name][1] for name in outputs)
    assert all(i.split(":")[0] in nodes for _, inputs, _ in nodes.values() for i in inputs)
    lstm_nodes = [name for name in nodes if name.startswith("Tagger/LSTM[rnn]/") and nodes[name][0] != "Parameter"]
    assert lstm_nodes
    with pytest.raises(TypeError, match="add_graph draws an nn.Module, but got function"):
        SummaryWriter(str(tmp_path)).add_graph(lambda x: x, torch.ones(1))


# ---- TensorBoard itself serves the log ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tensorboard_serves_every_tab_of_our_log(tmp_path):
    """TensorBoard's own server on 127.0.0.1, asked what its tabs would show for our log."""
    import json
    import urllib.request

    torch.manual_seed(0)
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalar("loss", 0.5, 1)
        writer.add_histogram("weights", np.arange(10.0), 1)
        writer.add_image("picture", np.zeros((3, 2, 2)), 1)
        writer.add_text("notes", "hello", 1)
        writer.add_graph(nn.Sequential(nn.Linear(3, 2), nn.ReLU()), torch.randn(1, 3))
        writer.add_embedding(np.zeros((2, 2)), metadata=["a", "b"])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path), "--host", "127.0.0.1"]
        + ["--port", str(port), "--load_fast=false", "--reload_interval=1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def get(path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.read()

    try:
        deadline = time.time() + 90
        while True:
            try:
                if json.loads(get("/data/plugin/graphs/info")).get(".", {}).get("run_graph"):
                    break
            except OSError:
                pass
            assert time.time() < deadline and server.poll() is None, "TensorBoard did not serve the log"
            time.sleep(0.5)
        assert list(json.loads(get("/data/plugin/scalars/tags"))["."]) == ["loss"]
        assert list(json.loads(get("/data/plugin/histograms/tags"))["."]) == ["weights"]
        assert list(json.loads(get("/data/plugin/images/tags"))["."]) == ["picture"]
        assert list(json.loads(get("/data/plugin/text/tags"))["."]) == ["notes/text_summary"]
        graph = get("/data/plugin/graphs/graph?run=.&conceptual=false").decode()
        assert 'name: "Sequential/Linear[0]/AddmmBackward0"' in graph and 'op: "ReluBackward0"' in graph
        assert json.loads(get("/data/plugin/projector/runs")) == ["."]
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---- the other kinds of torch's writer -------------------------------------------------------------


def test_raw_histograms_tensors_pr_curves_custom_scalars_and_audio_match_torch(tmp_path, capsys):
    rng = np.random.RandomState(0)
    labels = rng.randint(0, 2, size=50)
    predictions = rng.rand(50)
    weights = rng.rand(50)
    counts = [rng.randint(0, 9, size=5).astype(np.float64) for _ in range(6)]
    clip = np.sin(np.linspace(0, 20, 300)) * 1.2  # clipped with a warning

    def calls(writer, lib):
        writer.add_histogram_raw("raw", -1.0, 3.0, 6, 4.5, 11.25, [0.0, 1.0, 3.0], [2, 3, 1], 1, walltime=1.0)
        for k, dtype in enumerate(("float32", "float64", "int64", "int32", "int8", "bool")):
            values = lib.tensor([[1, 0, 2], [3, 1, 0]]).to(getattr(lib, dtype))
            writer.add_tensor(f"tensor/{dtype}", values, k, walltime=2.0)
        writer.add_pr_curve("pr", lib.tensor(labels), lib.tensor(predictions), 3, walltime=3.0)
        writer.add_pr_curve("pr/weighted", labels, predictions, 4, num_thresholds=200, weights=weights, walltime=4.0)
        writer.add_pr_curve_raw("pr/raw", *counts, 5, num_thresholds=5, walltime=5.0)
        writer.add_custom_scalars(
            {"losses": {"both": ["Multiline", ["a", "b"]], "band": ["Margin", ["m", "lo", "hi"]]}}
        )
        writer.add_custom_scalars_multilinechart(["a", "b"], category="c", title="t")
        writer.add_custom_scalars_marginchart(["m", "lo", "hi"])
        writer.add_audio("sound", lib.tensor(clip).unsqueeze(0), 6, sample_rate=8000, walltime=6.0)

    ours, theirs = both(tmp_path, calls)
    assert_same_events(ours, theirs, same_wall_times=False)
    out = capsys.readouterr().out
    assert out.count("warning: audio amplitude out of range, auto clipped.") == 2
    read = accumulate(ours)
    (raw,) = read.Histograms("raw")
    assert list(raw.histogram_value.bucket_limit) == [0.0, 1.0, 3.0] and raw.histogram_value.sum_squares == 11.25
    assert read.Tensors("tensor/int64")[0].tensor_proto.int64_val == [1, 0, 2, 3, 1, 0]
    assert [d.size for d in read.Tensors("tensor/int8")[0].tensor_proto.tensor_shape.dim] == [2, 3]
    (curve,) = read.Tensors("pr")
    data = np.array(curve.tensor_proto.float_val).reshape(6, 127)
    assert data[0, 0] == labels.sum() and data[1, 0] == len(labels) - labels.sum()  # TP, FP at threshold 0
    (sound,) = read.Audio("sound")
    assert (sound.sample_rate, sound.length_frames, sound.content_type) == (8000, 300, "audio/wav")
    assert list(read.PluginTagToContent("custom_scalars")) == ["custom_scalars__config__"]


def test_tensors_of_every_dtype_decode_in_tensorboard(tmp_path):
    values = np.array([0.5, -2.0, 65504.0], dtype=np.float16)
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_tensor("half", torch.tensor(values.astype(np.float32)).to(torch.float16))
    (event,) = accumulate(tmp_path).Tensors("half")
    assert event.tensor_proto.dtype == 19  # DT_HALF
    # TensorBoard's own decoding; torch's writer stores float16 as float32 bit patterns and uint8 in
    # uint32_val, which it cannot decode, so these two are not compared with torch's files
    np.testing.assert_array_equal(tensor_util.make_ndarray(event.tensor_proto), values)
    for dtype in (np.float32, np.float64, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_):
        with SummaryWriter(str(tmp_path / "all")) as writer:
            writer.add_tensor(f"t{dtype.__name__}", torch.tensor(np.array([[1, 0, 3]], dtype=dtype)))
        (event,) = accumulate(tmp_path / "all").Tensors(f"t{dtype.__name__}")
        decoded_values = tensor_util.make_ndarray(event.tensor_proto)
        assert decoded_values.dtype == dtype and decoded_values.tolist() == np.array([[1, 0, 3]], dtype=dtype).tolist()


def test_the_other_kinds_bad_input_is_torchs_error(tmp_path):
    ours_writer, torch_writer = SummaryWriter(str(tmp_path / "o")), TorchWriter(str(tmp_path / "t"))
    for name, args in [
        ("add_histogram_raw", ("h", 0, 1, 2, 1, 1, [1.0, 2.0], [1])),
        ("add_custom_scalars_marginchart", (["a", "b"],)),
        ("add_audio", ("a", np.zeros((2, 3)))),
    ]:
        ours = torch_error(lambda n=name, a=args: getattr(ours_writer, n)(*a))
        theirs = torch_error(lambda n=name, a=args: getattr(torch_writer, n)(*a))
        assert ours == theirs
    with pytest.raises(AssertionError, match="len\\(tags\\) != 3"):
        ours_writer.add_custom_scalars({"c": {"m": ["Margin", ["a"]]}})


def test_image_with_boxes_and_mesh_match_torch(tmp_path):
    rng = np.random.RandomState(0)
    picture = rng.rand(3, 40, 50).astype(np.float32)
    boxes = np.array([[2, 3, 20, 30], [10, 5, 45, 35]], dtype=np.float32)
    vertices = rng.randn(1, 4, 3).astype(np.float32)
    colors = rng.randint(0, 256, size=(1, 4, 3))
    faces = np.array([[[0, 1, 2], [0, 2, 3]]])

    def calls(writer, lib):
        writer.add_image_with_boxes("boxes", lib.tensor(picture), lib.tensor(boxes), 1, walltime=1.0)
        writer.add_image_with_boxes("labelled", picture, lib.tensor(boxes), 2, walltime=2.0, labels=["cat", "dog"])
        writer.add_image_with_boxes("one label", picture, boxes[:1], 3, walltime=3.0, labels="cat", rescale=2)
        writer.add_image_with_boxes("wrong count", picture, boxes, 4, walltime=4.0, labels=["cat"])
        writer.add_mesh("mesh", lib.tensor(vertices), lib.tensor(colors), lib.tensor(faces), {"camera": {"fov": 75}}, 5)
        writer.add_mesh("cloud", lib.tensor(vertices), global_step=6, walltime=6.0)

    ours, theirs = both(tmp_path, calls)
    assert_same_events(ours, theirs, same_wall_times=False)
    for tag in ("boxes", "labelled", "one label", "wrong count"):
        np.testing.assert_array_equal(decoded(ours, tag)[0], decoded(theirs, tag)[0])
    boxed = decoded(ours, "boxes")[0]
    assert (boxed[3, 2:21] == [255, 0, 0]).all()  # the top edge of the first box is red
    assert decoded(ours, "one label")[0].shape == (80, 100, 3)  # rescale=2
    np.testing.assert_array_equal(decoded(ours, "wrong count")[0], boxed)  # labels not one per box: none drawn
    assert sorted(accumulate(ours).PluginTagToContent("mesh")) == [
        "cloud_VERTEX",
        "mesh_COLOR",
        "mesh_FACE",
        "mesh_VERTEX",
    ]


def test_an_old_tensorboard_is_a_clear_import_error():
    code = (
        "import tensorboard, tensorboard.version; tensorboard.__version__ = '2.9.1'\n"
        "import minitorch_nn.utils.tensorboard"
    )
    result = run_python(code)
    assert "ImportError: minitorch_nn.utils.tensorboard needs tensorboard 2.14 or later, found 2.9.1" in result.stderr
    assert "pip install -U tensorboard" in result.stderr


def test_add_graph_of_a_model_that_overwrites_its_input_and_of_an_identity(tmp_path):
    x = torch.randn(2, 2)
    before = x.clone()
    with SummaryWriter(str(tmp_path / "inplace")) as writer:
        writer.add_graph(nn.Sequential(nn.ReLU(inplace=True), nn.Linear(2, 1)), x)
    # the model ran on a copy: drawing leaves the caller's tensor as it was (torch's trace overwrites it)
    assert torch.equal(x, before)
    nodes = graph_of(tmp_path / "inplace")
    assert nodes["Sequential/ReLU[0]/ReluBackward0"] == ("ReluBackward0", ["input/input.0"], [[2, 2]])
    assert not any("Clone" in name for name in nodes)
    with SummaryWriter(str(tmp_path / "identity")) as writer:
        writer.add_graph(nn.Identity(), torch.randn(3))
    assert graph_of(tmp_path / "identity") == {
        "input/input.0": ("IO Node", [], [[3]]),
        "output/output.0": ("IO Node", ["input/input.0"], [[3]]),
    }


def test_add_graph_of_resnet18_wires_the_residual_and_the_reused_relu(tmp_path):
    import minitorch_nn.vision as torchvision

    model = torchvision.models.resnet18(num_classes=10)
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_graph(model, torch.randn(1, 3, 32, 32))
    nodes = graph_of(tmp_path)
    assert sum(op == "Parameter" for op, _, _ in nodes.values()) == len(list(model.parameters()))
    block = "ResNet/Sequential[layer1]/BasicBlock[1]"
    previous = "ResNet/Sequential[layer1]/BasicBlock[0]/ReLU[relu]/ReluBackward0.1"  # relu's second call
    # out = relu(bn2(conv2(relu(bn1(conv1(x))))) + x): the add takes bn2's output and the block's input
    assert nodes[f"{block}/Conv2d[conv1]/ConvolutionBackward0"][1][0] == previous
    assert nodes[f"{block}/AddBackward0"][1] == [f"{block}/BatchNorm2d[bn2]/NativeBatchNormBackward0", previous]
    assert nodes[f"{block}/ReLU[relu]/ReluBackward0.1"] == ("ReluBackward0", [f"{block}/AddBackward0"], [[1, 64, 8, 8]])
    assert nodes["output/output.0"] == ("IO Node", ["ResNet/Linear[fc]/AddmmBackward0"], [[1, 10]])
