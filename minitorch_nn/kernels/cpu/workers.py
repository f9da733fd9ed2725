"""The engine's one pool of worker threads, and BLAS held to one thread.

Every parallel kernel cuts its work into blocks and hands them to ``WORKERS``:
the calling thread runs the first share itself and the pool the rest. The
kernels are Numba ``nogil`` functions or NumPy calls that release the GIL, so
the blocks really run at once.

Hand-offs by polling, not sleeping. A thread that sleeps on a lock takes tens
of microseconds to run again once woken (on a VM its idle virtual CPU has to be
woken too), and a ThreadPoolExecutor's ``map`` pays that twice: for the worker
to start and for the caller to see its result, which is as long as a small
kernel block. So each worker and the caller exchange two counters in a small
int64 array instead: the caller stores a job number, the worker (polling it)
runs the job and stores the number back as done, the caller (polling that)
collects the result. The polls are Numba loops with atomic loads
(``_spin_until``), run without the GIL. The worker stores "done" and starts
polling for the next job in one call without the GIL (``_publish_and_spin``),
so when the caller sees "done" the worker no longer holds the GIL and the
caller never sleeps waiting for it. A worker polls for about half a
millisecond after each job (``IDLE_POLLS``), then sleeps on a condition until
the next ``map`` wakes it; what a hand-off still costs is the worker taking
the GIL for its Python part of the block. The polling worker keeps its core
busy meanwhile, like torch's OpenMP threads after a parallel region. A polling
worker starts its share at once, so BLAS is set to one thread before the share
is published (the other order lets OpenBLAS's own threads wake and spin beside
ours).

BLAS (NumPy's OpenBLAS) is only ever called single-threaded by this engine,
inside ``single_thread_blas()``: OpenBLAS's own threads busy-wait for a while
after each call, and on a machine with few cores they then take a core from
the next kernel's blocks (a training step with BLAS on 2 threads was no faster
on 2 threads than on 1). Products big enough to gain from threads are split by
rows over the pool instead (kernels/cpu/matmul.py). The setting is restored
after each call, so NumPy code outside the engine keeps its own thread count.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import numba
import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .jit import KernelGroup, array


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


@intrinsic
def _load_acquire(typingctx, flags, i):  # pragma: no cover - compiled
    """flags[i] as an atomic (acquire) load: LLVM may not hoist it out of a polling loop."""

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, signature.args[0], array, [args[1]])
        return builder.load_atomic(ptr, "acquire", 8)

    return types.int64(flags, i), codegen


@intrinsic
def _store_release(typingctx, flags, i, value):  # pragma: no cover - compiled
    """flags[i] = value as an atomic (release) store: what was written before is seen first."""

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, signature.args[0], array, [args[1]])
        builder.store_atomic(args[2], ptr, "release", 8)
        return context.get_dummy_value()

    return types.void(flags, i, value), codegen


@njit(nogil=True, cache=True)
def _spin_until(flags, i, value, polls):  # pragma: no cover - compiled
    """Poll flags[i] without the GIL until it reaches ``value``, at most ``polls`` times: reached?"""
    for _ in range(polls):
        if _load_acquire(flags, i) >= value:
            return True
    return False


@njit(nogil=True, cache=True)
def _publish_and_spin(flags, done, seq, job, value, polls):  # pragma: no cover - compiled
    """flags[done] = seq, then ``_spin_until(flags, job, value, polls)``, in one call without the GIL."""
    _store_release(flags, done, seq)
    return _spin_until(flags, job, value, polls)


# The polling kernels; until they are compiled (in the background, jit.py) ``map`` runs in the caller alone.
_FLAGS, _INT = array(types.int64, 1), types.int64
_POLLS = KernelGroup("workers", [(_spin_until, (_FLAGS,) + (_INT,) * 3), (_publish_and_spin, (_FLAGS,) + (_INT,) * 5)])

# Polls of an atomic load (2 M of them took 0.49 ms here): a worker polls ~0.5 ms for its next
# job before it sleeps; the caller polls as long for a worker's result, then looks again after
# each sleep of 0.1 ms (~0.17 ms here).
IDLE_POLLS = 2_000_000
RESULT_POLLS = 2_000_000
# Worker i's job number is flags[SLOT * i], its done number flags[SLOT * i + SLOT // 2]: on
# cache lines of their own, so one worker's polling does not slow another's.
SLOT = 16


class _Workers:
    """Worker threads that run blocks of work beside the caller (see the module docstring)."""

    def __init__(self) -> None:
        self._reset()
        # a forked child has none of the parent's threads: start again
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._threads: list[threading.Thread] = []
        self._flags = np.zeros(SLOT * max(1, numba.config.NUMBA_NUM_THREADS), np.int64)
        self._jobs: list[Callable | None] = []
        self._results: list = []
        self._errors: list[BaseException | None] = []
        self._asleep: list[bool] = []
        self._wake = threading.Condition()
        self._busy = threading.Lock()
        self._seq = 0

    def _start(self, count: int) -> None:
        while len(self._threads) < count:
            i = len(self._threads)
            self._jobs.append(None)
            self._results.append(None)
            self._errors.append(None)
            self._asleep.append(False)
            thread = threading.Thread(target=self._serve, args=(i,), name=f"minitorch-worker-{i}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, i: int) -> None:
        """Worker i's loop: wait for a job number above the last, run the job, publish it as done."""
        flags, job, done = self._flags, SLOT * i, SLOT * i + SLOT // 2
        seen, ready = 0, False
        while True:
            if not ready:
                with self._wake:
                    self._asleep[i] = True
                    while flags[job] <= seen:
                        self._wake.wait()
                    self._asleep[i] = False
            seen = int(flags[job])
            try:
                self._results[i] = self._jobs[i]()
                self._errors[i] = None
            except BaseException as error:  # noqa: BLE001  (re-raised in the caller)
                self._errors[i] = error
            ready = _publish_and_spin(flags, done, seen, job, seen + 1, IDLE_POLLS)

    def map(self, fn: Callable, items: list) -> list:
        """[fn(item) for item in items], the items dealt round-robin to ``num_threads()`` threads.

        The calling thread runs the first share itself. A map that starts while another is
        running (another thread's, or one inside a block) runs in its caller alone.
        """
        workers = min(_num_threads, len(items))
        if workers <= 1 or not (_POLLS.usable or _POLLS.ready()) or not self._busy.acquire(blocking=False):
            with single_thread_blas():
                return [fn(item) for item in items]
        try:
            self._start(workers - 1)
            chunks = [items[i::workers] for i in range(workers)]
            self._seq += 1
            # BLAS on one thread before any worker can start (a polling worker starts at once)
            with single_thread_blas():
                for i, chunk in enumerate(chunks[1:]):
                    self._jobs[i] = lambda chunk=chunk: [fn(item) for item in chunk]
                    self._flags[SLOT * i] = self._seq
                with self._wake:
                    if any(self._asleep[: workers - 1]):
                        self._wake.notify_all()
                try:
                    results = [[fn(item) for item in chunks[0]]]
                finally:  # the workers finish their shares before anything else happens
                    for i in range(workers - 1):
                        while not _spin_until(self._flags, SLOT * i + SLOT // 2, self._seq, RESULT_POLLS):
                            time.sleep(1e-4)
            for i in range(workers - 1):
                # the caller, not the worker, lets go of the job: a worker still finishing an
                # interrupted map's job must not clear the next one's
                self._jobs[i] = None
                if self._errors[i] is not None:
                    error, self._errors[i] = self._errors[i], None
                    raise error
                results.append(self._results[i])
                self._results[i] = None
        finally:
            self._busy.release()
        ordered = [None] * len(items)
        for i, chunk in enumerate(results):
            ordered[i::workers] = chunk
        return ordered


WORKERS = _Workers()
