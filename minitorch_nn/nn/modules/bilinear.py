"""Bilinear(in1_features, in2_features, out_features, bias=True): y = x1^T A x2 + b.

Weight (out_features, in1_features, in2_features), bias (out_features,), both initialised as torch
does: U(-1/sqrt(in1_features), 1/sqrt(in1_features)), weight first. The math is in ops/bilinear.py.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.bilinear import bilinear
from .. import init
from ..parameter import Parameter
from .linear import _factory_dtype
from .module import Module


class Bilinear(Module):
    """y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o]."""

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        np_dtype = _factory_dtype(device, dtype)
        shape = (out_features, in1_features, in2_features)
        self.weight = Parameter(Tensor._make(np.zeros(shape, dtype=np_dtype)))
        if bias:
            self.bias = Parameter(Tensor._make(np.zeros((out_features,), dtype=np_dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


__all__ = ["Bilinear"]
