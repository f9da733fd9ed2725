"""Thread count of the CPU kernels: ``set_num_threads`` / ``get_num_threads``, as in torch.

Two pools do the work: Numba's parallel loops (``prange``) and the BLAS
library behind NumPy's matrix products. ``set_num_threads`` sets both, so a
benchmark can pin this engine and torch to the same count. The BLAS pool is
reached through threadpoolctl when it is installed (scikit-learn brings it);
without it only Numba's pool is set.
"""

from __future__ import annotations

import numba

_blas_limiter = None


def get_num_threads() -> int:
    """The number of threads the parallel kernels use."""
    return numba.get_num_threads()


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in Numba kernels and in BLAS (at most the cores Numba started with)."""
    global _blas_limiter
    if not isinstance(n, int) or n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {n!r}")
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    _blas_limiter = threadpool_limits(limits=n, user_api="blas")


__all__ = ["get_num_threads", "set_num_threads"]
