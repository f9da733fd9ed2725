"""The command-line tool end to end, through its real entry points.

Each test runs the installed ``minitorch-nn`` console script when it sits
beside this Python (as after ``pip install -e .``), else ``python -m
minitorch_nn``, in a subprocess, on tiny settings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import xml.dom.minidom

import pytest

SCRIPT = os.path.join(os.path.dirname(sys.executable), "minitorch-nn")
ENTRY = [SCRIPT] if os.path.exists(SCRIPT) else [sys.executable, "-m", "minitorch_nn"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args, expect=0):
    result = subprocess.run([*ENTRY, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == expect, (result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout.replace("\r", "\n") + result.stderr


def accuracies(out):
    return [float(v) for v in re.findall(r"test accuracy ([0-9.]+)%", out)]


def losses(out):
    return [float(v) for v in re.findall(r"train loss ([0-9.]+)", out)]


def test_short_train_beats_chance_and_resumes_exactly(tmp_path):
    tiny = ["train", "--epochs", "3", "--limit", "600"]
    straight = cli(*tiny, "--out", str(tmp_path / "a"))
    assert accuracies(straight)[-1] > 60.0, straight  # chance is 10%
    assert (tmp_path / "a" / "checkpoint.pth").exists() and (tmp_path / "a" / "curves.png").exists()
    assert "[##############################] 38/38" in straight  # the progress bar reached the end
    assert re.search(r"^epoch 3: train loss [0-9.]+, test accuracy [0-9.]+%, [0-9.]+ s elapsed$", straight, re.M)
    # stop after 2 of 3 epochs (the cosine schedule still spans 3), then resume the third from the checkpoint:
    # weights, momentum buffers and the per-epoch shuffling all continue as if never stopped
    stopped = cli(*tiny, "--out", str(tmp_path / "b"), "--stop-after", "2")
    assert losses(stopped) == losses(straight)[:2]  # same seed, same run
    resumed = cli(*tiny, "--out", str(tmp_path / "b"), "--resume")
    assert "resumed from" in resumed and "after epoch 2" in resumed
    assert losses(resumed) == losses(straight)[2:] and accuracies(resumed) == accuracies(straight)[2:]


def test_train_on_torch_and_adam(tmp_path):
    tiny = [
        "train",
        "--engine",
        "torch",
        "--optimizer",
        "adam",
        "--epochs",
        "2",
        "--limit",
        "400",
        "--out",
        str(tmp_path),
    ]
    out = cli(*tiny, "--stop-after", "1")
    assert "with torch on cpu, adam" in out and "epoch 2:" not in out
    resumed = cli(*tiny, "--resume")  # torch.save'd checkpoint: model, Adam state, history
    assert "after epoch 1" in resumed and "epoch 2:" in resumed and accuracies(resumed)[-1] > 40.0


def test_train_errors_are_clear():
    out = cli("train", "--device", "cuda", expect=1)
    assert "--engine torch --device cuda" in out
    out = cli("train", "--dataset", "mnist", expect=1)
    assert "--dataset mnist needs --data-dir" in out
    out = cli("train", "--dataset", "cifar10", "--data-dir", "no/such/folder", expect=1)
    assert "no/such/folder: no such folder" in out


def test_train_on_mnist_and_cifar_files(tmp_path):
    """The real file formats end to end: tiny MNIST IDX files and CIFAR-10 pickles written here."""
    import gzip
    import pickle
    import struct

    import numpy as np

    rng = np.random.default_rng(0)
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    for prefix, n in (("train", 48), ("t10k", 16)):
        for kind, array in (
            ("images-idx3", rng.integers(0, 256, (n, 28, 28))),
            ("labels-idx1", rng.integers(0, 10, n)),
        ):
            header = bytes([0, 0, 8, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
            with gzip.open(mnist / f"{prefix}-{kind}-ubyte.gz", "wb") as f:
                f.write(header + array.astype(np.uint8).tobytes())
    out = cli("train", "--dataset", "mnist", "--data-dir", str(mnist), "--epochs", "1", "--out", str(tmp_path / "m"))
    assert "training lenet on mnist (48 train / 16 test)" in out and len(accuracies(out)) == 1
    cifar = tmp_path / "cifar"
    cifar.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": rng.integers(0, 256, (8, 3072)).astype(np.uint8), b"labels": rng.integers(0, 10, 8).tolist()}
        (cifar / name).write_bytes(pickle.dumps(batch))
    out = cli(
        "train",
        "--dataset",
        "cifar10",
        "--data-dir",
        str(cifar),
        "--model",
        "cifar",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "c"),
    )
    assert "training cifar on cifar10 (40 train / 8 test)" in out and len(accuracies(out)) == 1
    out = cli("train", "--dataset", "cifar10", "--data-dir", str(cifar), "--epochs", "1", expect=1)
    assert "use --model cifar or lenet-seq" in out


def test_check_on_a_subset_prints_every_gradient():
    out = cli("check", "--only", "add,mm,cross_entropy", "--samples", "2")
    assert "6 passed, 0 failed" in out
    row = next(line for line in out.splitlines() if line.startswith("mm ") and "float32" in line)
    assert "output[0]" in row and "grad[0]" in row and "grad[1]" in row and " ok " in row
    assert cli("check", "--only", "nonsense", expect=1).count("unknown op(s) nonsense") == 1


BROKEN = """
import sys
from minitorch_nn.ops import activation, matmul
from minitorch_nn.cli import main

def scaled(backward):
    return staticmethod(lambda ctx, grad: tuple(None if g is None else g * 1.01 for g in backward(ctx, grad)))

matmul.Mm.backward = scaled(matmul.Mm.backward)
activation.Relu.backward = scaled(activation.Relu.backward)
raise SystemExit(main(sys.argv[1:]))
"""


def test_check_fails_on_a_broken_backward():
    def broken(*args):
        cmd = [sys.executable, "-c", textwrap.dedent(BROKEN), *args]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)

    result = broken("check", "--only", "add,mm", "--samples", "2")
    assert result.returncode == 1 and "2 passed, 2 failed" in result.stdout
    assert re.search(r"^mm +float64 .* FAIL ", result.stdout, re.M)
    result = broken("check", "--model", "lenet")
    assert result.returncode == 1
    assert "first divergence at node 4 ReluBackward0: the gradients it receives agree" in result.stdout
    assert "the gradient it sends to node 5 AddmmBackward0 does not" in result.stdout


RAISING = """
import sys
from minitorch_nn.ops import matmul
from minitorch_nn.cli import main

def forward(ctx, *args, **kwargs):
    raise RuntimeError("mm kernel exploded")

matmul.Mm.forward = staticmethod(forward)
raise SystemExit(main(sys.argv[1:]))
"""


def test_check_reports_an_op_that_raises_as_a_failed_row():
    cmd = [sys.executable, "-c", RAISING, "check", "--only", "add,mm", "--samples", "2"]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 1 and "2 passed, 2 failed" in result.stdout, result.stderr[-2000:]
    assert re.search(r"^mm +float32 .* FAIL .*raised RuntimeError: mm kernel exploded$", result.stdout, re.M)


@pytest.mark.parametrize("model", ["lenet", "cifar", "lenet-seq", "char-lstm", "gpt"])
def test_check_model_walks_both_graphs(model):
    out = cli("check", "--model", model)
    assert "no gradient diverges beyond rtol" in out and "every parameter still agrees" in out
    assert "AccumulateGrad (" in out


def test_explain_names_the_nodes_and_draws_them(tmp_path):
    out = cli("explain", "--svg", str(tmp_path / "g.svg"))
    for name in (
        "NllLossBackward0",
        "LogSoftmaxBackward0",
        "AddmmBackward0",
        "ConvolutionBackward0",
        "MaxPool2DWithIndicesBackward0",
        "ViewBackward0",
        "torch::autograd::AccumulateGrad (conv1.weight)",
        "fills conv1.weight.grad",
    ):
        assert name in out
    graph = out.split("backward pass")[0]
    assert graph.count("ConvolutionBackward0") == 2 and graph.count("AccumulateGrad") == 10
    steps = re.findall(r"^\[(\d+)\] (\S+)", out, re.M)
    assert [int(i) for i, _ in steps] == list(range(27)) and steps[0][1] == "NllLossBackward0"
    svg = xml.dom.minidom.parse(str(tmp_path / "g.svg"))
    texts = [t.firstChild.data for t in svg.getElementsByTagName("text") if t.getAttribute("class") == "node"]
    assert len(texts) == 27 and "AccumulateGrad (fc3.bias)" in texts


def test_bench_smoke(tmp_path):
    out = cli("bench", "--only", "pooling", "--repeats", "1", "--out", str(tmp_path))
    assert "both engines on 2 threads" in out and "MaxPool2d" in out
    results = json.loads((tmp_path / "bench.json").read_text())
    assert results["machine"]["threads"] == 2 and results["rows"]
    for row in results["rows"]:
        assert row["suite"] == "pooling" and row["ratio"] == pytest.approx(row["torch_ms"] / row["ours_ms"])
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


NO_TORCH = """
import sys
sys.modules["torch"] = None  # as if torch were not installed: `import torch` raises ImportError
from minitorch_nn.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    "args", [["check", "--only", "add"], ["check", "--model", "lenet"], ["bench"], ["train", "--engine", "torch"]]
)
def test_without_torch_it_says_how_to_install_it(args):
    result = subprocess.run(
        [sys.executable, "-c", NO_TORCH, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 1 and "pip install -e '.[test]'" in result.stderr, result.stderr[-2000:]


def test_cuda_paths_run_on_a_gpu_and_refuse_clearly_without_one(tmp_path):
    import torch

    if not torch.cuda.is_available():
        for args in (["bench", "--device", "cuda"], ["train", "--engine", "torch", "--device", "cuda"]):
            assert "torch sees no CUDA device on this machine" in cli(*args, expect=1)
        return
    tiny = ["--optimizer", "adam", "--epochs", "2", "--limit", "400", "--out", str(tmp_path)]
    out = cli("train", "--engine", "torch", "--device", "cuda", *tiny)
    assert "with torch on cuda" in out and accuracies(out)[-1] > 40.0  # the CPU run of the same gives 79%
    out = cli("bench", "--device", "cuda", "--only", "cuda", "--repeats", "1", "--out", str(tmp_path))
    results = json.loads((tmp_path / "bench.json").read_text())
    assert results["machine"]["gpu"] and all(r["torch_cuda_ms"] > 0 for r in results["rows"])
    assert "torch cuda ms" in out


def test_the_gpt_makes_its_positions_on_the_input_device():
    """--engine torch --device cuda: the positions must be made where the ids are, not on the CPU.

    torch's meta device stands in for a GPU, and the torch the model is built with records where each
    ``arange`` is asked to put its tensor (an embedding lookup on meta accepts CPU indices, so the call
    itself is what is checked).
    """
    import torch

    from minitorch_nn.models import build_text

    devices = []

    class RecordingTorch:
        def __getattr__(self, name):
            return getattr(torch, name)

        def arange(self, *args, **kwargs):
            devices.append(kwargs.get("device"))
            return torch.arange(*args, **kwargs)

    model = build_text("gpt", RecordingTorch(), vocab_size=12, block_size=8).to("meta")
    logits = model(torch.zeros(2, 5, dtype=torch.int64, device="meta"))
    assert logits.device.type == "meta" and logits.shape == (2, 5, 12)
    assert devices == [torch.device("meta")]
