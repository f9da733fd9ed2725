r"""Embedding lookup (a gather of rows) and its scatter-add backward; embedding bags (pooled lookups).

Forward. W is a (num_embeddings, dim) table and idx an integer tensor of any
shape; the output stacks the rows it names:

$$
y[\dots, :] = W[\mathrm{idx}[\dots], :] \qquad (y \text{ has shape idx.shape + (dim,)}).
$$

Backward. Every $y[k, :]$ is a copy of one row $W[\mathrm{idx}[k], :]$, so the row
receives the sum of the gradients of all positions that read it, with $G = \partial L / \partial y$:

$$
\frac{\partial L}{\partial W[r, :]} = \sum_{k:\ \mathrm{idx}[k] = r} G[k, :],
$$

a scatter-add of the rows of G into a zero table. Two options change it:

- ``padding_idx = p``: row p is treated as a constant, $\partial L / \partial W[p, :] = 0$
  (its entries of G are simply not added).
- ``scale_grad_by_freq``: each row's sum is divided by the number of times
  its index occurs in idx (a mean instead of a sum over repeats).

The indices get no gradient (they are integers), so torch's
``EmbeddingBackward0`` node has a single edge, to the weight; ours too (the
indices reach the Function as a plain array).

Bags. ``embedding_bag`` pools the rows of each bag (a run of positions) instead of returning them:
with b(k) the bag of position k, $w_k$ its per-sample weight (1 unless given) and $n_b$ the bag's count:

$$
\begin{aligned}
&\text{sum:}  && y[b] = \textstyle\sum_{k \in b} w_k W[\mathrm{idx}[k]],
  && dW[\mathrm{idx}[k]] \mathrel{+}= w_k G[b(k)], \quad dw_k = G[b(k)] \cdot W[\mathrm{idx}[k]], \\
&\text{mean:} && y[b] = \tfrac{1}{n_b} \textstyle\sum_{k \in b} W[\mathrm{idx}[k]],
  && dW[\mathrm{idx}[k]] \mathrel{+}= G[b(k)] / n_b, \\
&\text{max:}  && y[b, d] = \max_{k \in b} W[\mathrm{idx}[k], d],
  && dW[\text{argmax row}, d] \mathrel{+}= G[b, d] \quad \text{(the first of ties)}.
\end{aligned}
$$

Positions holding ``padding_idx`` are left out of their bag (and of $n_b$); an empty bag gives zeros.

``embedding_renorm_`` (behind F.embedding's ``max_norm``) rescales in place,
outside autograd, every row that idx names whose p-norm exceeds max_norm:
$W[r] \mathrel{*}= \mathrm{max\_norm} / (\lVert W[r] \rVert_p + 10^{-7})$, as torch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


def _check_indices(indices: np.ndarray, op: str = "embedding") -> None:
    if indices.dtype not in (np.int64, np.int32):
        names = {"float32": "Float", "float64": "Double", "bool": "Bool", "int16": "Short", "int8": "Char"}
        kind = names.get(indices.dtype.name, indices.dtype.name)
        # torch names a bool tensor by its backend type here
        found = "CPUBoolType" if indices.dtype == np.bool_ else f"torch.{kind}Tensor"
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {found} instead (while checking arguments for {op})"
        )


class Embedding(Function):
    r"""$y = W[\mathrm{idx}]$ (rows gathered);  dW = scatter-add of dy's rows at idx,
    $dW[r] = \sum_{k:\ \mathrm{idx}[k] = r} dy[k]$ (see the module docstring).
    """

    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(
        ctx: Any, weight: np.ndarray, indices: np.ndarray, padding_idx: int, scale_grad_by_freq: bool
    ) -> np.ndarray:
        if weight.ndim != 2:
            raise RuntimeError("'weight' must be 2-D")
        _check_indices(indices)
        rows = weight.shape[0]
        if indices.size and (indices.min() < 0 or indices.max() >= rows):
            raise IndexError("index out of range in self")
        ctx.indices, ctx.rows = indices, rows
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        flat = ctx.indices.reshape(-1)
        rows_grad = grad.reshape(flat.size, grad.shape[-1])
        if ctx.scale_grad_by_freq:
            counts = np.bincount(flat, minlength=ctx.rows)
            rows_grad = rows_grad / counts[flat, np.newaxis].astype(grad.dtype)
        if ctx.padding_idx >= 0:
            keep = flat != ctx.padding_idx
            flat, rows_grad = flat[keep], rows_grad[keep]
        return scatter_add_rows(flat, rows_grad, ctx.rows), None, None, None


# below this many looked-up rows np.add.at's per-row cost is smaller than sorting's fixed cost
_SORTED_SCATTER_ROWS = 256


def scatter_add_rows(index: np.ndarray, rows: np.ndarray, num_rows: int) -> np.ndarray:
    """The (num_rows, dim) table whose row r is the sum of the ``rows`` k with ``index[k] = r`` (0 where none).

    Many rows (a language model's batch of tokens): one stable sort of the indices brings the rows of each
    table row together, and ``np.add.reduceat`` sums each run at once (4x np.add.at's row-by-row loop at
    2048 rows of 32); few rows: np.add.at.
    """
    out = np.zeros((num_rows, rows.shape[-1]), dtype=rows.dtype)
    if index.size < _SORTED_SCATTER_ROWS:
        np.add.at(out, index, rows)
        return out
    order = np.argsort(index, kind="stable")
    ordered = index[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    out[ordered[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def embedding(
    weight: Tensor, input: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False, sparse: bool = False
) -> Tensor:
    """``torch.embedding``: rows of ``weight`` at ``input``; ``padding_idx`` -1 means none (torch's convention)."""
    if sparse:
        raise RuntimeError("sparse embedding gradients are not supported by minitorch_nn (use sparse=False)")
    indices = input._data if isinstance(input, Tensor) else np.asarray(input)
    return Embedding.apply(weight, indices, int(padding_idx), bool(scale_grad_by_freq))


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """Rescale in place the rows of ``input`` named by ``indices`` whose ``norm_type``-norm exceeds ``max_norm``."""
    table = input._data
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    _check_indices(idx)
    rows = np.unique(idx.reshape(-1))
    n = table.shape[0]
    # torch selects each distinct index in sorted order: a negative one in range wraps (the lookup
    # rejects it afterwards), the first one out of range fails the select
    bad = rows[(rows < -n) | (rows >= n)]
    if bad.size:
        raise IndexError(f"select(): index {bad[0]} out of range for tensor of size {list(table.shape)} at dimension 0")
    rows = np.unique(rows % n) if n else rows
    norms = np.linalg.norm(table[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    scale = max_norm / (norms[big] + 1e-7)
    table[rows[big]] *= scale[:, np.newaxis].astype(table.dtype)
    input._version_counter.value += 1
    return input


class EmbeddingBag(Function):
    """Pooled lookups per bag: sum (weighted), mean or max (see the module docstring for the derivation)."""

    node_name = "EmbeddingBagBackward0"

    @staticmethod
    def forward(
        ctx: Any,
        weight: np.ndarray,
        per_sample_weights: np.ndarray | None,
        indices: np.ndarray,
        bag_of: np.ndarray,
        n_bags: int,
        mode: str,
        keep: np.ndarray,
        scale_grad_by_freq: bool,
    ) -> np.ndarray:
        rows = weight[indices[keep]]
        bags = bag_of[keep]
        out = np.zeros((n_bags, weight.shape[1]), dtype=weight.dtype)
        ctx.shape, ctx.mode, ctx.scale = weight.shape, mode, scale_grad_by_freq
        ctx.indices, ctx.keep, ctx.bags = indices, keep, bags
        ctx.weighted = per_sample_weights is not None
        if mode == "max":
            arg = np.zeros((n_bags, weight.shape[1]), dtype=np.int64)
            for b in np.unique(bags):
                members = rows[bags == b]
                first = np.argmax(members, axis=0)  # the first of equal maxima, as torch keeps it
                out[b] = members[first, np.arange(members.shape[1])]
                arg[b] = indices[keep][bags == b][first]
            ctx.max_rows, ctx.filled = arg, np.isin(np.arange(n_bags), bags)
            return out
        if per_sample_weights is not None:
            ctx.save_for_backward(weight, per_sample_weights)
            rows = rows * per_sample_weights[keep][:, None]
        np.add.at(out, bags, rows)
        if mode == "mean":
            counts = np.bincount(bags, minlength=n_bags)
            ctx.counts = counts
            out /= np.maximum(counts, 1)[:, None].astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gw = np.zeros(ctx.shape, dtype=grad.dtype) if ctx.needs_input_grad[0] else None
        gp = None
        if ctx.mode == "max":
            if gw is not None:
                bag_ids, dims = np.nonzero(np.broadcast_to(ctx.filled[:, None], ctx.max_rows.shape))
                np.add.at(gw, (ctx.max_rows[bag_ids, dims], dims), grad[bag_ids, dims])
            return gw, None, None, None, None, None, None, None
        kept = ctx.indices[ctx.keep]
        per_row = grad[ctx.bags]
        if ctx.mode == "mean":
            per_row = per_row / np.maximum(ctx.counts, 1)[ctx.bags, None].astype(grad.dtype)
        if ctx.needs_input_grad[1]:
            weight, weights = ctx.saved_tensors
            gp = np.zeros(ctx.indices.shape, dtype=grad.dtype)
            gp[ctx.keep] = np.sum(per_row * weight[kept], axis=1)
        if gw is not None:
            if ctx.weighted:
                per_row = per_row * ctx.saved_tensors[1][ctx.keep][:, None]
            if ctx.scale:  # each row's share divided by how often its index occurs in the input
                counts = np.bincount(ctx.indices, minlength=ctx.shape[0])
                per_row = per_row / counts[kept, None].astype(grad.dtype)
            np.add.at(gw, kept, per_row)
        return gw, gp, None, None, None, None, None, None


def _bags(
    indices: np.ndarray, offsets: np.ndarray | None, include_last_offset: bool
) -> tuple[np.ndarray, np.ndarray, int]:
    """The flat indices, the bag of each position (-1: in none) and the number of bags (torch's checks on offsets)."""
    if indices.ndim == 2:
        n, length = indices.shape
        return indices.reshape(-1), np.repeat(np.arange(n), length), n
    starts = offsets[:-1] if include_last_offset else offsets
    if offsets.size and offsets[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
            f"However, got {offsets[0]}\n[ torch.{'Int' if offsets.dtype == np.int32 else 'Long'}Tensor{{}} ]"
        )
    if offsets.size and offsets[-1] > indices.size:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {indices.size} but got offsets[-1] of {offsets[-1]}"
        )
    ends = np.append(starts[1:], offsets[-1] if include_last_offset else indices.size)
    bag_of = np.full(indices.size, -1, dtype=np.int64)  # positions past the last bag belong to none
    covered = np.repeat(np.arange(starts.size), ends - starts)
    bag_of[: covered.size] = covered
    return indices, bag_of, int(starts.size)


def embedding_bag(
    weight: Tensor,
    input: Tensor,
    offsets: Tensor | None,
    mode: str,
    per_sample_weights: Tensor | None,
    include_last_offset: bool,
    padding_idx: int | None,
    scale_grad_by_freq: bool,
) -> Tensor:
    """The pooled bags (F.embedding_bag's checks happen in nn/functional/sparse.py)."""
    indices = input._data
    _check_indices(indices, "embedding_bag")
    if offsets is not None:
        _check_indices(offsets._data, "embedding_bag")
    flat, bag_of, n_bags = _bags(
        indices, None if offsets is None else offsets._data.astype(np.int64), include_last_offset
    )
    rows = weight._data.shape[0]
    bad = np.nonzero((flat < 0) | (flat >= rows))[0]
    if bad.size:
        raise RuntimeError(
            f"Index {bad[0]} of input takes value {flat[bad[0]]} which is not in the valid range [0, {rows})"
        )
    keep = bag_of >= 0
    if padding_idx is not None:
        keep &= flat != padding_idx
    weights = None
    if per_sample_weights is not None:
        weights = per_sample_weights.reshape(-1) if per_sample_weights.ndim == 2 else per_sample_weights
    return EmbeddingBag.apply(weight, weights, flat.astype(np.int64), bag_of, n_bags, mode, keep, scale_grad_by_freq)


__all__ = ["embedding", "embedding_renorm_"]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {}
