"""F.embedding: torch's argument checks (padding_idx range, max_norm renorm), then one call into ops.embedding.

The lookup and its scatter-add backward are derived in ``minitorch_nn/ops/embedding.py``.
"""

from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...ops import embedding as _ops


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) at the integer ``input``; output shape input.shape + (dim,).

    A negative ``padding_idx`` counts from the end; that row gets no gradient. With ``max_norm`` the rows
    ``input`` names are first rescaled in place (no autograd) to a ``norm_type``-norm of at most max_norm.
    """
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        # torch makes the indices contiguous and renormalises under no_grad: the weight's version bumps
        with no_grad():
            _ops.embedding_renorm_(weight, input, max_norm, norm_type)
    return _ops.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


__all__ = ["embedding"]
