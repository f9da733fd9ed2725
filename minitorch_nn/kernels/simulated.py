"""The simulated device's arrays: what stands in for CuPy under Numba's CUDA simulator.

With NUMBA_ENABLE_CUDASIM=1 there is no GPU and no CuPy, so a 'cuda' array is a NumPy array of
the subclass ``SimulatedCudaArray`` (the type is the device tag, as ``cupy.ndarray`` is on a
GPU) and the array module ``xp`` is ``simulated_xp``: NumPy, except that the functions that make
arrays (``zeros``, ``asarray``, ``ascontiguousarray``, ...) make device arrays, as CuPy's do.
Nothing here imports numba.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class SimulatedCudaArray(np.ndarray):
    """The storage of a 'cuda' tensor in the simulated mode: a NumPy array tagged with the device.

    As a CuPy array, an operation on it never gives a NumPy scalar: a 0-d result stays a 0-d
    device array (NumPy would unwrap it, and the result would land on the CPU)."""

    def __array_wrap__(self, array: np.ndarray, context: Any = None, return_scalar: bool = False) -> Any:
        return np.ndarray.__array_wrap__(self, array, context, False)


def tag(array: Any) -> SimulatedCudaArray:
    """``array`` as a simulated device array (a view when it is an ndarray already)."""
    if isinstance(array, SimulatedCudaArray):
        return array
    return np.asarray(array).view(SimulatedCudaArray)


# the NumPy functions that make a new array: on the simulated device they make device arrays
_MAKERS = frozenset(
    (
        "arange array asarray ascontiguousarray empty empty_like eye full full_like linspace ones ones_like "
        "zeros zeros_like"
    ).split()
)


class _SimulatedArrayModule:
    """NumPy with CuPy's array makers (see the module docstring)."""

    def __getattr__(self, name: str) -> Any:
        function = getattr(np, name)
        if name not in _MAKERS:
            return function

        def make(*args: Any, **kwargs: Any) -> SimulatedCudaArray:
            return tag(function(*args, **kwargs))

        make.__name__ = name
        setattr(self, name, make)  # built once per name
        return make


simulated_xp = _SimulatedArrayModule()
