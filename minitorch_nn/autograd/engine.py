"""The backward engine: run each graph node once, in dependency order.

Given root tensors and their upstream gradients:

1. Walk ``next_functions`` from the roots and count, for every node, how many
   edges point into it (its dependencies).
2. Keep a ready queue of nodes whose dependencies are all satisfied, ordered
   as torch orders it: the most recently created node first.
3. Pop a node, call its Function's backward on the summed gradients of its
   outputs, check each returned gradient against the input's shape, and add it
   to the buffer of the node it flows to; ``AccumulateGrad`` nodes add theirs
   into the leaf's ``.grad``.
4. Unless ``retain_graph``, free each node's saved arrays once it has run, so a
   second backward through it raises torch's RuntimeError.

A ``trace()`` context records each step (node, gradient shapes and norms in
and out, which ``.grad`` was filled) for learners and ``minitorch-nn explain``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .function import AccumulateGrad, BackwardNode, Node
from .grad_mode import no_grad
from .tensor import Tensor


@dataclass
class TraceStep:
    """One node run by the engine: what gradients it received and sent."""

    index: int
    node: str
    grads_in: list[tuple[tuple[int, ...], float] | None]
    grads_out: list[tuple[str | None, tuple[int, ...], float] | None]
    fills: str | None = None  # for AccumulateGrad: a description of the leaf whose .grad it fills


@dataclass
class Trace:
    """The steps of the backward passes run inside a ``trace()`` block."""

    steps: list[TraceStep] = field(default_factory=list)
    leaf_names: dict[int, str] = field(default_factory=dict)

    def format(self) -> str:
        """The trace as text, one block per node in execution order."""
        lines = []
        for s in self.steps:
            lines.append(f"[{s.index}] {s.node}")
            for i, g in enumerate(s.grads_in):
                if g is not None:
                    lines.append(f"      receives grad[{i}] shape={list(g[0])} norm={g[1]:.6g}")
            for i, g in enumerate(s.grads_out):
                if g is not None:
                    lines.append(f"      sends    grad[{i}] -> {g[0]} shape={list(g[1])} norm={g[2]:.6g}")
            if s.fills:
                lines.append(f"      fills {s.fills}.grad")
        return "\n".join(lines)


_active_traces: list[Trace] = []


@contextmanager
def trace(names: dict[str, Tensor] | None = None) -> Iterator[Trace]:
    """Record every node the engine runs inside the block.

    ``names`` (e.g. ``dict(model.named_parameters())``) labels the leaves
    whose ``.grad`` the AccumulateGrad nodes fill.
    """
    t = Trace()
    if names:
        t.leaf_names = {id(v): k for k, v in names.items()}
    _active_traces.append(t)
    try:
        yield t
    finally:
        _active_traces.remove(t)


def _norm(a: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def _describe_shape(shape: tuple[int, ...]) -> str:
    return f"torch.Size({list(shape)})"


def _make_root_grad(t: Tensor, gradient: Any) -> np.ndarray:
    if gradient is None:
        if t._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                f"grad can be implicitly created only for real scalar outputs but got torch.{t._data.dtype}"
            )
        return np.ones_like(t._data)
    g = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient)
    if g.shape != t._data.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[0] has a shape of {_describe_shape(g.shape)} and "
            f"output[0] has a shape of {_describe_shape(t._data.shape)}."
        )
    return g.astype(t._data.dtype, copy=False)


def backward(
    tensors: Sequence[Tensor],
    grad_tensors: Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """``torch.autograd.backward``: accumulate gradients of ``tensors`` into the leaves."""
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (gradients of gradients) is not supported: minitorch_nn's backward "
            "formulas run on NumPy arrays, outside the graph."
        )
    if inputs is not None:
        raise NotImplementedError("backward(inputs=...) is not supported; gradients flow to every leaf.")
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors]
    roots: list[tuple[Node, int, np.ndarray]] = []
    for i, t in enumerate(tensors):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        g = _make_root_grad(t, grad_tensors[i])
        node, nr = t._gradient_edge()
        roots.append((node, nr, g))
    with no_grad():
        _run(roots, bool(retain_graph))


def _count_dependencies(roots: list[Node]) -> dict[Node, int]:
    deps: dict[Node, int] = {}
    seen = set()
    stack = []
    for r in roots:
        if r not in seen:
            seen.add(r)
            stack.append(r)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _run(roots: list[tuple[Node, int, np.ndarray]], retain_graph: bool) -> None:
    deps = _count_dependencies([r[0] for r in roots])
    buffers: dict[Node, list[np.ndarray | None]] = {}
    for node, nr, g in roots:
        _add_to_buffer(buffers, node, nr, g)
    ready: list[tuple[int, int, Node]] = []
    counter = 0
    for node in buffers:
        if deps.get(node, 0) == 0:
            heapq.heappush(ready, (-node._seq, counter, node))
            counter += 1
    traces = _active_traces
    step = 0
    while ready:
        _, _, node = heapq.heappop(ready)
        grads = buffers.pop(node)
        if isinstance(node, AccumulateGrad):
            _accumulate(node, grads[0])
            if traces:
                _trace_step(traces, step, node, grads, [])
                step += 1
            continue
        hooked = node.__dict__
        if "_tensor_hooks" in hooked or "_pre_hooks" in hooked:  # most nodes have none: skip the call
            grads = _run_pre_hooks(node, grads)
        grad_inputs = _call_backward(node, grads)
        if retain_graph is False:
            node._release()
        if traces:
            _trace_step(traces, step, node, grads, grad_inputs)
            step += 1
        for (nxt, nr), g in zip(node.next_functions, grad_inputs):
            if nxt is None:
                continue
            if g is not None:
                _add_to_buffer(buffers, nxt, nr, g)
            left = deps[nxt] - 1
            deps[nxt] = left
            if left == 0:
                if nxt in buffers:
                    heapq.heappush(ready, (-nxt._seq, counter, nxt))
                    counter += 1
                else:
                    _skip_unreached(nxt, deps, buffers, ready)


def _skip_unreached(node: Node, deps: dict[Node, int], buffers: dict, ready: list) -> None:
    """A node all of whose inputs sent no gradient: release its dependents in turn."""
    stack = [node]
    while stack:
        n = stack.pop()
        for nxt, _ in n.next_functions:
            if nxt is None:
                continue
            deps[nxt] -= 1
            if deps[nxt] == 0:
                if nxt in buffers:
                    heapq.heappush(ready, (-nxt._seq, id(nxt), nxt))
                else:
                    stack.append(nxt)


def _add_to_buffer(buffers: dict, node: Node, nr: int, g: np.ndarray) -> None:
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * max(len(getattr(node, "_output_meta", ())), nr + 1)
    if buf[nr] is None:
        buf[nr] = g
    else:
        buf[nr] = buf[nr] + g  # a new array: the first one may be shared with another branch


def _run_pre_hooks(node: BackwardNode, grads: list) -> list:
    tensor_hooks = node.__dict__.get("_tensor_hooks")
    if tensor_hooks:
        for nr, ref in tensor_hooks.items():
            t = ref()
            if t is None or grads[nr] is None:
                continue
            for hook in t._hooks or ():
                result = hook(Tensor._make(grads[nr]))
                if result is not None:
                    grads[nr] = result._data
            if t._retains_grad:
                if t._grad is None:
                    t._grad = Tensor._make(np.array(grads[nr], copy=True))
                else:
                    t._grad._data = t._grad._data + grads[nr]
    for hook in node.__dict__.get("_pre_hooks", ()):
        result = hook(tuple(None if g is None else Tensor._make(g) for g in grads))
        if result is not None:
            grads = [None if g is None else g._data for g in result]
    return grads


def _call_backward(node: BackwardNode, grads: list) -> tuple:
    for i, g in enumerate(grads):
        if g is None:  # an output nobody used: its gradient is zero (torch materialises it too)
            shape, dtype = node._output_meta[i]
            grads[i] = np.zeros(shape, dtype=dtype)
    result = node._function.backward(node, *grads)
    if not isinstance(result, tuple):
        result = (result,)
    # backward returns one gradient per forward argument; keep those of the tensor arguments
    positions = node._tensor_positions
    if positions and len(result) <= positions[-1]:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {positions[-1] + 1}, got {len(result)})"
        )
    grad_inputs = []
    for k, pos in enumerate(positions):
        g = result[pos] if pos < len(result) else None
        if g is not None:
            shape, dtype = node._input_meta[k]
            if g.shape != shape:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {k} - got "
                    f"{list(g.shape)} but expected shape compatible with {list(shape)}"
                )
            if g.dtype != dtype:
                g = g.astype(dtype)
        grad_inputs.append(g)
    for hook in node.__dict__.get("_post_hooks", ()):
        hook(
            tuple(None if g is None else Tensor._make(g) for g in grad_inputs),
            tuple(Tensor._make(g) for g in grads),
        )
    return tuple(grad_inputs)


def _accumulate(node: AccumulateGrad, g: np.ndarray) -> None:
    t = node.variable
    for hook in t._hooks or ():
        result = hook(Tensor._make(g))
        if result is not None:
            g = result._data
    if t._grad is None:
        # a fresh array: the incoming one may be shared with another leaf's gradient
        t._grad = Tensor._make(np.array(g, dtype=t._data.dtype, copy=True))
    else:
        t._grad._data += g
        t._grad._version_counter.value += 1
    for hook in node.__dict__.get("_post_hooks", ()):
        hook((), (Tensor._make(g),))


def _trace_step(traces: list[Trace], index: int, node: Node, grads: list, grad_inputs: Sequence) -> None:
    grads_in = [None if g is None else (tuple(g.shape), _norm(g)) for g in grads]
    grads_out = []
    for (nxt, _), g in zip(node.next_functions, grad_inputs):
        grads_out.append(None if (g is None or nxt is None) else (nxt.name(), tuple(g.shape), _norm(g)))
    for t in traces:
        fills = None
        if isinstance(node, AccumulateGrad):
            v = node.variable
            fills = t.leaf_names.get(id(v), f"leaf {list(v._data.shape)}")
        t.steps.append(TraceStep(index, node.name(), grads_in, grads_out, fills))
