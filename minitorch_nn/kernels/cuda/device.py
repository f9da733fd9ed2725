"""The device's array module and launch geometry, shared by the kernels of this package.

On a GPU the arrays are CuPy arrays (``xp = cupy``): numba.cuda kernels take them through
``__cuda_array_interface__``, and the NumPy-written ops run on them through NumPy's dispatch
protocols. Under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) there is no GPU and no
CuPy: the arrays are tagged NumPy arrays and ``xp`` is NumPy making them (kernels/simulated.py),
so the kernels' logic runs anywhere.
"""

from __future__ import annotations

import math

import numpy as np
from numba import config, cuda

SIMULATED = bool(config.ENABLE_CUDASIM)

if SIMULATED:
    from ..simulated import simulated_xp as xp
else:  # pragma: no cover - needs a GPU
    import cupy as xp

# Threads per block of the one-thread-per-output kernels, and of the block reductions (a power of
# two; their shared scratch has MAX_THREADS slots). Small work gets a smaller block (``threads_for``).
# The simulator runs a Python thread per CUDA thread and a barrier per ``syncthreads``, so it gets
# small blocks: the same code paths (strided loops, several tiles, a reduction tree) at a
# fraction of the cost.
THREADS = 16 if SIMULATED else 128
REDUCE_THREADS = 4 if SIMULATED else 256
MAX_THREADS = 256


def threads_for(work: int, limit: int = THREADS) -> int:
    """A power-of-two block size: the smallest that covers ``work``, at most ``limit``."""
    return max(1, min(limit, 1 << max(0, math.ceil(math.log2(max(work, 1))))))


def blocks_for(work: int, threads: int) -> int:
    """Blocks of ``threads`` that cover ``work`` items (at least one)."""
    return max(1, -(-work // threads))


@cuda.jit(device=True)
def unravel_3d(index, height, width):  # pragma: no cover - compiled
    """(d, h, w) of the flat row-major ``index`` into a (depth, height, width) block: the position a
    thread of the one-thread-per-element kernels owns (depth need not be known: d is what is left)."""
    return index // (height * width), (index // width) % height, index % width


def to_device(array: np.ndarray):
    """A host array (window tables, say) as an array of the device."""
    return xp.asarray(array)


def synchronize() -> None:
    """Wait for every launched kernel (a no-op under the simulator, where launches are synchronous)."""
    cuda.synchronize()
