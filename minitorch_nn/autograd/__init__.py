"""Autograd: the Tensor graph, Function/ctx, the backward engine and grad mode.

``autograd.Function`` is the user-facing base class (forward and backward on Tensors, as in torch);
the library's own ops subclass ``autograd.function.Function``, whose passes run on NumPy arrays.
"""

from __future__ import annotations

from . import engine, function, tensor, views
from .custom_function import Function, FunctionCtx
from .engine import Trace, TraceStep, backward, grad, trace
from .function import AccumulateGrad, BackwardNode, Node, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor

# Tensor and Function sit below the engine and the view machinery (which import them); the few
# calls they make upward are wired here, once every module is loaded.
tensor._accumulate_grad_node = function.accumulate_grad_node
tensor._run_backward = engine.backward
tensor._refresh_view = views.refresh
function._VIEWS = views


def Variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """The pre-0.4 wrapper, kept as torch keeps it: it returns the tensor itself."""
    if requires_grad:
        data.requires_grad_(True)
    return data


__all__ = [
    "AccumulateGrad",
    "BackwardNode",
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Node",
    "Tensor",
    "Trace",
    "TraceStep",
    "Variable",
    "backward",
    "enable_grad",
    "grad",
    "gradcheck",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "once_differentiable",
    "set_grad_enabled",
    "trace",
]
