"""Views and in-place writes: how a write into a view reaches the graph of its base.

A view (``y[:2]``, ``y.t()``, ``y.view(6)``, ...) shares its base's storage and version
counter. It remembers its *base* (the tensor that owns the storage, never itself a view)
and the view ops that lead from the base to it (``_view_steps``), so the same view can be
taken again of any array of the base's shape (``replay``).

Writing into a view in place changes the base's values, so the base's graph must change
too. As in torch (``rebase_history``), the base's ``grad_fn`` becomes a ``CopySlices``
node that wraps the backward node ``fn`` of the in-place op::

    base' = base with base[view] replaced by op(base[view], others)

    d base  = dy with dy[view] replaced by  fn.backward(dy[view])[0]
    d other = fn.backward(dy[view])[1:]

The view's own ``grad_fn`` is then taken again from the base (``AsStridedBackward0``),
lazily: whenever the shared version counter moved since the view's ``grad_fn`` was
set, reading it rebuilds it (torch does the same, so a view read after its base or a
sibling view was written sees the new values' graph).

torch forbids some of these writes; the checks (``check_inplace``) raise its errors:
views of leaves that require grad, views made in no_grad mode and written with grad
mode on, and outputs of ops that return several views (split, chunk, unbind).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .engine import _call_backward
from .function import BackwardNode, Function, _NoGradContext
from .grad_mode import is_grad_enabled
from .tensor import Tensor

# how a view was made (torch's CreationMeta): only DEFAULT views may be written in place with a graph
DEFAULT, NO_GRAD_MODE, MULTI_OUTPUT_NODE = 0, 1, 2


def make_view(
    out: Tensor, source: Tensor, step: Callable[[np.ndarray], np.ndarray], multi_output: bool = False
) -> None:
    """Record that ``out`` is ``step`` applied to ``source`` (itself possibly a view)."""
    base = source._view_base
    if base is None:
        base, steps, meta = source, (), DEFAULT
    else:
        steps, meta = source._view_steps, source._view_meta
    new = DEFAULT
    if not is_grad_enabled():
        new = NO_GRAD_MODE
    elif multi_output:
        new = MULTI_OUTPUT_NODE
    out._view_base = base
    out._view_steps = (*steps, step)
    out._view_meta = new if new != DEFAULT else meta
    out._attr_version = out._version_counter.value


def function_step(cls: type[Function], extra: tuple, kwargs: dict) -> Callable[[np.ndarray], np.ndarray]:
    """The view op ``cls`` with its non-tensor arguments, as a function of one array."""

    def step(array: np.ndarray) -> np.ndarray:
        return cls.forward(_NoGradContext(1 + len(extra)), array, *extra, **kwargs)

    return step


def replay(steps: tuple, array: np.ndarray) -> np.ndarray:
    """The view that ``steps`` (a view's ``_view_steps``) take, taken of ``array`` (an array of the
    shape of the view's base)."""
    for step in steps:
        array = step(array)
    return array


# ---- the checks before an in-place write -----------------------------------------------------------
def _short_name(node_name: str) -> str:
    cut = node_name.rfind("Backward")
    return node_name[:cut] if cut > 0 else node_name


def view_error(t: Tensor, indirect: bool, via: str | None = None) -> str:
    """torch's message for writing in place (or through the base: ``indirect``) a view that may not be.

    ``via``: the node name of the last view op an index takes from t before the write lands
    (``x[0] = v`` writes into a select of x): torch's message names that view, output 0.
    """
    meta = t._view_meta
    modified = (
        "its base or another view of its base has been modified inplace" if indirect else "is being modified inplace"
    )
    if via is not None:
        head = f"Output 0 of {_short_name(via)} is a view"
    elif t._grad_fn is not None:
        head = f"Output {t._output_nr} of {_short_name(t._grad_fn.name())} is a view"
    else:
        head = None
    if head is None:
        head = "A view was created in no_grad mode"
    elif meta == NO_GRAD_MODE:
        head += " of a view which was created in no_grad mode"
    msg = f"{head} and {modified}"
    if meta == MULTI_OUTPUT_NODE:
        return msg + (
            ". This view is the output of a function that returns multiple views. Such functions do not allow the "
            "output views to be modified inplace. You should replace the inplace operation by an out-of-place one."
        )
    return msg + (
        " with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can "
        "clarify your code by moving both the view and the inplace either both inside the no_grad block (if you "
        "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
    )


def check_inplace(t: Tensor, *others: Any, via: str | None = None) -> None:
    """Raise torch's errors for an in-place write into ``t`` (with ``others`` the op's other operands),
    before anything is written. Nothing is checked when the write is not recorded. ``via``: see
    ``view_error``."""
    if (
        0 in t._data.strides
        and t._data.size > 1
        and any(s == 0 and n > 1 for s, n in zip(t._data.strides, t._data.shape))
    ):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory "
            "location. Please clone() the tensor before performing the operation."
        )
    if not is_grad_enabled():
        return
    requires_grad = t.requires_grad
    if not (requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)):
        return
    base = t._view_base
    if base is not None:
        if t._view_meta != DEFAULT:
            raise RuntimeError(view_error(t, indirect=False, via=via))
        if requires_grad and base._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    if requires_grad and t._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


# ---- regenerating a view's grad_fn from its base -------------------------------------------------------
class AsStrided(Function):
    """v = the view of the base (regenerated after an in-place write).   d base = dv scattered back
    to the base's elements the view reads (summed where it reads one element twice)."""

    node_name = "AsStridedBackward0"

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        n = int(np.prod(ctx.base_shape))
        where = ctx.replay(np.arange(n).reshape(ctx.base_shape))
        out = np.bincount(where.ravel(), weights=grad.ravel(), minlength=n) if n else np.zeros(0)
        return (out.astype(grad.dtype, copy=False).reshape(ctx.base_shape),)


def refresh(t: Tensor) -> None:
    """Rebuild view t's grad_fn from its base when the shared version counter moved (torch's grad_fn())."""
    base = t._view_base
    if t._grad_fn is None and not base._requires_grad:
        return
    if t._view_meta != DEFAULT:
        raise RuntimeError(view_error(t, indirect=True))
    node = AsStrided._node_class()
    node.next_functions = (base._gradient_edge(),)
    node.needs_input_grad = (True,)
    node._input_meta = [(base._data.shape, base._data.dtype)]
    node._output_meta = [(t._data.shape, t._data.dtype)]
    node._tensor_positions = (0,)
    node.base_shape = base._data.shape
    node.replay = functools.partial(replay, t._view_steps)
    t._grad_fn, t._output_nr, t._requires_grad = node, 0, True
    t._attr_version = t._version_counter.value


# ---- the base's new grad_fn after a write into a view ------------------------------------------------
class ViewCopySlices(Function):
    """base' = base with the view's elements replaced by fn's output (see the module docstring)."""

    node_name = "CopySlices"

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple:
        result = np.array(grad, copy=True)
        part = ctx.replay(result)
        fn = ctx.fn
        if fn is None:  # the op's result stands as one input: it gets the view's gradient, the base none there
            g = np.array(part, copy=True)
            part[...] = 0
            return result, g
        grads = _call_backward(fn, [np.array(part, copy=True)])
        part[...] = 0 if grads[0] is None else grads[0]
        return (result, *grads[1:])


def _release_both(self: BackwardNode) -> None:
    BackwardNode._release(self)
    if self.fn is not None:
        self.fn._release()


ViewCopySlices._node_class.name = lambda self: "torch::autograd::CopySlices"  # torch's C++ name
ViewCopySlices._node_class._release = _release_both


def rebase_view(t: Tensor, fn: BackwardNode | None, result_edge: tuple[Any, int] | None = None) -> None:
    """After an in-place write into view ``t`` recorded as node ``fn`` (whose first input is t's old
    value), make the base's grad_fn a CopySlices around fn and let t's grad_fn be rebuilt from it.
    With ``fn`` None, ``result_edge`` is the edge of the written values (computed by a chain of nodes)."""
    base = t._view_base
    node = ViewCopySlices._node_class()
    base_edge = base._gradient_edge() if base._requires_grad else (None, 0)
    node.fn = fn
    node.replay = functools.partial(replay, t._view_steps)
    if fn is not None:
        node.next_functions = (base_edge, *fn.next_functions[1:])
        node._input_meta = [(base._data.shape, base._data.dtype), *fn._input_meta[1:]]
    else:
        node.next_functions = (base_edge, result_edge)
        node._input_meta = [(base._data.shape, base._data.dtype), (t._data.shape, t._data.dtype)]
    node.needs_input_grad = tuple(e[0] is not None for e in node.next_functions)
    node._output_meta = [(base._data.shape, base._data.dtype)]
    node._tensor_positions = tuple(range(len(node.next_functions)))
    base._grad_fn, base._output_nr, base._requires_grad = node, 0, True
    t._requires_grad = True
    t._attr_version = -1  # t's grad_fn is rebuilt from the base when next read
