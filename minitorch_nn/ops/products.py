r"""Contractions: einsum, tensordot, kron, trace, cdist, the add-products (addmv, addr, baddbmm, addbmm), vdot.

Every contraction is linear in each operand, so each operand's gradient is the
same contraction with that operand's slot filled by the upstream gradient G:

$$
C = \sum_k A[\dots, k]\, B[k, \dots] \quad\Longrightarrow\quad
dA = \sum G\, B \ \text{(over B's free indices)}, \qquad dB = \sum A\, G.
$$

The fused ops (Trace, Vdot, Addmv, Addr, Baddbmm, Addbmm, Cdist)
write that out; einsum, tensordot, kron and inner are *compositions* of
permutes, views, sums, products and bmm, built node for node as torch builds
them, so their backward is the chain of those nodes' backwards: for einsum that
chain is exactly "einsum of the gradient with the other operands".
"""

from __future__ import annotations

import string
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.tensor import Tensor
from ..kernels.backend import backend_of
from .arithmetic import _inplace, mul
from .matmul import bmm, dot, mm, outer
from .reduction import sum as _sum
from .shape import Reshape as _UnsafeView
from .shape import clone, permute, reshape, unsqueeze, view
from .utils import as_array, check_expand, result_dtype, unbroadcast

# ---------------------------------------------------------------------------------------------
# trace, vdot


def matmul_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b on the arrays' device: kernels/cpu/matmul.py on the CPU, cuBLAS on a GPU (kernels/backend.py)."""
    return backend_of(a).matmul(a, b)


class Trace(Function):
    r"""$y = \sum_i x[i, i]$ over the leading square part of a 2-D x.   dx = dy on that diagonal, 0 elsewhere."""

    node_name = "TraceBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        if x.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
        if x.dtype == np.bool_:
            raise NotImplementedError("\"trace\" not implemented for 'Bool'")
        ctx.shape = x.shape
        return as_array(np.trace(x, dtype=np.int64 if x.dtype.kind in "iu" else None))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = np.zeros(ctx.shape, dtype=grad.dtype)
        n = min(ctx.shape)
        gx[np.arange(n), np.arange(n)] = grad
        return (gx,)


class Vdot(Function):
    r"""$z = \sum_i \bar{x}_i y_i$; for real tensors the dot product.   $dx = dz\, y$,  $dy = dz\, x$."""

    node_name = "VdotBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if x.ndim != 1 or y.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
        if x.shape != y.shape:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] to have the "
                f"same number of elements, but got {x.shape[0]} and {y.shape[0]} elements respectively"
            )
        if x.dtype != y.dtype:
            raise RuntimeError(
                f"dot : expected both vectors to have same dtype, but found {_scalar(x)} and {_scalar(y)}"
            )
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[0] else None)
        return as_array(np.dot(x, y))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        return (grad * y if ctx.needs_input_grad[0] else None), (grad * x if ctx.needs_input_grad[1] else None)


def _scalar(a: np.ndarray) -> str:
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int"}.get(a.dtype.name, a.dtype.name)


_TYPE = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}


# ---------------------------------------------------------------------------------------------
# beta * input + alpha * product


def _scaled_sum(bias: np.ndarray, product: np.ndarray, beta: Any, alpha: Any) -> np.ndarray:
    """beta * bias + alpha * product; beta = 0 ignores bias entirely (nan and inf in it do not propagate)."""
    out = product if alpha == 1 else alpha * product
    if beta == 0:
        return np.broadcast_to(out, product.shape).astype(product.dtype)
    return (out + (bias if beta == 1 else beta * bias)).astype(product.dtype, copy=False)


def _bias_grad(grad: np.ndarray, shape: tuple[int, ...], beta: Any) -> np.ndarray:
    """d(beta * bias)/dbias summed back to bias's shape (zeros when beta = 0, as torch)."""
    return unbroadcast(grad if beta == 1 else beta * grad, shape).astype(grad.dtype, copy=False)


def _scaled(grad: np.ndarray, alpha: Any) -> np.ndarray:
    return grad if alpha == 1 else (alpha * grad).astype(grad.dtype, copy=False)


class Addmv(Function):
    r"""$y = \beta b + \alpha A v$ (b broadcast to A's rows).

    $db = \beta\, dy$ (summed to b's shape);  $dA = \alpha\, dy\, v^T$;  $dv = \alpha A^T dy$.
    """

    node_name = "AddmvBackward0"

    @staticmethod
    def forward(ctx: Any, bias: np.ndarray, mat: np.ndarray, vec: np.ndarray, beta: Any, alpha: Any) -> np.ndarray:
        if mat.ndim != 2 or vec.ndim != 1 or bias.ndim > 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {bias.ndim}, {mat.ndim}, {vec.ndim}")
        n = mat.shape[0]
        if mat.shape[1] != vec.shape[0] or bias.shape not in ((n,), (1,), ()):
            shown = bias.shape[0] if bias.ndim else 1
            raise RuntimeError(
                f"size mismatch, got input ({shown}), mat ({mat.shape[0]}x{mat.shape[1]}), vec ({vec.shape[0]})"
            )
        if not bias.dtype == mat.dtype == vec.dtype:
            names = ", ".join(_scalar(a) for a in (bias, mat))
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {names}, and {_scalar(vec)}")
        ctx.bias_shape, ctx.beta, ctx.alpha = bias.shape, beta, alpha
        ctx.save_for_backward(mat if ctx.needs_input_grad[2] else None, vec if ctx.needs_input_grad[1] else None)
        return _scaled_sum(bias, matmul_kernel(mat, vec), beta, alpha)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        mat, vec = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = _scaled(grad, ctx.alpha)
        gb = _bias_grad(grad, ctx.bias_shape, ctx.beta) if need[0] else None
        gm = np.outer(g, vec) if need[1] else None
        gv = matmul_kernel(mat.T, g) if need[2] else None
        return gb, gm, gv, None, None


class Addr(Function):
    r"""$Y = \beta B + \alpha\, u v^T$.   $dB = \beta\, dY$ (summed to B's shape);  $du = \alpha\, dY\, v$;
    $dv = \alpha\, dY^T u$.
    """

    node_name = "AddrBackward0"

    @staticmethod
    def forward(ctx: Any, bias: np.ndarray, u: np.ndarray, v: np.ndarray, beta: Any, alpha: Any) -> np.ndarray:
        for name, a in (("vec1", u), ("vec2", v)):
            if a.ndim != 1:
                raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {a.ndim}-D")
        check_expand(bias.shape, (u.shape[0], v.shape[0]), bias.dtype)
        ctx.bias_shape, ctx.beta, ctx.alpha = bias.shape, beta, alpha
        ctx.save_for_backward(u if ctx.needs_input_grad[2] else None, v if ctx.needs_input_grad[1] else None)
        return _scaled_sum(bias, np.outer(u, v), beta, alpha)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        u, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = _scaled(grad, ctx.alpha)
        gb = _bias_grad(grad, ctx.bias_shape, ctx.beta) if need[0] else None
        gu = matmul_kernel(g, v) if need[1] else None
        gv = matmul_kernel(g.T, u) if need[2] else None
        return gb, gu, gv, None, None


def _check_batches(a: np.ndarray, b: np.ndarray) -> None:
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")


class Baddbmm(Function):
    r"""$C_b = \beta M_b + \alpha A_b B_b$.   $dM = \beta\, dC$ (summed to M's shape);  $dA_b = \alpha\, dC_b B_b^T$;
    $dB_b = \alpha A_b^T dC_b$.
    """

    node_name = "BaddbmmBackward0"

    @staticmethod
    def forward(ctx: Any, bias: np.ndarray, a: np.ndarray, b: np.ndarray, beta: Any, alpha: Any) -> np.ndarray:
        _check_batches(a, b)
        if b.shape[:2] != (a.shape[0], a.shape[2]):
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, {a.shape[2]}] "
                f"but got: [{b.shape[0]}, {b.shape[1]}]."
            )
        check_expand(bias.shape, (a.shape[0], a.shape[1], b.shape[2]), bias.dtype)
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected scalar type {_scalar(a)} but found {_scalar(b)}")
        if bias.dtype != a.dtype:
            raise RuntimeError(
                f"Input dtypes must be the same, got: input {_TYPE[bias.dtype.name]}, batch1: {_TYPE[a.dtype.name]}, "
                f"batch2: {_TYPE[b.dtype.name]}"
            )
        ctx.bias_shape, ctx.beta, ctx.alpha = bias.shape, beta, alpha
        ctx.save_for_backward(a if ctx.needs_input_grad[2] else None, b if ctx.needs_input_grad[1] else None)
        return _scaled_sum(bias, matmul_kernel(a, b), beta, alpha)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = _scaled(grad, ctx.alpha)
        gm = _bias_grad(grad, ctx.bias_shape, ctx.beta) if need[0] else None
        ga = matmul_kernel(g, b.transpose(0, 2, 1)) if need[1] else None
        gb = matmul_kernel(a.transpose(0, 2, 1), g) if need[2] else None
        return gm, ga, gb, None, None


class Addbmm(Function):
    r"""$C = \beta M + \alpha \sum_b A_b B_b$.   $dM = \beta\, dC$ (summed to M's shape);  $dA_b = \alpha\, dC\, B_b^T$;
    $dB_b = \alpha A_b^T dC$ (the same dC for every batch: the sum over b fans it out).
    """

    node_name = "AddbmmBackward0"

    @staticmethod
    def forward(ctx: Any, bias: np.ndarray, a: np.ndarray, b: np.ndarray, beta: Any, alpha: Any) -> np.ndarray:
        _check_batches(a, b)
        if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
            raise RuntimeError(
                f"Incompatible matrix sizes for bmm ({a.shape[1]}x{a.shape[2]} and {b.shape[1]}x{b.shape[2]})"
            )
        check_expand(bias.shape, (a.shape[1], b.shape[2]), bias.dtype)
        if not bias.dtype == a.dtype == b.dtype:
            first, second = (bias, a) if bias.dtype != a.dtype else (a, b)
            raise RuntimeError(
                f"self and mat2 must have the same dtype, but got {_scalar(first)} and {_scalar(second)}"
            )
        ctx.bias_shape, ctx.beta, ctx.alpha = bias.shape, beta, alpha
        ctx.save_for_backward(a if ctx.needs_input_grad[2] else None, b if ctx.needs_input_grad[1] else None)
        product = matmul_kernel(a, b).sum(axis=0) if a.shape[0] else np.zeros((a.shape[1], b.shape[2]), a.dtype)
        return _scaled_sum(bias, product, beta, alpha)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = _scaled(grad, ctx.alpha)
        gm = _bias_grad(grad, ctx.bias_shape, ctx.beta) if need[0] else None
        ga = matmul_kernel(g, b.transpose(0, 2, 1)) if need[1] else None
        gb = matmul_kernel(a.transpose(0, 2, 1), g) if need[2] else None
        return gm, ga, gb, None, None


# ---------------------------------------------------------------------------------------------
# cdist


class Cdist(Function):
    r"""$d[\dots, i, j] = \lVert x[\dots, i, :] - y[\dots, j, :] \rVert_p$ (batch dims broadcast).

    With $t = x_i - y_j$, for $0 < p < \infty$:

    $$
    \frac{\partial d_{ij}}{\partial x_{ik}} = \frac{\operatorname{sign}(t_k)\, |t_k|^{p-1}}{d_{ij}^{p-1}}
    \quad (0 \text{ where } d = 0),
    \qquad \frac{\partial d_{ij}}{\partial y_{jk}} = -\frac{\partial d_{ij}}{\partial x_{ik}};
    $$

    summing over the other point gives $dx_i = \sum_j G_{ij}\, \partial d_{ij} / \partial x_i$.
    $p = 1$: $\operatorname{sign}(t_k)$.  $p = \infty$: $\operatorname{sign}(t_k)$ where $|t_k| = d$ (the maximising
    coordinate), else 0. $p = 0$ counts non-zero coordinates: piecewise constant, zero gradient.
    """

    node_name = "CdistBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, p: float) -> np.ndarray:
        diff = x[..., :, np.newaxis, :] - y[..., np.newaxis, :, :]
        a = np.abs(diff)
        if p == 0:
            d = (a != 0).sum(axis=-1).astype(x.dtype)
        elif p == 1:
            d = a.sum(axis=-1)
        elif p == 2:
            d = np.sqrt((a * a).sum(axis=-1))
        elif np.isinf(p):
            d = a.max(axis=-1, initial=0.0)
        else:
            d = (a**p).sum(axis=-1) ** (1.0 / p)
        ctx.p, ctx.x_shape, ctx.y_shape = p, x.shape, y.shape
        ctx.save_for_backward(diff, d)
        return d.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        diff, d = ctx.saved_tensors
        p = ctx.p
        dd = d[..., np.newaxis]
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                partial = np.zeros_like(diff)
            elif p == 1:
                partial = np.sign(diff)
            elif np.isinf(p):
                partial = np.sign(diff) * (np.abs(diff) == dd)
            else:
                partial = np.sign(diff) * np.abs(diff) ** (p - 1) / dd ** (p - 1)
            partial = np.where(dd == 0, 0.0, partial)
        weighted = grad[..., np.newaxis] * partial
        gx = unbroadcast(weighted.sum(axis=-2), ctx.x_shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(-weighted.sum(axis=-3), ctx.y_shape) if ctx.needs_input_grad[1] else None
        dtype = grad.dtype
        return (None if gx is None else gx.astype(dtype)), (None if gy is None else gy.astype(dtype)), None


class EuclideanDist(Function):
    r"""torch's matrix-product path for $p = 2$: $d_{ij} = \sqrt{\max(|x_i|^2 + |y_j|^2 - 2 x_i \cdot y_j, 0)}$.

    The same distance as Cdist with $p = 2$, so the same gradient, written as matrix products as the forward is
    (0 where $d = 0$), with $R = G / d$:

    $$
    dx_i = \sum_j G_{ij} \frac{x_i - y_j}{d_{ij}} = x_i \sum_j R_{ij} - (R\, y)_i, \qquad
    dy_j = y_j \sum_i R_{ij} - (R^T x)_j.
    $$
    """

    node_name = "EuclideanDistBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        sq = (x * x).sum(-1)[..., :, np.newaxis] + (y * y).sum(-1)[..., np.newaxis, :]
        d = np.sqrt(np.maximum(sq - 2 * matmul_kernel(x, np.swapaxes(y, -1, -2)), 0.0))
        ctx.save_for_backward(x, y, d)
        return d.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y, d = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(d == 0, 0.0, grad / d).astype(grad.dtype)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = x * ratio.sum(-1)[..., np.newaxis] - matmul_kernel(ratio, y)
        if ctx.needs_input_grad[1]:
            gy = y * ratio.sum(-2)[..., np.newaxis] - matmul_kernel(np.swapaxes(ratio, -1, -2), x)
        return gx, gy


_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """p-norm distances between the rows of x1 (.., P, M) and x2 (.., R, M): shape (.., P, R).

    For p = 2 torch switches to the matrix-product form when P or R exceed 25 (or when asked);
    so do we, with its node (EuclideanDistBackward0, then a view).
    """
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for t in (x1, x2):
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if t is x1 else 2} got: {t.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"expected scalar type {_scalar(x1._data)} but found {_scalar(x2._data)}")
    batch = tuple(np.broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2])))
    rows, cols = x1.shape[-2], x2.shape[-2]
    use_mm = p == 2 and (
        compute_mode == "use_mm_for_euclid_dist"
        or (compute_mode == "use_mm_for_euclid_dist_if_necessary" and (rows > 25 or cols > 25))
    )
    if use_mm:
        size = int(np.prod(batch, dtype=np.int64))
        a = reshape(x1.expand(*batch, rows, x1.shape[-1]), size, rows, x1.shape[-1])
        b = reshape(x2.expand(*batch, cols, x2.shape[-1]), size, cols, x2.shape[-1])
        return view(EuclideanDist.apply(a, b), *batch, rows, cols)
    return Cdist.apply(x1, x2, float(p))


# ---------------------------------------------------------------------------------------------
# einsum


class Diagonal(Function):
    r"""$y[\dots, k] = x[\dots, k, k + \mathrm{offset}]$ (offset $\ge 0$; $x[\dots, k - \mathrm{offset}, k]$ below):
    the diagonal of x over dims (d1, d2), appended as the last dim (torch's ``diagonal``).

    dx = zeros with dy written back onto that diagonal (entries off it do not reach y).
    """

    node_name = "DiagonalBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, d1: int, d2: int) -> np.ndarray:
        ctx.shape, ctx.dims = x.shape, (d1, d2)
        return np.diagonal(x, 0, d1, d2).copy()

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        gx = np.zeros(ctx.shape, dtype=grad.dtype)
        moved = np.moveaxis(gx, ctx.dims, (-2, -1))  # a view: writing it writes gx
        n = grad.shape[-1]
        moved[..., np.arange(n), np.arange(n)] = grad
        return gx, None, None


_LETTERS = set(string.ascii_letters)


def _parse_operand(term: str, offset: int, index: int) -> list[str]:
    """The subscripts of one operand, '...' kept as one item; torch's messages for bad characters."""
    subs: list[str] = []
    i = 0
    while i < len(term):
        ch = term[i]
        if ch == ".":
            if term[i : i + 3] != "..." or "..." in subs:
                raise RuntimeError(f"einsum(): found '.' for operand {index} that is not part of any ellipsis")
            subs.append("...")
            i += 3
            continue
        if ch not in _LETTERS:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {offset + i} in the equation string, subscripts must "
                "be in [a-zA-Z]"
            )
        subs.append(ch)
        i += 1
    return subs


def _einsum_ids(equation: str, operands: Sequence[Tensor]) -> tuple[list[list[Any]], list[Any], dict[Any, int]]:
    """Per operand the id of each dim (a letter, or ('...', k) for the k-th broadcast dim), the output ids,
    and each id's (broadcast) size; torch's checks and messages on the way."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    parsed, offset = [], 0
    for i, term in enumerate(terms):
        parsed.append(_parse_operand(term, offset, i))
        offset += len(term) + 1
    ellipsis_dims = 0
    for i, (subs, op) in enumerate(zip(parsed, operands)):
        labels = len(subs) - ("..." in subs)
        if "..." in subs:
            if labels > op.dim():
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({labels}) is more than the number of "
                    f"dimensions ({op.dim()}) for operand {i}"
                )
            ellipsis_dims = max(ellipsis_dims, op.dim() - labels)
        elif labels != op.dim():
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({labels}) does not match the number of "
                f"dimensions ({op.dim()}) for operand {i} and no ellipsis was given"
            )
    ids: list[list[Any]] = []
    sizes: dict[Any, int] = {}
    for i, (subs, op) in enumerate(zip(parsed, operands)):
        covered = op.dim() - (len(subs) - ("..." in subs))
        dims: list[Any] = []
        for s in subs:
            if s == "...":
                dims += [("...", k) for k in range(ellipsis_dims - covered, ellipsis_dims)]
            else:
                dims.append(s)
        seen: dict[Any, int] = {}
        for d, size in zip(dims, op.shape):
            if d in seen and seen[d] != size:
                raise RuntimeError(
                    f"einsum(): subscript {d} is repeated for operand {i} but the sizes don't match, {size} != {seen[d]}"
                )
            seen[d] = size
        for d, size in seen.items():
            known = sizes.get(d, 1)
            if size != 1 and known != 1 and size != known:
                if isinstance(d, tuple):
                    raise RuntimeError(
                        f"einsum(): dimension {d[1] - (ellipsis_dims - covered)} covered by ellipsis in operand {i}"
                        f"has size {size} which does not broadcast with previously seen ellipsis with size {known} "
                        "for the respective dimension"
                    )
                raise RuntimeError(
                    f"einsum(): subscript {d} has size {size} for operand {i} which does not broadcast with "
                    f"previously seen size {known}"
                )
            sizes[d] = max(known, size) if d in sizes else size
        ids.append(dims)
    ellipsis = [("...", k) for k in range(ellipsis_dims)]
    if arrow:
        out_subs = _parse_operand(rhs, len(lhs) + 2, -1)
        out: list[Any] = []
        for s in out_subs:
            if s == "...":
                out += ellipsis
                continue
            if s in out:
                raise RuntimeError(f"einsum(): output subscript {s} appears more than once in the output")
            if s not in sizes:
                raise RuntimeError(
                    f"einsum(): output subscript {s} does not appear in the equation for any input operand"
                )
            out.append(s)
    else:  # implicit: the broadcast dims, then the subscripts seen exactly once, in alphabetical order
        counts: dict[str, int] = {}
        for dims in ids:
            for d in dims:
                if not isinstance(d, tuple):
                    counts[d] = counts.get(d, 0) + 1
        out = ellipsis + sorted(s for s, c in counts.items() if c == 1)
    return ids, out, sizes


def _aligned(op: Tensor, dims: list[Any], order: list[Any]) -> Tensor:
    """op with repeated ids reduced to their diagonal, missing ids as size-1 dims, permuted into ``order``."""
    dims = list(dims)
    while len(set(dims)) != len(dims):
        first = next(i for i, d in enumerate(dims) if dims.index(d) != i)
        start = dims.index(dims[first])
        op = Diagonal.apply(op, start, first)
        d = dims[start]
        del dims[first], dims[start]
        # torch moves the diagonal (appended last) back to where the subscript first stood
        moved = list(range(op.dim() - 1))
        moved.insert(start, op.dim() - 1)
        op = permute(op, *moved)
        dims.insert(start, d)
    for d in order:
        if d not in dims:
            op = unsqueeze(op, op.dim())
            dims.append(d)
    return permute(op, *[dims.index(d) for d in order])


def _sum_product(left: Tensor, right: Tensor, sum_dims: list[int]) -> Tensor:
    """sum over sum_dims of left * right (same ndim, broadcasting, sum dims kept as size 1), via one bmm.

    torch's ``sumproduct_pair``: dims are sorted into batch (in both), left-only, right-only and summed,
    both sides are permuted and viewed to 3-D, multiplied by bmm and viewed and permuted back.
    """
    lshape, rshape = left.shape, right.shape
    summed = []
    for d in sum_dims:
        if lshape[d] != 1 and rshape[d] != 1:
            summed.append(d)
        elif lshape[d] != 1:
            left = _sum(left, d, keepdim=True)
        elif rshape[d] != 1:
            right = _sum(right, d, keepdim=True)
    if not summed:
        return mul(left, right)
    lshape, rshape = left.shape, right.shape
    batch, left_only, right_only = [], [], []
    for d in range(left.dim()):
        if d in summed:
            continue
        if lshape[d] != 1 and rshape[d] != 1:
            batch.append(d)
        elif rshape[d] != 1:
            right_only.append(d)
        else:
            left_only.append(d)

    def size(dims: list[int], shape: Any) -> int:
        return int(np.prod([shape[d] for d in dims], dtype=np.int64))

    b, m, n, k = size(batch, lshape), size(left_only, lshape), size(right_only, rshape), size(summed, lshape)
    # each side's size-1 dims of the other side's group go last (they change no reshape)
    lhs = reshape(permute(left, *batch, *left_only, *summed, *right_only), b, m, k)
    rhs = reshape(permute(right, *batch, *summed, *right_only, *left_only), b, k, n)
    out_sizes = [lshape[d] for d in batch + left_only] + [rshape[d] for d in right_only] + [1] * len(summed)
    result = view(bmm(lhs, rhs), *out_sizes)
    position = batch + left_only + right_only + summed
    return permute(result, *[position.index(d) for d in range(left.dim())])


def _subscript(n: Any) -> str:
    if n is Ellipsis:
        return "..."
    if 0 <= n < 26:
        return chr(ord("A") + n)
    if 26 <= n < 52:
        return chr(ord("a") + n - 26)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def _sublist_equation(args: Sequence[Any]) -> tuple[str, list[Any]]:
    """torch's second form, einsum(op1, [0, 1], op2, [1, 2], [0, 2]): the equation the sublists spell."""
    operands = list(args[0::2])
    sublists = list(args[1::2])
    output = None
    if len(args) % 2 == 1:  # a trailing output sublist
        output = operands.pop()
    terms = ",".join("".join(_subscript(n) for n in sub) for sub in sublists)
    if output is not None:
        terms += "->" + "".join(_subscript(n) for n in output)
    return terms, operands


def _einsum_without_graph(ids: list[list[Any]], out: list[Any], operands: Sequence[Tensor]) -> Tensor:
    """No graph to record: one ``np.einsum`` on the checked subscripts (it broadcasts size-1 subscripts
    as torch does), instead of the dozen nodes of the graph path."""
    letters = iter(c for c in string.ascii_letters if c not in {d for dims in ids for d in dims})
    names = {d: next(letters) if isinstance(d, tuple) else d for dims in ids for d in dims}
    terms = ",".join("".join(names[d] for d in dims) for dims in ids)
    equation = terms + "->" + "".join(names[d] for d in out)
    result = np.einsum(equation, *[op._data for op in operands], optimize=len(operands) > 3)
    result = as_array(result)
    if len(operands) == 1 and result.dtype.kind in "biu" and any(d not in out for d in ids[0]):
        result = result.astype(np.int64)  # the graph path's last node is then a sum, which gives int64
    if any(np.shares_memory(result, op._data) for op in operands):
        result = result.copy()  # a transpose or diagonal comes back as a view of the input
    return Tensor._make(result)


def einsum(*args: Any) -> Tensor:
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` (operands as varargs or one list), or torch's
    sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (subscripts 0-51, Ellipsis for '...').

    Subscripts shared by operands are multiplied, those absent from the output summed; a subscript
    repeated in one operand takes its diagonal; '...' stands for broadcast dims. Without '->' the output
    is the broadcast dims, then the subscripts that occur once, in alphabetical order. The graph is
    torch's: each operand is aligned (diagonal, unsqueeze, permute) to the output's dims followed by
    the summed ones, dims only one operand has are summed at once, then the operands are contracted left
    to right (multiply, or permute-view-bmm-view-permute), and a final view drops the summed dims.
    The backward is that chain's: for each operand, the einsum of the gradient with the other operands.
    With no graph to record (no operand requires grad) one ``np.einsum`` does the work instead.
    """
    if len(args) < 2:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list"
        )
    if isinstance(args[0], Tensor):
        equation, operands = _sublist_equation(args)
    else:
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    ids, out, sizes = _einsum_ids(equation, operands)
    for op in operands[1:]:
        if op._data.dtype != operands[0]._data.dtype:
            raise RuntimeError(f"expected scalar type {_scalar(operands[0]._data)} but found {_scalar(op._data)}")
    if not (is_grad_enabled() and any(op.requires_grad for op in operands)):
        return _einsum_without_graph(ids, out, operands)
    contracted = [d for d in sizes if d not in out and isinstance(d, tuple)]
    contracted += sorted(d for d in sizes if d not in out and not isinstance(d, tuple))
    order = out + contracted
    aligned = [_aligned(op, dims, order) for op, dims in zip(operands, ids)]
    n_out = len(out)
    if len(aligned) == 1:
        result = aligned[0]
        if contracted:
            return _sum(result, tuple(range(n_out, len(order))))
        return result

    def only_in(i: int) -> list[int]:
        """Summed dims of operand i that no other operand has (size > 1 only in it)."""
        return [
            n_out + j
            for j, d in enumerate(contracted)
            if d in ids[i] and not any(d in ids[o] for o in range(len(ids)) if o != i)
        ]

    result = aligned[0]
    first = [d for d in only_in(0) if result.shape[d] != 1]
    if first:
        result = _sum(result, tuple(first), keepdim=True)
    for i in range(1, len(aligned)):
        op = aligned[i]
        own = [d for d in only_in(i) if op.shape[d] != 1]
        if own:
            op = _sum(op, tuple(own), keepdim=True)
        later = set().union(*(set(ids[o]) for o in range(i + 1, len(ids))))
        sum_dims = [n_out + j for j, d in enumerate(contracted) if d not in later]
        result = _sum_product(result, op, sum_dims)
    if result.dim() > n_out:
        result = view(result, *[result.shape[j] for j in range(n_out)])
    return result


# ---------------------------------------------------------------------------------------------
# tensordot, inner, kron, chain_matmul


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dims of a with the first ``dims`` of b, or the dims listed in
    ``dims = (dims_a, dims_b)``; the free dims of a, then of b, remain. Built as torch builds it:
    permute each side to (free, contracted), view as a matrix, mm, view back."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.dim() or dims > b.dim():
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(a.dim() - dims, a.dim())), list(range(dims))
        shown_a = [d - a.dim() for d in dims_a]
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(dims_a) != len(dims_b):
            raise RuntimeError("both dimension lists should have same length")
        shown_a = dims_a
        dims_a, dims_b = [d % max(a.dim(), 1) for d in dims_a], [d % max(b.dim(), 1) for d in dims_b]
    for da, db, shown in zip(dims_a, dims_b, shown_a):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[da]} in dim {shown} and second "
                f"has size {b.shape[db]} in dim {db}"
            )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    free_a = [d for d in range(a.dim()) if d not in dims_a]
    free_b = [d for d in range(b.dim()) if d not in dims_b]
    k = int(np.prod([a.shape[d] for d in dims_a], dtype=np.int64))
    rows = int(np.prod([a.shape[d] for d in free_a], dtype=np.int64))
    cols = int(np.prod([b.shape[d] for d in free_b], dtype=np.int64))
    lhs = reshape(permute(a, *free_a, *dims_a), rows, k)
    rhs = reshape(permute(b, *dims_b, *free_b), k, cols)
    shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return view(mm(lhs, rhs), *shape)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum over the last dims: out[i.., j..] = sum_k input[i.., k] other[j.., k] (a product if one is 0-d)."""
    if input.dim() == 0 or other.dim() == 0:
        return mul(input, other)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes {list(input.shape)} "
            f"and {list(other.shape)}"
        )
    if input._data.dtype != other._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if input.dim() == 1 and other.dim() == 1:  # torch's graph for two vectors: a dot, viewed
        return view(dot(permute(input, 0), other), ())
    return tensordot(input, other, ([-1], [-1]))


def kron(input: Tensor, other: Tensor) -> Tensor:
    """Kronecker product: out[i*p + k, j*q + l] = a[i, j] b[k, l] (any ranks, the shorter padded with 1s in front).

    a viewed as (a0, 1, a1, 1, ..), b as (1, b0, 1, b1, ..), multiplied (broadcast) and the pairs merged;
    the views are torch's ``_unsafe_view`` nodes, the product a Mul: their backwards give
    da[i, j] = sum_{k, l} G[i*p + k, j*q + l] b[k, l] and db alike.
    """
    n = max(input.dim(), other.dim())
    ashape = (1,) * (n - input.dim()) + tuple(input.shape)
    bshape = (1,) * (n - other.dim()) + tuple(other.shape)
    a = _UnsafeView.apply(input, tuple(s for d in ashape for s in (d, 1)))
    b = _UnsafeView.apply(other, tuple(s for d in bshape for s in (1, d)))
    return _UnsafeView.apply(mul(a, b), tuple(x * y for x, y in zip(ashape, bshape)))


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of 2-D matrices, left to right (deprecated in torch, which warns; so do we)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use torch.linalg.multi_dot "
        "instead, which accepts a list of two or more tensors rather than multiple parameters.",
        stacklevel=2,
    )
    if len(matrices) == 0:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    if len(matrices) == 1:
        return clone(matrices[0])
    result = matrices[0]
    for m in matrices[1:]:
        result = mm(result, m)
    return view(result, *result.shape)


_DTYPE_NAMES = {"float32": "float", "float64": "double", "int64": "long int"}


def _chain_order(dims: list[int]) -> list[list[int]]:
    """The classic matrix-chain dynamic programme: split[i][j] is where the cheapest product of
    matrices i..j splits, for matrices of shapes (dims[i], dims[i + 1])."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = -1
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] == -1 or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """``linalg.multi_dot``: the product of a chain of matrices in the cheapest order (the first may
    be a row vector, the last a column vector); each mm's backward is the usual dA = G B^T, dB = A^T G.

    torch's graph: the vectors unsqueezed, the mms in the order the matrix-chain programme picks,
    then one view to the output's shape.
    """
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0].dim(), tensors[-1].dim()
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i, t in enumerate(tensors[1:-1], start=1):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    for i, t in enumerate(tensors[1:], start=1):
        if t._data.dtype != tensors[0]._data.dtype:
            names = [_DTYPE_NAMES.get(x._data.dtype.name, x._data.dtype.name) for x in (tensors[0], t)]
            raise RuntimeError(
                f"multi_dot(): all tensors must have be the same dtype but tensor 0 is {names[0]} and tensor {i} "
                f"{names[1]}"
            )
    mats = list(tensors)
    if first == 1:
        mats[0] = unsqueeze(mats[0], 0)
    if last == 1:
        mats[-1] = unsqueeze(mats[-1], 1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied"
            )
    shape = ([mats[0].shape[0]] if first == 2 else []) + ([mats[-1].shape[1]] if last == 2 else [])
    dims = [m.shape[0] for m in mats] + [mats[-1].shape[1]]
    split = _chain_order(dims)

    def product(i: int, j: int) -> Tensor:
        if i == j:
            return mats[i]
        k = split[i][j]
        return mm(product(i, k), product(k + 1, j))

    return view(product(0, n - 1), *shape)


# ---------------------------------------------------------------------------------------------
# public functions


def trace(input: Tensor) -> Tensor:
    return Trace.apply(input)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    return Vdot.apply(input, other)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat @ vec); beta = 0 ignores input (nan in it does not propagate)."""
    return Addmv.apply(input, mat, vec, beta, alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2); beta = 0 ignores input. Mixed dtypes promote, as in torch."""
    dtype = result_dtype(input, vec1, vec2)
    input, vec1, vec2 = (t.to(dtype) for t in (input, vec1, vec2))
    return Addr.apply(input, vec1, vec2, beta, alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2); beta = 0 ignores input."""
    return Baddbmm.apply(input, batch1, batch2, beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]; beta = 0 ignores input."""
    return Addbmm.apply(input, batch1, batch2, beta, alpha)


def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """torch's old name of ``outer``."""
    return outer(input, vec2)


__all__ = [
    "addbmm",
    "addmv",
    "addr",
    "baddbmm",
    "cdist",
    "chain_matmul",
    "einsum",
    "ger",
    "inner",
    "kron",
    "tensordot",
    "trace",
    "vdot",
]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...)
TENSOR_METHODS: dict = {
    "addbmm": addbmm,
    "addbmm_": _inplace(addbmm),
    "addmv": addmv,
    "addmv_": _inplace(addmv),
    "addr": addr,
    "addr_": _inplace(addr),
    "baddbmm": baddbmm,
    "baddbmm_": _inplace(baddbmm),
    "ger": ger,
    "inner": inner,
    "kron": kron,
    "trace": trace,
    "vdot": vdot,
}
