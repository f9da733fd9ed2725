"""Per-thread scratch buffers that kernels reuse from call to call: a small pool keyed by slot.

Why. A training step allocates the same temporaries every step. NumPy takes big
blocks straight from the OS (mmap) and gives them back on free, so every step
pays a page fault per 4 KiB touched, and in a VM that is slow: in the seed LeNet
step at batch 64 the conv forward spent 0.74 ms of 1.6 ms in np.zeros / np.empty
of its batch-last buffers. A buffer kept per thread is touched once.

Slots, not names. A kernel call holds at most a few scratch arrays at once, and
kernels never run nested in one thread, so the buffers are numbered: a kernel
gives the arrays it holds together different slots (``INPUT``, ``OUTPUT``,
``GRAD_INPUT`` below, named for the convolution's use of them), and every
kernel shares the same few buffers. Each thread then keeps about 3 times the
largest call's block instead of one buffer per name per kernel (the seed LeNet
step at batch 256 on 2 threads: 5.7 MiB of scratch instead of 13.9 MiB).

``scratch(slot, shape, dtype)`` returns a view of this thread's buffer for that
slot, grown when too small (never shrunk: the same shapes come every step).
The view is only valid until the same thread asks for the same slot again, so a
kernel must not return it or keep it, and its content is left over from the
last user unless ``zero=True``.
"""

from __future__ import annotations

import math
import threading

import numpy as np

INPUT, OUTPUT, GRAD_INPUT = 0, 1, 2
SLOTS = 3

_local = threading.local()
_every_thread: list[list] = []  # each thread's slot list, for held_bytes


def scratch(slot: int, shape: tuple, dtype, zero: bool = False) -> np.ndarray:
    """This thread's reusable buffer ``slot`` viewed as a C-contiguous array of shape and dtype."""
    dtype = np.dtype(dtype)
    size = math.prod(shape) * dtype.itemsize  # math.prod: np.prod costs ~3 us, called per block
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = [None] * SLOTS
        _every_thread.append(buffers)
    buf = buffers[slot]
    if buf is None or buf.size < size:
        buffers[slot] = None  # free the old one before the bigger one is made
        buf = buffers[slot] = np.empty(max(size, 64), dtype=np.uint8)
    view = buf[:size].view(dtype).reshape(shape)
    if zero:
        view.fill(0)
    return view


def held_bytes() -> int:
    """The bytes of scratch all threads keep (for the memory tests and benchmarks)."""
    return sum(b.size for buffers in _every_thread for b in buffers if b is not None)
