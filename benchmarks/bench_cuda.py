"""Benchmark on a GPU machine: our CUDA engine and torch CUDA, beside torch CPU and our CPU engine.

Run ``python benchmarks/bench_cuda.py`` (or ``minitorch-nn bench --device cuda``)
on a machine with an NVIDIA GPU (and ``pip install minitorch-nn[cuda]`` for our
CUDA column: kernels/cuda/ through kernels/backend.py). Cases: the LeNet and
CIFAR-style convolutions (forward+backward), a max-pooling forward+backward, and
the whole seed LeNet and seed CIFAR training steps (forward, cross-entropy,
backward, SGD step) at batch 1, 64 and 256. CPU timings use ``THREADS`` threads
in both engines; CUDA timings synchronise before reading the clock (torch's
``cuda.synchronize`` and ours). Medians of ``repeats`` runs. Writes
benchmarks/results/cuda.md naming the GPU.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.results_file import refuse_options, write_results  # noqa: E402  (after the path is set)
from benchmarks.timing import median_ms  # noqa: E402  (after the path is set)
from minitorch_nn.models import cifar, lenet  # noqa: E402

THREADS = 2


def _conv_case(lib, device, n, c, h, o, k, p, rng):
    x = lib.tensor(rng.standard_normal((n, c, h, h)).astype(np.float32)).to(device).requires_grad_(True)
    w = lib.tensor(rng.standard_normal((o, c, k, k)).astype(np.float32)).to(device).requires_grad_(True)
    b = lib.tensor(rng.standard_normal(o).astype(np.float32)).to(device).requires_grad_(True)

    def step():
        y = lib.nn.functional.conv2d(x, w, b, padding=p)
        y.backward(lib.ones_like(y))

    return step


def _pool_case(lib, device, n, c, h, rng):
    x = lib.tensor(rng.standard_normal((n, c, h, h)).astype(np.float32)).to(device).requires_grad_(True)

    def step():
        y = lib.nn.functional.max_pool2d(x, 2)
        y.backward(lib.ones_like(y))

    return step


def _seed_step(builder, lib, device, batch, rng, channels):
    model = builder(lib)().to(device)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = lib.tensor(rng.standard_normal((batch, channels, 32, 32)).astype(np.float32)).to(device)
    y = lib.tensor(rng.integers(0, 10, batch)).to(device)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


CASES = [
    ("LeNet conv1 (64, 1x32x32 -> 6, k5) fwd+bwd", lambda lib, d, r: _conv_case(lib, d, 64, 1, 32, 6, 5, 0, r)),
    ("LeNet conv2 (64, 6x14x14 -> 16, k5) fwd+bwd", lambda lib, d, r: _conv_case(lib, d, 64, 6, 14, 16, 5, 0, r)),
    ("CIFAR conv (64, 64x32x32 -> 64, k3, p1) fwd+bwd", lambda lib, d, r: _conv_case(lib, d, 64, 64, 32, 64, 3, 1, r)),
    ("max_pool2d 2x2 (64, 16x28x28) fwd+bwd", lambda lib, d, r: _pool_case(lib, d, 64, 16, 28, r)),
    *(
        (f"LeNet training step, batch {b}", lambda lib, d, r, b=b: _seed_step(lenet, lib, d, b, r, 1))
        for b in (1, 64, 256)
    ),
    *(
        (f"seed CIFAR training step, batch {b}", lambda lib, d, r, b=b: _seed_step(cifar, lib, d, b, r, 3))
        for b in (1, 64, 256)
    ),
]


def run(repeats: int = 7) -> list[dict]:
    import torch

    import minitorch_nn as mt

    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    has_cuda = torch.cuda.is_available()
    rows = []
    for label, make in CASES:
        rng = np.random.default_rng(0)
        ours = median_ms(make(mt, "cpu", rng), repeats)
        cpu = median_ms(make(torch, "cpu", rng), repeats)
        row = {
            "case": label,
            "pass": "cuda" if has_cuda else "cpu",
            "torch_ms": cpu,
            "ours_ms": ours,
            "ratio": cpu / ours,
        }
        if has_cuda:
            row["torch_cuda_ms"] = median_ms(make(torch, "cuda", rng), repeats, torch.cuda.synchronize)
        if mt.cuda.is_available() and not mt.cuda.get_device_name().startswith("Numba CUDA simulator"):
            row["ours_cuda_ms"] = median_ms(make(mt, "cuda", rng), repeats, mt.cuda.synchronize)
        rows.append(row)
    return rows


def main() -> None:
    import torch

    rows = run(9)
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    lines = [
        "# minitorch_nn CUDA and torch CUDA, beside torch CPU and minitorch_nn CPU",
        "",
        f"Machine: {platform.machine()}, GPU: {gpu}; CPU engines on {THREADS} threads; float32; medians of 9 runs.",
        "Command: `python benchmarks/bench_cuda.py`",
        "",
        "| case | torch CPU ms | ours CPU ms | torch CUDA ms | ours CUDA ms | torch CUDA / ours CUDA |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cuda = r.get("torch_cuda_ms", float("nan"))
        ours_cuda = r.get("ours_cuda_ms", float("nan"))
        lines.append(
            f"| {r['case']} | {r['torch_ms']:.3f} | {r['ours_ms']:.3f} | {cuda:.3f} | {ours_cuda:.3f} "
            f"| {cuda / ours_cuda:.2f}x |"
        )
    write_results("cuda.md", "\n".join(lines) + "\n")


if __name__ == "__main__":
    refuse_options(__doc__)
    main()
