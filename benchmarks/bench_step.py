"""Benchmark: the whole seed training step (forward, cross-entropy, backward, SGD) vs torch CPU.

Run ``python benchmarks/bench_step.py`` from the repository root. Writes
benchmarks/results/step.md.

Speed: the seed LeNet at batch 1, 16, 64 and 256 and the seed CIFAR Sequential
at batch 64 (issue 6's target: at least 1.0x torch). Both engines on 2
threads, float32, SGD with momentum 0.9; medians of ``repeats`` steps after
50 ms of warm-up steps (benchmarks/timing.py),
measured side by side in one process in 3 interleaved rounds; ratio = torch
time / our time.

Start-up, in fresh subprocesses: the import time, and the first step (LeNet,
batch 64) with an empty Numba cache (cold) and from the cache (warm).

Peak memory, also in a fresh subprocess per engine (only that engine is
imported), LeNet at batch 256. The process reads its own ``/proc/self/status``:

- baseline = VmRSS after the import, the model, the optimizer and the batch
  are built, before any step;
- one warm-up step (it loads the compiled kernels, allocates ``.grad`` and
  the momentum buffers: one-off costs, kept out of the peak);
- VmHWM, the kernel's high-water mark of this process's resident memory, is
  reset to the current VmRSS by writing ``5`` to ``/proc/self/clear_refs``
  and 5 more steps run; peak = VmHWM after them.
  If the reset is not permitted the peak includes the warm-up step, and the
  table says so.

We report the absolute peak, the increment peak - baseline (what training
adds: loaded kernels, gradients, optimizer state, activations, workspace)
and ours/torch for both. RSS counts what the allocator holds, not only live
arrays: glibc keeps freed heap blocks, so the RSS right after the warm-up
step is already close to the peak, and "peak minus RSS after warm-up" would
not be a step's transient memory; hence the increment is taken over the
pre-step baseline.

Why not ``ru_maxrss`` (what an earlier version printed, with both engines
coming out at exactly the same number): on Linux a process's ``ru_maxrss``
survives ``fork`` and ``exec`` -- the child starts as a copy of the parent's
address space, and at ``exec`` the high-water mark of that old address
space is folded into the process's ``maxrss``. So a child started by the
benchmark reports at least the benchmark process's own peak (which held both
engines and all the batches of the speed table), whatever the child does
itself. VmHWM belongs to the address space made by ``exec`` and starts
afresh. The script prints both to show the difference (``ru_maxrss`` column).
(The earlier torch child also imported all of minitorch_nn, through
``minitorch_nn.models``; the children now load the seed models' file alone.)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import machine_note, median_ms, results_name  # noqa: E402  (after the path is set)

THREADS = 2
CASES = (("lenet", 1), ("lenet", 16), ("lenet", 64), ("lenet", 256), ("cifar", 64))
TITLES = {"lenet": "LeNet", "cifar": "CIFAR Sequential"}
MEMORY_BATCH, MEMORY_STEPS = 256, 5

CHILD = """
import importlib.util, json, resource, sys, time
t0 = time.perf_counter()
import numpy as np
engine, model_name, batch, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if engine == "torch":
    import torch as lib
else:
    import minitorch_nn as lib
lib.set_num_threads(2)
t1 = time.perf_counter()
# the seed models' file alone: importing minitorch_nn.models would import all of minitorch_nn into torch's process
spec = importlib.util.spec_from_file_location("seed_models", "minitorch_nn/models.py")
models = importlib.util.module_from_spec(spec)
spec.loader.exec_module(models)
CHANNELS, build = models.CHANNELS, models.build


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB -> MiB


model = build(model_name, lib, CHANNELS[model_name])
opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
rng = np.random.default_rng(0)
x = lib.tensor(rng.standard_normal((batch, CHANNELS[model_name], 32, 32)).astype(np.float32))
y = lib.tensor(rng.integers(0, 10, batch))
loss_fn = lib.nn.CrossEntropyLoss()


def step():
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    opt.step()


baseline = status("VmRSS")
t2 = time.perf_counter()
step()
t3 = time.perf_counter()
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current VmRSS
    reset = True
except OSError:
    reset = False
for _ in range(steps):
    step()
print(json.dumps({
    "import_s": t1 - t0, "first_step_s": t3 - t2, "baseline_mb": baseline, "peak_mb": status("VmHWM"),
    "hwm_reset": reset, "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def code_version() -> str:
    """The commit measured, and the files under minitorch_nn/ that differ from it (work in progress)."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return run.stdout.rstrip() if run.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "minitorch_nn").splitlines()
    files = ", ".join(line[3:] for line in dirty if line.endswith(".py"))
    return f"Code: commit {commit}" + (f", with uncommitted changes in {files}." if files else ".")


def _step(lib, model_name: str, batch: int):
    from minitorch_nn.models import CHANNELS, build

    model = build(model_name, lib, CHANNELS[model_name])
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(batch)
    x = lib.tensor(rng.standard_normal((batch, CHANNELS[model_name], 32, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    loss_fn = lib.nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def run(repeats: int = 15, progress=None) -> list[dict]:
    """Time every step case; ``progress(line)`` is called after each."""
    import torch

    import minitorch_nn as mt
    from minitorch_nn.kernels.cpu import cpu_info

    torch.set_num_threads(THREADS)
    mt.set_num_threads(THREADS)
    rows = []
    for model_name, batch in CASES:
        ours, theirs = _step(mt, model_name, batch), _step(torch, model_name, batch)
        # interleave rounds so both engines see the same machine load
        t_ms, o_ms = [], []
        for _ in range(3):
            t_ms.append(median_ms(theirs, repeats))
            o_ms.append(median_ms(ours, repeats))
        t, o = float(np.median(t_ms)), float(np.median(o_ms))
        rows.append(
            {
                "case": f"{TITLES[model_name]} training step, batch {batch}",
                "pass": "fwd+loss+bwd+sgd",
                "torch_ms": t,
                "ours_ms": o,
                "ratio": t / o,
                "path": cpu_info.kernel_path().name,
            }
        )
        if progress:
            progress(f"step {rows[-1]['case']}: {t / o:.2f}x")
    return rows


def _subprocess(engine: str, batch: int, steps: int, cache: str) -> dict:
    """Run CHILD in a fresh interpreter (only ``engine`` imported) and return what it measured."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, engine, "lenet", str(batch), str(steps)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def startup_and_memory() -> dict:
    with tempfile.TemporaryDirectory() as cache:
        cold = _subprocess("minitorch", 64, 0, cache)
        warm = _subprocess("minitorch", 64, 0, cache)
        ours_mem = _subprocess("minitorch", MEMORY_BATCH, MEMORY_STEPS, cache)
    torch_first = _subprocess("torch", 64, 0, tempfile.gettempdir())
    torch_mem = _subprocess("torch", MEMORY_BATCH, MEMORY_STEPS, tempfile.gettempdir())
    return {
        "import_s": warm["import_s"],
        "first_step_cold_s": cold["first_step_s"],
        "first_step_warm_s": warm["first_step_s"],
        "torch_import_s": torch_first["import_s"],
        "torch_first_step_s": torch_first["first_step_s"],
        "ours_mem": ours_mem,
        "torch_mem": torch_mem,
        "parent_ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def memory_lines(extra: dict) -> list[str]:
    ours, theirs = extra["ours_mem"], extra["torch_mem"]
    lines = [
        "",
        f"Peak resident memory, LeNet batch {MEMORY_BATCH}, a fresh process per engine, {MEMORY_STEPS} steps "
        "after one warm-up step (method in the script docstring; MiB):",
        "",
        "| engine | baseline (import + model + batch) | peak during the steps | increment (peak - baseline) "
        "| ru_maxrss (not used) |",
        "|---|---:|---:|---:|---:|",
    ]

    def cells(m: dict) -> list[float]:
        return [m["baseline_mb"], m["peak_mb"], m["peak_mb"] - m["baseline_mb"]]

    for name, m in (("torch", theirs), ("ours", ours)):
        lines.append(f"| {name} | " + " | ".join(f"{v:.1f}" for v in cells(m)) + f" | {m['ru_maxrss_mb']:.1f} |")
    ratios = [a / b if b > 0 else float("nan") for a, b in zip(cells(ours), cells(theirs))]
    lines += [
        "| ours / torch | " + " | ".join(f"{r:.2f}" for r in ratios) + " | |",
        "",
        "Increment: what training adds over the built model (loaded kernels, gradients, momentum buffers, "
        "activations, workspace, and the heap the allocator keeps). ru_maxrss is shown only to show why it is "
        "not used: each child reports the benchmark process's own peak.",
        f"The benchmark process that started them had ru_maxrss {extra['parent_ru_maxrss_mb']:.1f} MiB.",
    ]
    if not (ours["hwm_reset"] and theirs["hwm_reset"]):
        lines.append("VmHWM could not be reset here: the peaks include the warm-up step.")
    return lines


def main() -> None:
    rows = run(progress=lambda line: print(line, flush=True))
    extra = startup_and_memory()
    lines = [
        "# Seed training steps: minitorch_nn vs torch CPU",
        "",
        machine_note(THREADS),
        "float32; median of 3 interleaved rounds of 15 steps, each after 50 ms of warm-up steps. "
        "ratio = torch / ours (>1: ours faster).",
        "Command: `python benchmarks/bench_step.py`. " + code_version(),
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
    ]
    lines += memory_lines(extra)
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / results_name("step")).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
