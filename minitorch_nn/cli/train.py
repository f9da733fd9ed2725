"""`minitorch-nn train`: the seed LeNet on real handwritten digits (or MNIST/CIFAR-10 from a folder).

Per epoch: a progress bar, the mean train loss and the test accuracy; a
checkpoint (model, optimizer, history) that ``--resume`` continues from; and
a PNG of the loss and accuracy curves. ``--engine torch`` runs the same model
on PyTorch, where ``--device cuda`` is available (a torchvision model is built by
minitorch_nn and converted by reference.bridge, cli/_vision.py); ``--nproc N`` adds
torch.distributed (cli/train_distributed.py). Every path writes the same checkpoint
file (cli/_checkpoint.py), so ``--resume`` and ``predict`` take any engine's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import numpy as np

import minitorch_nn

from ..autograd.tensor import Tensor
from ..models import MODELS, TEXT_MODELS, build
from ..utils.data import DataLoader, TensorDataset
from ..utils.data import datasets as data
from . import INSTALL_TORCH, _checkpoint, _vision, train_distributed, train_text
from ._progress import print_progress


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "train", help="train a seed model and report loss and accuracy per epoch", description=__doc__.split("\n\n")[0]
    )
    p.add_argument(
        "--model",
        choices=[*MODELS, *TEXT_MODELS, *_vision.VISION_MODELS],
        default="lenet",
        help="seed model (default lenet: the seed LeNet), a text model (char-lstm, gpt: --dataset text) or a "
        "torchvision model (CIFAR-10, augmented)",
    )
    p.add_argument(
        "--dataset",
        choices=["digits", "mnist", "cifar10", "text"],
        default="digits",
        help="default digits: scikit-learn's handwritten digits, no download",
    )
    p.add_argument("--data-dir", default=None, help="folder with MNIST IDX files or CIFAR-10 python batches")
    p.add_argument("--data-file", default=None, help="UTF-8 text for --dataset text (default: a short text shipped)")
    p.add_argument("--epochs", type=int, default=10, help="default 10")
    p.add_argument("--batch-size", type=int, default=16, help="default 16")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd", help="default sgd (momentum 0.9)")
    p.add_argument(
        "--lr",
        type=float,
        default=None,
        help="peak learning rate, decayed by a cosine; default 0.02 for sgd (momentum 0.9), 0.002 for adam",
    )
    p.add_argument("--seed", type=int, default=0, help="seeds the weights and the shuffling (default 0)")
    p.add_argument(
        "--engine",
        choices=["minitorch", "torch"],
        default="minitorch",
        help="torch: the same model on PyTorch (a torchvision model: ours, built under the seed and converted by "
        "reference.bridge)",
    )
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="cuda needs --engine torch")
    p.add_argument(
        "--nproc",
        type=int,
        default=None,
        help="with --engine torch: train on N processes with torch.distributed (DistributedDataParallel; gloo "
        "on cpu, nccl on cuda), --batch-size split evenly among them. BatchNorm (resnet18, mobilenet_v2): "
        "with --device cuda SyncBatchNorm normalizes by the global batch, as one process does; on the cpu "
        "(torch's SyncBatchNorm runs on GPUs only) each process normalizes by its own share, so the weights "
        "differ from a 1-process run's, and the running statistics saved are rank 0's",
    )
    p.add_argument("--limit", type=int, default=None, help="use only the first N training samples (quick runs)")
    p.add_argument(
        "--out", default=None, help="folder for the checkpoint and the PNG (default runs/<model>-<dataset>-<engine>)"
    )
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument(
        "--tensorboard", action="store_true", help="write loss, accuracy and learning rate to --out/tensorboard"
    )
    p.add_argument(
        "--stop-after",
        type=int,
        default=None,
        help="stop after this epoch (the learning-rate schedule still spans --epochs); continue with --resume",
    )
    p.set_defaults(run=run)


def load_datasets(name: str, root: str | None) -> tuple[TensorDataset, TensorDataset]:
    if name == "digits":
        return data.digits(train=True), data.digits(train=False)
    if root is None:
        raise SystemExit(f"--dataset {name} needs --data-dir (a folder with the {name} files)")
    loader = data.mnist if name == "mnist" else data.cifar10
    try:
        return loader(root, train=True), loader(root, train=False)
    except data.DatasetError as error:
        raise SystemExit(f"--dataset {name}: {error}") from error


def _engine(args: argparse.Namespace) -> Any:
    """The torch-like module that runs the model: minitorch_nn, or torch itself (imported only here)."""
    if args.engine == "minitorch":
        if args.device == "cuda" and not minitorch_nn.cuda.is_available():
            raise SystemExit(
                "--device cuda: minitorch_nn has no CUDA backend on this machine (a GPU and "
                "`pip install minitorch-nn[cuda]`); or run the same model on torch: --engine torch --device cuda"
            )
        return minitorch_nn
    try:
        import torch  # the production path; minitorch_nn itself never imports torch
    except ImportError as error:
        raise SystemExit(f"--engine torch needs PyTorch, which is not installed: {INSTALL_TORCH}") from error
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA device on this machine")
    return torch


def run(args: argparse.Namespace) -> int:
    if args.nproc is not None:
        train_distributed.check_request(args)
    if args.model in _vision.VISION_MODELS and args.dataset != "cifar10":
        raise SystemExit(f"--model {args.model} trains on --dataset cifar10")
    if args.model in TEXT_MODELS or args.dataset == "text":
        return train_text.run(args) if args.nproc is None else train_distributed.run_text(args)
    lib = _engine(args)
    lib.manual_seed(args.seed)
    train_set, test_set = load_datasets(args.dataset, args.data_dir)
    if args.limit:
        train_set = TensorDataset(*(Tensor._make(t._data[: args.limit]) for t in train_set.tensors))
    x_test, y_test = (t.numpy() for t in test_set.tensors)
    if args.nproc is not None:
        return run_distributed(args, train_set, x_test, y_test)
    device = lib.device(args.device)
    vision = args.model in _vision.VISION_MODELS
    augment = None
    if vision:
        model = _vision.build_for(args.model, len(_vision.CIFAR10_CLASSES), args.seed, lib).to(device)
        augment = _vision.train_transform()
        x_test = _vision.normalize_array(x_test)
    else:
        try:
            model = build(args.model, lib, in_channels=train_set.tensors[0].shape[1]).to(device)
        except ValueError as error:
            raise SystemExit(f"--model {args.model} on {args.dataset}: {error}") from error
    classes = _vision.CIFAR10_CLASSES if args.dataset == "cifar10" else [str(d) for d in range(10)]
    lr = args.lr if args.lr is not None else (0.02 if args.optimizer == "sgd" else 0.002)
    if args.optimizer == "sgd":
        optimizer = lib.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        optimizer = lib.optim.Adam(model.parameters(), lr=lr)
    # cosine decay of the learning rate over the run, stepped once an epoch: large steps first, settling at the end
    scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    criterion = lib.nn.CrossEntropyLoss()
    out = args.out or os.path.join("runs", f"{args.model}-{args.dataset}-{args.engine}")
    os.makedirs(out, exist_ok=True)
    checkpoint = os.path.join(out, "checkpoint.pth")
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    start_epoch = 0
    if args.resume:
        if not os.path.exists(checkpoint):
            raise SystemExit(f"--resume: no checkpoint at {checkpoint}")
        state = read_checkpoint(checkpoint, lib)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        history, start_epoch = state["history"], state["epoch"]
        print(f"resumed from {checkpoint} after epoch {start_epoch}")
    writer = None
    if args.tensorboard:
        from ..utils.tensorboard import SummaryWriter

        writer = SummaryWriter(log_dir=os.path.join(out, "tensorboard"), purge_step=start_epoch + 1)
    to_lib = (lambda t: t.to(device)) if lib is minitorch_nn else (lambda t: lib.from_numpy(t.numpy()).to(device))
    started = time.perf_counter()
    print(
        f"training {args.model} on {args.dataset} ({len(train_set)} train / {len(test_set)} test) "
        f"with {args.engine} on {args.device}, {args.optimizer} lr {lr:g}, batch {args.batch_size}"
    )
    last = min(args.epochs, args.stop_after) if args.stop_after else args.epochs
    for epoch in range(start_epoch + 1, last + 1):
        # one generator per epoch, seeded from (seed, epoch): a resumed run sees the same batches
        generator = minitorch_nn.Generator().manual_seed(args.seed * 100_003 + epoch)
        loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=generator)
        if vision:
            _vision.seed_epoch(args.seed, epoch, lib)
        model.train()
        total = 0.0
        for b, (x, y) in enumerate(loader, 1):
            if augment is not None:
                x = _vision.augment_batch(x, augment)
            loss = criterion(model(to_lib(x)), to_lib(y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            if b % 5 == 0 or b == len(loader):
                print_progress(epoch, args.epochs, b, len(loader), total / b)
        epoch_lr = optimizer.param_groups[0]["lr"]
        scheduler.step()
        accuracy = evaluate(lib, model, x_test, y_test, device)
        history["loss"].append(total / len(loader))
        history["accuracy"].append(accuracy)
        if writer is not None:
            writer.add_scalar("loss/train", total / len(loader), epoch)
            writer.add_scalar("accuracy/test", accuracy, epoch)
            writer.add_scalar("learning_rate", epoch_lr, epoch)
            writer.flush()
        print(
            f"\nepoch {epoch}: train loss {total / len(loader):.4f}, test accuracy {accuracy:.2%}, "
            f"{time.perf_counter() - started:.1f} s elapsed"
        )
        state = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "history": history,
            "epoch": epoch,
            "arch": args.model,  # what predict rebuilds
            "classes": classes,
        }
        _checkpoint.save(state, checkpoint)
    if writer is not None:
        writer.close()
        print(f"tensorboard: {writer.get_logdir()}")
    if start_epoch >= args.epochs:
        print(f"the checkpoint already holds {start_epoch} epochs; ask for more with --epochs")
    figure = plot_history(history, os.path.join(out, "curves.png"), f"{args.model} on {args.dataset} ({args.engine})")
    print(f"checkpoint: {checkpoint}")
    print(f"curves: {figure}" if figure else "curves: not drawn (pip install matplotlib)")
    return 0


def read_checkpoint(path: str, lib: Any) -> dict[str, Any]:
    """The checkpoint ``--resume`` continues, with ``lib``'s tensors; one clear line for a file that is not one."""
    try:
        state = _checkpoint.load(path, lib)
    except Exception as error:
        raise SystemExit(f"--resume: {path} is not a checkpoint ({type(error).__name__}: {error})") from error
    keys = ("model", "optimizer", "scheduler", "history", "epoch")
    if not isinstance(state, dict) or any(key not in state for key in keys):
        raise SystemExit(f"--resume: {path} is not a minitorch-nn train checkpoint (it lacks {', '.join(keys)})")
    return state


def run_distributed(args: argparse.Namespace, train_set: TensorDataset, x_test: np.ndarray, y_test: np.ndarray) -> int:
    """``--engine torch --nproc N``: the workers train, then the weights come back into a minitorch_nn model."""
    in_channels = train_set.tensors[0].shape[1]
    vision = args.model in _vision.VISION_MODELS
    if vision:
        import torch

        # built and converted here too: a model the bridge cannot convert is said before spawning
        model = _vision.build_for(args.model, len(_vision.CIFAR10_CLASSES), args.seed, minitorch_nn)
        _vision.build_for(args.model, len(_vision.CIFAR10_CLASSES), args.seed, torch)
        if _vision.has_batchnorm(model):
            train_distributed.check_batchnorm_shares(args, len(train_set))
        x_test = _vision.normalize_array(x_test)
    else:
        try:
            model = build(args.model, minitorch_nn, in_channels=in_channels)  # a mismatch, said before spawning
        except ValueError as error:
            raise SystemExit(f"--model {args.model} on {args.dataset}: {error}") from error
    classes = _vision.CIFAR10_CLASSES if args.dataset == "cifar10" else [str(d) for d in range(10)]
    lr = args.lr if args.lr is not None else (0.02 if args.optimizer == "sgd" else 0.002)
    out = args.out or os.path.join("runs", f"{args.model}-{args.dataset}-torch-ddp{args.nproc}")
    os.makedirs(out, exist_ok=True)
    checkpoint = os.path.join(out, "checkpoint.pth")
    if args.resume:
        train_distributed.check_resume(checkpoint, model)
    print(
        f"training {args.model} on {args.dataset} ({len(train_set)} train / {len(x_test)} test) "
        f"with torch on {args.device}, {args.optimizer} lr {lr:g}, {train_distributed.split(args)}"
    )
    if vision and _vision.has_batchnorm(model):
        print(train_distributed.batchnorm_note(args.device))
    sys.stdout.flush()  # before the workers write to the same stdout
    x_train, y_train = (t.numpy() for t in train_set.tensors)
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    train_distributed.run_images(args, arrays, classes, lr, checkpoint)
    state = minitorch_nn.load(checkpoint)
    model.load_state_dict(state["model"])  # the trained weights, back in a minitorch_nn model
    accuracy = evaluate(minitorch_nn, model, x_test, y_test, minitorch_nn.device("cpu"))
    print(
        f"back in minitorch_nn: {type(model).__name__} with the weights of epoch {state['epoch']}, "
        f"test accuracy {accuracy:.2%}"
    )
    title = f"{args.model} on {args.dataset} (torch, {args.nproc} processes)"
    figure = plot_history(state["history"], os.path.join(out, "curves.png"), title)
    print(f"checkpoint: {checkpoint}")
    print(f"curves: {figure}" if figure else "curves: not drawn (pip install matplotlib)")
    return 0


def evaluate(lib: Any, model: Any, x: np.ndarray, y: np.ndarray, device: Any, batch: int = 256) -> float:
    model.eval()
    right = 0
    with lib.no_grad():
        for i in range(0, len(x), batch):
            out = model(lib.tensor(x[i : i + batch]).to(device))
            predict = lib.argmax(out, dim=1)
            right += int((predict == lib.tensor(y[i : i + batch]).to(device)).sum())
    return right / len(x)


def plot_history(history: dict[str, list[float]], path: str, title: str = "") -> str | None:
    """Loss and accuracy per epoch as a PNG (matplotlib); None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    epochs = range(1, len(history["loss"]) + 1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.plot(epochs, history["loss"], marker="o")
    a.set_xlabel("epoch")
    a.set_ylabel("train loss")
    b.plot(epochs, [100 * v for v in history["accuracy"]], marker="o", color="tab:green")
    b.set_xlabel("epoch")
    b.set_ylabel("test accuracy (%)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
