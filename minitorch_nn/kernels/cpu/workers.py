"""The engine's one pool of worker threads, and BLAS held to one thread.

Every parallel kernel cuts its work into blocks and hands them to ``WORKERS``:
the calling thread runs the first share itself and the pool the rest. The
kernels are Numba ``nogil`` functions or NumPy calls that release the GIL, so
the blocks really run at once.

BLAS (NumPy's OpenBLAS) is only ever called single-threaded by this engine,
inside ``single_thread_blas()``: OpenBLAS's own threads busy-wait for a while
after each call, and on a 2-core machine they then take the second core from
the next kernel's blocks. Measured on the seed LeNet training step, both
engines on 2 threads: batch 256 took 23.3 ms with BLAS on 2 threads and
16.2 ms with BLAS on 1 (batch 64: 6.9 -> 6.2 ms); with BLAS on 2 threads our
2-thread step was no faster than a 1-thread one. Products big enough to gain
from threads are split by rows over the pool instead (kernels/cpu/matmul.py).
The setting is restored after each call, so NumPy code outside the engine
keeps its own thread count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np


def _numpy_blas():
    """threadpoolctl's handle on the BLAS library NumPy itself loaded (None without threadpoolctl)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    libs = ThreadpoolController().select(user_api="blas").lib_controllers
    numpy_dir = np.__file__.rsplit("/", 2)[0]
    # scipy may load a second OpenBLAS; the one under numpy's own folder is NumPy's
    ours = [lib for lib in libs if lib.filepath and lib.filepath.startswith(numpy_dir)]
    return (ours or libs or [None])[0]


_BLAS = _numpy_blas()


def _blas_thread_functions() -> tuple:
    """(get, set) of NumPy's BLAS thread count, or (None, None) without threadpoolctl.

    For OpenBLAS with its own pthreads (NumPy's wheels) these are the library's C functions,
    called directly: threadpoolctl's methods cost ~1 us each in Python, and the engine asks
    a dozen times a step. Otherwise threadpoolctl's methods.
    """
    if _BLAS is None:
        return None, None
    try:
        if _BLAS.threading_layer == "pthreads":
            get, set_ = _BLAS._get_symbol("openblas_get_num_threads"), _BLAS._get_symbol("openblas_set_num_threads")
            if get is not None and set_ is not None:
                return get, set_
    except AttributeError:  # another threadpoolctl version
        pass
    return _BLAS.get_num_threads, _BLAS.set_num_threads


_BLAS_GET, _BLAS_SET = _blas_thread_functions()


class single_thread_blas:  # noqa: N801  (used as a function: ``with single_thread_blas():``)
    """Run the block with NumPy's BLAS on one thread, restoring its thread count after.

    A class rather than a generator context manager: it is entered around every product the
    engine computes, and this costs a third as much.
    """

    __slots__ = ("before",)

    def __enter__(self) -> None:
        self.before = _BLAS_GET() if _BLAS_GET is not None else 1
        if self.before != 1:
            _BLAS_SET(1)

    def __exit__(self, *exc: object) -> None:
        if self.before != 1:
            _BLAS_SET(self.before)


# The engine's thread count, process-wide as torch's (Numba's own setting is per calling
# thread, and reading it costs ~0.7 us); set through minitorch_nn.set_num_threads.
_num_threads = numba.config.NUMBA_NUM_THREADS


def num_threads() -> int:
    """How many threads the engine's parallel kernels use."""
    return _num_threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (at most the cores Numba started with) in the parallel kernels."""
    global _num_threads
    _num_threads = max(1, min(n, numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(_num_threads)


class _Workers:
    """A pool of Python threads that run blocks of work side by side (see the module docstring)."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._size = 0
        self._lock = threading.Lock()

    def map(self, fn: Callable, items: list) -> list:
        """[fn(item) for item in items], the items dealt round-robin to ``num_threads()`` threads.

        The calling thread runs the first share itself: handing every share to the
        pool and waiting would cost one more thread wake-up (~50 us) per call.
        """
        workers = min(_num_threads, len(items))
        if workers <= 1:
            with single_thread_blas():
                return [fn(item) for item in items]
        with self._lock:
            if self._pool is None or self._size != workers - 1:
                if self._pool is not None:
                    self._pool.shutdown()
                self._pool = ThreadPoolExecutor(workers - 1, thread_name_prefix="minitorch-worker")
                self._size = workers - 1
        chunks = [items[i::workers] for i in range(workers)]
        with single_thread_blas():
            futures = [self._pool.submit(lambda c=c: [fn(item) for item in c]) for c in chunks[1:]]
            results = [[fn(item) for item in chunks[0]]] + [f.result() for f in futures]
        ordered = [None] * len(items)
        for i, chunk in enumerate(results):
            ordered[i::workers] = chunk
        return ordered


WORKERS = _Workers()
