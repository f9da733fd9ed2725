"""F.embedding and F.embedding_bag: torch's argument checks (padding_idx range, max_norm renorm, the
shapes of bags and weights), then one call into ops.embedding.

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


def _padding_row(padding_idx: int | None, rows: int) -> int | None:
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise RuntimeError(
            f"padding_idx must be within the number of embeddings, -{rows} through {rows - 1}, but got {padding_idx}"
        )
    return padding_idx % rows


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sums, means or maxima of bags of embeddings: rows of a 2-D ``input`` (each one bag), or runs of a
    1-D ``input`` starting at ``offsets``; (num_bags, embedding_dim)."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it must have the "
            f"same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length "
                f"sequences. However, found offsets of type {type(offsets)}".replace(
                    "minitorch_nn.autograd.tensor", "torch"
                )
            )
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub."
        )
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        names = {"float32": "Float", "float64": "Double"}
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
            f"'per_sample_weights'; but type torch.{names.get(weight._data.dtype.name)}Tensor does not equal "
            f"torch.{names.get(per_sample_weights._data.dtype.name)}Tensor (while checking arguments for embedding_bag)"
        )
    if sparse:
        raise RuntimeError("sparse embedding gradients are not supported by minitorch_nn (use sparse=False)")
    if max_norm is not None:
        with no_grad():
            _ops.embedding_renorm_(weight, input, max_norm, norm_type)
    padding = _padding_row(padding_idx, weight.size(0))
    return _ops.embedding_bag(
        weight, input, offsets, mode, per_sample_weights, include_last_offset, padding, scale_grad_by_freq
    )


__all__ = ["embedding", "embedding_bag"]
