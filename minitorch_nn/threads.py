"""Thread count of the CPU kernels: ``set_num_threads`` / ``get_num_threads``, as in torch.

All of the engine's parallel work goes through one pool of worker threads
(kernels/cpu/workers.py) whose size is Numba's thread count, so that is what
these set and read. NumPy's BLAS is called single-threaded inside the engine's
ops, big products being split over the same pool, because OpenBLAS's own
threads busy-wait after each call and took the second core from the next
kernel (workers.py has the figures); NumPy code outside the engine keeps its
own BLAS setting.
"""

from __future__ import annotations

import numba


def get_num_threads() -> int:
    """The number of threads the parallel kernels use."""
    return numba.get_num_threads()


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in the parallel kernels (at most the cores Numba started with)."""
    if not isinstance(n, int) or n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {n!r}")
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))


__all__ = ["get_num_threads", "set_num_threads"]
