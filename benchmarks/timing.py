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
import re
import time
from collections.abc import Callable

import numpy as np

os.environ.setdefault("MINITORCH_COMPILE", "inline")

WARMUP_S = 0.05

# The statistic of the timed runs: "median" (the default), or "min" (BENCH_STAT=min) on a machine
# shared with other jobs, where the fastest run is the one least disturbed by them.
STAT = os.environ.get("BENCH_STAT", "median")


def median_ms(fn: Callable[[], object], repeats: int, sync: Callable[[], object] | None = None) -> float:
    """Median (or, with BENCH_STAT=min, least) wall time of ``fn()`` in ms over ``repeats`` runs, after
    WARMUP_S seconds of warm-up calls.

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
    return float((np.min(times) if STAT == "min" else np.median(times)) * 1e3)


def interleaved_ms(
    torch_fn: Callable[[], object], ours_fn: Callable[[], object], repeats: int, rounds: int = 3
) -> tuple[float, float]:
    """(torch ms, our ms): ``rounds`` rounds of ``median_ms`` of each engine in turn, so that a change of
    the machine's load hits both, and the median of the rounds for each."""
    t_torch, t_ours = [], []
    for _ in range(rounds):
        t_torch.append(median_ms(torch_fn, repeats))
        t_ours.append(median_ms(ours_fn, repeats))
    return float(np.median(t_torch)), float(np.median(t_ours))


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


def torch_note() -> str:
    """torch's CPU kernels: the capability ATen dispatches to, and its BLAS (from torch.__config__.show())."""
    import torch

    config = torch.__config__.show()
    found = re.search(r"BLAS_INFO=([^,\s]+)", config)
    blas = found.group(1) if found else "?"
    onednn = "oneDNN" if torch.backends.mkldnn.is_available() else "no oneDNN"
    return f"torch {torch.__version__}: {torch.backends.cpu.get_cpu_capability()} kernels, BLAS {blas}, {onednn}"


def cpu_summary() -> dict:
    """The machine as the tables describe it (model, vector width, cores, BLAS kernels, emulation)."""
    from minitorch_nn.kernels.cpu import cpu_info

    info = cpu_info.describe()
    info["numpy_blas"] = blas_note()
    try:
        info["torch"] = torch_note()
    except ImportError:
        info["torch"] = "torch not installed"
    return info


def machine_note(threads: int) -> str:
    """One paragraph for a results table: CPU, vector width and kernel path, emulation, BLAS, load."""
    info = cpu_summary()
    emulated = (
        " **AVX2 emulated** on this AVX-512 CPU (Numba compiled for Haswell; torch ATEN_CPU_CAPABILITY=avx2, "
        "oneDNN/MKL held to AVX2, OpenBLAS Haswell kernels)."
        if info["emulated_avx2"]
        else ""
    )
    stat = " Statistic: the fastest of the runs (BENCH_STAT=min), not the median." if STAT == "min" else ""
    return (
        f"Machine: {info['model']}, {info['cores']} cores; {info['isa']} ({info['vector_bits']}-bit vectors as Numba "
        f"compiles, kernel path {info['path']}, NN tile {info['tile']}).{emulated} Both engines on {threads} threads. "
        f"{info['numpy_blas']} {info['torch']}. Load average {os.getloadavg()[0]:.2f} when written (other jobs "
        "shared this machine: ratios from interleaved rounds, absolute times inflated)." + stat
    )


def results_name(suite: str) -> str:
    """The results file of a suite: ``<suite>.md``, or ``<suite>-avx2.md`` under AVX2 emulation."""
    from minitorch_nn.kernels.cpu import cpu_info

    return f"{suite}-avx2.md" if cpu_info.emulated_avx2() else f"{suite}.md"
