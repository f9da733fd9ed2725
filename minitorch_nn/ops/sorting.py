r"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, unique.

Each op picks elements of its input along a dim, so each backward sends the upstream gradient
of an output element back to the input element it was picked from (the op's indices):
$dx[\mathrm{indices}_i] \mathrel{+}= g_i$. Global median and nanmedian are the exception: like max, they share the
gradient evenly among the elements equal to the result. Sorts are stable and selections (topk, kthvalue, median)
partition first; NaN counts as the largest value, as in torch. Indices are int64 and carry no gradient;
unique and unique_consecutive have none.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .reduction import single_dim
from .return_types import named_result

sort_result = named_result("sort")
topk_result = named_result("topk")
kthvalue_result = named_result("kthvalue")
median_result = named_result("median")
nanmedian_result = named_result("nanmedian")
mode_result = named_result("mode")

_TYPE_WORDS = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def stable_order(x: np.ndarray, axis: int, descending: bool = False) -> np.ndarray:
    """Indices that sort ``x`` along ``axis``; equal elements keep their order, NaN counts as largest.

    Descending: sort the reversed slice ascending and read the result backwards, so ties still
    come out in their original order (negating would not work for bools, nor place NaN first).
    """
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)


def _scatter(shape: tuple[int, ...], axis: int, indices: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """A zero gradient of ``shape`` holding ``grad`` at ``indices`` along ``axis`` (indices distinct per slice)."""
    out = np.zeros(shape, dtype=grad.dtype)
    np.put_along_axis(out, indices, grad, axis=axis)
    return out


class Sort(Function):
    r"""(values, indices) = x sorted along dim: $\mathrm{values} = \operatorname{take}(x, \mathrm{indices})$.

    Each output element is one input element, so $dx[\mathrm{indices}_i] = g_i$: g put back at indices (a permutation:
    every input gets exactly one output's gradient, equal values included).
    """

    node_name = "SortBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, descending: bool) -> tuple:
        x1 = np.atleast_1d(x)
        indices = stable_order(x1, dim, descending)
        values = np.take_along_axis(x1, indices, axis=dim)
        ctx.dim, ctx.shape, ctx.indices = dim, x.shape, indices
        indices = indices.astype(np.int64).reshape(x.shape)
        ctx.mark_non_differentiable(indices)
        return values.reshape(x.shape), indices

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: np.ndarray) -> tuple:
        g = np.atleast_1d(grad)
        return _scatter(ctx.indices.shape, ctx.dim, ctx.indices, g).reshape(ctx.shape), None, None


class StableSort(Sort):
    node_name = "SortBackward1"


class Topk(Function):
    r"""The k largest (or smallest) elements along dim and their indices, sorted.

    $dx[\mathrm{indices}_i] = g_i$ at the k indices, zero elsewhere.
    """

    node_name = "TopkBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, k: int, dim: int, largest: bool) -> tuple:
        x1 = np.atleast_1d(x)
        n = x1.shape[dim]
        if 0 < k < n and x1.dtype.kind != "b":
            # O(n) selection of the k candidates, then a sort of only those (ties between a chosen
            # and an unchosen element go either way, as in torch)
            split = n - k if largest else k - 1
            chosen = np.argpartition(x1, split, axis=dim)
            chosen = np.take(chosen, np.arange(n - k, n) if largest else np.arange(k), axis=dim)
            order = stable_order(np.take_along_axis(x1, chosen, axis=dim), dim, largest)
            indices = np.take_along_axis(chosen, order, axis=dim)
        else:
            indices = np.take(stable_order(x1, dim, largest), np.arange(k), axis=dim)
        values = np.take_along_axis(x1, indices, axis=dim)
        ctx.dim, ctx.shape, ctx.scanned_shape, ctx.indices = dim, x.shape, x1.shape, indices
        out_shape = values.shape if x.ndim else ()
        indices = indices.astype(np.int64).reshape(out_shape)
        ctx.mark_non_differentiable(indices)
        return values.reshape(out_shape), indices

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: np.ndarray) -> tuple:
        g = grad.reshape(ctx.indices.shape)
        return _scatter(ctx.scanned_shape, ctx.dim, ctx.indices, g).reshape(ctx.shape), None, None, None


class SelectAlongDim(Function):
    r"""(values, indices): one element picked from each slice along dim by ``pick``.

    values = x at indices, so $dx[\mathrm{indices}] = g$, zero elsewhere (torch's value-selecting
    backward). Subclasses define ``pick(x, axis) -> indices`` with the reduced axis kept.
    """

    @staticmethod
    def pick(x: np.ndarray, axis: int, **options: Any) -> np.ndarray:
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dim: int, keepdim: bool, **options: Any) -> tuple:
        x1 = np.atleast_1d(x)
        indices = cls.pick(x1, dim, **options)
        values = np.take_along_axis(x1, indices, axis=dim)
        ctx.dim, ctx.shape, ctx.scanned_shape, ctx.indices = dim, x.shape, x1.shape, indices
        if not keepdim or x.ndim == 0:
            values, indices = np.squeeze(values, dim), np.squeeze(indices, dim)
        indices = indices.astype(np.int64)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray, _grad_indices: np.ndarray) -> tuple:
        g = grad.reshape(ctx.indices.shape)
        return _scatter(ctx.scanned_shape, ctx.dim, ctx.indices, g).reshape(ctx.shape), None, None


def _pick_nth(x: np.ndarray, axis: int, position: Any) -> np.ndarray:
    """Index (reduced axis kept) of the element at ``position`` of each slice's ascending order.

    One position for all slices: a partition (O(n)) finds it; a position per slice (nanmedian)
    reads a full stable sort. Among equal values either picks one of them, as torch's selection does.
    """
    if np.ndim(position) == 0:
        return np.take(np.argpartition(x, int(position), axis=axis), [int(position)], axis=axis)
    order = stable_order(x, axis)
    return np.take_along_axis(order, np.broadcast_to(position, _keep_shape(x.shape, axis)), axis=axis)


def _keep_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    return shape[:axis] + (1,) + shape[axis + 1 :]


class Kthvalue(SelectAlongDim):
    """The k-th smallest element (k from 1) of each slice along dim."""

    node_name = "KthvalueBackward0"

    @staticmethod
    def pick(x: np.ndarray, axis: int, k: int = 1) -> np.ndarray:
        return _pick_nth(x, axis, np.asarray(k - 1))


class MedianDim(SelectAlongDim):
    r"""The lower median of each slice along dim: its element $\lfloor (n - 1) / 2 \rfloor$ in order, NaN if it holds
    one.
    """

    node_name = "MedianBackward1"

    @staticmethod
    def pick(x: np.ndarray, axis: int) -> np.ndarray:
        indices = _pick_nth(x, axis, np.asarray((x.shape[axis] - 1) // 2))
        if x.dtype.kind == "f":  # a NaN anywhere makes the median NaN: pick the first NaN
            nan = np.isnan(x)
            has_nan = nan.any(axis=axis, keepdims=True)
            indices = np.where(has_nan, np.argmax(nan, axis=axis, keepdims=True), indices)
        return indices


class NanmedianDim(SelectAlongDim):
    """The lower median of the non-NaN elements of each slice (NaN, at its first index, if all are NaN)."""

    node_name = "NanmedianBackward1"

    @staticmethod
    def pick(x: np.ndarray, axis: int) -> np.ndarray:
        count = np.sum(~np.isnan(x), axis=axis, keepdims=True) if x.dtype.kind == "f" else x.shape[axis]
        return _pick_nth(x, axis, np.maximum((np.asarray(count) - 1) // 2, 0))


class Mode(SelectAlongDim):
    """The most frequent value of each slice (the smallest of those tied), at its last occurrence."""

    node_name = "ModeBackward0"

    @staticmethod
    def pick(x: np.ndarray, axis: int) -> np.ndarray:
        order = stable_order(x, axis)
        s = np.take_along_axis(x, order, axis=axis)
        n = x.shape[axis]
        position = np.arange(n).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
        # runs of equal values in sorted order: a run starts where the value changes
        starts = np.concatenate(
            [
                np.ones_like(np.take(s, [0], axis=axis), dtype=bool),
                np.take(s, np.arange(1, n), axis=axis) != np.take(s, np.arange(n - 1), axis=axis),
            ],
            axis=axis,
        )
        run_start = np.maximum.accumulate(np.where(starts, position, 0), axis=axis)
        run_length = position - run_start + 1  # at each element: how many equal ones up to it
        best = np.argmax(run_length, axis=axis, keepdims=True)  # first maximal run: the smallest value
        # the stable order keeps equal values by index, so the run's last element is the last occurrence
        return np.take_along_axis(order, best, axis=axis)


class MedianAll(Function):
    r"""m = the lower median of all elements (NaN if any is NaN).

    The gradient is shared evenly among the elements equal to m (torch's rule, as for max):
    $dx = g\, [x = m] / \#\{x = m\}$, with NaN matching NaN.
    """

    node_name = "MedianBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        flat = x.reshape(-1)
        if flat.size == 0:
            m = np.asarray(np.nan, dtype=x.dtype)
        else:
            m = flat[MedianDim.pick(flat, 0)].reshape(())
        ctx.save_for_backward(x, m)
        return m

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, m = ctx.saved_tensors
        hits = np.isnan(x) if np.isnan(m) else x == m
        return (np.where(hits, grad / max(np.count_nonzero(hits), 1), 0).astype(grad.dtype),)


class NanmedianAll(MedianAll):
    r"""m = the lower median of the non-NaN elements; gradient shared evenly among those equal to m:
    $dx = g\, [x = m] / \#\{x = m\}$.
    """

    node_name = "NanmedianBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        flat = x.reshape(-1)
        if flat.size == 0:
            m = np.asarray(np.nan, dtype=x.dtype)
        else:
            m = flat[NanmedianDim.pick(flat, 0)].reshape(())
        ctx.save_for_backward(x, m)
        return m


def _type_word(t: Tensor) -> str:
    return _TYPE_WORDS.get(t._data.dtype.name, t._data.dtype.name)


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool | None = None) -> Any:
    """Stable always (ties keep their order, which torch promises with stable=True), so ``stable``
    changes only the node's name: torch records the overload that takes ``stable`` as SortBackward1."""
    function = Sort if stable is None else StableSort
    return sort_result(*function.apply(input, single_dim(dim, input.ndim), bool(descending)))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    return sort(input, dim, descending, stable=stable)[1]


def msort(input: Tensor) -> Tensor:
    return sort(input, 0)[0]


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """The results come sorted either way (torch leaves their order unspecified when sorted=False)."""
    d = single_dim(dim, input.ndim)
    if input._data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    size = input._data.shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    # a 0-d input gives its one element back for k = 0 as for k = 1 (as torch does)
    return topk_result(*Topk.apply(input, int(k) if input.ndim else 1, d, bool(largest)))


def _reduction_dim(input: Tensor, dim: int, name: str) -> int:
    d = single_dim(dim, input.ndim)
    if input.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return d


def _refuse_bool(input: Tensor, kernel: str) -> None:
    if input._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    _refuse_bool(input, "kthvalue_cpu")
    d = _reduction_dim(input, dim, "kthvalue")
    size = input._data.shape[d] if input.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return kthvalue_result(*Kthvalue.apply(input, d, keepdim, k=int(k)))


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    _refuse_bool(input, "median_cpu")
    if dim is None:
        return MedianAll.apply(input)
    return median_result(*MedianDim.apply(input, _reduction_dim(input, dim, "median"), keepdim))


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    _refuse_bool(input, "nanmedian_cpu")
    if dim is None:
        return NanmedianAll.apply(input)
    return nanmedian_result(*NanmedianDim.apply(input, _reduction_dim(input, dim, "nanmedian"), keepdim))


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    return mode_result(*Mode.apply(input, _reduction_dim(input, dim, "mode"), keepdim))


def _unique_outputs(values: np.ndarray, extras: list[np.ndarray]) -> Any:
    """The values alone, or a tuple with the requested inverse and counts (int64) after them."""
    if not extras:
        return Tensor._make(values)
    return (Tensor._make(values), *(Tensor._make(e.astype(np.int64)) for e in extras))


def _np_unique(x: np.ndarray, return_inverse: bool, return_counts: bool, axis: int | None) -> tuple:
    """np.unique asked only for what is wanted; always a tuple (values first)."""
    # torch keeps every NaN apart (NaN != NaN); NumPy would merge them
    options = {"equal_nan": False} if axis is None else {}
    out = np.unique(x, return_inverse=return_inverse, return_counts=return_counts, axis=axis, **options)
    return out if isinstance(out, tuple) else (out,)


def _requested(return_inverse: bool, return_counts: bool, inverse: np.ndarray, counts: np.ndarray) -> list:
    return [a for wanted, a in ((return_inverse, inverse), (return_counts, counts)) if wanted]


def unique(
    input: Tensor,
    sorted: bool = True,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values (or slices along ``dim``), sorted (torch's CPU unique sorts either way).

    Not differentiable: the outputs carry no graph.
    """
    x = input._data
    if dim is None:
        values, *extra = _np_unique(x.reshape(-1), return_inverse, return_counts, None)
        if return_inverse:
            extra[0] = extra[0].reshape(x.shape)
        return _unique_outputs(values, extra)
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = single_dim(dim, x.ndim)
    if x.size == 0 and x.shape[d] != 0:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    if x.shape[d] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _unique_outputs(x.copy(), _requested(return_inverse, return_counts, empty, empty))
    values, *extra = _np_unique(x, return_inverse, return_counts, d)
    if return_inverse:
        extra[0] = extra[0].reshape(-1)
    return _unique_outputs(values, extra)


def unique_consecutive(
    input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
) -> Any:
    """Collapse each run of equal consecutive values (or slices along ``dim``) to one. Not differentiable."""
    x = input._data
    if dim is None:
        flat, shape, d = x.reshape(-1), x.shape, 0
    else:
        d = single_dim(dim, x.ndim)
        flat, shape = x, (x.shape[d],)
    n = flat.shape[d]
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        inverse = empty.reshape(shape) if dim is None else empty
        return _unique_outputs(flat.copy(), _requested(return_inverse, return_counts, inverse, empty))
    moved = np.moveaxis(flat, d, 0).reshape(n, -1)
    changes = np.concatenate([[True], np.any(moved[1:] != moved[:-1], axis=1)])
    starts = np.flatnonzero(changes)
    values = np.take(flat, starts, axis=d)
    inverse = np.cumsum(changes) - 1
    counts = np.diff(np.append(starts, n))
    return _unique_outputs(values, _requested(return_inverse, return_counts, inverse.reshape(shape), counts))


__all__ = [
    "argsort",
    "kthvalue",
    "median",
    "mode",
    "msort",
    "nanmedian",
    "sort",
    "topk",
    "unique",
    "unique_consecutive",
]

TENSOR_METHODS = {
    "sort": sort,
    "argsort": argsort,
    "msort": msort,
    "topk": topk,
    "kthvalue": kthvalue,
    "median": median,
    "nanmedian": nanmedian,
    "mode": mode,
    "unique": unique,
    "unique_consecutive": unique_consecutive,
}
