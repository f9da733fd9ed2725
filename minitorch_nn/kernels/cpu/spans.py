"""Row and element kernels split over the engine's worker pool: one span of rows per thread.

The fused pointwise and row kernels of the sequence models (attention's softmax, GELU) are ``nogil``
Numba loops around NumPy's exp (which lets go of the GIL too), so spans of their rows run at once on
the threads of kernels/cpu/workers.py; each row's result is the same whichever thread computes it.
"""

from __future__ import annotations

from collections.abc import Callable

from .workers import WORKERS, num_threads

# below this many elements a row kernel runs in the calling thread alone: a worker's share must outweigh
# handing it over (the GPT's (32, 4, 64, 64) attention scores are 8x this, its (32, 64, 128) GELU input 4x)
PARALLEL_ELEMENTS = 1 << 16


def in_row_spans(run: Callable[[int, int], None], rows: int, block: int, size: int) -> None:
    """run(lo, hi) over rows [0, rows): in this thread for small work, else one span per thread, each
    cut at a multiple of ``block`` rows (a causal row's query index is its row number mod L)."""
    blocks = rows // block
    threads = max(1, min(num_threads(), blocks, size // PARALLEL_ELEMENTS))
    if threads == 1:
        run(0, rows)
        return
    cuts = [blocks * t // threads * block for t in range(threads)] + [rows]
    WORKERS.map(lambda span: run(*span), list(zip(cuts[:-1], cuts[1:])))
