"""nn.init: fill a tensor in place with a chosen distribution, as torch.nn.init does.

The scaled initialisers keep the variance of activations roughly constant
from layer to layer. With fan_in = size(1) * receptive field and fan_out =
size(0) * receptive field:

- Xavier/Glorot: Var(w) = gain^2 * 2 / (fan_in + fan_out);
  uniform on [-a, a] has variance a^2/3, so a = gain * sqrt(6 / (fan_in + fan_out)).
- Kaiming/He: Var(w) = gain^2 / fan (fan_in keeps forward variances, fan_out
  backward ones); uniform bound = sqrt(3) * gain / sqrt(fan).

Every function writes under no_grad into the tensor's own storage and returns
it. The random ones draw exactly as torch's do (``tensor.uniform_``/``normal_``,
the same rejection loops, randperm for sparse_), so for the same seed they give
torch's CPU numbers; orthogonal_ then differs from torch only by its QR (LAPACK
from NumPy here, MKL in torch: last-bit differences).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..ops import distributions
from ..random import Generator

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: 1 (linear, sigmoid), 5/3 (tanh), sqrt(2) (relu),
    sqrt(2 / (1 + slope^2)) (leaky_relu), 3/4 (selu)."""
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Write ``values`` into the tensor's storage (cast to its dtype) and bump its version."""
    with no_grad():
        tensor._data[...] = np.asarray(values).astype(tensor._data.dtype, copy=False)
        tensor._version_counter.value += 1
    return tensor


def _no_op_if_empty(tensor: Tensor) -> bool:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with U(a, b)."""
    with no_grad():
        return distributions.uniform_(tensor, a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std^2)."""
    with no_grad():
        return distributions.normal_(tensor, mean, std, generator=generator)


def _drawn_like(tensor: Tensor, draw: Callable[[Tensor], Tensor]) -> np.ndarray:
    """A fresh array in tensor's layout filled by ``draw`` (torch's ``empty_like(t).normal_(...)``)."""
    return draw(Tensor._make(np.empty_like(tensor._data)))._data


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> Tensor:
    """Fill with N(mean, std^2) conditioned on [a, b] (a and b are absolute bounds, as in torch).

    torch's two rejection samplers, draw for draw. When [a, b] holds more than 30% of the mass:
    draw normals and redraw (a whole tensor each round) wherever a value fell outside. Otherwise
    propose x ~ U(a, b) and accept when log u < log pdf(x) - log pdf(mode), u ~ U(0, 1).
    """

    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    with no_grad():
        dtype = tensor._data.dtype
        mass = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
        if mass > 0.3:
            lo, hi = float(dtype.type(a)), float(dtype.type(b))  # bounds as the tensor's dtype holds them
            result = distributions.normal_(tensor, mean, std, generator=generator)._data
            while True:
                outside = (result < lo) | (result > hi)
                if not outside.any():
                    break
                fresh = _drawn_like(tensor, lambda t: distributions.normal_(t, mean, std, generator=generator))
                result = np.where(outside, fresh, result)
            return _fill(tensor, result)
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        half, scalar = dtype.type(-0.5), dtype.type

        def log_density_ratio(x: np.ndarray) -> np.ndarray:  # torch's sub_.div_.pow_.mul_.sub_, in the dtype
            z = (x - scalar(mean)) / scalar(std)
            return z * z * half - scalar(log_peak)

        def rejected(x: np.ndarray) -> np.ndarray:
            u = _drawn_like(tensor, lambda t: distributions.uniform_(t, generator=generator))
            return np.log(u) > log_density_ratio(x)

        result = distributions.uniform_(tensor, a, b, generator=generator)._data.copy()
        pending = rejected(result)
        while pending.any():
            candidates = _drawn_like(tensor, lambda t: distributions.uniform_(t, a, b, generator=generator))
            result = np.where(pending, candidates, result)
            pending = np.where(pending, rejected(candidates), pending)
        return _fill(tensor, result)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the main diagonal)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor._data.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3/4/5-D conv weight with the Dirac delta: the conv then copies its input channels."""
    dims = tensor.ndim
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor._data.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    values = np.zeros(sizes)
    center = tuple(s // 2 for s in sizes[2:])
    for g in range(groups):
        for d in range(min(out_per_group, sizes[1])):
            values[(g * out_per_group + d, d) + center] = 1
    return _fill(tensor, values)


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = size(1) * prod(size(2:)), fan_out = size(0) * prod(size(2:))."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    shape = tensor._data.shape
    receptive_field = 1
    for s in shape[2:]:
        receptive_field *= s
    return shape[1] * receptive_field, shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """U(-bound, bound) with bound = gain * sqrt(3 / fan); gain = calculate_gain(nonlinearity, a)."""
    if _no_op_if_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """N(0, std^2) with std = gain / sqrt(fan)."""
    if _no_op_if_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, times ``gain``.

    The signs of R's diagonal are folded into Q so that Q is uniformly
    distributed (Haar measure), as in torch.
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor._data.shape[0]
    cols = tensor.numel() // rows
    with no_grad():
        flat = distributions.normal_(Tensor._make(np.empty((rows, cols), tensor._data.dtype)), generator=generator)
    flat = flat._data.T if rows < cols else flat._data
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    dtype = tensor._data.dtype
    return _fill(tensor, q.astype(dtype).reshape(tensor._data.shape) * dtype.type(gain))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None) -> Tensor:
    """N(0, std^2) with a fraction ``sparsity`` of each column set to zero.

    As torch, the zeroed rows come from ``randperm(rows)`` on the global generator, whatever
    ``generator`` is given.
    """
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor._data.shape
    num_zeros = int(math.ceil(sparsity * rows))
    with no_grad():
        distributions.normal_(tensor, 0, std, generator=generator)
        values = tensor._data.copy()
        for col in range(cols):
            values[random.permutation(rows)[:num_zeros], col] = 0
    return _fill(tensor, values)


def _make_deprecate(meth: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """The pre-0.4 name without the trailing underscore: warns, then calls the new one."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Tensor:
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = (
        f"{old_name}(...)\n\n.. warning::\n    Deprecated in favor of :func:`~torch.nn.init.{new_name}`."
    )
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)

__all__ = [
    "calculate_gain",
    "constant",
    "constant_",
    "dirac",
    "dirac_",
    "eye",
    "eye_",
    "kaiming_normal",
    "kaiming_normal_",
    "kaiming_uniform",
    "kaiming_uniform_",
    "normal",
    "normal_",
    "ones_",
    "orthogonal",
    "orthogonal_",
    "sparse",
    "sparse_",
    "trunc_normal_",
    "uniform",
    "uniform_",
    "xavier_normal",
    "xavier_normal_",
    "xavier_uniform",
    "xavier_uniform_",
    "zeros_",
]
