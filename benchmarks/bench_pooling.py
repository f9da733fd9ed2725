"""Benchmark: our pooling vs torch CPU, forward and forward+backward, 2 threads each.

Run ``python benchmarks/bench_pooling.py`` from the repository root (or
``minitorch-nn bench --only pooling``). Shapes come from the registry's
BenchCases (reference/registry/pooling.py). Each timing is the median of
``repeats`` runs after 50 ms of warm-up calls (benchmarks/timing.py), the two engines measured side by side in one process and
interleaved over 3 rounds (the median of the rounds is reported); ratio =
torch time / our time (above 1: we are faster). Compile time is measured in
fresh subprocesses: cold (empty NUMBA_CACHE_DIR) and warm (from that cache).
Writes a markdown table to benchmarks/results/pooling.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.results_file import refuse_options, write_results  # noqa: E402  (after the path is set)
from benchmarks.timing import interleaved_ms, machine_note, results_name  # noqa: E402  (after the path is set)

THREADS = 2
ROUNDS = 3
COMPILE_SNIPPET = """
import time
import numpy as np
import minitorch_nn as mt
F = mt.nn.functional
start = time.perf_counter()
for dtype in (np.float32, np.float64):  # float32: the 2x2 tilings (max, avg), the max grid, the backward scatter; float64: NumPy
    x = mt.tensor(np.arange(2 * 2 * 6 * 6, dtype=dtype).reshape(2, 2, 6, 6), requires_grad=True)
    for y in (F.max_pool2d(x, 2), F.max_pool2d(x, 3, 1), F.avg_pool2d(x, 2)):
        y.backward(mt.tensor(np.ones(y.shape, dtype)))
print(time.perf_counter() - start)
"""


def _compile_seconds(cache_dir: str) -> float:
    """Compile + first call of every pooling kernel, in a fresh process."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run(
        [sys.executable, "-c", COMPILE_SNIPPET], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def _module_call(name: str):
    """The BenchCase kwargs as the module torch code would use (values only, no indices)."""
    return lambda lib, x, **kw: getattr(lib.nn.functional, name)(x, **kw)


def run(repeats: int = 7, progress=None) -> list[dict]:
    """Time every pooling BenchCase; one dict per (shape, pass) with torch_ms, ours_ms, ratio and the
    kernel path taken; ``progress(line)`` is called after each."""
    import torch

    import minitorch_nn as mt
    from minitorch_nn.kernels.cpu import pooling as pooling_kernels
    from reference.registry import op

    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    rows = []
    for name in ("max_pool2d", "avg_pool2d"):
        call = _module_call(name)
        for case in op(name).bench:
            sample = case.make(np.random.default_rng(0))
            x = sample.inputs[0].astype(np.float32)
            kw = sample.kwargs
            path = pooling_kernels.describe_path(
                name.split("_")[0], x.shape, kw["kernel_size"], kw.get("stride"), kw.get("padding", 0)
            )
            upstream = None
            timings = {}
            for label, lib in (("torch", torch), ("ours", mt)):
                t = torch.from_numpy(x.copy()) if lib is torch else mt.tensor(x.copy())
                t.requires_grad_(True)
                out = call(lib, t, **sample.kwargs)
                if upstream is None:
                    upstream = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float32)
                grad = torch.from_numpy(upstream) if lib is torch else mt.tensor(upstream)

                def forward(lib=lib, t=t, kwargs=sample.kwargs, call=call):
                    with lib.no_grad():
                        call(lib, t, **kwargs)

                def forward_backward(lib=lib, t=t, grad=grad, kwargs=sample.kwargs, call=call):
                    call(lib, t, **kwargs).backward(grad)

                timings[label] = (forward, forward_backward)
            for i, label in enumerate(("forward", "forward+backward")):
                torch_ms, ours_ms = interleaved_ms(timings["torch"][i], timings["ours"][i], repeats, ROUNDS)
                rows.append(
                    {
                        "case": case.label,
                        "pass": label,
                        "torch_ms": torch_ms,
                        "ours_ms": ours_ms,
                        "ratio": torch_ms / ours_ms,
                        "path": path,
                    }
                )
                if progress:
                    progress(f"pooling {case.label} {label} [{path}]: {torch_ms / ours_ms:.2f}x")
    return rows


def compile_times() -> dict:
    with tempfile.TemporaryDirectory() as cache:
        cold = _compile_seconds(cache)
        warm = _compile_seconds(cache)
    return {"cold_s": cold, "warm_s": warm}


def main() -> None:
    repeats = int(os.environ.get("BENCH_REPEATS", "25"))
    rows = run(repeats, progress=lambda line: print(line, flush=True))
    compile_info = compile_times()
    lines = [
        "# Pooling: minitorch_nn vs torch CPU",
        "",
        machine_note(THREADS),
        f"float32; median of {repeats} runs (after 50 ms of warm-up calls) x {ROUNDS} interleaved rounds. "
        "ratio = torch / ours (>1: ours faster). Command: `python benchmarks/bench_pooling.py` "
        "(`minitorch-nn bench --only pooling [--emulate avx2]`).",
        "",
        "| shape | path | pass | torch ms | ours ms | ratio |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['path']} | {r['pass']} | {r['torch_ms']:.3f} | {r['ours_ms']:.3f} | {r['ratio']:.2f}x |"
        )
    lines += [
        "",
        "JIT compile + first call of the pooling kernels of 2x2 max and average pooling and a 3x3 stride-1 max "
        "pooling (2x2 tilings, max grid, backward scatter; float32; float64 runs in NumPy), "
        f"in a fresh process: cold (empty cache) {compile_info['cold_s']:.2f} s, warm (from the on-disk cache) "
        f"{compile_info['warm_s']:.2f} s.",
        "",
    ]
    write_results(results_name("pooling"), "\n".join(lines))


if __name__ == "__main__":
    refuse_options(__doc__)
    main()
