"""Registry entries: max and average pooling (1-d to 3-d), adaptive average and max pooling (1-d to 3-d),
max unpooling and power-average (LP) pooling.

The strategies draw batch (1 or 2, or no batch dim at all), channels, spatial
sizes (down to the kernel's extent: kernel == input), kernel, stride (above the
kernel too, or omitted), padding up to torch's limit, dilation, ceil_mode,
count_include_pad, divisor_override and return_indices (the indices are
compared with torch's too), on contiguous and non-contiguous inputs. Max-pool
inputs have no ties, so the argmax (and the gradient) is unique.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..compare import Sample
from . import BenchCase, OpInfo


def _as_arg(draw: Any, values: tuple[int, ...]) -> Any:
    """An nd-tuple, or a single int where all entries agree and the draw says so (torch takes both)."""
    if len(set(values)) == 1 and draw(st.booleans()):
        return values[0]
    return values


@st.composite
def _pool(draw: Any, nd: int, kind: str) -> Sample:
    batch = draw(st.sampled_from([(), (1,), (2,)]))  # () : an unbatched (C, *spatial) input
    c = draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nd)) if kind == "max" else (1,) * nd
    extent = tuple(di * (ki - 1) + 1 for ki, di in zip(k, d))
    # torch's limit: pad <= half the kernel (and half the dilated kernel)
    p = tuple(draw(st.integers(0, min(ki // 2, ei // 2))) for ki, ei in zip(k, extent))
    s = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    extra = 4 if nd < 3 else 2
    size = tuple(draw(st.integers(e, e + extra)) for e in extent)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.distinct(rng, batch + (c,) + size)  # no ties: the argmax is unique
    kwargs: dict[str, Any] = {
        "kernel_size": _as_arg(draw, k),
        "stride": draw(st.sampled_from([_as_arg(draw, s), None])),
        "padding": _as_arg(draw, p),
        "ceil_mode": draw(st.booleans()),
    }
    if kind == "max":
        kwargs["dilation"] = _as_arg(draw, d)
        kwargs["return_indices"] = draw(st.booleans())
    else:
        kwargs["count_include_pad"] = draw(st.booleans())
        if nd > 1 and draw(st.booleans()):
            kwargs["divisor_override"] = draw(st.integers(1, 5))
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _adaptive(draw: Any, nd: int, kind: str) -> Sample:
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    size = tuple(draw(st.integers(1, 7)) for _ in range(nd))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    shape = batch + (draw(st.integers(1, 3)),) + size
    x = S.distinct(rng, shape) if kind == "max" else S.array(rng, shape)
    # outputs smaller, equal and larger than the input (windows then overlap)
    out = tuple(draw(st.integers(1, n + 2)) for n in size)
    kwargs: dict[str, Any] = {"output_size": out[0] if nd == 1 else _as_arg(draw, out)}
    if nd == 2 and draw(st.booleans()):
        kwargs["output_size"] = draw(st.sampled_from([(None, out[1]), (out[0], None), 1]))
    if nd == 3 and draw(st.booleans()):
        kwargs["output_size"] = draw(st.sampled_from([(None, out[1], out[2]), (out[0], None, None), 1]))
    if kind == "max":
        kwargs["return_indices"] = draw(st.booleans())
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _unpool(draw: Any, nd: int) -> Sample:
    """Values and int64 indices as a non-overlapping max pooling leaves them: each plane's indices distinct
    positions of the output volume (default size, or an output_size within a stride of it)."""
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    c = draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    s = tuple(draw(st.integers(ki, ki + 1)) for ki in k)
    p = tuple(draw(st.integers(0, (ki - 1) // 2)) for ki in k)
    size = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    default = [(n - 1) * si + ki - 2 * pi for n, si, ki, pi in zip(size, s, k, p)]
    out = [max(n, d + draw(st.integers(-(si - 1), si - 1))) for n, d, si in zip(size, default, s)]
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    shape = batch + (c,) + size
    planes = int(np.prod(shape[:-nd]))
    count, volume = int(np.prod(size)), int(np.prod(out))
    indices = np.stack([rng.choice(volume, count, replace=False) for _ in range(planes)]).reshape(shape)
    kwargs: dict[str, Any] = {"kernel_size": _as_arg(draw, k), "stride": _as_arg(draw, s), "padding": _as_arg(draw, p)}
    if out != default or draw(st.booleans()):
        kwargs["output_size"] = draw(st.sampled_from([out, list(shape[:2]) + out] if batch else [out]))
    if s == k and draw(st.booleans()):
        del kwargs["stride"]
    return S.sample((S.array(rng, shape), indices), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _lp_pool(draw: Any, nd: int) -> Sample:
    """Positive inputs (x^p for fractional p), norm_type 1, 1.5, 2, 3 or inf, stride or not, ceil_mode."""
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    size = tuple(draw(st.integers(ki, ki + (3 if nd < 3 else 1))) for ki in k)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.distinct(rng, batch + (draw(st.integers(1, 2)),) + size) + 1.5  # no ties for p = inf
    kwargs: dict[str, Any] = {
        "norm_type": draw(st.sampled_from([1, 1.5, 2, 3, float("inf")])),
        "kernel_size": k[0] if nd == 1 else _as_arg(draw, k),
        "ceil_mode": draw(st.booleans()),
    }
    if draw(st.booleans()):
        stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
        kwargs["stride"] = stride[0] if nd == 1 else _as_arg(draw, stride)
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _fractional(draw: Any) -> Sample:
    """Distinct values, kernel 1..3 per axis, output sizes up to the largest torch allows, the samples
    (uniform in [0, 1), per plane and axis) passed in as ``_random_samples`` (they get no gradient)."""
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    c = draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(2))
    size = tuple(draw(st.integers(ki + 1, ki + 5)) for ki in k)
    out = tuple(draw(st.integers(1, n - ki + 1)) for n, ki in zip(size, k))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.distinct(rng, batch + (c,) + size)
    samples = rng.uniform(0, 1, ((batch[0] if batch else 1), c, 2))
    kwargs: dict[str, Any] = {"kernel_size": _as_arg(draw, k), "output_size": _as_arg(draw, out)}
    kwargs["return_indices"] = draw(st.booleans())
    return Sample((x, samples), kwargs, (True, False), noncontiguous=draw(st.booleans()), seed=seed)


def _functional(name: str) -> Any:
    return lambda lib, x, **kw: getattr(lib.nn.functional, name)(x, **kw)


def _lenet_pool(rng: np.random.Generator) -> Sample:
    return S.sample((rng.standard_normal((64, 6, 28, 28)),), {"kernel_size": 2})


def _lenet_pool2(rng: np.random.Generator) -> Sample:
    return S.sample((rng.standard_normal((64, 16, 10, 10)),), {"kernel_size": (2, 2)})


def _resnet_pool(rng: np.random.Generator) -> Sample:
    return S.sample((rng.standard_normal((32, 64, 32, 32)),), {"kernel_size": 3, "stride": 2, "padding": 1})


MAX_POOL_BENCH = (
    BenchCase("MaxPool2d 2x2 (64, 6, 28, 28)", _lenet_pool),
    BenchCase("MaxPool2d 2x2 (64, 16, 10, 10)", _lenet_pool2),
    BenchCase("MaxPool2d 3x3 s2 p1 (32, 64, 32, 32)", _resnet_pool),
)
AVG_POOL_BENCH = (
    BenchCase("AvgPool2d 2x2 (64, 6, 28, 28)", _lenet_pool),
    BenchCase("AvgPool2d 3x3 s2 p1 (32, 64, 32, 32)", _resnet_pool),
)

OPS = [
    OpInfo("max_pool1d", _functional("max_pool1d"), lambda: _pool(1, "max")),
    OpInfo("max_pool2d", _functional("max_pool2d"), lambda: _pool(2, "max"), bench=MAX_POOL_BENCH),
    OpInfo("max_pool3d", _functional("max_pool3d"), lambda: _pool(3, "max")),
    OpInfo("avg_pool1d", _functional("avg_pool1d"), lambda: _pool(1, "avg")),
    OpInfo("avg_pool2d", _functional("avg_pool2d"), lambda: _pool(2, "avg"), bench=AVG_POOL_BENCH),
    OpInfo("avg_pool3d", _functional("avg_pool3d"), lambda: _pool(3, "avg")),
    OpInfo("adaptive_avg_pool1d", _functional("adaptive_avg_pool1d"), lambda: _adaptive(1, "avg")),
    OpInfo("adaptive_avg_pool2d", _functional("adaptive_avg_pool2d"), lambda: _adaptive(2, "avg")),
    OpInfo("adaptive_max_pool1d", _functional("adaptive_max_pool1d"), lambda: _adaptive(1, "max")),
    OpInfo("adaptive_max_pool2d", _functional("adaptive_max_pool2d"), lambda: _adaptive(2, "max")),
    OpInfo("adaptive_avg_pool3d", _functional("adaptive_avg_pool3d"), lambda: _adaptive(3, "avg")),
    OpInfo("adaptive_max_pool3d", _functional("adaptive_max_pool3d"), lambda: _adaptive(3, "max")),
    OpInfo("max_unpool1d", lambda lib, x, i, **kw: lib.nn.functional.max_unpool1d(x, i, **kw), lambda: _unpool(1)),
    OpInfo("max_unpool2d", lambda lib, x, i, **kw: lib.nn.functional.max_unpool2d(x, i, **kw), lambda: _unpool(2)),
    OpInfo("max_unpool3d", lambda lib, x, i, **kw: lib.nn.functional.max_unpool3d(x, i, **kw), lambda: _unpool(3)),
    OpInfo(
        "fractional_max_pool2d",
        lambda lib, x, u, **kw: lib.nn.functional.fractional_max_pool2d(x, _random_samples=u, **kw),
        _fractional,
    ),
    OpInfo("lp_pool1d", _functional("lp_pool1d"), lambda: _lp_pool(1)),
    OpInfo("lp_pool2d", _functional("lp_pool2d"), lambda: _lp_pool(2)),
    OpInfo("lp_pool3d", _functional("lp_pool3d"), lambda: _lp_pool(3)),
]
