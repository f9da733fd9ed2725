"""The small GPT's training step (bench_seq.py's case), ours against torch interleaved in one process.

Default: one thread each, median thread CPU time per step (load-independent enough to compare two
trees on a shared machine: run it with PYTHONPATH pointing at each). ``--threads 2`` measures wall
time instead; ``--profile`` adds a cProfile of 30 of our steps, sorted by own time.
Usage: PYTHONPATH=$PWD python benchmarks/profile_gpt.py [--threads N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--profile", action="store_true")
args = parser.parse_args()
os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from bench_seq import _gpt_step  # noqa: E402

import minitorch_nn as mt  # noqa: E402

torch.set_num_threads(args.threads)
mt.set_num_threads(args.threads)
clock = time.thread_time if args.threads == 1 else time.perf_counter
theirs, ours = _gpt_step(torch), _gpt_step(mt)
for _ in range(8):
    theirs()
    ours()


def median_ms(step, n: int = 30) -> float:
    times = []
    for _ in range(n):
        start = clock()
        step()
        times.append(clock() - start)
    return float(np.median(times)) * 1e3


torch_ms, ours_ms = [], []
for _ in range(3):
    torch_ms.append(median_ms(theirs))
    ours_ms.append(median_ms(ours))
print(
    f"GPT step, {args.threads} thread(s): torch {min(torch_ms):.2f} ms, ours {min(ours_ms):.2f} ms, "
    f"ratio {min(torch_ms) / min(ours_ms):.2f}"
)
if args.profile:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(30):
        ours()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
