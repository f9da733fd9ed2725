r"""Scatter family: writing values into chosen positions of a copy of a tensor.

scatter, scatter_add, scatter_reduce, index_add, index_copy, index_fill, index_reduce, index_put,
put, masked_scatter, select/slice/diagonal_scatter and fill all return ``out``: a copy of ``x``
in which some positions P receive contributions (a source's values or one value). Every
backward follows from two facts:

* a position of ``x`` that was overwritten no longer reaches ``out``: its gradient is 0 there,
  the upstream gradient ``dy`` elsewhere (``dy`` everywhere when contributions are *added*);
* a contribution that landed at position p reaches ``out[p]`` alone: its gradient is ``dy[p]``,
  read back with the same positions that wrote it (a gather), times
  $\partial \mathrm{out}[p] / \partial c$ for the reductions (prod, mean, amax, amin).

Positions are NumPy index tuples (``targets``): for the ``dim``-wise ops the grid of the
index's own coordinates with the index itself at ``dim`` (``along_dim``), so the forward is
one assignment or one ``ufunc.at`` and the backward one read of ``dy`` at ``targets``.
A 0-d tensor is treated as a 1-d tensor of one element, as torch does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor, wrap_dim
from .arithmetic import _inplace, fill_  # fill_ (Tensor.fill_) is torch.fill_ as well
from .indexing import along_dim, check_flat_index, check_index_bounds, check_index_dtype, nd, type_name
from .utils import check_expand, unbroadcast


def _shape(a: np.ndarray) -> list[int]:
    return list(a.shape)


# ---- scatter, scatter_add, scatter_reduce -----------------------------------------------------------------
def _check_scatter(x: Tensor, dim: int, index: Any, src: Tensor | None) -> tuple[int, np.ndarray]:
    """torch's scatter checks, in its order: dim range, index dtype, src dtype, ranks, sizes, bounds."""
    d = wrap_dim(dim, x.ndim)
    idx = check_index_dtype(index, "scatter(): Expected dtype int32/int64 for index")
    if src is not None and src._data.dtype != x._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    rank = max(x.ndim, 1)
    if max(idx.ndim, 1) != rank:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src is not None and max(src.ndim, 1) != rank:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    idx1, x_shape = nd(idx).shape, nd(x._data).shape
    if idx.size:
        too_big = any(idx1[k] > x_shape[k] for k in range(rank) if k != d)
        if src is not None:
            src_shape = nd(src._data).shape
            if too_big or any(idx1[k] > src_shape[k] for k in range(rank)):
                raise RuntimeError(
                    f"Expected index {_shape(idx)} to be no larger than self {_shape(x._data)} apart from dimension "
                    f"{d} and to be no larger size than src {_shape(src._data)}"
                )
        elif too_big:
            raise RuntimeError(
                f"Expected index {_shape(idx)} to be no larger than self {_shape(x._data)} apart from dimension {d}"
            )
    check_index_bounds(idx, x_shape[d], d)
    return d, idx


def _leading_block(index_shape: tuple[int, ...]) -> tuple[slice, ...]:
    """The block of src that scatter reads: src's leading ``index_shape`` elements (a 0-d index: one)."""
    return tuple(slice(0, n) for n in (index_shape or (1,)))


class Scatter(Function):
    r"""out = x with $\mathrm{out}[\mathrm{targets}] = \mathrm{src}[\mathrm{block}]$ (targets: ``index`` at ``dim``).

    $dx = dy$ with $dy[\mathrm{targets}] = 0$ (those values of x were overwritten);
    $d\mathrm{src} = dy[\mathrm{targets}]$ (a gather: each src element reaches the one position it was written to).
    torch returns dsrc in index's shape; when src is larger, its backward refuses, and so does ours.
    """

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, src: np.ndarray, targets: tuple, index_shape: tuple) -> np.ndarray:
        ctx.targets, ctx.index_shape, ctx.src_shape = targets, index_shape, src.shape
        out = x.copy()
        if int(np.prod(index_shape)):
            nd(out)[targets] = nd(src)[_leading_block(index_shape)]
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            nd(gx)[ctx.targets] = 0
        if ctx.needs_input_grad[1]:
            gsrc = _in_shape(nd(grad)[ctx.targets].reshape(ctx.index_shape), ctx)
        return gx, gsrc, None, None


class ScatterValue(Function):
    r"""out = x with $\mathrm{out}[\mathrm{targets}] = \mathrm{value}$ (a number).   $dx = dy$ with
    $dy[\mathrm{targets}] = 0$.
    """

    node_name = "ScatterBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, value: Any, targets: tuple) -> np.ndarray:
        ctx.targets = targets
        out = x.copy()
        nd(out)[targets] = value
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = grad.copy()
        nd(gx)[ctx.targets] = 0
        return gx, None, None


class ScatterAccumulate(Function):
    r"""scatter(..., reduce='add' | 'multiply'), torch's deprecated form:
    $\mathrm{out}[\mathrm{targets}] \mathrel{+}= \mathrm{src}$ or $\mathrel{*}= \mathrm{src}$.

    torch defines no derivative for it: its node (NotImplemented) raises when backward reaches it.
    """

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, src: Any, targets: tuple, block: Any, reduce: str, op: str) -> np.ndarray:
        ctx.op = op
        out = x.copy()
        values = nd(src)[block] if block is not None else src
        if not all(t.size for t in targets):
            return out
        (np.add if reduce == "add" else np.multiply).at(nd(out), targets, values)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        raise RuntimeError(f"derivative for aten::{ctx.op} is not implemented")


ScatterAccumulate._node_class.name = lambda self: "torch::autograd::NotImplemented"  # torch's C++ name


class ScatterAdd(Function):
    r"""out = x with $\mathrm{out}[\mathrm{targets}] \mathrel{+}= \mathrm{src}[\mathrm{block}]$ (repeated targets add
    up).

    Adding keeps x:  $dx = dy$;  $d\mathrm{src} = dy[\mathrm{targets}]$.
    """

    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, src: np.ndarray, targets: tuple, index_shape: tuple) -> np.ndarray:
        ctx.targets, ctx.index_shape, ctx.src_shape = targets, index_shape, src.shape
        out = x.copy()
        if int(np.prod(index_shape)):
            np.add.at(nd(out), targets, nd(src)[_leading_block(index_shape)])
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gsrc = _in_shape(nd(grad)[ctx.targets].reshape(ctx.index_shape), ctx) if ctx.needs_input_grad[1] else None
        return grad, gsrc, None, None


_REDUCE_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype) -> Any:
    """The value a reduction starts from when x's own value is left out (include_self=False)."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    if dtype.kind == "b":
        return reduce == "amin"
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


class ScatterReduce(Function):
    r"""$\mathrm{out}[p]$ = reduce over $\{x[p]$ if include_self$\}$ and the contributions c landing at p (targets).

    With $g = dy$, and the upstream gradient shared out as torch defines it:

    * sum:   $dx = g$,  $dc = g[p]$
    * mean:  $N[p] = \mathrm{include\_self} + \#\{\text{contributions at } p\}$ (1 where none);  $dx = g / N$,
      $dc = (g / N)[p]$
    * prod:  $\partial \mathrm{out}[p] / \partial c$ = the product of the *other* factors at p. Counting the zero
      factors $Z[p]$ and multiplying the non-zero ones into $Q[p]$: a non-zero factor c gets $Q/c$ if $Z = 0$
      (else 0), a zero factor gets Q if $Z = 1$ (else 0): exact with zeros, no 0/0.
    * amax/amin: the factors equal to $\mathrm{out}[p]$ share $g[p]$ equally:
      $N[p] = [x[p] = \mathrm{out}[p]] + \#\{c \text{ at } p : c = \mathrm{out}[p]\}$;
      $dx = [x = \mathrm{out}]\, g / N$,  $dc = [c = \mathrm{out}[p]]\, (g / N)[p]$. (As torch,
      x counts in N when it equals out even with include_self=False.)

    With include_self=False x's value never entered the positions that received contributions,
    so dx is 0 there.
    """

    node_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, src: np.ndarray, targets: tuple, block: Any, reduce: str, include_self: bool
    ) -> np.ndarray:
        # torch's forward still takes the old names max and min; its backward refuses them
        ctx.alias = reduce if reduce in ("max", "min") else None
        reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
        values = nd(src)[block]
        if not all(t.size for t in targets):  # an empty index writes nothing (src's block may not match it)
            values = np.zeros(np.broadcast_shapes(*(t.shape for t in targets)), dtype=x.dtype)
        out = x.copy()
        o = nd(out)
        hit = np.zeros(o.shape, dtype=bool)
        hit[targets] = True
        if not include_self:
            o[hit] = _identity(reduce, o.dtype)
        _REDUCE_UFUNC[reduce].at(o, targets, values)
        count = None
        if reduce == "mean":
            count = np.full(o.shape, int(include_self), dtype=np.int64)
            np.add.at(count, targets, 1)
            count[count == 0] = 1
            if o.dtype.kind == "f":
                o /= count
            else:  # integer means round down, as torch's do
                o //= count
        ctx.targets, ctx.block, ctx.reduce, ctx.include_self = targets, block, reduce, include_self
        ctx.hit, ctx.count, ctx.src_shape = hit, count, src.shape
        if reduce in ("prod", "amax", "amin"):
            ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        targets, reduce = ctx.targets, ctx.reduce
        if ctx.alias is not None:
            raise RuntimeError(
                f"Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but got {ctx.alias}."
            )
        g = nd(grad)
        if reduce == "sum":
            gx, gsrc = g.copy(), g[targets]
        elif reduce == "mean":
            share = g / ctx.count
            gx, gsrc = share, share[targets]
        elif reduce == "prod":
            x, src, _ = ctx.saved_tensors
            gx, gsrc = _prod_backward(nd(x), nd(src)[ctx.block], targets, ctx.include_self, g)
        else:
            x, src, out = ctx.saved_tensors
            x, values, out = nd(x), nd(src)[ctx.block], nd(out)
            x_is = x == out
            c_is = values == out[targets]
            n = x_is.astype(grad.dtype)
            np.add.at(n, targets, c_is)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = g / n
            gx, gsrc = np.where(x_is, share, 0), np.where(c_is, share[targets], 0)
        if not ctx.include_self:
            gx = np.where(ctx.hit, 0, gx)
        gsrc = gsrc.astype(grad.dtype, copy=False)
        return gx.astype(grad.dtype, copy=False).reshape(grad.shape), _in_shape(gsrc, ctx), None, None, None, None


def _in_shape(gsrc: np.ndarray, ctx: Any) -> np.ndarray:
    """dsrc in src's shape where the block is all of src (0-d included); else the block's shape
    (the engine then refuses, as torch does)."""
    return gsrc.reshape(ctx.src_shape) if gsrc.size == int(np.prod(ctx.src_shape)) else gsrc


def _prod_backward(
    x: np.ndarray, values: np.ndarray, targets: tuple, include_self: bool, g: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of out[p] = prod of factors: each factor gets g[p] times the product of the others.
    Without include_self, x is no factor: it reaches out unchanged where nothing landed."""
    zeros = np.zeros(x.shape, dtype=np.int64)
    product = np.ones(x.shape, dtype=g.dtype)
    if include_self:
        zeros += x == 0
        product = np.where(x == 0, 1, x).astype(g.dtype)
    np.add.at(zeros, targets, values == 0)
    np.multiply.at(product, targets, np.where(values == 0, 1, values))

    def others(factor: np.ndarray, z: np.ndarray, q: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(factor != 0, np.where(z == 0, q / factor, 0), np.where(z == 1, q, 0))

    gx = g * others(x, zeros, product) if include_self else g
    gsrc = g[targets] * others(values, zeros[targets], product[targets])
    return gx, gsrc


def _scatter(
    input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None, reduce: str | None = None, op: str = ""
) -> Tensor:
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if isinstance(value, Tensor):  # a tensor given as value is a source, as torch's overloads read it
        value, src = None, value
    d, idx = _check_scatter(input, dim, index, src)
    targets = along_dim(nd(idx), d)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if src is not None:
            warnings.warn(
                "The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a future "
                "PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                UserWarning,
                stacklevel=3,
            )
            return ScatterAccumulate.apply(input, src, targets, _leading_block(idx.shape), reduce, op)
        return ScatterAccumulate.apply(input, np.asarray(value, input._data.dtype), targets, None, reduce, op)
    if src is not None:
        return Scatter.apply(input, src, targets, idx.shape)
    return ScatterValue.apply(input, value, targets)


def scatter(
    input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None
) -> Tensor:
    """torch.scatter: out[..., index[i], ...] = src[i] (or value) along ``dim``."""
    return _scatter(input, dim, index, src, value, reduce, "scatter")


def _scatter_positional(input: Tensor, dim: int, index: Tensor, src: Any, value: Any, reduce: str | None) -> Tensor:
    return _scatter(input, dim, index, src, value, reduce, "scatter_")


_scatter_into = _inplace(_scatter_positional)


def scatter_(
    self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: str | None = None
) -> Tensor:
    """Tensor.scatter_: scatter written into self."""
    return _scatter_into(self, dim, index, src, value, reduce)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """torch.scatter_add: out[..., index[i], ...] += src[i] along ``dim``."""
    d, idx = _check_scatter(input, dim, index, src)
    return ScatterAdd.apply(input, src, along_dim(nd(idx), d), idx.shape)


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin", "max", "min")


def scatter_reduce(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """torch.scatter_reduce: out[..., index[i], ...] = reduce(x's value if include_self, src[i]s)."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    d, idx = _check_scatter(input, dim, index, src)
    return ScatterReduce.apply(input, src, along_dim(nd(idx), d), _leading_block(idx.shape), reduce, include_self)


def _scatter_reduce_positional(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, include_self: bool
) -> Tensor:
    return scatter_reduce(input, dim, index, src, reduce, include_self=include_self)


_scatter_reduce_into = _inplace(_scatter_reduce_positional)
_scatter_add_into = _inplace(scatter_add)


def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return _scatter_add_into(self, dim, index, src)


def scatter_reduce_(
    self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    return _scatter_reduce_into(self, dim, index, src, reduce, include_self)


# ---- index_put ---------------------------------------------------------------------------------------------
def _numpy_indices(x: Tensor, indices: Any, name: str, method: bool) -> tuple[np.ndarray, ...]:
    """index_put's indices (a tuple of tensors, masks spread into their nonzero coordinates) as one
    NumPy index tuple, with torch's errors (which count self as an argument of torch.index_put but
    not of Tensor.index_put)."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            f"{name}(): argument 'indices' (position {2 - method}) must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument {1 - method}, but got {type(t).__name__}")
    if not indices:
        raise RuntimeError("sym_strides() called on an undefined Tensor")
    for t in indices:
        kind = t._data.dtype
        if kind == np.uint8:
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
        if kind != np.bool_ and kind not in (np.int64, np.int32):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    used = sum(t.ndim if t._data.dtype == np.bool_ else 1 for t in indices)
    if used > x.ndim or x.ndim == 0:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim} (got {max(used, 1)})")
    shape, parts, dim = x._data.shape, [], 0
    for t in indices:
        a = t._data
        if a.dtype == np.bool_:
            for k in range(a.ndim):
                if a.shape[k] != shape[dim + k]:
                    raise IndexError(
                        f"The shape of the mask {_shape(a)} at index {k} does not match the shape of the indexed "
                        f"tensor {list(shape)} at index {dim + k}"
                    )
            parts += list(np.nonzero(a)) if a.ndim else [a]  # a 0-d mask adds a dim of 1 (True) or 0, as NumPy's
            dim += a.ndim
        else:
            check_index_bounds(a, shape[dim], dim, negative=True, error=IndexError)
            parts.append(a.astype(np.int64, copy=False))
            dim += 1
    try:
        np.broadcast_shapes(*(p.shape for p in parts))
    except ValueError:
        shapes = ", ".join(str(_shape(p)) for p in parts)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None
    return tuple(parts)


class IndexPut(Function):
    r"""out = x with $\mathrm{out}[\mathrm{indices}] = v$ (accumulate: $\mathrm{out}[\mathrm{indices}] \mathrel{+}= v$,
    repeats adding up); v broadcasts into the indexed slots.

    $dx = dy$ (accumulate) or dy with $dy[\mathrm{indices}] = 0$;  $dv = dy[\mathrm{indices}]$ summed to v's shape.
    """

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, values: np.ndarray, where: tuple, accumulate: bool) -> np.ndarray:
        ctx.where, ctx.accumulate, ctx.values_shape = where, accumulate, values.shape
        out = x.copy()
        if accumulate:
            np.add.at(out, where, values)
        else:
            out[where] = values
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = grad
            if not ctx.accumulate:
                gx = grad.copy()
                gx[ctx.where] = 0
        if ctx.needs_input_grad[1]:
            gv = unbroadcast(grad[ctx.where], ctx.values_shape)
        return gx, gv, None, None


def _index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool, name: str, method: bool) -> Tensor:
    where = _numpy_indices(input, indices, name, method)
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{type_name(input._data.dtype)} for the destination and {type_name(values._data.dtype)} for the source."
        )
    slots = input._data[where].shape
    shape = values._data.shape
    if len(shape) > len(slots) or any(v not in (1, s) for v, s in zip(shape[::-1], slots[::-1])):
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(shape)} cannot be broadcast to indexing result of shape "
            f"{list(slots)}"
        )
    return IndexPut.apply(input, values, where, bool(accumulate))


def index_put(input: Tensor, indices: Sequence[Tensor], values: Tensor, accumulate: bool = False) -> Tensor:
    """torch.index_put: a copy of input with input[indices] = values (or += with ``accumulate``)."""
    return _index_put(input, indices, values, accumulate, "index_put", False)


def _index_put_method(self: Tensor, indices: Sequence[Tensor], values: Tensor, accumulate: bool = False) -> Tensor:
    return _index_put(self, indices, values, accumulate, "index_put", True)


def _index_put_positional(input: Tensor, indices: Any, values: Tensor, accumulate: bool, method: bool) -> Tensor:
    return _index_put(input, indices, values, accumulate, "index_put_", method)


_index_put_into = _inplace(_index_put_positional)


def index_put_(input: Tensor, indices: Sequence[Tensor], values: Tensor, accumulate: bool = False) -> Tensor:
    """torch.index_put_: index_put written into input."""
    return _index_put_into(input, indices, values, accumulate, False)


def _index_put_inplace_method(
    self: Tensor, indices: Sequence[Tensor], values: Tensor, accumulate: bool = False
) -> Tensor:
    return _index_put_into(self, indices, values, accumulate, True)


# ---- masked_scatter ----------------------------------------------------------------------------------------
class MaskedScatter(Function):
    r"""out = x broadcast to the mask's shape, with the masked positions (in row-major order) taking
    source's first $n = \sum \mathrm{mask}$ elements.

    dx = dy with the masked positions zeroed, summed back to x's shape;
    $d\mathrm{source}$ = the first n elements $dy[\mathrm{mask}]$, zeros after them, in source's shape.
    """

    node_name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mask: np.ndarray, source: np.ndarray) -> np.ndarray:
        out = np.array(np.broadcast_to(x, mask.shape))
        n = int(mask.sum())
        out[mask] = source.reshape(-1)[:n]
        ctx.mask, ctx.n, ctx.shapes = mask, n, (x.shape, source.shape)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(np.where(ctx.mask, 0, grad).astype(grad.dtype, copy=False), ctx.shapes[0])
        if ctx.needs_input_grad[2]:
            gs = np.zeros(int(np.prod(ctx.shapes[1])), dtype=grad.dtype)
            gs[: ctx.n] = grad[ctx.mask]
            gs = gs.reshape(ctx.shapes[1])
        return gx, None, gs


def _broadcast_error(a: tuple, b: tuple) -> RuntimeError:
    """torch's message for shapes a and b that do not broadcast (a's size first)."""
    for i in range(1, min(len(a), len(b)) + 1):
        if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
            return RuntimeError(
                f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) at non-singleton "
                f"dimension {max(len(a), len(b)) - i}"
            )
    raise AssertionError("shapes broadcast")


def _broadcast(a: tuple, b: tuple) -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise _broadcast_error(a, b) from None


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """torch.masked_scatter: input's masked positions take source's elements in order."""
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {type_name(m.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{type_name(input._data.dtype)} and {type_name(source._data.dtype)}"
        )
    shape = _broadcast(m.shape, input._data.shape)
    m = np.broadcast_to(m, shape)
    if int(m.sum()) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply(input, m, source)


_masked_scatter_into = _inplace(masked_scatter)


def masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """Tensor.masked_scatter_: the mask must expand to self's shape."""
    m = mask._data
    if len(m.shape) > self.ndim:
        raise RuntimeError(
            f"expand(CPUBoolType{{{_shape(m)}}}, size={_shape(self._data)}): the number of sizes provided "
            f"({self.ndim}) must be greater or equal to the number of dimensions in the tensor ({m.ndim})"
        )
    check_expand(m.shape, self._data.shape, m.dtype)
    return _masked_scatter_into(self, mask, source)


# ---- select_scatter, slice_scatter, diagonal_scatter: writing one view -----------------------------------------
class ViewScatter(Function):
    r"""out = x with the view ``where`` of it replaced by src (cast to x's dtype).

    $dx = dy$ with $dy[\mathrm{where}] = 0$;  $d\mathrm{src} = dy[\mathrm{where}]$ (the view of the gradient).
    """

    node_name = "SliceScatterBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, src: np.ndarray, where: Any) -> np.ndarray:
        ctx.where = where
        out = x.copy()
        where(out)[...] = src
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            ctx.where(gx)[...] = 0
        if ctx.needs_input_grad[1]:
            gs = np.array(ctx.where(grad))
        return gx, gs, None


class SelectScatter(ViewScatter):
    """x.select(dim, index) replaced by src (see ViewScatter)."""

    node_name = "SelectScatterBackward0"


class DiagonalScatter(ViewScatter):
    """x.diagonal(offset, dim1, dim2) replaced by src (see ViewScatter)."""

    node_name = "DiagonalScatterBackward0"


def _check_slot(src: Tensor, slot: tuple) -> None:
    if tuple(src._data.shape) != tuple(slot):
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = {_shape(src._data)}, slice size = "
            f"{list(slot)}"
        )


class _Part:
    """array -> array[key]: a basic index, so the result is a writable view (what ViewScatter writes)."""

    def __init__(self, key: tuple) -> None:
        self.key = key

    def __call__(self, a: np.ndarray) -> np.ndarray:
        return a[self.key]


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """torch.select_scatter: a copy of input with input.select(dim, index) = src."""
    d = wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {_shape(input._data)} at dimension {d}"
        )
    key = (slice(None),) * d + (int(index), Ellipsis)  # the Ellipsis keeps a 0-d result a view
    _check_slot(src, input._data[key].shape)
    return SelectScatter.apply(input, src, _Part(key))


def slice_scatter(
    input: Tensor, src: Tensor, dim: int = 0, start: int | None = None, end: int | None = None, step: int = 1
) -> Tensor:
    """torch.slice_scatter: a copy of input with input[..., start:end:step, ...] (at dim) = src."""
    if input.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * d + (slice(start, end, step),)
    _check_slot(src, input._data[key].shape)
    return ViewScatter.apply(input, src, _Part(key))


class _Diagonal:
    """array -> a writable view of its diagonal (offset, dim1, dim2), diagonal last as torch's diagonal."""

    def __init__(self, offset: int, dim1: int, dim2: int) -> None:
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def __call__(self, a: np.ndarray) -> np.ndarray:
        moved = np.moveaxis(a, (self.dim1, self.dim2), (-2, -1))
        rows, cols = moved.shape[-2:]
        start_row, start_col = max(0, -self.offset), max(0, self.offset)
        n = max(0, min(rows - start_row, cols - start_col))
        s0, s1 = moved.strides[-2:]
        base = moved[..., start_row:, start_col:] if n else moved[..., :0, :0]
        return np.lib.stride_tricks.as_strided(
            base, shape=moved.shape[:-2] + (n,), strides=moved.strides[:-2] + (s0 + s1,), writeable=True
        )


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """torch.diagonal_scatter: a copy of input with input.diagonal(offset, dim1, dim2) = src."""
    d1, d2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    part = _Diagonal(int(offset), d1, d2)
    _check_slot(src, part(input._data).shape)
    return DiagonalScatter.apply(input, src, part)


# ---- fill --------------------------------------------------------------------------------------------------
class Fill(Function):
    """out = value everywhere (x's shape and dtype).   $dx = 0$: no element of x reaches out."""

    node_name = "FillBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, value: Any) -> np.ndarray:
        return np.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return np.zeros_like(grad), None


class FillTensor(Function):
    r"""out = v everywhere for a 0-d tensor v.   $dx = 0$;  $dv = \sum dy$ (v reaches every element)."""

    node_name = "FillBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, value: np.ndarray) -> np.ndarray:
        return np.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = np.zeros_like(grad) if ctx.needs_input_grad[0] else None
        gv = np.asarray(grad.sum()) if ctx.needs_input_grad[1] else None
        return gx, gv


def fill(input: Tensor, value: Any) -> Tensor:
    """torch.fill: a tensor of input's shape and dtype holding ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions."
            )
        return FillTensor.apply(input, value)
    return Fill.apply(input, value)


# ---- index_add, index_copy, index_fill, index_reduce: whole slices along dim ----------------------------------
def _check_index_source(x: Tensor, dim: int, index: Any, source: Tensor, name: str, dtype_message: str) -> tuple:
    """index_add/index_reduce's checks: (dim, the 1-d index, the positions of source's elements in x)."""
    d = wrap_dim(dim, x.ndim)
    idx = check_index_dtype(index, dtype_message)
    if idx.ndim > 1:
        raise IndexError(
            f"{name}(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{type_name(idx.dtype)} and size: {_shape(idx)}"
        )
    if source._data.dtype != x._data.dtype:
        raise RuntimeError(
            f"{name}(): self ({type_name(x._data.dtype)}) and source ({type_name(source._data.dtype)}) must have "
            "the same scalar type"
        )
    x_shape, s_shape = nd(x._data).shape, nd(source._data).shape
    if x.ndim != source.ndim or any(a != b for k, (a, b) in enumerate(zip(x_shape, s_shape)) if k != d):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = "
            f"{_shape(x._data)} source.shape = {_shape(source._data)}"
        )
    if idx.size != s_shape[d]:
        raise RuntimeError(
            f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim): ({s_shape[d]}), for dim: {d}"
        )
    return d, idx.reshape(-1), _slices_at(idx.reshape(-1), d, len(s_shape))


def _slices_at(index: np.ndarray, dim: int, ndim: int) -> tuple:
    """The positions in x of a source whose slice k along dim lands on x's slice index[k]: index at dim
    (as a column along dim), every other coordinate its own (slices)."""
    return (slice(None),) * dim + (index,) + (slice(None),) * (ndim - dim - 1)


class IndexAdd(Function):
    r"""$\mathrm{out}[\dots, \mathrm{index}[k], \dots] \mathrel{+}= \alpha\, \mathrm{source}[\dots, k, \dots]$ on a copy
    of x (repeats add up).

    $dx = dy$;  $d\mathrm{source} = \alpha\, dy[\dots, \mathrm{index}, \dots]$ (an index_select).
    """

    node_name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, source: np.ndarray, where: tuple, alpha: Any) -> np.ndarray:
        ctx.where, ctx.alpha, ctx.shape = where, alpha, source.shape
        out = x.copy()
        np.add.at(nd(out), where, nd(source) if alpha == 1 else nd(source) * alpha)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gs = None
        if ctx.needs_input_grad[1]:
            gs = nd(grad)[ctx.where]
            gs = (gs if ctx.alpha == 1 else gs * ctx.alpha).reshape(ctx.shape)
        return grad, gs, None, None


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """torch.index_add: input with alpha * source's slices added at ``index`` along ``dim``."""
    d, idx, where = _check_index_source(
        input, dim, index, source, "index_add_", "index_add_(): Expected dtype int32/int64 for index but got: {}"
    )
    check_index_bounds(idx, nd(input._data).shape[d], d)
    if input._data.dtype.kind in "iub" and not isinstance(alpha, (int, np.integer)):
        alpha = int(alpha)  # torch converts alpha to self's integer type
    return IndexAdd.apply(input, source, where, alpha)


class IndexCopy(Function):
    r"""out = x with $\mathrm{out}[\dots, \mathrm{index}[k], \dots] = \mathrm{source}[\dots, k, \dots]$.

    dx = dy with the written slices zeroed;  $d\mathrm{source} = dy[\dots, \mathrm{index}, \dots]$.
    """

    node_name = "IndexCopyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, source: np.ndarray, where: tuple) -> np.ndarray:
        ctx.where, ctx.shape = where, source.shape
        out = x.copy()
        nd(out)[where] = nd(source)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            nd(gx)[ctx.where] = 0
        if ctx.needs_input_grad[1]:
            gs = nd(grad)[ctx.where].reshape(ctx.shape)
        return gx, gs, None


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """torch.index_copy: input with source's slices written at ``index`` along ``dim``."""
    d = wrap_dim(dim, input.ndim)
    idx = check_index_dtype(index, "index_copy_(): Expected a long tensor for index, but got {}", (np.int64,))
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{type_name(input._data.dtype)} and (source) {type_name(source._data.dtype)}"
        )
    x_shape, s_shape = nd(input._data).shape, nd(source._data).shape
    if input.ndim and source.ndim and input.ndim != source.ndim:
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their dimensionality must match. Source "
            f"dimensionality ({source.ndim}), destination dimensionality ({input.ndim})"
        )
    if idx.size != s_shape[d]:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) ({s_shape[d]})"
        )
    if x_shape[:d] + x_shape[d + 1 :] != s_shape[:d] + s_shape[d + 1 :]:
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: "
            f"{' '.join(str(n) for n in x_shape[:d] + x_shape[d + 1 :])} at dimension {d} and source slice shape: "
            f"{' '.join(str(n) for n in s_shape[:d] + s_shape[d + 1 :])} at dimension 0."
        )
    flat = idx.reshape(-1)
    bad = (flat < 0) | (flat >= x_shape[d])
    if bad.any():
        raise IndexError(
            f"index_copy_(): index {int(flat[bad][0])} is out of bounds for dimension {d} with size {x_shape[d]}"
        )
    return IndexCopy.apply(input, source, _slices_at(idx.reshape(-1), d, len(x_shape)))


class IndexFill(ScatterValue):
    r"""out = x with the slices $x[\dots, \mathrm{index}, \dots]$ set to a number (ScatterValue with the slices as its
    targets).   dx = dy with those slices zeroed.
    """

    node_name = "IndexFillBackward0"


class IndexFillTensor(IndexFill):
    r"""out = x with the slices $x[\dots, \mathrm{index}, \dots]$ set to a 0-d tensor v.

    dx = dy with those slices zeroed;  $dv = \sum dy$ over the filled slices, each counted once
    (a repeated index fills the same slice again).
    """

    node_name = "IndexFillBackward1"

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = grad.copy()
            nd(gx)[ctx.targets] = 0
        if ctx.needs_input_grad[1]:
            d = len(ctx.targets) - 1
            unique = np.unique(ctx.targets[d] % nd(grad).shape[d])
            gv = np.asarray(nd(grad)[(slice(None),) * d + (unique,)].sum())
        return gx, gv, None


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """torch.index_fill: input with its slices at ``index`` along ``dim`` set to ``value``."""
    d = wrap_dim(dim, input.ndim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    size = nd(input._data).shape[d]
    check_index_bounds(idx, size, d, negative=True, error=IndexError)
    where = (slice(None),) * d + (idx.reshape(-1),)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return IndexFillTensor.apply(input, value, where)
    return IndexFill.apply(input, value, where)


class IndexReduce(ScatterReduce):
    r"""out = x with each slice $x[\dots, \mathrm{index}[k], \dots]$ reduced with $\mathrm{source}[\dots, k, \dots]$
    (prod, mean, amax, amin; include_self): scatter_reduce with the index repeated over each slice, so the
    gradients are ScatterReduce's.
    """

    node_name = "IndexReduceBackward0"


def index_reduce(
    input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """torch.index_reduce: input's slices at ``index`` along ``dim`` reduced with source's slices."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning, stacklevel=2)
    d, idx, _ = _check_index_source(
        input, dim, index, source, "index_reduce_", "index_reduce_(): Expected dtype int32/int64 for index but got: {}"
    )
    size = nd(input._data).shape[d]
    if ((idx < 0) | (idx >= size)).any():
        raise IndexError("index out of range in self")
    s_shape = nd(source._data).shape
    column = idx.reshape([-1 if k == d else 1 for k in range(len(s_shape))])
    grids = list(np.indices(s_shape, sparse=True))
    grids[d] = column
    block = (slice(None),) * len(s_shape)
    return IndexReduce.apply(input, source, tuple(grids), block, reduce, include_self)


def _index_add_positional(input: Tensor, dim: int, index: Tensor, source: Tensor, alpha: Any) -> Tensor:
    return index_add(input, dim, index, source, alpha=alpha)


def _index_reduce_positional(
    input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, include_self: bool
) -> Tensor:
    return index_reduce(input, dim, index, source, reduce, include_self=include_self)


_index_add_into = _inplace(_index_add_positional)
_index_copy_into = _inplace(index_copy)
_index_fill_into = _inplace(index_fill)
_index_reduce_into = _inplace(_index_reduce_positional)


def index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    return _index_add_into(self, dim, index, source, alpha)


def index_copy_(self: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    return _index_copy_into(self, dim, index, source)


def index_fill_(self: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    return _index_fill_into(self, dim, index, value)


def index_reduce_(
    self: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    return _index_reduce_into(self, dim, index, source, reduce, include_self)


# ---- put: by flat index --------------------------------------------------------------------------------------
class Put(Function):
    r"""out = x with $\mathrm{out.flatten}()[\mathrm{index}] = \mathrm{source.flatten}()$ (accumulate: +=, repeats
    adding up).

    $dx = dy$ (accumulate) or dy with the written flat positions zeroed;
    $d\mathrm{source} = dy.\mathrm{flatten}()[\mathrm{index}]$ in source's shape (a take).
    """

    node_name = "PutBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, source: np.ndarray, index: np.ndarray, accumulate: bool) -> np.ndarray:
        ctx.index, ctx.accumulate, ctx.shape = index, accumulate, source.shape
        out = x.copy()
        flat = out.reshape(-1)
        if accumulate:
            np.add.at(flat, index, source.reshape(-1))
        else:
            flat[index] = source.reshape(-1)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = grad
            if not ctx.accumulate:
                gx = grad.copy()
                gx.reshape(-1)[ctx.index] = 0
        if ctx.needs_input_grad[1]:
            gs = grad.reshape(-1)[ctx.index].reshape(ctx.shape)
        return gx, gs, None, None


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """torch.put: input (read as 1-d) with source's elements written (or added) at ``index``."""
    idx = check_index_dtype(index, "put_(): Expected a long tensor for index, but got {}", (np.int64,))
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{type_name(input._data.dtype)} and source.dtype = {type_name(source._data.dtype)}"
        )
    if source._data.size != idx.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got source.numel() = "
            f"{source._data.size}, index.numel() = {idx.size}"
        )
    idx = check_flat_index(idx, input._data.size, "put_")
    return Put.apply(input, source, idx.reshape(-1), bool(accumulate))


_put_into = _inplace(put)


def put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    return _put_into(self, index, source, accumulate)


__all__ = [
    "diagonal_scatter",
    "fill",
    "fill_",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "index_put_",
    "index_reduce",
    "masked_scatter",
    "put",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "select_scatter",
    "slice_scatter",
]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {
    "scatter": scatter,
    "scatter_": scatter_,
    "scatter_add": scatter_add,
    "scatter_add_": scatter_add_,
    "scatter_reduce": scatter_reduce,
    "scatter_reduce_": scatter_reduce_,
    "index_put": _index_put_method,
    "index_put_": _index_put_inplace_method,
    "masked_scatter": masked_scatter,
    "masked_scatter_": masked_scatter_,
    "select_scatter": select_scatter,
    "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter,
    "index_add": index_add,
    "index_add_": index_add_,
    "index_copy": index_copy,
    "index_copy_": index_copy_,
    "index_fill": index_fill,
    "index_fill_": index_fill_,
    "index_reduce": index_reduce,
    "index_reduce_": index_reduce_,
    "put": put,
    "put_": put_,
}
