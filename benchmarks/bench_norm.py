"""Benchmark: our BatchNorm2d vs torch CPU in training mode, forward and forward+backward, 2 threads each.

Run ``python benchmarks/bench_norm.py`` from the repository root (``python benchmarks/tables.py
--only norm [--emulate avx2]`` for the AVX2-emulated table). The shapes are ResNet-18's on CIFAR at
batch 64 (benchmarks/bench_models.py): 64 to 512 channels on 32x32 to 4x4 maps. Timing as in
bench_pooling.py: each timing the median of ``repeats`` runs after 50 ms of warm-up calls
(benchmarks/timing.py), the engines interleaved over 3 rounds, the median round reported; ratio =
torch time / our time (above 1: we are faster). Writes benchmarks/results/norm.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.results_file import refuse_options, write_results  # noqa: E402  (after the path is set)
from benchmarks.timing import interleaved_ms, machine_note, results_name  # noqa: E402  (after the path is set)

THREADS = 2
ROUNDS = 3
SHAPES = [(64, 64, 32, 32), (64, 128, 16, 16), (64, 256, 8, 8), (64, 512, 4, 4)]


def run(repeats: int = 7, progress=None) -> list[dict]:
    """Time BatchNorm2d (training) at every shape; one dict per (shape, pass)."""
    import torch

    import minitorch_nn as mt

    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    rows = []
    for shape in SHAPES:
        rng = np.random.default_rng(0)
        x = rng.standard_normal(shape).astype(np.float32)
        upstream = rng.standard_normal(shape).astype(np.float32)
        timings = {}
        for label, lib in (("torch", torch), ("ours", mt)):
            bn = lib.nn.BatchNorm2d(shape[1])
            t = (torch.from_numpy(x.copy()) if lib is torch else mt.tensor(x.copy())).requires_grad_(True)
            grad = torch.from_numpy(upstream) if lib is torch else mt.tensor(upstream)

            def forward(lib=lib, bn=bn, t=t):
                with lib.no_grad():
                    bn(t)

            def forward_backward(bn=bn, t=t, grad=grad):
                bn(t).backward(grad)

            timings[label] = (forward, forward_backward)
        case = f"BatchNorm2d train {shape}"
        for i, label in enumerate(("forward", "forward+backward")):
            torch_ms, ours_ms = interleaved_ms(timings["torch"][i], timings["ours"][i], repeats, ROUNDS)
            rows.append(
                {"case": case, "pass": label, "torch_ms": torch_ms, "ours_ms": ours_ms, "ratio": torch_ms / ours_ms}
            )
            if progress:
                progress(f"norm {case} {label}: {torch_ms / ours_ms:.2f}x")
    return rows


def main() -> None:
    repeats = int(os.environ.get("BENCH_REPEATS", "25"))
    rows = run(repeats, progress=lambda line: print(line, flush=True))
    lines = [
        "# Batch norm: minitorch_nn vs torch CPU",
        "",
        machine_note(THREADS),
        f"float32, training mode; median of {repeats} runs (after 50 ms of warm-up calls) x {ROUNDS} interleaved "
        "rounds. ratio = torch / ours (>1: ours faster). Command: `python benchmarks/bench_norm.py`.",
        "",
        "| shape | pass | torch ms | ours ms | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['case']} | {r['pass']} | {r['torch_ms']:.3f} | {r['ours_ms']:.3f} | {r['ratio']:.2f}x |" for r in rows
    ]
    write_results(results_name("norm"), "\n".join(lines) + "\n")


if __name__ == "__main__":
    refuse_options(__doc__)
    main()
