"""Benchmark: the cold start of the default ``minitorch-nn train`` (the seed LeNet on the digits, batch 16).

Run ``python benchmarks/bench_coldstart.py`` from the repository root (or ``minitorch-nn bench
--only coldstart``). Writes benchmarks/results/coldstart.md.

Each round runs the real command, ``minitorch-nn train`` with its defaults, in fresh processes:

- ours, cold: an empty ``NUMBA_CACHE_DIR``, the default ``MINITORCH_COMPILE`` (the kernels compile in
  a background process, NumPy paths meanwhile: minitorch_nn/kernels/cpu/jit.py). After its two
  steps the process waits for the background compile to finish, so the next run finds a full cache;
- ours, warm: the same cache, in a new process;
- ours, compiling in the process (``MINITORCH_COMPILE=inline``, another empty cache): what the
  first step costs where the kernels are compiled before they run (the behaviour before jit.py);
- torch: ``--engine torch`` (same data pipeline, same model code on torch).

Each process patches its optimizer's ``step`` to note the time after the first and second step and
stops the run there. "step 1" is from the start of the epoch loop to the end of the first
``optimizer.step()`` (batch, forward, loss, backward, update), "step 2" from there to the end of
the second (with the first step's ``loss.item()`` and progress line); "start to step 1 end" is
from the moment the benchmark starts the process (interpreter start, imports, the digits, the
model) to the end of the first step. Both engines on ``THREADS`` threads; medians over the rounds;
ratio = torch time / our time.
"""

from __future__ import annotations

import json
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

from benchmarks.results_file import refuse_options, write_results  # noqa: E402  (after the path is set)

THREADS = 2
ROUNDS = 3

CHILD = r"""
import json, sys, time

engine, out, wait = sys.argv[1], sys.argv[2], sys.argv[3] == "wait"
import minitorch_nn
from minitorch_nn.cli import main
from minitorch_nn.kernels.cpu import jit
from minitorch_nn.utils.data import DataLoader

lib = minitorch_nn
if engine == "torch":
    import torch as lib
marks, steps = {}, []
iterate, update = DataLoader.__iter__, lib.optim.SGD.step


class Stop(Exception):
    pass


def timed_iter(self):
    marks.setdefault("loop", time.perf_counter())
    return iterate(self)


def timed_step(self, *args, **kwargs):
    result = update(self, *args, **kwargs)
    steps.append(time.perf_counter())
    if len(steps) == 1:
        marks["first_wall"] = time.time()
    if len(steps) == 2:
        raise Stop
    return result


DataLoader.__iter__, lib.optim.SGD.step = timed_iter, timed_step
try:
    main(["train", "--engine", engine, "--out", out])
except Stop:
    pass
answered = jit.wait_for_compiles(600) if wait else True
usable = sorted(name for name, group in jit.GROUPS.items() if group.usable)
print("COLDSTART " + json.dumps({
    "first_s": steps[0] - marks["loop"], "second_s": steps[1] - steps[0], "first_wall": marks["first_wall"],
    "compiled_wall": time.time(), "answered": answered, "usable": usable,
}))
"""


def _train(engine: str, cache: str, wait: bool, compile_mode: str = "background") -> dict:
    """One ``minitorch-nn train`` in a fresh process, stopped after two steps; its timings."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(ROOT), MINITORCH_COMPILE=compile_mode)
    env.update(NUMBA_NUM_THREADS=str(THREADS), OMP_NUM_THREADS=str(THREADS))
    with tempfile.TemporaryDirectory() as out:
        started = time.time()
        run = subprocess.run(
            [sys.executable, "-c", CHILD, engine, out, "wait" if wait else "-"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    if run.returncode != 0:
        raise RuntimeError(f"train --engine {engine} failed: {run.stderr[-2000:]}")
    line = next(line for line in run.stdout.splitlines() if line.startswith("COLDSTART "))
    result = json.loads(line.removeprefix("COLDSTART "))
    result["start_to_first_s"] = result["first_wall"] - started
    result["start_to_compiled_s"] = result["compiled_wall"] - started
    return result


def measure(rounds: int = ROUNDS) -> list[dict]:
    """Per round: ours cold (then its background compile finishes), ours warm, torch, ours compiling inline."""
    results = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as cache:
            cold = _train("minitorch", cache, wait=True)
            warm = _train("minitorch", cache, wait=False)
            theirs = _train("torch", cache, wait=False)
        with tempfile.TemporaryDirectory() as cache:
            inline = _train("minitorch", cache, wait=False, compile_mode="inline")
        results.append({"cold": cold, "warm": warm, "torch": theirs, "inline": inline})
    return results


CASES = (
    ("step 1", "first_s", "cold"),
    ("step 2", "second_s", "cold"),
    ("start to step 1 end", "start_to_first_s", "cold"),
    ("step 1", "first_s", "warm"),
    ("step 2", "second_s", "warm"),
    ("start to step 1 end", "start_to_first_s", "warm"),
    ("step 1", "first_s", "inline"),
)
CACHE_WORDS = {"cold": "empty cache", "warm": "warm cache", "inline": "empty cache, inline compile"}


def rows_of(results: list[dict]) -> list[dict]:
    rows = []
    for label, key, cache in CASES:
        t = float(np.median([r["torch"][key] for r in results])) * 1e3
        o = float(np.median([r[cache][key] for r in results])) * 1e3
        rows.append(
            {
                "case": f"train {label}, {CACHE_WORDS[cache]}",
                "pass": "LeNet digits b16",
                "torch_ms": t,
                "ours_ms": o,
                "ratio": t / o,
            }
        )
    return rows


def run(repeats: int = ROUNDS) -> list[dict]:
    """The suite for ``minitorch-nn bench``: at most ROUNDS rounds (each is three processes and a compile)."""
    return rows_of(measure(max(1, min(repeats, ROUNDS))))


def main() -> None:
    results = measure()
    rows = rows_of(results)
    compile_s = [r["cold"]["start_to_compiled_s"] for r in results]
    lines = [
        "# Cold start: the default `minitorch-nn train` (LeNet on the digits, batch 16), fresh processes",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; both engines on {THREADS} threads; median of "
        f"{len(results)} rounds; ratio = torch / ours (>1: ours faster). Load average {os.getloadavg()[0]:.2f} "
        "when the table was written (others share this machine).",
        "Command: `python benchmarks/bench_coldstart.py` (or `minitorch-nn bench --only coldstart`). Cold: an "
        "empty NUMBA_CACHE_DIR (the kernels compile in a background process, NumPy meanwhile); warm: the same "
        "cache in a new process after that compile finished; compiled inline: `MINITORCH_COMPILE=inline` on another "
        "empty cache (the kernels compile in the process before they run, as before the background compile).",
        "",
        "| case | torch ms | ours ms | ratio |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r['case']} | {r['torch_ms']:.1f} | {r['ours_ms']:.1f} | {r['ratio']:.2f}x |" for r in rows]
    lines += [
        "",
        f"The background compile had every kernel of the run in the cache {np.median(compile_s):.1f} s after the "
        f"cold process started (rounds: {', '.join(f'{s:.1f}' for s in compile_s)} s); kernels in use in the warm "
        f"process after its two steps: {', '.join(results[-1]['warm']['usable'])}.",
    ]
    write_results("coldstart.md", "\n".join(lines) + "\n")


if __name__ == "__main__":
    refuse_options(__doc__)
    main()
