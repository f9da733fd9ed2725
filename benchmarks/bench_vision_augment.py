"""The share of ``train --model resnet18 --dataset cifar10``'s step that the per-image augmentation takes.

The training loop augments each batch with torchvision's transforms applied image by image in Python
(RandomCrop(32, padding=4), RandomHorizontalFlip, Normalize: ``cli/_vision.augment_batch``). A batched
NumPy path would only be worth its code if that were a sizeable part of the step; this prints the two
medians (batch 64, 32x32) and the share. Run: ``PYTHONPATH=$PWD python benchmarks/bench_vision_augment.py``.
"""

from __future__ import annotations

import argparse

import numpy as np

import minitorch_nn as mt
from benchmarks.timing import median_ms
from minitorch_nn.cli import _vision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18", choices=_vision.VISION_MODELS)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    mt.manual_seed(0)
    x = mt.tensor(np.random.RandomState(0).uniform(-1, 1, (args.batch_size, 3, 32, 32)).astype(np.float32))
    y = mt.randint(0, 10, (args.batch_size,))
    augment = _vision.train_transform()
    model = _vision.build_vision(args.model, num_classes=10)
    optimizer = mt.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        optimizer.zero_grad()
        mt.nn.functional.cross_entropy(model(_vision.augment_batch(x, augment)), y).backward()
        optimizer.step()

    augment_ms = median_ms(lambda: _vision.augment_batch(x, augment), args.repeats * 5)
    step_ms = median_ms(step, args.repeats)
    print(f"{args.model}, batch {args.batch_size}: augmentation {augment_ms:.1f} ms of a {step_ms:.1f} ms step")
    print(f"share of the step: {augment_ms / step_ms:.1%}")


if __name__ == "__main__":
    main()
