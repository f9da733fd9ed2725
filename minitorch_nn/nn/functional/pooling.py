"""Functional pooling: torch's signatures; the checks (torch's messages) and the work are in ops.pooling.

Power-average (LP) pooling is composed here as torch composes it in F: (sum_window x^p)^(1/p) as
avg_pool(x^p) * window size, with sign(out) * relu(|out|) before the root, so its graph (and every
gradient) is that of pow, avg_pool, sign, abs, relu and mul, each with its own hand-written backward;
p = +-inf is max pooling of |x|. Max unpooling's output size (default (in - 1)*stride + kernel -
2*padding, or output_size within a stride of it) is worked out here before the op, as in torch.
"""

from __future__ import annotations

from typing import Any

from ...autograd.tensor import Tensor
from ...factories import rand
from ...ops.activation import relu
from ...ops.arithmetic import sign
from ...ops.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    fractional_max_pool2d_op,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool3d,
    max_unpool,
)


def max_pool2d_with_indices(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = True,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    """max_pool2d returning (values, indices) always."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(
    input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
    ceil_mode: bool = False, return_indices: bool = True,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    """max_pool3d returning (values, indices) always."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any, return_indices: bool = True) -> tuple:
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any, return_indices: bool = True) -> tuple:
    return adaptive_max_pool3d(input, output_size, True)


def _n(value: Any, nd: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd


def _unpool_output_size(input: Tensor, kernel_size: tuple, stride: tuple, padding: tuple, output_size: Any) -> list:
    nd = len(kernel_size)
    default = [(input.shape[-nd + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(nd)]
    if output_size is None:
        size = default
    else:
        size = output_size
        if len(size) == nd + 2:
            size = size[2:]
        if len(size) != nd:
            raise ValueError(
                f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a length of "
                f"'{len(size)}'"
            )
        for d in range(nd):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < size[d] < high:
                raise ValueError(f'invalid output_size "{size}" (dim {d} must be between {low} and {high})')
    for d in range(nd):
        if size[d] < 0:
            raise ValueError(
                f"max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                f"output_size[{d}]={size[d]}"
            )
    return list(size)


def _max_unpool_args(kernel_size: Any, stride: Any, padding: Any, nd: int) -> tuple:
    kernel_size = _n(kernel_size, nd)
    return kernel_size, (kernel_size if stride is None else _n(stride, nd)), _n(padding, nd)


def max_unpool1d(
    input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, output_size: Any = None
) -> Tensor:
    """Partial inverse of max_pool1d: values put back at their indices, zeros elsewhere (as 2-d, unit width)."""
    ks, ss, ps = _max_unpool_args(kernel_size, stride, padding, 1)
    size = _unpool_output_size(input, ks, ss, ps, output_size) + [1]
    return max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), size, 2).squeeze(-1)


def max_unpool2d(
    input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, output_size: Any = None
) -> Tensor:
    """Partial inverse of max_pool2d: values put back at their flat (H*W) indices, zeros elsewhere."""
    ks, ss, ps = _max_unpool_args(kernel_size, stride, padding, 2)
    return max_unpool(input, indices, _unpool_output_size(input, ks, ss, ps, output_size), 2)


def max_unpool3d(
    input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, output_size: Any = None
) -> Tensor:
    """Partial inverse of max_pool3d: values put back at their flat (D*H*W) indices, zeros elsewhere."""
    ks, ss, ps = _max_unpool_args(kernel_size, stride, padding, 3)
    return max_unpool(input, indices, _unpool_output_size(input, ks, ss, ps, output_size), 3)


def fractional_max_pool2d(
    input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
    return_indices: bool = False, _random_samples: Tensor | None = None,
) -> Any:  # fmt: skip
    """Max over pseudo-random windows (Graham's fractional max pooling), torch's window sequence.

    Without ``_random_samples`` the per-plane samples are ``rand(N, C, 2)`` in the input's dtype,
    torch's draw, so after the same manual_seed the windows are torch's.
    """
    if output_size is None and output_ratio is None:
        raise ValueError("fractional_max_pool2d requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if len(output_ratio) > 2:
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _n(output_ratio, 2) if len(output_ratio) != 1 else tuple(output_ratio) * 2
        output_size = [int(input.size(-2) * ratio[0]), int(input.size(-1) * ratio[1])]
    if _random_samples is None:
        n_batch = 1 if input.dim() == 3 else input.size(0)
        _random_samples = rand(n_batch, input.size(-3), 2, dtype=input.dtype)
    kernel = _n(kernel_size, 2)
    size = _n(output_size, 2)
    values, indices = fractional_max_pool2d_op(input, kernel, size, _random_samples)
    return (values, indices) if return_indices else values


def _lp_pool(input: Tensor, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool, nd: int) -> Tensor:
    max_pool = (None, max_pool1d, max_pool2d, max_pool3d)[nd]
    avg_pool = (None, avg_pool1d, avg_pool2d, avg_pool3d)[nd]
    if norm_type == float("inf"):
        return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    window = 1
    for k in _n(kernel_size, nd):
        window *= k
    return (sign(out) * relu(out.abs())).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """(sum over each window of x^p)^(1/p) along the last dim (see the module docstring)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """(sum over each 2-d window of x^p)^(1/p)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """(sum over each 3-d window of x^p)^(1/p)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "avg_pool1d",
    "fractional_max_pool2d",
    "avg_pool2d",
    "avg_pool3d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]
