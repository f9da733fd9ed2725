"""Autograd: the Tensor graph, Function/ctx, the backward engine and grad mode."""

from __future__ import annotations

from .engine import Trace, TraceStep, backward, trace
from .function import AccumulateGrad, BackwardNode, Function, Node
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor


def Variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """The pre-0.4 wrapper, kept as torch keeps it: it returns the tensor itself."""
    if requires_grad:
        data.requires_grad_(True)
    return data


__all__ = [
    "AccumulateGrad",
    "BackwardNode",
    "Function",
    "GradcheckError",
    "Node",
    "Tensor",
    "Trace",
    "TraceStep",
    "Variable",
    "backward",
    "enable_grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "trace",
]
