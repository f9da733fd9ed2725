"""Benchmark: real networks' training steps vs torch CPU: ResNet-18 and VGG-11 on CIFAR-sized inputs.

Run ``python benchmarks/bench_models.py`` from the repository root (or ``minitorch-nn bench --only
models``). Writes benchmarks/results/models.md.

The models are ``minitorch_nn.vision.models.resnet18`` and ``vgg11`` with ``num_classes=10``, fed
32x32 RGB batches of 64 (torchvision's ImageNet architectures as they are, on CIFAR inputs: VGG's
adaptive average pool then turns its 1x1 map into 7x7). torch's twin of each is torchvision's
architecture written out below in plain torch.nn (torchvision cannot be imported next to the CPU
wheel here, and ``reference.bridge.to_torch`` converts only the engine's own module classes), and
takes our weights through ``reference.bridge.state_dict_to_torch`` with ``strict=True``: the same
module names, shapes and numbers, so the same architecture.
One step: ``zero_grad``, forward, ``CrossEntropyLoss``, ``backward``, ``SGD(lr=0.01,
momentum=0.9).step()``, float32, both engines on THREADS threads, in train mode (batch norm with
batch statistics, dropout on: the two engines draw different dropout masks, which costs the same).
Each timing is the median of ``repeats`` steps after 50 ms of warm-up steps (benchmarks/timing.py),
the engines interleaved over ROUNDS rounds; ratio = torch time / our time (above 1: ours faster).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import interleaved_ms, machine_note, results_name  # noqa: E402  (after the path is set)

THREADS = 2
ROUNDS = 3
BATCH = 64
MODELS = ("resnet18", "vgg11")
TITLES = {"resnet18": "ResNet-18", "vgg11": "VGG-11"}


def _torch_twin(name: str):
    """torchvision's resnet18 / vgg11 (num_classes=10) in plain torch.nn: same module names and layers."""
    import torch
    from torch import nn

    if name == "vgg11":

        class VGG(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                layers: list[nn.Module] = []
                channels = 3
                for v in (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"):
                    if v == "M":
                        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                    else:
                        layers += [nn.Conv2d(channels, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                        channels = v
                self.features = nn.Sequential(*layers)
                self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
                self.classifier = nn.Sequential(
                    nn.Linear(512 * 7 * 7, 4096),
                    nn.ReLU(True),
                    nn.Dropout(p=0.5),
                    nn.Linear(4096, 4096),
                    nn.ReLU(True),
                    nn.Dropout(p=0.5),
                    nn.Linear(4096, 10),
                )

            def forward(self, x):
                return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))

        return VGG()

    class BasicBlock(nn.Module):
        def __init__(self, inplanes: int, planes: int, stride: int = 1) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)
                )

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    class ResNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            widths = ((64, 1), (128, 2), (256, 2), (512, 2))
            inplanes = 64
            for i, (planes, stride) in enumerate(widths, 1):
                setattr(
                    self, f"layer{i}", nn.Sequential(BasicBlock(inplanes, planes, stride), BasicBlock(planes, planes))
                )
                inplanes = planes
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, 10)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return ResNet()


def steps(name: str, batch: int = BATCH) -> dict[str, Callable[[], None]]:
    """One training step per engine for model ``name``: {"ours": fn, "torch": fn}, same weights and batch."""
    import torch

    import minitorch_nn as mt
    from minitorch_nn.vision import models
    from reference.bridge import state_dict_to_torch

    mt.manual_seed(0)
    ours = getattr(models, name)(num_classes=10)
    theirs = _torch_twin(name)
    theirs.load_state_dict(state_dict_to_torch(ours.state_dict()), strict=True)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    out = {}
    for engine, lib, model in (("ours", mt, ours), ("torch", torch, theirs)):
        model.train()
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = lib.nn.CrossEntropyLoss()
        xb = lib.tensor(x.copy()) if lib is mt else torch.from_numpy(x.copy())
        yb = lib.tensor(y.copy()) if lib is mt else torch.from_numpy(y.copy())

        def step(model=model, opt=opt, loss_fn=loss_fn, xb=xb, yb=yb) -> None:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()

        out[engine] = step
    return out


def run(repeats: int = 5, progress: Callable[[str], None] | None = None) -> list[dict]:
    """Time every model's step; one dict per model with torch_ms, ours_ms, ratio, path."""
    import torch

    import minitorch_nn as mt
    from minitorch_nn.kernels.cpu import cpu_info

    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    rows = []
    for name in MODELS:
        fns = steps(name)
        torch_ms, ours_ms = interleaved_ms(fns["torch"], fns["ours"], repeats, ROUNDS)
        row = {
            "case": f"{TITLES[name]} training step, batch {BATCH}, 3x32x32",
            "pass": "fwd+loss+bwd+sgd",
            "torch_ms": torch_ms,
            "ours_ms": ours_ms,
            "ratio": torch_ms / ours_ms,
            "path": cpu_info.kernel_path().name,
        }
        rows.append(row)
        if progress:
            progress(f"{row['case']}: {row['ratio']:.2f}x")
    return rows


def main() -> None:
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    rows = run(repeats, progress=lambda line: print(line, flush=True))
    lines = [
        "# Real networks: training steps vs torch CPU",
        "",
        machine_note(THREADS),
        f"float32; SGD momentum 0.9; median of {repeats} steps (after 50 ms of warm-up steps) x {ROUNDS} "
        "interleaved rounds. ratio = torch / ours (>1: ours faster).",
        "Command: `python benchmarks/bench_models.py`.",
        "",
        "| case | path | torch ms | ours ms | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['case']} | {r['path']} | {r['torch_ms']:.1f} | {r['ours_ms']:.1f} | {r['ratio']:.2f}x |" for r in rows
    ]
    text = "\n".join(lines) + "\n"
    out = ROOT / "benchmarks" / "results" / results_name("models")
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
