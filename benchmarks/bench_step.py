"""Benchmark: the whole seed LeNet training step (forward, cross-entropy, backward, SGD) vs torch CPU.

Run ``python benchmarks/bench_step.py`` from the repository root. Both engines
on 2 threads, float32, medians of ``repeats`` steps measured side by side in
one process; ratio = torch time / our time. In fresh subprocesses it also
measures the import time, the first step with an empty Numba cache (cold) and
from the cache (warm), and the peak resident memory of a batch-256 step for
each engine. Writes benchmarks/results/step.md.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THREADS = 2
BATCHES = (1, 64, 256)

FIRST_STEP = """
import time, resource, sys
t0 = time.perf_counter()
import numpy as np
if sys.argv[1] == "torch":
    import torch as lib
    lib.set_num_threads(2)
else:
    import minitorch_nn as lib
    lib.set_num_threads(2)
from minitorch_nn.models import lenet
t1 = time.perf_counter()
model = lenet(lib)()
opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
batch = int(sys.argv[2])
x = lib.tensor(np.random.default_rng(0).standard_normal((batch, 1, 32, 32)).astype(np.float32))
y = lib.tensor(np.random.default_rng(1).integers(0, 10, batch))
for _ in range(int(sys.argv[3])):
    opt.zero_grad()
    lib.nn.CrossEntropyLoss()(model(x), y).backward()
    opt.step()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _median_ms(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e3)


def _step(lib, batch: int):
    from minitorch_nn.models import lenet

    model = lenet(lib)()
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(batch)
    x = lib.tensor(rng.standard_normal((batch, 1, 32, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    loss_fn = lib.nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def run(repeats: int = 15) -> list[dict]:
    import torch

    import minitorch_nn as mt

    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    rows = []
    for batch in BATCHES:
        ours, theirs = _step(mt, batch), _step(torch, batch)
        # interleave rounds so both engines see the same machine load
        t_ms, o_ms = [], []
        for _ in range(3):
            t_ms.append(_median_ms(theirs, repeats))
            o_ms.append(_median_ms(ours, repeats))
        t, o = float(np.median(t_ms)), float(np.median(o_ms))
        rows.append(
            {
                "case": f"LeNet training step, batch {batch}",
                "pass": "fwd+loss+bwd+sgd",
                "torch_ms": t,
                "ours_ms": o,
                "ratio": t / o,
            }
        )
    return rows


def _subprocess(engine: str, batch: int, steps: int, cache: str) -> tuple[float, float, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", FIRST_STEP, engine, str(batch), str(steps)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    imp, first, rss = (float(v) for v in out.stdout.split())
    return imp, first, rss


def startup_and_memory() -> dict:
    with tempfile.TemporaryDirectory() as cache:
        cold = _subprocess("minitorch", 64, 1, cache)
        warm = _subprocess("minitorch", 64, 1, cache)
        ours_mem = _subprocess("minitorch", 256, 3, cache)[2]
    torch_first = _subprocess("torch", 64, 1, tempfile.gettempdir())
    torch_mem = _subprocess("torch", 256, 3, tempfile.gettempdir())[2]
    return {
        "import_s": warm[0],
        "first_step_cold_s": cold[1],
        "first_step_warm_s": warm[1],
        "torch_import_s": torch_first[0],
        "torch_first_step_s": torch_first[1],
        "peak_rss_mb": ours_mem,
        "torch_peak_rss_mb": torch_mem,
    }


def main() -> None:
    rows = run()
    extra = startup_and_memory()
    lines = [
        "# Seed LeNet training step: minitorch_nn vs torch CPU",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; both engines on {THREADS} threads; float32; "
        "median of 3 interleaved rounds of 15 steps. ratio = torch / ours (>1: ours faster).",
        "Command: `python benchmarks/bench_step.py`",
        "",
        "| case | torch ms | ours ms | ratio |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r['case']} | {r['torch_ms']:.2f} | {r['ours_ms']:.2f} | {r['ratio']:.2f}x |" for r in rows]
    lines += [
        "",
        f"Import: ours {extra['import_s']:.2f} s, torch {extra['torch_import_s']:.2f} s. "
        f"First step (batch 64) in a new process: ours {extra['first_step_cold_s']:.2f} s with an empty Numba cache, "
        f"{extra['first_step_warm_s']:.2f} s from the cache; torch {extra['torch_first_step_s']:.2f} s.",
        f"Peak resident memory of a process running 3 batch-256 steps: ours {extra['peak_rss_mb']:.0f} MB, "
        f"torch {extra['torch_peak_rss_mb']:.0f} MB.",
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / "step.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
