"""Linear layers: Identity, Linear (y = x W^T + b) and LazyLinear.

Linear's default initialisation is torch's: ``kaiming_uniform_(W, a=sqrt(5))``,
i.e. gain sqrt(2 / (1 + 5)) = sqrt(1/3) and bound sqrt(3) * gain / sqrt(fan_in)
= 1 / sqrt(fan_in), so W ~ U(-1/sqrt(in), 1/sqrt(in)); and b ~ U(-1/sqrt(in), 1/sqrt(in)).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor, check_device
from ...autograd.types import default_float, to_numpy_dtype
from ...autograd.types import device as _device
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .module import Module


def _factory_dtype(device: Any, dtype: Any) -> np.dtype:
    """The NumPy dtype for a layer's parameters; a CUDA device is refused (build on the CPU, then .to('cuda'))."""
    if device is not None and _device(device).type != "cpu":
        check_device(device)  # no CUDA backend here: that error
        raise RuntimeError(
            "minitorch_nn builds layers on the CPU: construct it without device= and move it with .to('cuda')"
        )
    return to_numpy_dtype(dtype) or default_float()


def _empty_parameter(shape: tuple[int, ...], np_dtype: np.dtype) -> Parameter:
    return Parameter(Tensor._make(np.zeros(shape, dtype=np_dtype)))


class Identity(Module):
    """Returns its input unchanged (accepts and ignores any constructor arguments)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x W^T + b, with W of shape (out_features, in_features) and b of shape (out_features,)."""

    in_features: int
    out_features: int
    weight: Parameter

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        np_dtype = _factory_dtype(device, dtype)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _empty_parameter((out_features, in_features), np_dtype)
        if bias:
            self.bias = _empty_parameter((out_features,), np_dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """W, b ~ U(-1/sqrt(in_features), 1/sqrt(in_features)) (see the module docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class LazyLinear(Linear):
    """A Linear whose in_features is read from the first input; then it *becomes* a Linear.

    Until that first call its weight and bias are ``UninitializedParameter``s
    (``in_features=0`` in its repr), as in torch.
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, False, device, dtype)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def has_uninitialized_params(self) -> bool:
        return any(isinstance(p, UninitializedParameter) for p in self._parameters.values())

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        """Give weight the shape (out_features, input.shape[-1]) and initialise as Linear does."""
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.initialize_parameters(*args)
        if not self.has_uninitialized_params():
            if self.in_features == 0:  # materialised by load_state_dict
                self.in_features = self.weight._data.shape[1]
            self.__class__ = self.cls_to_become
        return Module.__call__(self, *args, **kwargs)


__all__ = ["Identity", "LazyLinear", "Linear"]
