"""`minitorch-nn warmup`: compile the Numba kernels into Numba's on-disk cache now, before any run needs them.

Without it nothing waits either: the first run that needs a kernel has it compiled in a
background process and runs its NumPy path meanwhile (minitorch_nn/kernels/cpu/jit.py). After
it, every process loads the kernels from the cache at their first call (pip has no post-install
step, so this is the command to run where the compile should be paid once, e.g. in an image build).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numba

from ..kernels.cpu import jit


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "warmup", help="compile the Numba kernels into the cache now", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--only", default=None, help=f"comma-separated kernel groups (default all: {', '.join(jit.GROUPS)})")
    p.set_defaults(run=run)


def _cache_folder(group: jit.KernelGroup) -> str:
    kernel = group.kernels[0][0]
    return getattr(getattr(kernel, "_cache", None), "_cache_path", None) or numba.config.CACHE_DIR or "?"


def run(args: argparse.Namespace) -> int:
    names = list(jit.GROUPS) if args.only is None else args.only.split(",")
    unknown = [name for name in names if name not in jit.GROUPS]
    if unknown:
        raise SystemExit(f"unknown kernel group(s) {', '.join(unknown)}; groups: {', '.join(jit.GROUPS)}")
    started = time.perf_counter()
    for name in names:
        begun = time.perf_counter()
        jit.GROUPS[name].compile()  # loads what the cache already has
        print(f"{name:30} {time.perf_counter() - begun:6.2f} s", flush=True)
    folders = sorted({_cache_folder(jit.GROUPS[name]) for name in names})
    print(f"{len(names)} kernel groups in {time.perf_counter() - started:.1f} s; cache: {', '.join(folders)}")
    return 0
