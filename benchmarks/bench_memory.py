"""Benchmark: the memory a training step takes, ours against torch CPU (seed LeNet, batch 256).

Run ``python benchmarks/bench_memory.py`` from the repository root (or
``minitorch-nn bench --only memory``). Writes benchmarks/results/memory.md.

Method. Each engine runs in a fresh interpreter of its own (only that engine
imported: one engine's allocator state and loaded libraries never count for
the other). Both build the seed LeNet of minitorch_nn/models.py (the file
loaded alone, so torch's process does not import minitorch_nn) and overwrite
its parameters, in ``named_parameters`` order, with the same seeded NumPy
values; the batch is the same seeded array; SGD with momentum 0.9. The
children print their losses, and the table checks that they agree, so the
two engines did the same computation. The process reads its own
``/proc/self/status``:

- baseline: VmRSS once the model, the optimizer and the batch are built;
- step 1 runs (it loads the kernels' code, allocates ``.grad`` and the
  momentum buffers), then VmHWM (the high-water mark of the resident size)
  is reset to the current VmRSS (``5`` written to ``/proc/self/clear_refs``)
  and steps 2..N run;
- peak: VmHWM after them; increment: peak - baseline, what training adds over
  the built model (code, gradients, optimizer state, activations, scratch,
  and what the allocator keeps).

RSS counts what the allocator holds, not only the live arrays: glibc keeps
freed heap blocks (both engines' arrays come from malloc, and
kernels/cpu/memory.py tells glibc to keep freed memory; torch's process gets
glibc's defaults), so RSS does not drop after a step, and the peak of steps
2..N over the pre-step baseline is what a step really costs to have running.

A third child (ours only) looks inside: NumPy reports its array allocations to
``tracemalloc``, and a hook after every backward node records the traced
memory; at the node where it is highest (the peak of backward), what is live
and was not once the model and batch were built is listed by the line that
allocated it (a scratch buffer by the kernel line that asked for it). The
traced peak of a whole step, taken in a step without the hooks, is given too.

``run()`` gives ``minitorch-nn bench`` rows of MiB, not ms, in its ``torch_ms``
and ``ours_ms`` columns (ratio torch / ours: above 1 we use less).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.results_file import refuse_options, write_results  # noqa: E402  (after the path is set)

THREADS = 2
BATCH, STEPS = 256, 6  # steps in all: the first is the warm-up, the peak is taken over the rest

CHILD = r"""
import gc, importlib.util, json, sys
import numpy as np
engine, batch, steps, threads, inspect = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
if inspect == "1":
    import tracemalloc
    tracemalloc.start(8)
if engine == "torch":
    import torch as lib
else:
    import minitorch_nn as lib
lib.set_num_threads(threads)
spec = importlib.util.spec_from_file_location("seed_models", "minitorch_nn/models.py")
models = importlib.util.module_from_spec(spec)
spec.loader.exec_module(models)


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB -> MiB


model = models.build("lenet", lib, 1)
rng = np.random.default_rng(0)
with lib.no_grad():
    for _, p in model.named_parameters():
        p.copy_(lib.tensor((0.1 * rng.standard_normal(tuple(p.shape))).astype(np.float32)))
opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = lib.tensor(rng.standard_normal((batch, 1, 32, 32)).astype(np.float32))
y = lib.tensor(rng.integers(0, 10, batch))
loss_fn = lib.nn.CrossEntropyLoss()
losses = []


def step(before_backward=None):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    if before_backward is not None:
        before_backward(loss)
    loss.backward()
    opt.step()
    losses.append(float(loss.item()))


gc.collect()
out = {"baseline_mb": status("VmRSS")}
if inspect == "1":
    out["traced_baseline_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
    built = tracemalloc.take_snapshot()
step()
out["after_step1_mb"] = status("VmRSS")
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current VmRSS
    out["hwm_reset"] = True
except OSError:
    out["hwm_reset"] = False
if inspect != "1":
    for _ in range(steps - 1):
        step()
else:
    best = {"current": -1, "overhead": 0}

    def record(*_):
        # the snapshot kept so far is traced memory itself: not counted
        current = tracemalloc.get_traced_memory()[0] - best["overhead"]
        if current > best["current"]:
            best.update(snapshot=None)
            before = tracemalloc.get_traced_memory()[0]
            best.update(current=current, snapshot=tracemalloc.take_snapshot())
            best["overhead"] = tracemalloc.get_traced_memory()[0] - before

    def hook_every_node(loss):
        seen, stack = set(), [loss.grad_fn]
        while stack:
            node = stack.pop()
            if node is None or node in seen:
                continue
            seen.add(node)
            node.register_hook(record)
            stack.extend(n for n, _ in node.next_functions)

    tracemalloc.reset_peak()
    step()  # without the hooks, whose snapshots are traced memory too
    out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    step(hook_every_node)
    import linecache
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
    # what is live at the peak of backward and was not once the model and batch were built, by the
    # line that allocated it
    grown = best["snapshot"].filter_traces(ignore).compare_to(built.filter_traces(ignore), "traceback")

    def where(tb):
        # the newest frame in our code outside the engine and scratch() (frames run oldest first)
        skip = ("autograd/engine.py", "cpu/workspace.py")
        frames = [f for f in tb if "minitorch_nn" in f.filename and not f.filename.endswith(skip)]
        f = (frames or list(tb))[-1]
        code = linecache.getline(f.filename, f.lineno).strip()
        return f"{f.filename.split('minitorch_nn/')[-1]}:{f.lineno}", code

    out["traced_at_backward_peak_mb"] = best["current"] / 2**20
    out["blocks"] = [[d.size_diff / 2**20, d.count_diff, *where(d.traceback)] for d in grown[:12] if d.size_diff > 0]
out["peak_mb"] = status("VmHWM")
out["losses"] = losses
print(json.dumps(out))
"""


def measure(
    engine: str,
    batch: int = BATCH,
    steps: int = STEPS,
    threads: int = THREADS,
    inspect: bool = False,
    numba_cache: str | None = None,
) -> dict:
    """Run CHILD for ``engine`` in a fresh interpreter and return what it printed."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if numba_cache is not None:
        env["NUMBA_CACHE_DIR"] = numba_cache
    done = subprocess.run(
        [sys.executable, "-c", CHILD, engine, str(batch), str(steps), str(threads), "1" if inspect else "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {engine} child failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def _rows(ours: dict, theirs: dict) -> list[dict]:
    rows = []
    for what, key in (("increment (peak - built model)", None), ("peak resident", "peak_mb")):
        t = theirs[key] if key else theirs["peak_mb"] - theirs["baseline_mb"]
        o = ours[key] if key else ours["peak_mb"] - ours["baseline_mb"]
        rows.append(
            {
                "case": f"LeNet step batch {BATCH}: {what}",
                "pass": "MiB (not ms)",
                "torch_ms": t,
                "ours_ms": o,
                "ratio": t / o,
                "unit": "MiB",
            }
        )
    return rows


def warm_numba_cache() -> None:
    """One step in a child of its own, so the measured children load the compiled kernels from Numba's
    cache instead of compiling them (compiling holds LLVM's memory; the cold case is its own row). The
    same batch: a smaller one takes other conv paths (conv2 goes wide at batch 1-2), so other kernels."""
    measure("minitorch", steps=1)


def run(repeats: int = 1) -> list[dict]:
    """The increment and the peak, both engines (one fresh process each)."""
    warm_numba_cache()
    return _rows(measure("minitorch"), measure("torch"))


def table(ours: dict, theirs: dict, inside: dict, cold: dict) -> str:
    same = max(abs(a - b) for a, b in zip(ours["losses"], theirs["losses"]))
    lines = [
        f"# Memory of a training step: seed LeNet, batch {BATCH}, SGD momentum, minitorch_nn vs torch CPU",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; both engines on {THREADS} threads; float32; "
        f"a fresh process per engine; {STEPS} steps, the peak over steps 2..{STEPS} (method in the script "
        "docstring). MiB.",
        "Command: `python benchmarks/bench_memory.py` (or `minitorch-nn bench --only memory`).",
        "",
        "| engine | built model (baseline) | after step 1 | peak, steps 2.. | increment (peak - baseline) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, m in (("torch", theirs), ("ours", ours), ("ours, empty Numba cache", cold)):
        lines.append(
            f"| {name} | {m['baseline_mb']:.1f} | {m['after_step1_mb']:.1f} | {m['peak_mb']:.1f} "
            f"| {m['peak_mb'] - m['baseline_mb']:.1f} |"
        )
    inc = (ours["peak_mb"] - ours["baseline_mb"]) / (theirs["peak_mb"] - theirs["baseline_mb"])
    lines += [
        f"| ours / torch | | | {ours['peak_mb'] / theirs['peak_mb']:.2f} | {inc:.2f} |",
        "",
        f"Largest difference between the two engines' losses over the {STEPS} steps: {same:.2e} "
        "(the same weights and batch).",
        "The ours rows load the compiled kernels from Numba's cache, as every run after the first does; "
        "'empty Numba cache' is the first run in a new environment, whose step 1 compiles them (LLVM's "
        "memory stays resident), a cold start's cost, not a step's.",
    ]
    if not (ours["hwm_reset"] and theirs["hwm_reset"]):
        lines.append("VmHWM could not be reset here: the peaks include step 1.")
    lines += [
        "",
        "Inside ours (tracemalloc: NumPy's arrays and Python's objects, over what was traced once the model "
        f"and batch were built): {inside['traced_at_backward_peak_mb'] - inside['traced_baseline_mb']:.1f} MiB "
        "live at the peak of backward (after the node where it is highest), "
        f"{inside['traced_peak_mb'] - inside['traced_baseline_mb']:.1f} MiB at the traced peak of the step; "
        "what is live at the peak of backward and was not before the step, by the line that allocated it:",
        "",
        "| MiB | blocks | allocated at | code |",
        "|---:|---:|---|---|",
    ]
    lines += [f"| {size:.2f} | {n} | {where} | `{code}` |" for size, n, where, code in inside["blocks"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as empty:
        cold = measure("minitorch", numba_cache=empty)
    warm_numba_cache()
    ours, theirs = measure("minitorch"), measure("torch")
    write_results("memory.md", table(ours, theirs, measure("minitorch", inspect=True), cold))


if __name__ == "__main__":
    refuse_options(__doc__)
    main()
