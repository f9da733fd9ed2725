"""Profile: LeNet conv2's forward on the batch-last direct path, pass by pass, against torch.

Run ``python benchmarks/profile_lenet_conv.py`` from the repository root. One thread for both
engines, CPU time of the calling thread (median of 60 calls), so the split is steady on a loaded
machine: the copy into the batch-last layout, the shifted GEMM (and its GFLOP/s), the copy back
with bias, and the whole ``conv_forward``, for the batch sizes of the training-step benchmark.
Prints a table; writes nothing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402  (after the thread settings)


def _cpu_ms(call, repeats: int = 60) -> float:
    for _ in range(3):
        call()
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        call()
        times.append(time.thread_time() - start)
    return float(np.median(times)) * 1e3


def _row(n: int, rng: np.random.Generator) -> str:
    """One table row: conv2's forward at batch n, whole and by pass."""
    import torch

    from minitorch_nn.kernels.cpu import conv as conv_kernels
    from minitorch_nn.kernels.cpu.conv import direct
    from minitorch_nn.kernels.cpu.gemm import shifted_gemm_nn

    args = ((1, 1, 1), (0, 0, 0), (1, 1, 1), 1)
    x = rng.standard_normal((n, 6, 1, 14, 14)).astype(np.float32)
    w = rng.standard_normal((16, 6, 1, 5, 5)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    xt, wt, bt = torch.from_numpy(x[:, :, 0]), torch.from_numpy(w[:, :, 0]), torch.from_numpy(b)
    torch_ms = _cpu_ms(lambda: torch.nn.functional.conv2d(xt, wt, bt))
    ours_ms = _cpu_ms(lambda: conv_kernels.conv_forward(x, w, b, *args))
    plan = direct._direct_plan((6, 1, 14, 14), (1, 5, 5), 16, 1, (0, 0, 0), (1, 1, 1), n)
    batch_last = np.zeros((6, 1, 14, 14, n), np.float32)
    y = np.empty((16, 1, 10, 10, n), np.float32)
    out = np.empty((n, 16, 1, 10, 10), np.float32)
    no_pad = np.zeros(3, np.int64)
    to_ms = _cpu_ms(lambda: direct.to_batch_last(x, no_pad, 0, n, batch_last))
    flat_x, flat_y = batch_last.reshape(-1), y.reshape(-1)
    gemm_ms = _cpu_ms(
        lambda: shifted_gemm_nn(
            w.reshape(1, 16, 150), flat_x, plan.rows, flat_y, plan.out_rows, plan.forward, plan.run, True
        )
    )
    back_ms = _cpu_ms(lambda: direct.from_batch_last(y, no_pad, b, 0, out))
    gflops = n * 16 * 100 * 150 * 2 / gemm_ms / 1e6
    return f"| {n} | {torch_ms:.3f} | {ours_ms:.3f} | {to_ms:.3f} | {gemm_ms:.3f} ({gflops:.0f}) | {back_ms:.3f} |"


def main() -> None:
    import torch

    import minitorch_nn as mt
    from minitorch_nn.kernels.cpu import conv as conv_kernels

    torch.set_num_threads(1)
    mt.set_num_threads(1)
    conv_kernels.DIRECT_LAYOUT = "batch_last"
    rng = np.random.default_rng(0)
    print("| batch | torch ms | ours ms | to batch-last | GEMM ms (GFLOP/s) | back + bias |")
    print("|---|---|---|---|---|---|")
    for n in (16, 64, 128):
        print(_row(n, rng), flush=True)


if __name__ == "__main__":
    main()
