"""Registry entries: torch.constant_pad_nd and F.pad past what the conv family's pad_* entries draw.

The conv family's ``pad_<mode>`` entries draw F.pad in every mode with
positive pads. Here: torch.constant_pad_nd (fill values, crops up to the whole
dim, empty inputs, integer and bool inputs), and reflect / replicate /
circular with negative pads (crops), on batched and unbatched inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..compare import Sample
from . import OpInfo


@st.composite
def _constant(draw: Any, kind: str) -> Sample:
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.integers(0 if kind == "empty" else 1, 4)) for _ in range(ndim))
    k = draw(st.integers(0, ndim))
    pads = []
    for j in range(k):
        n = shape[ndim - 1 - j]
        lo = draw(st.integers(-n, 3))
        hi = draw(st.integers(-(n - max(0, -lo)), 3))  # torch narrows front then back: both must fit
        pads += [lo, hi]
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x = S.array(rng, shape)
    if kind == "int":
        x = rng.integers(-5, 5, size=shape)
    elif kind == "bool":
        x = rng.integers(0, 2, size=shape).astype(bool)
    value = draw(st.sampled_from([0, 1, -2.5, 0.75]))
    kwargs: dict = {"pad": pads if draw(st.booleans()) else tuple(pads)}
    if draw(st.booleans()) or value:
        kwargs["value"] = value
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _cropping(draw: Any, mode: str) -> Sample:
    """Negative pads in the gathering modes (positive ones are drawn by the conv family)."""
    k = draw(st.integers(1, 3))
    ndim = draw(st.sampled_from([k + 1, k + 2]))
    shape = tuple(draw(st.integers(2, 5)) for _ in range(ndim))
    pads = []
    for j in range(k):
        n = shape[ndim - 1 - j]
        lo = draw(st.integers(-(n - 1), 0 if mode == "circular" else n - 1))
        kept = n + min(0, lo)
        # circular wraps around the cropped size (torch reads its own output past it)
        top = kept - 1 if mode == "circular" else n - 1
        hi = draw(st.integers(-(kept - 1), max(-(kept - 1), top)))
        pads += [lo, hi]
    seed = draw(S.seeds)
    x = S.array(np.random.default_rng(seed), shape)
    return S.sample((x,), {"pad": tuple(pads), "mode": mode}, noncontiguous=draw(st.booleans()), seed=seed)


OPS = [
    OpInfo("constant_pad_nd", lambda lib, x, **kw: lib.constant_pad_nd(x, **kw), lambda: _constant("float")),
    OpInfo("constant_pad_nd_empty", lambda lib, x, **kw: lib.constant_pad_nd(x, **kw), lambda: _constant("empty")),
    OpInfo("constant_pad_nd_int", lambda lib, x, **kw: lib.constant_pad_nd(x, **kw), lambda: _constant("int")),
    OpInfo("constant_pad_nd_bool", lambda lib, x, **kw: lib.nn.functional.pad(x, **kw), lambda: _constant("bool")),
] + [
    OpInfo(f"pad_{mode}_crop", lambda lib, x, **kw: lib.nn.functional.pad(x, **kw), (lambda m=mode: _cropping(m)))
    for mode in ("reflect", "replicate", "circular")
]
