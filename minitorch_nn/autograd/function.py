"""Function: one differentiable operation, its forward and its backward.

A Function subclass defines two static methods on NumPy arrays::

    forward(ctx, *arrays_and_options) -> array or tuple of arrays
    backward(ctx, *grad_outputs)      -> one gradient (or None) per forward argument

``Function.apply`` unwraps Tensors to arrays, runs ``forward``, and, when grad
mode is on and an input requires grad, wraps the outputs in Tensors whose
``grad_fn`` is a new graph node. As in torch, that node *is* the ``ctx`` that
forward and backward receive: it holds the saved arrays, ``needs_input_grad``
and the edges ``next_functions`` to the nodes that produced the inputs.

Each Function names its node class as torch does (``node_name =
"AddmmBackward0"``), so ``print(loss.grad_fn)`` reads the same in both.
"""

from __future__ import annotations

import functools
import itertools
import weakref
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from ..kernels import backend as _backend
from .grad_mode import is_grad_enabled, no_grad
from .tensor import Tensor

_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Node:
    """A node of the backward graph (torch's ``grad_fn`` objects)."""

    _seq: int
    next_functions: tuple[tuple[Node | None, int], ...] = ()

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def register_hook(self, hook: Any) -> None:
        """Call ``hook(grad_inputs, grad_outputs)`` after this node runs."""
        self.__dict__.setdefault("_post_hooks", []).append(hook)

    def register_prehook(self, hook: Any) -> None:
        """Call ``hook(grad_outputs)`` before this node runs."""
        self.__dict__.setdefault("_pre_hooks", []).append(hook)


_NONE_MARKED: frozenset[int] = frozenset()


class BackwardNode(Node):
    """The node (and ctx) of one Function call; subclassed once per Function."""

    _function: ClassVar[type[Function]]
    # False: the engine passes None, not zeros, for an output that received no gradient
    _materialize: ClassVar[bool] = True
    # False: an integer output (indices) that received no gradient stays None, not int zeros of its
    # size (a backward here never reads it; a user's Function gets zeros, as in torch)
    _materialize_integer: ClassVar[bool] = False
    # the Backend of the device the op ran on (kernels/backend.py); None on the CPU
    _device: Any = None

    def __init__(self) -> None:
        self._seq = next(_sequence)
        self._saved: list[tuple[np.ndarray, Any, int]] | None = []
        self._freed = False
        # ids of outputs marked by forward; most ops mark none, so the empty case shares one frozenset
        self._non_differentiable: set[int] | frozenset[int] = _NONE_MARKED
        self._dirty: set[int] | frozenset[int] = _NONE_MARKED
        self.needs_input_grad: tuple[bool, ...] = ()
        # (shape, dtype) of every tensor input, to check gradients the backward returns
        self._input_meta: list[tuple[tuple[int, ...], np.dtype] | None] = []
        self._output_meta: list[tuple[tuple[int, ...], np.dtype]] = []
        self._tensor_positions: tuple[int, ...] = ()

    # ---- what forward calls on ctx -------------------------------------------------
    def save_for_backward(self, *arrays: np.ndarray | None) -> None:
        """Keep arrays for backward; in-place changes to them are detected then."""
        self._saved = [(a, None, 0) for a in arrays]

    @property
    def saved_tensors(self) -> tuple[np.ndarray | None, ...]:
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        out = []
        for array, counter, version in self._saved or ():
            if counter is not None and counter.value != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{_type_name(array)} {list(array.shape)}], which is an input "
                    f"or output of {self.name()}, is at version {counter.value}; expected version "
                    f"{version} instead. Hint: the backtrace further above shows the operation that "
                    "failed to compute its gradient."
                )
            out.append(array)
        return tuple(out)

    def mark_dirty(self, *arrays: np.ndarray) -> None:
        """Declare that forward modified these input arrays in place."""
        self._dirty = set(self._dirty) | {id(a) for a in arrays}

    def mark_non_differentiable(self, *arrays: np.ndarray) -> None:
        """Declare outputs (indices, masks) that carry no gradient."""
        self._non_differentiable = set(self._non_differentiable) | {id(a) for a in arrays}

    # ---- what the engine calls -------------------------------------------------------
    def _release(self) -> None:
        """After this node's backward (no retain_graph): drop its saved arrays, as torch frees saved
        variables. The graph itself lives on while the loss tensor does (in a training loop, until the
        next forward is done), so arrays left here would add to the next step's peak."""
        if self._saved:
            self._freed = True
        self._saved = None
        self.__dict__.pop("saved", None)


def _type_name(array: np.ndarray) -> str:
    names = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor"}
    return "torch." + names.get(array.dtype.name, array.dtype.name)


class _NoGradContext:
    """The ctx forward gets when no graph is recorded: saving is a no-op."""

    def __init__(self, n: int) -> None:
        self.needs_input_grad = (False,) * n
        self._dirty: set[int] = set()

    def save_for_backward(self, *arrays: Any) -> None:
        pass

    def mark_non_differentiable(self, *arrays: Any) -> None:
        pass

    def mark_dirty(self, *arrays: np.ndarray) -> None:
        self._dirty.update(id(a) for a in arrays)


class Function:
    """Base class of differentiable operations (see the module docstring)."""

    node_name: ClassVar[str] = ""
    # True for ops whose output is a view of their first input: they share its version counter
    is_view: ClassVar[bool] = False
    # True for the op that copies between devices (ops/devices.py): its output stays where forward put it
    moves_device: ClassVar[bool] = False
    _node_class: ClassVar[type[BackwardNode]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.node_name or cls.__name__ + "Backward"
        cls._node_class = type(name, (BackwardNode,), {"_function": cls, "__module__": cls.__module__})

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, *grad_outputs: np.ndarray) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        # devices are looked at only once a device array exists (one list read on a CPU-only run)
        if _backend.DEVICE_IN_USE[0] and _ON_DEVICE[0] is None and not cls.moves_device:
            device = _device_of(cls, args)
            if device is not None:
                return _apply_on_device(cls, device, args, kwargs)
        # one pass over the arguments (this runs for every op of every step: ~1 us saved an op
        # against separate comprehensions)
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        needs = None
        if is_grad_enabled():
            needs = tuple(
                isinstance(a, Tensor) and (a._requires_grad if a._view_base is None else a.requires_grad) for a in args
            )
        if needs is None or True not in needs:
            ctx = _NoGradContext(len(args))
            result = cls.forward(ctx, *arrays, **kwargs)
            out = _wrap_without_graph(result, args, ctx._dirty)
            if cls.is_view:
                _record_view(cls, out, args, kwargs)
            return out
        node = cls._node_class()
        node.needs_input_grad = needs
        edges = []
        positions = []
        meta = node._input_meta
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                positions.append(i)
                edges.append(a._gradient_edge() if needs[i] else (None, 0))
                data = a._data
                meta.append((data.shape, data.dtype))
        node.next_functions = tuple(edges)
        node._tensor_positions = tuple(positions)
        result = cls.forward(node, *arrays, **kwargs)
        out = _wrap_with_graph(result, args, node)
        if cls.is_view:
            _record_view(cls, out, args, kwargs)
        return out


# ---- ops on a device (kernels/backend.py) ----------------------------------------------------
# The Backend of the device the op being applied runs on; None on the CPU. Set around the call of
# forward, so that the outputs are adopted as arrays of that device (_adopt_outputs).
_ON_DEVICE: list[Any] = [None]


def _device_of(cls: type[Function], args: tuple) -> Any:
    """The device Backend of an op's tensor arguments; None when all are on the CPU. Two devices
    raise torch's error (a 0-d CPU tensor mixes with any device, as a Python number does)."""
    found = None
    cpu = False
    for a in args:
        if isinstance(a, Tensor):
            backend = _backend.backend_of(a._data)
            if backend is _backend.CPU:
                cpu = cpu or a._data.ndim > 0
            else:
                found = backend
    if found is not None and cpu:
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
        )
    return found


def _apply_on_device(cls: type[Function], device: Any, args: tuple, kwargs: dict) -> Any:
    """Function.apply for inputs on a device: the same forward (its array work goes through the
    device's kernel table), its outputs adopted as device arrays, its node marked with the device
    so that backward's gradients are too. An op with no device path names itself and the device."""
    previous = _ON_DEVICE[0]
    _ON_DEVICE[0] = device
    try:
        out = cls.apply(*args, **kwargs)  # _ON_DEVICE set: the plain path, outputs adopted
    except _backend.DeviceArrayError:
        name = cls.node_name.removesuffix("Backward0") or cls.__name__
        raise NotImplementedError(
            f"{name} ({cls.__module__}.{cls.__name__}) has no '{device.device_type}' implementation in "
            "minitorch_nn yet: move its inputs to the CPU (.cpu()) for this op"
        ) from None
    finally:
        _ON_DEVICE[0] = previous
    for t in out if isinstance(out, tuple) else (out,):
        node = t._grad_fn
        if node is not None and isinstance(node, BackwardNode):
            node._device = device
    return out


def _adopt_outputs(result: Any, node: Any) -> Any:
    """The outputs of an op on a device, as arrays of that device (marks follow to the new objects)."""
    device = _ON_DEVICE[0]
    outputs = result if isinstance(result, tuple) else (result,)
    adopted = []
    for array in outputs:
        new = _backend.adopt(array, device)
        if new is not array and node is not None and id(array) in node._non_differentiable:
            node._non_differentiable = set(node._non_differentiable) | {id(new)}
        adopted.append(new)
    return tuple(adopted) if isinstance(result, tuple) else adopted[0]


# autograd/views.py, set by autograd/__init__.py: views builds on this module (its CopySlices node is a
# Function), so this module does not import it
_VIEWS: Any = None


def _record_view(cls: type[Function], out: Tensor, args: tuple, kwargs: dict) -> None:
    """out is a view of args[0]: it shares its version counter and remembers how it was taken."""
    out._version_counter = args[0]._version_counter
    _VIEWS.make_view(out, args[0], _VIEWS.function_step(cls, args[1:], kwargs))


def _as_arrays(result: Any) -> Any:
    """NumPy ufuncs return scalars for 0-d inputs; tensors always hold arrays (in-place writes need one)."""
    if isinstance(result, tuple):
        return tuple(r if isinstance(r, np.ndarray) else np.asarray(r) for r in result)
    return result if isinstance(result, np.ndarray) else np.asarray(result)


def _wrap_without_graph(result: Any, args: tuple, dirty: set[int]) -> Any:
    result = _as_arrays(result)
    if _ON_DEVICE[0] is not None:
        result = _adopt_outputs(result, None)
    by_id = {id(a._data): a for a in args if isinstance(a, Tensor)} if dirty else {}

    def wrap(array: np.ndarray) -> Tensor:
        if id(array) in dirty:
            t = by_id[id(array)]
            t._version_counter.value += 1
            return t
        return Tensor._make(array)

    if isinstance(result, tuple):
        return tuple(wrap(r) for r in result)
    return wrap(result)


def _wrap_with_graph(result: Any, args: tuple, node: BackwardNode) -> Any:
    result = _as_arrays(result)
    if _ON_DEVICE[0] is not None:
        result = _adopt_outputs(result, node)
    outputs = result if isinstance(result, tuple) else (result,)
    dirty, saved = node._dirty, node._saved
    # the input tensors by array: only in-place ops and saved arrays need to find them
    tensors_by_id = {id(a._data): a for a in args if isinstance(a, Tensor)} if dirty or saved else {}
    wrapped = []
    output_meta = node._output_meta
    for nr, array in enumerate(outputs):
        output_meta.append((array.shape, array.dtype))
        if dirty and id(array) in dirty:
            t = tensors_by_id[id(array)]
            if t._grad_fn is None and t.requires_grad:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            t._version_counter.value += 1
            if t._view_base is not None:  # a write into a view: the base's graph takes it (autograd/views.py)
                if nr != 0 or node._tensor_positions[:1] != (0,) or len(outputs) != 1:
                    raise RuntimeError(f"{node.name()}: an in-place write into a view must be the op's first input")
                _VIEWS.rebase_view(t, node)
                wrapped.append(t)
                tensors_by_id[id(array)] = t
                continue
        else:
            t = Tensor._make(array)
        if array.dtype.kind == "f" and id(array) not in node._non_differentiable:
            t._grad_fn = node
            t._output_nr = nr
            t._requires_grad = True
        wrapped.append(t)
        if dirty or saved:
            tensors_by_id[id(array)] = t
    # remember each saved array's version now, so backward can detect later in-place edits
    if saved:
        tracked = []
        for array, _, _ in saved:
            owner = tensors_by_id.get(id(array)) if array is not None else None
            if owner is None:
                tracked.append((array, None, 0))
            else:
                tracked.append((array, owner._version_counter, owner._version_counter.value))
        node._saved = tracked
    return tuple(wrapped) if isinstance(result, tuple) else wrapped[0]


class AccumulateGrad(Node):
    """The sink node of a leaf tensor: adds the incoming gradient into ``.grad``."""

    def __init__(self, variable: Tensor) -> None:
        self._seq = 2**63  # runs as soon as it is ready, as in torch
        self.variable = variable
        self.next_functions = ()
        self._output_meta = [(variable._data.shape, variable._data.dtype)]

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # torch's C++ name, as its name() reports it


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a backward as not differentiable itself: it runs under no_grad. (Every backward here is
    once-differentiable, since gradients of gradients are not recorded; the decorator keeps torch code
    that uses it running unchanged.)"""

    @functools.wraps(backward)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            return backward(ctx, *args)

    return wrapper


def accumulate_grad_node(t: Tensor) -> AccumulateGrad:
    """The one AccumulateGrad node of leaf ``t`` (torch keeps one per leaf, weakly)."""
    ref = t._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._accumulator = weakref.ref(node)
    return node
