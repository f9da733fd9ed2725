"""Thread count of the CPU kernels: ``set_num_threads`` / ``get_num_threads``, as in torch.

All of the engine's parallel work goes through one pool of worker threads
(kernels/cpu/workers.py); these set and read its size, process-wide as in
torch (Numba's own count, per calling thread, is set alongside). NumPy's BLAS
is called single-threaded inside the engine's ops, big products being split
over the same pool, because OpenBLAS's own
threads busy-wait after each call and took the second core from the next
kernel (workers.py has the figures); NumPy code outside the engine keeps its
own BLAS setting.
"""

from __future__ import annotations

from .kernels.cpu import workers


def get_num_threads() -> int:
    """The number of threads the parallel kernels use."""
    return workers.num_threads()


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in the parallel kernels (at most the cores Numba started with)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    workers.set_num_threads(n)


__all__ = ["get_num_threads", "set_num_threads"]
