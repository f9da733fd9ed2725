"""torch.cuda's queries, for minitorch_nn's own CUDA backend (kernels/backend.py, kernels/cuda/).

``is_available()`` is True where the backend exists: a GPU with CuPy and Numba's CUDA support
(``pip install minitorch-nn[cuda]``), or Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1, the
simulated device that CI runs the kernels on). Elsewhere it is False, so the usual idiom
``device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')`` picks the CPU and runs
unchanged, and anything that needs a GPU raises a RuntimeError pointing to the torch path
(``reference.bridge.to_torch``). Asking loads the CUDA packages; ``import minitorch_nn`` does not.

One GPU is used, cuda:0. Random numbers for 'cuda' tensors are drawn by the CPU generator and
copied (so ``torch.manual_seed`` gives them torch's CPU numbers, not torch's CUDA ones), which
makes ``cuda.manual_seed`` accepted and without effect, as it is in torch without a GPU.
"""

from __future__ import annotations

from typing import Any

from .autograd.tensor import check_cuda_index, raise_no_cuda
from .autograd.types import device as _device
from .kernels import backend as _backend


def _backend_or_raise() -> _backend.Backend:
    cuda = _backend.cuda_backend()
    if cuda is None:
        raise_no_cuda()
    return cuda


def is_available() -> bool:
    """True when this engine's CUDA backend can run here (a GPU with CuPy, or the simulator)."""
    return _backend.cuda_backend() is not None


def device_count() -> int:
    """1 with the backend (cuda:0 is the one GPU used), else 0."""
    return 1 if is_available() else 0


def is_initialized() -> bool:
    return _backend._LOADED[0] and _backend._CUDA[0] is not None


def current_device() -> int:
    _backend_or_raise()
    return 0


def set_device(device: Any) -> None:
    """Only cuda:0 exists here."""
    check_cuda_index(_device("cuda", device) if isinstance(device, int) else _device(device))


def get_device_name(device: Any = None) -> str:
    cuda = _backend_or_raise()
    if cuda.simulated:
        return "Numba CUDA simulator"
    props = cuda.xp.cuda.runtime.getDeviceProperties(0)  # pragma: no cover - needs a GPU
    name = props["name"]  # pragma: no cover
    return name.decode() if isinstance(name, bytes) else str(name)  # pragma: no cover


def synchronize(device: Any = None) -> None:
    """Wait until every kernel launched so far has finished."""
    _backend_or_raise().synchronize()


def manual_seed(seed: int) -> None:
    """Accepted and without effect: 'cuda' tensors draw from the CPU generator (see the module docstring)."""


def manual_seed_all(seed: int) -> None:
    """Accepted and without effect, as ``manual_seed``."""


def _memory_pool() -> Any:
    cuda = _backend_or_raise()
    if cuda.simulated:
        raise RuntimeError("device memory is not tracked under Numba's CUDA simulator (its arrays are host memory)")
    return cuda.xp.get_default_memory_pool()  # pragma: no cover - needs a GPU


def memory_allocated(device: Any = None) -> int:
    """Bytes held by live device arrays (CuPy's memory pool, which every array here comes from)."""
    return int(_memory_pool().used_bytes())  # pragma: no cover - needs a GPU


def memory_reserved(device: Any = None) -> int:
    """Bytes the memory pool has taken from the GPU (live arrays plus cached free blocks)."""
    return int(_memory_pool().total_bytes())  # pragma: no cover - needs a GPU


def mem_get_info(device: Any = None) -> tuple[int, int]:
    """(free, total) bytes of the GPU's memory, as the CUDA runtime reports them."""
    _memory_pool()
    free, total = _backend.cuda_backend().xp.cuda.runtime.memGetInfo()  # pragma: no cover - needs a GPU
    return int(free), int(total)  # pragma: no cover


def empty_cache() -> None:
    """Give the memory pool's cached free blocks back to the GPU (nothing to do without one)."""
    cuda = _backend.cuda_backend()
    if cuda is not None and not cuda.simulated:
        cuda.xp.get_default_memory_pool().free_all_blocks()  # pragma: no cover - needs a GPU


__all__ = [
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "mem_get_info",
    "memory_allocated",
    "memory_reserved",
    "set_device",
    "synchronize",
]
