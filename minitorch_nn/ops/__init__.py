"""Ops: one Function per differentiable operation, forward and backward side by side.

One family per file. Each file exports its user-facing functions in
``__all__`` (they become ``minitorch_nn.<name>``) and lists the Tensor methods
it provides in ``TENSOR_METHODS`` (bound by ``minitorch_nn/_bindings.py``).
"""

from . import (
    activation,
    arithmetic,
    bilinear,
    binary,
    comparison,
    conv,
    decompositions,
    distributions,
    dropout,
    embedding,
    fold,
    indexing,
    instancenorm,
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
    solvers,
    sorting,
    spectral,
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
    bilinear,
    instancenorm,
    spectral,
    decompositions,
    solvers,
)

__all__ = ["FAMILIES"]
