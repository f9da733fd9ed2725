"""Shape ops: view/reshape/flatten/unflatten/unsqueeze/squeeze/transpose/t/permute/movedim/expand/
contiguous/repeat/split/unbind/chunk, and the strided views diagonal and as_strided.

They move no numbers, so each backward only undoes the shape change: view's
backward reshapes the gradient back, transpose's transposes it back, expand's
sums over the expanded axes, diagonal's writes the gradient back on the diagonal.
Each is a linear map $y = P x$ that selects or copies entries, and its backward is the adjoint
$dx = P^T dy$: a gather's adjoint scatters (adding where an entry was read twice).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, _NoGradContext
from ..autograd.tensor import Tensor, wrap_dim
from ..autograd.types import device, dtype, to_numpy_dtype
from ..autograd.views import make_view
from . import devices
from .utils import check_expand, contiguous_copy, normalize_dims, unbroadcast


def _infer_shape(shape: tuple[int, ...], numel: int, original: tuple[int, ...]) -> tuple[int, ...]:
    """shape with its -1 (at most one) worked out from numel, with torch's errors (infer_size)."""
    inferred = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if inferred is not None:
                raise RuntimeError("only one dimension can be inferred")
            inferred = i
        elif s >= 0:
            known *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if numel == known or (inferred is not None and known > 0 and numel % known == 0):
        if inferred is None:
            return shape
        if known == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified dimension "
                "size -1 can be any value and is ambiguous"
            )
        return shape[:inferred] + (numel // known,) + shape[inferred + 1 :]
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def _sizes_arg(args: tuple[Any, ...], kwargs: dict[str, Any], keyword: str, op: str) -> tuple[int, ...]:
    """Sizes given as varargs (x.view(2, 3)), as one sequence (x.view((2, 3))) or by torch's keyword
    (x.view(size=(2, 3)))."""
    if kwargs:
        unknown = [k for k in kwargs if k != keyword]
        if unknown:
            raise TypeError(f"{op}() got an unexpected keyword argument '{unknown[0]}'")
        if args:
            raise TypeError(f"{op}() received an invalid combination of arguments")
        args = (kwargs[keyword],)
    return _shape_args(args)


def _shape_args(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class View(Function):
    """y = x seen with another shape (same storage).   $dx = dy$ reshaped back."""

    node_name = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        shape = _infer_shape(shape, x.size, x.shape)
        y = x.view()
        try:
            y.shape = shape  # raises instead of copying when the strides don't allow a view
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.reshape(ctx.shape), None


class T(Function):
    """$y = x^T$ for x of at most 2 dims.   $dx = dy^T$."""

    node_name = "TBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        if x.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
        return x.T

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad.T,)


class Reshape(View):
    """reshape of a non-viewable tensor: a copy, then a view of the copy (torch: Clone + UnsafeView).
    $dx = dy$ reshaped back.
    """

    node_name = "UnsafeViewBackward0"
    is_view = False

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        return x.reshape(_infer_shape(shape, x.size, x.shape))


class ReshapeAlias(View):
    """reshape of a non-contiguous tensor whose strides still allow a view (torch's ``_reshape_alias``).
    $dx = dy$ reshaped back.
    """

    node_name = "ReshapeAliasBackward0"


class Alias(Function):
    """$y = x$ itself as a new view (movedim of a 0-d tensor).   $dx = dy$."""

    node_name = "AliasBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x.view()

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad,)


class Clone(Function):
    """y = a copy of x (contiguous).   $dx = dy$."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return contiguous_copy(x)  # (np.ascontiguousarray would make a 0-d array 1-d)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad,)


class Unsqueeze(Function):
    """y = x with a size-1 axis inserted at ``dim``.   $dx = dy$ with that axis removed."""

    node_name = "UnsqueezeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        return np.expand_dims(x, dim)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.squeeze(grad, ctx.dim), None


class Squeeze(Function):
    """y = x without the given size-1 axes.   $dx = dy$ reshaped back."""

    node_name = "SqueezeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        return np.squeeze(x, dims)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.reshape(ctx.shape), None


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"


class Permute(Function):
    r"""$y = x$ with axes reordered by ``dims``: $y_{i_{\pi(1)} \dots i_{\pi(n)}} = x_{i_1 \dots i_n}$.
    $dx = dy$ permuted by the inverse order $\pi^{-1}$.
    """

    node_name = "PermuteBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.inverse = tuple(np.argsort(dims))
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.transpose(grad, ctx.inverse), None


class Transpose(Permute):
    node_name = "TransposeBackward0"


class Expand(Function):
    r"""y = x broadcast to ``shape`` (no copy).   $dx = \sum dy$ over the broadcast axes."""

    node_name = "ExpandBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return unbroadcast(grad, ctx.shape), None


class Repeat(Function):
    r"""y = x tiled ``repeats`` times along each dim (leading new dims allowed).

    Every input element appears once per tile: $dx = \sum_{\mathrm{tiles}} dy$, found by
    viewing each dim d of dy as $(\mathrm{repeats}_d, \mathrm{size}_d)$ and summing the repeats axes.
    """

    node_name = "RepeatBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, repeats: tuple[int, ...]) -> np.ndarray:
        ctx.shape, ctx.repeats = x.shape, repeats
        return np.tile(x, repeats)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        shape = (1,) * (len(ctx.repeats) - len(ctx.shape)) + tuple(ctx.shape)
        split = []
        for r, s in zip(ctx.repeats, shape):
            split += [r, s]
        g = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return g.reshape(ctx.shape), None


class Split(Function):
    r"""$(y_1, \dots, y_k)$ = consecutive slices of x along ``dim`` (views).   $dx = [dy_1, \dots, dy_k]$ joined
    back.
    """

    node_name = "SplitBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, sizes: tuple[int, ...], dim: int) -> tuple:
        ctx.dim = dim
        bounds = np.cumsum((0, *sizes))
        index = [slice(None)] * x.ndim
        parts = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            index[dim] = slice(int(a), int(b))
            parts.append(x[tuple(index)])
        return tuple(parts)

    @staticmethod
    def backward(ctx: Any, *grads: np.ndarray) -> tuple:
        return np.concatenate(grads, axis=ctx.dim), None, None


class SplitWithSizes(Split):
    node_name = "SplitWithSizesBackward0"


def _diagonal_view(x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """The writable view of x's diagonal: the other dims in order, then the diagonal.

    Element k of the diagonal is x[.., k, .., k + offset, ..] (offset >= 0) or x[.., k - offset, .., k, ..]: one
    step along it moves by stride(dim1) + stride(dim2). (np.diagonal's view is read-only, and a torch view is not.)
    """
    n1, n2 = x.shape[dim1], x.shape[dim2]
    first1, first2 = (0, offset) if offset >= 0 else (-offset, 0)
    length = max(min(n1 - first1, n2 - first2), 0)
    corner = [slice(None)] * x.ndim
    corner[dim1], corner[dim2] = slice(first1, None), slice(first2, None)
    others = [d for d in range(x.ndim) if d not in (dim1, dim2)]
    shape = tuple(x.shape[d] for d in others) + (length,)
    strides = tuple(x.strides[d] for d in others) + (x.strides[dim1] + x.strides[dim2],)
    return np.lib.stride_tricks.as_strided(x[tuple(corner)], shape, strides)


class Diagonal(Function):
    r"""$y[\dots, k] = x[\dots, k, \dots, k + \mathrm{offset}, \dots]$ over dims (dim1, dim2) (a view;
    for offset $\ge 0$, below the diagonal for a negative one).

    Each input element is read at most once: dx = zeros of x's shape with dy written on the same diagonal.
    """

    node_name = "DiagonalBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
        ctx.shape, ctx.where = x.shape, (offset, dim1, dim2)
        return _diagonal_view(x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        _diagonal_view(out, *ctx.where)[...] = grad
        return out, None, None, None


class Unfold(Function):
    r"""$y[\dots, w, \dots, j] = x[\dots, w \cdot \mathrm{step} + j, \dots]$: the windows of ``size`` along ``dim``,
    ``step`` apart, as a new last dim (a view; windows overlap when $\mathrm{step} < \mathrm{size}$).

    Input element i along dim is read by every window w with
    $w \cdot \mathrm{step} \le i < w \cdot \mathrm{step} + \mathrm{size}$, so

    $$
    dx[\dots, i, \dots] = \sum_{w, j:\ w \cdot \mathrm{step} + j = i} dy[\dots, w, \dots, j],
    $$

    the sum over the window offsets j of $dy[\dots, j]$ scattered to positions $j, j + \mathrm{step}, \dots$.
    """

    node_name = "UnfoldBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
        ctx.shape, ctx.where = x.shape, (dim, size, step)
        return _unfold_view(x, dim, size, step)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        dim, size, step = ctx.where
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        if out.ndim == 0:
            out[...] = grad.sum()  # the window read the element once (or not at all)
            return out, None, None, None
        count = grad.shape[dim]
        for j in range(size):  # windows overlap: one slice-add per offset inside the window
            index = [slice(None)] * out.ndim
            index[dim] = slice(j, j + step * (count - 1) + 1, step)
            out[tuple(index)] += grad[..., j]
        return out, None, None, None


def _unfold_view(x: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    if x.ndim == 0:  # a 0-d tensor is one window of its one element (or none, for size 0)
        return np.lib.stride_tricks.as_strided(x, (size,), (x.itemsize,))
    count = (x.shape[dim] - size) // step + 1
    shape = x.shape[:dim] + (count,) + x.shape[dim + 1 :] + (size,)
    strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1 :] + (x.strides[dim],)
    return np.lib.stride_tricks.as_strided(x, shape, strides)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Tensor.unfold: the slices of ``size`` along ``dimension``, ``step`` apart, as a new last dim."""
    dim = wrap_dim(dimension, max(input.ndim, 1))
    length = input.shape[dim] if input.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dim, size, step)


def _storage(x: np.ndarray) -> tuple[np.ndarray, int]:
    """(x's storage as a flat array, the offset of x's first element in it), as torch counts them.

    The storage is the array that owns x's memory (x itself if x owns it); an owner NumPy cannot flatten
    without a copy (or of another dtype) is replaced by x's own span, which is what torch.from_numpy sees.
    """
    owner, obj = x, x
    while getattr(obj, "base", None) is not None:  # (as_strided's views hold their array through a DummyArray)
        obj = obj.base
        if isinstance(obj, np.ndarray):
            owner = obj
    if owner is not x and owner.flags.c_contiguous and owner.dtype == x.dtype:
        flat = owner.reshape(-1)
        offset = (x.__array_interface__["data"][0] - flat.__array_interface__["data"][0]) // x.itemsize
        if 0 <= offset <= flat.size:
            return flat, offset
    span = _min_storage_size(x.shape, tuple(s // x.itemsize for s in x.strides), 0)
    return np.lib.stride_tricks.as_strided(x, (span,), (x.itemsize,)), 0


def _min_storage_size(size: tuple[int, ...], stride: tuple[int, ...], offset: int) -> int:
    """How many storage elements a (size, stride, offset) view needs: none if it is empty."""
    if 0 in size:
        return 0
    return offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))


class AsStrided(Function):
    r"""$y[i_1, \dots, i_k] = \mathrm{storage}[\mathrm{offset} + \sum_j i_j\, \mathrm{stride}_j]$ (a view of x's
    storage).

    Backward as torch's (as_strided_backward), in storage coordinates:

    1. scatter-add dy into a zero storage at the positions y reads (a position y reads twice gets both
       gradients: y = storage[p] twice gives $\partial L / \partial \mathrm{storage}[p] = dy_1 + dy_2$);
    2. where x itself reads a storage position c times (x overlaps itself, e.g. an expanded x), divide by c:
       x's c elements stand for one value, and dividing keeps their total gradient that of the value;
    3. dx = that storage read with x's own sizes, strides and offset. Positions y reads outside x's
       elements give no gradient to x.
    """

    node_name = "AsStridedBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...], shift: int) -> np.ndarray:
        # shift: storage_offset minus x's own storage offset, so a replay of the view on another array of x's
        # layout (autograd/views.py) reads the same elements of it
        flat, x_offset = _storage(x)
        offset = x_offset + shift
        if offset < 0:
            raise RuntimeError(f"Tensor: invalid storage offset {offset}")
        need = _min_storage_size(size, stride, offset)
        if need > flat.size:
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and itemsize "
                f"{x.itemsize} requiring a storage size of {need * x.itemsize} are out of bounds for storage of "
                f"size {flat.size * x.itemsize}"
            )
        ctx.geometry = (x.shape, tuple(s // x.itemsize for s in x.strides), x_offset, size, stride, offset)
        return np.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * x.itemsize for s in stride))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x_shape, x_stride, x_offset, size, stride, offset = ctx.geometry
        if grad.size == 0 or 0 in x_shape:
            return np.zeros(x_shape, dtype=grad.dtype), None, None, None
        shared = min(x_offset, offset)  # count storage from the first position either reads
        x_offset, offset = x_offset - shared, offset - shared
        n = max(_min_storage_size(x_shape, x_stride, x_offset), _min_storage_size(size, stride, offset))
        positions = np.arange(n)
        step = positions.itemsize
        y_reads = np.lib.stride_tricks.as_strided(positions[offset:], size, tuple(s * step for s in stride))
        x_reads = np.lib.stride_tricks.as_strided(positions[x_offset:], x_shape, tuple(s * step for s in x_stride))
        storage = np.bincount(y_reads.ravel(), weights=grad.ravel(), minlength=n)
        storage /= np.maximum(np.bincount(x_reads.ravel(), minlength=n), 1)
        return storage[x_reads].astype(grad.dtype, copy=False), None, None, None


class ToCopy(Function):
    """y = x cast to another dtype.   $dx = dy$ cast back to x's dtype."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dtype: np.dtype) -> np.ndarray:
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.astype(ctx.dtype), None


def view(input: Tensor, *shape: Any, **kwargs: Any) -> Tensor:
    if len(shape) == 1 and isinstance(shape[0], (dtype, np.dtype, type)):
        raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
    return View.apply(input, _sizes_arg(shape, kwargs, "size", "view"))


def _viewable(x: np.ndarray, shape: tuple[int, ...]) -> bool:
    y = x.view()
    try:
        y.shape = _infer_shape(shape, x.size, x.shape)
    except (AttributeError, ValueError):
        return False
    return True


def reshape(input: Tensor, *shape: Any, **kwargs: Any) -> Tensor:
    shape = _sizes_arg(shape, kwargs, "shape", "reshape")
    if input._data.flags.c_contiguous:
        return View.apply(input, shape)
    if _viewable(input._data, shape):
        return ReshapeAlias.apply(input, shape)
    return Reshape.apply(Clone.apply(input) if input.requires_grad else input, shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, *other.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, *other.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if input.ndim == 0:
        return reshape(input, 1)
    start, end = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input.shape
    return reshape(input, *shape[:start], -1, *shape[end + 1 :])


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """Dim ``dim`` split into ``sizes`` (one of them may be -1): always a view."""
    if input.ndim == 0:
        raise RuntimeError("unflatten got an unexpected error:\nDimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input.ndim)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    shape = input._data.shape
    try:
        sizes = _infer_shape(sizes, shape[d], sizes)
    except RuntimeError as e:
        if "is invalid for input of size" in str(e):
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} ({shape[d]}) "
                "in the input tensor"
            ) from None
        raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
    return view(input, *shape[:d], *sizes, *shape[d + 1 :])


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return Unsqueeze.apply(input, wrap_dim(dim, input.ndim + 1))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    shape = input._data.shape
    if dim is None:
        return Squeeze.apply(input, tuple(i for i, s in enumerate(shape) if s == 1))
    many = not isinstance(dim, int)
    dims = normalize_dims(dim, input.ndim, in_order=True)
    keep = tuple(d for d in dims if input.ndim and shape[d] == 1)
    return (SqueezeDims if many else SqueezeDim).apply(input, keep)


def permute(input: Tensor, *dims: Any, **kwargs: Any) -> Tensor:
    dims = _sizes_arg(dims, kwargs, "dims", "permute")
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
            f"desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}"
        )
    wrapped = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, wrapped)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    order = list(range(input.ndim))
    if input.ndim:
        a, b = wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim)
        order[a], order[b] = order[b], order[a]
    return Transpose.apply(input, tuple(order))


def expand(input: Tensor, *sizes: Any, **kwargs: Any) -> Tensor:
    sizes = _sizes_arg(sizes, kwargs, "size", "expand")
    return Expand.apply(input, check_expand(input._data.shape, tuple(sizes), input._data.dtype))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, *other.shape)


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    return input if input._data.flags.c_contiguous else Clone.apply(input)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    return Clone.apply(input)


def t(input: Tensor) -> Tensor:
    return T.apply(input)


def repeat(input: Tensor, *repeats: Any, **kwargs: Any) -> Tensor:
    repeats = _sizes_arg(repeats, kwargs, "repeats", "repeat")
    if len(repeats) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(repeats) - input.ndim) + tuple(input._data.shape)
    shape = [r * n for r, n in zip(repeats, padded)]
    if any(n < 0 for n in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {shape}")
    return Repeat.apply(input, repeats)


def _split_parts(function: type[Function], input: Tensor, sizes: Any, dim: int) -> tuple[Tensor, ...]:
    """Views of input from one op with several outputs: torch refuses in-place writes into them with a graph."""
    parts = function.apply(input, sizes, dim)
    for i, p in enumerate(parts):
        p._version_counter = input._version_counter  # views: they share the input's storage and version counter
        make_view(p, input, _nth_part(function, sizes, dim, i), multi_output=True)
    return parts


def _nth_part(function: type[Function], sizes: Any, dim: int, i: int) -> Any:
    return lambda array: function.forward(_NoGradContext(3), array, sizes, dim)[i]


class Unbind(Function):
    r"""$(y_1, \dots, y_n)$ = the slices of x along ``dim`` (views).   $dx = [dy_1, \dots, dy_n]$ stacked back."""

    node_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, _: Any, dim: int) -> tuple:
        ctx.dim = dim
        index = [slice(None)] * x.ndim
        parts = []
        for i in range(x.shape[dim]):
            index[dim] = i
            parts.append(x[tuple(index)])
        return tuple(parts)

    @staticmethod
    def backward(ctx: Any, *grads: np.ndarray) -> tuple:
        return np.stack(grads, axis=ctx.dim), None, None


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of input along ``dim``, each without that dim."""
    return _split_parts(Unbind, input, None, wrap_dim(dim, input.ndim))


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes."""
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = tuple(int(s) for s in split_size_or_sections)
        if any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={list(sizes)}"
            )
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension "
                f"{d}), but got split_sizes={list(sizes)}"
            )
        return _split_parts(SplitWithSizes, input, sizes, d)
    size = int(split_size_or_sections)
    if size <= 0 and not (size == 0 and n == 0):
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    full, rest = divmod(n, size)
    sizes = (size,) * full + ((rest,) if rest else ())
    return _split_parts(Split, input, sizes or (0,), d)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` pieces of equal size ceil(n / chunks) along ``dim``."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input.shape[wrap_dim(dim, input.ndim)]
    return split(input, max(-(-n // chunks), 1), dim)


def _dim_list(dims: Any, ndim: int) -> list[int]:
    return [wrap_dim(d, ndim) for d in _as_list(dims)]


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """The dims ``source`` moved to positions ``destination``; the others keep their order (a permute)."""
    src, dst = _dim_list(source, input.ndim), _dim_list(destination, input.ndim)
    if input.ndim == 0:
        return Alias.apply(input)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(_as_list(source))} dims) should contain "
            f"the same number of dims as destination ({list(_as_list(destination))} dims)"
        )
    for name, given, dims in (("source", source, src), ("destination", destination, dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(_as_list(given))})")
    order: list[int | None] = [None] * input.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(input.ndim) if d not in src)
    return Permute.apply(input, tuple(next(rest) if o is None else o for o in order))


def _as_list(dims: Any) -> list[int]:
    return [dims] if isinstance(dims, int) else [int(d) for d in dims]


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return transpose(input, dim0, dim1)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    return transpose(input, axis0, axis1)


def _diagonal_dims(input_ndim: int, dim1: int, dim2: int) -> tuple[int, int]:
    a, b = wrap_dim(dim1, input_ndim), wrap_dim(dim2, input_ndim)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return a, b


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal ``offset`` of the (dim1, dim2) planes, as a last dim: a view."""
    return Diagonal.apply(input, int(offset), *_diagonal_dims(input.ndim, dim1, dim2))


def as_strided(input: Tensor, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
    """The view of input's storage with these sizes and strides (in elements), from ``storage_offset``
    (default: input's own). It reads storage, not input's elements: input's own strides do not matter."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: {list(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides={list(stride)}")
    shift = 0 if storage_offset is None else int(storage_offset) - _storage(input._data)[1]
    return AsStrided.apply(input, size, stride, shift)


def split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of the listed sizes along ``dim`` (views)."""
    if isinstance(split_sizes, int):
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not int")
    return split(input, list(split_sizes), dim)


def ravel(input: Tensor) -> Tensor:
    """The elements as one dim: a view when input is contiguous, else a view of a contiguous copy."""
    return view(contiguous(input), -1)


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Tensor.to(dtype) / to(device) / to(other) / to(device, dtype): the device move first (ops/devices.py)."""
    target_dtype = kwargs.pop("dtype", None)
    target_device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    for a in args:
        if isinstance(a, Tensor):
            target_dtype, target_device = a._data.dtype, a.device
        elif isinstance(a, (dtype, np.dtype)) or a in (float, int, bool) or _is_numpy_scalar_type(a):
            target_dtype = a
        elif isinstance(a, (str, device)):
            target_device = a
    if target_device is not None:
        moved = devices.to_device(input, target_device)
        if moved is not input:
            copy = False  # the move made a copy already
        input = moved
    np_dtype = to_numpy_dtype(target_dtype)
    if np_dtype is None or np_dtype == input._data.dtype:
        return clone(input) if copy else input
    if input.requires_grad and np_dtype.kind == "f":
        return ToCopy.apply(input, np_dtype)
    return Tensor._make(input._data.astype(np_dtype))


def _is_numpy_scalar_type(a: Any) -> bool:
    return isinstance(a, type) and issubclass(a, np.generic)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    return to(input, other._data.dtype)


def _cast(np_dtype: Any) -> Any:
    target = np.dtype(np_dtype)
    return lambda self, memory_format=None: to(self, target)


__all__ = [
    "as_strided",
    "chunk",
    "clone",
    "diagonal",
    "flatten",
    "moveaxis",
    "movedim",
    "permute",
    "ravel",
    "reshape",
    "split",
    "split_with_sizes",
    "squeeze",
    "swapaxes",
    "swapdims",
    "t",
    "transpose",
    "unbind",
    "unflatten",
    "unsqueeze",
]
moveaxis = movedim

TENSOR_METHODS = {
    "unfold": unfold,
    "view": view,
    "view_as": view_as,
    "reshape": reshape,
    "reshape_as": reshape_as,
    "flatten": flatten,
    "unflatten": unflatten,
    "unsqueeze": unsqueeze,
    "squeeze": squeeze,
    "permute": permute,
    "transpose": transpose,
    "swapaxes": swapaxes,
    "swapdims": transpose,
    "movedim": movedim,
    "moveaxis": movedim,
    "diagonal": diagonal,
    "as_strided": as_strided,
    "split_with_sizes": split_with_sizes,
    "ravel": ravel,
    "repeat": repeat,
    "split": split,
    "unbind": unbind,
    "chunk": chunk,
    "t": t,
    "T": property(lambda self: permute(self, *reversed(range(self.ndim)))),
    "mT": property(lambda self: transpose(self, -2, -1)),
    "expand": expand,
    "expand_as": expand_as,
    "contiguous": contiguous,
    "clone": clone,
    "to": to,
    "type_as": type_as,
    "float": _cast(np.float32),
    "double": _cast(np.float64),
    "half": _cast(np.float16),
    "long": _cast(np.int64),
    "int": _cast(np.int32),
    "bool": _cast(np.bool_),
}
