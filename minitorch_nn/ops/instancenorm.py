"""Instance normalisation, built as torch builds it: batch norm over a reshaped input.

Each (sample, channel) slice x[n, c] is normalised by its own mean and variance over the spatial
positions. Viewing the input (N, C, *) as (1, N*C, *) turns every slice into one "channel" of a batch
of one, so instance norm is batch norm of that view, with gamma and beta (and running statistics)
repeated N times. The graph is therefore torch's, ViewBackward0 -> NativeBatchNormBackward0 ->
(ViewBackward0, RepeatBackward0, RepeatBackward0), and every gradient comes from those nodes' own
backwards (batch norm's derivation is in ops/normalization.py; repeat's sums the N copies of
dgamma, dbeta back). The running statistics, updated per slice by batch norm, are averaged over the
batch into the (C,) buffers, as torch does.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from .normalization import batch_norm


def instance_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = False,
) -> Tensor:
    """``torch.instance_norm``: per-(sample, channel) normalisation of (N, C, *) input."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    n, c = input.shape[0], input.shape[1]
    shape = (1, n * c) + tuple(input.shape[2:])
    repeated = [None if t is None else t.repeat(n) for t in (weight, bias)]
    stats = [None if t is None else Tensor._make(np.tile(t._data, n)) for t in (running_mean, running_var)]
    out = batch_norm(input.contiguous().view(shape), stats[0], stats[1], *repeated, use_input_stats, momentum, eps)
    for buffer, per_slice in zip((running_mean, running_var), stats):
        if buffer is not None and use_input_stats:
            buffer._data[...] = per_slice._data.reshape(n, c).mean(axis=0)
            buffer._version_counter.value += 1
    return out.view(tuple(input.shape))


__all__ = ["instance_norm"]

TENSOR_METHODS: dict = {}
