"""Stochastic depth (Huang et al. 2016): drop a residual branch at random while training.

``stochastic_depth(x, p, mode)`` zeroes whole samples ("row": one Bernoulli(1 - p) draw
per sample, broadcast over the other dims) or the whole batch ("batch": one draw) and
divides the survivors by ``1 - p`` so the expectation is unchanged; in eval mode, or
with p = 0, it is the identity. It is built from ordinary differentiable ops (a mask
product), so its gradient is the same mask over ``1 - p``.
"""

from __future__ import annotations

from ... import nn
from ...autograd.tensor import Tensor
from ...factories import empty


def stochastic_depth(input: Tensor, p: float, mode: str, training: bool = True) -> Tensor:
    """Randomly zero the residual branch ``input`` with probability ``p`` (per sample or per batch)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ["batch", "row"]:
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival_rate = 1.0 - p
    size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    noise = empty(size, dtype=input.dtype, device=input.device).bernoulli_(survival_rate)
    if survival_rate > 0.0:
        noise.div_(survival_rate)
    return input * noise


class StochasticDepth(nn.Module):
    """Module form of :func:`stochastic_depth`; active only in train mode."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input: Tensor) -> Tensor:
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p}, mode={self.mode})"
