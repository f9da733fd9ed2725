"""The small value types that torch code passes around: dtype, Size and device.

They print as torch prints them (``torch.float32``, ``torch.Size([2, 3])``,
``device(type='cpu')``) because code written for torch prints them.
"""

from __future__ import annotations

import numpy as np


class dtype:  # noqa: N801  (torch's name)
    """A tensor element type, backed by a NumPy dtype."""

    __slots__ = ("name", "numpy", "is_floating_point", "itemsize")

    def __init__(self, name: str, numpy_dtype: np.dtype) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.itemsize = self.numpy.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
bool_ = dtype("bool", np.bool_)

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
_BY_NUMPY = {d.numpy: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}


_DEFAULT_FLOAT = [float32]  # torch.set_default_dtype's setting (a list: set in place, read everywhere)


def get_default_dtype() -> dtype:
    """The dtype that Python floats and float factories get (``torch.get_default_dtype``)."""
    return _DEFAULT_FLOAT[0]


def default_float() -> np.dtype:
    """The default float as a NumPy dtype, for the ops that make floats out of ints or numbers."""
    return _DEFAULT_FLOAT[0].numpy


def set_default_dtype(d: dtype) -> None:
    """``torch.set_default_dtype``: float32 (the default), float64 or float16."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _DEFAULT_FLOAT[0] = d


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The dtype object for a NumPy dtype; raises TypeError for unsupported kinds."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}") from None


def to_numpy_dtype(d: dtype | np.dtype | type | str | None) -> np.dtype | None:
    """Accept our dtype, a NumPy dtype or a Python type; None stays None."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.numpy
    if d is float:
        return float64.numpy  # torch reads the Python type float as torch.float64
    if d is int:
        return int64.numpy
    if d is bool:
        return bool_.numpy
    return np.dtype(d)


class Size(tuple):
    """A tuple of dimension sizes that prints as ``torch.Size([...])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result


class device:  # noqa: N801  (torch's name)
    """Where a tensor lives: ``device('cpu')``, ``device('cuda')``, ``device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments: {type!r}")
        name, _, idx = type.partition(":")
        if name not in ("cpu", "cuda", "meta", "mps"):
            raise RuntimeError("Expected one of cpu, cuda, mps, meta device type at start of device string: " + type)
        if idx:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was passed explicitly: {type}"
                )
            index = int(idx)
        self.type, self.index = name, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))
