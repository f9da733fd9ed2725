"""CPU kernels: one family per file, Numba ``@njit(cache=True)``, compiled as ``jit.py`` says."""

from .jit import ensure_cache_location

ensure_cache_location()  # before any kernel is defined: Numba picks its cache folder then
