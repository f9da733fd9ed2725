"""Kernels: pure array code (NumPy, Numba). Nothing here knows of Tensor or autograd.

Grouped by device: ``kernels/cpu/`` now; another device is added beside it
without touching ops.
"""
