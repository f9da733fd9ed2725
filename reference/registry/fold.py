"""Registry entries: unfold (im2col) and fold (col2im), pixel_shuffle and pixel_unshuffle.

unfold / fold draw batched and unbatched inputs, kernel, dilation, padding and
stride (each as an int or a pair), sizes from the dilated kernel up (one block
up to several overlapping ones; stride above the kernel leaves gaps), float
and bool inputs. The pixel shuffles draw the factor, extra leading dims and
integer inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..compare import Sample
from . import OpInfo


def _as_arg(draw: Any, values: tuple[int, int]) -> Any:
    if values[0] == values[1] and draw(st.booleans()):
        return values[0]
    return values if draw(st.booleans()) else list(values)


@st.composite
def _geometry(draw: Any) -> tuple[tuple[int, int], ...]:
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    size = tuple(max(1, e - 2 * p) + draw(st.integers(0, 3)) for e, p in zip(extent, padding))
    return kernel, dilation, padding, stride, size


def _kwargs(draw: Any, kernel: Any, dilation: Any, padding: Any, stride: Any) -> dict:
    kwargs = {"kernel_size": _as_arg(draw, kernel)}
    for name, value, default in (("dilation", dilation, 1), ("padding", padding, 0), ("stride", stride, 1)):
        if value != (default, default) or draw(st.booleans()):
            kwargs[name] = _as_arg(draw, value)
    return kwargs


@st.composite
def _unfold(draw: Any, dtype: str = "float") -> Sample:
    kernel, dilation, padding, stride, size = draw(_geometry())
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    shape = batch + (draw(st.integers(1, 3)),) + size
    x = rng.integers(0, 2, size=shape).astype(bool) if dtype == "bool" else S.array(rng, shape)
    kwargs = _kwargs(draw, kernel, dilation, padding, stride)
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _fold(draw: Any) -> Sample:
    kernel, dilation, padding, stride, size = draw(_geometry())
    blocks = [(n + 2 * p - d * (k - 1) - 1) // s + 1 for n, p, d, k, s in zip(size, padding, dilation, kernel, stride)]
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    seed = draw(S.seeds)
    cols = S.array(
        np.random.default_rng(seed), batch + (draw(st.integers(1, 3)) * kernel[0] * kernel[1], blocks[0] * blocks[1])
    )
    kwargs = {"output_size": _as_arg(draw, size), **_kwargs(draw, kernel, dilation, padding, stride)}
    return S.sample((cols,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _pixel(draw: Any, shuffle: bool, dtype: str = "float") -> Sample:
    r = draw(st.integers(1, 3))
    lead = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2))))
    c, h, w = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shape = lead + ((c * r * r, h, w) if shuffle else (c, h * r, w * r))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = rng.integers(-9, 9, size=shape) if dtype == "int" else S.array(rng, shape)
    key = "upscale_factor" if shuffle else "downscale_factor"
    return S.sample((x,), {key: r}, noncontiguous=draw(st.booleans()), seed=seed)


def _functional(name: str) -> Any:
    return lambda lib, x, **kw: getattr(lib.nn.functional, name)(x, **kw)


OPS = [
    OpInfo("unfold", _functional("unfold"), _unfold),
    OpInfo("unfold_bool", _functional("unfold"), lambda: _unfold("bool")),
    OpInfo("fold", _functional("fold"), _fold),
    OpInfo("pixel_shuffle", lambda lib, x, **kw: lib.pixel_shuffle(x, **kw), lambda: _pixel(True)),
    OpInfo("pixel_unshuffle", lambda lib, x, **kw: lib.pixel_unshuffle(x, **kw), lambda: _pixel(False)),
    OpInfo("F.pixel_shuffle_int", _functional("pixel_shuffle"), lambda: _pixel(True, "int")),
    OpInfo("F.pixel_unshuffle_int", _functional("pixel_unshuffle"), lambda: _pixel(False, "int")),
]
