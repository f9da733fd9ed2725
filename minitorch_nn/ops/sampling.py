r"""Resampling: interpolate (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area, antialiased
bilinear / bicubic / lanczos), grid_sample, affine_grid.

Interpolation on a regular grid is separable: every mode computes each output
along one axis as a fixed linear combination of inputs along that axis, so
with $A_d$ the ($\mathrm{out}_d \times \mathrm{in}_d$) weight matrix of axis d,

$$
y = x \times_1 A_1 \times_2 A_2 \cdots \times_k A_k
\qquad (\times_d\text{: contract axis } d \text{ with } A_d\text{'s columns})
$$

and, the map being linear in x, its adjoint is the transposed matrices:

$$
\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} \times_1 A_1^T \cdots \times_k A_k^T.
$$

The modes differ only in A (rows of one 1 for nearest, two weights $1 - t$, $t$
for linear, four cubic-convolution weights for bicubic, $1/|\mathrm{window}|$ over the
adaptive window for area; with antialias the filter widened by the
downscale factor and normalised), built here from torch's source-index
formulas.

grid_sample reads x at arbitrary points: output point p at normalised
coordinates $g_p \in [-1, 1]$ is unnormalised to pixel units $u = a g + b$ (per
axis), folded by the padding mode (border clamps, reflection mirrors), and
interpolated from its $2^D$ (bilinear) / 4x4 (bicubic) neighbours with weights
$w_j(u)$ (nearest: the one rounded neighbour). So

$$
\begin{aligned}
y[c, p] &= \sum_j w_j(u_p)\, x[c, n_j(u_p)], \\
\frac{\partial L}{\partial x[c, n_j(u_p)]} &\mathrel{+}= w_j(u_p) \frac{\partial L}{\partial y[c, p]}
  \qquad \text{(scatter-add)}, \\
\frac{\partial L}{\partial g_p[d]} &= \frac{\partial u_d}{\partial g_d} \sum_{c, j}
  \frac{\partial w_j}{\partial u_d}\, x[c, n_j]\, \frac{\partial L}{\partial y[c, p]},
\end{aligned}
$$

with $\partial u / \partial g = a$ times the padding fold's slope (0 where clamped, $\pm 1$ where
mirrored). Nearest has piecewise-constant weights: no gradient to the grid.

affine_grid is linear in theta: $\mathrm{grid}[n, p] = \theta[n]\, \mathrm{base}[p]$ with
$\mathrm{base}[p] = (x_p, y_p, [z_p,] 1)$ the normalised pixel centres, hence

$$
\frac{\partial L}{\partial \theta[n]} = \sum_p \frac{\partial L}{\partial \mathrm{grid}[n, p]}\, \mathrm{base}[p]^T.
$$
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

# ---- interpolation weight matrices (one per axis) ---------------------------------------------

_CUBIC_A = -0.75  # torch's (and OpenCV's) cubic-convolution parameter


def _opmath(dtype: np.dtype) -> type:
    return np.float64 if dtype == np.float64 else np.float32


def _scale(n_in: int, n_out: int, align_corners: bool, scale: float | None, real: type) -> Any:
    """torch's area_pixel_compute_scale: the step in input pixels per output pixel."""
    if align_corners:
        return real((n_in - 1) / (n_out - 1)) if n_out > 1 else real(0)
    if scale is not None and scale > 0:
        return real(1.0 / scale)
    return real(n_in) / real(n_out)


def _nearest_matrix(n_in: int, n_out: int, scale: float | None, exact: bool, real: type) -> np.ndarray:
    step = _scale(n_in, n_out, False, scale, real)
    i = np.arange(n_out, dtype=real)
    # torch floors in single precision (floorf) whatever the dtype
    src = (i + real(0.5)) * step if exact else i * step
    index = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n_in - 1)
    a = np.zeros((n_out, n_in))
    a[np.arange(n_out), index] = 1.0
    return a


def _linear_matrix(n_in: int, n_out: int, align_corners: bool, scale: float | None, real: type) -> np.ndarray:
    step = _scale(n_in, n_out, align_corners, scale, real)
    i = np.arange(n_out, dtype=real)
    src = i * step if align_corners else np.maximum((i + real(0.5)) * step - real(0.5), real(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    t = np.clip(src - i0, 0, 1).astype(np.float64)
    a = np.zeros((n_out, n_in))
    np.add.at(a, (np.arange(n_out), i0), 1.0 - t)
    np.add.at(a, (np.arange(n_out), i1), t)
    return a


def _cubic_weights(t: np.ndarray) -> list[np.ndarray]:
    """Keys' cubic convolution at the four taps floor(u) - 1 .. floor(u) + 2, t = u - floor(u)."""
    a = _CUBIC_A

    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _cubic_weight_slopes(t: np.ndarray) -> list[np.ndarray]:
    """d/dt of _cubic_weights: near'(x) = 3(a+2)x^2 - 2(a+3)x, far'(x) = 3a x^2 - 10a x + 8a."""
    a = _CUBIC_A

    def near(x: np.ndarray) -> np.ndarray:
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def far(x: np.ndarray) -> np.ndarray:
        return (3 * a * x - 10 * a) * x + 8 * a

    return [far(t + 1), near(t), -near(1 - t), -far(2 - t)]


def _cubic_matrix(n_in: int, n_out: int, align_corners: bool, scale: float | None, real: type) -> np.ndarray:
    step = _scale(n_in, n_out, align_corners, scale, real)
    i = np.arange(n_out, dtype=real)
    src = i * step if align_corners else (i + real(0.5)) * step - real(0.5)  # no clamp at 0 for cubic
    i0 = np.floor(src).astype(np.int64)
    t = (src - i0).astype(np.float64)
    a = np.zeros((n_out, n_in))
    for k, w in enumerate(_cubic_weights(t)):
        np.add.at(a, (np.arange(n_out), np.clip(i0 - 1 + k, 0, n_in - 1)), w)  # taps clamped to the edge
    return a


def _area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Adaptive average pooling along one axis: windows [floor(o in / out), ceil((o + 1) in / out))."""
    a = np.zeros((n_out, n_in))
    for o in range(n_out):
        start, end = (o * n_in) // n_out, -((-(o + 1) * n_in) // n_out)
        a[o, start:end] = 1.0 / (end - start)
    return a


def _band_taps(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A banded (out x in) matrix as its nonzero taps: index (out, T) and weight (out, T), T the widest
    row (1 for nearest, 2 linear, 4 cubic); shorter rows are padded with weight-0 taps."""
    nonzero = a != 0
    width = max(1, int(nonzero.sum(axis=1).max(initial=0)))
    index = np.argsort(~nonzero, axis=1, kind="stable")[:, :width]
    return index, np.take_along_axis(a, index, axis=1)


class _Separable(Function):
    r"""$y = x \times_1 A_1 \cdots \times_k A_k$ over the last k axes; backward applies the transposes (module
    docstring): $dx = dy \times_1 A_1^T \cdots \times_k A_k^T$.

    Each $A_d$ is banded, and so is its transpose, so both directions run as taps: a few gathers and a
    weighted sum per axis (O(out) per line, not a dense O(out x in) product, and no scatter).
    """

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, matrices: tuple[np.ndarray, ...]) -> np.ndarray:
        k = len(matrices)
        ctx.transposed = [_band_taps(a.T) for a in matrices]
        for j, a in enumerate(matrices):
            index, weight = _band_taps(a)
            x = _gather_axis(x, index, weight.astype(x.dtype), x.ndim - k + j)
        return np.ascontiguousarray(x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        k = len(ctx.transposed)
        for j, (index, weight) in enumerate(ctx.transposed):
            grad = _gather_axis(grad, index, weight.astype(grad.dtype), grad.ndim - k + j)
        return np.ascontiguousarray(grad), None


def _along(weight: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    return weight.reshape((-1,) + (1,) * (ndim - 1 - axis))


def _gather_axis(x: np.ndarray, index: np.ndarray, weight: np.ndarray, axis: int) -> np.ndarray:
    """y[..., o, ...] = sum_t weight[o, t] x[..., index[o, t], ...] along ``axis``."""
    if index.shape[1] == 0:  # an empty input axis: every output is an empty sum
        shape = list(x.shape)
        shape[axis] = index.shape[0]
        return np.zeros(shape, dtype=x.dtype)
    if index.shape[1] == 1 and np.all(weight == 1):
        return np.take(x, index[:, 0], axis=axis)  # nearest: a pure gather
    y = np.take(x, index[:, 0], axis=axis) * _along(weight[:, 0], x.ndim, axis)
    for t in range(1, index.shape[1]):
        y += np.take(x, index[:, t], axis=axis) * _along(weight[:, t], x.ndim, axis)
    return y


def _node(name: str) -> type[Function]:
    return type(name.replace("Backward0", ""), (_Separable,), {"node_name": name})


_NEAREST = {k: _node(f"UpsampleNearest{k}DBackward0") for k in (1, 2, 3)}
_NEAREST_EXACT = {k: _node(f"UpsampleNearestExact{k}DBackward0") for k in (1, 2, 3)}
_LINEAR = {1: _node("UpsampleLinear1DBackward0"), 2: _node("UpsampleBilinear2DBackward0")}
_LINEAR[3] = _node("UpsampleTrilinear3DBackward0")
_BICUBIC = _node("UpsampleBicubic2DBackward0")
_AREA_3D = _node("AdaptiveAvgPool3DBackward0")  # torch's area mode on volumes is adaptive_avg_pool3d

_AXES = {1: "W", 2: "HW", 3: "DHW"}


def _check_sizes(spatial: tuple[int, ...], out: tuple[int, ...]) -> None:
    if min(spatial) > 0 and min(out) > 0:
        return
    names = _AXES[len(spatial)]
    if len(spatial) == 1:
        text = f"input (W: {spatial[0]}) and output (W: {out[0]})"
    else:
        text = (
            "input ("
            + ", ".join(f"{a}: {n}" for a, n in zip(names, spatial))
            + ") output ("
            + ", ".join(f"{a}: {n}" for a, n in zip(names, out))
            + ")"
        )
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got {text}")


def _upsample(
    input: Tensor, mode: str, out: tuple[int, ...], align_corners: bool, scales: tuple[float, ...] | None
) -> Tensor:
    k = len(out)
    spatial = tuple(input.shape[2:])
    _check_sizes(spatial, out)
    if input.shape[1] == 0:
        raise RuntimeError(f"Non-empty {k + 2}D data tensor expected but got a tensor with sizes {list(input.shape)}")
    kind = input._data.dtype
    if kind.kind != "f":
        _check_integer_upsample(kind, mode, k)
    real = _opmath(kind)
    scale = [None] * k if scales is None else list(scales)
    if mode in ("nearest", "nearest-exact"):
        matrices = tuple(
            _nearest_matrix(n, o, s, mode == "nearest-exact", real) for n, o, s in zip(spatial, out, scale)
        )
        node = (_NEAREST if mode == "nearest" else _NEAREST_EXACT)[k]
    elif mode == "bicubic":
        matrices = tuple(_cubic_matrix(n, o, align_corners, s, real) for n, o, s in zip(spatial, out, scale))
        node = _BICUBIC
    else:
        matrices = tuple(_linear_matrix(n, o, align_corners, s, real) for n, o, s in zip(spatial, out, scale))
        node = _LINEAR[k]
    return node.apply(input, matrices)


def _check_integer_upsample(kind: np.dtype, mode: str, k: int) -> None:
    """torch resamples uint8 with the nearest modes (and, on 4-D inputs, bilinear / bicubic in a
    fixed-point kernel we do not reproduce); other integer and bool dtypes raise its dispatch error."""
    if kind == np.uint8 and mode in ("nearest", "nearest-exact"):
        return
    if kind == np.uint8 and k == 2:
        raise NotImplementedError(
            f"interpolate: mode '{mode}' on uint8 inputs (torch's fixed-point kernel) is not supported"
        )
    family = {"nearest": "nearest", "nearest-exact": "nearest", "bicubic": "cubic"}.get(mode, "linear")
    op = f"compute_indices_weights_{family}"
    if k == 2 and mode != "bicubic":
        op = f"upsample_{'bilinear' if family == 'linear' else 'nearest'}2d_channels_last"
    raise NotImplementedError(f"\"{op}\" not implemented for '{_TYPE_NAMES.get(kind.name, kind.name)}'")


_TYPE_NAMES = {"int32": "Int", "int64": "Long", "int16": "Short", "int8": "Char", "bool": "Bool", "uint8": "Byte"}


def _area(input: Tensor, out: tuple[int, ...]) -> Tensor:
    if input.dim() == 3:
        return adaptive_avg_pool1d(input, out[0])
    if input.dim() == 4:
        return adaptive_avg_pool2d(input, out)
    if out == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)  # torch's shortcut for a global mean
    return _AREA_3D.apply(input, tuple(_area_matrix(n, o) for n, o in zip(input.shape[2:], out)))


def _is_integer(x: Any) -> bool:
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return True
    return isinstance(x, Tensor) and x._data.dtype.kind in "iub"


_LINEAR_MODES = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """torch.nn.functional.interpolate: resize the spatial dims of an (N, C, *spatial) input."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
                "trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    scale_factors: list | None
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {spatial} and output size of {size}. Please provide input tensor in (N, C, d1, "
                    "d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
                )
            if not all(_is_integer(x) for x in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], but "
                    f"got size with types {[type(x) for x in size]}"
                )
            output_size = [int(s) for s in size]
        else:
            if not _is_integer(size):
                raise TypeError(f"expected size to be an int or a sequence of ints, but got {type(size).__name__}")
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {spatial} and scale_factor of shape {scale_factor}. Please provide input "
                    "tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if output_size is None:
        output_size = [int(n * s) for n, s in zip(spatial, scale_factors)]  # type: ignore[arg-type]  # truncates as torch
    if recompute_scale_factor:
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input"
        )
    out = tuple(output_size)
    scales = None if scale_factors is None else tuple(scale_factors)
    if dim in (1, 2, 3) and mode in ("nearest", "nearest-exact"):
        return _upsample(input, mode, out, False, scales)
    if dim in (1, 2, 3) and mode == "area":
        return _area(input, out)
    if input.dim() == 4 and mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
        return _upsample_antialiased(input, mode, out, False, scales)
    if _LINEAR_MODES.get(mode) == input.dim():
        if antialias:
            return _upsample_antialiased(input, mode, out, bool(align_corners), scales)
        return _upsample(input, mode, out, bool(align_corners), scales)
    needs = {"linear": "3D", "bilinear": "4D", "trilinear": "5D"}
    if dim in (1, 2, 3) and mode in needs:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {needs[mode]} input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the modes: nearest | "
        f"linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got {mode})"
    )


# ---- antialiased resizing (bilinear / bicubic / lanczos, 4-D) ---------------------------------


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(1.0 - x, 0.0)


def _keys_half(x: np.ndarray) -> np.ndarray:
    """Keys' cubic with a = -0.5 (PIL's antialiasing kernel), not the -0.75 of plain bicubic."""
    a = -0.5
    w = np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1, 0.0)
    return np.where((x >= 1) & (x < 2), ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, w)


def _lanczos3(x: np.ndarray) -> np.ndarray:
    return np.where(x < 3, np.sinc(x) * np.sinc(x / 3), 0.0)


# mode -> (filter of |x|, half-width of its support)
_AA_FILTERS = {"bilinear": (_triangle, 1.0), "bicubic": (_keys_half, 2.0), "lanczos": (_lanczos3, 3.0)}


def _aa_matrix(n_in: int, n_out: int, align_corners: bool, scale: float | None, mode: str) -> np.ndarray:
    """torch's antialiased weights: the mode's filter stretched by the downscale factor s = max(step, 1)
    around each output's source centre, truncated to its support and normalised to sum 1."""
    kernel, half_width = _AA_FILTERS[mode]
    step = float(_scale(n_in, n_out, align_corners, scale, np.float64))
    support = half_width * max(step, 1.0)
    inv = 1.0 / step if step >= 1.0 else 1.0
    a = np.zeros((n_out, n_in))
    for o in range(n_out):
        centre = step * (o + 0.5)
        lo = max(int(centre - support + 0.5), 0)
        hi = min(int(centre + support + 0.5), n_in)
        w = kernel(np.abs((np.arange(lo, hi) - centre + 0.5) * inv))
        total = w.sum()
        a[o, lo:hi] = w / total if total != 0 else w
    return a


_AA = {mode: _node(f"Upsample{mode.title()}2DAaBackward0") for mode in _AA_FILTERS}


def _upsample_antialiased(
    input: Tensor, mode: str, out: tuple[int, ...], align_corners: bool, scales: tuple[float, ...] | None
) -> Tensor:
    _check_sizes(tuple(input.shape[2:]), out)
    scale = [None, None] if scales is None else list(scales)
    matrices = tuple(_aa_matrix(n, o, align_corners, s, mode) for n, o, s in zip(input.shape[2:], out, scale))
    return _AA[mode].apply(input, matrices)


def upsample(
    input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest", align_corners: bool | None = None
) -> Tensor:
    """Deprecated alias of interpolate."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- grid sampling ----------------------------------------------------------------------------


def _unnormalize(g: np.ndarray, size: int, align_corners: bool) -> tuple[np.ndarray, float]:
    """Normalised [-1, 1] -> pixel coordinates, and the slope du/dg."""
    if align_corners:
        return (g + 1) / 2 * (size - 1), (size - 1) / 2
    return ((g + 1) * size - 1) / 2, size / 2


def _clip(u: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Clamp to [0, size - 1]; slope 1 strictly inside, 0 where clamped (torch's choice at the ends)."""
    slope = ((u > 0) & (u < size - 1)).astype(u.dtype)
    return np.clip(u, 0, size - 1), slope


def _reflect(u: np.ndarray, twice_low: int, twice_high: int) -> tuple[np.ndarray, np.ndarray]:
    """Mirror u into [low, high] (bounces off both ends); slope +-1 by the parity of the bounces."""
    if twice_low == twice_high:
        return np.zeros_like(u), np.zeros_like(u)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    v = u - low
    sign = np.where(v < 0, -1.0, 1.0).astype(u.dtype)
    v = np.abs(v)
    extra, flips = np.fmod(v, span), np.floor(v / span)
    even = flips % 2 == 0
    return np.where(even, extra + low, span - extra + low), np.where(even, sign, -sign)


def _fold(u: np.ndarray, size: int, padding_mode: int, align_corners: bool) -> tuple[np.ndarray, np.ndarray]:
    """torch's compute_coordinates: the padding mode's fold of pixel coordinates, and its slope."""
    if padding_mode == 1:  # border
        return _clip(u, size)
    if padding_mode == 2:  # reflection
        u, slope = _reflect(u, 0, 2 * (size - 1)) if align_corners else _reflect(u, -1, 2 * size - 1)
        u, clip_slope = _clip(u, size)
        return u, slope * clip_slope
    return u, np.ones_like(u)


class _GridSampler(Function):
    r"""Sample x (N, C, *S) at grid (N, *O, D) points (module docstring): the taps and their weights are
    built once in forward; backward scatters $w \cdot \partial L / \partial y$ into x and contracts
    $x \cdot \partial w / \partial u$ with $\partial L / \partial y$.
    """

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, grid: np.ndarray, mode: int, padding_mode: int, align_corners: bool
    ) -> np.ndarray:
        n, c = x.shape[:2]
        spatial = x.shape[2:]
        d = len(spatial)
        out_shape = grid.shape[1:-1]
        g = grid.reshape(n, int(np.prod(out_shape)), d)
        # grid coordinate k addresses spatial axis d - 1 - k (x is the width, the last axis)
        coords, slopes = [], []
        for axis in range(d):
            size = spatial[axis]
            u, a = _unnormalize(g[..., d - 1 - axis], size, align_corners)
            if mode != 2:
                u, s = _fold(u, size, padding_mode, align_corners)
                a = a * s
            coords.append(u)
            slopes.append(np.broadcast_to(np.asarray(a, dtype=x.dtype), u.shape))
        taps = _taps(coords, spatial, mode, padding_mode, align_corners)
        flat_x = x.reshape(n, c, int(np.prod(spatial)))
        y = np.zeros((n, c, g.shape[1]), dtype=x.dtype)
        for index, valid, weight, _ in taps:
            w = (weight * valid).astype(x.dtype)
            y += np.take_along_axis(flat_x, index[:, None, :], axis=2) * w[:, None, :]
        ctx.taps, ctx.slopes, ctx.x, ctx.mode = taps, slopes, x, mode
        ctx.out_shape = out_shape
        return y.reshape((n, c) + tuple(out_shape))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x = ctx.x
        n, c = x.shape[:2]
        d = x.ndim - 2
        gy = grad.reshape(n, c, int(np.prod(ctx.out_shape)))
        p_in = int(np.prod(x.shape[2:]))
        gx = None
        if ctx.needs_input_grad[0]:
            plane = (np.arange(n)[:, None, None] * c + np.arange(c)[None, :, None]) * p_in
            acc = np.zeros(n * c * p_in, dtype=np.float64)
            for index, valid, weight, _ in ctx.taps:
                w = weight * valid
                acc += np.bincount(
                    (plane + index[:, None, :]).ravel(), (gy * w[:, None, :]).ravel(), minlength=n * c * p_in
                )
            gx = acc.reshape(x.shape).astype(grad.dtype)
        ggrid = None
        if ctx.needs_input_grad[1]:
            ggrid = np.zeros((n, gy.shape[2], d), dtype=grad.dtype)
            if ctx.mode != 1:  # nearest: piecewise constant, no gradient
                flat_x = x.reshape(n, c, p_in)
                for index, valid, _, dweights in ctx.taps:
                    values = (np.take_along_axis(flat_x, index[:, None, :], axis=2) * gy).sum(axis=1) * valid
                    for axis in range(d):
                        ggrid[..., d - 1 - axis] += values * dweights[axis] * ctx.slopes[axis]
            ggrid = ggrid.reshape((n,) + tuple(ctx.out_shape) + (d,))
        return gx, ggrid, None, None, None


def _taps(
    coords: list[np.ndarray], spatial: tuple[int, ...], mode: int, padding_mode: int, align_corners: bool
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]]:
    """Every neighbour read: (flat index, in-bounds mask, weight, d weight / d u_axis per axis)."""
    d = len(spatial)
    strides = [int(np.prod(spatial[a + 1 :])) for a in range(d)]
    if mode == 1:  # nearest: round half to even, as nearbyint
        idx = [np.rint(u).astype(np.int64) for u in coords]
        per_axis = [[(i, np.ones_like(u), np.zeros_like(u))] for i, u in zip(idx, coords)]
    elif mode == 0:  # bilinear: corners floor(u) and floor(u) + 1, weights 1 - t and t
        per_axis = []
        for u in coords:
            i0 = np.floor(u)
            t = u - i0
            i0 = i0.astype(np.int64)
            per_axis.append([(i0, 1 - t, -np.ones_like(u)), (i0 + 1, t, np.ones_like(u))])
    else:  # bicubic: taps floor(u) - 1 .. floor(u) + 2, each folded by the padding mode
        per_axis = []
        for u, size in zip(coords, spatial):
            i0 = np.floor(u)
            t = u - i0
            weights, dweights = _cubic_weights(t), _cubic_weight_slopes(t)
            axis_taps = []
            for k in range(4):
                folded, _ = _fold(i0 - 1 + k, size, padding_mode, align_corners)
                axis_taps.append((folded.astype(np.int64), weights[k], dweights[k]))
            per_axis.append(axis_taps)
    taps = []
    for choice in np.ndindex(*(len(t) for t in per_axis)):
        picked = [per_axis[a][choice[a]] for a in range(d)]
        valid = np.ones(coords[0].shape, dtype=bool)
        flat = np.zeros(coords[0].shape, dtype=np.int64)
        for (i, _, _), size, stride in zip(picked, spatial, strides):
            valid &= (i >= 0) & (i < size)
            flat += np.clip(i, 0, size - 1) * stride
        weight = np.prod([w for _, w, _ in picked], axis=0)
        dweights = [np.prod([picked[b][2] if b == a else picked[b][1] for b in range(d)], axis=0) for a in range(d)]
        taps.append((flat, valid.astype(coords[0].dtype), weight, dweights))
    return taps


class GridSampler2D(_GridSampler):
    node_name = "GridSampler2DBackward0"


class GridSampler3D(_GridSampler):
    node_name = "GridSampler3DBackward0"


def _check_grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int, dims: int) -> None:
    """torch's grid_sampler checks, in its order: the common ones, then those of the 2-d or 3-d kernel."""
    shape, gshape = list(input.shape), list(grid.shape)
    if input.dim() == 0 or grid.dim() == 0 or input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input with sizes "
            f"{shape} and grid with sizes {gshape}"
        )
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but got grid with "
            f"sizes {gshape}"
        )
    for i in range(2, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(
                f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes {shape} "
                f"with dimension {i} being empty"
            )
    if input.dim() != dims + 2 or grid.dim() != input.dim():
        raise RuntimeError(
            f"grid_sampler(): expected {dims + 2}D input and grid with same number of dimensions, but got input "
            f"with sizes {shape} and grid with sizes {gshape}"
        )
    if dims == 3 and interpolation_mode == 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    kind = input._data.dtype
    if kind.kind != "f":
        raise NotImplementedError(
            f"\"grid_sampler_{dims}d_cpu_kernel_impl\" not implemented for '{_TYPE_NAMES.get(kind.name)}'"
        )
    if grid._data.dtype != kind:
        raise RuntimeError(
            f"expected scalar type {_FLOAT_NAMES[kind.name]} but found {_FLOAT_NAMES[grid._data.dtype.name]}"
        )


_FLOAT_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half"}


def grid_sampler(
    input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int, align_corners: bool
) -> Tensor:
    """torch.grid_sampler: modes as integers (0 bilinear, 1 nearest, 2 bicubic; 0 zeros, 1 border, 2 reflection)."""
    dims = 2 if input.dim() == 4 else 3
    _check_grid_sampler(input, grid, interpolation_mode, dims)
    node = GridSampler2D if dims == 2 else GridSampler3D
    return node.apply(input, grid, int(interpolation_mode), int(padding_mode), bool(align_corners))


def grid_sampler_2d(
    input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int, align_corners: bool
) -> Tensor:
    """torch.grid_sampler_2d: grid_sampler on an (N, C, H, W) input."""
    _check_grid_sampler(input, grid, interpolation_mode, 2)
    return GridSampler2D.apply(input, grid, int(interpolation_mode), int(padding_mode), bool(align_corners))


def grid_sampler_3d(
    input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int, align_corners: bool
) -> Tensor:
    """torch.grid_sampler_3d: grid_sampler on an (N, C, D, H, W) input (bilinear or nearest)."""
    _check_grid_sampler(input, grid, interpolation_mode, 3)
    return GridSampler3D.apply(input, grid, int(interpolation_mode), int(padding_mode), bool(align_corners))


_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify "
    "align_corners=True if the old behavior is desired. See the documentation of grid_sample for details."
)


def grid_sample(
    input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros", align_corners: bool | None = None
) -> Tensor:
    """torch.nn.functional.grid_sample."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: "
            f"'{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    modes = {"bilinear": 0, "nearest": 1, "bicubic": 2}
    paddings = {"zeros": 0, "border": 1, "reflection": 2}
    return grid_sampler(input, grid, modes[mode], paddings[padding_mode], align_corners)


# ---- affine grids -----------------------------------------------------------------------------


def _base_grid(spatial: tuple[int, ...], align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """(*spatial, D + 1): normalised pixel centres (x, y, [z]) and a 1, x along the last axis."""
    lines = []
    for n in spatial:
        line = np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(n)
        lines.append(line if align_corners else line * (n - 1) / n)
    mesh = np.meshgrid(*lines, indexing="ij")
    return np.stack([*mesh[::-1], np.ones(tuple(spatial))], axis=-1).astype(dtype)


class AffineGridGenerator(Function):
    r"""$\mathrm{grid}[n, p] = \theta[n]\, \mathrm{base}[p]$;
    $\partial L / \partial \theta[n] = \sum_p \partial L / \partial \mathrm{grid}[n, p]\, \mathrm{base}[p]^T$ (module
    docstring).
    """

    node_name = "AffineGridGeneratorBackward0"

    @staticmethod
    def forward(ctx: Any, theta: np.ndarray, size: tuple[int, ...], align_corners: bool) -> np.ndarray:
        spatial = size[2:]
        base = _base_grid(spatial, align_corners, theta.dtype).reshape(-1, len(spatial) + 1)
        ctx.base = base
        grid = np.matmul(base[None], np.swapaxes(theta, 1, 2))  # (N, P, D)
        return grid.reshape((size[0],) + tuple(spatial) + (len(spatial),))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        n, d = grad.shape[0], grad.shape[-1]
        return np.matmul(np.swapaxes(grad.reshape(n, -1, d), 1, 2), ctx.base.astype(grad.dtype)), None, None


def affine_grid_generator(theta: Tensor, size: Any, align_corners: bool) -> Tensor:
    """torch.affine_grid_generator: the sampling grid of a batch of affine maps (no argument checks)."""
    size = tuple(int(s) for s in size)
    d = len(size) - 2
    if theta.shape[0] != size[0]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {d + 1}] but got: "
            f"[{theta.shape[0]}, {d + 1}]."
        )
    return AffineGridGenerator.apply(theta, size, bool(align_corners))


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """torch.nn.functional.affine_grid: size (N, C, H, W) with theta (N, 2, 3), or (N, C, D, H, W) with (N, 3, 4)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if theta._data.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got {theta.shape}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(
                f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got {theta.shape}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. "
            f"Got size {size}."
        )
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when align_corners=True. "
            "This is not an intended use case of affine_grid. See the documentation of affine_grid for details.",
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return affine_grid_generator(theta, size, align_corners)


__all__ = ["affine_grid_generator", "grid_sampler", "grid_sampler_2d", "grid_sampler_3d"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
