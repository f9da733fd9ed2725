"""Registry entries: shape ops (views, copies, casts)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _view(draw: Any) -> Any:
    shape = draw(S.shapes(1, 4))
    n = int(np.prod(shape))
    target = draw(st.sampled_from([(n,), (-1,), (1, n), (n, 1), (-1, 1)]))
    seed = draw(S.seeds)
    return S.sample((S.array(np.random.default_rng(seed), shape),), {"shape": target}, seed=seed)


@st.composite
def _tensor(draw: Any, min_dims: int = 0, max_dims: int = 4) -> Any:
    shape = draw(S.shapes(min_dims, max_dims))
    seed = draw(S.seeds)
    return S.sample((S.array(np.random.default_rng(seed), shape),), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _with_dim(draw: Any, extra: int = 0, min_dims: int = 1) -> Any:
    s = draw(_tensor(min_dims))
    n = s.inputs[0].ndim + extra
    s.kwargs["dim"] = draw(st.integers(-n, n - 1))
    return s


@st.composite
def _two_dims(draw: Any) -> Any:
    s = draw(_tensor(1))
    n = s.inputs[0].ndim
    s.kwargs["dim0"], s.kwargs["dim1"] = draw(st.integers(-n, n - 1)), draw(st.integers(-n, n - 1))
    return s


@st.composite
def _permutation(draw: Any) -> Any:
    s = draw(_tensor(1))
    s.kwargs["dims"] = tuple(draw(st.permutations(range(s.inputs[0].ndim))))
    return s


@st.composite
def _flatten(draw: Any) -> Any:
    s = draw(_tensor(1))
    n = s.inputs[0].ndim
    a, b = sorted([draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))])
    s.kwargs["start_dim"], s.kwargs["end_dim"] = a - draw(st.sampled_from([0, n])), b
    return s


@st.composite
def _reshape(draw: Any) -> Any:
    """A (possibly transposed, so not viewable) tensor reshaped to a drawn factorisation."""
    shape = draw(S.shapes(2, 3, 1, 4))
    seed = draw(S.seeds)
    n = int(np.prod(shape))
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    a = draw(st.sampled_from(divisors))
    target = draw(st.sampled_from([(a, n // a), (a, -1), (-1,), (n // a, 1, a)]))
    x = S.array(np.random.default_rng(seed), shape)
    return S.sample((x,), {"shape": target, "transpose": draw(st.booleans())}, seed=seed)


@st.composite
def _squeeze(draw: Any) -> Any:
    shape = tuple(draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=1, max_size=4)))
    seed = draw(S.seeds)
    n = len(shape)
    dim = draw(st.one_of(st.none(), st.integers(-n, n - 1), st.lists(st.integers(0, n - 1), unique=True).map(tuple)))
    return S.sample((S.array(np.random.default_rng(seed), shape),), {"dim": dim}, seed=seed)


@st.composite
def _expand(draw: Any) -> Any:
    shape = tuple(draw(st.lists(st.sampled_from([1, 1, 3]), min_size=0, max_size=3)))
    lead = tuple(draw(st.lists(st.integers(1, 3), min_size=0 if shape else 1, max_size=2)))
    target = lead + tuple(
        draw(st.sampled_from([-1, 2, 4])) if s == 1 else draw(st.sampled_from([-1, s])) for s in shape
    )
    seed = draw(S.seeds)
    return S.sample((S.array(np.random.default_rng(seed), shape),), {"sizes": target}, seed=seed)


@st.composite
def _repeat(draw: Any) -> Any:
    s = draw(_tensor(0, 3))
    n = max(s.inputs[0].ndim + draw(st.integers(0, 2)), 1)
    s.kwargs["repeats"] = tuple(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)))
    return s


@st.composite
def _split(draw: Any) -> Any:
    s = draw(_with_dim())
    size = s.inputs[0].shape[s.kwargs["dim"]]
    if draw(st.booleans()):
        s.kwargs["split"] = draw(st.integers(1, size + 1))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, size), max_size=3)))
        s.kwargs["split"] = [b - a for a, b in zip([0, *cuts], [*cuts, size])]
    return s


@st.composite
def _chunk(draw: Any) -> Any:
    s = draw(_with_dim())
    s.kwargs["chunks"] = draw(st.integers(1, 4))
    return s


def _reshape_call(lib: Any, x: Any, shape: tuple, transpose: bool) -> Any:
    return (x.transpose(0, 1) if transpose else x).reshape(*shape)


def _sum_of(parts: Any) -> Any:
    """Weights each piece differently so a mixed-up piece order changes the gradient."""
    total = parts[0].sum() * 1
    for i, p in enumerate(parts[1:], 2):
        total = total + (p * i).sum()
    return total


OPS = [
    OpInfo("view", lambda lib, x, shape: (x * 1).view(*shape) * 2, _view),
    OpInfo("view_leaf", lambda lib, x, shape: x.view(shape), _view),
    OpInfo("t", lambda lib, x: x.t(), lambda: _tensor(0, 2)),
    OpInfo("T", lambda lib, x: x.T, lambda: _tensor(2, 2)),
    OpInfo("mT", lambda lib, x: x.mT, lambda: _tensor(2, 4)),
    OpInfo("reshape", _reshape_call, _reshape),
    OpInfo("flatten", lambda lib, x, **kw: lib.flatten(x, **kw), _flatten),
    OpInfo("flatten_all", lambda lib, x: x.flatten(), lambda: _tensor(2, 4)),
    OpInfo("unflatten", lambda lib, x: x.unflatten(-1, (1, x.shape[-1], 1)), lambda: _tensor(1, 3)),
    OpInfo("unsqueeze", lambda lib, x, dim: x.unsqueeze(dim), lambda: _with_dim(extra=1, min_dims=0)),
    OpInfo("squeeze", lambda lib, x, dim: x.squeeze() if dim is None else x.squeeze(dim), _squeeze),
    OpInfo("transpose", lambda lib, x, dim0, dim1: lib.transpose(x, dim0, dim1), _two_dims),
    OpInfo("swapaxes", lambda lib, x, dim0, dim1: x.swapaxes(dim0, dim1), _two_dims),
    OpInfo("permute", lambda lib, x, dims: x.permute(*dims), _permutation),
    OpInfo("permute_tuple", lambda lib, x, dims: lib.permute(x, dims), _permutation),
    OpInfo("expand", lambda lib, x, sizes: x.expand(*sizes), _expand),
    OpInfo("expand_as", lambda lib, x: x.expand_as(lib.zeros(2, *x.shape)), lambda: _tensor(0, 3)),
    OpInfo("view_as", lambda lib, x: (x * 1).view_as(lib.zeros(x.numel())), lambda: _tensor(0, 3)),
    OpInfo("reshape_as", lambda lib, x: x.t().reshape_as(lib.zeros(x.numel())), lambda: _tensor(2, 2)),
    OpInfo("contiguous", lambda lib, x: x.t().contiguous(), lambda: _tensor(2, 2)),
    OpInfo("contiguous_noop", lambda lib, x: (x * 1).contiguous(), _tensor),
    OpInfo("clone", lambda lib, x: x.clone(), _tensor),
    OpInfo("repeat", lambda lib, x, repeats: x.repeat(*repeats), _repeat),
    OpInfo("split", lambda lib, x, dim, split: _sum_of(lib.split(x, split, dim)), _split),
    OpInfo("split_piece", lambda lib, x, dim, split: x.split(split, dim)[-1], _split),
    OpInfo("chunk", lambda lib, x, dim, chunks: _sum_of(x.chunk(chunks, dim)), _chunk),
    OpInfo("movedim", lambda lib, x, dim: lib.movedim(x, dim, 0), _with_dim),
    # casts to float64: in the float32 run a ToCopyBackward0 node, in the float64 run the input itself
    OpInfo("double", lambda lib, x: x.double() * x, _tensor),
    OpInfo("to_dtype", lambda lib, x: x.to(lib.float64) * 2, _tensor),
    OpInfo("type_as", lambda lib, x: x.type_as(lib.zeros(1, dtype=lib.float64)) * x, _tensor),
]
