"""`minitorch-nn train`: the seed LeNet on real handwritten digits (or MNIST/CIFAR-10 from a folder).

Per epoch: a progress bar, the mean train loss and the test accuracy; a
checkpoint (model, optimizer, history) that ``--resume`` continues from; and
a PNG of the loss and accuracy curves. ``--engine torch`` runs the same model
on PyTorch, where ``--device cuda`` is available.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import Any

import numpy as np

import minitorch_nn

from ..models import build
from ..utils.data import datasets as data


def add_parser(commands: Any) -> None:
    p = commands.add_parser("train", help="train a seed model and report loss and accuracy per epoch")
    p.add_argument("--model", choices=["lenet", "cifar", "mlp"], default="lenet")
    p.add_argument("--dataset", choices=["digits", "mnist", "cifar10"], default="digits")
    p.add_argument("--data-dir", default=None, help="folder with MNIST IDX files or CIFAR-10 python batches")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate, decayed by a cosine; default 0.02 for sgd (momentum 0.9), 0.002 for adam")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engine", choices=["minitorch", "torch"], default="minitorch")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--limit", type=int, default=None, help="use only the first N training samples (quick runs)")
    p.add_argument("--out", default=os.path.join("runs", "train"), help="folder for the checkpoint and the PNG")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.set_defaults(run=run)


def load_datasets(name: str, root: str | None) -> tuple[Any, Any]:
    if name == "digits":
        return data.digits(train=True), data.digits(train=False)
    if root is None:
        raise SystemExit(f"--dataset {name} needs --data-dir")
    loader = data.mnist if name == "mnist" else data.cifar10
    return loader(root, train=True), loader(root, train=False)


def _progress(epoch: int, epochs: int, done: int, total: int, loss: float) -> None:
    width = 30
    filled = int(width * done / total)
    sys.stdout.write(
        f"\repoch {epoch}/{epochs} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} loss {loss:.4f}"
    )
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    if args.engine == "minitorch" and args.device == "cuda":
        raise SystemExit("minitorch_nn computes on the CPU; use --engine torch --device cuda for a GPU")
    if args.engine == "torch":
        import torch as lib  # the production path

        if args.device == "cuda" and not lib.cuda.is_available():
            raise SystemExit("--device cuda: torch sees no CUDA device on this machine")
    else:
        lib = minitorch_nn
    lib.manual_seed(args.seed)
    train_set, test_set = load_datasets(args.dataset, args.data_dir)
    x_train, y_train = (t.numpy() for t in train_set.tensors)
    x_test, y_test = (t.numpy() for t in test_set.tensors)
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    device = lib.device(args.device)
    model = build(args.model, lib, in_channels=x_train.shape[1]).to(device)
    lr = args.lr if args.lr is not None else (0.02 if args.optimizer == "sgd" else 0.002)
    if args.optimizer == "sgd":
        optimizer = lib.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        optimizer = lib.optim.Adam(model.parameters(), lr=lr)
    criterion = lib.nn.CrossEntropyLoss()
    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "checkpoint.pth")
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    start_epoch = 0
    if args.resume:
        state = lib.load(checkpoint) if args.engine == "minitorch" else lib.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        history, start_epoch = state["history"], state["epoch"]
        print(f"resumed from {checkpoint} after epoch {start_epoch}")
    order_rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    print(
        f"training {args.model} on {args.dataset} ({len(x_train)} train / {len(x_test)} test) with {args.engine} on {args.device}"
    )
    for epoch in range(start_epoch + 1, args.epochs + 1):
        # cosine decay of the learning rate over the run: large steps first, settling at the end
        for group in optimizer.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / args.epochs))
        model.train()
        order = order_rng.permutation(len(x_train))
        batches = [order[i : i + args.batch_size] for i in range(0, len(order), args.batch_size)]
        total = 0.0
        for b, idx in enumerate(batches, 1):
            x = lib.tensor(x_train[idx]).to(device)
            y = lib.tensor(y_train[idx]).to(device)
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            if b % 5 == 0 or b == len(batches):
                _progress(epoch, args.epochs, b, len(batches), total / b)
        accuracy = evaluate(lib, model, x_test, y_test, device)
        history["loss"].append(total / len(batches))
        history["accuracy"].append(accuracy)
        print(
            f"\nepoch {epoch}: train loss {total / len(batches):.4f}, test accuracy {accuracy:.2%}, {time.perf_counter() - started:.1f} s"
        )
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "history": history, "epoch": epoch}
        lib.save(state, checkpoint)
    figure = plot_history(history, os.path.join(args.out, "curves.png"))
    print(f"checkpoint: {checkpoint}" + (f"\ncurves: {figure}" if figure else ""))
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


def plot_history(history: dict[str, list[float]], path: str) -> str | None:
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
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
