# ruff: noqa: N803, N806, E741  (shape names N, C, O, K, P follow the math in the docstring)
"""What every convolution algorithm shares: the output size, the cut of the batch into blocks
for the worker threads, and the sum of the blocks' partial weight and bias gradients.

Every kernel here takes 5-d arrays (N, C, D, H, W) and 3-tuples: ``ops/conv.py`` views a 1-d
input as (N, C, 1, 1, L) and a 2-d one as (N, C, 1, H, W) with kernel, stride, padding and
dilation 1/0 in the added dims, so one set of kernels serves conv1d, conv2d and conv3d.

Parallelism: the batch is cut into blocks, one per thread or of about ``BLOCK_ELEMENTS`` column
entries, run on the engine's worker pool (kernels/cpu/workers.py); every Numba kernel is
``nogil``, NumPy's matmul releases the GIL, and BLAS runs single-threaded inside each block.
"""

from __future__ import annotations

import functools

from ..workers import num_threads

# Index arithmetic below is done on flat views with ``& NONNEG``: it tells LLVM the index is
# not negative, so Numba's wrap-around of negative indices drops out and the copy loops
# vectorise. Slicing views inside hot loops instead costs an atomic reference count per view,
# several times slower, and it does not scale on threads.
NONNEG = 0x7FFFFFFFFFFFFFFF

# Target size (elements) of one block's column matrix: big enough for efficient
# GEMMs, small enough to stay in this machine's cache while BLAS reads it.
BLOCK_ELEMENTS = 1 << 16


def output_size(size, ksize, stride, padding, dilation) -> tuple[int, int, int]:
    """out = floor((in + 2 pad - dilation (k - 1) - 1) / stride) + 1 per spatial dim."""
    return tuple(
        (s + 2 * p - d * (k - 1) - 1) // st + 1 for s, k, st, p, d in zip(size, ksize, stride, padding, dilation)
    )


def _blocks(n: int, rows: int, positions: int, workers: int) -> list[tuple[int, int]]:
    """Cut the batch into blocks of about BLOCK_ELEMENTS column entries, at least one per worker."""
    per = max(1, min(BLOCK_ELEMENTS // max(1, rows * positions), -(-n // workers)))
    return [(i, min(n, i + per)) for i in range(0, n, per)]


def _sample_blocks(n: int) -> list[tuple[int, int]]:
    """The batch cut into one contiguous block per worker thread (sizes differ by at most one)."""
    return _sample_blocks_for(n, num_threads())


@functools.lru_cache(maxsize=256)
def _sample_blocks_for(n: int, threads: int) -> list[tuple[int, int]]:
    workers = max(1, min(n, threads))
    return [(i * n // workers, (i + 1) * n // workers) for i in range(workers)]


def _sum_partials(partial: list, wshape: tuple, need_weight: bool, need_bias: bool, gx) -> tuple:
    """(gx, grad weight, grad bias) from the blocks' partial (grad weight, grad bias) sums.

    Each block's partials are its own fresh arrays, so the first one is summed into in place.
    """
    gw = gb = None
    if need_weight:
        gw = partial[0][0]
        for p in partial[1:]:
            gw += p[0]
        gw = gw.reshape(wshape)
    if need_bias:
        gb = partial[0][1]
        for p in partial[1:]:
            gb += p[1]
    return gx, gw, gb
