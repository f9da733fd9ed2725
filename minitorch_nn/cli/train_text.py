"""`minitorch-nn train --model char-lstm|gpt --dataset text`: a character-level language model on a UTF-8 text.

The text (``--data-file``, default a few KB of prose shipped in the package)
is cut into windows of ``SEQUENCE`` characters whose targets are the same
window shifted by one. Per epoch: a progress line, the mean train loss and its
perplexity (exp of the loss); a checkpoint (model, optimizer, scheduler,
history, vocabulary; minitorch_nn's file on either engine) that ``--resume``
continues from; at the end a seeded sample of generated text.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from typing import Any

import numpy as np

import minitorch_nn

from ..models import TEXT_MODELS, build_text
from ..utils.data import DataLoader, TensorDataset
from . import INSTALL_TORCH, _checkpoint
from ._progress import print_progress

DEFAULT_TEXT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "tiny.txt")
SEQUENCE = 32  # characters per training window (the GPT's block_size is twice this)
SAMPLE_LENGTH = 200


def read_text(path: str) -> str:
    """The UTF-8 text at ``path``; SystemExit with the reason when it is missing, unreadable or too short."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError as error:
        raise SystemExit(f"--data-file {path}: no such file") from error
    except UnicodeDecodeError as error:
        raise SystemExit(f"--data-file {path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    except OSError as error:
        raise SystemExit(f"--data-file {path}: {error.strerror}") from error
    if len(text) < SEQUENCE + 1:
        raise SystemExit(
            f"--data-file {path}: {'empty' if not text else f'only {len(text)} characters'}; "
            f"a text needs at least {SEQUENCE + 1} characters"
        )
    return text


def windows(ids: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping inputs ``ids[i:i+length]`` and their targets ``ids[i+1:i+length+1]``."""
    count = (len(ids) - 1) // length
    x = ids[: count * length].reshape(count, length)
    y = ids[1 : count * length + 1].reshape(count, length)
    return x, y


def _engine(args: argparse.Namespace) -> Any:
    if args.engine == "minitorch":
        if args.device == "cuda":
            raise SystemExit("minitorch_nn computes on the CPU only; use --engine torch --device cuda")
        return minitorch_nn
    try:
        import torch  # the production path; minitorch_nn itself never imports torch
    except ImportError as error:
        raise SystemExit(f"--engine torch needs PyTorch, which is not installed: {INSTALL_TORCH}") from error
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA device on this machine")
    return torch


def run(args: argparse.Namespace) -> int:
    if args.model not in TEXT_MODELS or args.dataset != "text":
        raise SystemExit(
            f"--model {args.model} on --dataset {args.dataset}: the text models ({', '.join(TEXT_MODELS)}) "
            "train on --dataset text, and --dataset text needs one of them"
        )
    lib = _engine(args)
    lib.manual_seed(args.seed)
    path = args.data_file or DEFAULT_TEXT
    text = read_text(path)
    if args.limit:
        text = text[: max(args.limit, SEQUENCE + 1)]
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.array([index[c] for c in text], dtype=np.int64)
    x, y = windows(ids, SEQUENCE)
    device = lib.device(args.device)
    model = build_text(args.model, lib, len(vocab), block_size=2 * SEQUENCE).to(device)
    lr = args.lr if args.lr is not None else (0.05 if args.optimizer == "sgd" else 0.005)
    if args.optimizer == "sgd":
        optimizer = lib.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    else:
        optimizer = lib.optim.Adam(model.parameters(), lr=lr)
    scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    criterion = lib.nn.CrossEntropyLoss()
    out = args.out or os.path.join("runs", f"{args.model}-text-{args.engine}")
    os.makedirs(out, exist_ok=True)
    checkpoint = os.path.join(out, "checkpoint.pth")
    history: dict[str, list[float]] = {"loss": [], "perplexity": []}
    start_epoch = 0
    if args.resume:
        if not os.path.exists(checkpoint):
            raise SystemExit(f"--resume: no checkpoint at {checkpoint}")
        state = _checkpoint.load(checkpoint, lib)  # either engine's run, or an old torch.save file
        if state["vocab"] != vocab:
            raise SystemExit(f"--resume: the checkpoint at {checkpoint} was trained on another text's characters")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        history, start_epoch = state["history"], state["epoch"]
        print(f"resumed from {checkpoint} after epoch {start_epoch}")
    print(
        f"training {args.model} on {os.path.basename(path)} ({len(text)} characters, {len(vocab)} distinct, "
        f"{len(x)} windows of {SEQUENCE}) with {args.engine} on {args.device}, {args.optimizer} lr {lr:g}, "
        f"batch {args.batch_size}"
    )
    dataset = TensorDataset(minitorch_nn.tensor(x), minitorch_nn.tensor(y))
    to_lib = (lambda t: t) if lib is minitorch_nn else (lambda t: lib.from_numpy(t.numpy()).to(device))
    started = time.perf_counter()
    last = min(args.epochs, args.stop_after) if args.stop_after else args.epochs
    for epoch in range(start_epoch + 1, last + 1):
        generator = minitorch_nn.Generator().manual_seed(args.seed * 100_003 + epoch)
        loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, generator=generator)
        model.train()
        total = 0.0
        for b, (xb, yb) in enumerate(loader, 1):
            logits = model(to_lib(xb))
            loss = criterion(logits.reshape(-1, len(vocab)), to_lib(yb).reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            print_progress(epoch, args.epochs, b, len(loader), total / b)
        scheduler.step()
        mean = total / len(loader)
        history["loss"].append(mean)
        history["perplexity"].append(math.exp(mean))
        print(
            f"\nepoch {epoch}: train loss {mean:.4f}, perplexity {math.exp(mean):.2f}, "
            f"{time.perf_counter() - started:.1f} s elapsed"
        )
        state = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "history": history,
            "epoch": epoch,
            "vocab": vocab,
        }
        _checkpoint.save(state, checkpoint)  # one format for every engine (cli/_checkpoint.py)
    if start_epoch >= args.epochs:
        print(f"the checkpoint already holds {start_epoch} epochs; ask for more with --epochs")
    print("sample:")
    print(sample(lib, model, vocab, text[0], SAMPLE_LENGTH, args.seed, device, context=SEQUENCE))
    print(f"checkpoint: {checkpoint}")
    return 0


def sample(
    lib: Any, model: Any, vocab: list[str], start: str, length: int, seed: int, device: Any, context: int
) -> str:
    """``length`` characters drawn one at a time from the model's softmax, seeded by ``seed``.

    A recurrent model (one with ``advance``, the char-lstm) carries its state (h, c) from step to
    step and reads only the newest character: the same logits as running the whole text at once.
    The GPT has no state to carry: each step rereads the last ``context`` characters (the window
    length it was trained on).
    """
    rng = np.random.default_rng(seed)
    ids = [vocab.index(start)]
    recurrent = hasattr(model, "advance")
    state = None
    model.eval()
    with lib.no_grad():
        for _ in range(length):
            if recurrent:
                logits, state = model.advance(lib.tensor([ids[-1:]]).to(device), state)
            else:
                logits = model(lib.tensor([ids[-context:]]).to(device))
            ids.append(draw(rng, logits[0, -1].double().cpu().numpy()))
    return "".join(vocab[i] for i in ids)


def draw(rng: np.random.Generator, logits: np.ndarray) -> int:
    """One index drawn from softmax(``logits``)."""
    probabilities = np.exp(logits - logits.max())
    return int(rng.choice(len(probabilities), p=probabilities / probabilities.sum()))
