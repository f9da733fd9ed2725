"""F.instance_norm and F.local_response_norm (torch's checks, then the composition torch uses).

instance_norm is ``torch.instance_norm`` (batch norm over the (1, N*C, *) view, see
``ops/instancenorm.py``). local_response_norm divides each entry by (k + alpha * mean of x^2 over
``size`` neighbouring channels)^beta, the mean taken by average pooling over a zero-padded channel
axis exactly as torch composes it (mul, pad, avg_pool2d/3d, squeeze/view, mul, add, pow, div), so
the graph and each gradient are those nodes' own.
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...autograd.types import Size
from ...ops.instancenorm import instance_norm as _instance_norm
from ...ops.padding import pad
from ...ops.pooling import avg_pool2d, avg_pool3d


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each (sample, channel) slice of (N, C, *) input over its spatial positions."""
    if use_input_stats:
        spatial = 1
        for n in input.shape[2:]:
            spatial *= n
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {Size(input.shape)}")
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, False)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x / (k + alpha * mean_{size channels around c} x^2)^beta over (N, C, *) input."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


__all__ = ["instance_norm", "local_response_norm"]
