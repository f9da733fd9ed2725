"""Regenerate the results tables of benchmarks/results/ in one command.

    python benchmarks/tables.py                   # conv, pooling, norm, step and models .md on this CPU
    python benchmarks/tables.py --emulate avx2    # the same tables held to AVX2: <suite>-avx2.md

Each suite's own ``main()`` runs in a fresh child process (``python benchmarks/bench_<suite>.py``),
so the AVX2 emulation environment (kernels/cpu/cpu_info.py) is in place before Numba, NumPy and
torch load, and one suite's threads and caches do not warm the next one's. ``--only`` picks suites.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES = ("conv", "pooling", "norm", "step", "models")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulate", choices=["avx2"], default=None, help="hold every engine to AVX2")
    parser.add_argument("--only", default=",".join(SUITES), help=f"comma-separated suites ({', '.join(SUITES)})")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if args.emulate:
        from minitorch_nn.kernels.cpu.cpu_info import AVX2_EMULATION_ENV

        env.update(AVX2_EMULATION_ENV)
    failed = []
    for suite in args.only.split(","):
        started = time.perf_counter()
        print(f"== {suite}{' (AVX2 emulated)' if args.emulate else ''}", flush=True)
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / f"bench_{suite}.py")], env=env, cwd=ROOT)
        if done.returncode:
            failed.append(suite)
        print(f"== {suite}: {time.perf_counter() - started:.0f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
