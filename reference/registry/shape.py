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


@st.composite
def _unfold(draw: Any) -> Any:
    """Windows along a dim: size up to the dim's length (0 too), steps smaller and larger than the size."""
    shape = draw(S.shapes(0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    n = max(len(shape), 1)
    dim = draw(st.integers(-n, n - 1))
    length = shape[dim] if shape else 1
    kwargs = {"dimension": dim, "size": draw(st.integers(0, length)), "step": draw(st.integers(1, 3))}
    return S.sample((S.array(rng, shape),), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


OPS = [
    OpInfo("tensor_unfold", lambda lib, x, dimension, size, step: x.unfold(dimension, size, step) * 1, _unfold),
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


# ---- flips, rolls, rotations, triangles, diagonals -------------------------------------------------
@st.composite
def _dims_subset(draw: Any, min_dims: int = 0, max_dims: int = 4, empty_sides: bool = False) -> Any:
    """A tensor and a set of its dims, each drawn as non-negative or negative, in drawn order."""
    shape = draw(S.shapes(min_dims, max_dims, 0 if empty_sides else 1, 4))
    seed = draw(S.seeds)
    n = len(shape)
    picked = draw(st.permutations(range(n)))[: draw(st.integers(0 if n == 0 else 1, n))] if n else []
    dims = [d - n if draw(st.booleans()) else d for d in picked]
    x = S.array(np.random.default_rng(seed), shape)
    return S.sample((x,), {"dims": dims}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _roll(draw: Any) -> Any:
    s = draw(_dims_subset(0, 3))
    dims = s.kwargs.pop("dims")
    if not dims or draw(st.booleans()):
        s.kwargs.update(shifts=draw(st.integers(-7, 7)), dims=None)
    else:
        s.kwargs.update(shifts=tuple(draw(st.integers(-7, 7)) for _ in dims), dims=tuple(dims))
        if len(dims) == 1 and draw(st.booleans()):
            s.kwargs.update(shifts=s.kwargs["shifts"][0], dims=dims[0])
    return s


@st.composite
def _plane(draw: Any, min_dims: int = 2, max_dims: int = 4, extra: int = 0) -> Any:
    """A tensor and two distinct dims (of a result with ``extra`` more dims), drawn with either sign."""
    s = draw(_tensor(min_dims, max_dims))
    n = s.inputs[0].ndim + extra
    a, b = draw(st.permutations(range(n)))[:2]
    s.kwargs["dims"] = (a - n if draw(st.booleans()) else a, b - n if draw(st.booleans()) else b)
    return s


@st.composite
def _rot90(draw: Any) -> Any:
    s = draw(_plane())
    s.kwargs["k"] = draw(st.integers(-5, 5))
    return s


@st.composite
def _triangle(draw: Any) -> Any:
    s = draw(_tensor(2, 4))
    s.kwargs["diagonal"] = draw(st.integers(-4, 4))
    return s


@st.composite
def _diagonal(draw: Any) -> Any:
    s = draw(_plane())
    s.kwargs["offset"] = draw(st.integers(-4, 4))
    return s


@st.composite
def _diag(draw: Any) -> Any:
    s = draw(_tensor(1, 2))
    s.kwargs["diagonal"] = draw(st.integers(-3, 3))
    return s


@st.composite
def _diag_embed(draw: Any) -> Any:
    s = draw(_plane(1, 3, extra=1))
    s.kwargs["offset"] = draw(st.integers(-3, 3))
    return s


@st.composite
def _narrow_copy(draw: Any) -> Any:
    """A negative start only where the slice stops short of the end: torch's NarrowCopyBackward0 slices
    its gradient at (start, start + length) unwrapped, so for x.narrow_copy(0, -1, 1) it gives zeros."""
    s = draw(_with_dim())
    size = s.inputs[0].shape[s.kwargs["dim"]]
    start = draw(st.integers(0, size))
    length = s.kwargs["length"] = draw(st.integers(0, size - start))
    s.kwargs["start"] = start - size if draw(st.booleans()) and start + length < size else start
    return s


@st.composite
def _as_strided(draw: Any) -> Any:
    """Sizes, strides (overlapping ones too: 0 and steps smaller than a row) and offsets inside x's storage."""
    s = draw(_tensor(1, 3))
    numel = s.inputs[0].size
    ndim = draw(st.integers(0, 3))
    size = [draw(st.integers(1, 3)) for _ in range(ndim)]
    stride = [draw(st.integers(0, 4)) for _ in range(ndim)]
    reach = sum((n - 1) * st_ for n, st_ in zip(size, stride))
    if reach >= numel:
        size, stride, reach = [numel], [1], numel - 1
    offset = draw(st.one_of(st.none(), st.integers(0, numel - 1 - reach)))
    s.kwargs.update(size=tuple(size), stride=tuple(stride), storage_offset=offset)
    return s


def _as_strided_call(lib: Any, x: Any, size: tuple, stride: tuple, storage_offset: Any) -> Any:
    return x.as_strided(size, stride) if storage_offset is None else lib.as_strided(x, size, stride, storage_offset)


@st.composite
def _as_strided_expanded(draw: Any) -> Any:
    """An expanded x (it reads each storage element twice): the gradient is divided by that count, as torch's."""
    s = draw(_tensor(1, 2))
    numel = s.inputs[0].size
    size = draw(st.integers(1, numel))
    s.kwargs.update(size=(2, size), stride=(draw(st.integers(0, numel - size)), 1))
    return s


@st.composite
def _split_with_sizes(draw: Any) -> Any:
    s = draw(_with_dim())
    size = s.inputs[0].shape[s.kwargs["dim"]]
    cuts = sorted(draw(st.lists(st.integers(0, size), max_size=3)))
    s.kwargs["sizes"] = [b - a for a, b in zip([0, *cuts], [*cuts, size])]
    return s


# ---- tiles, repeats, broadcasts, grids -----------------------------------------------------------------
@st.composite
def _tile(draw: Any) -> Any:
    s = draw(_tensor(0, 3))
    s.kwargs["dims"] = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=4)))
    return s


@st.composite
def _repeat_interleave(draw: Any) -> Any:
    s = draw(_tensor(0, 3))
    n = s.inputs[0].ndim
    dim = draw(st.one_of(st.none(), st.integers(-n, n - 1))) if n else None
    s.kwargs.update(repeats=draw(st.integers(0, 3)), dim=dim)
    return s


@st.composite
def _repeat_interleave_tensor(draw: Any) -> Any:
    """Per-element repeats (an int64 input: it gets no gradient), or one repeat for all."""
    shape = draw(S.shapes(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    dim = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    n = int(np.prod(shape)) if dim is None else shape[dim]
    counts = rng.integers(0, 4, size=draw(st.sampled_from([n, 1])))
    x = S.array(rng, shape)
    total = int(counts.sum()) if counts.size == n else int(counts[0]) * n
    kwargs = {"dim": dim, "output_size": draw(st.sampled_from([None, total]))}
    return S.sample((x, counts), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _broadcast_pair(draw: Any) -> Any:
    a, b = draw(S.broadcastable_shapes(2, 0, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample((S.array(rng, a), S.array(rng, b)), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _broadcast_to(draw: Any) -> Any:
    s = draw(_expand())
    sizes = s.kwargs.pop("sizes")
    lead = len(sizes) - s.inputs[0].ndim
    s.kwargs["size"] = tuple(s.inputs[0].shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
    return s


@st.composite
def _vectors(draw: Any, min_n: int = 1, max_n: int = 3, zero_dim: bool = True) -> Any:
    """1 to 3 vectors (or 0-d tensors) of drawn lengths."""
    k = draw(st.integers(min_n, max_n))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    shapes = [
        draw(st.sampled_from([(), (1,), (2,), (3,), (4,)] if zero_dim else [(1,), (2,), (3,), (4,)])) for _ in range(k)
    ]
    return S.sample(tuple(S.array(rng, s) for s in shapes), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _meshgrid(draw: Any) -> Any:
    s = draw(_vectors())
    s.kwargs["indexing"] = draw(st.sampled_from(["ij", "xy"]))
    s.kwargs["as_list"] = draw(st.booleans())
    return s


def _meshgrid_call(lib: Any, *xs: Any, indexing: str, as_list: bool) -> Any:
    return lib.meshgrid(list(xs), indexing=indexing) if as_list else lib.meshgrid(*xs, indexing=indexing)


@st.composite
def _stackable(draw: Any, min_dims: int = 0, max_dims: int = 3, join: int | None = None) -> Any:
    """2 or 3 tensors of one shape except, where ``join`` names a dim, that dim's size."""
    shape = list(draw(S.shapes(min_dims, max_dims)))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    arrays = []
    for _ in range(draw(st.integers(2, 3))):
        own = list(shape)
        if join is not None and join < len(own):
            own[join] = draw(st.integers(1, 3))
        arrays.append(S.array(rng, tuple(own)))
    return S.sample(tuple(arrays), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _atleast(draw: Any) -> Any:
    k = draw(st.integers(1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    arrays = tuple(S.array(rng, draw(S.shapes(0, 4, 1, 3))) for _ in range(k))
    return S.sample(arrays, {"as_list": draw(st.booleans())}, noncontiguous=draw(st.booleans()), seed=seed)


def _atleast_call(name: str) -> Any:
    def call(lib: Any, *xs: Any, as_list: bool) -> Any:
        f = getattr(lib, name)
        return f(list(xs)) if as_list else f(*xs)

    return call


# ---- splits, moves, flattening -------------------------------------------------------------------------
@st.composite
def _tensor_split(draw: Any) -> Any:
    s = draw(_with_dim())
    size = s.inputs[0].shape[s.kwargs["dim"]]
    how = draw(st.sampled_from(["sections", "indices", "tensor_sections", "tensor_indices"]))
    if how.endswith("sections"):
        s.kwargs["sections"] = draw(st.integers(1, size + 2))
    else:
        s.kwargs["indices"] = draw(st.lists(st.integers(-size - 1, size + 1), max_size=3))
    s.kwargs["as_tensor"] = how.startswith("tensor")
    return s


def _tensor_split_call(lib: Any, x: Any, dim: int, as_tensor: bool, sections: Any = None, indices: Any = None) -> Any:
    how = sections if indices is None else indices
    if as_tensor:
        how = lib.tensor(how, dtype=lib.int64)
    return _sum_of(lib.tensor_split(x, how, dim)) if dim != 0 else _sum_of(x.tensor_split(how))


@st.composite
def _equal_split(draw: Any, min_dims: int, dim_of: Any) -> Any:
    s = draw(_tensor(min_dims, 4))
    size = s.inputs[0].shape[dim_of(s.inputs[0].ndim)]
    if draw(st.booleans()):
        s.kwargs["split"] = draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
    else:
        s.kwargs["split"] = sorted(draw(st.lists(st.integers(0, size), max_size=3)))
    return s


@st.composite
def _movedim_tuple(draw: Any) -> Any:
    s = draw(_tensor(1, 4))
    n = s.inputs[0].ndim
    k = draw(st.integers(1, n))
    source = draw(st.permutations(range(n)))[:k]
    destination = draw(st.permutations(range(n)))[:k]
    s.kwargs["source"] = tuple(d - n if draw(st.booleans()) else d for d in source)
    s.kwargs["destination"] = tuple(d - n if draw(st.booleans()) else d for d in destination)
    return s


@st.composite
def _unflatten(draw: Any) -> Any:
    s = draw(_with_dim())
    size = s.inputs[0].shape[s.kwargs["dim"]]
    a = draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
    s.kwargs["sizes"] = draw(st.sampled_from([(a, size // a), (a, -1), (-1, a), (1, size, 1), (size,)]))
    return s


@st.composite
def _squeeze_tuple(draw: Any) -> Any:
    shape = tuple(draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=1, max_size=4)))
    seed = draw(S.seeds)
    n = len(shape)
    dims = draw(st.lists(st.integers(-n, n - 1), unique_by=lambda d: d % n, max_size=n))
    x = S.array(np.random.default_rng(seed), shape)
    return S.sample((x,), {"dim": tuple(dims)}, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _empty(draw: Any, min_dims: int = 1, max_dims: int = 3) -> Any:
    """A tensor with at least one size-0 dim (every op here accepts them, as torch's do)."""
    shape = list(draw(S.shapes(min_dims, max_dims, 1, 3)))
    shape[draw(st.integers(0, len(shape) - 1))] = 0
    return S.sample((np.zeros(shape),), seed=draw(S.seeds))


EMPTY_OPS = [
    OpInfo("roll_empty", lambda lib, x: x.roll(1, 0), _empty),
    OpInfo("rot90_empty", lambda lib, x: lib.rot90(x, 1, (0, 1)), lambda: _empty(2)),
    OpInfo("triu_empty", lambda lib, x: x.triu(1), lambda: _empty(2)),
    OpInfo("diagonal_empty", lambda lib, x: x.diagonal(0, -1, 0), lambda: _empty(2)),
    OpInfo("diag_embed_empty", lambda lib, x: lib.diag_embed(x, 1), _empty),
    OpInfo("tile_empty", lambda lib, x: x.tile(2, 1), _empty),
    OpInfo("repeat_interleave_empty", lambda lib, x: x.repeat_interleave(2, dim=-1), _empty),
    OpInfo("as_strided_empty", lambda lib, x: x.as_strided((0, 2), (1, 1)), _empty),
    OpInfo("tensor_split_empty", lambda lib, x: _sum_of(x.tensor_split(2, 0)), _empty),
    OpInfo("hstack_empty", lambda lib, x: lib.hstack([x, x]), _empty),
    OpInfo("movedim_empty", lambda lib, x: x.movedim(0, -1), _empty),
    OpInfo("ravel_empty", lambda lib, x: x.t().ravel() if x.ndim == 2 else x.ravel(), _empty),
]

OPS += [
    OpInfo("flip", lambda lib, x, dims: lib.flip(x, dims), _dims_subset),
    OpInfo("flip_tuple_empty_sides", lambda lib, x, dims: lib.flip(x, tuple(dims)), lambda: _dims_subset(1, 3, True)),
    OpInfo("flip_method", lambda lib, x, dims: x.flip(*dims), lambda: _dims_subset(1, 4)),
    OpInfo("fliplr", lambda lib, x: lib.fliplr(x), lambda: _tensor(2, 4)),
    OpInfo("flipud", lambda lib, x: x.flipud(), lambda: _tensor(1, 4)),
    OpInfo("roll", lambda lib, x, shifts, dims: lib.roll(x, shifts, dims), _roll),
    OpInfo("roll_method", lambda lib, x, shifts, dims: x.roll(shifts=shifts, dims=dims), _roll),
    OpInfo("rot90", lambda lib, x, k, dims: lib.rot90(x, k, dims), _rot90),
    OpInfo("rot90_default", lambda lib, x: x.rot90(), lambda: _tensor(2, 3)),
    OpInfo("tril", lambda lib, x, diagonal: lib.tril(x, diagonal), _triangle),
    OpInfo("triu", lambda lib, x, diagonal: x.triu(diagonal=diagonal), _triangle),
    OpInfo("tril_", lambda lib, x, diagonal: (x * 1).tril_(diagonal) * 2, _triangle),
    OpInfo("triu_", lambda lib, x, diagonal: (x * 1).triu_(diagonal), _triangle),
    OpInfo("diagonal", lambda lib, x, offset, dims: x.diagonal(offset, *dims), _diagonal),
    OpInfo(
        "diagonal_kwargs",
        lambda lib, x, offset, dims: lib.diagonal(x * 1, offset=offset, dim1=dims[0], dim2=dims[1]) * 2,
        _diagonal,
    ),
    OpInfo("diagonal_default", lambda lib, x: lib.diagonal(x), lambda: _tensor(2, 4)),
    OpInfo("diag", lambda lib, x, diagonal: lib.diag(x, diagonal), _diag),
    OpInfo("diag_embed", lambda lib, x, offset, dims: lib.diag_embed(x, offset, *dims), _diag_embed),
    OpInfo("diag_embed_default", lambda lib, x: x.diag_embed(), lambda: _tensor(1, 3)),
    OpInfo("narrow_copy", lambda lib, x, dim, start, length: x.narrow_copy(dim, start, length), _narrow_copy),
    OpInfo("as_strided", _as_strided_call, _as_strided),
    OpInfo(
        "as_strided_nonleaf",
        lambda lib, x, size, stride, storage_offset: _as_strided_call(lib, x * 2, size, stride, storage_offset),
        _as_strided,
    ),
    OpInfo(
        "as_strided_transposed",  # reads x's storage, not x's element order: the backward uses x's strides
        lambda lib, x, size, stride, storage_offset: _as_strided_call(lib, x.t(), size, stride, storage_offset),
        lambda: _as_strided().filter(lambda s: s.inputs[0].ndim <= 2),
    ),
    OpInfo(
        "as_strided_expanded",
        lambda lib, x, size, stride: x.expand(2, *x.shape).as_strided(size, stride),
        _as_strided_expanded,
    ),
    OpInfo(
        "split_with_sizes", lambda lib, x, dim, sizes: _sum_of(lib.split_with_sizes(x, sizes, dim)), _split_with_sizes
    ),
    OpInfo("split_with_sizes_method", lambda lib, x, dim, sizes: x.split_with_sizes(sizes, dim=dim), _split_with_sizes),
    OpInfo("tile", lambda lib, x, dims: lib.tile(x, dims), _tile),
    OpInfo("tile_method", lambda lib, x, dims: x.tile(*dims) if dims else x.tile(dims), _tile),
    OpInfo("repeat_interleave", lambda lib, x, repeats, dim: x.repeat_interleave(repeats, dim), _repeat_interleave),
    OpInfo(
        "repeat_interleave_tensor",
        lambda lib, x, r, dim, output_size: lib.repeat_interleave(x, r, dim=dim, output_size=output_size),
        _repeat_interleave_tensor,
    ),
    OpInfo("broadcast_to", lambda lib, x, size: lib.broadcast_to(x, size), _broadcast_to),
    OpInfo(
        "broadcast_to_method",
        lambda lib, x, size: x.broadcast_to(*size) if size else x.broadcast_to(size),
        _broadcast_to,
    ),
    OpInfo("broadcast_tensors", lambda lib, a, b: lib.broadcast_tensors(a * 1, b * 1), _broadcast_pair),
    OpInfo("meshgrid", _meshgrid_call, _meshgrid),
    OpInfo("movedim_tuple", lambda lib, x, source, destination: lib.movedim(x, source, destination), _movedim_tuple),
    OpInfo("moveaxis", lambda lib, x, source, destination: x.moveaxis(list(source), list(destination)), _movedim_tuple),
    OpInfo("moveaxis_int", lambda lib, x, dim: lib.moveaxis(x, dim, -1), _with_dim),
    OpInfo("swapdims", lambda lib, x, dim0, dim1: lib.swapdims(x, dim0, dim1), _two_dims),
    OpInfo("swapdims_method", lambda lib, x, dim0, dim1: x.swapdims(dim0, dim1), _two_dims),
    OpInfo("unflatten_sizes", lambda lib, x, dim, sizes: lib.unflatten(x, dim, sizes), _unflatten),
    OpInfo("squeeze_tuple", lambda lib, x, dim: lib.squeeze(x, dim), _squeeze_tuple),
    OpInfo(
        "hstack", lambda lib, *xs: lib.hstack(xs), lambda: _stackable(0, 3, 1).filter(lambda s: s.inputs[0].ndim != 1)
    ),
    OpInfo("hstack_vectors", lambda lib, *xs: lib.hstack(list(xs)), lambda: _vectors(2, 3, zero_dim=True)),
    OpInfo("vstack", lambda lib, *xs: lib.vstack(xs), lambda: _stackable(2, 3, 0)),
    OpInfo("vstack_vectors", lambda lib, *xs: lib.vstack(xs), lambda: _stackable(0, 1)),
    OpInfo(
        "row_stack",
        lambda lib, *xs: lib.row_stack(xs),
        lambda: _stackable(1, 3, 0).filter(lambda s: s.inputs[0].ndim != 1),
    ),
    OpInfo("dstack", lambda lib, *xs: lib.dstack(xs), lambda: _stackable(0, 4, 2)),
    OpInfo("column_stack", lambda lib, *xs: lib.column_stack(xs), lambda: _stackable(2, 3, 1)),
    OpInfo("column_stack_vectors", lambda lib, *xs: lib.column_stack(xs), lambda: _stackable(0, 1)),
    OpInfo("atleast_1d", _atleast_call("atleast_1d"), _atleast),
    OpInfo("atleast_2d", _atleast_call("atleast_2d"), _atleast),
    OpInfo("atleast_3d", _atleast_call("atleast_3d"), _atleast),
    OpInfo("atleast_3d_one", lambda lib, x: lib.atleast_3d(x * 1), lambda: _tensor(0, 4)),
    OpInfo("tensor_split", _tensor_split_call, _tensor_split),
    OpInfo("tensor_split_pieces", lambda lib, x, dim: x.tensor_split(3, dim=dim), _with_dim),
    OpInfo(
        "hsplit",
        lambda lib, x, split: _sum_of(lib.hsplit(x, split)),
        lambda: _equal_split(1, lambda n: 0 if n == 1 else 1),
    ),
    OpInfo("vsplit", lambda lib, x, split: _sum_of(x.vsplit(split)), lambda: _equal_split(2, lambda n: 0)),
    OpInfo("dsplit", lambda lib, x, split: lib.dsplit(x, split), lambda: _equal_split(3, lambda n: 2)),
    OpInfo("ravel", lambda lib, x: lib.ravel(x), _tensor),
    OpInfo("ravel_transposed", lambda lib, x: x.transpose(0, -1).ravel(), lambda: _tensor(1, 4)),
]
OPS += EMPTY_OPS
