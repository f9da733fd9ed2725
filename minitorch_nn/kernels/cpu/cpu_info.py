"""What the CPU offers the Numba kernels: the vector width they are compiled for, the cache sizes,
and the kernel path (register tiles) chosen from them.

The vector width is read from the target Numba compiles for, not from the CPU alone:
``NUMBA_CPU_FEATURES`` (and ``NUMBA_CPU_NAME``) change what LLVM may emit, so a process told to
compile for Haswell gets the AVX2 tiles even on an AVX-512 machine. That is how one machine
measures both paths (``AVX2_EMULATION_ENV``: Numba, torch, oneDNN, MKL and OpenBLAS all held to
AVX2). Caches come from ``/sys/devices/system/cpu/cpu0/cache`` (sysconf where that is missing);
the blocks of the GEMM are sized from them (gemm.py).

``MINITORCH_CPU_PATH`` (``avx512``, ``avx2`` or ``auto``) forces a path: the tests run both on any
CPU, and their results must agree exactly with integer-valued data (the tiles only reorder sums).
A forced AVX-512 path on an AVX2 target is still correct code; LLVM splits its vectors in two.
"""

from __future__ import annotations

import functools
import os
import platform
from pathlib import Path
from typing import NamedTuple

import llvmlite.binding
import numba

# LLVM's Haswell: AVX2 and FMA, no AVX-512. The features of an AMD EPYC (Zen 2/3) or any
# pre-2017 Intel server core, as far as the kernels here see them.
HASWELL_FEATURES = (
    "+64bit,+avx,+avx2,+bmi,+bmi2,+cmov,+cx16,+cx8,+f16c,+fma,+fsgsbase,+fxsr,+lzcnt,+mmx,+movbe,"
    "+pclmul,+popcnt,+rdrnd,+sahf,+sse,+sse2,+sse3,+sse4.1,+sse4.2,+ssse3,+xsave,+xsaveopt,"
    "-avx512f,-avx512bw,-avx512cd,-avx512dq,-avx512vl,-evex512"
)

# The environment that makes one process behave as on an AVX2-only CPU: set before numba, numpy
# and torch are imported (the benchmarks re-run themselves with it: ``--emulate avx2``).
AVX2_EMULATION_ENV = {
    "NUMBA_CPU_NAME": "haswell",
    "NUMBA_CPU_FEATURES": HASWELL_FEATURES,
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "OPENBLAS_CORETYPE": "Haswell",
}

PATH_ENV = "MINITORCH_CPU_PATH"


class KernelPath(NamedTuple):
    """The register tile of gemm.py's NN kernel: ``rows`` output rows x ``run`` positions of sums.

    AVX-512 (32 zmm registers of 16 floats): 4 x 64 = 16 registers of sums, 4 loads a tap.
    AVX2 (16 ymm registers of 8 floats): 4 x 16 = 8 registers of sums, 4 of the tap's broadcast
    weights and 2 loads: 14 registers. Measured against 4 x 24, 4 x 32 and 6 x 16 (the classic
    AVX2 SGEMM tile) under AVX2 emulation: those spill (the broadcasts stay in registers for the
    whole run of positions) and ran 5-40% slower on the LeNet and 32-channel 5x5 convolutions.
    """

    name: str
    rows: int
    run: int


PATHS = {
    "avx512": KernelPath("avx512", 4, 64),
    "avx2": KernelPath("avx2", 4, 16),
}


def numba_target() -> tuple[str, str]:
    """(cpu name, feature string) that Numba compiles for: its NUMBA_CPU_NAME / NUMBA_CPU_FEATURES or the host's."""
    name = numba.config.CPU_NAME or llvmlite.binding.get_host_cpu_name()
    features = numba.config.CPU_FEATURES or llvmlite.binding.get_host_cpu_features().flatten()
    return name, features


def vector_bits(features: str | None = None) -> int:
    """Widest float vector the target has: 512 (AVX-512F), 256 (AVX), 128 (SSE/NEON) ."""
    enabled = {f[1:] for f in (features if features is not None else numba_target()[1]).split(",") if f[:1] == "+"}
    if "avx512f" in enabled:
        return 512
    if "avx" in enabled or "avx2" in enabled:
        return 256
    return 128


def isa_name(bits: int | None = None) -> str:
    """'AVX-512', 'AVX2' or 'SSE/NEON (128-bit)' for the table headers."""
    bits = vector_bits() if bits is None else bits
    return {512: "AVX-512", 256: "AVX2"}.get(bits, "128-bit SIMD")


@functools.lru_cache(maxsize=1)
def cache_sizes() -> dict[str, int]:
    """Data cache sizes in bytes per level ('L1', 'L2', 'L3'): sysfs, else sysconf, else common values."""
    sizes: dict[str, int] = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            kind = (index / "type").read_text().strip()
            level = int((index / "level").read_text())
            text = (index / "size").read_text().strip()
        except (OSError, ValueError):
            continue
        if kind == "Instruction":
            continue
        scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
        sizes[f"L{level}"] = int(text.rstrip("KMG")) * scale
    for level, name in ((1, "SC_LEVEL1_DCACHE_SIZE"), (2, "SC_LEVEL2_CACHE_SIZE"), (3, "SC_LEVEL3_CACHE_SIZE")):
        if f"L{level}" not in sizes and name in os.sysconf_names:
            value = os.sysconf(name)
            if value > 0:
                sizes[f"L{level}"] = value
    sizes.setdefault("L1", 32 << 10)
    sizes.setdefault("L2", 512 << 10)
    return sizes


def native_path() -> KernelPath:
    """The tile for the target's vector width (AVX2's for anything narrower than AVX-512)."""
    return PATHS["avx512"] if vector_bits() >= 512 else PATHS["avx2"]


def kernel_path() -> KernelPath:
    """The path the kernels take: MINITORCH_CPU_PATH if set to a path name, else ``native_path()``."""
    forced = os.environ.get(PATH_ENV, "auto").lower()
    if forced in PATHS:
        return PATHS[forced]
    if forced != "auto":
        raise ValueError(f"{PATH_ENV}={forced!r}: expected one of auto, {', '.join(PATHS)}")
    return native_path()


def emulated_avx2() -> bool:
    """Whether this process runs under AVX2_EMULATION_ENV (Numba held to Haswell on a wider CPU)."""
    host = vector_bits(llvmlite.binding.get_host_cpu_features().flatten())
    return host > 256 and vector_bits() == 256


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo (or the platform's word for it)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> dict:
    """The CPU as the kernels see it, for benchmark tables."""
    name, _ = numba_target()
    caches = cache_sizes()
    return {
        "model": cpu_model(),
        "numba_cpu": name,
        "vector_bits": vector_bits(),
        "isa": isa_name(),
        "emulated_avx2": emulated_avx2(),
        "path": kernel_path().name,
        "tile": f"{kernel_path().rows}x{kernel_path().run}",
        "caches": {k: v for k, v in caches.items()},
        "cores": os.cpu_count(),
    }
