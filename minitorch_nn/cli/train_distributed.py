"""`minitorch-nn train --engine torch --nproc N`: the same training on N processes with torch.distributed.

This is the production path past one process: each worker builds the same
seeded model on torch, wraps it in ``DistributedDataParallel`` (gloo on the
CPU, NCCL with ``--device cuda``, one GPU per worker) and trains on its share
of every batch. This command starts its N processes on this machine; across
machines torch runs the same DistributedDataParallel program, started by its
own launcher (torchrun) with an address every machine reaches.

How a global batch is shared. Every worker draws the same shuffled order the
single-process run draws (one generator per epoch, seeded from the seed and the
epoch) and takes its contiguous slice of each global batch of ``--batch-size``
samples. Its loss is the *sum* of its samples' losses divided by the number of
samples in the whole batch, times N; DDP averages the N gradients, so the
averaged gradient is the gradient of the global batch's mean loss, the one a
single process computes, also for a last batch shorter than the others. The
printed losses are all-reduced, so they are the global batch's mean as well.

The torchvision models (``--model resnet18``, ...): every worker builds the
model with minitorch_nn under the seed and converts it with
``reference.bridge.to_torch``, then augments the whole global batch from the
epoch's seed (the same crops and flips the single-process run draws) and
keeps its slice. BatchNorm is where N processes can differ from one: with
``--device cuda`` the model's BatchNorm layers become ``SyncBatchNorm``
(``convert_sync_batchnorm``), whose statistics are the global batch's, so the
run is the single-process run. torch's SyncBatchNorm runs on GPUs only, so on
the CPU (gloo) each process normalizes by the statistics of its own share:
the gradients are still all-reduced and the processes keep equal weights, but
those weights are not the 1-process run's; DDP's ``broadcast_buffers`` copies
rank 0's running statistics to every process at each forward, so the
checkpoint holds rank 0's. Every process needs at least 2 samples of every
batch for BatchNorm's training statistics.

Rank 0 prints the progress, writes the checkpoint (atomically) and the
TensorBoard log. The checkpoint holds the weights and optimizer state brought
back into minitorch_nn tensors by ``reference.bridge`` (cli/_checkpoint.py):
it is the file every other engine path writes, so the parent loads the
weights into a minitorch_nn model, and ``--resume`` continues the run on
either engine.

The workers are spawned processes that meet at 127.0.0.1 on a free port found
at run time (``MASTER_ADDR``/``MASTER_PORT``/``RANK``/``WORLD_SIZE``). A worker
that raises ends the run with its traceback; the rest are stopped. Ctrl-C stops
them all. A worker that never arrives ends the rendezvous after ``TIMEOUT_S``.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import minitorch_nn

from ..models import build, build_text
from ..utils.data import DataLoader, TensorDataset
from . import INSTALL_TORCH, _checkpoint, _vision, train_text
from ._progress import print_progress

TIMEOUT_S = 300  # rendezvous and collectives: room for a slow peer's start, yet a lost peer ends the run
GRACE_S = 5  # after one worker fails, how long the others get to stop by themselves


@dataclass
class Job:
    """What every worker needs to run its share; pickled to the spawned processes.

    The arrays live in ``.npy`` files the parent wrote (read memory-mapped), so the data is read and
    checked once, and a CIFAR-sized set is not pickled once per worker.
    """

    kind: str  # "image" or "text"
    model: str
    data_dir: str  # holds x_train.npy, y_train.npy (and x_test.npy, y_test.npy for images)
    epochs: int
    last_epoch: int
    batch_size: int
    optimizer: str
    lr: float
    seed: int
    device: str
    checkpoint: str
    resume: bool
    extras: dict[str, Any]  # saved in the checkpoint as they are: arch and classes, or vocab
    in_channels: int = 1
    vocab_size: int = 0
    block_size: int = 0
    sample_start: str = ""
    tensorboard: bool = False
    vision: bool = False  # a torchvision model: built by minitorch_nn and converted, the batches augmented


# ---- checks and launch (the parent process) --------------------------------------------------------------
def check_request(args: argparse.Namespace) -> None:
    """Clear errors for a ``--nproc`` the run cannot honour, before any process starts."""
    if args.nproc < 1:
        raise SystemExit(f"--nproc {args.nproc}: the number of processes must be at least 1")
    if args.engine != "torch":
        raise SystemExit(
            f"--nproc {args.nproc} trains with torch.distributed: add --engine torch (minitorch_nn itself runs "
            "in one process)"
        )
    if args.batch_size % args.nproc:
        raise SystemExit(
            f"--batch-size {args.batch_size} does not split evenly over --nproc {args.nproc}: "
            f"each process takes batch-size / nproc samples of every batch; choose a multiple of {args.nproc}"
        )
    try:
        import torch
        import torch.distributed as dist
    except ImportError as error:
        raise SystemExit(f"--engine torch needs PyTorch, which is not installed: {INSTALL_TORCH}") from error
    if not dist.is_available():
        raise SystemExit("--nproc: this build of torch has no torch.distributed")
    if args.device == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: torch sees no CUDA device on this machine (NCCL needs GPUs)")
        if not dist.is_nccl_available():
            raise SystemExit("--device cuda --nproc: this build of torch has no NCCL backend")
        if args.nproc > torch.cuda.device_count():
            raise SystemExit(
                f"--nproc {args.nproc} with --device cuda: NCCL runs one process per GPU and torch sees "
                f"{torch.cuda.device_count()} GPU(s)"
            )
    elif not dist.is_gloo_available():
        raise SystemExit("--nproc on the CPU needs torch.distributed's gloo backend, which this build lacks")


def check_batchnorm_shares(args: argparse.Namespace, samples: int) -> None:
    """BatchNorm in training needs 2 samples or more per process in every batch, the last one included."""
    last = samples % args.batch_size
    share = min(args.batch_size, last or args.batch_size) // args.nproc
    if share < 2:
        batch = f"the last batch of {last}" if last and args.batch_size // args.nproc >= 2 else "each batch"
        raise SystemExit(
            f"--model {args.model} --nproc {args.nproc}: BatchNorm needs at least 2 samples per process, and "
            f"{batch} gives a process {share}: choose a larger --batch-size (or a --limit that leaves no such "
            "last batch)"
        )


def batchnorm_note(device: str) -> str:
    if device == "cuda":
        return "BatchNorm: SyncBatchNorm, the statistics of the global batch (as one process)"
    return (
        "BatchNorm: each process normalizes by its own share (torch's SyncBatchNorm runs on GPUs only), "
        "so the weights differ from a 1-process run's; the running statistics saved are rank 0's"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(target: Callable[..., None], nproc: int, *args: Any) -> None:
    """Run ``target(rank, nproc, port, *args)`` in ``nproc`` spawned processes and wait for them all.

    A worker that raises: the others are stopped and SystemExit(1) carries its traceback. Ctrl-C: every
    worker is stopped before SystemExit(130).
    """
    import torch.multiprocessing as mp

    port = free_port()
    context = mp.start_processes(target, args=(nproc, port, *args), nprocs=nproc, join=False, start_method="spawn")
    try:
        while not context.join(grace_period=GRACE_S):
            pass
    except mp.ProcessRaisedException as error:
        raise SystemExit(f"train --nproc {nproc}: worker {error.error_index} failed:{error}") from None
    except mp.ProcessExitedException as error:
        raise SystemExit(
            f"train --nproc {nproc}: worker {error.error_index} {str(error).removeprefix('process ')}"
        ) from None
    except KeyboardInterrupt:
        _stop(context.processes)
        print(f"\ninterrupted: stopped the {nproc} worker processes", file=sys.stderr)
        raise SystemExit(130) from None


def _stop(processes: list[Any]) -> None:
    for p in processes:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + GRACE_S
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


def _write_arrays(folder: str, **arrays: np.ndarray) -> None:
    for name, array in arrays.items():
        np.save(os.path.join(folder, f"{name}.npy"), np.ascontiguousarray(array))


def run_images(
    args: argparse.Namespace,
    arrays: dict[str, np.ndarray],
    classes: list[str],
    lr: float,
    checkpoint: str,
) -> None:
    """Train an image model (``build(args.model, torch)``) on ``arrays`` (x/y train/test) with N workers."""
    run_job(
        args,
        "image",
        arrays,
        lr,
        checkpoint,
        extras={"arch": args.model, "classes": classes},
        in_channels=int(arrays["x_train"].shape[1]),
        tensorboard=args.tensorboard,
        vision=args.model in _vision.VISION_MODELS,
    )


def run_job(
    args: argparse.Namespace,
    kind: str,
    arrays: dict[str, np.ndarray],
    lr: float,
    checkpoint: str,
    **fields: Any,
) -> None:
    """Write ``arrays`` where the workers read them, describe the run as a :class:`Job` (the fields every
    kind shares come from ``args``, the kind's own from ``fields``) and run it on ``args.nproc`` workers."""
    last = min(args.epochs, args.stop_after) if args.stop_after else args.epochs
    with tempfile.TemporaryDirectory(prefix="minitorch-ddp-") as folder:
        _write_arrays(folder, **arrays)
        job = Job(
            kind=kind,
            model=args.model,
            data_dir=folder,
            epochs=args.epochs,
            last_epoch=last,
            batch_size=args.batch_size,
            optimizer=args.optimizer,
            lr=lr,
            seed=args.seed,
            device=args.device,
            checkpoint=checkpoint,
            resume=args.resume,
            **fields,
        )
        launch(worker, args.nproc, job)


def run_text(args: argparse.Namespace) -> int:
    """``train --model char-lstm|gpt --dataset text --engine torch --nproc N``: train_text's run, on N workers."""
    if args.model not in train_text.TEXT_MODELS or args.dataset != "text":
        return train_text.run(args)  # its own clear error for a model/dataset mismatch
    path = args.data_file or train_text.DEFAULT_TEXT
    text = train_text.read_text(path)
    if args.limit:
        text = text[: max(args.limit, train_text.SEQUENCE + 1)]
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.array([index[c] for c in text], dtype=np.int64)
    x, y = train_text.windows(ids, train_text.SEQUENCE)
    lr = args.lr if args.lr is not None else (0.05 if args.optimizer == "sgd" else 0.005)
    out = args.out or os.path.join("runs", f"{args.model}-text-torch-ddp{args.nproc}")
    os.makedirs(out, exist_ok=True)
    checkpoint = os.path.join(out, "checkpoint.pth")
    if args.resume:
        model = build_text(args.model, minitorch_nn, len(vocab), block_size=2 * train_text.SEQUENCE)
        state = check_resume(checkpoint, model)
        if state.get("vocab") != vocab:
            raise SystemExit(f"--resume: the checkpoint at {checkpoint} was trained on another text's characters")
    print(
        f"training {args.model} on {os.path.basename(path)} ({len(text)} characters, {len(vocab)} distinct, "
        f"{len(x)} windows of {train_text.SEQUENCE}) with torch on {args.device}, {args.optimizer} lr {lr:g}, "
        f"{split(args)}"
    )
    sys.stdout.flush()
    run_job(
        args,
        "text",
        {"x_train": x, "y_train": y},
        lr,
        checkpoint,
        extras={"vocab": vocab},
        vocab_size=len(vocab),
        block_size=2 * train_text.SEQUENCE,
        sample_start=text[0],
    )
    state = minitorch_nn.load(checkpoint)
    model = build_text(args.model, minitorch_nn, len(vocab), block_size=2 * train_text.SEQUENCE)
    model.load_state_dict(state["model"])  # the weights back in a minitorch_nn model
    print(f"back in minitorch_nn: {type(model).__name__} with the weights of epoch {state['epoch']}")
    print(f"checkpoint: {checkpoint}")
    return 0


def check_resume(checkpoint: str, model: Any) -> dict[str, Any]:
    """The checkpoint ``--resume`` names, read in the parent: one clear line for a file the workers could not
    continue (missing, not a checkpoint, another model's weights) instead of N tracebacks."""
    import torch

    if not os.path.exists(checkpoint):
        raise SystemExit(f"--resume: no checkpoint at {checkpoint}")
    try:
        state = _checkpoint.load(checkpoint, torch)
    except Exception as error:
        raise SystemExit(
            f"--resume: {checkpoint} is neither minitorch_nn's nor torch.save's file ({type(error).__name__}: {error})"
        ) from error
    keys = ("model", "optimizer", "scheduler", "history", "epoch")
    if not isinstance(state, dict) or any(key not in state for key in keys):
        raise SystemExit(f"--resume: {checkpoint} is not a minitorch-nn train checkpoint (it lacks {', '.join(keys)})")
    expected, saved = set(model.state_dict()), set(state["model"])
    if expected != saved:
        missing, unexpected = sorted(expected - saved), sorted(saved - expected)
        raise SystemExit(
            f"--resume: {checkpoint} holds the weights of another model: {len(missing)} missing key(s) "
            f"({', '.join(missing[:3])}), {len(unexpected)} unexpected ({', '.join(unexpected[:3])})"
        )
    return state


def split(args: argparse.Namespace) -> str:
    """How the header line names the global batch's split: ``batch 16 = 2 processes x 8 (...)``."""
    processes = f"{args.nproc} process{'es' if args.nproc > 1 else ''}"
    share = args.batch_size // args.nproc
    return f"batch {args.batch_size} = {processes} x {share} (torch.distributed, {_backend(args.device)})"


def _backend(device: str) -> str:
    return "nccl" if device == "cuda" else "gloo"


# ---- one worker ------------------------------------------------------------------------------------------
def worker(rank: int, world_size: int, port: int, job: Job) -> None:
    """Rank ``rank`` of ``world_size``: join the group, train its share of every batch, leave."""
    import torch
    import torch.distributed as dist

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world_size))
    # N workers share the cores: each gets its part instead of all of them fighting over every core
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world_size))
    if job.device == "cuda":
        torch.cuda.set_device(rank)
    dist.init_process_group(_backend(job.device), init_method="env://", timeout=datetime.timedelta(seconds=TIMEOUT_S))
    try:
        _train(rank, world_size, job, torch, dist)
    finally:
        dist.destroy_process_group()


def _train(rank: int, world_size: int, job: Job, torch: Any, dist: Any) -> None:
    from torch.nn.parallel import DistributedDataParallel

    device = torch.device(f"cuda:{rank}" if job.device == "cuda" else "cpu")
    torch.manual_seed(job.seed)  # every worker starts from the weights the single-process run starts from
    augment = None
    if job.vision:
        module = _vision.build_for(job.model, len(job.extras["classes"]), job.seed, torch).to(device)
        augment = _vision.train_transform()
        if job.device == "cuda":  # the global batch's statistics (GPUs only: see the docstring)
            module = torch.nn.SyncBatchNorm.convert_sync_batchnorm(module)
    elif job.kind == "image":
        module = build(job.model, torch, in_channels=job.in_channels).to(device)
    else:
        module = build_text(job.model, torch, job.vocab_size, block_size=job.block_size).to(device)
    model = DistributedDataParallel(module, device_ids=[rank] if job.device == "cuda" else None)
    if job.optimizer == "sgd":
        optimizer = torch.optim.SGD(module.parameters(), lr=job.lr, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(module.parameters(), lr=job.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=job.epochs)
    criterion = torch.nn.CrossEntropyLoss(reduction="sum")
    history: dict[str, list[float]] = (
        {"loss": [], "accuracy": []} if job.kind == "image" else {"loss": [], "perplexity": []}
    )
    start_epoch = 0
    if job.resume:
        state = _checkpoint.load(job.checkpoint, torch)
        module.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        history, start_epoch = state["history"], state["epoch"]
        if rank == 0:
            print(f"resumed from {job.checkpoint} after epoch {start_epoch}")
            if start_epoch >= job.epochs:
                print(f"the checkpoint already holds {start_epoch} epochs; ask for more with --epochs")
    writer = None
    if job.tensorboard and rank == 0:
        from ..utils.tensorboard import SummaryWriter

        folder = os.path.join(os.path.dirname(job.checkpoint), "tensorboard")
        writer = SummaryWriter(log_dir=folder, purge_step=start_epoch + 1)
    x_train = np.load(os.path.join(job.data_dir, "x_train.npy"), mmap_mode="r")
    y_train = np.load(os.path.join(job.data_dir, "y_train.npy"), mmap_mode="r")
    order = TensorDataset(minitorch_nn.arange(len(x_train)))
    started = time.perf_counter()

    def reduce_sum(value: float) -> float:
        total = torch.tensor([value], dtype=torch.float64, device=device)
        dist.all_reduce(total)
        return float(total.item())

    for epoch in range(start_epoch + 1, job.last_epoch + 1):
        # the single-process run's generator and loader: the same global batches in the same order
        generator = minitorch_nn.Generator().manual_seed(job.seed * 100_003 + epoch)
        loader = DataLoader(order, batch_size=job.batch_size, shuffle=True, generator=generator)
        if job.vision:
            _vision.seed_epoch(job.seed, epoch, torch)
        model.train()
        mean_sum = 0.0  # this worker's part of the sum over batches of each global batch's mean loss
        for b, (indices,) in enumerate(loader, 1):
            batch = indices.numpy()
            lo, hi = rank * len(batch) // world_size, (rank + 1) * len(batch) // world_size
            # a last batch shorter than N leaves some worker none: it runs one sample at weight 0,
            # so every worker still takes part in the gradient's all-reduce
            weight = 1.0 if hi > lo else 0.0
            lo, hi = (lo, hi) if hi > lo else (0, 1)
            if augment is not None:  # the whole global batch, as one process augments it; then this slice
                images = _vision.augment_batch(minitorch_nn.tensor(np.array(x_train[batch])), augment)
                x = torch.from_numpy(images.numpy()[lo:hi]).to(device)
            else:
                x = torch.from_numpy(np.ascontiguousarray(x_train[batch[lo:hi]])).to(device)
            y = torch.from_numpy(np.ascontiguousarray(y_train[batch[lo:hi]])).to(device)
            out = model(x)
            count = len(batch) * y[0].numel()  # the terms of the global batch's mean (text: samples x positions)
            loss_sum = criterion(out.reshape(-1, out.shape[-1]), y.reshape(-1)) * weight
            loss = loss_sum * (world_size / count)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            mean_sum += loss_sum.item() / count
            if job.kind == "text" or b % 5 == 0 or b == len(loader):
                running = reduce_sum(mean_sum)
                if rank == 0:
                    print_progress(epoch, job.epochs, b, len(loader), running / b)
        mean = reduce_sum(mean_sum) / len(loader)
        epoch_lr = optimizer.param_groups[0]["lr"]
        scheduler.step()
        history["loss"].append(mean)
        if job.kind == "image":
            accuracy = _evaluate(torch, dist, module, job, rank, world_size, device)
            history["accuracy"].append(accuracy)
            summary = f"train loss {mean:.4f}, test accuracy {accuracy:.2%}"
        else:
            history["perplexity"].append(math.exp(mean))
            summary = f"train loss {mean:.4f}, perplexity {math.exp(mean):.2f}"
        if rank == 0:
            print(f"\nepoch {epoch}: {summary}, {time.perf_counter() - started:.1f} s elapsed")
            sys.stdout.flush()
            state = {
                "model": module.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "history": history,
                "epoch": epoch,
                **job.extras,
            }
            _checkpoint.save(state, job.checkpoint)
        if writer is not None:
            writer.add_scalar("loss/train", mean, epoch)
            writer.add_scalar("accuracy/test", history["accuracy"][-1], epoch)
            writer.add_scalar("learning_rate", epoch_lr, epoch)
            writer.flush()
    if writer is not None:
        writer.close()
        print(f"tensorboard: {writer.get_logdir()}")
    if rank == 0 and job.kind == "text":
        print("sample:")
        vocab = job.extras["vocab"]
        print(
            train_text.sample(
                torch, module, vocab, job.sample_start, train_text.SAMPLE_LENGTH, job.seed, device, train_text.SEQUENCE
            )
        )
        sys.stdout.flush()
    dist.barrier()  # nobody leaves the group while rank 0 still writes or samples


def _evaluate(torch: Any, dist: Any, module: Any, job: Job, rank: int, world_size: int, device: Any) -> float:
    """Test accuracy: each worker counts the right answers on its contiguous part of the test set."""
    x_test = np.load(os.path.join(job.data_dir, "x_test.npy"), mmap_mode="r")
    y_test = np.load(os.path.join(job.data_dir, "y_test.npy"), mmap_mode="r")
    lo, hi = rank * len(x_test) // world_size, (rank + 1) * len(x_test) // world_size
    module.eval()
    right = 0
    with torch.no_grad():
        for i in range(lo, hi, 256):
            j = min(i + 256, hi)
            predicted = module(torch.from_numpy(np.array(x_test[i:j])).to(device)).argmax(dim=1)
            right += int((predicted.cpu().numpy() == y_test[i:j]).sum())
    total = torch.tensor([right], dtype=torch.int64, device=device)
    dist.all_reduce(total)
    return int(total.item()) / len(x_test)
