r"""Indexing and joining: x[index], x[index] = v, cat, stack.

Reading ``x[index]`` picks elements; its backward puts the upstream gradient
back where they came from, into zeros of x's shape. With integer-array
indices an element can be picked twice, so the scatter must *add*
(``np.add.at``), not assign: for $y_k = x_{i_k}$,

$$
dx_j = \sum_{k:\ i_k = j} dy_k.
$$

``cat``/``stack`` hand each input the slice of the gradient that its values filled.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.tensor import Tensor, wrap_dim
from ..autograd.views import check_inplace
from .inplace import _inplace, _records
from .shape import expand, view
from .utils import _TENSOR_TYPES, as_array, check_broadcasts_into, device_result, result_dtype, unbroadcast


def _to_numpy_index(index: Any, top: bool = True) -> Any:
    """An index as NumPy reads it: tensors as arrays (a 0-d integer tensor as an int), a bool as a
    0-d mask, a list as an integer (or bool) array. As torch does, a top-level list holding a
    sequence, slice, None, Ellipsis or tensor is read as a tuple (deprecated there)."""
    if isinstance(index, Tensor):
        if index._data.ndim == 0 and index._data.dtype.kind in "iu":
            return int(index._data)  # a 0-d integer tensor indexes like an int (torch: select)
        return _checked_array(index._data)
    if isinstance(index, bool):
        return np.asarray(index)
    if isinstance(index, tuple):
        return tuple(_to_numpy_index(i, False) for i in index)
    if isinstance(index, list):
        if top and any(isinstance(i, (list, tuple, slice, Tensor)) or i is None or i is Ellipsis for i in index):
            warnings.warn(
                "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor "
                "index, x[torch.tensor(seq)], which will result either in an error or a different result",
                UserWarning,
                stacklevel=3,
            )
            return tuple(_to_numpy_index(i, False) for i in index)
        items = [_to_numpy_index(i, False) for i in index]
        return _checked_array(np.asarray(items) if items else np.zeros(0, dtype=np.int64))
    return index


def _checked_array(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind not in "iub":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if a.dtype == np.uint8:  # a byte tensor is a mask, as torch still reads it
        warnings.warn(
            "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.",
            UserWarning,
            stacklevel=4,
        )
        return a.astype(np.bool_)
    return a


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
    r"""$y = x[\mathrm{index}]$ with integer arrays or masks (a copy).   dx = scatter-add of dy at index:
    $dx_j = \sum_{k:\ \mathrm{index}_k = j} dy_k$.
    """

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
    r"""$y = x[\mathrm{ints, slices, None}, \dots]$ (a view).   dx = zeros with dy written at index."""

    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, index: Any) -> np.ndarray:
        ctx.shape, ctx.index = x.shape, index
        y = x[index]
        return y if isinstance(y, np.ndarray) else as_array(y)

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
    """x[index]: a chain of views, one node per step as torch builds it (see ``_view_steps``), or an
    alias when no step is taken; a lone slice (not in a tuple) is always a slice step: torch turns
    off the whole-dim skip there. With integer arrays or masks torch takes the views of the other
    entries first and then indexes the last view with the arrays alone (a copy, IndexBackward0):
    so x[0, :, [1, 2]] on shape [3, 4, 5] is [4, 2] in torch (NumPy would give [2, 4])."""
    index = _to_numpy_index(index)
    if isinstance(index, np.ndarray) and index.ndim == 0 and index.dtype == np.bool_:
        # x[True] / x[False]: torch unsqueezes x and indexes the new dim with a mask of one element
        return Index.apply(_basic("UnsqueezeBackward0").apply(input, (None,)), index.reshape(1))
    _check_bounds(input, index)
    if _is_advanced(index):
        steps = _view_steps(_basic_part(index), input._data.shape)
        out = input
        for name, step in steps:
            out = _basic(name).apply(out, step)
        rest = _advanced_part(index) if steps else index
        _check_advanced(out._data.shape, rest)
        return Index.apply(out, rest)
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


def _advanced_part(index: Any) -> tuple:
    """What indexes the view that the basic entries took (``_view_steps`` of ``_basic_part``): each int
    dropped (its select was taken), each None and slice a whole dim of the view, arrays and masks kept."""
    parts = index if isinstance(index, tuple) else (index,)
    rest: list[Any] = []
    for p in parts:
        if isinstance(p, (int, np.integer)):
            continue
        rest.append(slice(None) if p is None or isinstance(p, slice) else p)
    return tuple(rest)


def _check_advanced(shape: tuple[int, ...], index: Any) -> None:
    """torch's IndexErrors for the arrays of an index into a tensor of ``shape``: a mask's shape, an
    integer out of range (torch numbers the dims among the indexed ones), arrays that do not broadcast."""
    parts = index if isinstance(index, tuple) else (index,)
    used = sum(_width(p) for p in parts)
    dim = indexed = 0
    shapes = []
    for p in parts:
        if p is Ellipsis:
            dim += len(shape) - used
        elif isinstance(p, np.ndarray) and p.dtype == np.bool_:
            for k in range(p.ndim):
                if p.shape[k] != shape[dim + k]:
                    raise IndexError(
                        f"The shape of the mask {list(p.shape)} at index {k} does not match the shape of the indexed "
                        f"tensor {list(shape)} at index {dim + k}"
                    )
            shapes += [(int(p.sum()),)] * p.ndim
            dim += p.ndim
            indexed += p.ndim
        elif isinstance(p, np.ndarray):
            size = shape[dim]
            bad = (p < -size) | (p >= size)
            if bad.any():
                raise IndexError(
                    f"index {int(p[bad].flat[0])} is out of bounds for dimension {indexed} with size {size}"
                )
            shapes.append(p.shape)
            dim += 1
            indexed += 1
        else:
            dim += 1
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(str(list(s)) for s in shapes)
        ) from None


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
    r"""$x[\mathrm{index}] = v$, in place.   dx = dy with zeros at index (those values were overwritten);
    $dv = dy[\mathrm{index}]$ summed down to v's shape (v was broadcast into the slots).
    """

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
    """x.copy_(v) (and x[...] = v): every element overwritten, so $dx = 0$ and $dv = dy$ summed to v's shape."""

    node_name = "CopyBackwards"


CopyBackwards._node_class.name = lambda self: "torch::autograd::CopyBackwards"


class FillTensor(CopySlices):
    r"""x.fill_(v) with a 0-d tensor v (and x[...] = scalar): $dx = 0$, $dv = \sum dy$."""

    node_name = "FillBackward3"


class FillScalar(Function):
    """x.fill_(number), in place.   $dx = 0$: no element of x survives."""

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
    """x.zero_(), in place.   $dx = 0$."""

    node_name = "ZeroBackward0"


class IndexPut(CopySlices):
    r"""$x[\text{integer arrays or mask}] = v$: the same gradients as CopySlices ($dx = dy$ zeroed at the slots,
    $dv = dy[\mathrm{index}]$ summed to v's shape).
    """

    node_name = "IndexPutBackward0"


class IndexPutSlices(Function):
    """x[basic][arrays] = v, in place: torch takes the basic entries' views of x and index_put_s the
    arrays into the last one (CopySlices).   dx = dy with those slots zeroed;  $dv = dy$ at the slots,
    summed to v's shape.
    """

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, value: np.ndarray, basic: tuple, rest: tuple) -> np.ndarray:
        ctx.basic, ctx.rest, ctx.value_shape = basic, rest, value.shape
        x[basic][rest] = value
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            gx[ctx.basic][ctx.rest] = 0
        if ctx.needs_input_grad[1]:
            gv = unbroadcast(grad[ctx.basic][ctx.rest], ctx.value_shape)
        return gx, gv, None, None


IndexPutSlices._node_class.name = lambda self: "torch::autograd::CopySlices"


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
    parts = index if isinstance(index, tuple) else (index,)
    scalar_value = not isinstance(value, Tensor) or value._data.ndim == 0
    if scalar_value and any(isinstance(p, Tensor) and p._data.dtype == np.uint8 for p in parts):
        # torch fills a scalar through a mask with masked_fill_, which refuses byte masks
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
    index = _to_numpy_index(index)
    if isinstance(index, np.ndarray) and index.ndim == 0 and index.dtype == np.bool_:
        if not index:  # x[False] = v selects nothing: torch writes nothing and records nothing
            return
        index = None  # x[True] = v writes through an unsqueezed view, as x[None] = v
    _check_bounds(input, index)
    advanced = _is_advanced(index)
    # with no view step the write lands on x itself, otherwise on a view of x
    steps = _view_steps(_basic_part(index) if advanced else index, input._data.shape)
    whole = not steps
    _refuse_leaf(input, steps, value)
    if not isinstance(value, Tensor):
        value = Tensor._make(np.asarray(value, dtype=input._data.dtype))
    if advanced:
        rest = _advanced_part(index) if steps else index
        basic = _basic_part(index)
        view_shape = input._data[basic].shape
        _check_advanced(view_shape, rest)
        slots = np.empty(view_shape, dtype=np.bool_)[rest].shape
    else:
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
        lone = index if not isinstance(index, tuple) else index[0] if len(index) == 1 else None
        masked_fill = isinstance(lone, np.ndarray) and lone.dtype == np.bool_ and value._data.ndim == 0
        if value._data.dtype != input._data.dtype and not masked_fill:  # only masked_fill_ casts the value
            raise RuntimeError(
                "Index put requires the source and destination dtypes match, got "
                f"{type_name(input._data.dtype)} for the destination and {type_name(value._data.dtype)} for the source."
            )
        if steps:  # the write lands on a view of x: CopySlices around torch's index_put_
            IndexPutSlices.apply(input, value, basic, rest)
        else:
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


def zero_(self: Tensor) -> Tensor:
    """self = 0; recorded as ZeroBackward0 when grad is on."""
    if _records(self, None):
        _refuse_leaf(self)
        Zero.apply(self, 0)
        return self
    return fill_(self, 0)


def fill_(self: Tensor, value: Any) -> Tensor:
    """self = value everywhere; recorded as FillBackward2 (a number) or FillBackward3 (a 0-d tensor)."""
    if _records(self, value):
        fill(self, value)
        return self
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions."
        )
    self._data[...] = value._data if isinstance(value, Tensor) else value
    self._version_counter.value += 1
    return self


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """self = src's values (broadcast, cast); recorded as CopyBackwards when grad is on."""
    if _records(self, src):
        copy_into(self, src)
        return self
    src_data = src._data if isinstance(src, Tensor) else np.asarray(src)
    check_broadcasts_into(src_data.shape, self._data.shape)
    self._data[...] = src_data
    self._version_counter.value += 1
    return self


class Cat(Function):
    r"""$y = [x_1, \dots, x_k]$ joined along ``dim``.   Each input gets its slice of dy."""

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
    r"""y = the inputs stacked along a new axis ``dim``.   Input i gets $dx_i = dy[\dots, i, \dots]$."""

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


def nd(a: np.ndarray) -> np.ndarray:
    """a, or a 0-d array as a 1-d view of its one element: the index ops treat a 0-d tensor as 1-d, as torch does."""
    return a.reshape(1) if a.ndim == 0 else a


def along_dim(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The positions that gather reads and scatter writes: for element i of ``index``, x[i_0, ...,
    index[i], ..., i_n] (the element's own coordinates, ``index[i]`` at ``dim``), as broadcasting grids."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def type_name(dtype: np.dtype) -> str:
    """torch's scalar type name of a dtype: Float, Double, Long, Bool, ..."""
    return _TENSOR_TYPES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def check_index_dtype(index: Any, message: str, dtypes: tuple = (np.int64, np.int32)) -> np.ndarray:
    """The index's array, or torch's RuntimeError ``message`` (``{}``: the dtype's name) when its dtype
    is not one of ``dtypes``."""
    array = index._data if isinstance(index, Tensor) else as_array(index)
    if array.dtype not in dtypes:
        raise RuntimeError(message.format(type_name(array.dtype)))
    return array


def check_index_bounds(
    index: np.ndarray, size: int, dim: int, negative: bool = False, error: type[Exception] = RuntimeError
) -> None:
    """torch's error for the first index (in row-major order) outside [0, size), or [-size, size) when
    ``negative`` indices count from the end."""
    bad = (index < (-size if negative else 0)) | (index >= size)
    if bad.any():
        raise error(f"index {int(as_array(index)[bad].flat[0])} is out of bounds for dimension {dim} with size {size}")


class IndexSelect(Function):
    """$y = x$ taken at ``index`` along ``dim``.   dx = dy scatter-added back (indices may repeat)."""

    node_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        if x.ndim == 0:
            return x.copy()
        return np.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.add.at(nd(out), (slice(None),) * ctx.dim + (ctx.index,), nd(grad))
        return out, None, None


class Gather(Function):
    r"""$y[i][j] = x[i][\mathrm{index}[i][j]]$ (for dim 1; likewise for any dim).   dx = dy scatter-added at index:
    $dx[i][k] = \sum_{j:\ \mathrm{index}[i][j] = k} dy[i][j]$.
    """

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
        ctx.shape, ctx.where = x.shape, along_dim(nd(index), dim)
        return nd(x)[ctx.where].reshape(index.shape)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.add.at(nd(out), ctx.where, nd(grad))
        return out, None, None


class MaskedFill(Function):
    r"""y = value where mask else x (x broadcast with the mask).   $dx = dy \cdot [\lnot \mathrm{mask}]$ (the filled
    slots lost x), summed back to x's shape.
    """

    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mask: np.ndarray, value: Any) -> np.ndarray:
        ctx.mask, ctx.shape = mask, x.shape
        return np.where(mask, device_result(x, value, x.dtype), x)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = unbroadcast(np.where(ctx.mask, 0, grad).astype(grad.dtype, copy=False), ctx.shape)
        return gx, None, None


class MaskedFillTensor(MaskedFill):
    r"""y = v where mask else x, for a 0-d tensor v.   dx as MaskedFill;  $dv = \sum dy \cdot [\mathrm{mask}]$."""

    node_name = "MaskedFillBackward1"

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(np.where(ctx.mask, 0, grad).astype(grad.dtype, copy=False), ctx.shape)
        if ctx.needs_input_grad[2]:
            gv = as_array(np.broadcast_to(grad, ctx.mask.shape)[ctx.mask].sum(), dtype=grad.dtype)
        return gx, None, gv


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    index = check_index_dtype(index, "index_select(): Expected dtype int32 or int64 for index")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0 and index.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.size} value(s)")
    size = nd(input._data).shape[d]
    if ((index < 0) | (index >= size)).any():
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, d, index.reshape(-1))


def _check_gather(input: Tensor, dim: int, index: Any, name: str) -> tuple[int, np.ndarray]:
    d = wrap_dim(dim, input.ndim)
    idx = check_index_dtype(index, f"{name}(): Expected dtype int32/int64 for index")
    if max(idx.ndim, 1) != max(input.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    idx_shape, x_shape = nd(idx).shape, nd(input._data).shape
    if idx.size:
        for k in range(len(x_shape)):
            if k != d and idx_shape[k] > x_shape[k]:
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no larger than "
                    f"self {list(input._data.shape)} apart from dimension {d}"
                )
    check_index_bounds(idx, x_shape[d], d)
    return d, idx


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """torch.gather: out[i] = input[..., index[i], ...] (index at ``dim``, i's own coordinates elsewhere)."""
    d, idx = _check_gather(input, dim, index, "gather")
    return Gather.apply(input, d, idx)


# torch names a mask's dtype by its C++ type in masked_fill's error
_CPP_TYPES = {
    "uint8": "unsigned char",
    "int8": "signed char",
    "int16": "short int",
    "int32": "int",
    "int64": "long int",
}
_CPP_TYPES.update({"float16": "c10::Half", "float32": "float", "float64": "double"})


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """torch.masked_fill: value (a number or a 0-d tensor) where mask, input elsewhere (broadcast together)."""
    m = mask._data
    if m.dtype != np.bool_:
        kind = _CPP_TYPES.get(m.dtype.name, m.dtype.name)
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {kind}")
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    shape = _broadcast_shapes(m.shape, input._data.shape)
    m = np.broadcast_to(m, shape)
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(input, m, value)
    return MaskedFill.apply(input, m, value)


_masked_fill_ = _inplace(masked_fill)


# ---- reading by mask, by flat index, by index along a dim -------------------------------------------------
class MaskedSelect(Function):
    r"""$y = x[\mathrm{mask}]$: the elements of x (broadcast with the mask) where mask is True, in row-major order
    (1-d).

    $dx[\mathrm{mask}] = dy$: zeros with dy written back at the masked positions, summed to x's shape.
    """

    node_name = "MaskedSelectBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ctx.mask, ctx.shape = mask, x.shape
        return np.broadcast_to(x, mask.shape)[mask]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(ctx.mask.shape, dtype=grad.dtype)
        out[ctx.mask] = grad
        return unbroadcast(out, ctx.shape), None


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """torch.masked_select: the elements where ``mask`` (broadcast with input) is True, as a 1-d tensor."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = _broadcast_shapes(mask._data.shape, input._data.shape)
    return MaskedSelect.apply(input, np.broadcast_to(mask._data, shape))


def _broadcast_shapes(a: tuple, b: tuple) -> tuple:
    """The broadcast shape, or torch's error naming the first pair of sizes (a's, then b's) that clash."""
    for i in range(1, min(len(a), len(b)) + 1):
        if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
            raise RuntimeError(
                f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) at non-singleton "
                f"dimension {max(len(a), len(b)) - i}"
            )
    return np.broadcast_shapes(a, b)


class Take(Function):
    r"""$y = x.\mathrm{flatten}()[\mathrm{index}]$ (index any shape, negative counts from the end).

    dx = zeros with dy scatter-added at the flat positions (an index may repeat), in x's shape.
    """

    node_name = "TakeBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, index: np.ndarray) -> np.ndarray:
        ctx.shape, ctx.index = x.shape, index
        return x.reshape(-1)[index]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        out = np.zeros(int(np.prod(ctx.shape)), dtype=grad.dtype)
        np.add.at(out, ctx.index, grad)
        return out.reshape(ctx.shape), None


def check_flat_index(index: Any, numel: int, name: str) -> np.ndarray:
    """take's and put's index: int64 only, each in [-numel, numel)."""
    idx = check_index_dtype(index, name + "(): Expected a long tensor for index, but got {}", (np.int64,))
    bad = (idx < -numel) | (idx >= numel)
    if bad.any():
        value = int(idx[bad].flat[0])
        raise IndexError(f"out of range: tried to access index {value} on a tensor of {numel} elements.")
    return idx


def take(input: Tensor, index: Tensor) -> Tensor:
    """torch.take: input read as 1-d at ``index``; the result has index's shape."""
    idx = check_index_dtype(index, "take(): Expected a long tensor for index, but got {}", (np.int64,))
    if input._data.size == 0 and idx.size:
        raise IndexError("take(): tried to take from an empty tensor")
    return Take.apply(input, check_flat_index(idx, input._data.size, "take"))


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """torch.take_along_dim: gather along ``dim`` after broadcasting input and indices in every other
    dim; with no dim, input viewed as 1-d and gathered at the flattened indices."""
    if dim is None:
        return gather(view(input, -1), 0, view(indices, -1) if isinstance(indices, Tensor) else indices)
    idx = indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got {type_name(idx.dtype)}")
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, input.ndim)
    if idx.ndim != input.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of dimensions, but got "
            f"{input.ndim} dimensions for input, and {idx.ndim} dimensions for indices"
        )
    x_shape, i_shape = list(input._data.shape), list(idx.shape)
    x_shape[d] = i_shape[d] = 1
    shape = list(_broadcast_shapes(tuple(x_shape), tuple(i_shape)))
    x_target = tuple(shape[:d] + [input._data.shape[d]] + shape[d + 1 :])
    i_target = tuple(shape[:d] + [idx.shape[d]] + shape[d + 1 :])
    x = input if input._data.shape == x_target else expand(input, *x_target)
    return gather(x, d, np.broadcast_to(idx, i_target))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """torch.nonzero: the coordinates of the non-zero elements, one row each (int64, [n, ndim]), or
    with ``as_tuple`` one 1-d tensor per dim (a 0-d input counts as 1-d). Not differentiable."""
    a = input._data
    if as_tuple:
        return tuple(Tensor._make(device_result(a, c, np.int64)) for c in np.nonzero(nd(a)))
    return Tensor._make(device_result(a, np.argwhere(a), np.int64))


def argwhere(input: Tensor) -> Tensor:
    """torch.argwhere: nonzero(input) as one [n, ndim] tensor."""
    return nonzero(input)


__all__ = [
    "argwhere",
    "cat",
    "concat",
    "gather",
    "index_select",
    "masked_fill",
    "masked_select",
    "narrow",
    "nonzero",
    "select",
    "stack",
    "take",
    "take_along_dim",
]
concat = cat

TENSOR_METHODS = {
    "__getitem__": getitem,
    "__setitem__": setitem,
    "index_select": index_select,
    "select": select,
    "narrow": narrow,
    "masked_fill": masked_fill,
    "masked_fill_": _masked_fill_,
    "masked_select": masked_select,
    "gather": gather,
    "take": take,
    "take_along_dim": take_along_dim,
    "nonzero": nonzero,
    "argwhere": argwhere,
    "zero_": zero_,
    "fill_": fill_,
    "copy_": copy_,
}
