"""Tensor factories: zeros, ones, full, empty, eye, arange, linspace, rand, randn, randint, ...

Sizes are given as ints or one tuple (``zeros(2, 3)`` or ``zeros((2, 3))``);
floats default to float32 as in torch; ``requires_grad`` makes a leaf.
Random draws come from ``minitorch_nn.random``: torch's CPU numbers for the same seed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import random
from .autograd import printing
from .autograd.tensor import Tensor, check_device, make_tensor, on_device
from .autograd.types import default_float, to_numpy_dtype
from .kernels.cpu import ranges
from .ops.distributions import check_integer_range
from .ops.utils import _TENSOR_TYPES as _TYPE_NAMES
from .random import Generator


def _size(size: tuple[Any, ...], name: str = "empty") -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, Tensor) and s.numel() == 1 and s._data.dtype.kind in "iu":
            s = int(s.item())
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not {type(s).__name__}")
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _leaf(array: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    t = Tensor._make(on_device(array, device))
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _float_dtype(dtype: Any) -> np.dtype:
    return to_numpy_dtype(dtype) or default_float()


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(_size(size, "zeros"), dtype=_float_dtype(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(_size(size, "ones"), dtype=_float_dtype(dtype)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    # torch leaves the memory uninitialised; zeros keep runs reproducible here
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def _fill_dtype(fill_value: Any) -> np.dtype:
    """torch's inference for full(): bool -> bool, int -> int64, float -> the default float."""
    if isinstance(fill_value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(fill_value, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(fill_value, Tensor):
        return fill_value._data.dtype
    return default_float()


def _cast_scalar(value: Any, np_dtype: np.dtype) -> Any:
    """A Python number as ``np_dtype`` holds it, with torch's error when an integer dtype cannot."""
    if isinstance(value, Tensor):
        value = value.item()
    if np_dtype.kind in "iu" and not isinstance(value, (bool, np.bool_)):
        if math.isfinite(value) and not np.iinfo(np_dtype).min <= int(value) <= np.iinfo(np_dtype).max:
            c_name = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t"}
            raise RuntimeError(f"value cannot be converted to type {c_name[np_dtype.name]} without overflow")
        return int(value)
    return value


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it unless given)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    np_dtype = to_numpy_dtype(dtype) or _fill_dtype(fill_value)
    value = _cast_scalar(fill_value, np_dtype)
    return _leaf(np.full(_size((size,), "full"), value, dtype=np_dtype), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity (ones on the main diagonal); m defaults to n."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def empty_strided(
    size: Any, stride: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor with the given sizes and strides (in elements) over fresh zeroed storage."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(size)}) must match dimensionality of strides ({len(stride)})"
        )
    np_dtype = _float_dtype(dtype)
    shape = _size((size,), "empty_strided")
    extent = 1 + sum((s - 1) * st for s, st in zip(shape, stride)) if all(shape) else 0
    storage = np.zeros(extent, dtype=np_dtype)
    array = np.lib.stride_tricks.as_strided(storage, shape, tuple(st * np_dtype.itemsize for st in stride))
    return _leaf(array, requires_grad, device)


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding ``s``, float32 unless ``dtype`` says otherwise."""
    np_dtype = _float_dtype(dtype)
    return _leaf(np.array(_cast_scalar(s, np_dtype), dtype=np_dtype), requires_grad, device)


def _triangle_indices(name: str, row: int, col: int, offset: int, dtype: Any, lower: bool) -> Tensor:
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    np_dtype = to_numpy_dtype(dtype) or np.dtype(np.int64)
    if np_dtype not in (np.int32, np.int64):
        raise NotImplementedError(f"\"{name}\" not implemented for '{_TYPE_NAMES.get(np_dtype.name, np_dtype.name)}'")
    rows, cols = np.indices((row, col)).reshape(2, -1)
    keep = (cols - rows <= offset) if lower else (cols - rows >= offset)
    return Tensor._make(np.stack([rows[keep], cols[keep]]).astype(np_dtype))


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None, layout: Any = None
) -> Tensor:
    """The (2, N) row/column indices of the lower triangle of a row x col matrix (diagonal ``offset``)."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, lower=True)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None, layout: Any = None
) -> Tensor:
    """The (2, N) row/column indices of the upper triangle of a row x col matrix (diagonal ``offset``)."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, lower=False)


def _number(value: Any) -> Any:
    return value.item() if isinstance(value, Tensor) else value


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """start, start + step, ... below end: ceil((end - start) / step) values; ints give int64, any float float32."""
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if is_int else default_float()
    np_dtype = to_numpy_dtype(dtype)
    if np_dtype == np.int64 and step != 0:  # int64: start, end and step become integers first
        if int(step) == 0:
            raise ValueError("step must be nonzero")
        if math.isfinite(start) and math.isfinite(end):
            start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0 or (end != start and (end > start) != (step > 0)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = max(math.ceil((end - start) / step), 0)  # other dtypes: the count from the values as given
    if np_dtype.kind in "iub":  # and the values from start and step truncated to integers
        return _leaf((int(start) + int(step) * np.arange(n, dtype=np.int64)).astype(np_dtype), requires_grad, device)
    compute = np.dtype(np.float32) if np_dtype == np.float16 else np_dtype  # half: computed in float, rounded
    values = np.empty(n, dtype=compute)
    ranges.arange(float(start), float(step), ranges.vector_width(compute), values)
    return _leaf(values.astype(np_dtype, copy=False), requires_grad, device)


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from start to end inclusive.

    As torch: step = (end - start) / (steps - 1) in the dtype (double for integer dtypes); the first
    half counts up from start, the second half down from end, so both ends are exact.
    """
    start, end = _number(start), _number(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    np_dtype = _float_dtype(dtype)
    return _leaf(_linspace_values(start, end, steps, np_dtype), requires_grad, device)


def _linspace_values(start: float, end: float, steps: int, np_dtype: np.dtype) -> np.ndarray:
    """torch's linspace values (see kernels/cpu/ranges.py): computed in the dtype, in double for integers."""
    if steps <= 1:
        return np.full(steps, start).astype(np_dtype)
    compute = (
        np.dtype(np.float64) if np_dtype.kind != "f" else np.dtype(np.float32) if np_dtype == np.float16 else np_dtype
    )
    low, high = np.asarray(start).astype(np_dtype).astype(compute), np.asarray(end).astype(np_dtype).astype(compute)
    step = (high - low) / compute.type(max(steps - 1, 1))
    values = np.empty(steps, dtype=compute)
    ranges.linspace(compute.type(low), compute.type(high), compute.type(step), values)
    return values.astype(np_dtype)


def logspace(
    start: Any,
    end: Any,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """base ** linspace(start, end, steps)."""
    start, end = _number(start), _number(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    np_dtype = _float_dtype(dtype)
    low, high = np.asarray(start).astype(np_dtype), np.asarray(end).astype(np_dtype)
    if steps <= 1:
        return _leaf(np.power(float(base), np.full(steps, float(low))).astype(np_dtype), requires_grad, device)
    step = float(high - low) / (steps - 1)  # the difference in the dtype, the division in double
    values = np.empty(steps, dtype=np.float64)
    ranges.logspace(float(base), float(low), float(high), step, values)
    return _leaf(values.astype(np_dtype), requires_grad, device)


# ---- random factories (draws: minitorch_nn.random, which reproduces torch's CPU numbers) ----------------
def _numel(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _uniform_dtype(dtype: Any) -> np.dtype:
    np_dtype = _float_dtype(dtype)
    if np_dtype.kind != "f":
        name = _TYPE_NAMES.get(np_dtype.name, np_dtype.name)
        raise NotImplementedError(f"\"check_uniform_bounds\" not implemented for '{name}'")
    return np_dtype


def _normal_dtype(dtype: Any) -> np.dtype:
    np_dtype = _float_dtype(dtype)
    if np_dtype.kind != "f":
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{_TYPE_NAMES.get(np_dtype.name)}'")
    return np_dtype


def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform on [0, 1)."""
    shape = _size(size, "rand")
    np_dtype = _uniform_dtype(dtype)
    return _leaf(random.uniform(_numel(shape), np_dtype, 0.0, 1.0, generator).reshape(shape), requires_grad, device)


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal."""
    shape = _size(size, "randn")
    np_dtype = _normal_dtype(dtype)
    return _leaf(
        random.normal(_numel(shape), np_dtype, 0.0, 1.0, True, generator).reshape(shape), requires_grad, device
    )


def _check_integer_bound(value: Any) -> int:
    if isinstance(value, Tensor):
        value = value.item()
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(
            f"randint() received an invalid combination of arguments - got ({type(value).__name__}), but expected "
            "one of: (int high, tuple of ints size, ...) or (int low, int high, tuple of ints size, ...)"
        )
    return int(value)


def randint(
    *args: Any,
    size: Any = None,
    low: Any = None,
    high: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)`` (positional or keyword)."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: expected (high, size) or (low, high, size)")
    low = 0 if low is None else _check_integer_bound(low)
    high = _check_integer_bound(high)
    np_dtype = to_numpy_dtype(dtype) or np.dtype(np.int64)
    if requires_grad and np_dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    check_integer_range(low, high, np_dtype)
    shape = _size((size,), "randint")
    return _leaf(random.integers(_numel(shape), low, high, np_dtype, generator).reshape(shape), requires_grad, device)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of 0..n-1 (torch's Fisher-Yates on its stream)."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    np_dtype = to_numpy_dtype(dtype) or np.dtype(np.int64)
    if requires_grad and np_dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    if np_dtype.kind in "iu" and n > 0 and n - 1 > np.iinfo(np_dtype).max:
        c_name = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int"}[np_dtype.name]
        raise RuntimeError(f"value cannot be converted to type {c_name} without overflow")
    return _leaf(random.permutation(n, generator).astype(np_dtype), requires_grad, device)


def _like_dtype(input: Tensor, dtype: Any) -> np.dtype:
    return to_numpy_dtype(dtype) or input._data.dtype


def _like_device(input: Tensor, device: Any) -> Any:
    """torch's *_like: the input's device unless device= names another."""
    return input.device if device is None else device


def _like(name: str, fill: Any) -> Any:
    def factory(
        input: Tensor,
        *,
        dtype: Any = None,
        layout: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        memory_format: Any = None,
    ) -> Tensor:
        return _leaf(fill(input._data.shape, _like_dtype(input, dtype)), requires_grad, _like_device(input, device))

    factory.__name__ = factory.__qualname__ = name
    return factory


zeros_like = _like("zeros_like", lambda shape, d: np.zeros(shape, dtype=d))
ones_like = _like("ones_like", lambda shape, d: np.ones(shape, dtype=d))
# torch leaves the memory uninitialised; zeros keep runs reproducible here
empty_like = _like("empty_like", lambda shape, d: np.zeros(shape, dtype=d))


def rand_like(
    input: Tensor,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """rand with input's shape and dtype."""
    return rand(
        input._data.shape,
        generator=generator,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        requires_grad=requires_grad,
    )


def randn_like(
    input: Tensor,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """randn with input's shape and dtype."""
    return randn(
        input._data.shape,
        generator=generator,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        requires_grad=requires_grad,
    )


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """randint with input's shape and dtype: ``randint_like(x, high)`` or ``randint_like(x, low, high)``."""
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        input._data.shape,
        generator=generator,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        requires_grad=requires_grad,
    )


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    np_dtype = _like_dtype(input, dtype)
    fill = np.full(input._data.shape, _cast_scalar(fill_value, np_dtype), dtype=np_dtype)
    return _leaf(fill, requires_grad, _like_device(input, device))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (as torch.from_numpy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._make(array)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    target = check_device(device)
    if isinstance(data, Tensor) and dtype is None and (device is None or data.device.type == target.type):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or to_numpy_dtype(dtype) == data.dtype):
        return Tensor._make(on_device(data, device) if target.type == "cuda" else data)
    return make_tensor(data, dtype=dtype, device=device)


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
    "empty_strided",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "is_tensor",
    "linspace",
    "logspace",
    "numel",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "scalar_tensor",
    "set_printoptions",
    "tril_indices",
    "triu_indices",
    "zeros",
    "zeros_like",
]
