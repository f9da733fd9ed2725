r"""Statistics built from existing ops, as torch composes them (so the graph, and every backward, is the
ops' own): quantile and nanquantile (sort, gather, lerp), cov (a centred matrix product) and corrcoef.

quantile: the values along ``dim`` are sorted; the q-quantile sits at rank $r = q (n - 1)$ between the
sorted values at $\lfloor r \rfloor$ and $\lceil r \rceil$, and ``interpolation`` picks the lower, the higher, the
nearest (half to even), their midpoint, or (linear) the lerp by $r - \lfloor r \rfloor$. A row holding NaN gives NaN
(NaN sorts last: its rank is moved there); nanquantile counts only the non-NaN values of each row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor, wrap_dim
from .arithmetic import clamp, div, mul, sqrt, sub
from .binary import lerp
from .indexing import gather
from .matmul import mm
from .reduction import mean
from .reduction import sum as _sum
from .return_types import named_result
from .shape import diagonal, squeeze, transpose, unsqueeze
from .sorting import sort
from .unary import _scalar_type

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(
    name: str, input: Tensor, q: Any, dim: int | None, keepdim: bool, interpolation: str, ignore_nan: bool
) -> Tensor:
    data = input._data
    if data.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if data.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != data.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        q_values, scalar_q = q._data.reshape(-1).astype(np.float64), q._data.ndim == 0
    else:
        q_values, scalar_q = np.array([float(q)]), True
    if q_values.size and not ((q_values >= 0) & (q_values <= 1)).all():
        if scalar_q and not isinstance(q, Tensor):
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, but got {interpolation}"
        )
    if data.ndim == 0:
        return _quantile(name, input.reshape(1), q, None, False, interpolation, ignore_nan)
    # values: (*kept, n), the reduced dims kept as size 1 and the sorted values along the last
    if dim is None:
        values = sort(input.reshape(-1)).values.reshape(*(1,) * data.ndim, data.size)
        reduced = tuple(range(data.ndim))
    else:
        d = wrap_dim(dim, data.ndim)
        if d == data.ndim - 1:
            values = sort(input).values.reshape(*data.shape[:-1], 1, data.shape[-1])
        else:
            values = sort(transpose(unsqueeze(input, -1), d, -1)).values
        reduced = (d,)
    ranks, below = _ranks(values._data, q_values, ignore_nan)
    n = values._data.shape[-1]
    if interpolation == "lower":
        result = gather(values, -1, Tensor._make(below))
    elif interpolation == "higher":
        result = gather(values, -1, Tensor._make(np.ceil(ranks).astype(np.int64)))
    elif interpolation == "nearest":
        result = gather(values, -1, Tensor._make(np.round(ranks).astype(np.int64)))
    else:
        above = np.minimum(below + 1, n - 1)
        weights = np.where(np.ceil(ranks) == below, 0.0, 0.5) if interpolation == "midpoint" else ranks - below
        weight_t = Tensor._make(np.asarray(weights, dtype=data.dtype))
        result = lerp(gather(values, -1, Tensor._make(below)), gather(values, -1, Tensor._make(above)), weight_t)
    squeezed = () if keepdim else reduced
    if scalar_q:
        return SqueezeDims.apply(result, (-1, *squeezed))
    result = transpose(unsqueeze(result, 0), 0, -1)  # the q dimension first: (q, *kept, 1)
    return SqueezeDims.apply(result, (-1, *(r + 1 for r in squeezed)))


def _ranks(sorted_data: np.ndarray, q_values: np.ndarray, ignore_nan: bool) -> tuple[np.ndarray, np.ndarray]:
    """Fractional ranks q (count - 1) of shape (*kept, len(q)) and their floors; a row with NaN (all NaN
    for nanquantile) points at the last, NaN, value."""
    n = sorted_data.shape[-1]
    nans = np.isnan(sorted_data)
    count = (n - nans.sum(-1, keepdims=True)) if ignore_nan else np.full(sorted_data.shape[:-1] + (1,), n)
    ranks = q_values * (count - 1).astype(np.float64)
    poisoned = (count == 0) if ignore_nan else nans.any(-1, keepdims=True)
    ranks = np.where(poisoned, n - 1, ranks)
    return ranks, np.floor(ranks).astype(np.int64)


class SqueezeDims(Function):
    """Drop the given size-1 dims (torch's squeeze with a dim list).   Backward reshapes the gradient back:
    $dx = dy$.
    """

    node_name = "SqueezeBackward4"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        drop = {d % x.ndim for d in dims}
        return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in drop))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.reshape(ctx.shape), None


def quantile(
    input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(
    input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


def cov(
    input: Tensor, *, correction: int = 1, fweights: Tensor | None = None, aweights: Tensor | None = None
) -> Tensor:
    """Covariance of the rows (variables) over the columns (observations), optionally weighted:
    avg = sum(w x) / sum(w), c = (x - avg) (w (x - avg))^T / (sum(w) - correction * sum(w a) / sum(w)),
    with w = fweights * aweights (torch's normalisation; without aweights it is sum(w) - correction)."""
    if input._data.ndim > 2:
        raise RuntimeError(
            f"cov(): expected input to have two or fewer dimensions but got an input with {input.ndim} dimensions"
        )
    x = input if input._data.ndim == 2 else input.reshape(1, -1)
    observations = x._data.shape[1]
    if fweights is not None:
        if fweights._data.dtype.kind not in "iu":
            raise RuntimeError(
                f"cov(): expected fweights to have integral dtype but got fweights with {_scalar_type(fweights)} dtype"
            )
        if fweights._data.ndim > 1 or fweights._data.size != observations:
            raise RuntimeError(
                f"cov(): expected fweights to have the same numel as there are observations in the input but got {fweights.numel()} != {observations}"
            )
        if (fweights._data < 0).any():
            raise RuntimeError("cov(): fweights cannot be negative")
    if aweights is not None:
        if aweights._data.ndim > 1 or aweights._data.size != observations:
            raise RuntimeError(
                f"cov(): expected aweights to have the same numel as there are observations in the input but got {aweights.numel()} != {observations}"
            )
        if (aweights._data < 0).any():
            raise RuntimeError("cov(): aweights cannot be negative")
    if x._data.dtype.kind != "f":
        x = x.to(np.float32)
    weights = fweights if aweights is None else (aweights if fweights is None else mul(fweights, aweights))
    if weights is None:
        average = mean(x, 1)
        weight_sum: Any = float(observations)
        norm = weight_sum - correction
    else:
        weight_sum = _sum(weights).to(x.dtype)
        average = div(_sum(mul(x, weights), 1), weight_sum)
        if correction == 0:
            norm = weight_sum
        elif aweights is None:
            norm = sub(weight_sum, correction)
        else:
            norm = sub(weight_sum, mul(div(_sum(mul(weights, aweights)), weight_sum), correction))
    if (float(norm._data) if isinstance(norm, Tensor) else norm) <= 0:
        norm = 0.0 if not isinstance(norm, Tensor) else clamp(norm, min=0)
    centred = sub(x, unsqueeze(average, 1))
    product = mm(centred, transpose(centred if weights is None else mul(centred, weights), 0, 1))
    return squeeze(div(product, norm))


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation: cov scaled by the standard deviations, c_ij / (s_i s_j), clipped to [-1, 1]."""
    if input._data.ndim > 2:
        raise RuntimeError(
            f"corrcoef(): expected input to have two or fewer dimensions but got an input with {input.ndim} dimensions"
        )
    c = cov(input)
    if c._data.ndim == 0:
        return div(c, c)
    std = sqrt(diagonal(c))
    c = div(c, unsqueeze(std, 1))
    c = div(c, unsqueeze(std, 0))
    return clamp(c, -1, 1)


_histogram_result = named_result("histogram", ("hist", "bin_edges"))


def histogram(
    input: Tensor,
    bins: Any = 100,
    *,
    range: Any = None,
    weight: Tensor | None = None,
    density: bool = False,  # noqa: A002
) -> Any:
    """Counts (or summed weights) of input's values in ``bins`` equal-width bins over ``range`` (the data's
    min and max by default), or between the given edges; the last bin includes its right edge. With
    ``density`` the counts are divided by the total and the bin widths. (hist, bin_edges), not differentiable."""
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{_scalar_type(input)}'")
    if isinstance(bins, Tensor):
        edges = bins._data.astype(np.float64)
    else:
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif data.size:
            lo, hi = float(data.min()), float(data.max())
        else:
            lo, hi = 0.0, 1.0  # torch's range for no data
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, int(bins) + 1)
    flat = data.reshape(-1).astype(np.float64)
    w = None if weight is None else weight._data.reshape(-1).astype(np.float64)
    hist, _ = np.histogram(flat, bins=edges, weights=w, density=False)
    hist = hist.astype(np.float64)
    if density:
        total = hist.sum()
        hist = hist / (total * np.diff(edges)) if total else hist * np.nan
    return _histogram_result(Tensor._make(hist.astype(data.dtype)), Tensor._make(edges.astype(data.dtype)))


__all__ = ["corrcoef", "cov", "histogram", "nanquantile", "quantile"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {
    "histogram": histogram,
    "quantile": quantile,
    "nanquantile": nanquantile,
    "cov": cov,
    "corrcoef": corrcoef,
}
