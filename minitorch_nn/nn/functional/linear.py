"""F.linear: y = x W^T + b (argument checks; the graph is built in ``ops/linear.py``).

torch does not have a fused "linear" backward; it composes matrix products,
and so do we, node for node, so ``y.grad_fn`` reads the same (2-D input with
bias: AddmmBackward0 over (bias, input, TBackward0(weight)); without bias:
MmBackward0; N-D input: views around the product, see ``ops/linear.py``).

The gradients are those of the products: dx = dy W, dW = dy^T x (summed over
the batch rows), db = dy summed over all dims but the last.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops import linear as _ops


def _check(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"linear(): argument '{name}' (position {1 if name == 'input' else 2}) must be Tensor, "
                f"not {type(t).__name__}"
            )
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"linear(): argument 'bias' (position 3) must be Tensor, not {type(bias).__name__}")
    if input.dim() == 0 or weight.dim() != 2:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {input.dim()}D and {weight.dim()}D"
        )


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input W^T + bias; input (*, in_features), weight (out_features, in_features)."""
    _check(input, weight, bias)
    return _ops.linear(input, weight, bias)


__all__ = ["linear"]
