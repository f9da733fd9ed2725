"""Kernels: pure array code (NumPy, Numba). Nothing here knows of Tensor or autograd.

Grouped by device: ``kernels/cpu/`` (NumPy and Numba ``@njit``) and ``kernels/cuda/``
(numba.cuda, loaded only when a 'cuda' device is first used). ``backend.py`` is the one
switch between them: from an array it gives the device's array module and kernel table, so
ops are written once for every device.
"""
