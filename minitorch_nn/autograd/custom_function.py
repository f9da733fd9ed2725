"""torch.autograd.Function for users: a forward and a backward written on Tensors.

The library's own ops subclass ``function.Function``, whose forward and backward run on NumPy
arrays. A user's Function is written against the torch API instead, as in torch's tutorials::

    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

``apply`` runs forward under no_grad on the Tensors themselves and then makes one graph node for
the whole call, ``MyReLUBackward``: the outputs take it as their grad_fn, and its edges lead to
the inputs that require grad. The node is also the ``ctx``, as in torch. When the engine reaches
the node it wraps the incoming gradient arrays in Tensors, calls the user's backward under no_grad
(these backward passes are not themselves differentiated) and hands the returned Tensors' arrays on.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from .function import FREED_MESSAGE, BackwardNode, once_differentiable
from .grad_mode import is_grad_enabled, no_grad
from .tensor import Tensor

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """What a user's forward can call on ``ctx``: save tensors, mark outputs, set materialisation."""

    needs_input_grad: tuple[bool, ...]

    def __init__(self) -> None:
        self._saved_user: list[tuple[Tensor | None, int]] = []
        self._dirty_tensors: set[int] = set()
        self._non_differentiable_tensors: set[int] = set()
        self._materialize_grads = True

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; an in-place change to one of them makes backward refuse."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument 0 is of type " + type(t).__name__
                )
        self._saved_user = [(t, -1 if t is None else t._version) for t in tensors]

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if self.__dict__.get("_freed"):
            raise RuntimeError(FREED_MESSAGE)
        out = []
        for t, version in self._saved_user:
            if t is not None and t._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{t.type()} {list(t._data.shape)}] is at version {t._version}; expected "
                    f"version {version} instead. Hint: the backtrace further above shows the operation that "
                    "failed to compute its gradient."
                )
            out.append(t)
        return tuple(out)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that forward modified in place (they become outputs of this node)."""
        self._dirty_tensors = self._dirty_tensors | {id(t) for t in tensors}

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs (indices, masks) that carry no gradient."""
        self._non_differentiable_tensors = self._non_differentiable_tensors | {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        """False: backward receives None, not zeros, for outputs that got no gradient."""
        self._materialize_grads = bool(value)


class _PlainContext(FunctionCtx):
    """The ctx when no graph is recorded: saving works, but nothing will call backward."""


class CustomBackwardNode(FunctionCtx, BackwardNode):
    """The graph node (and ctx) of one call of a user's Function."""

    _user_function: ClassVar[type[Function]]
    _materialize_integer = True  # a user's backward gets zeros for an unused integer output, as in torch

    def __init__(self) -> None:
        BackwardNode.__init__(self)
        FunctionCtx.__init__(self)

    def _release(self) -> None:
        if self._saved_user:
            self._freed = True
        self._saved_user = []
        BackwardNode._release(self)


class _UserBackward:
    """The engine-facing side of a user's Function: arrays in, arrays out, the user's backward between."""

    def __init__(self, function: type[Function]) -> None:
        self.function = function

    def backward(self, node: CustomBackwardNode, *grad_arrays: Any) -> tuple:
        grads = [None if g is None else Tensor._make(g) for g in grad_arrays]
        with no_grad():
            result = self.function.backward(node, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        expected = node._num_inputs
        if len(result) < expected or any(g is not None for g in result[expected:]):
            raise RuntimeError(
                f"function {node.name()} returned an incorrect number of gradients (expected {expected}, "
                f"got {len(result)})"
            )
        arrays = []
        for i, g in enumerate(result[:expected]):
            if g is not None and not isinstance(g, Tensor):
                raise TypeError(
                    f"function {node.name()} returned a gradient different than None at position {i + 1}, "
                    "but the corresponding forward input was not a Variable"
                )
            arrays.append(None if g is None else g._data)
        return tuple(arrays)


class Function:
    """Base class of user-defined differentiable operations (see the module docstring).

    Subclasses define ``forward(ctx, *args)`` (or ``forward(*args)`` with ``setup_context(ctx,
    inputs, output)``) and ``backward(ctx, *grad_outputs)``, both static, and are called through
    ``MyFunction.apply(*args)``.
    """

    _node_class: ClassVar[type[CustomBackwardNode]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._node_class = type(
            cls.__name__ + "Backward",
            (CustomBackwardNode,),
            {"_function": _UserBackward(cls), "_user_function": cls, "__module__": cls.__module__},
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use new-style "
            "autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function to use "
            "it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def _uses_setup_context(cls) -> bool:
        return cls.setup_context is not Function.setup_context

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Function:
            raise RuntimeError("Function.apply is called on the base class; subclass torch.autograd.Function")
        if kwargs:  # bind keyword arguments to forward's positions, as torch does
            signature = inspect.signature(cls.forward)
            skip = 0 if cls._uses_setup_context() else 1
            bound = signature.bind(*((None,) * skip), *args, **kwargs)
            bound.apply_defaults()
            args = tuple(bound.args[skip:])
        record = is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx: FunctionCtx = cls._node_class() if record else _PlainContext()
        ctx.needs_input_grad = tuple(
            record and isinstance(a, Tensor) and a.requires_grad and a._data.dtype.kind == "f" for a in args
        )
        with no_grad():
            if cls._uses_setup_context():
                output = cls.forward(*args)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args)
        if not record:
            return output
        return _connect(ctx, args, output)


def _connect(node: CustomBackwardNode, args: tuple, output: Any) -> Any:
    """Make ``node`` the grad_fn of the outputs and give it edges to the inputs that require grad."""
    edges, positions, meta = [], [], node._input_meta
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            positions.append(i)
            edges.append(a._gradient_edge() if node.needs_input_grad[i] else (None, 0))
            meta.append((a._data.shape, a._data.dtype))
    node.next_functions = tuple(edges)
    node._tensor_positions = tuple(positions)
    node._num_inputs = len(args)
    if not node._materialize_grads:
        node._materialize = False
    inputs_by_id = {id(a): a for a in args if isinstance(a, Tensor)}
    outputs = output if isinstance(output, tuple) else (output,)
    connected = []
    for nr, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            connected.append(out)
            continue
        node._output_meta.append((out._data.shape, out._data.dtype))
        if id(out) in node._dirty_tensors:
            if out._grad_fn is None and out._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
            out._version_counter.value += 1  # torch counts the Function's own write, after the ops inside it
            t = out
        elif id(out) in inputs_by_id or out._view_base is not None:
            # an input returned as it is, or a view of one: torch hands back a new tensor on the same
            # storage, so the input keeps its own place in the graph
            t = Tensor._make(out._data)
            t._version_counter = out._version_counter
        else:
            t = out
        if out._data.dtype.kind == "f" and id(out) not in node._non_differentiable_tensors:
            t._grad_fn, t._output_nr, t._requires_grad = node, nr, True
        connected.append(t)
    return tuple(connected) if isinstance(output, tuple) else connected[0]
