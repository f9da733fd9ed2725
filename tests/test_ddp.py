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
from PIL import Image

import minitorch_nn as mt
from minitorch_nn.cli import _checkpoint, _vision, main, train_distributed
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
    theirs = _checkpoint.load(str(runs["single"] / "checkpoint.pth"), torch)  # the same format, read into torch
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
    state = _checkpoint.load(str(runs["ddp"] / "checkpoint.pth"), torch)
    single = _checkpoint.load(str(runs["single"] / "checkpoint.pth"), torch)
    model = build("lenet", torch)
    model.load_state_dict(state["model"])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    optimizer.load_state_dict(state["optimizer"])
    buffers = [optimizer.state[p]["momentum_buffer"] for p in model.parameters()]
    for ours, theirs in zip(buffers, single["optimizer"]["state"].values()):
        torch.testing.assert_close(ours, theirs["momentum_buffer"], rtol=1e-5, atol=1e-6)
    assert state["scheduler"] == single["scheduler"] and state["epoch"] == 2
    # a torch.save'd checkpoint (what runs without --nproc wrote before) is read as well
    old = tmp_path / "old.pth"
    torch.save(single, old)
    assert _checkpoint.load(str(old), torch)["epoch"] == 2 and _checkpoint.load(str(old), mt)["epoch"] == 2
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
    theirs = mt.load(tmp_path / "single" / "checkpoint.pth")  # a plain torch run writes minitorch_nn's file too
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


def test_a_vision_model_on_two_processes_is_the_per_share_batchnorm_run(tmp_path):
    """resnet18 (built by minitorch_nn, converted by reference.bridge) on 2 gloo processes, one step of batch 4.

    On the CPU each process's BatchNorm normalizes by its own 2 samples (torch's SyncBatchNorm runs on GPUs
    only), so the run is not the 1-process run: it is one process that feeds each share separately, sums
    the shares' losses over the global batch, and keeps rank 0's running statistics (DDP broadcasts rank
    0's buffers before every forward). That run, replayed here on torch with the CLI's augmented batches,
    is what the 2 processes' checkpoint must hold. BatchNorm over 2 samples makes the gradients large
    and ill-conditioned (float32 gives the update to about 1e-4 of its size), so the weights are compared
    relative to the step taken.
    """
    from test_vision_cli import write_tiny_cifar10

    write_tiny_cifar10(str(tmp_path / "cifar-10-batches-py"))
    args = ["train", "--engine", "torch", "--model", "resnet18", "--dataset", "cifar10", "--data-dir", str(tmp_path)]
    args += ["--epochs", "1", "--limit", "4", "--batch-size", "4"]
    out = cli(*args, "--nproc", "2", "--out", str(tmp_path / "ddp"))
    assert "BatchNorm: each process normalizes by its own share" in out
    assert "back in minitorch_nn: ResNet with the weights of epoch 1" in out
    ddp = mt.load(tmp_path / "ddp" / "checkpoint.pth")
    picture = tmp_path / "picture.png"
    Image.fromarray(np.random.RandomState(0).randint(0, 256, (32, 32, 3)).astype(np.uint8)).save(picture)
    assert main(["predict", "--checkpoint", str(tmp_path / "ddp" / "checkpoint.pth"), str(picture)]) == 0

    torch.manual_seed(0)
    model = _vision.build_for("resnet18", 10, 0, torch)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    train_set = datasets.cifar10(str(tmp_path), train=True)
    train_set = mt.utils.data.TensorDataset(*(t[:4] for t in train_set.tensors))
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    loader = mt.utils.data.DataLoader(train_set, batch_size=4, shuffle=True, generator=mt.Generator().manual_seed(1))
    _vision.seed_epoch(0, 1, torch)
    criterion = torch.nn.CrossEntropyLoss(reduction="sum")
    model.train()
    losses = []
    for x, y in loader:
        x = torch.from_numpy(_vision.augment_batch(x, _vision.train_transform()).numpy())
        y = torch.from_numpy(y.numpy())
        before = {k: v.clone() for k, v in model.named_buffers()}
        rank1 = criterion(model(x[2:]), y[2:])  # its running statistics are overwritten by rank 0's
        for name, module in model.named_modules():  # new tensors: rank 1's forward saved the old ones
            for key in module._buffers:
                module._buffers[key] = before[f"{name}.{key}" if name else key]
        rank0 = criterion(model(x[:2]), y[:2])
        loss = (rank0 + rank1) / 4
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    np.testing.assert_allclose(ddp["history"]["loss"], [np.mean(losses)], rtol=1e-5)
    for key, value in model.state_dict().items():
        step = (value - initial[key]).abs().max().item()
        error = np.abs(ddp["model"][key].numpy() - value.numpy()).max()
        assert error <= 1e-3 * step + 1e-5, (key, error, step)  # running statistics included: rank 0's
    # the per-share statistics are not the global batch's: the 1-process run's first BatchNorm differs
    whole = _vision.build_for("resnet18", 10, 0, torch).train()
    whole(torch.from_numpy(_vision.augment_batch(train_set.tensors[0][:4], _vision.train_transform()).numpy()))
    assert not torch.allclose(whole.bn1.running_mean, model.bn1.running_mean)


def test_batchnorm_needs_two_samples_per_process(tmp_path):
    from test_vision_cli import write_tiny_cifar10

    write_tiny_cifar10(str(tmp_path / "cifar-10-batches-py"))
    args = ["train", "--engine", "torch", "--model", "resnet18", "--dataset", "cifar10", "--data-dir", str(tmp_path)]
    with pytest.raises(SystemExit, match=r"BatchNorm needs at least 2 samples per process, and each batch gives"):
        main([*args, "--nproc", "2", "--batch-size", "2", "--limit", "8"])
    with pytest.raises(SystemExit, match=r"and the last batch of 2 gives a process 1"):
        main([*args, "--nproc", "2", "--batch-size", "4", "--limit", "6"])
