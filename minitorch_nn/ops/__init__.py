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
    distributions,
    dropout,
    embedding,
    fold,
    indexing,
    layout,
    loss,
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
    special,
    spectral,
    statistics,
    tensor_api,
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
    distributions,
    spectral,
    tensor_api,
    special,
    statistics,
)

__all__ = ["FAMILIES"]
