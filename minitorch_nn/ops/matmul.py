r"""Matrix products: mm, addmm, mv, dot, bmm, matmul, outer.

For $C = A B$ the chain rule gives

$$
\frac{\partial L}{\partial A} = \frac{\partial L}{\partial C} B^T,
\qquad \frac{\partial L}{\partial B} = A^T \frac{\partial L}{\partial C}:
$$

each operand's gradient is the upstream gradient multiplied by the *other*
operand, transposed, on the side where that operand stood.

``matmul`` builds the graph torch builds for each case: 1-D . 1-D is ``dot``,
2-D . 1-D ``mv``, a 1-D left operand is a row (unsqueeze, mm, squeeze_), an
N-D left operand times a matrix or vector folds its batch dims into rows
(reshape, mm/mv, ``_unsafe_view``), a matrix times an N-D right operand is
the transposed problem, and two batched operands broadcast their batch dims
(expand, reshape to 3-D, bmm, ``_unsafe_view``), except that of two 3-D operands
one with a batch of one that requires grad is squeezed to a matrix first.
Folding follows torch's ``should_fold`` (``_should_fold``): when the small
operand requires grad, or when the N-D one folds without a copy; otherwise an
N-D operand with a vector or matrix takes the batched path too (a vector as a
row or a column of a batch of matrices). Shape errors are torch's, as each
path raises them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..kernels.backend import backend_of
from .shape import Reshape as _UnsafeView
from .shape import contiguous, expand, reshape, squeeze, transpose, unsqueeze
from .utils import as_array, check_expand, result_dtype, unbroadcast


def matmul_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b on the arrays' device: kernels/cpu/matmul.py on the CPU, cuBLAS on a GPU (kernels/backend.py)."""
    return backend_of(a).matmul(a, b)


def _check_mm(a: np.ndarray, b: np.ndarray) -> None:
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and {b.shape[0]}x{b.shape[1]})"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_tname(a)} != {_tname(b)}")


def _tname(a: np.ndarray) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int"}.get(a.dtype.name, a.dtype.name)


class Mm(Function):
    r"""$C = A B$  (A: n x k, B: k x m).   $dA = dC\, B^T$,  $dB = A^T dC$."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_mm(a, b)
        ctx.b_transposed = _is_transposed(b)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        return matmul_kernel(a, b)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        ga = matmul_kernel(grad, b.T) if ctx.needs_input_grad[0] else None
        gb = _grad_mat2(a, grad, ctx.b_transposed) if ctx.needs_input_grad[1] else None
        return ga, gb


class Addmm(Function):
    r"""$C = \beta \cdot \mathrm{bias} + \alpha A B$, with bias broadcast over the rows.

    $d\mathrm{bias} = \beta\, dC$ summed down to bias's shape;  $dA = \alpha\, dC\, B^T$;  $dB = \alpha A^T dC$.
    ``F.linear(x, W, b)`` is ``addmm(b, x, W.t())``, as in torch.
    """

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(
        ctx: Any, bias: np.ndarray, a: np.ndarray, b: np.ndarray, beta: float = 1, alpha: float = 1
    ) -> np.ndarray:
        _check_mm(a, b)
        n, m = a.shape[0], b.shape[1]
        if bias.shape != (m,) and bias.shape != (n, m):  # (the usual shapes expand: no need to check)
            check_expand(bias.shape, (n, m), bias.dtype)  # the bias must expand to (n, m)
        ctx.bias_shape, ctx.beta, ctx.alpha = bias.shape, beta, alpha
        ctx.b_transposed = _is_transposed(b)
        ctx.save_for_backward(a if ctx.needs_input_grad[2] else None, b if ctx.needs_input_grad[1] else None)
        out = matmul_kernel(a, b)
        if alpha != 1:
            out *= alpha
        out += bias if beta == 1 else beta * bias
        return out

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        gbias = None
        if ctx.needs_input_grad[0]:
            gbias = unbroadcast(grad if ctx.beta == 1 else ctx.beta * grad, ctx.bias_shape)
        g = grad if ctx.alpha == 1 else ctx.alpha * grad
        ga = matmul_kernel(g, b.T) if ctx.needs_input_grad[1] else None
        gb = _grad_mat2(a, g, ctx.b_transposed) if ctx.needs_input_grad[2] else None
        return gbias, ga, gb, None, None


def _is_transposed(b: np.ndarray) -> bool:
    """Is b a transposed row-major matrix (a linear layer's W^T)?"""
    return b.ndim == 2 and b.flags.f_contiguous and not b.flags.c_contiguous


def _grad_mat2(a: np.ndarray, g: np.ndarray, transposed: bool) -> np.ndarray:
    """dB = A^T dC, laid out as B: for a transposed B (``_is_transposed``) computed as (dC^T A)^T, so
    that W's gradient comes out row-major, as W (torch's mm backward does the same)."""
    if transposed:
        return matmul_kernel(g.T, a).T
    return matmul_kernel(a.T, g)


class Mv(Function):
    r"""$y = A v$  (A: n x k, v: k).   $dA = dy\, v^T$ (an outer product),  $dv = A^T dy$."""

    node_name = "MvBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, v: np.ndarray) -> np.ndarray:
        if a.ndim != 2 or v.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
        if a.shape[1] != v.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), vec ({v.shape[0]})"
            )
        _check_same_dtype(a, v)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, v if ctx.needs_input_grad[0] else None)
        return matmul_kernel(a, v)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, v = ctx.saved_tensors
        ga = np.outer(grad, v) if ctx.needs_input_grad[0] else None
        gv = matmul_kernel(a.T, grad) if ctx.needs_input_grad[1] else None
        return ga, gv


class Dot(Function):
    r"""$z = \sum_i x_i y_i$.   $dx = dz\, y$,  $dy = dz\, x$ (dz is a scalar)."""

    node_name = "DotBackward0"

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
                f"dot : expected both vectors to have same dtype, but found {_scalar_name(x)} and {_scalar_name(y)}"
            )
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[0] else None)
        return as_array(np.dot(x, y))

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, y = ctx.saved_tensors
        gx = grad * y if ctx.needs_input_grad[0] else None
        gy = grad * x if ctx.needs_input_grad[1] else None
        return gx, gy


class Bmm(Function):
    r"""$C_b = A_b B_b$ for every batch b.   $dA_b = dC_b\, B_b^T$,  $dB_b = A_b^T dC_b$."""

    node_name = "BmmBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim != 3:
            raise RuntimeError("batch1 must be a 3D tensor")
        if b.ndim != 3:
            raise RuntimeError("batch2 must be a 3D tensor")
        if b.shape[:2] != (a.shape[0], a.shape[2]):
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, {a.shape[2]}] "
                f"but got: [{b.shape[0]}, {b.shape[1]}]."
            )
        _check_same_dtype(a, b)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        return matmul_kernel(a, b)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        ga = matmul_kernel(grad, b.transpose(0, 2, 1)) if ctx.needs_input_grad[0] else None
        gb = matmul_kernel(a.transpose(0, 2, 1), grad) if ctx.needs_input_grad[1] else None
        return ga, gb


class SqueezeRow(Function):
    """y = the 1 x m row x as a vector (torch's in-place ``squeeze_(0)`` in matmul).   $dx = dy$ as a row."""

    node_name = "SqueezeBackward4"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x[0]

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        return (grad[np.newaxis],)


def _check_same_dtype(a: np.ndarray, b: np.ndarray) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_tname(a)} != {_tname(b)}")


def _scalar_name(a: np.ndarray) -> str:
    return {"float32": "Float", "float64": "Double", "int64": "Long"}.get(a.dtype.name, a.dtype.name)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return Mm.apply(input, mat2)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    if not isinstance(input, Tensor):
        input = Tensor._make(np.asarray(input, dtype=result_dtype(mat1, mat2)))
    return Addmm.apply(input, mat1, mat2, beta, alpha)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    return Mv.apply(input, vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    return Dot.apply(input, other)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    return Bmm.apply(input, mat2)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """out[i, j] = input[i] * vec2[j]: a column times a row, broadcast (torch's graph: View, Mul)."""
    return reshape(input, -1, 1) * vec2


def _fold(a: Tensor, b: Tensor) -> Tensor:
    """a (..., n, k) times b (k, m) or (k,): the batch dims of a become rows of one mm/mv."""
    rows = reshape(a, -1, a.shape[-1])
    out = mm(rows, b) if b.ndim == 2 else mv(rows, b)
    return _UnsafeView.apply(out, (*a.shape[:-1], *b.shape[1:]))


def _should_fold(input: Tensor, other: Tensor) -> bool:
    """torch's ``should_fold``: multiply an N-D operand by a matrix or vector as one mm/mv over folded rows?

    Only for an N-D (>= 3) operand with a 1-D/2-D one. Always when the small operand requires grad (its
    gradient is then one mm, not a bmm summed over the batch); never for a 2-D left operand (the
    transposed result would need a copy); otherwise when the N-D operand (transposed when on the
    right) folds without a copy: its leading dims contiguous over each other.
    """
    larger_left = input.ndim >= other.ndim
    big, small = (input, other) if larger_left else (other, input)
    if not (big.ndim >= 3 and small.ndim <= 2):
        return False
    if small.requires_grad:
        return True
    if input.ndim == 2:
        return False
    if big.numel() == 0:
        return True
    item = big._data.itemsize
    strides = [s // item for s in big._data.strides]
    shape = list(big.shape)
    if not larger_left:  # the right operand is folded as its transpose
        strides[-2:], shape[-2:] = strides[-2:][::-1], shape[-2:][::-1]
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(len(shape) - 1))


def _broadcast_batch(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast of two batch shapes, with torch's message when they do not broadcast."""
    n = max(len(a), len(b))
    out = []
    for i in range(n):
        x = a[i - n + len(a)] if i - n + len(a) >= 0 else 1
        y = b[i - n + len(b)] if i - n + len(b) >= 0 else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {i}"
            )
        out.append(max(x, y) if min(x, y) != 0 else 0)
    return tuple(out)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product with NumPy's rules for 1-D and batched operands (see the module docstring)."""
    da, db = input.ndim, other.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        return SqueezeRow.apply(mm(unsqueeze(input, 0), other))
    if da == 2 and db == 2:
        return mm(input, other)
    if _should_fold(input, other):
        if da >= 3:
            return _fold(input, other)
        # (b^T a^T)^T: the batched operand's batch dims fold into rows of the transposed product
        if da == 1:
            return _fold(transpose(other, -1, -2), input)
        return contiguous(transpose(_fold(transpose(other, -1, -2), input.t()), -1, -2))
    if da == 3 and db == 3 and (input.shape[0] == 1) != (other.shape[0] == 1):
        # torch's graph: a batch-of-one operand that requires grad is squeezed to a matrix and the
        # other folded, so its gradient is one mm rather than a bmm summed over the batch
        if input.shape[0] == 1 and input.requires_grad:
            return matmul(squeeze(input, 0), other)
        if other.shape[0] == 1 and other.requires_grad:
            return matmul(input, squeeze(other, 0))
    # the batched product: a 1-D left operand is a row, a 1-D right one a column
    n = input.shape[-2] if da > 1 else 1
    k = input.shape[-1]
    k2 = other.shape[-2] if db > 1 else other.shape[0]
    m = other.shape[-1] if db > 1 else 1
    batch = _broadcast_batch(tuple(input.shape[:-2]), tuple(other.shape[:-2]))
    size = int(np.prod(batch, dtype=np.int64))
    a = reshape(expand(input, *batch, n, k), size, n, k)
    if db == 1:
        b = unsqueeze(reshape(expand(other, *batch, k2), size, k2), 2)
        out = squeeze(bmm(a, b), -1)
    else:
        out = bmm(a, reshape(expand(other, *batch, k2, m), size, k2, m))
    return _UnsafeView.apply(out, (*batch, *((n,) if da > 1 else ()), *((m,) if db > 1 else ())))


__all__ = ["addmm", "bmm", "dot", "matmul", "mm", "mv", "outer"]

TENSOR_METHODS = {
    "mm": mm,
    "addmm": addmm,
    "mv": mv,
    "dot": dot,
    "bmm": bmm,
    "outer": outer,
    "matmul": matmul,
    "__matmul__": matmul,
    "__rmatmul__": lambda self, other: matmul(other, self),
}
