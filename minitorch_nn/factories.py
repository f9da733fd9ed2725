"""Tensor factories: zeros, ones, full, empty, eye, arange, linspace, rand, randn, randint, ...

Sizes are given as ints or one tuple (``zeros(2, 3)`` or ``zeros((2, 3))``);
floats default to float32 as in torch; ``requires_grad`` makes a leaf.
Random draws come from ``minitorch_nn.random`` (seeded by ``manual_seed``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import printing
from .autograd.tensor import Tensor, make_tensor
from .autograd.types import to_numpy_dtype
from .random import Generator, rng

_DEFAULT_FLOAT = np.dtype(np.float32)


def _size(size: tuple[Any, ...], name: str = "empty") -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, Tensor) and s.numel() == 1 and s._data.dtype.kind in "iu":
            s = int(s.item())
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"{name}: Dimension size must be non-negative.")
    return tuple(int(s) for s in size)


def _leaf(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _float_dtype(dtype: Any) -> np.dtype:
    return to_numpy_dtype(dtype) or _DEFAULT_FLOAT


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(_size(size, "zeros"), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(_size(size, "ones"), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    # torch leaves the memory uninitialised; zeros keep runs reproducible here
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = (
            np.bool_ if isinstance(fill_value, bool) else np.int64 if isinstance(fill_value, int) else _DEFAULT_FLOAT
        )
    return _leaf(np.full(_size((size,), "full"), fill_value, dtype=to_numpy_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(
    start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Values start, start+step, ... below end; ints give int64, any float gives float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if is_int else _DEFAULT_FLOAT
    np_dtype = to_numpy_dtype(dtype)
    n = max(int(np.ceil((end - start) / step)), 0)
    return _leaf((start + step * np.arange(n, dtype=np.float64)).astype(np_dtype), requires_grad)


def linspace(
    start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _leaf(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def rand(
    *size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Uniform on [0, 1)."""
    return _leaf(rng(generator).random(_size(size, "rand")).astype(_float_dtype(dtype)), requires_grad)


def randn(
    *size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal."""
    return _leaf(rng(generator).standard_normal(_size(size, "randn")).astype(_float_dtype(dtype)), requires_grad)


def randint(
    low: int,
    high: int | None = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers in [low, high); ``randint(high, size)`` starts at 0."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    np_dtype = to_numpy_dtype(dtype) or np.dtype(np.int64)
    return _leaf(rng(generator).integers(low, high, size=_size((size,))).astype(np_dtype), requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None, device: Any = None) -> Tensor:
    return Tensor._make(rng(generator).permutation(n).astype(to_numpy_dtype(dtype) or np.int64))


def normal(
    mean: float,
    std: float,
    size: Any,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _leaf(rng(generator).normal(mean, std, size=_size((size,))).astype(_float_dtype(dtype)), requires_grad)


def _like(fill: Any) -> Any:
    def factory(
        input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, memory_format: Any = None
    ) -> Tensor:
        np_dtype = to_numpy_dtype(dtype) or input._data.dtype
        return _leaf(fill(input._data.shape, np_dtype), requires_grad)

    return factory


zeros_like = _like(lambda shape, d: np.zeros(shape, dtype=d))
ones_like = _like(lambda shape, d: np.ones(shape, dtype=d))
empty_like = zeros_like
rand_like = _like(lambda shape, d: rng().random(shape).astype(d))
randn_like = _like(lambda shape, d: rng().standard_normal(shape).astype(d))


def full_like(
    input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    np_dtype = to_numpy_dtype(dtype) or input._data.dtype
    return _leaf(np.full(input._data.shape, fill_value, dtype=np_dtype), requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (as torch.from_numpy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._make(array)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and (dtype is None or to_numpy_dtype(dtype) == data.dtype):
        return Tensor._make(data)
    return make_tensor(data, dtype=dtype)


def set_printoptions(
    precision: int | None = None,
    threshold: int | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How tensors print (torch's options; see minitorch_nn/autograd/printing.py)."""
    printing.set_printoptions(precision, threshold, edgeitems, linewidth, profile, sci_mode)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


__all__ = [
    "arange",
    "as_tensor",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "is_tensor",
    "linspace",
    "normal",
    "numel",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "set_printoptions",
    "zeros",
    "zeros_like",
]
