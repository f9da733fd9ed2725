"""`minitorch-nn train --engine torch --nproc N`: torch.distributed on 127.0.0.1 (gloo), against one process.

One 2-process run (the console entry point, in a subprocess) and one plain single-process ``--engine
torch`` run (in this process) on the same seed, global batch and ``--limit`` slice are shared by the
tests (module fixture): DDP startup costs seconds per process. The slice leaves a last batch of one sample,
so one worker has none in it (the weight-0 sample path) and the split is exercised where it is uneven.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time

import ddp_workers
import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.cli import main, train_distributed
from minitorch_nn.models import build
from minitorch_nn.utils.data import datasets
from reference.bridge import state_dict_to_torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ["train", "--engine", "torch", "--epochs", "2", "--limit", "193", "--batch-size", "16"]  # 12 x 16 + 1


def cli(*args: str, expect: int = 0) -> str:
    command = [sys.executable, "-m", "minitorch_nn", *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == expect, (result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout.replace("\r", "\n") + result.stderr


def inline(*args: str) -> str:
    """The plain single-process run, in this process (torch is imported here already)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(list(args)) == 0
    return buffer.getvalue().replace("\r", "\n")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ddp")
    ddp, single = folder / "ddp", folder / "single"
    return {
        "ddp": ddp,
        "single": single,
        "ddp_out": cli(*TINY, "--nproc", "2", "--tensorboard", "--out", str(ddp)),
        "single_out": inline(*TINY, "--out", str(single)),
    }


def test_two_processes_train_as_one_on_the_same_global_batch(runs):
    ours = mt.load(runs["ddp"] / "checkpoint.pth")  # minitorch_nn's own file format
    theirs = torch.load(runs["single"] / "checkpoint.pth", weights_only=False)
    assert ours["epoch"] == theirs["epoch"] == 2 and list(ours["model"]) == list(theirs["model"])
    for key, value in theirs["model"].items():
        # float32: the two runs differ only in the order of the all-reduce's sums
        np.testing.assert_allclose(ours["model"][key].numpy(), value.numpy(), rtol=1e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours["history"]["loss"], theirs["history"]["loss"], rtol=1e-6)
    assert ours["history"]["accuracy"] == theirs["history"]["accuracy"]
    momentum = ours["optimizer"]["state"][0]["momentum_buffer"]  # the optimizer state came back too
    np.testing.assert_allclose(momentum.numpy(), theirs["optimizer"]["state"][0]["momentum_buffer"].numpy(), atol=1e-6)
    assert ours["arch"] == "lenet" and ours["classes"] == [str(d) for d in range(10)]


def test_the_printed_run_is_the_single_process_run(runs):
    out = runs["ddp_out"]
    assert "batch 16 = 2 processes x 8 (torch.distributed, gloo)" in out
    assert "[##############################] 13/13" in out  # rank 0's progress, all 13 batches
    ddp = [line.split(", ")[:2] for line in out.splitlines() if line.startswith("epoch ") and ": train loss" in line]
    single = [line.split(", ")[:2] for line in runs["single_out"].splitlines() if ": train loss" in line]
    assert ddp == single and len(ddp) == 2  # the all-reduced losses and accuracies, as printed, once each
    assert "back in minitorch_nn: Net with the weights of epoch 2, test accuracy" in out
    assert len(list((runs["ddp"] / "tensorboard").glob("events.out.tfevents.*"))) == 1  # rank 0's log only


def test_the_checkpoint_loads_into_a_minitorch_model_with_the_torch_logits(runs):
    state = mt.load(runs["ddp"] / "checkpoint.pth")
    ours = build("lenet", mt)
    ours.load_state_dict(state["model"])
    twin = build("lenet", torch)
    twin.load_state_dict(state_dict_to_torch(state["model"]))
    x = datasets.digits(train=False).tensors[0][:32]
    with mt.no_grad(), torch.no_grad():
        np.testing.assert_allclose(ours(x).numpy(), twin(torch.from_numpy(x.numpy())).numpy(), rtol=1e-5, atol=1e-5)


def test_a_ddp_checkpoint_resumes_on_either_engine(runs, tmp_path, capsys):
    """The 2 processes' file holds minitorch_nn tensors; the workers' --resume reads it back into torch."""
    state = train_distributed.load_checkpoint(str(runs["ddp"] / "checkpoint.pth"), torch)
    single = torch.load(runs["single"] / "checkpoint.pth", weights_only=False)
    model = build("lenet", torch)
    model.load_state_dict(state["model"])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    optimizer.load_state_dict(state["optimizer"])
    buffers = [optimizer.state[p]["momentum_buffer"] for p in model.parameters()]
    for ours, theirs in zip(buffers, single["optimizer"]["state"].values()):
        torch.testing.assert_close(ours, theirs["momentum_buffer"], rtol=1e-5, atol=1e-6)
    assert state["scheduler"] == single["scheduler"] and state["epoch"] == 2
    # a torch.save'd checkpoint of a run without --nproc is read as well
    assert train_distributed.load_checkpoint(str(runs["single"] / "checkpoint.pth"), torch)["epoch"] == 2
    # minitorch_nn continues the same file for a third epoch
    shutil.copy(runs["ddp"] / "checkpoint.pth", tmp_path / "checkpoint.pth")
    assert main(["train", *TINY[3:], "--epochs", "3", "--resume", "--out", str(tmp_path)]) == 0
    assert "after epoch 2" in capsys.readouterr().out
    history = mt.load(tmp_path / "checkpoint.pth")["history"]["loss"]
    assert len(history) == 3 and history[:2] == mt.load(runs["ddp"] / "checkpoint.pth")["history"]["loss"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--nproc", "2"], "--nproc 2 trains with torch.distributed: add --engine torch"),
        (["--engine", "torch", "--nproc", "0"], "--nproc 0: the number of processes must be at least 1"),
        (["--engine", "torch", "--nproc", "3"], "--batch-size 16 does not split evenly over --nproc 3"),
        (["--engine", "torch", "--nproc", "2", "--batch-size", "9"], "--batch-size 9 does not split evenly"),
        (
            ["--engine", "torch", "--nproc", "2", "--model", "resnet18", "--dataset", "cifar10"],
            "--model resnet18 trains with --engine minitorch only",
        ),
        (["--engine", "torch", "--nproc", "2", "--resume", "--out", "no/such/run"], "--resume: no checkpoint at"),
    ],
)
def test_requests_it_cannot_honour_are_clear_errors(args, message):
    with pytest.raises(SystemExit) as error:
        main(["train", *args])
    assert message in str(error.value)


def test_a_checkpoint_the_workers_cannot_continue_is_one_clear_error(runs, tmp_path):
    (tmp_path / "checkpoint.pth").write_text("not a checkpoint")
    with pytest.raises(SystemExit, match="is neither minitorch_nn's nor torch.save's file"):
        main(["train", "--engine", "torch", "--nproc", "2", "--limit", "50", "--resume", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match=r"holds the weights of another model: 4 missing key\(s\) \(layers.1.bias"):
        main(["train", "--engine", "torch", "--nproc", "2", "--model", "mlp", "--resume", "--out", str(runs["ddp"])])


def test_nccl_needs_gpus():
    with pytest.raises(SystemExit) as error:
        main(["train", "--engine", "torch", "--nproc", "2", "--device", "cuda"])
    if torch.cuda.is_available():
        assert torch.cuda.device_count() >= 2 or "NCCL runs one process per GPU" in str(error.value)
    else:
        assert "torch sees no CUDA device on this machine (NCCL needs GPUs)" in str(error.value)


def test_a_failing_worker_ends_the_run_with_its_traceback(monkeypatch):
    monkeypatch.setattr(train_distributed, "GRACE_S", 1)
    started = time.monotonic()
    with pytest.raises(SystemExit) as error:
        train_distributed.launch(ddp_workers.broken, 2)
    message = str(error.value)
    assert "train --nproc 2: worker 1 failed" in message
    assert "Traceback (most recent call last)" in message and "RuntimeError: worker one broke" in message
    assert time.monotonic() - started < 60  # rank 0 was stopped, not waited for


def test_a_peer_that_never_arrives_times_out():
    with pytest.raises(SystemExit) as error:
        train_distributed.launch(ddp_workers.lonely, 1)
    assert "train --nproc 1: worker 0 failed" in str(error.value) and "Traceback" in str(error.value)


def session_processes(session: int) -> list[str]:
    """The command lines of the live processes in session ``session`` (Linux's /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/cmdline") as f:
                    cmdline = f.read().replace("\0", " ")
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":  # the session id; zombies are gone already
                found.append(cmdline)
    return found


def test_ctrl_c_stops_every_worker(tmp_path):
    log = tmp_path / "out.txt"
    command = [sys.executable, "-m", "minitorch_nn", *TINY, "--epochs", "50", "--nproc", "2", "--out", str(tmp_path)]
    with open(log, "w") as f:
        process = subprocess.Popen(command, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        workers = 0
        while workers < 2 and time.monotonic() < deadline:
            workers = sum("spawn_main" in cmdline for cmdline in session_processes(process.pid))
            time.sleep(0.1)
        assert workers == 2, log.read_text()
        process.send_signal(signal.SIGINT)  # to the launcher only, as a Ctrl-C it alone caught
        assert process.wait(timeout=60) == 130
        assert "interrupted: stopped the 2 worker processes" in log.read_text()
        for _ in range(100):  # the workers went with it: nothing is left in the session it started
            if not session_processes(process.pid):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"processes {session_processes(process.pid)} outlived the interrupted launcher")
    finally:
        if process.poll() is None:
            process.kill()


def test_a_text_model_trains_as_one_too(tmp_path):
    """The GPT (its head tied to the token embedding) on 2 processes: the single process's weights and sample."""
    tiny = ["train", "--engine", "torch", "--model", "gpt", "--dataset", "text", "--epochs", "1", "--limit", "200"]
    tiny += ["--batch-size", "4"]  # 6 windows of 32 characters: batches of 4 and 2, each split in two
    ddp = cli(*tiny, "--nproc", "2", "--out", str(tmp_path / "ddp"))
    single = inline(*tiny, "--out", str(tmp_path / "single"))
    ours = mt.load(tmp_path / "ddp" / "checkpoint.pth")
    theirs = torch.load(tmp_path / "single" / "checkpoint.pth", weights_only=False)
    for key, value in theirs["model"].items():
        np.testing.assert_allclose(ours["model"][key].numpy(), value.numpy(), rtol=1e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(ours["history"]["loss"], theirs["history"]["loss"], rtol=1e-6)
    assert ours["vocab"] == theirs["vocab"]
    assert (
        ddp.split("sample:")[1].split("back in minitorch_nn")[0] == single.split("sample:")[1].split("checkpoint:")[0]
    )
    assert "back in minitorch_nn: GPT with the weights of epoch 1" in ddp


def test_without_torch_it_says_how_to_install_it():
    code = "import sys; sys.modules['torch'] = None; from minitorch_nn.cli import main; raise SystemExit(main())"
    command = [sys.executable, "-c", code, "train", "--engine", "torch", "--nproc", "2"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1 and "pip install -e '.[test]'" in result.stderr, result.stderr[-2000:]
