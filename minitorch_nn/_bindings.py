"""Attach the ops to Tensor as methods: the one place where Tensor meets ops.

Every op family lists its methods in ``TENSOR_METHODS``; binding them here
keeps ``autograd`` free of any import of ``ops`` (dependencies point down).
"""

from __future__ import annotations

from .autograd.tensor import Tensor
from .ops import FAMILIES


def bind_tensor_methods() -> None:
    for family in FAMILIES:
        for name, function in family.TENSOR_METHODS.items():
            setattr(Tensor, name, function)


bind_tensor_methods()
