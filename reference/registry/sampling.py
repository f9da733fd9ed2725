"""Registry entries: resampling: interpolate (every mode), grid_sample / grid_sampler_2d, affine_grid.

interpolate draws the mode, 1-d to 3-d inputs of odd and even sizes, the
output as a size (int or tuple) or a scale factor (number or tuple, up and
down, non-integer), recompute_scale_factor, align_corners, antialias (bilinear, bicubic, lanczos), float
and uint8 inputs. grid_sample draws the mode, padding mode and align_corners
with sample points in and outside the input; the points are kept away from
whole and half pixels (in pixel units), where the interpolation weights, the
border clamp and the reflection fold have kinks and nearest rounding jumps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..compare import Sample
from . import OpInfo

_DIMS = {"nearest": (1, 2, 3), "nearest-exact": (1, 2, 3), "area": (1, 2, 3)}
_DIMS.update({"linear": (1,), "bilinear": (2,), "bicubic": (2,), "trilinear": (3,), "lanczos": (2,)})
_SCALES = [0.5, 0.75, 1.0, 1.5, 1.7, 2.0, 2.5, 3.0]


@st.composite
def _interpolate(draw: Any, mode: str, antialias: bool = False, dtype: str = "float") -> Sample:
    nd = draw(st.sampled_from(_DIMS[mode]))
    batch = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    spatial = tuple(draw(st.integers(1, 5 if nd < 3 else 4)) for _ in range(nd))
    kwargs: dict[str, Any] = {"mode": mode}
    if draw(st.booleans()):
        size = tuple(draw(st.integers(1, 6 if nd < 3 else 4)) for _ in range(nd))
        if antialias:
            size = size[:-1] + (max(2, size[-1]),)  # torch's antialiased kernel mixes rows up at width 1
        kwargs["size"] = size[0] if len(set(size)) == 1 and draw(st.booleans()) else size
    else:
        scales = tuple(draw(st.sampled_from(_SCALES)) for _ in range(nd))
        # no empty outputs (torch raises), and a width of at least 2 with antialias
        scales = tuple(s if int(n * s) >= (2 if antialias and j == nd - 1 else 1) else 2.0 for j, (n, s) in
                       enumerate(zip(spatial, scales)))  # fmt: skip
        kwargs["scale_factor"] = scales[0] if len(set(scales)) == 1 and draw(st.booleans()) else scales
        if mode != "area":
            recompute = draw(st.sampled_from([None, False, True]))
            if recompute is not None:
                kwargs["recompute_scale_factor"] = recompute
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        align = draw(st.sampled_from([None, False, True]))
        if align is not None:
            kwargs["align_corners"] = align
    if antialias:
        kwargs["antialias"] = True
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = (
        rng.integers(0, 256, size=batch + spatial).astype(np.uint8)
        if dtype == "uint8"
        else S.array(rng, batch + spatial)
    )
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _pixels_away_from_kinks(rng: np.random.Generator, shape: tuple[int, ...], size: int) -> np.ndarray:
    """Pixel coordinates in [-2, size + 1) whose fraction is in [0.1, 0.4] or [0.6, 0.9]."""
    whole = rng.integers(-2, size + 1, size=shape)
    frac = rng.uniform(0.1, 0.4, size=shape) + 0.5 * rng.integers(0, 2, size=shape)
    return whole + frac


@st.composite
def _grid_sample(draw: Any, nd: int, modes: tuple[str, ...]) -> Sample:
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    spatial = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    out = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    mode = draw(st.sampled_from(modes))
    padding_mode = draw(st.sampled_from(["zeros", "border", "reflection"]))
    align = draw(st.booleans())
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    grid = np.empty((n,) + out + (nd,))
    for k in range(nd):
        size = spatial[nd - 1 - k]  # grid coordinate k addresses the k-th spatial axis from the last
        u = _pixels_away_from_kinks(rng, (n,) + out, size)
        if align and size == 1:
            grid[..., k] = rng.uniform(-1.5, 1.5, size=(n,) + out)  # every point maps to pixel 0
        else:
            grid[..., k] = 2 * u / (size - 1) - 1 if align else (2 * u + 1) / size - 1
    x = S.array(rng, (n, c) + spatial)
    kwargs = {"mode": mode, "padding_mode": padding_mode, "align_corners": align}
    return S.sample((x, grid), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


_MODE_ENUM = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDING_ENUM = {"zeros": 0, "border": 1, "reflection": 2}


def _grid_sampler(name: str) -> Any:
    """torch.grid_sampler / grid_sampler_2d / grid_sampler_3d, which take the modes as integers."""

    def call(lib: Any, x: Any, grid: Any, mode: str, padding_mode: str, align_corners: bool) -> Any:
        return getattr(lib, name)(x, grid, _MODE_ENUM[mode], _PADDING_ENUM[padding_mode], align_corners)

    return call


@st.composite
def _affine_grid(draw: Any, nd: int) -> Sample:
    n = draw(st.integers(1, 3))
    size = [n, draw(st.integers(1, 3))] + [draw(st.integers(1, 4)) for _ in range(nd)]
    align = draw(st.booleans())
    if align:
        size[2:] = [max(2, s) for s in size[2:]]  # torch warns on unit sizes with align_corners=True
    seed = draw(S.seeds)
    theta = S.array(np.random.default_rng(seed), (n, nd, nd + 1))
    kwargs = {"size": size if draw(st.booleans()) else tuple(size), "align_corners": align}
    return S.sample((theta,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _interpolate_call(lib: Any, x: Any, **kwargs: Any) -> Any:
    return lib.nn.functional.interpolate(x, **kwargs)


OPS = [
    OpInfo(f"interpolate_{mode.replace('-', '_')}", _interpolate_call, (lambda m=mode: _interpolate(m)))
    for mode in ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
] + [
    OpInfo("interpolate_nearest_uint8", _interpolate_call, lambda: _interpolate("nearest", dtype="uint8")),
    OpInfo("interpolate_nearest_exact_uint8", _interpolate_call, lambda: _interpolate("nearest-exact", dtype="uint8")),
    OpInfo("interpolate_bilinear_antialias", _interpolate_call, lambda: _interpolate("bilinear", antialias=True)),
    OpInfo("interpolate_bicubic_antialias", _interpolate_call, lambda: _interpolate("bicubic", antialias=True)),
    OpInfo("interpolate_lanczos_antialias", _interpolate_call, lambda: _interpolate("lanczos", antialias=True)),
    OpInfo(
        "grid_sample_2d",
        lambda lib, x, g, **kw: lib.nn.functional.grid_sample(x, g, **kw),
        lambda: _grid_sample(2, ("bilinear", "nearest", "bicubic")),
    ),
    OpInfo(
        "grid_sample_3d",
        lambda lib, x, g, **kw: lib.nn.functional.grid_sample(x, g, **kw),
        lambda: _grid_sample(3, ("bilinear", "nearest")),
    ),
    OpInfo(
        "grid_sampler_2d", _grid_sampler("grid_sampler_2d"), lambda: _grid_sample(2, ("bilinear", "nearest", "bicubic"))
    ),
    OpInfo("grid_sampler_3d", _grid_sampler("grid_sampler_3d"), lambda: _grid_sample(3, ("bilinear", "nearest"))),
    OpInfo("grid_sampler", _grid_sampler("grid_sampler"), lambda: _grid_sample(2, ("bilinear", "nearest", "bicubic"))),
    OpInfo("affine_grid_2d", lambda lib, t, **kw: lib.nn.functional.affine_grid(t, **kw), lambda: _affine_grid(2)),
    OpInfo("affine_grid_3d", lambda lib, t, **kw: lib.nn.functional.affine_grid(t, **kw), lambda: _affine_grid(3)),
    OpInfo(
        "affine_grid_generator",
        lambda lib, t, size, align_corners: lib.affine_grid_generator(t, size, align_corners),
        lambda: _affine_grid(2),
    ),
]
