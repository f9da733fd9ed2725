"""Block reductions in shared memory: the device functions the reducing kernels share.

Each thread puts its partial in ``partial[threadIdx.x]``; a tree halves the active threads
each round (blockDim.x a power of two, see ``device.threads_for``), with a barrier between
rounds, so the block's sum (or max) ends in ``partial[0]``, which every thread returns.
"""

from __future__ import annotations

from numba import cuda


@cuda.jit(device=True)
def block_sum(partial, value):  # pragma: no cover - compiled
    tid = cuda.threadIdx.x
    partial[tid] = value
    cuda.syncthreads()
    half = cuda.blockDim.x // 2
    while half > 0:
        if tid < half:
            partial[tid] += partial[tid + half]
        cuda.syncthreads()
        half //= 2
    total = partial[0]
    cuda.syncthreads()  # the scratch may be reused at once
    return total


@cuda.jit(device=True)
def block_max(partial, value):  # pragma: no cover - compiled
    tid = cuda.threadIdx.x
    partial[tid] = value
    cuda.syncthreads()
    half = cuda.blockDim.x // 2
    while half > 0:
        if tid < half and partial[tid + half] > partial[tid]:
            partial[tid] = partial[tid + half]
        cuda.syncthreads()
        half //= 2
    best = partial[0]
    cuda.syncthreads()
    return best
