"""Per-thread scratch buffers that kernels reuse from call to call.

Why. A training step allocates the same temporaries every step. NumPy takes big
blocks straight from the OS (mmap) and gives them back on free, so every step
pays a page fault per 4 KiB touched, and in a VM that is slow: in the seed LeNet
step at batch 64 the conv forward spent 0.74 ms of 1.6 ms in np.zeros / np.empty
of its batch-last buffers. A buffer kept per thread and name is touched once.

``scratch(name, shape, dtype)`` returns a view of this thread's buffer for that
name, grown when too small. The view is only valid until the same thread asks
for the same name again, so a kernel must not return it or keep it.
"""

from __future__ import annotations

import math
import threading

import numpy as np

_local = threading.local()


def scratch(name: str, shape: tuple, dtype, zero: bool = False) -> np.ndarray:
    """This thread's reusable buffer ``name`` viewed as a C-contiguous array of shape and dtype."""
    dtype = np.dtype(dtype)
    size = math.prod(shape) * dtype.itemsize  # math.prod: np.prod costs ~3 us, called per block
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    buf = buffers.get(name)
    if buf is None or buf.size < size:
        buf = buffers[name] = np.empty(max(size, 64), dtype=np.uint8)
    view = buf[:size].view(dtype).reshape(shape)
    if zero:
        view.fill(0)
    return view
