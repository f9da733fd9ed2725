"""CPU kernels: one family per file, Numba ``@njit(cache=True)``."""
