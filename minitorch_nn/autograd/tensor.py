"""Tensor: a NumPy array plus what autograd needs (grad, grad_fn, version).

Only the autograd state lives here. The arithmetic, shape and reduction
methods (``__add__``, ``.view``, ``.sum``, ...) are one-line bindings to the
Functions in ``minitorch_nn.ops``; ``minitorch_nn/_bindings.py`` attaches them
in one place, so this file never imports ops.

The autograd modules build on this one (function, engine, views import Tensor), so the three
of their functions that Tensor calls (the leaf's AccumulateGrad node, the backward pass, a
view's grad_fn refresh) are handed in by ``autograd/__init__.py`` when the package loads
(``_accumulate_grad_node``, ``_run_backward``, ``_refresh_view`` below): imports point one way.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..kernels import backend as _backend
from . import types
from .grad_mode import is_grad_enabled
from .printing import format_tensor


class VersionCounter:
    """Counts in-place writes; shared by a tensor and its views, as in torch."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


def _as_array(data: Any, np_dtype: np.dtype | None) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flatten(data)):
        data = _nested_to_arrays(data)
    array = np.array(data, dtype=np_dtype, copy=True)
    if np_dtype is None:
        if array.dtype.kind == "f" and not isinstance(data, np.ndarray):
            array = array.astype(types.default_float())  # Python floats become torch's default dtype
        elif array.dtype.kind in "iu" and not isinstance(data, np.ndarray):
            array = array.astype(np.int64)
        elif array.dtype == np.float16 or array.dtype.kind in "OUS":
            raise TypeError(f"can't convert data of type {array.dtype} to a tensor")
    types.from_numpy_dtype(array.dtype)  # raises TypeError for unsupported dtypes
    return array


_LEGACY_TYPE_NAMES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "uint8": "ByteTensor",
    "int8": "CharTensor",
    "int16": "ShortTensor",
    "int32": "IntTensor",
    "int64": "LongTensor",
    "bool": "BoolTensor",
}
_LEGACY_TYPES = {legacy: types.from_numpy_dtype(np.dtype(name)) for name, legacy in _LEGACY_TYPE_NAMES.items()}


def _flatten(data: Any) -> Iterator[Any]:
    for d in data:
        if isinstance(d, (list, tuple)):
            yield from _flatten(d)
        else:
            yield d


def _nested_to_arrays(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_nested_to_arrays(d) for d in data]
    return data


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    ``Tensor(data)`` builds a float32 tensor from nested lists (torch's legacy
    constructor); ``Tensor(2, 3)`` an uninitialised (here: zero) one. Library
    code builds tensors with ``Tensor._make(array)``.
    """

    __array_priority__ = 1000  # so ndarray <op> Tensor defers to Tensor's reflected operator

    _data: np.ndarray
    _grad: Tensor | None = None
    _grad_fn: Any = None
    _output_nr: int = 0
    _requires_grad: bool
    _version_counter: VersionCounter
    _accumulator: weakref.ref | None = None
    _hooks: list[Callable] | None = None
    _post_accumulate_hooks: list[Callable] | None = None
    _retains_grad: bool = False
    # views (see autograd/views.py): the base that owns the storage, the view ops from it, how the
    # view was made and the version counter's value when its grad_fn was last set
    _view_base: Tensor | None = None
    _view_steps: tuple = ()
    _view_meta: int = 0
    _attr_version: int = 0

    def __init__(self, *args: Any) -> None:
        if len(args) == 1 and not isinstance(args[0], int):
            array = _as_array(args[0], types.default_float())
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            array = np.zeros(tuple(shape), dtype=types.default_float())
        self._init(array, False)

    def _init(self, array: np.ndarray, requires_grad: bool) -> None:
        # the other autograd fields start as the class defaults below (None, 0, False): every op
        # makes a tensor, and six fewer attribute writes each is ~0.3 us an op
        self._data = array
        self._requires_grad = requires_grad
        self._version_counter = VersionCounter()

    @classmethod
    def _make(cls, array: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Wrap ``array`` (no copy) in a new tensor outside any graph."""
        t = object.__new__(cls)
        t._init(array, requires_grad)
        return t

    # ---- autograd state -------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        if self._view_base is not None:  # torch: a view of a base that requires grad does too
            self._sync_view()
            return self._requires_grad or self._view_base._requires_grad
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a "
                    "computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach()."
                )
            return
        if value and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self) -> Any:
        if self._view_base is not None:
            self._sync_view()
        return self._grad_fn

    def _sync_view(self) -> None:
        """A view whose base (or a sibling view) was written in place takes its grad_fn from the base again."""
        if self._attr_version != self._version_counter.value:
            _refresh_view(self)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @property
    def data(self) -> Tensor:
        """The same storage, outside the graph and its version counting."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's storage has had (torch's ``_version``): views,
        ``detach()`` and ``.data`` share the counter, as they share the storage."""
        return self._version_counter.value

    def _gradient_edge(self) -> tuple[Any, int]:
        if self._view_base is not None:
            self._sync_view()
        if self._grad_fn is not None:
            return (self._grad_fn, self._output_nr)
        return (_accumulate_grad_node(self), 0)

    def detach(self) -> Tensor:
        """A new tensor on the same storage, cut from the graph (shares the version counter)."""
        t = Tensor._make(self._data)
        t._version_counter = self._version_counter
        return t

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._requires_grad = False
        return self

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) * gradient into every leaf's ``.grad``."""
        _run_backward([self], [gradient], retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        if self._grad_fn is not None:
            _attach_tensor_hooks(self)
        return _RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(self)`` after backward has accumulated into this leaf's ``.grad`` (the hook may
        step an optimizer on it there and then); ``autograd.grad``, which accumulates nothing, does not call it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return _RemovableHandle(self._post_accumulate_hooks, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for a non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        _attach_tensor_hooks(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    # ---- plain properties -----------------------------------------------------------
    @property
    def shape(self) -> types.Size:
        return types.Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return types.Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> types.dtype:
        return types.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> types.device:
        """Where the storage lives: read from the array's type (kernels/backend.py), never stored apart."""
        if type(self._data) is np.ndarray:
            return _CPU
        return _CUDA0 if _backend.device_type_of(self._data) == "cuda" else _CPU

    @property
    def is_cuda(self) -> bool:
        return type(self._data) is not np.ndarray and _backend.device_type_of(self._data) == "cuda"

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def element_size(self) -> int:
        return self._data.itemsize

    def data_ptr(self) -> int:
        return int(self._data.__array_interface__["data"][0])

    # ---- leaving the tensor world -------------------------------------------------
    def numpy(self) -> np.ndarray:
        if self.is_cuda:
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy the tensor "
                "to host memory first."
            )
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return _backend.host_view(self._data).reshape(()).item()

    def tolist(self) -> Any:
        return _backend.host_view(self._data).tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        data = self.numpy() if self.is_cuda else self._data  # numpy() raises torch's error for a device tensor
        return data if dtype is None else data.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        suffixes = []
        if self._grad_fn is not None:
            suffixes.append(f"grad_fn=<{self._grad_fn.name()}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        if self.is_cuda:
            suffixes.insert(0, f"device='{self.device}'")
        return format_tensor(_backend.host_view(self._data), suffixes)

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.4f}"``), as in torch."""
        if self._data.ndim == 0:
            return format(self._data.item(), format_spec)
        if format_spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def type(self, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
        """No argument: the legacy type name (``'torch.FloatTensor'``); a dtype or such a name: the tensor
        cast to it (itself when it already has that dtype), as ``.to(dtype)``."""
        if dtype is None:
            return "torch." + _LEGACY_TYPE_NAMES[self._data.dtype.name]
        if isinstance(dtype, str):
            name = dtype
            dtype = _LEGACY_TYPES.get(dtype.removeprefix("torch."))
            if dtype is None:
                raise ValueError(f"invalid type: '{name}'")
        return self.to(dtype)

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild_tensor, (type(self), self._data, self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment."
            )
        new = type(self)._make(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = new
        return new

    # ---- devices: .cpu(), .cuda() and .to(device) are bound from ops/devices.py --------


_CPU = types.device("cpu")
_CUDA0 = types.device("cuda", 0)
_DEFAULT_DEVICE: list[types.device] = [types.device("cpu")]


def get_default_device() -> types.device:
    """The device factories create tensors on when given none (``torch.get_default_device``)."""
    return _DEFAULT_DEVICE[0]


def set_default_device(device: Any) -> None:
    """``torch.set_default_device``: None, 'cpu' or 'cuda'; factories then create there (and raise
    as ``.cuda()`` does when this machine has no CUDA backend)."""
    _DEFAULT_DEVICE[0] = types.device("cpu" if device is None else device)


def check_device(device: Any) -> types.device:
    """Where a factory puts a tensor (None means the default device); raises when that is 'cuda'
    and there is no CUDA backend here."""
    target = _DEFAULT_DEVICE[0] if device is None else types.device(device)
    if target.type == "cuda":
        check_cuda_index(target)
    elif target.type != "cpu":
        raise RuntimeError(f"minitorch_nn has no {target.type} backend")
    return target


def check_cuda_index(target: types.device) -> None:
    """A 'cuda' device must exist: a CUDA backend, and index 0 (one GPU is used)."""
    if _backend.cuda_backend() is None:
        raise_no_cuda()
    if target.index not in (None, 0):
        raise RuntimeError("CUDA error: invalid device ordinal (minitorch_nn uses one GPU, cuda:0)")


def on_device(array: np.ndarray, device: Any) -> Any:
    """A factory's host array placed on ``device`` (checked by ``check_device``): moved when 'cuda'."""
    target = check_device(device)
    return _backend.to_device(array) if target.type == "cuda" else array


def move_array(array: Any, device: Any) -> Any:
    """``array`` in the memory of ``device`` (itself when it is there): what Module.to does to storage."""
    target = check_device(device)
    if _backend.device_type_of(array) == target.type:
        return array
    return _backend.to_device(array) if target.type == "cuda" else _backend.to_host(array)


def raise_no_cuda() -> None:
    raise RuntimeError(
        "minitorch_nn computes on the CPU only on this machine: it has no CUDA backend here (its CUDA "
        "kernels need a GPU with CuPy, `pip install minitorch-nn[cuda]`, or Numba's simulator, "
        "NUMBA_ENABLE_CUDASIM=1). To train on a GPU with PyTorch itself: reference.bridge.to_torch(model) "
        "gives the same model in torch (or run `minitorch-nn train --engine torch --device cuda`)."
    )


def _rebuild_tensor(cls: type, array: np.ndarray, requires_grad: bool) -> Tensor:
    return cls._make(array, requires_grad)


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


class _RemovableHandle:
    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _attach_tensor_hooks(t: Tensor) -> None:
    """Register, once, a pre-hook on t's grad_fn that runs t's hooks and retains its grad."""
    node = t._grad_fn
    registry = node.__dict__.setdefault("_tensor_hooks", {})
    registry[t._output_nr] = weakref.ref(t)


def wrap_dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dim, with torch's IndexError when out of range."""
    return _wrap_dim(dim, ndim)


def as_tensor_like(value: Any, np_dtype: np.dtype | None = None) -> Tensor:
    """Wrap a scalar, list or array as a tensor (used by factories and ops)."""
    if isinstance(value, Tensor):
        return value
    return Tensor._make(_as_array(value, np_dtype))


def make_tensor(
    data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """``torch.tensor``: copy ``data`` into a new leaf tensor."""
    check_device(device)
    if isinstance(data, Tensor) and data.is_cuda:
        data = _backend.to_host(data._data)
    try:
        array = _as_array(data, types.to_numpy_dtype(dtype))
    except ValueError:  # NumPy's "inhomogeneous shape": torch names the first ragged place
        np_dtype = types.to_numpy_dtype(dtype)
        floats = np_dtype is not None and np.dtype(np_dtype).kind == "f"
        error = _ragged_error(data, floats) if isinstance(data, (list, tuple)) else None
        if error is None:
            raise
        raise error from None
    t = Tensor._make(on_device(array, device))
    if requires_grad:
        t.requires_grad = True
    return t


def _ragged_error(data: list | tuple, floats: bool = False) -> Exception | None:
    """torch's error for nested sequences that make no array: the shape is read along the first
    elements, and the first place that departs from it is named (its length or its kind)."""
    shape = []
    first: Any = data
    while isinstance(first, (list, tuple, np.ndarray, Tensor)):
        shape.append(len(first))
        if len(first) == 0:
            break
        first = first[0]
    floats = floats or any(isinstance(v, float) for v in _flatten(data))

    def departure(d: Any, dim: int) -> Exception | None:
        if dim == len(shape):
            if isinstance(d, (list, tuple)):
                kind = type(d).__name__
                return TypeError(
                    f"must be real number, not {kind}"
                    if floats
                    else f"'{kind}' object cannot be interpreted as an integer"
                )
            return None
        if not isinstance(d, (list, tuple, np.ndarray, Tensor)):
            return TypeError("not a sequence")
        if len(d) != shape[dim]:
            return ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(d)})")
        for item in d:
            if (found := departure(item, dim + 1)) is not None:
                return found
        return None

    return departure(data, 0)


def grad_enabled_for(*tensors: Any) -> bool:
    """True when an op on these inputs would be recorded."""
    return is_grad_enabled() and any(isinstance(t, Tensor) and t._requires_grad for t in tensors)


# ---- set by autograd/__init__.py from the modules above this one (see the module docstring) ----------
# function.accumulate_grad_node (a leaf's AccumulateGrad), engine.backward, views.refresh (a view's
# grad_fn after a write to its base)
_accumulate_grad_node: Callable[[Tensor], Any] = None  # type: ignore[assignment]
_run_backward: Callable[..., None] = None  # type: ignore[assignment]
_refresh_view: Callable[[Tensor], None] = None  # type: ignore[assignment]
