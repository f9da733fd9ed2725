"""Shape ops: view/reshape/flatten/unsqueeze/squeeze/transpose/t/permute/expand/contiguous/repeat/split.

They move no numbers, so each backward only undoes the shape change: view's
backward reshapes the gradient back, transpose's transposes it back, expand's
sums over the expanded axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, _NoGradContext
from ..autograd.tensor import Tensor, raise_no_cuda, wrap_dim
from ..autograd.types import device, dtype, to_numpy_dtype
from ..autograd.views import make_view
from .utils import check_expand, normalize_dims, unbroadcast


def _infer_shape(shape: tuple[int, ...], numel: int, original: tuple[int, ...]) -> tuple[int, ...]:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _shape_args(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class View(Function):
    """y = x seen with another shape (same storage).   dx = dy reshaped back."""

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
    """y = x^T for x of at most 2 dims.   dx = dy^T."""

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
    """reshape of a non-viewable tensor: a copy, then a view of the copy (torch: Clone + UnsafeView)."""

    node_name = "UnsafeViewBackward0"
    is_view = False

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        return x.reshape(_infer_shape(shape, x.size, x.shape))


class ReshapeAlias(View):
    """reshape of a non-contiguous tensor whose strides still allow a view (torch's ``_reshape_alias``)."""

    node_name = "ReshapeAliasBackward0"


class Clone(Function):
    """y = a copy of x (contiguous).   dx = dy."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.array(x, order="C", copy=True)  # (np.ascontiguousarray would make a 0-d array 1-d)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad,)


class Unsqueeze(Function):
    """y = x with a size-1 axis inserted at ``dim``.   dx = dy with that axis removed."""

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
    """y = x without the given size-1 axes.   dx = dy reshaped back."""

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
    """y = x with axes reordered by ``dims``.   dx = dy permuted by the inverse order."""

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
    """y = x broadcast to ``shape`` (no copy).   dx = dy summed over the broadcast axes."""

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
    """y = x tiled ``repeats`` times along each dim (leading new dims allowed).

    Every input element appears once per tile: dx = the sum of dy over the tiles, found by
    viewing each dim d of dy as (repeats_d, size_d) and summing the repeats axes.
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
    """(y_1, ..., y_k) = consecutive slices of x along ``dim`` (views).   dx = the dy_i joined back."""

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


class ToCopy(Function):
    """y = x cast to another dtype.   dx = dy cast back to x's dtype."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dtype: np.dtype) -> np.ndarray:
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return grad.astype(ctx.dtype), None


def view(input: Tensor, *shape: Any) -> Tensor:
    if len(shape) == 1 and isinstance(shape[0], (dtype, np.dtype, type)):
        raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
    return View.apply(input, _shape_args(shape))


def _viewable(x: np.ndarray, shape: tuple[int, ...]) -> bool:
    y = x.view()
    try:
        y.shape = _infer_shape(shape, x.size, x.shape)
    except (AttributeError, ValueError):
        return False
    return True


def reshape(input: Tensor, *shape: Any) -> Tensor:
    shape = _shape_args(shape)
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


def unflatten(input: Tensor, dim: int, sizes: tuple[int, ...]) -> Tensor:
    d = wrap_dim(dim, input.ndim)
    shape = input.shape
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


def permute(input: Tensor, *dims: Any) -> Tensor:
    dims = _shape_args(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
            f"desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}"
        )
    return Permute.apply(input, tuple(wrap_dim(d, input.ndim) for d in dims))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    order = list(range(input.ndim))
    if input.ndim:
        a, b = wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim)
        order[a], order[b] = order[b], order[a]
    return Transpose.apply(input, tuple(order))


def expand(input: Tensor, *sizes: Any) -> Tensor:
    sizes = _shape_args(sizes)
    return Expand.apply(input, check_expand(input._data.shape, tuple(sizes), input._data.dtype))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, *other.shape)


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    return input if input._data.flags.c_contiguous else Clone.apply(input)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    return Clone.apply(input)


def t(input: Tensor) -> Tensor:
    return T.apply(input)


def repeat(input: Tensor, *repeats: Any) -> Tensor:
    repeats = _shape_args(repeats)
    if len(repeats) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
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
    """(y_1, ..., y_n) = the slices of x along ``dim`` (views).   dx = the dy_i stacked back."""

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


def movedim(input: Tensor, source: int, destination: int) -> Tensor:
    order = list(range(input.ndim))
    s = wrap_dim(source, input.ndim)
    order.remove(s)
    order.insert(wrap_dim(destination, input.ndim), s)
    return Permute.apply(input, tuple(order))


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Tensor.to(dtype) / to(device) / to(other) / to(device, dtype); this engine is CPU-only."""
    target_dtype = kwargs.pop("dtype", None)
    target_device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    for a in args:
        if isinstance(a, Tensor):
            target_dtype = a._data.dtype
        elif isinstance(a, (dtype, np.dtype)) or a in (float, int, bool) or _is_numpy_scalar_type(a):
            target_dtype = a
        elif isinstance(a, (str, device)):
            target_device = a
    if target_device is not None and device(target_device).type != "cpu":
        raise_no_cuda()
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
    "chunk",
    "clone",
    "flatten",
    "movedim",
    "permute",
    "reshape",
    "split",
    "squeeze",
    "swapaxes",
    "t",
    "transpose",
    "unbind",
    "unflatten",
    "unsqueeze",
]
swapaxes = transpose

TENSOR_METHODS = {
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
    "swapaxes": transpose,
    "swapdims": transpose,
    "movedim": movedim,
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
