"""Helpers shared by the ops: type promotion, scalar wrapping, un-broadcasting, remembered argument checks."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from ..autograd.tensor import Tensor
from ..autograd.types import default_float
from ..kernels.backend import backend_of

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _category(d: np.dtype) -> int:
    return _CATEGORY[d.kind]


def _promote(dtypes: list[np.dtype]) -> np.dtype:
    """torch's promotion among operands of one rank: the highest category wins outright
    (int64 with float32 is float32, where NumPy would widen to float64); within it, NumPy's rule."""
    top = max(_category(d) for d in dtypes)
    return np.result_type(*[d for d in dtypes if _category(d) == top])


def result_dtype(*operands: Any) -> np.dtype:
    """The dtype torch gives an elementwise op on these operands.

    torch ranks operands: tensors with dimensions, then 0-d tensors, then Python
    scalars. A lower rank only matters when it raises the category
    (bool < integer < float); a Python float then gives the default float32.
    """
    dimensioned = [o._data.dtype for o in operands if isinstance(o, Tensor) and o._data.ndim > 0]
    zero_dim = [o._data.dtype for o in operands if isinstance(o, Tensor) and o._data.ndim == 0]
    scalars = [o for o in operands if not isinstance(o, Tensor)]
    result = _promote(dimensioned) if dimensioned else None
    for group in (zero_dim,):
        if group:
            g = _promote(group)
            if result is None:
                result = g
            elif _category(g) > _category(result):
                result = g
    for s in scalars:
        if isinstance(s, bool):
            d = np.dtype(np.bool_)
        elif isinstance(s, (int, np.integer)):
            d = np.dtype(np.int64)
        else:
            d = default_float()
        if result is None:
            result = d
        elif _category(d) > _category(result):
            result = d if not (d.kind == "f") else default_float()
    return result if result is not None else default_float()


def as_operand(value: Any, dtype: np.dtype) -> Tensor:
    """A Python scalar becomes a 0-d tensor of ``dtype`` (torch's wrapped number).

    An integer outside the dtype's range wraps around as in C (uint8 + 300 adds 44), as torch's does;
    NumPy would refuse it."""
    if isinstance(value, Tensor):
        return value
    try:
        return Tensor._make(np.asarray(value, dtype=dtype))
    except OverflowError:
        if np.dtype(dtype).kind not in "iu":
            raise
        return Tensor._make(np.asarray(value & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64).astype(dtype))


def binary_operands(a: Any, b: Any) -> tuple[Tensor, Tensor, np.dtype]:
    """Wrap scalars, check the shapes broadcast and compute the result dtype of an elementwise binary op."""
    dtype = result_dtype(a, b)
    a, b = as_operand(a, dtype), as_operand(b, dtype)
    sa, sb = a._data.shape, b._data.shape
    if sa != sb and sa and sb:
        check_broadcast(sa, sb)
    return a, b, dtype


def check_broadcast(*shapes: tuple[int, ...]) -> None:
    """torch's RuntimeError for shapes that do not broadcast (NumPy's would be a ValueError).

    Shapes broadcast left to right as torch's do: tensor a is the broadcast of those before."""
    shape = shapes[0]
    for other in shapes[1:]:
        for i, (x, y) in enumerate(zip(reversed(shape), reversed(other)), 1):
            if x != y and x != 1 and y != 1:
                raise RuntimeError(
                    f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension "
                    f"{max(len(shape), len(other)) - i}"
                )
        if len(shapes) > 2:
            shape = np.broadcast_shapes(shape, other)


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``, undoing NumPy broadcasting.

    Broadcasting prepends size-1 dims and stretches size-1 dims; the gradient of
    a stretched input is the sum over the stretched axes.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def normalize_dims(dim: Any, ndim: int, *, in_order: bool = False) -> tuple[int, ...]:
    """dim as an int, a sequence or None (all dims) -> sorted tuple of non-negative dims.

    A repeated dim is a RuntimeError naming the first dim met a second time (wrapped), as in
    torch. Most reductions check every dim's range before looking for repeats; var, std and
    squeeze check each dim in turn (``in_order``), so (0, 0, 5) is a repeat there, not a range error.
    """
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    n = max(ndim, 1)

    def wrap(d: int) -> int:
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
        return d % n

    if not in_order:
        for d in dims:
            wrap(d)
    out: list[int] = []
    for d in dims:
        if wrap(d) in out:
            raise RuntimeError(f"dim {d % n} appears multiple times in the list of dims")
        out.append(d % n)
    return tuple(sorted(out)) if ndim > 0 else ()


def check_broadcasts_into(shape: tuple[int, ...], out: tuple[int, ...]) -> None:
    """out += b (or out.copy_(b)) needs b to broadcast with out, to out's own shape (torch's errors otherwise)."""
    for i in range(1, min(len(shape), len(out)) + 1):
        a, b = out[-i], shape[-i]
        if a != b and a != 1 and b != 1:
            raise RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension "
                f"{max(len(shape), len(out)) - i}"
            )
    broadcast = np.broadcast_shapes(shape, out)
    if broadcast != tuple(out):
        raise RuntimeError(f"output with shape {list(out)} doesn't match the broadcast shape {list(broadcast)}")


_TENSOR_TYPES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


def check_expand(shape: tuple[int, ...], sizes: tuple[int, ...], dtype: np.dtype) -> tuple[int, ...]:
    """The shape ``expand(sizes)`` gives a tensor of ``shape`` (-1 keeps a dim), with torch's errors."""
    if len(sizes) < len(shape):
        kind = _TENSOR_TYPES.get(np.dtype(dtype).name, "")
        raise RuntimeError(
            f"expand(torch.{kind}Tensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = tuple(shape[i - lead] if (s == -1 and i >= lead) else s for i, s in enumerate(sizes))
    for i in reversed(range(len(shape))):  # torch reports the last mismatching dim
        s = shape[i]
        if s != 1 and s != target[i + lead]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[i + lead]}) must match the existing size ({s}) at "
                f"non-singleton dimension {i + lead}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}"
            )
    return target


class CheckedArguments:
    """Argument checks already passed, by a key of everything the checks read (shapes, dtypes, the
    raw arguments): key -> the arguments' normal form. A training loop calls each layer with the
    same arguments every step, and torch's checks cost several us a call in Python. Bounded:
    cleared when full. Calls whose key cannot be made (a list argument is unhashable, a
    non-tensor has no ``_data``) are simply checked every time."""

    def __init__(self, size: int = 256) -> None:
        self._normal: dict = {}
        self._size = size

    def get(self, make_key: Callable[[], Hashable]) -> tuple[Hashable | None, Any]:
        """(key, the normal form remembered for it or None); key is None if it cannot be made."""
        try:
            key = make_key()
            return key, self._normal.get(key)
        except (TypeError, AttributeError):
            return None, None

    def put(self, key: Hashable | None, normal: Any) -> None:
        """Remember ``normal`` for ``key`` (nothing if either is None)."""
        if key is None or normal is None:
            return
        if len(self._normal) >= self._size:
            self._normal.clear()
        self._normal[key] = normal


def device_result(like: Any, value: Any, dtype: Any = None) -> Any:
    """``np.asarray(value, dtype)`` on the device of the array ``like``: an op's result for a tensor
    built outside Function.apply stays on its input's device (CuPy's asarray on a GPU)."""
    return backend_of(like).xp.asarray(value, dtype=dtype)


# CuPy refuses to turn a device array into a NumPy one implicitly (np.asarray raises TypeError), so
# the ops convert an array on its own device, through its array module.


def as_array(value: Any, dtype: Any = None) -> Any:
    """``np.asarray(value, dtype)`` on the device ``value`` lives on (a NumPy scalar: the CPU)."""
    return backend_of(value).xp.asarray(value, dtype=dtype)


def as_contiguous(value: Any) -> Any:
    """``np.ascontiguousarray(value)`` on the device ``value`` lives on."""
    return backend_of(value).xp.ascontiguousarray(value)


def contiguous_copy(value: Any) -> Any:
    """``np.array(value, order="C", copy=True)`` on the device ``value`` lives on (0-d stays 0-d)."""
    return backend_of(value).xp.array(value, order="C", copy=True)
