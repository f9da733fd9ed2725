"""Parameter: a Tensor that a Module registers as learnable.

``Parameter(t)`` is a new leaf sharing ``t``'s storage (as in torch: changing
one changes the other), with ``requires_grad=True`` by default. Assigning a
Parameter to a Module attribute is what puts it in ``module.parameters()``.

``UninitializedParameter`` is the placeholder that lazy modules (``LazyLinear``)
hold until their first forward tells them the input size; ``materialize``
then gives it a shape and turns it into a plain Parameter in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.tensor import Tensor
from ..autograd.types import default_float, to_numpy_dtype


class Parameter(Tensor):
    """A learnable tensor of a Module: ``nn.Parameter(data=None, requires_grad=True)``."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = Tensor._make(np.empty((0,), dtype=default_float()))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        p = cls._make(data._data)
        p._version_counter = data._version_counter  # an alias of data's storage, as torch's _make_subclass
        p.requires_grad = requires_grad
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ would rebuild the storage)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


_UNINITIALIZED_SHAPE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
    "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
    "`forward` to initialize the parameters before accessing their attributes."
)


class UninitializedTensorMixin:
    """What an uninitialized parameter or buffer can do before ``materialize``: almost nothing."""

    cls_to_become: type[Tensor] = Tensor

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the tensor ``shape`` (contents uninitialised: zeros here) and become ``cls_to_become``."""
        if isinstance(shape, int):
            shape = (shape,)
        np_dtype = to_numpy_dtype(dtype) or self._data.dtype
        self._data = np.zeros(tuple(shape), dtype=np_dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self) -> Any:
        raise RuntimeError(_UNINITIALIZED_SHAPE)

    def size(self, dim: int | None = None) -> Any:
        raise RuntimeError(_UNINITIALIZED_SHAPE)

    def numel(self) -> int:
        raise ValueError(
            "Attempted to use an uninitialized parameter in <method 'numel'>. This error happens when you are "
            "using a `LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` "
            "objects. When using LazyModules Call `forward` with a dummy batch to initialize the parameters "
            "before calling torch functions"
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol: int) -> Any:
        return (type(self), (self._requires_grad,))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter with no shape yet; becomes a Parameter at ``materialize``."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> UninitializedParameter:
        np_dtype = to_numpy_dtype(dtype) or default_float()
        return super().__new__(cls, Tensor._make(np.empty((0,), dtype=np_dtype)), requires_grad)

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer with no shape yet; becomes a plain Tensor at ``materialize``."""

    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None) -> None:
        np_dtype = to_numpy_dtype(dtype) or default_float()
        self._init(np.empty((0,), dtype=np_dtype), False)
        self.requires_grad = requires_grad


def is_lazy(t: Any) -> bool:
    """True for an uninitialized parameter or buffer."""
    return isinstance(t, UninitializedTensorMixin)


__all__ = ["Parameter", "UninitializedBuffer", "UninitializedParameter"]
