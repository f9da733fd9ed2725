"""Registry entries: singular values and the spectral / nuclear norms built on them."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


def _with_spread_singular_values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Matrices U diag(s) V^T with singular values s at least 0.3 apart (and from 0): the gradient of
    each singular value, and of the largest and smallest, is then defined and well conditioned."""
    *batch, m, n = shape
    k = min(m, n)
    out = np.empty(shape)
    for index in np.ndindex(*batch):
        u, _ = np.linalg.qr(rng.standard_normal((m, k)))
        v, _ = np.linalg.qr(rng.standard_normal((n, k)))
        s = 0.5 + 0.3 * rng.permutation(k) + rng.uniform(0, 0.1, size=k)
        out[index] = (u * s) @ v.T
    return out


@st.composite
def _matrices(draw: Any, norm: bool = False) -> Any:
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=2, max_size=3)))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    n = len(shape)
    kwargs: dict[str, Any] = {}
    if norm:
        dims = draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2, unique_by=lambda d: d % n))
        kwargs = {"ord": draw(st.sampled_from(["nuc", 2, -2])), "dim": tuple(dims), "keepdim": draw(st.booleans())}
        # the matrices live in the two chosen dims: build them there, then move them into place
        rows, columns = dims[0] % n, dims[1] % n
        rest = [d for d in range(n) if d not in (rows, columns)]
        built = _with_spread_singular_values(rng, tuple(shape[d] for d in rest) + (shape[rows], shape[columns]))
        x = np.ascontiguousarray(np.moveaxis(built, list(range(n)), rest + [rows, columns]))
    else:
        x = _with_spread_singular_values(rng, shape)
    return S.sample((x,), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _nuclear(draw: Any) -> Any:
    s = draw(_matrices(norm=True))
    s.kwargs["ord"] = "nuc"
    return s


OPS = [
    OpInfo("svdvals", lambda lib, x: lib.linalg.svdvals(x), _matrices),
    OpInfo(
        "matrix_norm_spectral",
        lambda lib, x, ord, dim, keepdim: lib.linalg.matrix_norm(x, ord, dim, keepdim),
        lambda: _matrices(norm=True),
    ),
    OpInfo(
        "linalg_norm_spectral",
        lambda lib, x, ord, dim, keepdim: lib.linalg.norm(x, ord, dim, keepdim),
        lambda: _matrices(norm=True),
    ),
    OpInfo(
        "norm_nuc",
        lambda lib, x, ord, dim, keepdim: lib.norm(x, ord, dim, keepdim),
        _nuclear,
    ),
    OpInfo(
        "tensor_norm_nuc_2d",
        lambda lib, x: x.norm("nuc"),
        lambda: _matrices().filter(lambda s: s.inputs[0].ndim == 2),
    ),
]
