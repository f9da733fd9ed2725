"""Benchmark: our convolution vs torch CPU, forward and forward+backward, 2 threads each.

Run ``python benchmarks/bench_conv.py`` from the repository root. Shapes come
from the registry's BenchCases (reference/registry/conv.py). Each timing is the
median of ``repeats`` runs after 50 ms of warm-up calls (benchmarks/timing.py says why), both engines measured side by side in one process;
ratio = torch time / our time (above 1: we are faster). Compile time is measured
in fresh subprocesses: cold (empty NUMBA_CACHE_DIR) and warm (from that cache).
Writes a markdown table to benchmarks/results/conv.md.
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
CONV_CALLS = """
from minitorch_nn.kernels.cpu import conv as conv_kernels
# every path: Winograd (3x3), direct (stride 1; both layouts, with and without padding),
# strided im2col (NumPy); the Numba kernels are float32 only, float64 runs the NumPy path
for layout in ("wide", "batch_last"):
    conv_kernels.DIRECT_LAYOUT = layout
    for dtype in (np.float32, np.float64):
        for k, stride, padding in ((3, 1, 0), (5, 1, 0), (5, 1, 1), (3, 2, 0)):
            x = mt.tensor(np.ones((2, 2, 7, 7), dtype), requires_grad=True)
            w = mt.tensor(np.ones((2, 2, k, k), dtype), requires_grad=True)
            y = mt.nn.functional.conv2d(x, w, stride=stride, padding=padding)
            y.backward(mt.tensor(np.ones(y.shape, dtype)))
"""
# the pooling kernels, as benchmarks/bench_pooling.py compiles them: the budget is
# for all conv and pooling kernels together
POOLING_CALLS = """
for dtype in (np.float32, np.float64):
    x = mt.tensor(np.arange(2 * 2 * 6 * 6, dtype=dtype).reshape(2, 2, 6, 6), requires_grad=True)
    for y in (mt.nn.functional.max_pool2d(x, 2), mt.nn.functional.max_pool2d(x, 3, 1),
              mt.nn.functional.avg_pool2d(x, 2)):
        y.backward(mt.tensor(np.ones(y.shape, dtype)))
"""


def _snippet(calls: str) -> str:
    """A program that imports the engine, then times ``calls`` (compile + first call)."""
    return (
        "import time\nimport numpy as np\nimport minitorch_nn as mt\nt = time.perf_counter()\n"
        + calls
        + "print(time.perf_counter() - t)\n"
    )


def _compile_seconds(cache_dir: str, calls: str = CONV_CALLS) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run(
        [sys.executable, "-c", _snippet(calls)], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def _lenet_case(label: str, n: int, c: int, size: int, o: int):
    """Extra LeNet shapes at the batch sizes of the training-step benchmark (1 and 256)."""
    from reference.compare import Sample
    from reference.registry import BenchCase

    def make(rng: np.random.Generator) -> Sample:
        x = rng.standard_normal((n, c, size, size))
        w = rng.standard_normal((o, c, 5, 5)) / np.sqrt(c * 25)
        b = rng.standard_normal((o,))
        return Sample((x, w, b), {"stride": 1, "padding": 0, "dilation": 1, "groups": 1})

    return BenchCase(label, make)


def run(repeats: int = 7, progress=None) -> list[dict]:
    """Time every conv BenchCase; one dict per (shape, pass) with torch_ms, ours_ms, ratio and the
    kernel path taken; ``progress(line)`` is called after each."""
    import torch

    import minitorch_nn as mt
    from minitorch_nn.kernels.cpu import conv as conv_kernels
    from reference.registry import op

    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    info = op("conv2d")
    rows = []
    extra = (
        _lenet_case("LeNet conv1 (1, 1x32x32 -> 6, k5)", 1, 1, 32, 6),
        _lenet_case("LeNet conv2 (1, 6x14x14 -> 16, k5)", 1, 6, 14, 16),
        _lenet_case("LeNet conv2 (256, 6x14x14 -> 16, k5)", 256, 6, 14, 16),
    )
    for case in tuple(info.bench) + extra:
        sample = case.make(np.random.default_rng(0))
        arrays = [a.astype(np.float32) for a in sample.inputs]
        kw = sample.kwargs
        path = conv_kernels.describe_path(
            arrays[0].shape, arrays[1].shape, kw["stride"], kw["padding"], kw["dilation"], kw["groups"]
        )
        upstream = None
        timings = {}
        for name, lib in (("torch", torch), ("ours", mt)):
            tensors = [torch.from_numpy(a.copy()) if lib is torch else mt.tensor(a.copy()) for a in arrays]
            for t in tensors:
                t.requires_grad_(True)
            out = info.call(lib, *tensors, **sample.kwargs)
            if upstream is None:
                upstream = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float32)
            grad = torch.from_numpy(upstream) if lib is torch else mt.tensor(upstream)

            def forward(lib=lib, tensors=tensors, kwargs=sample.kwargs):
                with lib.no_grad():
                    info.call(lib, *tensors, **kwargs)

            def forward_backward(lib=lib, tensors=tensors, grad=grad, kwargs=sample.kwargs):
                info.call(lib, *tensors, **kwargs).backward(grad)

            timings[name] = (forward, forward_backward)
        for i, label in enumerate(("forward", "forward+backward")):
            torch_ms, ours_ms = interleaved_ms(timings["torch"][i], timings["ours"][i], repeats)
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
                progress(f"conv {case.label} {label} [{path}]: {torch_ms / ours_ms:.2f}x")
    return rows


def compile_times() -> dict:
    """Cold and warm compile of the conv kernels, and of conv and pooling kernels in one process."""
    times = {}
    for key, calls in (("", CONV_CALLS), ("all_", CONV_CALLS + POOLING_CALLS)):
        with tempfile.TemporaryDirectory() as cache:
            times[key + "cold_s"] = _compile_seconds(cache, calls)
            times[key + "warm_s"] = _compile_seconds(cache, calls)
    return times


def main() -> None:
    repeats = int(os.environ.get("BENCH_REPEATS", "7"))
    rows = run(repeats, progress=lambda line: print(line, flush=True))
    compile_info = compile_times()
    lines = [
        "# Convolution: minitorch_nn vs torch CPU",
        "",
        machine_note(THREADS),
        f"float32; median of {repeats} runs (after 50 ms of warm-up calls) x 3 interleaved rounds. "
        "ratio = torch / ours (>1: ours faster). Command: `python benchmarks/bench_conv.py` "
        "(`minitorch-nn bench --only conv [--emulate avx2]`).",
        "",
        "| shape | path | pass | torch ms | ours ms | ratio |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['path']} | {r['pass']} | {r['torch_ms']:.2f} | {r['ours_ms']:.2f} | {r['ratio']:.2f}x |"
        )
    lines += [
        "",
        "JIT compile + first call of every conv path (Winograd, direct in both layouts, strided im2col; "
        "forward and backward; float32 and float64, whose Numba kernels are float32 only): "
        f"cold (empty cache) {compile_info['cold_s']:.2f} s, warm (from the on-disk cache) {compile_info['warm_s']:.2f} s. "
        "With the pooling kernels (benchmarks/bench_pooling.py's calls), in one process: "
        f"cold {compile_info['all_cold_s']:.2f} s, warm {compile_info['all_warm_s']:.2f} s.",
        "",
    ]
    write_results(results_name("conv"), "\n".join(lines))


if __name__ == "__main__":
    refuse_options(__doc__)
    main()
