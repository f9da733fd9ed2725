"""The pointwise and GEMM entries of the device's kernel table, on the device's array module.

ReLU is one CuPy elementwise pass already (no kernel of ours would do better), and GEMM is
cuBLAS through CuPy's matmul: the kernel table of ``kernels/backend.py`` names the same
functions for both devices, and these are the device's.
"""

from __future__ import annotations

from .device import xp


def relu_forward(x):
    """max(x, 0), NaN kept (torch's relu)."""
    return xp.maximum(x, x.dtype.type(0))


def relu_backward(grad, y):
    """dx = 0 where y <= 0, else grad."""
    return xp.where(y <= 0, xp.zeros((), grad.dtype), grad)


def matmul(a, b):
    """a @ b: cuBLAS through CuPy on a GPU (NumPy's matmul under the simulator)."""
    return xp.matmul(a, b)
