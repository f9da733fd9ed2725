"""Ops: one Function per differentiable operation, forward and backward side by side.

One family per file. Each file exports its user-facing functions in
``__all__`` (they become ``minitorch_nn.<name>``) and lists the Tensor methods
it provides in ``TENSOR_METHODS`` (bound by ``minitorch_nn/_bindings.py``).
"""

from . import (
    activation,
    arithmetic,
    binary,
    comparison,
    conv,
    ctc,
    distance,
    dropout,
    embedding,
    fold,
    indexing,
    layout,
    likelihood_loss,
    loss,
    margin_loss,
    matmul,
    normalization,
    padding,
    pooling,
    products,
    reduction,
    sampling,
    scan,
    scatter,
    shape,
    sorting,
    unary,
)

FAMILIES = (
    arithmetic,
    comparison,
    reduction,
    shape,
    indexing,
    layout,
    matmul,
    activation,
    loss,
    conv,
    padding,
    pooling,
    normalization,
    dropout,
    unary,
    binary,
    scan,
    sorting,
    scatter,
    products,
    embedding,
    sampling,
    fold,
    likelihood_loss,
    margin_loss,
    distance,
    ctc,
)

__all__ = ["FAMILIES"]
