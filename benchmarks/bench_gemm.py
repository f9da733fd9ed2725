# ruff: noqa: N803, N806  (matrix names A, B, M, K, N follow the math)
"""Benchmark: our GEMM kernels (kernels/cpu/gemm.py) against NumPy's OpenBLAS and torch's MKL, at
the matrix shapes the models use, in GFLOP/s on one thread.

Run ``python benchmarks/bench_gemm.py`` from the repository root. Each case is a product
C (M x N) = A (M x K) @ B (K x N) in float32:

- ``nn``: our ``shifted_gemm_nn`` with B's rows as plain offsets (rows[k] = k N), the kernel of the
  convolutions' forward and grad input;
- ``nt``: our ``shifted_gemm_nt``, C = A B^T with both operands row-major (the grad weight's form);
- NumPy's ``a @ b`` (OpenBLAS) and torch's ``torch.mm`` (MKL / oneDNN) on the same arrays.

Shapes: LeNet conv2's products at batch 64, the CIFAR 64->64 3x3 Winograd products (one of 16),
ResNet-18's 3x3 convolutions as im2col products at 32/16/8/4 maps (batch 8: N = 8 H W), VGG-11's
classifier at batch 64 forward and backward (dW = gout^T x, dX = gout W), the LSTM's step product.

Every engine runs on ONE thread (NUMBA_NUM_THREADS, OPENBLAS_NUM_THREADS, torch.set_num_threads
set before import), each call timed by the thread's CPU time (``time.thread_time``, which others'
load hardly moves), engines interleaved call by call, the median reported. Prints a Markdown
table; writes nothing. ``--only WORD`` keeps the cases whose name contains WORD.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

for _variable in ("NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("MINITORCH_COMPILE", "inline")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from minitorch_nn.kernels.cpu import cpu_info, gemm  # noqa: E402

# (name, M, K, N, which of our kernels: "nn" or "nt")
CASES = [
    ("lenet conv2 fwd (16x150 @ 150x6400)", 16, 150, 6400, "nn"),
    ("lenet conv2 dW (16x6400 @ 6400x150)", 16, 6400, 150, "nt"),
    ("lenet conv2 dX (6x400 @ 400x9216)", 6, 400, 9216, "nn"),
    ("cifar winograd 64->64 (64x64 @ 64x4096)", 64, 64, 4096, "nn"),
    ("resnet 3x3 64ch 32x32 (64x576 @ 576x8192)", 64, 576, 8192, "nn"),
    ("resnet 3x3 128ch 16x16 (128x1152 @ 1152x2048)", 128, 1152, 2048, "nn"),
    ("resnet 3x3 256ch 8x8 (256x2304 @ 2304x512)", 256, 2304, 512, "nn"),
    ("resnet 3x3 512ch 4x4 (512x4608 @ 4608x128)", 512, 4608, 128, "nn"),
    ("resnet 3x3 64ch dW (64x8192 @ 8192x576)", 64, 8192, 576, "nt"),
    ("resnet 3x3 256ch dW (256x512 @ 512x2304)", 256, 512, 2304, "nt"),
    ("vgg fc1 fwd (64x512 @ 512x4096)", 64, 512, 4096, "nn"),
    ("vgg fc2 fwd (64x4096 @ 4096x4096)", 64, 4096, 4096, "nn"),
    ("vgg fc3 fwd (64x4096 @ 4096x10)", 64, 4096, 10, "nt"),
    ("vgg fc2 dW (4096x64 @ 64x4096)", 4096, 64, 4096, "nn"),
    ("vgg fc2 dX (64x4096 @ 4096x4096)", 64, 4096, 4096, "nn"),
    ("vgg fc1 dX (64x4096 @ 4096x512)", 64, 4096, 512, "nn"),
    ("lstm step (32x256 @ 256x1024)", 32, 256, 1024, "nn"),
]


def _ours(A: np.ndarray, B: np.ndarray, kind: str):
    """A call of our kernel computing A @ B (B given as K x N for nn, as N x K rows for nt)."""
    M, K = A.shape
    if kind == "nn":
        N = B.shape[1]
        A3, src = A[None], B.reshape(-1)
        rows = (np.arange(K, dtype=np.int64) * N)[None]
        drows = (np.arange(M, dtype=np.int64) * N)[None]
        bases = np.zeros((1, 2), np.int64)
        dst = np.empty(M * N, np.float32)
        kernel = gemm.nn_kernel(gemm.PATH)

        def call():
            kernel(A3, src, rows, dst, drows, bases, N, True)
            return dst.reshape(M, N)

        return call
    Bt = np.ascontiguousarray(B.T)  # (N, K): acc[m, n] = sum_k A[m, k] Bt[n, k]
    N = Bt.shape[0]
    arows = (np.arange(M, dtype=np.int64) * K)[None]
    rows = (np.arange(N, dtype=np.int64) * K)[None]
    bases = np.zeros((1, 2), np.int64)
    acc = np.zeros((1, M, N), np.float32)
    flat_a, flat_b = A.reshape(-1), Bt.reshape(-1)

    def call():
        acc[:] = 0
        gemm.shifted_gemm_nt(flat_a, arows, flat_b, rows, bases, K, acc)
        return acc[0]

    return call


def _median_cpu_s(calls: list, budget_s: float) -> list[float]:
    """Median thread CPU time of each call, interleaved call by call until budget_s of CPU is spent."""
    for call in calls:
        call()
    times: list[list[float]] = [[] for _ in calls]
    spent = 0.0
    while spent < budget_s or len(times[0]) < 5:
        for i, call in enumerate(calls):
            t0 = time.thread_time()
            call()
            dt = time.thread_time() - t0
            times[i].append(dt)
            spent += dt
    return [float(np.median(t)) for t in times]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="keep the cases whose name contains this")
    parser.add_argument("--budget", type=float, default=1.0, help="CPU seconds per case (default 1)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"CPU: {cpu_info.cpu_model()}; Numba target {cpu_info.isa_name()}, our tile {gemm.PATH.name}; 1 thread")
    print()
    print("| product | ours GFLOP/s | OpenBLAS | torch | ours / best | max rel. error |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, M, K, N, kind in CASES:
        if args.only not in name:
            continue
        A = rng.standard_normal((M, K)).astype(np.float32)
        B = rng.standard_normal((K, N)).astype(np.float32)
        ours = _ours(A, B, kind)
        tA, tB = torch.from_numpy(A), torch.from_numpy(B)
        want = A.astype(np.float64) @ B.astype(np.float64)
        error = float(np.abs(ours() - want).max() / np.abs(want).max())
        blas, mkl = functools.partial(np.matmul, A, B), functools.partial(torch.mm, tA, tB)
        seconds = _median_cpu_s([ours, blas, mkl], args.budget)
        gflops = [2 * M * K * N / s / 1e9 for s in seconds]
        print(
            f"| {name} [{kind}] | {gflops[0]:.1f} | {gflops[1]:.1f} | {gflops[2]:.1f} "
            f"| {gflops[0] / max(gflops[1:]):.2f} | {error:.1e} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
