"""Parameters as one flat vector and back: what second-order methods and model averaging use."""

from __future__ import annotations

from collections.abc import Iterable

from ...autograd.tensor import Tensor
from ...ops.indexing import cat


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated, in order (a graph op: gradients flow back)."""
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Point each parameter's data at its consecutive slice of ``vec`` (views of it, as in torch; no graph)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    start = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[start : start + n].view_as(p).data
        start += n


__all__ = ["parameters_to_vector", "vector_to_parameters"]
