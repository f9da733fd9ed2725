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
from .utils import result_dtype


def _to_numpy_index(index: Any) -> Any:
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(_to_numpy_index(i) for i in index)
    if isinstance(index, list):
        return np.asarray([_to_numpy_index(i) for i in index])
    return index


def _is_advanced(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (np.ndarray, list)) for p in parts)


def _node_name(index: Any) -> str:
    """The name torch gives the last indexing step: select, slice, unsqueeze or alias."""
    parts = index if isinstance(index, tuple) else (index,)
    for p in reversed(parts):
        if isinstance(p, (int, np.integer)):
            return "SelectBackward0"
        if isinstance(p, slice) and p != slice(None):
            return "SliceBackward0"
        if p is None:
            return "UnsqueezeBackward0"
    return "AliasBackward0"


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
    y = _basic(_node_name(index)).apply(input, index)
    if not y._data.flags.owndata and y._data.base is None:
        pass
    return y


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


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """x[index] = value, in place (outside autograd, like torch's data updates)."""
    if is_grad_enabled() and (input.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
        if input.is_leaf and input.requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        raise RuntimeError(
            "minitorch_nn does not record index assignment (x[i] = v) in the autograd graph; "
            "build the tensor with cat/stack/where instead, or assign under no_grad()"
        )
    input._data[_to_numpy_index(index)] = value._data if isinstance(value, Tensor) else value
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


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    d = wrap_dim(dim, input.ndim)
    return getitem(input, (slice(None),) * d + (index._data,))


def masked_fill(input: Tensor, mask: Tensor, value: float) -> Tensor:
    from .comparison import where

    return where(mask, Tensor._make(np.asarray(value, dtype=input._data.dtype)), input)


__all__ = ["cat", "concat", "index_select", "masked_fill", "stack"]
concat = cat

TENSOR_METHODS = {
    "__getitem__": getitem,
    "__setitem__": setitem,
    "index_select": index_select,
    "masked_fill": masked_fill,
}
