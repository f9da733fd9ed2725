"""In-place ops: ``x.op_(...)`` from an out-of-place op, with torch's in-place/autograd semantics.

With a graph, an in-place op is the out-of-place op whose result is written back into the input's
storage, and the input tensor takes over the new grad_fn (torch "rebases" it the same way); a write
into a view makes the base's grad_fn a CopySlices around the op's node (autograd/views.py). Every
write bumps the storage's version, so a backward that saved the old values refuses to run.

The op families (arithmetic, indexing, unary, ...) build their ``op_`` methods from here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.grad_mode import is_grad_enabled
from ..autograd.tensor import Tensor
from ..autograd.views import check_inplace, rebase_view
from .utils import _CATEGORY, _TENSOR_TYPES


def _inplace(out_of_place: Any) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        operand = self
        check_inplace(self, *args, *kwargs.values())
        if is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in (self, *args)):
            # the op may save self for backward (mul_ does, for other's gradient), and self's storage is
            # about to be overwritten: compute from a copy at self's place in the graph (torch: original_self)
            operand = _graph_alias(self)
        result = out_of_place(operand, *args, **kwargs)
        if result._data.shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(result._data.shape)}"
            )
        if result._data.dtype != self._data.dtype and not can_cast(result._data.dtype, self._data.dtype):
            raise RuntimeError(
                f"result type {_type_name(result)} can't be cast to the desired output type {_type_name(self)}"
            )
        return _write_result(self, result, operand)

    method.__name__ = out_of_place.__name__ + "_"
    return method


def _graph_alias(t: Tensor) -> Tensor:
    """A copy of t's values that stands where t stands in the graph (same grad_fn edge)."""
    grad_fn = t.grad_fn  # (a view's grad_fn is rebuilt here if its base was written since)
    alias = Tensor._make(t._data.copy(), t._requires_grad)
    alias._grad_fn, alias._output_nr = grad_fn, t._output_nr
    if t._grad_fn is None and t._requires_grad:
        alias._accumulator = t._accumulator
        alias._gradient_edge = t._gradient_edge  # the leaf's own AccumulateGrad
    return alias


def can_cast(source: np.dtype, target: np.dtype) -> bool:
    """torch's rule for writing a result into an existing tensor: never down a category
    (float -> integer -> bool); within one, any width goes (float64 into float32, int64 into uint8)."""
    return _CATEGORY[source.kind] <= _CATEGORY[target.kind]


def _type_name(t: Tensor) -> str:
    return _TENSOR_TYPES.get(t._data.dtype.name, t._data.dtype.name)


def _write_result(self: Tensor, result: Tensor, operand: Tensor | None = None) -> Tensor:
    if result._grad_fn is not None:
        if self._grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        node = result._grad_fn
        # the saved arrays of earlier nodes that hold self's storage now see new values: the version
        # bump below makes their backward refuse, exactly as torch does
        self._data[...] = result._data
        written, result._data = result._data, self._data
        self._version_counter.value += 1
        _save_as_written(node, written, self)
        if self._view_base is not None:
            # a write into a view: the base's grad_fn becomes CopySlices around the op's node
            fn = node if _first_input_is(node, result._output_nr, operand, self) else None
            rebase_view(self, fn, (node, result._output_nr))
            return self
        self._grad_fn, self._output_nr, self._requires_grad = node, result._output_nr, True
        return self
    else:
        if self._grad_fn is None and self._requires_grad and is_grad_enabled():
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        self._data[...] = result._data
    self._version_counter.value += 1
    return self


def _save_as_written(node: Any, written: np.ndarray, self: Tensor) -> None:
    """An op that saved its own output (exp_, sigmoid_, ...) saved the out-of-place result array;
    it now lives in self, so the node keeps self's storage at its version after this write: a
    later in-place write to self makes backward refuse, as torch's does (torch saves self)."""
    if not node._saved:
        return
    node._saved = [
        (self._data, self._version_counter, self._version_counter.value)
        if array is written
        else (array, counter, version)
        for array, counter, version in node._saved
    ]


def _first_input_is(node: Any, output_nr: int, operand: Tensor | None, self: Tensor) -> bool:
    """Is node one op (one output) whose first input is ``operand`` (self's old value)? Then CopySlices
    can run its backward directly, as torch's does; otherwise it passes the gradient to the node."""
    if operand is None or output_nr != 0 or len(node._output_meta) != 1 or node._tensor_positions[:1] != (0,):
        return False
    first, nr = node.next_functions[0]
    if operand._grad_fn is not None:
        return first is operand._grad_fn and nr == operand._output_nr
    return first is None and node._input_meta[0] == (self._data.shape, self._data.dtype)


def _records(self: Tensor, value: Any) -> bool:
    return is_grad_enabled() and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad))
