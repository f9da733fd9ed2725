r"""Layout ops: rearranging copies (flip, roll, rot90, tril/triu, diag, tile, repeat_interleave) and the
stacking and splitting helpers torch composes from views and joins (hstack, tensor_split, meshgrid, ...).

Every rearranging op here is a permutation or a masking of the elements, so its backward moves the
gradient back the same way (flip again, roll back, rotate back, mask again): for $y = P x$ with P a
permutation, $dx = P^T dy = P^{-1} dy$; for $y = M \odot x$ with a constant mask, $dx = M \odot dy$.
The helpers that torch builds from other ops (tile is repeat, hstack is cat of atleast_1d views,
tensor_split is slices, meshgrid is views expanded) are built from the same ops here, so they have
torch's graph nodes and their backward is those ops' backward.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor, wrap_dim
from ..autograd.types import Size
from .arithmetic import _inplace
from .indexing import cat, index_select, narrow
from .shape import (
    Diagonal,
    _as_list,
    _diagonal_dims,
    _diagonal_view,
    _shape_args,
    _sizes_arg,
    clone,
    expand,
    flatten,
    repeat,
    reshape,
    unsqueeze,
    view,
)
from .utils import contiguous_copy, normalize_dims


class Flip(Function):
    """$y[i] = x[n - 1 - i]$ along each dim in ``dims`` (a copy, as torch's).

    Flipping is its own inverse and a permutation of the elements: dx = dy flipped along the same dims.
    """

    node_name = "FlipBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        return contiguous_copy(np.flip(x, dims))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return contiguous_copy(np.flip(grad, ctx.dims)), None


class DiagonalCopy(Diagonal):
    """torch.diag of a matrix: its diagonal $y_i = x_{i,i}$ as a new vector (torch's node is DiagonalBackward0_copy).
    dx = zeros with dy written on the diagonal.
    """

    node_name = "DiagonalBackward0_copy"
    is_view = False

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
        return Diagonal.forward(ctx, x, offset, dim1, dim2).copy()


class DiagEmbed(Function):
    r"""$y[\dots, i, i + \mathrm{offset}] = x[\dots, i]$: zeros with x's last dim written on the diagonal (offset) of
    dims (dim1, dim2) of y (for offset $\ge 0$; a negative offset writes below the diagonal, at
    $y[\dots, i - \mathrm{offset}, i]$).

    The inverse reading of diagonal: $dx[\dots, i] = dy[\dots, i, i + \mathrm{offset}]$, the same diagonal of dy.
    """

    node_name = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
        ctx.where = (offset, dim1, dim2)
        side = (x.shape[-1] if x.ndim else 1) + abs(offset)
        lead = iter(x.shape[:-1])
        shape = tuple(side if d in (dim1, dim2) else next(lead) for d in range(x.ndim + 1))
        out = np.zeros(shape, dtype=x.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = x
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return _diagonal_view(grad, *ctx.where).copy(), None, None, None


class NarrowCopy(Function):
    r"""y = a copy of $x[\dots, \mathrm{start} : \mathrm{start} + \mathrm{length}, \dots]$ at ``dim``.
    dx = zeros with dy written in that slice.
    """

    node_name = "NarrowCopyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, start: int, length: int) -> np.ndarray:
        ctx.shape, ctx.index = x.shape, (slice(None),) * dim + (slice(start, start + length),)
        return contiguous_copy(x[ctx.index])

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        out[ctx.index] = grad
        return out, None, None, None


class Roll(Function):
    r"""$y[(i + s) \bmod n] = x[i]$: x shifted cyclically by ``shifts`` along ``dims`` (all elements, flattened, when
    dims is None).

    A cyclic shift is a permutation whose inverse shifts back: dx = dy rolled by $-s$.
    """

    node_name = "RollBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shifts: tuple[int, ...], dims: tuple[int, ...] | None) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts[0] if dims is None else shifts, axis=dims)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        back = tuple(-s for s in ctx.shifts)
        return np.roll(grad, back[0] if ctx.dims is None else back, axis=ctx.dims), None, None


class Rot90(Function):
    """y = x turned k quarter turns in the plane of ``dims``, from dims[0] towards dims[1] (a copy).

    A rotation permutes the elements and $-k$ turns undo it: dx = dy rotated by $-k$ in the same plane.
    """

    node_name = "Rot90Backward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, k: int, dims: tuple[int, int]) -> np.ndarray:
        ctx.k, ctx.dims = k, dims
        return contiguous_copy(np.rot90(x, k, axes=dims))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return contiguous_copy(np.rot90(grad, -ctx.k, axes=ctx.dims)), None, None


class Tril(Function):
    r"""y = x with the elements above diagonal ``diagonal`` of its last two dims zeroed ($j - i > \mathrm{diagonal}$).

    $y = x \odot M$ with a constant mask M: $dx = dy \odot M$, i.e. the same triangle of dy.
    """

    node_name = "TrilBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, diagonal: int) -> np.ndarray:
        ctx.diagonal = diagonal
        return np.tril(x, diagonal)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.tril(grad, ctx.diagonal), None


class Triu(Function):
    r"""y = x with the elements below diagonal ``diagonal`` zeroed ($j - i < \mathrm{diagonal}$).   dx = triu of dy."""

    node_name = "TriuBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, diagonal: int) -> np.ndarray:
        ctx.diagonal = diagonal
        return np.triu(x, diagonal)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.triu(grad, ctx.diagonal), None


def _flip_dims(input: Tensor, dims: Any) -> tuple[int, ...]:
    return normalize_dims(dims, input.ndim) if input.ndim else ()


def flip(input: Tensor, dims: Any) -> Tensor:
    """input reversed along each of ``dims`` (a copy)."""
    if isinstance(dims, int):
        raise TypeError(f"flip(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}")
    return Flip.apply(input, _flip_dims(input, dims))


def _flip_method(input: Tensor, *dims: Any, **kwargs: Any) -> Tensor:
    """Tensor.flip(*dims), Tensor.flip(dims) or Tensor.flip(dims=dims)."""
    return Flip.apply(input, _flip_dims(input, _sizes_arg(dims, kwargs, "dims", "flip")))


def fliplr(input: Tensor) -> Tensor:
    """Columns reversed (dim 1)."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input: Tensor) -> Tensor:
    """Rows reversed (dim 0)."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Elements shifted cyclically by ``shifts`` along ``dims``; without dims, over the flattened tensor."""
    shifts = _as_list(shifts)
    dims = [] if dims is None else _as_list(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims) and not (not dims and len(shifts) == 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if dims and input.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    wrapped = tuple(wrap_dim(d, input.ndim) for d in dims) if dims else None
    return Roll.apply(input, tuple(shifts), wrapped)


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """input turned k times by 90 degrees in the plane of ``dims`` (from the first dim towards the second)."""
    dims = _as_list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    a, b = wrap_dim(dims[0], input.ndim), wrap_dim(dims[1], input.ndim)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    return Rot90.apply(input, int(k) % 4, (a, b))


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices (in dims dim1, dim2 of a result with one dim more) with input's last dim on their diagonal."""
    return DiagEmbed.apply(input, int(offset), *_diagonal_dims(input.ndim + 1, dim1, dim2))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector -> the square matrix with it on diagonal ``diagonal``; a matrix -> that diagonal (a copy)."""
    if input.ndim == 1:
        return DiagEmbed.apply(input, int(diagonal), 0, 1)
    if input.ndim == 2:
        return DiagonalCopy.apply(input, int(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def _triangle(function: type[Function], name: str) -> Any:
    def op(input: Tensor, diagonal: int = 0) -> Tensor:
        if input.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return function.apply(input, int(diagonal))

    op.__name__ = name
    op.__doc__ = f"{name} of the last two dims (matrices batched over the leading dims)."
    return op


tril = _triangle(Tril, "tril")
triu = _triangle(Triu, "triu")


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """A copy of input[.., start:start + length, ..] at ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if dim >= input.ndim:
        raise RuntimeError(
            "Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)"
        )
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    start = int(start) + (size if start < 0 else 0)
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return NarrowCopy.apply(input, d, start, int(length))


def tile(input: Tensor, dims: Any) -> Tensor:
    """repeat with ``dims`` padded on the left with ones to input's number of dims."""
    dims = _as_list(dims)
    return repeat(input, *([1] * (input.ndim - len(dims)) + dims))


def _tile_method(input: Tensor, *dims: Any, **kwargs: Any) -> Tensor:
    return tile(input, _sizes_arg(dims, kwargs, "dims", "tile"))


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    """input expanded to ``size`` (a view)."""
    return expand(input, *_shape_args((size,)))


def _broadcast_to_method(input: Tensor, *size: Any, **kwargs: Any) -> Tensor:
    return expand(input, *_sizes_arg(size, kwargs, "size", "broadcast_to"))


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape tensors of these shapes broadcast to, without making them."""
    shapes = tuple((s,) if isinstance(s, int) else tuple(s) for s in shapes if s is not None)
    common = [1] * max((len(s) for s in shapes), default=0)
    for i, shape in enumerate(shapes):
        for d in range(-1, -1 - len(shape), -1):
            n = shape[d]
            if n == common[d]:
                continue
            if common[d] == 1:
                if n < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[d] = n
            if n != 1 and n != common[d]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {n} at {d}! Mismatching argument at index {i} "
                    f"had {shape}; but expected shape should be broadcastable to {common}"
                )
    return Size(common)


def _broadcast_pair(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    n = max(len(a), len(b))
    out = []
    for i in range(n):
        x = a[i - n + len(a)] if i - n + len(a) >= 0 else 1
        y = b[i - n + len(b)] if i - n + len(b) >= 0 else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {i}"
            )
        out.append(y if x == 1 else x)
    return tuple(out)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Each tensor expanded to the common broadcast shape (itself where it has that shape already)."""
    shape: tuple[int, ...] = ()
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
        shape = _broadcast_pair(shape, t._data.shape)
    return tuple(t if t._data.shape == shape else expand(t, *shape) for t in tensors)


def _atleast(ndim: int, one: Any) -> Any:
    def op(*tensors: Any) -> Any:
        if len(tensors) == 1 and isinstance(tensors[0], Tensor):
            return one(tensors[0])
        if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
            tensors = tuple(tensors[0])
        return tuple(one(t) for t in tensors)

    op.__name__ = f"atleast_{ndim}d"
    op.__doc__ = f"Each tensor viewed with at least {ndim} dims (one tensor in, one out; else a tuple)."
    return op


def _one_atleast_1d(t: Tensor) -> Tensor:
    return reshape(t, 1) if t.ndim == 0 else t


def _one_atleast_2d(t: Tensor) -> Tensor:
    if t.ndim == 0:
        return reshape(t, 1, 1)
    return unsqueeze(t, 0) if t.ndim == 1 else t


def _one_atleast_3d(t: Tensor) -> Tensor:
    if t.ndim == 0:
        return reshape(t, 1, 1, 1)
    if t.ndim == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if t.ndim == 2 else t


atleast_1d = _atleast(1, _one_atleast_1d)
atleast_2d = _atleast(2, _one_atleast_2d)
atleast_3d = _atleast(3, _one_atleast_3d)


def _repeat_index(repeats: np.ndarray, output_size: int | None) -> np.ndarray:
    """[0] * r_0 + [1] * r_1 + ...: the indices torch.repeat_interleave(repeats) gives."""
    if repeats.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if repeats.dtype.kind not in "iu":
        name = {"f": "Float" if repeats.dtype == np.float32 else "Double", "b": "Bool"}.get(repeats.dtype.kind, "")
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{name}'")
    if (repeats < 0).any():
        raise RuntimeError("repeats can not be negative")
    index = np.repeat(np.arange(repeats.size, dtype=np.int64), repeats)
    if output_size is not None and output_size != index.size:
        raise RuntimeError("allocated size does not match required size")
    return index


def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each element repeated ``repeats`` times along ``dim`` (the flattened input when dim is None).

    An int repeat is torch's view chain (unsqueeze, expand, clone, view: each copy of an element gets its
    own gradient, summed back by expand's backward); per-element repeats are an index_select, whose
    backward scatter-adds. ``torch.repeat_interleave(repeats)`` alone gives the indices 0, .., n - 1 repeated.
    """
    if repeats is None:
        return Tensor._make(_repeat_index(input._data, output_size))
    if dim is None:
        input, d = flatten(input), 0
    else:
        d = wrap_dim(dim, input.ndim)
    if not isinstance(repeats, Tensor):
        r = int(repeats)
        if r < 0:
            raise RuntimeError("Repeats must be non-negative")
        column = unsqueeze(input, d + 1)
        n = input._data.shape[d]
        if output_size is not None and output_size != n * r:
            raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {n * r} but got {output_size}")
        shape = list(input._data.shape)
        tiled = expand(column, *shape[: d + 1], r, *shape[d + 1 :])
        return view(clone(tiled), *shape[:d], n * r, *shape[d + 1 :])
    counts, n = repeats._data, input._data.shape[d]
    if counts.ndim == 0 or (counts.ndim == 1 and counts.size == 1):
        counts = np.broadcast_to(counts.reshape(1), (n,))
    elif counts.ndim == 1:
        if counts.size != n:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got repeats.size(0) = "
                f"{counts.size} and input.size({d}) = {n}"
            )
    else:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    return index_select(input, d, Tensor._make(_repeat_index(counts, output_size)))


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids: output i holds tensors[i] along its own dim, expanded over the others (views).

    indexing='ij': dim i is tensor i's; 'xy' (Cartesian) swaps the first two dims.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if any(t._data.dtype != tensors[0]._data.dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, a in zip(tensors, axes):
        shape[a] = t.numel()
    grids = []
    for t, a in zip(tensors, axes):
        along = [1] * len(tensors)
        along[a] = t.numel()
        grids.append(expand(view(t, *along), *shape))
    return tuple(grids)


def _non_empty(tensors: Sequence[Tensor], name: str) -> list[Tensor]:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Joined along dim 1 (dim 0 for vectors), after atleast_1d."""
    parts = [_one_atleast_1d(t) for t in _non_empty(tensors, "hstack")]
    return cat(parts, 0 if parts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Joined along dim 0, after atleast_2d (vectors become rows)."""
    return cat([_one_atleast_2d(t) for t in _non_empty(tensors, "vstack")], 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Joined along dim 2, after atleast_3d."""
    return cat([_one_atleast_3d(t) for t in _non_empty(tensors, "dstack")], 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Joined along dim 1, 0-d and 1-d tensors first made columns."""
    parts = _non_empty(tensors, "column_stack")
    return cat([reshape(t, t.numel(), 1) if t.ndim <= 1 else t for t in parts], 1)


def _sections(input: Tensor, dim: int, sections: int) -> tuple[Tensor, ...]:
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    n = input._data.shape[dim]
    small, extra = divmod(n, sections)
    pieces, start = [], 0
    for i in range(sections):
        length = small + (i < extra)
        pieces.append(narrow(input, dim, start, length))
        start += length
    return tuple(pieces)


def _at_indices(input: Tensor, dim: int, indices: Sequence[int]) -> tuple[Tensor, ...]:
    n = input._data.shape[dim]
    bounds = [0, *(int(i) for i in indices), None]
    pieces = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        start, stop, _ = slice(a, b).indices(n)  # torch's slice: negative indices wrap, then both clamp
        pieces.append(narrow(input, dim, start, max(stop - start, 0)))
    return tuple(pieces)


def tensor_split(
    input: Tensor,
    indices_or_sections: Any = None,
    dim: int = 0,
    *,
    sections: int | None = None,
    indices: Sequence[int] | None = None,
    tensor_indices_or_sections: Tensor | None = None,
) -> tuple[Tensor, ...]:
    """Views along ``dim``: ``sections`` pieces as equal as can be (the first ones one longer), or the
    pieces between ``indices``. A tensor argument: 0-d is sections, 1-d is indices."""
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = wrap_dim(dim, input.ndim)
    how = next((h for h in (indices_or_sections, sections, indices, tensor_indices_or_sections) if h is not None), None)
    if isinstance(how, Tensor):
        if how._data.dtype != np.int64:
            kind = {"float32": "Float", "float64": "Double", "int32": "Int", "bool": "Bool"}.get(how._data.dtype.name)
            raise RuntimeError(
                f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got {kind}"
            )
        if how.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional "
                f"tensor, but got a tensor with {how.ndim} dims"
            )
        how = int(how._data) if how.ndim == 0 else how._data.tolist()
    if isinstance(how, (int, np.integer)):
        return _sections(input, d, int(how))
    return _at_indices(input, d, how)


def _split_at(name: str, min_dims: int, dim_of: Any) -> Any:
    def op(
        input: Tensor, indices_or_sections: Any = None, *, sections: int | None = None, indices: Any = None
    ) -> tuple[Tensor, ...]:
        if indices_or_sections is None:
            indices_or_sections = sections if sections is not None else indices
        if input.ndim < min_dims:
            raise RuntimeError(
                f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor with "
                f"{input.ndim} dimensions!"
            )
        d = dim_of(input)
        if isinstance(indices_or_sections, (int, np.integer)):
            size, n = int(indices_or_sections), input._data.shape[d]
            if size == 0 or n % size:
                raise RuntimeError(
                    f"torch.{name} attempted to split along dimension {d}, but the size of the dimension {n} is not "
                    f"divisible by the split_size {size}!"
                )
            return _sections(input, d, size)
        return _at_indices(input, d, _as_list(indices_or_sections))

    op.__name__ = name
    op.__doc__ = f"tensor_split along dim {'1 (0 for vectors)' if name == 'hsplit' else dim_of}, in equal pieces."
    return op


hsplit = _split_at("hsplit", 1, lambda t: 0 if t.ndim == 1 else 1)
vsplit = _split_at("vsplit", 2, lambda t: 0)
dsplit = _split_at("dsplit", 3, lambda t: 2)


__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "broadcast_shapes",
    "broadcast_tensors",
    "broadcast_to",
    "column_stack",
    "diag",
    "diag_embed",
    "dsplit",
    "dstack",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "meshgrid",
    "narrow_copy",
    "repeat_interleave",
    "roll",
    "rot90",
    "row_stack",
    "tensor_split",
    "tile",
    "tril",
    "triu",
    "vsplit",
    "vstack",
]

TENSOR_METHODS = {
    "flip": _flip_method,
    "fliplr": fliplr,
    "flipud": flipud,
    "roll": roll,
    "rot90": rot90,
    "diag": diag,
    "diag_embed": diag_embed,
    "tril": tril,
    "triu": triu,
    "tril_": _inplace(tril),
    "triu_": _inplace(triu),
    "narrow_copy": narrow_copy,
    "tile": _tile_method,
    "repeat_interleave": repeat_interleave,
    "broadcast_to": _broadcast_to_method,
    "tensor_split": tensor_split,
    "hsplit": hsplit,
    "vsplit": vsplit,
    "dsplit": dsplit,
}
