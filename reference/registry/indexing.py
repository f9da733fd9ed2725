"""Registry entries: indexing, index assignment, fill_/zero_/copy_, cat/stack, gather/index_select/masked_fill."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _tensor(draw: Any, min_dims: int = 1, max_dims: int = 3) -> Any:
    shape = draw(S.shapes(min_dims, max_dims, 1, 5))
    seed = draw(S.seeds)
    return S.sample((S.array(np.random.default_rng(seed), shape),), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _basic_index(draw: Any) -> Any:
    """ints (negative too), slices with steps, None and Ellipsis, one entry per dim or fewer."""
    s = draw(_tensor())
    shape = s.inputs[0].shape
    parts: list[Any] = []
    for size in shape[: draw(st.integers(1, len(shape)))]:
        kind = draw(st.sampled_from(["int", "slice", "full", "none"]))
        if kind == "int":
            parts.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-size, size - 1)))
            stop = draw(st.one_of(st.none(), st.integers(-size, size)))
            parts.append(slice(start, stop, draw(st.sampled_from([None, 1, 2, 3]))))
        elif kind == "full":
            parts.append(slice(None))
        else:
            parts += [None, slice(None)]
    if draw(st.booleans()):  # Ellipsis first only when the parts cover every dim (else it shifts them)
        covered = len(parts) - parts.count(None) == len(shape)
        parts.insert(0 if covered and draw(st.booleans()) else len(parts), Ellipsis)
    s.kwargs["index"] = parts[0] if len(parts) == 1 and draw(st.booleans()) else tuple(parts)
    return s


@st.composite
def _integer_index(draw: Any) -> Any:
    """Integer arrays (repeats included, so the backward must add) on one or two dims."""
    s = draw(_tensor())
    shape = s.inputs[0].shape
    n = draw(st.integers(1, 5))
    rows = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=n, max_size=n))
    if len(shape) > 1 and draw(st.booleans()):
        cols = draw(st.lists(st.integers(0, shape[1] - 1), min_size=n, max_size=n))
        s.kwargs["index"] = (rows, cols)
    else:
        cols = draw(st.lists(st.integers(-shape[-1], shape[-1] - 1), min_size=n, max_size=n))
        s.kwargs["index"] = (slice(None), cols) if len(shape) == 2 and draw(st.booleans()) else rows
    return s


@st.composite
def _mask(draw: Any) -> Any:
    s = draw(_tensor())
    shape = s.inputs[0].shape[: draw(st.integers(1, s.inputs[0].ndim))]
    mask = np.asarray(np.random.default_rng(s.seed).random(shape) > 0.5)
    return S.sample((s.inputs[0], mask), seed=s.seed)


@st.composite
def _setitem(draw: Any) -> Any:
    """x[index] = v with x and v both needing gradients; v broadcasts into the slots."""
    s = draw(_basic_index())
    x = s.inputs[0]
    slot = x[s.kwargs["index"]].shape
    drop = draw(st.integers(0, len(slot)))
    v_shape = tuple(1 if draw(st.booleans()) else d for d in slot[drop:])
    v = S.array(np.random.default_rng(s.seed + 7), v_shape)
    return S.sample((x, v), s.kwargs, seed=s.seed)


@st.composite
def _setitem_number(draw: Any) -> Any:
    """x[index] = a Python number (torch makes it a 0-d tensor: fill_ on x itself, or CopySlices)."""
    s = draw(_basic_index())
    s.kwargs["value"] = draw(st.sampled_from([2.5, -1, 0.0]))
    return s


@st.composite
def _fill_value(draw: Any) -> Any:
    """x and a 0-d value, both needing gradients (x.fill_(v): FillBackward3)."""
    s = draw(_tensor())
    v = np.asarray(np.random.default_rng(s.seed + 7).uniform(-2, 2))
    return S.sample((s.inputs[0], v), seed=s.seed)


@st.composite
def _copy_source(draw: Any) -> Any:
    """x and a source that broadcasts to x's shape (fewer dims, or 1s), both needing gradients."""
    s = draw(_tensor())
    shape = s.inputs[0].shape
    drop = draw(st.integers(0, len(shape)))
    src_shape = tuple(1 if draw(st.booleans()) else d for d in shape[drop:])
    src = S.array(np.random.default_rng(s.seed + 7), src_shape)
    return S.sample((s.inputs[0], src), noncontiguous=s.noncontiguous, seed=s.seed)


def _setitem_number_call(lib: Any, x: Any, index: Any, value: Any) -> Any:
    y = x * 1
    y[index] = value
    return y


@st.composite
def _cat(draw: Any) -> Any:
    shape = draw(S.shapes(1, 3))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(shape)
        s[dim] = draw(st.integers(1, 3))
        arrays.append(S.array(rng, tuple(s)))
    return S.sample(tuple(arrays), {"dim": dim}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _stack(draw: Any) -> Any:
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    arrays = tuple(S.array(rng, shape) for _ in range(draw(st.integers(1, 3))))
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    return S.sample(arrays, {"dim": dim}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _index_select(draw: Any) -> Any:
    s = draw(_tensor())
    dim = draw(st.integers(-s.inputs[0].ndim, s.inputs[0].ndim - 1))
    size = s.inputs[0].shape[dim]
    index = np.array(draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=5)), dtype=np.int64)
    return S.sample((s.inputs[0], index), {"dim": dim}, seed=s.seed)


@st.composite
def _gather(draw: Any) -> Any:
    s = draw(_tensor())
    x = s.inputs[0]
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    shape = tuple(
        draw(st.integers(1, x.shape[d])) if d != dim % x.ndim else draw(st.integers(1, 4)) for d in range(x.ndim)
    )
    index = np.random.default_rng(s.seed).integers(0, x.shape[dim], size=shape)
    return S.sample((x, index), {"dim": dim}, seed=s.seed)


@st.composite
def _masked_fill(draw: Any) -> Any:
    s = draw(_tensor())
    x = s.inputs[0]
    drop = draw(st.integers(0, x.ndim))
    mask_shape = tuple(1 if draw(st.booleans()) else d for d in x.shape[drop:])
    mask = np.asarray(np.random.default_rng(s.seed).random(mask_shape) > 0.5)
    return S.sample((x, mask), {"value": draw(st.sampled_from([0.0, -1.5, 2]))}, seed=s.seed)


@st.composite
def _masked_select(draw: Any) -> Any:
    """x and a mask that broadcast together (either may be the smaller)."""
    full = draw(S.shapes(1, 3, 1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    x_shape = tuple(1 if draw(st.booleans()) and draw(st.booleans()) else n for n in full[draw(st.integers(0, 1)) :])
    mask = np.asarray(rng.random(full[draw(st.integers(0, len(full))) :]) > 0.5)
    return S.sample((S.array(rng, x_shape), mask), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _take(draw: Any) -> Any:
    """x and a flat index of any shape (repeats and negative indices included)."""
    s = draw(_tensor(0, 3))
    numel = s.inputs[0].size
    shape = draw(S.shapes(0, 2, 1, 4))
    index = np.random.default_rng(s.seed).integers(-numel, numel, size=shape)
    return S.sample((s.inputs[0], index), noncontiguous=s.noncontiguous, seed=s.seed)


@st.composite
def _take_along_dim(draw: Any) -> Any:
    """x and indices that broadcast with x apart from dim (or, with no dim, flat indices; torch views a
    contiguous x as 1-d there)."""
    s = draw(_tensor())
    x = s.inputs[0]
    rng = np.random.default_rng(s.seed)
    if draw(st.booleans()):
        index = rng.integers(0, x.size, size=draw(S.shapes(1, 2, 1, 4)))
        return S.sample((x, index), {"dim": None}, seed=s.seed)
    dim = draw(st.integers(-x.ndim, x.ndim - 1))
    shape = tuple(
        draw(st.integers(1, 4)) if k == dim % x.ndim else draw(st.sampled_from([1, n])) for k, n in enumerate(x.shape)
    )
    index = rng.integers(0, x.shape[dim], size=shape)
    return S.sample((x, index), {"dim": dim}, noncontiguous=s.noncontiguous, seed=s.seed)


@st.composite
def _with_zeros(draw: Any) -> Any:
    """A tensor (0-d too) with some exact zeros, float or int or bool."""
    shape = draw(S.shapes(0, 3, 0, 4))
    rng = np.random.default_rng(draw(S.seeds))
    a = np.where(rng.random(shape) > 0.5, rng.uniform(-2, 2, size=shape), 0.0)
    a = a.astype(draw(st.sampled_from([np.float64, np.int64, np.bool_])))
    return S.sample((np.asarray(a),), noncontiguous=draw(st.booleans()))


def _setitem_call(lib: Any, x: Any, v: Any, index: Any) -> Any:
    y = x * 1
    y[index] = v * 2
    return y


OPS = [
    OpInfo("getitem_basic", lambda lib, x, index: x[index], _basic_index),
    OpInfo("getitem_nonleaf", lambda lib, x, index: (x * 1)[index], _basic_index),
    OpInfo("getitem_int_arrays", lambda lib, x, index: x[index], _integer_index),
    OpInfo(
        "getitem_int_tensor",
        lambda lib, x, index: x[lib.tensor(index)] if isinstance(index, list) else x[index],
        _integer_index,
    ),
    OpInfo("getitem_mask", lambda lib, x, mask: x[mask], _mask),
    OpInfo("getitem_int0d", lambda lib, x: x[lib.tensor(0)], _tensor),
    OpInfo("setitem", _setitem_call, _setitem),
    OpInfo("setitem_number", _setitem_number_call, _setitem_number),
    OpInfo("fill_tensor", lambda lib, x, v: (x * 1).fill_(v * 2), _fill_value),
    OpInfo("fill_number", lambda lib, x: (x * 1).fill_(1.5), _tensor),
    OpInfo("zero_", lambda lib, x: (x * 1).zero_(), _tensor),
    OpInfo("copy_", lambda lib, x, src: (x * 1).copy_(src * 2), _copy_source),
    OpInfo("setitem_mask", lambda lib, x, mask: _setitem_call(lib, x, lib.tensor(0.5, dtype=x.dtype), mask), _mask),
    OpInfo("cat", lambda lib, *xs, dim: lib.cat(xs, dim), _cat),
    OpInfo("concat", lambda lib, *xs, dim: lib.concat(list(xs), dim=dim), _cat),
    OpInfo("stack", lambda lib, *xs, dim: lib.stack(xs, dim), _stack),
    OpInfo("index_select", lambda lib, x, index, dim: x.index_select(dim, index), _index_select),
    OpInfo("gather", lambda lib, x, index, dim: lib.gather(x, dim, index), _gather),
    OpInfo("masked_fill", lambda lib, x, mask, value: x.masked_fill(mask, value), _masked_fill),
    OpInfo("masked_fill_", lambda lib, x, mask, value: (x * 1).masked_fill_(mask, value), _masked_fill),
    OpInfo(
        "masked_fill_tensor_value",
        lambda lib, x, mask, v: x.masked_fill(mask, v * 2),
        lambda: _masked_select().map(lambda s: S.sample((*s.inputs, np.asarray(0.75)), seed=s.seed)),
    ),
    OpInfo("masked_fill_broadcast", lambda lib, x, mask: x.masked_fill(mask, -1.5), _masked_select),
    OpInfo("masked_select", lambda lib, x, mask: lib.masked_select(x, mask), _masked_select),
    OpInfo("take", lambda lib, x, index: lib.take(x, index), _take),
    OpInfo("take_along_dim", lambda lib, x, index, dim: lib.take_along_dim(x, index, dim), _take_along_dim),
    OpInfo("nonzero", lambda lib, x: lib.nonzero(x), _with_zeros, gradcheck=False),
    OpInfo("nonzero_as_tuple", lambda lib, x: x.nonzero(as_tuple=True), _with_zeros, gradcheck=False),
    OpInfo("argwhere", lambda lib, x: lib.argwhere(x), _with_zeros, gradcheck=False),
    OpInfo("where_condition", lambda lib, x: lib.where(x), _with_zeros, gradcheck=False),
]
