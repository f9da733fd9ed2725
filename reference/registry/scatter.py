"""Registry entries: the scatter family (scatter, scatter_add, scatter_reduce, index_put, masked_scatter,
select/slice/diagonal_scatter, fill, index_add/copy/fill/reduce, put), out of place and in place on non-leaves.

Indices are int64 (or bool) inputs of the sample, so they get no gradient. Where torch's result depends on
which of several writes to one position wins (scatter, index_copy, index_put and put without accumulate),
the drawn indices never repeat a target; where values tie or vanish (amax/amin, prod) they are kept
distinct and away from zero (tests/test_scatter.py covers ties and zeros against torch).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _x(draw: Any, min_dims: int = 1, max_dims: int = 3) -> tuple:
    """(x's shape, a drawn dim (negative too), its wrapped value, seed)."""
    shape = draw(S.shapes(min_dims, max_dims, 1, 5))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return shape, dim, dim % len(shape), draw(S.seeds)


def _index_shape(draw: Any, shape: tuple, d: int, along: int) -> tuple:
    """An index shape no larger than x's apart from dim, ``along`` at dim."""
    return tuple(along if k == d else draw(st.integers(1, n)) for k, n in enumerate(shape))


def _unique_index(rng: np.random.Generator, shape: tuple, d: int, size: int) -> np.ndarray:
    """An index of ``shape`` whose entries along d are distinct in every line (no target written twice)."""
    full = list(shape)
    full[d] = size
    order = np.argsort(rng.random(full), axis=d)
    return np.take(order, np.arange(shape[d]), axis=d).astype(np.int64)


def _values(rng: np.random.Generator, kind: str, *shapes: tuple) -> list[np.ndarray]:
    """Arrays of these shapes: uniform, distinct (no ties, for amax/amin) or away from 0 (for prod)."""
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    if kind == "distinct":
        flat = S.distinct(rng, (sum(sizes),), gap=0.05)
    elif kind == "nonzero":
        flat = S.away_from(rng, (sum(sizes),), (0.0,), margin=0.3)
    else:
        flat = S.array(rng, (sum(sizes),))
    parts = np.split(flat, np.cumsum(sizes)[:-1])
    return [p.reshape(s) for p, s in zip(parts, shapes)]


@st.composite
def _scatter_src(draw: Any) -> Any:
    shape, dim, d, seed = draw(_x())
    rng = np.random.default_rng(seed)
    index_shape = _index_shape(draw, shape, d, draw(st.integers(1, shape[d])))
    index = _unique_index(rng, index_shape, d, shape[d])
    x, src = _values(rng, "uniform", shape, index_shape)
    return S.sample((x, index, src), {"dim": dim}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _scatter_value(draw: Any) -> Any:
    shape, dim, d, seed = draw(_x())
    rng = np.random.default_rng(seed)
    index = rng.integers(0, shape[d], size=_index_shape(draw, shape, d, draw(st.integers(1, 4))))
    value = draw(st.sampled_from([2.5, -1, 0.0]))
    return S.sample((S.array(rng, shape), index), {"dim": dim, "value": value}, noncontiguous=draw(st.booleans()))


@st.composite
def _scatter_add(draw: Any, kinds: tuple = ("uniform",)) -> Any:
    """x, an index with repeats, src of the index's shape; for scatter_reduce a reduction too."""
    shape, dim, d, seed = draw(_x())
    rng = np.random.default_rng(seed)
    index_shape = _index_shape(draw, shape, d, draw(st.integers(1, 4)))
    index = rng.integers(0, shape[d], size=index_shape)
    reduce = draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"]))
    kind = {"prod": "nonzero", "amax": "distinct", "amin": "distinct"}.get(reduce, "uniform")
    x, src = _values(rng, kind if len(kinds) > 1 else "uniform", shape, index_shape)
    kwargs: dict = {"dim": dim}
    if len(kinds) > 1:
        kwargs.update(reduce=reduce, include_self=draw(st.booleans()))
    return S.sample((x, index, src), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _index_put(draw: Any, accumulate: bool | None = None) -> Any:
    """x, values broadcasting into the slots, and 1-2 index tensors: int (negative too, broadcast
    against each other) or a bool mask over x's leading dims. Repeats only with accumulate."""
    shape = draw(S.shapes(1, 3, 1, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    acc = draw(st.booleans()) if accumulate is None else accumulate
    kind = draw(st.sampled_from(["int", "two_ints", "mask"] if len(shape) > 1 else ["int", "mask"]))
    if kind == "mask":
        lead = draw(st.integers(1, len(shape)))
        indices = [np.asarray(rng.random(shape[:lead]) > 0.5)]
    elif kind == "int":
        n = draw(st.integers(1, 4 if acc else shape[0]))
        rows = rng.integers(0, shape[0], size=n) if acc else rng.permutation(shape[0])[:n]
        indices = [rows - shape[0] * rng.integers(0, 2, size=n)]  # some counted from the end
    else:
        n = draw(st.integers(1, shape[0]))
        rows = rng.permutation(shape[0])[:n].reshape(n, 1)
        cols = rng.permutation(shape[1])[: draw(st.integers(1, shape[1]))]
        indices = [rows, cols]
    slots = np.empty(shape)[tuple(indices)].shape
    drop = draw(st.integers(0, len(slots)))
    v_shape = tuple(1 if draw(st.booleans()) else n for n in slots[drop:])
    x, values = _values(rng, "uniform", shape, v_shape)
    indices = [i.astype(np.int64) if i.dtype.kind == "i" else i for i in indices]
    return S.sample((x, values, *indices), {"accumulate": acc}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _masked_scatter(draw: Any) -> Any:
    """x, a mask broadcasting with it (either may be the smaller), a source with at least as many elements."""
    full = draw(S.shapes(1, 3, 1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x_shape = tuple(1 if draw(st.booleans()) and draw(st.booleans()) else n for n in full[draw(st.integers(0, 1)) :])
    mask_shape = full[draw(st.integers(0, len(full))) :]
    mask = np.asarray(rng.random(mask_shape) > 0.5)
    out_shape = np.broadcast_shapes(x_shape, mask_shape)
    count = int(np.broadcast_to(mask, out_shape).sum())
    source_shape = draw(st.sampled_from([(count + draw(st.integers(0, 3)),), (count + 1, 1)]))
    x, source = _values(rng, "uniform", x_shape, source_shape)
    return S.sample((x, mask, source), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _masked_scatter_inplace(draw: Any) -> Any:
    """As _masked_scatter, with the mask no larger than x (it must expand to x's shape)."""
    shape = draw(S.shapes(1, 3, 1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    mask_shape = tuple(1 if draw(st.booleans()) else n for n in shape[draw(st.integers(0, len(shape))) :])
    mask = np.asarray(rng.random(mask_shape) > 0.5)
    count = int(np.broadcast_to(mask, shape).sum())
    x, source = _values(rng, "uniform", shape, (count + draw(st.integers(0, 3)),))
    return S.sample((x, mask, source), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _select_scatter(draw: Any) -> Any:
    shape, dim, d, seed = draw(_x())
    rng = np.random.default_rng(seed)
    index = draw(st.integers(-shape[d], shape[d] - 1))
    x, src = _values(rng, "uniform", shape, shape[:d] + shape[d + 1 :])
    return S.sample((x, src), {"dim": dim, "index": index}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _slice_scatter(draw: Any) -> Any:
    shape, dim, d, seed = draw(_x())
    rng = np.random.default_rng(seed)
    size = shape[d]
    start = draw(st.one_of(st.none(), st.integers(-size - 1, size)))
    end = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
    step = draw(st.integers(1, 3))
    src_shape = np.empty(shape)[(slice(None),) * d + (slice(start, end, step),)].shape
    x, src = _values(rng, "uniform", shape, src_shape)
    kwargs = {"dim": dim, "start": start, "end": end, "step": step}
    return S.sample((x, src), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _diagonal_scatter(draw: Any) -> Any:
    shape = draw(S.shapes(2, 3, 1, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    n = len(shape)
    dim1 = draw(st.integers(-n, n - 1))
    dim2 = draw(st.integers(-n, n - 1).filter(lambda k: k % n != dim1 % n))
    offset = draw(st.integers(-3, 3))
    src_shape = np.diagonal(np.empty(shape), offset, dim1 % n, dim2 % n).shape
    x, src = _values(rng, "uniform", shape, src_shape)
    kwargs = {"offset": offset, "dim1": dim1, "dim2": dim2}
    return S.sample((x, src), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _fill(draw: Any, tensor: bool) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    if tensor:
        return S.sample((S.array(rng, shape), np.asarray(rng.uniform(-2, 2))), noncontiguous=draw(st.booleans()))
    value = draw(st.sampled_from([1.5, -2, 0.0]))
    return S.sample((S.array(rng, shape),), {"value": value}, noncontiguous=draw(st.booleans()))


@st.composite
def _index_source(draw: Any, unique: bool = False, reduce: bool = False) -> Any:
    """x, a 1-d index along dim (repeats unless ``unique``), and a source whose slice k lands on index[k]."""
    shape, dim, d, seed = draw(_x())
    rng = np.random.default_rng(seed)
    size = shape[d]
    n = draw(st.integers(1, size if unique else 4))
    index = (rng.permutation(size)[:n] if unique else rng.integers(0, size, size=n)).astype(np.int64)
    kwargs: dict = {"dim": dim}
    kind = "uniform"
    if reduce:
        kwargs["reduce"] = draw(st.sampled_from(["prod", "mean", "amax", "amin"]))
        kwargs["include_self"] = draw(st.booleans())
        kind = {"prod": "nonzero", "mean": "uniform"}.get(kwargs["reduce"], "distinct")
    x, source = _values(rng, kind, shape, shape[:d] + (n,) + shape[d + 1 :])
    return S.sample((x, index, source), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _index_fill(draw: Any, tensor: bool) -> Any:
    shape, dim, d, seed = draw(_x())
    rng = np.random.default_rng(seed)
    index = rng.integers(0, shape[d], size=draw(st.integers(1, 4)))
    if tensor:
        inputs: tuple = (S.array(rng, shape), index, np.asarray(rng.uniform(-2, 2)))
        return S.sample(inputs, {"dim": dim}, noncontiguous=draw(st.booleans()))
    value = draw(st.sampled_from([1.5, -2, 0.0]))
    return S.sample((S.array(rng, shape), index), {"dim": dim, "value": value}, noncontiguous=draw(st.booleans()))


@st.composite
def _put(draw: Any) -> Any:
    """x, a flat index of any shape (negative too; repeats only with accumulate), a source of as many elements."""
    shape = draw(S.shapes(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    numel = int(np.prod(shape))
    acc = draw(st.booleans())
    n = draw(st.integers(1, 6 if acc else numel))
    flat = rng.integers(0, numel, size=n) if acc else rng.permutation(numel)[:n]
    flat = flat - numel * rng.integers(0, 2, size=n)
    index_shape = draw(st.sampled_from([(n,), (1, n), (n, 1)]))
    source_shape = draw(st.sampled_from([(n,), (n, 1)]))
    x, source = _values(rng, "uniform", shape, source_shape)
    inputs = (x, flat.reshape(index_shape).astype(np.int64), source)
    return S.sample(inputs, {"accumulate": acc}, noncontiguous=draw(st.booleans()), seed=seed)


def _index_put_call(lib: Any, x: Any, values: Any, *indices: Any, accumulate: bool) -> Any:
    return lib.index_put(x, indices, values * 2, accumulate=accumulate)


def _index_put_inplace_call(lib: Any, x: Any, values: Any, *indices: Any, accumulate: bool) -> Any:
    return (x * 1).index_put_(indices, values * 2, accumulate)


OPS = [
    OpInfo("scatter", lambda lib, x, index, src, dim: lib.scatter(x, dim, index, src), _scatter_src),
    OpInfo("scatter_", lambda lib, x, index, src, dim: (x * 1).scatter_(dim, index, src * 2), _scatter_src),
    OpInfo("scatter_value", lambda lib, x, index, dim, value: x.scatter(dim, index, value=value), _scatter_value),
    OpInfo(
        "scatter_value_",
        lambda lib, x, index, dim, value: (x * 1).scatter_(dim, index, value),
        _scatter_value,
    ),
    OpInfo("scatter_add", lambda lib, x, index, src, dim: lib.scatter_add(x, dim, index, src), _scatter_add),
    OpInfo("scatter_add_", lambda lib, x, index, src, dim: (x * 1).scatter_add_(dim, index, src * 2), _scatter_add),
    OpInfo(
        "scatter_reduce",
        lambda lib, x, index, src, dim, reduce, include_self: lib.scatter_reduce(
            x, dim, index, src, reduce, include_self=include_self
        ),
        lambda: _scatter_add(kinds=("uniform", "reduce")),
    ),
    OpInfo(
        "scatter_reduce_",
        lambda lib, x, index, src, dim, reduce, include_self: (x * 1).scatter_reduce_(
            dim, index, src, reduce=reduce, include_self=include_self
        ),
        lambda: _scatter_add(kinds=("uniform", "reduce")),
    ),
    OpInfo("index_put", _index_put_call, _index_put),
    OpInfo("index_put_", _index_put_inplace_call, _index_put),
    OpInfo("masked_scatter", lambda lib, x, mask, source: lib.masked_scatter(x, mask, source), _masked_scatter),
    OpInfo(
        "masked_scatter_",
        lambda lib, x, mask, source: (x * 1).masked_scatter_(mask, source * 2),
        _masked_scatter_inplace,
    ),
    OpInfo("select_scatter", lambda lib, x, src, dim, index: lib.select_scatter(x, src, dim, index), _select_scatter),
    OpInfo("slice_scatter", lambda lib, x, src, **kw: lib.slice_scatter(x, src, **kw), _slice_scatter),
    OpInfo("diagonal_scatter", lambda lib, x, src, **kw: x.diagonal_scatter(src, **kw), _diagonal_scatter),
    OpInfo("fill", lambda lib, x, value: lib.fill(x, value), lambda: _fill(False)),
    OpInfo("fill_tensor_value", lambda lib, x, v: lib.fill(x * 1, v * 2), lambda: _fill(True)),
    OpInfo(
        "index_add",
        lambda lib, x, index, source, dim: lib.index_add(x, dim, index, source, alpha=-1.5),
        _index_source,
    ),
    OpInfo(
        "index_add_",
        lambda lib, x, index, source, dim: (x * 1).index_add_(dim, index, source * 2),
        _index_source,
    ),
    OpInfo(
        "index_copy",
        lambda lib, x, index, source, dim: lib.index_copy(x, dim, index, source),
        lambda: _index_source(unique=True),
    ),
    OpInfo(
        "index_copy_",
        lambda lib, x, index, source, dim: (x * 1).index_copy_(dim, index, source * 2),
        lambda: _index_source(unique=True),
    ),
    OpInfo(
        "index_fill", lambda lib, x, index, dim, value: lib.index_fill(x, dim, index, value), lambda: _index_fill(False)
    ),
    OpInfo(
        "index_fill_",
        lambda lib, x, index, dim, value: (x * 1).index_fill_(dim, index, value),
        lambda: _index_fill(False),
    ),
    OpInfo(
        "index_fill_tensor_value",
        lambda lib, x, index, v, dim: lib.index_fill(x, dim, index, v * 2),
        lambda: _index_fill(True),
    ),
    OpInfo(
        "index_reduce",
        lambda lib, x, index, source, dim, reduce, include_self: lib.index_reduce(
            x, dim, index, source, reduce, include_self=include_self
        ),
        lambda: _index_source(reduce=True),
    ),
    OpInfo(
        "index_reduce_",
        lambda lib, x, index, source, dim, reduce, include_self: (x * 1).index_reduce_(
            dim, index, source, reduce, include_self=include_self
        ),
        lambda: _index_source(reduce=True),
    ),
    OpInfo("put", lambda lib, x, index, source, accumulate: lib.put(x, index, source, accumulate), _put),
    OpInfo(
        "put_",
        lambda lib, x, index, source, accumulate: (x * 1).put_(index, source * 2, accumulate=accumulate),
        _put,
    ),
]
