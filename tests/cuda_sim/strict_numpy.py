"""CuPy's refusal of implicit conversion, for the simulated device (imported by the *_sim.py suites).

``np.asarray(cupy_array)`` raises TypeError on a GPU, but a ``SimulatedCudaArray`` is an ndarray
subclass that NumPy converts without asking (``__array__`` is never called), so the simulator
alone cannot see an op that would fail on a GPU this way. ``strict_conversions`` puts, in place
of ``np`` in the op modules' namespaces, NumPy whose ``asarray``, ``asanyarray``,
``ascontiguousarray`` and ``array`` raise CuPy's TypeError when given a device array.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import numpy as np

import minitorch_nn.ops
from minitorch_nn.kernels.simulated import SimulatedCudaArray

MESSAGE = (
    "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a NumPy array explicitly."
)
CONVERSIONS = ("array", "asarray", "asanyarray", "ascontiguousarray")


def _holds_device_array(value: Any) -> bool:
    if isinstance(value, SimulatedCudaArray):
        return True
    return isinstance(value, (list, tuple)) and any(_holds_device_array(v) for v in value)


class _StrictNumpy:
    def __init__(self) -> None:
        for name in CONVERSIONS:
            setattr(self, name, self._refusing(getattr(np, name)))

    @staticmethod
    def _refusing(convert: Any) -> Any:
        def strict(value: Any, *args: Any, **kwargs: Any) -> Any:
            if _holds_device_array(value):
                raise TypeError(MESSAGE)
            return convert(value, *args, **kwargs)

        return strict

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)


def op_modules() -> list:
    """Every module of minitorch_nn.ops that uses ``np``."""
    modules = []
    for info in pkgutil.iter_modules(minitorch_nn.ops.__path__):
        module = importlib.import_module(f"minitorch_nn.ops.{info.name}")
        if getattr(module, "np", None) is np:
            modules.append(module)
    return modules


def strict_conversions(monkeypatch: Any) -> None:
    """Make the op modules refuse implicit device-to-host conversion for the rest of a test."""
    strict = _StrictNumpy()
    for module in op_modules():
        monkeypatch.setattr(module, "np", strict)
