"""Matrix products through NumPy's BLAS, held to one thread, split over the engine's workers.

``matmul(a, b)`` is ``a @ b``. BLAS runs single-threaded (workers.py says why);
a 2-d product with at least ``PARALLEL_WORK`` multiply-adds is cut into one block
of rows of ``a`` per thread, each block a single-threaded GEMM into its rows of
the result, all on the worker pool. Smaller ones run in the calling thread:
waking a worker costs more than they take.
"""

from __future__ import annotations

import numpy as np

from .workers import WORKERS, num_threads, single_thread_blas

# ~4 M multiply-adds (about 50 us of one core): below this a product runs in one thread.
PARALLEL_WORK = 1 << 22


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b (NumPy's matmul rules), with BLAS on one thread and big 2-d products split by rows."""
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == 1 and a.dtype == b.dtype:
        # an outer product (a linear layer's grad weight at batch 1): NumPy's matmul runs a
        # slow loop when the inner dimension is 1 (50 us for 400 x 120), multiply 10 us;
        # each entry is the same single product, so the bits are the same
        return np.multiply(a, b)
    threads = num_threads()
    if a.ndim != 2 or b.ndim != 2 or threads == 1 or a.shape[0] < 2 * threads:
        with single_thread_blas():
            return a @ b
    m, n = a.shape[0], b.shape[1]
    if m * a.shape[1] * n < PARALLEL_WORK:
        with single_thread_blas():
            return a @ b
    out = np.empty((m, n), dtype=np.result_type(a, b))
    spans = [(i * m // threads, (i + 1) * m // threads) for i in range(threads)]
    WORKERS.map(lambda s: np.matmul(a[s[0] : s[1]], b, out=out[s[0] : s[1]]), spans)
    return out
