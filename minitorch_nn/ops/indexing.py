"""Indexing and joining: x[index], x[index] = v, cat, stack.

Reading ``x[index]`` picks elements; its backward puts the upstream gradient
back where they came from, into zeros of x's shape. With integer-array
indices an element can be picked twice, so the scatter must *add*
(``np.add.at``), not assign. ``cat``/``stack`` hand each input the slice of
the gradient that its values filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.tensor import Tensor, wrap_dim
from ..autograd.views import check_inplace
from .shape import expand, view
from .utils import check_broadcasts_into, result_dtype, unbroadcast


def _to_numpy_index(index: Any) -> Any:
    if isinstance(index, Tensor):
        if index._data.ndim == 0 and index._data.dtype.kind in "iu":
            return int(index._data)  # a 0-d integer tensor indexes like an int (torch: select)
        return index._data
    if isinstance(index, tuple):
        return tuple(_to_numpy_index(i) for i in index)
    if isinstance(index, list):
        return np.asarray([_to_numpy_index(i) for i in index])
    return index


def _is_advanced(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (np.ndarray, list)) for p in parts)


def _full_slice(s: slice, size: int) -> bool:
    """torch skips a slice that keeps a whole dim: start 0 or None as written (a negative start is
    never skipped, even one that wraps to 0), step 1 or None, stop None or at least the size."""
    return (s.start is None or s.start == 0) and (s.step is None or s.step == 1) and (s.stop is None or s.stop >= size)


def _view_steps(index: Any, shape: tuple[int, ...], keep_full_slices: bool = False) -> list[tuple[str, tuple]]:
    """The view ops torch applies for a basic index, left to right, as (node name, index of the
    view so far): one select per int, one unsqueeze per None, one slice per slice that does not
    keep its whole dim (``_full_slice``; with ``keep_full_slices`` every slice is one)."""
    parts = index if isinstance(index, tuple) else (index,)
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    steps: list[tuple[str, tuple]] = []
    dim = src = 0  # the dim of the view so far, and of x, that the next entry indexes
    for p in parts:
        if p is Ellipsis:
            dim += len(shape) - consumed
            src += len(shape) - consumed
        elif p is None:
            steps.append(("UnsqueezeBackward0", (slice(None),) * dim + (None,)))
            dim += 1
        elif isinstance(p, (int, np.integer)):
            steps.append(("SelectBackward0", (slice(None),) * dim + (p,)))
            src += 1
        else:
            if keep_full_slices or not _full_slice(p, shape[src]):
                steps.append(("SliceBackward0", (slice(None),) * dim + (p,)))
            dim += 1
            src += 1
    return steps


class Index(Function):
    """y = x[index] with integer arrays or masks (a copy).   dx = scatter-add of dy at index."""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, index: Any) -> np.ndarray:
        ctx.shape, ctx.index = x.shape, index
        return x[index]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.add.at(out, ctx.index, grad)
        return out, None


class BasicIndex(Function):
    """y = x[ints, slices, None, ...] (a view).   dx = zeros with dy written at index."""

    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, index: Any) -> np.ndarray:
        ctx.shape, ctx.index = x.shape, index
        y = x[index]
        return y if isinstance(y, np.ndarray) else np.asarray(y)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        out[ctx.index] = grad
        return out, None


_BASIC_BY_NAME: dict[str, type[Function]] = {}


def _basic(name: str) -> type[Function]:
    cls = _BASIC_BY_NAME.get(name)
    if cls is None:
        cls = _BASIC_BY_NAME[name] = type(name.replace("Backward0", ""), (BasicIndex,), {"node_name": name})
    return cls


def getitem(input: Tensor, index: Any) -> Tensor:
    """x[index]: integer arrays and masks copy (IndexBackward0); anything else is a chain of views,
    one node per step as torch builds it (see ``_view_steps``), or an alias when no step is taken.
    A lone slice (not in a tuple) is always a slice step: torch turns off the whole-dim skip there."""
    index = _to_numpy_index(index)
    _check_bounds(input, index)
    if _is_advanced(index):
        return Index.apply(input, index)
    steps = _view_steps(index, input._data.shape, keep_full_slices=isinstance(index, slice))
    if not steps:
        return _basic("AliasBackward0").apply(input, Ellipsis)
    out = input
    for name, step in steps:
        out = _basic(name).apply(out, step)
    return out


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """input[..., index, ...] at ``dim``: a view without that dim (SelectBackward0)."""
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input._data.shape)} at dimension {d}"
        )
    return _basic("SelectBackward0").apply(input, (slice(None),) * d + (int(index),))


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """input[..., start:start + length, ...] at ``dim``: a view (SliceBackward0)."""
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _basic("SliceBackward0").apply(input, (slice(None),) * d + (slice(start, start + length),))


def _width(p: Any) -> int:
    """How many of x's dims one index entry uses: None and Ellipsis none, a mask its own dims."""
    if p is None or p is Ellipsis:
        return 0
    if isinstance(p, np.ndarray) and p.dtype == np.bool_:
        return p.ndim
    return 1


def _check_bounds(input: Tensor, index: Any) -> None:
    """torch's IndexErrors; an int out of range names its position in the index tuple as the dim."""
    ndim, shape = input.ndim, input._data.shape
    parts = index if isinstance(index, tuple) else (index,)
    if ndim == 0:
        for p in parts:
            if isinstance(p, (int, np.integer)):
                raise IndexError(
                    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
                    "to convert a 0-dim tensor to a number"
                )
            if isinstance(p, slice):
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    used = sum(_width(p) for p in parts)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    dim = 0
    for position, p in enumerate(parts):
        if p is Ellipsis:
            dim += ndim - used
        elif isinstance(p, (int, np.integer)):
            if not -shape[dim] <= p < shape[dim]:
                raise IndexError(f"index {p} is out of bounds for dimension {position} with size {shape[dim]}")
            dim += 1
        else:
            dim += _width(p)


class CopySlices(Function):
    """x[index] = v, in place.   dx = dy with zeros at index (those values were overwritten);
    dv = dy[index] summed down to v's shape (v was broadcast into the slots)."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, value: np.ndarray, index: Any) -> np.ndarray:
        ctx.index, ctx.value_shape = index, value.shape
        x[index] = value
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            gx[ctx.index] = 0
        if ctx.needs_input_grad[1]:
            g = grad[ctx.index]
            if len(ctx.value_shape) > g.ndim:  # v may carry extra leading size-1 dims
                g = g.reshape((1,) * (len(ctx.value_shape) - g.ndim) + g.shape)
            gv = unbroadcast(g, ctx.value_shape)
        return gx, gv, None


CopySlices._node_class.name = lambda self: "torch::autograd::CopySlices"  # torch's C++ name


class CopyBackwards(CopySlices):
    """x.copy_(v) (and x[...] = v): every element overwritten, so dx = 0 and dv = dy summed to v's shape."""

    node_name = "CopyBackwards"


CopyBackwards._node_class.name = lambda self: "torch::autograd::CopyBackwards"


class FillTensor(CopySlices):
    """x.fill_(v) with a 0-d tensor v (and x[...] = scalar): dx = 0, dv = the sum of dy."""

    node_name = "FillBackward3"


class FillScalar(Function):
    """x.fill_(number), in place.   dx = 0: no element of x survives."""

    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, value: Any) -> np.ndarray:
        x[...] = value
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.zeros_like(grad), None


class Zero(FillScalar):
    """x.zero_(), in place.   dx = 0."""

    node_name = "ZeroBackward0"


class IndexPut(CopySlices):
    """x[integer arrays or mask] = v: the same gradients as CopySlices."""

    node_name = "IndexPutBackward0"


def _without_leading_ones(value: Tensor) -> Tensor:
    """torch views a value without its leading size-1 dims before writing it (slicePrefix1sSize)."""
    shape = value._data.shape
    lead = next((i for i, s in enumerate(shape) if s != 1), len(shape))
    return view(value, shape[lead:])


def _refuse_leaf(input: Tensor, steps: list | None = None, *others: Any) -> None:
    """An in-place write that torch refuses (on a leaf that requires grad, on a view of one, on a view
    made in no_grad mode, ...: ``check_inplace``) is refused before anything is written. ``steps``:
    the view ops the write's index takes first (``_view_steps``), if any."""
    if steps and is_grad_enabled() and input._view_base is None and input.is_leaf and input._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    check_inplace(input, *others, via=steps[-1][0] if steps else None)


def _basic_part(index: Any) -> Any:
    """The index with each integer array or mask replaced by whole-dim slices: the views torch takes
    before its ``index_put_``."""
    parts = index if isinstance(index, tuple) else (index,)
    out: list[Any] = []
    for p in parts:
        if isinstance(p, np.ndarray):
            out += [slice(None)] * _width(p)
        else:
            out.append(p)
    return tuple(out)


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """x[index] = value, in place; recorded in the graph as torch records it when grad is on.

    torch reads the slots with view ops (``_view_steps``) and writes the value there
    (``at::indexing::copy_to``): a value of the slots' shape is copied (``copy_``); a 0-d value
    is filled in (``fill_``); any other value is viewed without its leading 1s, expanded to the
    slots' shape and copied. When the index takes no view step the write lands on x itself
    (CopyBackwards or FillBackward3), otherwise on a view of x (CopySlices). Integer arrays and
    masks are an ``index_put_`` (IndexPutBackward0). A Python number is a 0-d tensor of x's dtype.
    Without a graph the same Functions only write (and bump x's version).
    """
    index = _to_numpy_index(index)
    _check_bounds(input, index)
    advanced = _is_advanced(index)
    # with no view step the write lands on x itself, otherwise on a view of x
    steps = _view_steps(_basic_part(index) if advanced else index, input._data.shape)
    whole = not steps
    _refuse_leaf(input, steps, value)
    if not isinstance(value, Tensor):
        value = Tensor._make(np.asarray(value, dtype=input._data.dtype))
    slots = input._data[index].shape
    if advanced:
        if value._data.shape and value._data.shape[0] == 1:
            value = _without_leading_ones(value)
        shape = value._data.shape
        if len(shape) > len(slots) or any(v not in (1, s) for v, s in zip(shape[::-1], slots[::-1])):
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(shape)} cannot be broadcast to indexing result "
                f"of shape {list(slots)}"
            )
        IndexPut.apply(input, value, index)
        return
    if value._data.shape == slots:
        copy: type[Function] = CopyBackwards if whole else CopySlices
    elif value._data.ndim == 0:
        copy = FillTensor if whole else CopySlices
    else:
        value = _without_leading_ones(value)
        if value._data.shape != slots:
            value = expand(value, *slots)
        copy = CopyBackwards if whole else CopySlices
    copy.apply(input, value, Ellipsis if whole else index)


def copy_into(input: Tensor, src: Tensor) -> None:
    """input.copy_(src) with a graph: src broadcast to input's shape (CopyBackwards)."""
    check_broadcasts_into(src._data.shape, input._data.shape)
    _refuse_leaf(input, None, src)
    CopyBackwards.apply(input, src, Ellipsis)


def fill(input: Tensor, value: Any) -> None:
    """input.fill_(value) with a graph: FillBackward2 for a number, FillBackward3 for a 0-d tensor."""
    _refuse_leaf(input, None, value)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions."
            )
        FillTensor.apply(input, value, Ellipsis)
    else:
        FillScalar.apply(input, value)


class Cat(Function):
    """y = the inputs joined along ``dim``.   Each input gets its slice of dy."""

    node_name = "CatBackward0"

    @staticmethod
    def forward(ctx: Any, dim: int, dtype: Any, *arrays: np.ndarray) -> np.ndarray:
        ctx.dim = dim
        ctx.bounds = np.cumsum([0] + [a.shape[dim] for a in arrays])
        return np.concatenate([a.astype(dtype, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        b = ctx.bounds
        parts = [np.take(grad, np.arange(b[i], b[i + 1]), axis=ctx.dim) for i in range(len(b) - 1)]
        return (None, None, *parts)


class Stack(Function):
    """y = the inputs stacked along a new axis ``dim``.   Input i gets dy[..., i, ...]."""

    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx: Any, dim: int, dtype: Any, *arrays: np.ndarray) -> np.ndarray:
        ctx.dim = dim
        return np.stack([a.astype(dtype, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        n = grad.shape[ctx.dim]
        return (None, None, *[np.take(grad, i, axis=ctx.dim) for i in range(n)])


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    ref = tensors[0]
    d = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(tensors[1:], 1):
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}")
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {ref.shape[k]} "
                    f"but got size {t.shape[k]} for tensor number {i} in the list."
                )
    return Cat.apply(d, result_dtype(*tensors), *tensors)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != ref.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ref.shape)} at entry 0 and "
                f"{list(t.shape)} at entry {i}"
            )
    return Stack.apply(wrap_dim(dim, ref.ndim + 1), result_dtype(*tensors), *tensors)


class IndexSelect(Function):
    """y = x taken at ``index`` along ``dim``.   dx = dy scatter-added back (indices may repeat)."""

    node_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return np.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.add.at(out, (slice(None),) * ctx.dim + (ctx.index,), grad)
        return out, None, None


class Gather(Function):
    """y[i][j] = x[i][index[i][j]] (for dim 1; likewise for any dim).   dx = dy scatter-added at index."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
        grids = list(np.indices(index.shape, sparse=True))
        grids[dim] = index
        ctx.shape, ctx.where = x.shape, tuple(grids)
        return x[ctx.where]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.add.at(out, ctx.where, grad)
        return out, None, None


class MaskedFill(Function):
    """y = value where mask else x.   dx = dy where not mask (the filled slots lost x)."""

    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mask: np.ndarray, value: Any) -> np.ndarray:
        ctx.mask = mask
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.where(ctx.mask, 0, grad).astype(grad.dtype, copy=False), None, None


def _index_array(index: Any, name: str) -> np.ndarray:
    array = index._data if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    return array.astype(np.int64, copy=False)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    index = _index_array(index, "index_select")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    return IndexSelect.apply(input, wrap_dim(dim, input.ndim), index.reshape(-1))


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    index = _index_array(index, "gather")
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    return Gather.apply(input, wrap_dim(dim, input.ndim), index)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if isinstance(value, Tensor):
        value = value.item()
    return MaskedFill.apply(input, np.broadcast_to(mask._data, input._data.shape), value)


def _masked_fill_(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    from .arithmetic import _inplace

    return _inplace(masked_fill)(input, mask, value)


__all__ = ["cat", "concat", "gather", "index_select", "masked_fill", "narrow", "select", "stack"]
concat = cat

TENSOR_METHODS = {
    "__getitem__": getitem,
    "__setitem__": setitem,
    "index_select": index_select,
    "select": select,
    "narrow": narrow,
    "masked_fill": masked_fill,
    "masked_fill_": _masked_fill_,
    "gather": gather,
}
