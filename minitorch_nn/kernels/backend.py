"""The array switch: which device an array lives on, its array module and its kernel table.

As Chainer's ``xp``: a tensor's storage is an array of its device's array type
(``numpy.ndarray`` on the CPU, ``cupy.ndarray`` on a GPU), and whatever is device-specific is
looked up from the array, in this one place: ``backend_of(array)`` gives its ``Backend``,
whose ``xp`` is the array module (NumPy or CuPy) and whose kernel table (``conv``,
``pooling``, ``matmul``, ``relu_forward``, ...) names the same functions for every device,
from ``kernels/cpu`` or ``kernels/cuda``. An op reaches array work through that table, so an
op file stays one file, with no if per device. CuPy arrays follow NumPy's dispatch protocols
(``__array_ufunc__``, ``__array_function__``), so the ops written with NumPy's functions run
on them unchanged; the convolution, pooling, loss and optimizer kernels are ours, in
numba.cuda.

The CUDA backend is built the first time a 'cuda' device is asked for, never at import: a
machine without a GPU imports no CUDA package. It exists when CuPy finds a GPU, or in the
simulated mode: with ``NUMBA_ENABLE_CUDASIM=1`` (Numba's CUDA simulator) a 'cuda' array is a
NumPy array of the subclass ``SimulatedCudaArray`` (a tag: NumPy keeps the subclass through
ufuncs and views; kernels/simulated.py), ``xp`` is NumPy with CuPy's array makers and our
kernels run in the simulator, so the device
plumbing and the kernels are exercised end to end on any machine. A CPU (Numba) kernel given
a device array raises ``DeviceArrayError``, as Numba refuses a CuPy array, so an op that has
no device path yet fails clearly under the simulator as it would on a GPU.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import numpy as np

from .cpu import conv as cpu_conv
from .cpu import pooling as cpu_pooling
from .cpu.elementwise import relu_backward, relu_forward
from .cpu.matmul import matmul as cpu_matmul
from .simulated import SimulatedCudaArray, tag


class DeviceArrayError(TypeError):
    """A device array reached code that runs on the host only (a CPU kernel)."""


class Backend:
    """One device's array module and kernel table (see the module docstring)."""

    def __init__(self, device_type: str, xp: ModuleType, array_type: type, **kernels: Any) -> None:
        self.device_type = device_type
        self.xp = xp
        self.array_type = array_type
        self.simulated = False
        for name, kernel in kernels.items():
            setattr(self, name, kernel)

    def __repr__(self) -> str:
        return f"<Backend {self.device_type}{' (simulated)' if self.simulated else ''}>"


CPU = Backend(
    "cpu",
    np,
    np.ndarray,
    conv=cpu_conv,
    pooling=cpu_pooling,
    matmul=cpu_matmul,
    relu_forward=relu_forward,
    relu_backward=relu_backward,
    softmax_cross_entropy=None,  # the CPU's log_softmax and nll_loss are the NumPy code of their ops
    optim=None,  # the CPU optimizers keep their own update code (optim/)
)

# The CUDA backend once built (None until then, or when there is none); DEVICE_IN_USE[0] turns
# True when the first device array is made, and only then does Function.apply look at devices.
_CUDA: list[Backend | None] = [None]
_LOADED = [False]
DEVICE_IN_USE = [False]


def simulated() -> bool:
    """Is the simulated device mode on (NUMBA_ENABLE_CUDASIM=1)?"""
    return os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"


def cuda_backend() -> Backend | None:
    """The CUDA backend, built on first use; None without a GPU and CuPy (and no simulator)."""
    if not _LOADED[0]:
        _LOADED[0] = True
        _CUDA[0] = _load_cuda()
    return _CUDA[0]


def _load_cuda() -> Backend | None:
    if simulated():
        from numba.extending import typeof_impl

        @typeof_impl.register(SimulatedCudaArray)
        def _refuse(value: Any, context: Any) -> Any:
            raise DeviceArrayError("a 'cuda' array was given to a CPU (Numba) kernel")

        array_type: type = SimulatedCudaArray
    else:
        try:  # pragma: no cover - needs a GPU
            import cupy
            from numba import cuda

            if cupy.cuda.runtime.getDeviceCount() == 0 or not cuda.is_available():
                return None
        except Exception:
            return None
        array_type = cupy.ndarray  # pragma: no cover
    from .cuda import conv, device, elementwise, optim, pooling, softmax_cross_entropy

    backend = Backend(
        "cuda",
        device.xp,
        array_type,
        conv=conv,
        pooling=pooling,
        matmul=elementwise.matmul,
        relu_forward=elementwise.relu_forward,
        relu_backward=elementwise.relu_backward,
        optim=optim,
        softmax_cross_entropy=softmax_cross_entropy,
        synchronize=device.synchronize,
    )
    backend.simulated = simulated()
    return backend


def backend_of(array: Any) -> Backend:
    """The backend of the device ``array`` lives on (the CPU for anything but a device array)."""
    if type(array) is np.ndarray:
        return CPU
    cuda = _CUDA[0]
    return cuda if cuda is not None and isinstance(array, cuda.array_type) else CPU


def device_type_of(array: Any) -> str:
    """'cpu' or 'cuda'."""
    return backend_of(array).device_type


def to_device(array: np.ndarray) -> Any:
    """A copy of a host array in device memory (requires the CUDA backend)."""
    cuda = cuda_backend()
    assert cuda is not None
    DEVICE_IN_USE[0] = True
    if cuda.simulated:
        return tag(np.array(array, copy=True))
    return cuda.xp.asarray(array)  # pragma: no cover - needs a GPU


def to_host(array: Any) -> np.ndarray:
    """A host (NumPy) copy of a device array."""
    if isinstance(array, SimulatedCudaArray):
        return np.array(array.view(np.ndarray), copy=True)
    return array.get()  # pragma: no cover - a CuPy array


def host_view(array: Any) -> np.ndarray:
    """The array as NumPy, for reading on the host (printing, tolist): a view where memory is shared."""
    if type(array) is np.ndarray:
        return array
    if isinstance(array, SimulatedCudaArray):
        return array.view(np.ndarray)
    return array.get() if backend_of(array).device_type == "cuda" else np.asarray(array)


def adopt(array: Any, backend: Backend) -> Any:
    """``array`` as an array of ``backend``'s device: itself when it is one, else moved there.

    In the simulated mode a NumPy result of an op on the device (NumPy builds fresh arrays as
    plain ndarrays) becomes a tagged view of the same memory, as a GPU op returns device arrays.
    """
    if isinstance(array, backend.array_type):
        return array
    if backend.simulated:
        return tag(array)
    return backend.xp.asarray(array)  # pragma: no cover - needs a GPU


__all__ = [
    "CPU",
    "DEVICE_IN_USE",
    "Backend",
    "DeviceArrayError",
    "SimulatedCudaArray",
    "adopt",
    "backend_of",
    "cuda_backend",
    "device_type_of",
    "host_view",
    "simulated",
    "to_device",
    "to_host",
]
