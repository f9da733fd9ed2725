"""F.linear: y = x W^T + b, built from the same graph nodes as torch's.

torch does not have a fused "linear" backward; it composes matrix products,
and so do we, node for node, so ``y.grad_fn`` reads the same:

- 2-D input with bias: ``addmm(b, x, W.t())``            -> AddmmBackward0
- 2-D input, no bias:  ``x.mm(W.t())``                   -> MmBackward0
- contiguous N-D input with a 1-D bias: x viewed as (-1, in), addmm, viewed back
                                                          -> ViewBackward0(AddmmBackward0(ViewBackward0))
- otherwise ``matmul(x, W.t())`` then ``add_(b)``: matmul folds the batch dims
  into rows (``reshape``), multiplies and unfolds (``_unsafe_view``).

The gradients are those of the products: dx = dy W, dW = dy^T x (summed over
the batch rows), db = dy summed over all dims but the last.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...ops import matmul as _mm
from ...ops import shape as _shape


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


def _matmul_2d_weight(input: Tensor, weight_t: Tensor) -> Tensor:
    """torch.matmul(input, W^T) for a 2-D right operand, node for node as torch builds it."""
    if input.dim() == 1:
        return _mm.mm(input.unsqueeze(0), weight_t).squeeze(0)
    if input.dim() == 2:
        return _mm.mm(input, weight_t)
    batch = input.shape[:-1]
    folded = input.reshape(-1, input.shape[-1])
    return _shape._unsafe_view(_mm.mm(folded, weight_t), (*batch, weight_t.shape[1]))


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input W^T + bias; input (*, in_features), weight (out_features, in_features)."""
    _check(input, weight, bias)
    if input.dim() == 2 and bias is not None:
        return _mm.addmm(bias, input, weight.t())
    if bias is not None and input.is_contiguous() and (input.dim() == 3 or bias.dim() == 1):
        rows = input.view(-1, input.shape[-1])
        out = _mm.addmm(bias, rows, weight.t())
        return out.view(*input.shape[:-1], out.shape[1])
    out = _matmul_2d_weight(input, weight.t())
    if bias is not None:
        out = out.add_(bias)
    return out


__all__ = ["linear"]
