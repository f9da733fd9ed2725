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
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..kernels import backend as _backend
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


_NO_DOUBLE_BACKWARD = (
    "create_graph=True (gradients of gradients) is not supported: minitorch_nn's backward formulas run "
    "on NumPy arrays, outside the graph, so the gradients they return have no grad_fn of their own."
)


def _as_sequence(value: Any) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, Tensor) else list(value)


def _roots(tensors: list[Tensor], grad_tensors: Any) -> list[tuple[Node, int, np.ndarray]]:
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    else:
        grad_tensors = _as_sequence(grad_tensors)
        if len(grad_tensors) != len(tensors):
            raise RuntimeError(f"got {len(tensors)} tensors and {len(grad_tensors)} gradients")
    roots = []
    for i, t in enumerate(tensors):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        g = _make_root_grad(t, grad_tensors[i])
        node, nr = t._gradient_edge()
        roots.append((node, nr, g))
    return roots


def backward(
    tensors: Sequence[Tensor] | Tensor,
    grad_tensors: Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Any = None,
) -> None:
    """``torch.autograd.backward``: accumulate gradients of ``tensors`` into the leaves' ``.grad``.

    With ``inputs``, only those tensors receive gradients (a non-leaf input retains its ``.grad``
    from then on, as in torch), and only the part of the graph that leads to them runs.
    """
    if create_graph:
        raise NotImplementedError(_NO_DOUBLE_BACKWARD)
    if grad_variables is not None:
        grad_tensors = grad_variables
    tensors = _as_sequence(tensors)
    roots = _roots(tensors, grad_tensors)
    if inputs is None:
        with no_grad():
            _run(roots, bool(retain_graph))
        return
    inputs = _as_sequence(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for t in inputs:
        if t._grad_fn is not None:
            t.retain_grad()  # torch fills a non-leaf input's .grad, in this backward and the later ones
    with no_grad():
        _run(roots, bool(retain_graph), _targets(inputs), accumulate=True)


def grad(
    outputs: Sequence[Tensor] | Tensor,
    inputs: Sequence[Tensor] | Tensor,
    grad_outputs: Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """``torch.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``, returned
    instead of accumulated (no ``.grad`` changes); only the part of the graph between them runs."""
    if create_graph:
        raise NotImplementedError(_NO_DOUBLE_BACKWARD)
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True (vmap over grad_outputs) is not supported")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_sequence(outputs)
    input_list = _as_sequence(inputs)
    for t in input_list:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _roots(outputs, grad_outputs)
    targets = _targets(input_list)
    with no_grad():
        captured = _run(roots, bool(retain_graph), targets, accumulate=False)
    result: list[Tensor | None] = []
    for i, (t, edge) in enumerate(zip(input_list, targets)):
        g = captured.get(edge)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            result.append(Tensor._make(np.zeros_like(t._data)) if materialize_grads else None)
        else:
            result.append(Tensor._make(g.astype(t._data.dtype, copy=True)))
    return tuple(result)


def _targets(inputs: list[Tensor]) -> list[tuple[Node, int]]:
    """The graph edge at which each input's gradient arrives: its grad_fn output, or its AccumulateGrad."""
    return [t._gradient_edge() for t in inputs]


def _reaching(roots: list[Node], target_nodes: set[Node]) -> set[Node]:
    """The nodes from which some target node can be reached (targets included): all the rest of the
    graph is pruned, so its backward formulas and hooks never run, as in torch."""
    order: list[Node] = []
    seen: set[Node] = set()
    stack = [(r, False) for r in roots]
    while stack:  # iterative post-order: children are decided before their parents
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((nxt, False) for nxt, _ in node.next_functions if nxt is not None and nxt not in seen)
    reach: set[Node] = set()
    for node in order:
        if node in target_nodes or any(nxt in reach for nxt, _ in node.next_functions if nxt is not None):
            reach.add(node)
    return reach


def _count_dependencies(roots: list[Node], reach: set[Node] | None = None) -> dict[Node, int]:
    """How many edges point into each node (within ``reach`` when the graph is pruned)."""
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
            if nxt is None or (reach is not None and nxt not in reach):
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _run(
    roots: list[tuple[Node, int, np.ndarray]],
    retain_graph: bool,
    targets: list[tuple[Node, int]] | None = None,
    accumulate: bool = True,
) -> dict[tuple[Node, int], np.ndarray]:
    """Run the graph from ``roots``. With ``targets`` (edges), only the nodes that lead to them run,
    and the gradient arriving at each target is returned; ``accumulate=False`` (autograd.grad) leaves
    every ``.grad`` as it was."""
    captured: dict[tuple[Node, int], np.ndarray] = {}
    reach: set[Node] | None = None
    target_nrs: dict[Node, list[int]] = {}
    if targets is not None:
        for node, nr in targets:
            target_nrs.setdefault(node, []).append(nr)
        reach = _reaching([r[0] for r in roots], set(target_nrs))
        roots = [r for r in roots if r[0] in reach]
    deps = _count_dependencies([r[0] for r in roots], reach)
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
            g = _leaf_hooks(node, grads[0])
            keep = bool(traces) or node in target_nrs  # g is also reported or returned
            if node in target_nrs:
                captured[(node, 0)] = g
            if not keep:
                grads[0] = None  # so that only ``g`` holds it, for _accumulate's ownership test
            if accumulate:
                _accumulate(node, g, steal=not keep)
                for hook in node.variable._post_accumulate_hooks or ():
                    hook(node.variable)
            if traces:
                _trace_step(traces, step, node, grads, [])
                step += 1
            continue
        hooked = node.__dict__
        if "_tensor_hooks" in hooked or "_pre_hooks" in hooked:  # most nodes have none: skip the call
            grads = _run_pre_hooks(node, grads)
        if reach is not None:
            for nr in target_nrs.get(node, ()):
                if grads[nr] is not None:
                    captured[(node, nr)] = grads[nr]
            if not any(nxt in reach for nxt, _ in node.next_functions if nxt is not None):
                continue  # a target whose own inputs lead to no other target: its backward is not needed
        grad_inputs = _call_backward(node, grads)
        if retain_graph is False:
            node._release()
        if traces:
            _trace_step(traces, step, node, grads, grad_inputs)
            step += 1
        for (nxt, nr), g in zip(node.next_functions, grad_inputs):
            if nxt is None or (reach is not None and nxt not in reach):
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
                    _skip_unreached(nxt, deps, buffers, ready, reach)
        grad_inputs = g = None  # the buffers hold the gradients now (_only_engine_holds counts on it)
    return captured


def _leaf_hooks(node: AccumulateGrad, g: np.ndarray) -> np.ndarray:
    """A leaf's tensor hooks see its gradient in autograd.grad too; what they return is captured."""
    for hook in node.variable._hooks or ():
        result = hook(Tensor._make(g))
        if result is not None:
            g = result._data
    return g


def _skip_unreached(node: Node, deps: dict[Node, int], buffers: dict, ready: list, reach: set | None = None) -> None:
    """A node all of whose inputs sent no gradient: release its dependents in turn."""
    stack = [node]
    while stack:
        n = stack.pop()
        for nxt, _ in n.next_functions:
            if nxt is None or (reach is not None and nxt not in reach):
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
                    t._grad = Tensor._make(grads[nr].copy())
                else:
                    t._grad = Tensor._make(t._grad._data + grads[nr])  # a new tensor, as torch's retain_grad hook makes
    for hook in node.__dict__.get("_pre_hooks", ()):
        result = hook(tuple(None if g is None else Tensor._make(g) for g in grads))
        if result is not None:
            grads = [None if g is None else g._data for g in result]
    return grads


def _call_backward(node: BackwardNode, grads: list) -> tuple:
    device = node._device  # the op ran on a device: its gradients are arrays of that device
    if node._materialize:
        for i, g in enumerate(grads):
            if g is None:  # an output nobody used: its gradient is zero (torch materialises it too)
                shape, dtype = node._output_meta[i]
                if dtype.kind in "fc" or node._materialize_integer:
                    grads[i] = np.zeros(shape, dtype=dtype) if device is None else device.xp.zeros(shape, dtype=dtype)
    result = node._function.backward(node, *grads)
    if not isinstance(result, tuple):
        result = (result,)
    if device is not None:
        result = tuple(None if g is None else _backend.adopt(g, device) for g in result)
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
        new = hook(
            tuple(None if g is None else Tensor._make(g) for g in grad_inputs),
            tuple(None if g is None else Tensor._make(g) for g in grads),
        )
        if new is not None:  # as torch's Node.register_hook: a returned tuple replaces the input gradients
            grad_inputs = [None if g is None else g._data for g in new]
    return tuple(grad_inputs)


def _accumulate(node: AccumulateGrad, g: np.ndarray, steal: bool = False) -> None:
    """Add ``g`` (after the leaf's hooks) into the leaf's ``.grad``.

    A first gradient is copied into a fresh array laid out as the leaf (torch's gradient layout
    contract: a Linear weight's gradient takes the optimizers' one-pass kernels), unless, with
    ``steal``, the engine's loop holds the only reference to g (and to the array g is a view of):
    then g becomes ``.grad`` itself, as torch steals a gradient nobody else can see. For VGG-11's
    25088 x 4096 classifier weight that is a 411 MB copy, and as many fresh pages, saved a step.
    """
    t = node.variable
    if t._grad is None:
        if steal and _only_engine_holds(g, t._data):
            t._grad = Tensor._make(g)
        else:
            # the incoming array may be shared (another leaf's gradient, the caller's upstream
            # gradient, a view of either); astype keeps a device's array type
            data = t._data
            if data.flags.c_contiguous or type(data) is not np.ndarray:
                order = "C" if data.flags.c_contiguous else "K"
                t._grad = Tensor._make(g.astype(data.dtype, order=order, copy=True))
            else:  # e.g. a transposed leaf: its .grad has the leaf's strides, as torch's
                grad = np.empty_like(data)
                grad[...] = g
                t._grad = Tensor._make(grad)
    else:
        t._grad._data += g
        t._grad._version_counter.value += 1
    for hook in node.__dict__.get("_post_hooks", ()):
        hook((), (Tensor._make(g),))


# references to g while _only_engine_holds looks: the engine loop's local, _accumulate's and
# _only_engine_holds's parameters, and getrefcount's argument
_ENGINE_REFERENCES = 4


def _only_engine_holds(g: Any, leaf: Any) -> bool:
    """May g become the leaf's ``.grad`` as it is? Its dtype and layout are the leaf's, it can be
    written, and no one but the engine refers to it or to the array it views (if any), so no other
    gradient, saved array or caller's tensor shares its memory."""
    if type(g) is not type(leaf) or g.dtype != leaf.dtype or g.shape != leaf.shape or not g.flags.writeable:
        return False
    if not (g.flags.c_contiguous if leaf.flags.c_contiguous else g.strides == leaf.strides):
        return False
    if sys.getrefcount(g) != _ENGINE_REFERENCES:
        return False
    base = g.base
    # base held by g and by the local ``base`` (plus getrefcount's argument); a view of a view is not
    # followed further
    return base is None or (getattr(base, "base", None) is None and sys.getrefcount(base) == 3)


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
