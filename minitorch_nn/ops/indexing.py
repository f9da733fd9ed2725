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
from .utils import result_dtype, unbroadcast


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


def _node_name(index: Any, shape: tuple[int, ...]) -> str:
    """The name torch gives the last indexing step: select, slice, unsqueeze or alias.

    torch applies the index left to right, one select/slice/unsqueeze per entry, and skips
    slices that keep the whole dim; with no step at all the result is an alias. A lone slice
    (not in a tuple) always slices.
    """
    if isinstance(index, slice):
        return "SliceBackward0"
    parts = index if isinstance(index, tuple) else (index,)
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    name, dim = "AliasBackward0", 0
    for p in parts:
        if p is Ellipsis:
            dim += len(shape) - consumed
        elif p is None:
            name = "UnsqueezeBackward0"
        elif isinstance(p, (int, np.integer)):
            name = "SelectBackward0"
            dim += 1
        else:
            if p.indices(shape[dim]) != (0, shape[dim], 1):
                name = "SliceBackward0"
            dim += 1
    return name


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
    index = _to_numpy_index(index)
    _check_bounds(input, index)
    if _is_advanced(index):
        return Index.apply(input, index)
    return _basic(_node_name(index, input._data.shape)).apply(input, index)


def _check_bounds(input: Tensor, index: Any) -> None:
    parts = index if isinstance(index, tuple) else (index,)
    dim = 0
    for p in parts:
        if p is None:
            continue
        if p is Ellipsis:
            dim = input.ndim - sum(1 for q in parts if q is not None and q is not Ellipsis) + dim + 1 - 1
            continue
        if isinstance(p, (int, np.integer)):
            if dim >= input.ndim:
                raise IndexError(f"too many indices for tensor of dimension {input.ndim}")
            size = input._data.shape[dim]
            if not -size <= p < size:
                raise IndexError(f"index {p} is out of bounds for dimension {dim} with size {size}")
        dim += 1


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
    """x[...] = v (or x.copy_(v)): every element overwritten, so dx = 0 and dv = dy summed to v's shape."""

    node_name = "CopyBackwards"


CopyBackwards._node_class.name = lambda self: "torch::autograd::CopyBackwards"


class IndexPut(CopySlices):
    """x[integer arrays or mask] = v: the same gradients as CopySlices."""

    node_name = "IndexPutBackward0"


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """x[index] = value, in place; recorded in the graph (CopySlices) when grad is on."""
    index = _to_numpy_index(index)
    if not isinstance(value, Tensor):
        value = Tensor._make(np.asarray(value, dtype=input._data.dtype))
    elif value._data.dtype != input._data.dtype:
        value = value.to(input._data.dtype)
    if is_grad_enabled() and (input.requires_grad or value.requires_grad):
        if _is_advanced(index):
            IndexPut.apply(input, value, index)
        elif _node_name(index, input._data.shape) == "AliasBackward0":
            CopyBackwards.apply(input, value, index)
        else:
            CopySlices.apply(input, value, index)
        return
    input._data[index] = value._data
    input._version.value += 1


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


__all__ = ["cat", "concat", "gather", "index_select", "masked_fill", "stack"]
concat = cat

TENSOR_METHODS = {
    "__getitem__": getitem,
    "__setitem__": setitem,
    "index_select": index_select,
    "masked_fill": masked_fill,
    "masked_fill_": _masked_fill_,
    "gather": gather,
}
