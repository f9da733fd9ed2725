"""The everyday Tensor API around the core ops: new_* factories, dtype shortcuts, metadata properties,
in-place aliases, and the small pointwise and vector ops (addcmul, addcdiv, diff, dist, renorm,
heaviside, gcd, lcm, ldexp, frexp, bincount, histc).

The metadata properties describe what this library is: dense, strided CPU tensors that are never
complex, quantized, sparse, nested or inference tensors; they answer as torch answers for such a tensor.
Where torch decomposes an op into others (diff is a narrow and a subtraction), it is built from those
ops here too, so the graph has torch's nodes; the others are Functions with their derivation stated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor, on_device, wrap_dim
from ..autograd.types import to_numpy_dtype
from .arithmetic import _inplace, abs, div, mul, neg, sign, sub
from .comparison import ne
from .indexing import cat, narrow
from .reduction import sum as _sum
from .return_types import named_result
from .utils import binary_operands, check_broadcast, result_dtype, unbroadcast


class layout:  # noqa: N801  (torch's name)
    """A tensor's memory layout; every tensor here is ``torch.strided``."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"


strided = layout("strided")
_frexp_result = named_result("frexp", ("mantissa", "exponent"))


# ---- new_* factories --------------------------------------------------------------------------------


def _new(self: Tensor, array: np.ndarray, requires_grad: bool, device: Any) -> Tensor:
    # torch: new_* tensors are on self's device unless device= says otherwise
    t = Tensor._make(on_device(array, self.device if device is None else device))
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _new_size(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"new_zeros(): argument 'size' (position 1) must be tuple of ints, not {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _new_dtype(self: Tensor, dtype: Any) -> np.dtype:
    """The source tensor's dtype unless ``dtype`` names another."""
    return to_numpy_dtype(dtype) or self._data.dtype


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(self, np.zeros(_new_size(size), _new_dtype(self, dtype)), requires_grad, device)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(self, np.ones(_new_size(size), _new_dtype(self, dtype)), requires_grad, device)


def new_empty(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    # zeroed rather than uninitialized: reproducible, and as cheap
    return _new(self, np.zeros(_new_size(size), _new_dtype(self, dtype)), requires_grad, device)


def new_full(
    self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _new(self, np.full(_new_size((size,)), fill_value, _new_dtype(self, dtype)), requires_grad, device)


def new_empty_strided(
    self: Tensor, size: Any, stride: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Sizes and strides (in elements) over fresh zeroed storage, as torch.empty_strided."""
    shape, stride = _new_size((size,)), tuple(int(s) for s in stride)
    if len(shape) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides ({len(stride)})"
        )
    np_dtype = _new_dtype(self, dtype)
    extent = 1 + sum((n - 1) * s for n, s in zip(shape, stride)) if all(shape) else 0
    storage = np.zeros(extent, dtype=np_dtype)
    array = np.lib.stride_tricks.as_strided(storage, shape, tuple(s * np_dtype.itemsize for s in stride))
    return _new(self, array, requires_grad, device)


def new_tensor(
    self: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A fresh leaf holding a copy of ``data``, in the source's dtype unless ``dtype`` says otherwise
    (unlike torch.tensor, a Python float list does not default to float32: the source's dtype wins)."""
    values = data._data if isinstance(data, Tensor) else data
    return _new(self, np.array(values, dtype=_new_dtype(self, dtype)), requires_grad, device)


# ---- dtype shortcuts and metadata --------------------------------------------------------------------


def byte(self: Tensor, memory_format: Any = None) -> Tensor:
    return self.to(np.uint8)


def char(self: Tensor, memory_format: Any = None) -> Tensor:
    return self.to(np.int8)


def short(self: Tensor, memory_format: Any = None) -> Tensor:
    return self.to(np.int16)


def is_signed(input: Tensor) -> bool:
    return input._data.dtype.kind in "if"


def is_complex(input: Tensor) -> bool:
    return False


def is_floating_point(input: Tensor) -> bool:
    return input._data.dtype.kind == "f"


def is_inference(input: Tensor) -> bool:
    return False


def get_device(input: Tensor) -> int:
    """-1 for a CPU tensor, the GPU's ordinal (0) for a CUDA one."""
    return 0 if input.is_cuda else -1


def storage_offset(self: Tensor) -> int:
    """Elements from the start of the storage (the base array this one views) to the first element."""
    base = self._data
    while isinstance(base.base, np.ndarray):
        base = base.base
    if base is self._data or self._data.size == 0:
        return 0
    start = self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return int(start // self._data.itemsize)


def is_nonzero(input: Tensor) -> bool:
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input._data.shape == other._data.shape


def _output_nr(self: Tensor) -> int:
    return int(self._output_nr or 0)


_PROPERTIES = {
    "is_cpu": property(lambda self: True),
    "is_meta": property(lambda self: False),
    "is_sparse": property(lambda self: False),
    "is_quantized": property(lambda self: False),
    "is_nested": property(lambda self: False),
    "itemsize": property(lambda self: self._data.itemsize),
    "nbytes": property(lambda self: self._data.size * self._data.itemsize),
    "layout": property(lambda self: strided),
    "output_nr": property(_output_nr),
}


# ---- addcmul, addcdiv --------------------------------------------------------------------------------


def _check_value(value: Any, dtype: np.dtype) -> Any:
    """torch truncates a float ``value`` to the integer result dtype (addcmul of int tensors, value=0.5 adds 0)."""
    return int(value) if dtype.kind in "iu" else value


class Addcmul(Function):
    r"""$y = x + v\, a b$ (broadcast).   $dy/dx = 1$, $dy/da = v b$, $dy/db = v a$, each summed back to its
    operand's shape over the broadcast dimensions.
    """

    node_name = "AddcmulBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, a: np.ndarray, b: np.ndarray, value: Any, dtype: Any) -> np.ndarray:
        x, a, b = x.astype(dtype, copy=False), a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        ctx.save_for_backward(a, b)
        ctx.value, ctx.shape_x = value, x.shape
        return x + value * (a * b)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        v = ctx.value
        ga = unbroadcast(grad * v * b, a.shape) if ctx.needs_input_grad[1] else None
        gb = unbroadcast(grad * v * a, b.shape) if ctx.needs_input_grad[2] else None
        return unbroadcast(grad, ctx.shape_x), ga, gb, None, None


class Addcdiv(Function):
    r"""$y = x + v\, a / b$ (broadcast).   $dy/dx = 1$, $dy/da = v / b$, $dy/db = -v a / b^2$, each summed back
    to its operand's shape over the broadcast dimensions.
    """

    node_name = "AddcdivBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, a: np.ndarray, b: np.ndarray, value: Any, dtype: Any) -> np.ndarray:
        x, a, b = x.astype(dtype, copy=False), a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        ctx.save_for_backward(a, b)
        ctx.value, ctx.shape_x = value, x.shape
        with np.errstate(divide="ignore", invalid="ignore"):
            return x + value * (a / b)

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        v = ctx.value
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = unbroadcast(grad * v / b, a.shape) if ctx.needs_input_grad[1] else None
            gb = unbroadcast(-grad * v * a / (b * b), b.shape) if ctx.needs_input_grad[2] else None
        return unbroadcast(grad, ctx.shape_x), ga, gb, None, None


def _ternary(input: Any, tensor1: Any, tensor2: Any) -> tuple[Tensor, Tensor, Tensor, np.dtype]:
    dtype = result_dtype(input, tensor1, tensor2)
    x, a, b = (
        t if isinstance(t, Tensor) else Tensor._make(np.asarray(t, dtype=dtype)) for t in (input, tensor1, tensor2)
    )
    check_broadcast(x._data.shape, a._data.shape, b._data.shape)
    return x, a, b, dtype


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    x, a, b, dtype = _ternary(input, tensor1, tensor2)
    return Addcmul.apply(x, a, b, _check_value(value, dtype), dtype)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    x, a, b, dtype = _ternary(input, tensor1, tensor2)
    if a._data.dtype.kind in "biu" and b._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
            "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as "
            "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
            "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes."
        )
    return Addcdiv.apply(x, a, b, _check_value(value, dtype), dtype)


addcmul_ = _inplace(addcmul)
addcdiv_ = _inplace(addcdiv)

# in-place forms of torch's aliases: the alias's own op, so the node is the op's (divide_ is DivBackward0)
absolute = abs
absolute_ = _inplace(abs)
negative_ = _inplace(neg)
sign_ = _inplace(sign)
divide_ = _inplace(div)
true_divide_ = _inplace(div)
multiply_ = _inplace(mul)
subtract_ = _inplace(sub)


# ---- diff, sum_to_size ----------------------------------------------------------------------------


def diff(
    input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None, append: Tensor | None = None
) -> Tensor:
    """The n-th forward difference along dim: out[i] = x[i + 1] - x[i], n times, after joining prepend
    and append. Built as torch builds it (a narrow minus a narrow), so each step is a SubBackward0."""
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input._data.ndim)
    if n == 0:
        return input.clone()  # as torch: prepend and append are ignored then
    if prepend is not None or append is not None:
        parts = [p for p in (prepend, input, append) if p is not None]
        input = cat([p if p._data.ndim else p.expand(*input.shape[:d], 1, *input.shape[d + 1 :]) for p in parts], d)
    for _ in range(n):
        length = input._data.shape[d]
        if length == 0:
            break
        later, earlier = narrow(input, d, 1, length - 1), narrow(input, d, 0, length - 1)
        # bool differences are "changed or not" (torch: logical_xor); the rest subtract
        input = ne(later, earlier) if input._data.dtype == np.bool_ else sub(later, earlier)
    return input


def sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """Sum over the dimensions that ``size`` broadcasts to ``self``'s shape (self itself when equal)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    shape = self._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[lead + i] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if size == shape:
        return self
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)
    out = _sum(self, dims, keepdim=True)
    return out.reshape(size) if lead else out


# ---- dist, renorm (cross: ops/solvers.py) -----------------------------------------------------------------------------


class Dist(Function):
    r"""$z = \lVert x - y \rVert_p = (\sum |d|^p)^{1/p}$, $d = x - y$ (broadcast).
    $dz/dd = |d|^{p-1} \operatorname{sign}(d) / z^{p-1}$; $p = \infty$: $\operatorname{sign}(d)$ at the entries where
    $|d| = z$, shared among ties; $p = 0$ (a count): no gradient.   $dz/dx = dz/dd$, $dz/dy = -dz/dd$ (un-broadcast).
    """

    node_name = "DistBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, p: float, dtype: Any) -> np.ndarray:
        d = x.astype(dtype, copy=False) - y.astype(dtype, copy=False)
        a = np.abs(d)
        if p == np.inf:
            z = a.max(initial=0.0)
        elif p == -np.inf:
            z = a.min(initial=np.inf) if a.size else np.asarray(np.inf)
        elif p == 0:
            z = np.count_nonzero(a).astype(dtype)
        else:
            z = np.sum(a**p) ** (1.0 / p)
        z = np.asarray(z, dtype=dtype)
        ctx.save_for_backward(d, z)
        ctx.p, ctx.shapes = p, (x.shape, y.shape)
        return z

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        d, z = ctx.saved_tensors
        p = ctx.p
        a = np.abs(d)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                g = np.zeros_like(d)
            elif np.isinf(p):
                hit = a == z
                g = np.sign(d) * hit / max(int(hit.sum()), 1)
            elif z == 0:
                g = np.zeros_like(d)
            else:
                g = np.sign(d) * a ** (p - 1) / z ** (p - 1)
        g = g * grad
        return unbroadcast(g, ctx.shapes[0]), unbroadcast(-g, ctx.shapes[1]), None, None


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    a, b, dtype = binary_operands(input, other)
    if dtype.kind != "f":
        raise RuntimeError(
            f"norm(): input dtype should be either floating point or complex. Got {_name(dtype)} instead."
        )
    return Dist.apply(a, b, float(p), dtype)


def _name(dtype: np.dtype) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(
        dtype.name, dtype.name
    )


class Renorm(Function):
    r"""Each sub-tensor s along dim (x.select(dim, i)) with p-norm n > maxnorm is scaled to norm maxnorm:
    $y = c s$ with $c = \mathrm{maxnorm} / (n + 10^{-7})$ where $n > \mathrm{maxnorm}$, else $c = 1$.
    Where scaled, with $\partial n / \partial s = |s|^{p-1} \operatorname{sign}(s) / n^{p-1}$,

    $$
    \frac{\partial y}{\partial s} = c I - \frac{m}{(n + 10^{-7})^2}\, s \Big(\frac{\partial n}{\partial s}\Big)^T,
    \qquad
    \frac{\partial L}{\partial s} = c\, g - \frac{m}{(n + 10^{-7})^2} \langle g, s \rangle \frac{\partial n}{\partial s}
    \qquad (m = \mathrm{maxnorm});
    $$

    where not scaled, $\partial L / \partial s = g$.
    """

    node_name = "RenormBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: float, dim: int, maxnorm: float) -> np.ndarray:
        axes = tuple(i for i in range(x.ndim) if i != dim)
        a = np.abs(x)
        norm = (
            a.max(axis=axes, keepdims=True, initial=0.0)
            if np.isinf(p)
            else np.sum(a**p, axis=axes, keepdims=True) ** (1 / p)
        )
        scale = np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0).astype(x.dtype)
        ctx.save_for_backward(x, norm, scale)
        ctx.p, ctx.axes, ctx.maxnorm = p, axes, maxnorm
        return x * scale

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        x, norm, scale = ctx.saved_tensors
        p, axes, maxnorm = ctx.p, ctx.axes, ctx.maxnorm
        with np.errstate(divide="ignore", invalid="ignore"):
            if np.isinf(p):
                a = np.abs(x)
                dn = np.sign(x) * (a == norm)
            else:
                dn = np.sign(x) * np.abs(x) ** (p - 1) / norm ** (p - 1)
            inner = np.sum(grad * x, axis=axes, keepdims=True)
            scaled = scale * grad - maxnorm / (norm + 1e-7) ** 2 * inner * dn
        return np.where(norm > maxnorm, scaled, grad), None, None, None


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    if input._data.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input._data.ndim} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {_name(input._data.dtype)}"
        )
    return Renorm.apply(input, float(p), wrap_dim(dim, input._data.ndim), float(maxnorm))


renorm_ = _inplace(renorm)


def fill_diagonal_(self: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Write fill_value on the main diagonal (all indices equal), in place. A tall 2-d matrix with
    ``wrap`` starts a new diagonal every n + 1 rows, as NumPy's fill_diagonal does."""
    data = self._data
    if data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if data.ndim > 2 and len(set(data.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    # fill_ through diagonal views, so the graph records torch's CopySlices
    rows, cols = data.shape[0], data.shape[1]
    step = cols + 1 if wrap and data.ndim == 2 else max(rows, 1)
    for start in range(0, rows, step):
        view = self[start : start + cols] if data.ndim == 2 else self
        while view.ndim > 1:
            view = view.diagonal(0, 0, 1)
        view.fill_(fill_value)
    return self


# ---- integer and float bit-level ops -----------------------------------------------------------------


def _integer_operands(name: str, input: Any, other: Any) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    a, b, dtype = binary_operands(input, other)
    if dtype.kind not in "iu":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_dtype_title(dtype)}'")
    return a._data.astype(dtype), b._data.astype(dtype), dtype


def _dtype_title(dtype: np.dtype) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bool": "Bool"}.get(dtype.name, _name(dtype))


def gcd(input: Tensor, other: Tensor) -> Tensor:
    a, b, _ = _integer_operands("gcd", input, other)
    return Tensor._make(np.gcd(a, b))


def lcm(input: Tensor, other: Tensor) -> Tensor:
    a, b, _ = _integer_operands("lcm", input, other)
    return Tensor._make(np.lcm(a, b))


gcd_ = _inplace(gcd)
lcm_ = _inplace(lcm)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 where x < 0, values where x == 0, 1 where x > 0; torch defines no gradient for it."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x, v, dtype = binary_operands(input, values)
    xs, vs = x._data, v._data
    out = np.where(xs == 0, vs, (xs > 0)).astype(dtype)
    return Tensor._make(np.asarray(out))


heaviside_ = _inplace(heaviside)


class Ldexp(Function):
    r"""$y = x\, 2^e$.   $dy/dx = 2^e$, $dy/de = x\, 2^e \ln 2 = y \ln 2$ (e is a gradient input when it is float)."""

    node_name = "LdexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, e: np.ndarray, dtype: Any) -> np.ndarray:
        scale = np.exp2(e.astype(dtype))
        y = x.astype(dtype) * scale
        ctx.save_for_backward(scale, y)
        ctx.shapes = (x.shape, e.shape)
        return y

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        scale, y = ctx.saved_tensors
        gx = unbroadcast(grad * scale, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        ge = unbroadcast(grad * y * np.log(2.0), ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, ge, None


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    dtype = result_dtype(input, other)
    if dtype.kind != "f":
        dtype = np.dtype(np.float32)
    x = input if isinstance(input, Tensor) else Tensor._make(np.asarray(input, dtype=dtype))
    e = other if isinstance(other, Tensor) else Tensor._make(np.asarray(other))
    check_broadcast(x._data.shape, e._data.shape)
    return Ldexp.apply(x, e, dtype)


ldexp_ = _inplace(ldexp)


def frexp(input: Tensor) -> Any:
    """(mantissa, exponent) with input = mantissa * 2^exponent, |mantissa| in [0.5, 1); int32 exponents."""
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = np.frexp(input._data)
    return _frexp_result(Tensor._make(mantissa), Tensor._make(exponent.astype(np.int32)))


# ---- counting ------------------------------------------------------------------------------------


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """Counts of each value 0..max(input) in a 1-d non-negative integer tensor (weights summed if given):
    int64 counts, or the weights' float dtype (float32 weights give float32, others float64 as in torch)."""
    data = input._data
    if data.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if data.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_dtype_title(data.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if data.size and data.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(np.bincount(data, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != data.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    return Tensor._make(np.bincount(data, weights=w.astype(np.float64), minlength=minlength).astype(out_dtype))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in ``bins`` equal-width bins over [min, max] (the data's range when both are 0); values
    outside are ignored, max itself falls in the last bin. The result has the input's float dtype."""
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_dtype_title(data.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    flat = data.reshape(-1).astype(np.float64)
    flat = flat[(flat >= lo) & (flat <= hi)]
    index = np.minimum(((flat - lo) * bins / (hi - lo)).astype(np.int64), bins - 1)
    return Tensor._make(np.bincount(index, minlength=bins).astype(data.dtype))


__all__ = [
    "absolute",
    "addcdiv",
    "addcmul",
    "bincount",
    "diff",
    "dist",
    "frexp",
    "gcd",
    "gcd_",
    "get_device",
    "heaviside",
    "histc",
    "is_complex",
    "is_floating_point",
    "is_inference",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "layout",
    "lcm",
    "lcm_",
    "ldexp",
    "ldexp_",
    "negative_",
    "renorm",
    "strided",
]

# Tensor methods bound in minitorch_nn/_bindings.py: name -> function(self, ...) or property
TENSOR_METHODS: dict = {
    **_PROPERTIES,
    "new_zeros": new_zeros,
    "new_ones": new_ones,
    "new_full": new_full,
    "new_empty": new_empty,
    "new_tensor": new_tensor,
    "new_empty_strided": new_empty_strided,
    "byte": byte,
    "char": char,
    "short": short,
    "is_signed": is_signed,
    "is_complex": is_complex,
    "is_inference": is_inference,
    "get_device": get_device,
    "storage_offset": storage_offset,
    "is_nonzero": is_nonzero,
    "is_same_size": is_same_size,
    "addcmul": addcmul,
    "addcmul_": addcmul_,
    "addcdiv": addcdiv,
    "addcdiv_": addcdiv_,
    "absolute": absolute,
    "absolute_": absolute_,
    "negative_": negative_,
    "sign_": sign_,
    "divide_": divide_,
    "true_divide_": true_divide_,
    "multiply_": multiply_,
    "subtract_": subtract_,
    "diff": diff,
    "sum_to_size": sum_to_size,
    "dist": dist,
    "renorm": renorm,
    "renorm_": renorm_,
    "fill_diagonal_": fill_diagonal_,
    "gcd": gcd,
    "gcd_": gcd_,
    "lcm": lcm,
    "lcm_": lcm_,
    "heaviside": heaviside,
    "heaviside_": heaviside_,
    "ldexp": ldexp,
    "ldexp_": ldexp_,
    "frexp": frexp,
    "bincount": bincount,
    "histc": histc,
}
