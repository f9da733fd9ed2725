"""The one timing rule of every suite here: warm for a while, then the median of several runs.

Why warm by time and not by one call. The suites time torch and us side by side in
one process, interleaved. torch's OpenMP threads spin for a few milliseconds after
each parallel region, and our idle worker thread sleeps; on this 2-core VM an idle
vCPU also takes a while to wake. Timed straight after the other engine, a run of
sub-millisecond calls then measures the hand-over rather than the engine: LeNet
conv2's forward read 0.33 ms for us right after torch and 0.45 ms after a 0.3 s
pause, against 0.25 ms in a steady loop (torch: 0.11-0.12 ms either way). So each
measurement first calls ``fn`` for ``warmup_s`` seconds (and at least once), which
lets the other engine's threads go quiet and brings this engine's threads up,
as they are in a training loop.

The suites time the compiled kernels, so importing this module sets ``MINITORCH_COMPILE=inline``
(unless set): a kernel is compiled in the process when first called, as the warm-up runs, not in
the background with the NumPy path timed meanwhile (minitorch_nn/kernels/cpu/jit.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

os.environ.setdefault("MINITORCH_COMPILE", "inline")

WARMUP_S = 0.05


def median_ms(fn: Callable[[], object], repeats: int, sync: Callable[[], object] | None = None) -> float:
    """Median wall time of ``fn()`` in ms over ``repeats`` runs, after WARMUP_S seconds of warm-up calls.

    ``sync`` (e.g. torch.cuda.synchronize) is called after every run, inside the timing.
    """
    start = time.perf_counter()
    while True:
        fn()
        if sync:
            sync()
        if time.perf_counter() - start >= WARMUP_S:
            break
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if sync:
            sync()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e3)


def blas_note() -> str:
    """Which kernels NumPy's BLAS runs, for the tables: our strided and Winograd convolutions and
    the linear layers call it, so its kernel choice moves our numbers (torch has its own)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "NumPy's BLAS: unknown (threadpoolctl missing)."
    libs = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    # scipy or torch may bring a BLAS of their own: NumPy's lies in numpy/ or numpy.libs/ (wheels)
    site = os.path.dirname(os.path.dirname(np.__file__))
    homes = (os.path.join(site, "numpy") + os.sep, os.path.join(site, "numpy.libs") + os.sep)
    libs = [i for i in libs if str(i.get("filepath", "")).startswith(homes)] or libs
    if not libs:
        return "NumPy's BLAS: none found."
    lib = libs[0]
    forced = os.environ.get("OPENBLAS_CORETYPE")
    how = f"forced by OPENBLAS_CORETYPE={forced}" if forced else "its own choice for this CPU"
    return f"NumPy's BLAS: {lib.get('internal_api')} {lib.get('version')}, {lib.get('architecture')} kernels ({how})."
