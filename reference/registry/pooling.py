"""Registry entries: max and average pooling (1-d to 3-d), adaptive average pooling."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _pool(draw: Any, nd: int, kind: str) -> Any:
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nd)) if kind == "max" else (1,) * nd
    p = tuple(draw(st.integers(0, min(ki // 2, (di * (ki - 1) + 1) // 2))) for ki, di in zip(k, d))
    s = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    size = tuple(draw(st.integers(di * (ki - 1) + 1, di * (ki - 1) + (4 if nd < 3 else 2))) for ki, di in zip(k, d))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.distinct(rng, (n, c) + size)  # no ties: the argmax is unique
    kwargs: dict[str, Any] = {
        "kernel_size": k,
        "stride": draw(st.sampled_from([s, None])),
        "padding": p,
        "ceil_mode": draw(st.booleans()),
    }
    if kind == "max":
        kwargs["dilation"] = d
    else:
        kwargs["count_include_pad"] = draw(st.booleans())
        if nd > 1 and draw(st.booleans()):
            kwargs["divisor_override"] = draw(st.integers(1, 5))
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _adaptive(draw: Any) -> Any:
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    seed = draw(S.seeds)
    x = S.array(np.random.default_rng(seed), (draw(st.integers(1, 2)), 2, h, w))
    return S.sample((x,), {"output_size": (draw(st.integers(1, h)), draw(st.integers(1, w)))}, seed=seed)


def _max(nd: int) -> Any:
    return lambda lib, x, **kw: getattr(lib.nn.functional, f"max_pool{nd}d")(x, return_indices=True, **kw)


def _avg(nd: int) -> Any:
    return lambda lib, x, **kw: getattr(lib.nn.functional, f"avg_pool{nd}d")(x, **kw)


OPS = [
    OpInfo("max_pool1d", _max(1), lambda: _pool(1, "max")),
    OpInfo("max_pool2d", _max(2), lambda: _pool(2, "max")),
    OpInfo("max_pool3d", _max(3), lambda: _pool(3, "max")),
    OpInfo("avg_pool1d", _avg(1), lambda: _pool(1, "avg")),
    OpInfo("avg_pool2d", _avg(2), lambda: _pool(2, "avg")),
    OpInfo("avg_pool3d", _avg(3), lambda: _pool(3, "avg")),
    OpInfo(
        "adaptive_avg_pool2d",
        lambda lib, x, output_size: lib.nn.functional.adaptive_avg_pool2d(x, output_size),
        _adaptive,
    ),
]
