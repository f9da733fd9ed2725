r"""Scaled dot-product attention, forward and a hand-written backward.

Forward. Q is (..., L, E), K is (..., S, E), V is (..., S, Ev) (batch dims
broadcast); with s = scale ($1 / \sqrt{E}$ by default) and an additive mask M
(a float mask as given; a bool mask as 0 where True and $-\infty$ where False; the
causal mask as $-\infty$ above the diagonal):

$$
\begin{aligned}
A &= s\, Q K^T + M && (\dots, L, S) \text{ the scores}, \\
P &= \operatorname{softmax}(A) \text{ along } S
  && \text{(a row of all } -\infty \text{ gives } P = 0\text{, as torch's safe softmax)}, \\
P_d &= P \odot D / (1 - p) && \text{(dropout with keep-mask } D\text{; } P_d = P \text{ when } p = 0), \\
O &= P_d V && (\dots, L, E_v).
\end{aligned}
$$

Backward, with $G = \partial L / \partial O$. The two products give

$$
dV = P_d^T G, \qquad dP_d = G V^T, \qquad dP = dP_d \odot D / (1 - p).
$$

The softmax Jacobian, worked out once. For one row, $P_j = e^{A_j} / \sum_k e^{A_k}$, so
$\partial P_j / \partial A_i = P_j (\delta_{ij} - P_i)$ and

$$
dA_i = \sum_j dP_j\, P_j (\delta_{ij} - P_i) = P_i \Big(dP_i - \sum_j dP_j\, P_j\Big),
$$

that is, for the whole tensor, $dA = P \odot (dP - \operatorname{rowsum}(dP \odot P))$. (A fully masked row
has $P = 0$, hence $dA = 0$ there: no gradient flows through it, as in torch.) Then
$A = s\, Q K^T + M$ gives

$$
dQ = s\, dA\, K, \qquad dK = s\, dA^T Q, \qquad dM = dA \ \text{(summed down to M's shape)}.
$$

With ``enable_gqa`` the Hk key/value heads are repeated to the Hq query heads
(each key head serves Hq / Hk consecutive query heads); the gradient of a repeated
head is the sum over the query heads it served.

One Function for the whole computation, so the graph holds one node. torch's CPU
dispatch names it by the kernel it picked: the flash kernel
(``ScaledDotProductFlashAttentionForCpuBackward0``) for 4-D inputs with no dropout,
equal head dims and no mask that needs a gradient; otherwise the math path, whose
last op is a matmul (``MmBackward0`` for 2-D inputs, ``UnsafeViewBackward0``
above). Ours takes the name torch would show for the same call. An explicit mask with
``is_causal`` is refused on the math path (torch's error) and combined with the causal
mask on the flash path, as torch's flash kernel does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.tensor import Tensor
from ..kernels.cpu.attention import causal_softmax_, softmax_backward_
from ..kernels.cpu.matmul import matmul
from .dropout import keep_mask
from .utils import unbroadcast

_DTYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "bool": "bool"}


def _swap(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


def _repeat_heads(x: np.ndarray, groups: int) -> np.ndarray:
    return x if groups == 1 else np.repeat(x, groups, axis=-3)


def _sum_heads(grad: np.ndarray, groups: int) -> np.ndarray:
    if groups == 1:
        return grad
    *lead, heads, rows, cols = grad.shape
    return grad.reshape(*lead, heads // groups, groups, rows, cols).sum(axis=-3)


def _scaled_keep(keep: np.ndarray, p: float, dtype: np.dtype) -> np.ndarray:
    """D / (1 - p), all zeros when p = 1 (everything dropped)."""
    if p >= 1.0:
        return np.zeros(keep.shape, dtype=dtype)
    return keep.astype(dtype) / dtype.type(1 - p)


class _Attention(Function):
    r"""$O = \operatorname{dropout}(\operatorname{softmax}(s\, Q K^T + M))\, V$; the backward is derived in the
    module docstring.
    """

    @staticmethod
    def forward(
        ctx: Any,
        query: np.ndarray,
        key: np.ndarray,
        value: np.ndarray,
        float_mask: np.ndarray | None,
        blocked: np.ndarray | None,
        causal: bool,
        scale: float,
        dropout_keep: np.ndarray | None,
        dropout_p: float,
        groups: int,
    ) -> np.ndarray:
        dtype = query.dtype
        key_r, value_r = _repeat_heads(key, groups), _repeat_heads(value, groups)
        scores = np.asarray(matmul(query, _swap(key_r)), dtype=dtype)
        if causal and float_mask is None and blocked is None:  # the causal mask alone: fused row passes
            probs = causal_softmax_(np.ascontiguousarray(scores), scale)
            return _Attention._finish(
                ctx, query, key, value, key_r, value_r, probs, None, scale, dropout_keep, dropout_p, groups
            )
        scores *= dtype.type(scale)
        if causal:
            above = np.triu(np.ones(scores.shape[-2:], dtype=bool), k=1)
            blocked = above if blocked is None else blocked | above
        if float_mask is not None:
            shape = np.broadcast_shapes(scores.shape, float_mask.shape)
            scores = scores + float_mask if shape != scores.shape else np.add(scores, float_mask, out=scores)
        if blocked is not None:  # bool and causal masks: -inf where not attended, no float mask made
            shape = np.broadcast_shapes(scores.shape, blocked.shape)
            if shape != scores.shape:
                scores = np.array(np.broadcast_to(scores, shape))
            np.copyto(scores, dtype.type(-np.inf), where=blocked)
        # the softmax in place over the scores: shift by the row maximum, exponentiate, normalise
        row_max = scores.max(axis=-1, keepdims=True, initial=-np.inf)
        # a fully masked row has no finite maximum: shifted by 0 its exponentials are all 0, hence P = 0
        dead = ~np.isfinite(row_max)
        any_dead = bool(dead.any())
        scores -= np.where(dead, 0, row_max) if any_dead else row_max
        probs = np.exp(scores, out=scores)
        total = probs.sum(axis=-1, keepdims=True)
        probs /= np.where(dead, 1, total) if any_dead else total
        return _Attention._finish(
            ctx, query, key, value, key_r, value_r, probs, float_mask, scale, dropout_keep, dropout_p, groups
        )

    @staticmethod
    def _finish(ctx, query, key, value, key_r, value_r, probs, float_mask, scale, dropout_keep, dropout_p, groups):
        """O = dropout(P) V from the weights P; keeps what backward needs."""
        dtype = query.dtype
        dropped = probs
        if dropout_keep is not None:
            dropped = probs * _scaled_keep(dropout_keep, dropout_p, dtype)
        out = np.asarray(matmul(dropped, value_r), dtype=dtype)
        ctx.scale, ctx.groups, ctx.dropout_p = scale, groups, dropout_p
        ctx.mask_shape = None if float_mask is None else float_mask.shape
        ctx.query_shape, ctx.key_shape, ctx.value_shape = query.shape, key.shape, value.shape
        ctx.save_for_backward(query, key_r, value_r, probs, dropped, dropout_keep)
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        query, key_r, value_r, probs, dropped, dropout_keep = ctx.saved_tensors
        dtype, scale, groups = grad.dtype, ctx.scale, ctx.groups
        gq = gk = gv = gm = None
        if ctx.needs_input_grad[2]:
            gv = unbroadcast(_sum_heads(matmul(_swap(dropped), grad), groups), ctx.value_shape)
        grad_probs = np.asarray(matmul(grad, _swap(value_r)), dtype=dtype)
        if dropout_keep is not None:
            grad_probs *= _scaled_keep(dropout_keep, ctx.dropout_p, dtype)
        grad_scores = softmax_backward_(probs, grad_probs)  # the Jacobian, fused: kernels/cpu/attention.py
        if ctx.needs_input_grad[0]:
            gq = matmul(grad_scores, key_r)
            gq *= dtype.type(scale)
            gq = unbroadcast(gq, ctx.query_shape)
        if ctx.needs_input_grad[1]:
            gk = _sum_heads(matmul(_swap(grad_scores), query), groups)
            gk *= dtype.type(scale)
            gk = unbroadcast(gk, ctx.key_shape)
        if ctx.needs_input_grad[3]:
            gm = unbroadcast(grad_scores, ctx.mask_shape)
        return gq, gk, gv, gm, None, None, None, None, None, None


class _FlashAttention(_Attention):
    """The flash kernel's output keeps the query's memory layout (so, as in torch, a permuted query gives a
    permuted output, and permuting back is free)."""

    node_name = "ScaledDotProductFlashAttentionForCpuBackward0"

    @staticmethod
    def forward(ctx: Any, query: np.ndarray, *args: Any) -> np.ndarray:
        out = _Attention.forward(ctx, query, *args)
        laid_out = np.empty_like(query, order="K")
        laid_out[...] = out
        return laid_out


class _MatmulAttention(_Attention):
    node_name = "UnsafeViewBackward0"


class _MmAttention(_Attention):
    node_name = "MmBackward0"


def _dtype_name(array: np.ndarray) -> str:
    return _DTYPE_NAMES.get(array.dtype.name, array.dtype.name)


def _check_inputs(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None, enable_gqa: bool) -> int:
    q, k, v = query._data, key._data, value._data
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
            f"{q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead."
        )
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_dtype_name(q)} key.dtype: {_dtype_name(k)} and value.dtype: {_dtype_name(v)} instead."
        )
    if attn_mask is not None:
        m = attn_mask._data
        if m.dtype != np.bool_ and m.dtype != q.dtype:
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: "
                f"{_dtype_name(m)} and  query.dtype: {_dtype_name(q)} instead."
            )
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{int(np.prod(q.shape[:-2]))}, {q.shape[-1]}] but got: [{int(np.prod(k.shape[:-2]))}, {k.shape[-1]}]."
        )
    if k.shape[-2] != v.shape[-2]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{int(np.prod(q.shape[:-2]))}, {k.shape[-2]}] but got: [{int(np.prod(v.shape[:-2]))}, {v.shape[-2]}]."
        )
    groups = 1
    if enable_gqa and q.ndim >= 3 and k.ndim >= 3:
        if q.shape[-3] % k.shape[-3] or k.shape[-3] != v.shape[-3]:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
        groups = q.shape[-3] // k.shape[-3]
    return groups


def _broadcast_error(a: tuple[int, ...], b: tuple[int, ...]) -> RuntimeError | None:
    """torch's message for two shapes that do not broadcast (None when they do)."""
    for i in range(1, min(len(a), len(b)) + 1):
        x, y = a[-i], b[-i]
        if x != y and x != 1 and y != 1:
            dim = max(len(a), len(b)) - i
            return RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {dim}"
            )
    return None


def _flash_eligible(q: np.ndarray, k: np.ndarray, v: np.ndarray, groups: int) -> bool:
    """torch's CPU flash kernel: 4-D, equal head dims, unit last-dim strides, no broadcast batch or heads (save GQA's)."""
    if not q.ndim == k.ndim == v.ndim == 4 or not q.shape[-1] == v.shape[-1]:
        return False
    if any(x.strides[-1] != x.itemsize for x in (q, k, v)):
        return False
    same_batch = q.shape[0] == k.shape[0] == v.shape[0] and k.shape[1] == v.shape[1]
    return same_batch and q.shape[1] == k.shape[1] * groups


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T * scale + mask) V, with dropout on the attention weights (see the module docstring)."""
    groups = _check_inputs(query, key, value, attn_mask, enable_gqa)
    q, k = query._data, key._data
    length, source = q.shape[-2], k.shape[-2]
    key_batch = k.shape[:-2]
    if groups > 1:
        key_batch = key_batch[:-1] + (key_batch[-1] * groups,)
    problem = _broadcast_error(q.shape[:-2], key_batch) or _broadcast_error(k.shape[:-2], value._data.shape[:-2])
    if problem is not None:
        raise problem
    batch = np.broadcast_shapes(q.shape[:-2], key_batch)
    score_shape = tuple(batch) + (length, source)
    float_mask, blocked = None, None
    if attn_mask is not None:
        mask_shape = attn_mask._data.shape
        problem = _broadcast_error(score_shape, mask_shape)
        if problem is not None:
            raise problem
        if attn_mask._data.dtype == np.bool_:
            blocked = ~attn_mask._data  # True: not attended
        else:
            float_mask = attn_mask
    mask_needs_grad = float_mask is not None and float_mask.requires_grad and is_grad_enabled()
    flash = _flash_eligible(q, k, value._data, groups) and dropout_p == 0.0 and not mask_needs_grad
    if is_causal:
        if attn_mask is not None and not flash:
            raise RuntimeError(
                "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"
            )
        # torch's flash kernel applies both an explicit mask and the causal one (the Function combines them)
    keep = None
    if dropout_p > 0.0:
        keep = keep_mask(score_shape, dropout_p)
    scale_value = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    if q.ndim == 2:
        function: type[_Attention] = _MmAttention
    elif flash:
        function = _FlashAttention
    else:
        function = _MatmulAttention
    return function.apply(query, key, value, float_mask, blocked, is_causal, scale_value, keep, dropout_p, groups)


# F.scaled_dot_product_attention only: torch has no torch.scaled_dot_product_attention
__all__: list[str] = []
TENSOR_METHODS: dict[str, Any] = {}
