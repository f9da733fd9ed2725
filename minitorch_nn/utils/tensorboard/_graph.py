"""add_graph's GraphDef: the model's autograd graph, drawn for TensorBoard's GRAPHS tab.

torch's writer records a ``torch.jit.trace`` of the model; this engine has no tracer, but every
forward leaves a graph behind: the ``grad_fn`` nodes and their ``next_functions`` edges back to the
leaves. So the model runs forward once (eval mode, grad on, float inputs made to require grad so
they are in the graph too) and that graph is written as a TensorFlow ``GraphDef``:

- each input ``input/input.<k>`` and output ``output/output.<k>`` is an ``IO Node``, as in torch's;
- each backward node is a node whose op is its name (``AddmmBackward0``), named
  ``<scope>/<op>`` in the scope of the innermost module whose forward created it (scopes read as
  torch's: ``Sequential/Linear[0]``), with ``.1``, ``.2``, ... added when a name repeats;
- each parameter is a ``Parameter`` node named by its module's scope and attribute
  (``Sequential/Linear[0]/weight``), its full name in the attr ``name`` (frozen parameters require
  grad during that forward, so they are connected too);
- a node's inputs are the nodes its ``next_functions`` point to (``name:k`` for output k > 0),
  so edges run from producers to consumers as in the forward; ``_output_shapes`` holds the shapes.
  Inputs that carry no gradient (integer ids, masks) have no edge in autograd, so their IO node
  stands unconnected.

A module's nodes are those reachable backwards from its outputs without passing its inputs, found
with forward pre-hooks and hooks on every submodule (inner modules finish first, so they claim
their nodes before the enclosing ones).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.types_pb2 import DataType
from tensorboard.compat.proto.versions_pb2 import VersionDef

from ...autograd.function import AccumulateGrad
from ...autograd.grad_mode import enable_grad
from ...autograd.tensor import Tensor

_TF_TYPES = {
    np.dtype(np.float16): DataType.DT_HALF,
    np.dtype(np.float32): DataType.DT_FLOAT,
    np.dtype(np.float64): DataType.DT_DOUBLE,
}


def _tensors(value: Any) -> list[Tensor]:
    """The tensors in a forward's arguments or result (nested tuples, lists and dict values)."""
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, tuple | list):
        return [t for item in value for t in _tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item)]
    return []


def _node_of(tensor: Tensor) -> Any:
    """The graph node a tensor's gradient flows into: its grad_fn, or its leaf's AccumulateGrad."""
    return tensor._gradient_edge()[0] if tensor.requires_grad else None


def _shapes(meta: list[tuple[tuple[int, ...], np.dtype]]) -> AttrValue:
    shapes = [TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in shape]) for shape, _ in meta]
    return AttrValue(list=AttrValue.ListValue(shape=shapes))


def _scopes(model: Any) -> dict[int, str]:
    """Module id -> its scope: ``Root`` for the model, ``Root/Child[name]/...`` below it."""
    root = type(model).__name__
    scopes = {}
    for path, module in model.named_modules():
        if id(module) in scopes:
            continue
        scope = root
        owner = model
        for part in path.split(".") if path else []:
            owner = owner._modules[part]
            scope += f"/{type(owner).__name__}[{part}]"
        scopes[id(module)] = scope
    return scopes


def _scope_nodes(model: Any, args: tuple, scopes: dict[int, str]) -> tuple[Any, dict[Any, str]]:
    """Run the model on ``args``; return its output and each backward node's scope."""
    calls: list[tuple[int, list[Any], list[Any]]] = []  # (module id, input nodes, output nodes), as they finish
    pending: dict[int, list[list[Any]]] = {}

    def before(module: Any, inputs: tuple) -> None:
        # the input nodes now: an in-place op inside forward gives the input tensor a new grad_fn later
        pending.setdefault(id(module), []).append([_node_of(t) for t in _tensors(inputs)])

    def after(module: Any, inputs: tuple, output: Any) -> None:
        calls.append((id(module), pending[id(module)].pop(), [_node_of(t) for t in _tensors(output)]))

    handles = []
    modules = [m for _, m in model.named_modules()]
    for module in modules:
        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))
    training = [m.training for m in modules]
    # frozen parameters require grad for this one forward, so that their edges are in the graph too
    frozen = [p for p in model.parameters() if not p.requires_grad]
    try:
        model.eval()
        for param in frozen:
            param.requires_grad_(True)
        with enable_grad():
            output = model(*args)
    finally:
        for handle in handles:
            handle.remove()
        for module, mode in zip(modules, training):
            module.training = mode
        for param in frozen:
            param.requires_grad_(False)
    scope_of: dict[Any, str] = {}
    for module_id, inputs, outputs in calls:
        boundary = {id(n) for n in inputs if n is not None}
        stack = [n for n in outputs if n is not None]
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen or id(node) in boundary or isinstance(node, AccumulateGrad):
                continue
            seen.add(id(node))
            scope_of.setdefault(node, scopes[module_id])
            stack.extend(n for n, _ in node.next_functions if n is not None)
    return output, scope_of


def graph(model: Any, input_to_model: Any = None, verbose: bool = False) -> tuple[GraphDef, RunMetadata]:
    """The GraphDef of ``model`` run on ``input_to_model``, and the (empty) CPU step stats TensorBoard
    expects beside it."""
    if not hasattr(model, "named_modules"):
        raise TypeError(f"add_graph draws an nn.Module, but got {type(model).__name__}")
    if input_to_model is None:
        args: tuple = ()
    elif isinstance(input_to_model, tuple | list):
        args = tuple(input_to_model)
    else:
        args = (input_to_model,)
    # each float input becomes a leaf that requires grad, so the graph reaches back to it, and the model
    # gets a clone of it, which an in-place first layer may overwrite (a leaf may not be, and drawing
    # leaves the caller's tensor as it was); the clone's node stands for the input
    call_args = []
    input_alias: dict[int, str] = {}  # id of an input clone's CloneBackward node -> the input's name
    for k, a in enumerate(args):
        if isinstance(a, Tensor) and a.dtype.is_floating_point:
            a = a.detach().requires_grad_(True).clone()
            input_alias[id(a.grad_fn)] = f"input/input.{k}"
        call_args.append(a)
    scopes = _scopes(model)
    output, scope_of = _scope_nodes(model, tuple(call_args), scopes)

    nodes: list[NodeDef] = []
    names: dict[int, str] = {}  # id of a graph node or leaf tensor -> its NodeDef name
    taken: dict[str, int] = {}

    def unique(name: str) -> str:
        count = taken.get(name, 0)
        taken[name] = count + 1
        return name if count == 0 else f"{name}.{count}"

    def add(name: str, op: str, inputs: list[str], meta: list | None, extra: dict | None = None) -> None:
        attr = dict(extra or {})
        if meta:
            attr["_output_shapes"] = _shapes(meta)
        nodes.append(NodeDef(name=name, op=op, input=inputs, attr=attr))

    for k, a in enumerate(args):
        if isinstance(a, Tensor):
            add(f"input/input.{k}", "IO Node", [], [(a.shape, None)])

    module_scope = {}
    for path, module in model.named_modules():
        module_scope.setdefault(path, scopes[id(module)])
    for param_name, param in model.named_parameters():
        owner, _, attribute = param_name.rpartition(".")
        name = unique(f"{module_scope[owner]}/{attribute}")
        names[id(param)] = name
        extra = {"name": AttrValue(s=param_name.encode())}
        if param.dtype.numpy in _TF_TYPES:
            extra["dtype"] = AttrValue(type=_TF_TYPES[param.dtype.numpy])
        add(name, "Parameter", [], [(param.shape, None)], extra)

    # every backward node reachable from the outputs, in the order the forward created them
    order: list[Any] = []
    stack = [n for n in (_node_of(t) for t in _tensors(output)) if n is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if id(node) in input_alias:
            names[id(node)] = input_alias[id(node)]
            continue
        if isinstance(node, AccumulateGrad):
            variable = node.variable
            if id(variable) not in names:  # a leaf that is neither an input nor a parameter
                name = unique(f"{type(model).__name__}/Tensor")
                names[id(variable)] = name
                add(name, "Tensor", [], [(variable.shape, None)])
            names[id(node)] = names[id(variable)]
            continue
        order.append(node)
        stack.extend(n for n, _ in node.next_functions if n is not None)
    order.sort(key=lambda n: getattr(n, "_seq", 0))
    for node in order:
        names[id(node)] = unique(f"{scope_of.get(node, type(model).__name__)}/{node.name()}")

    def edge(node: Any, output_nr: int) -> str:
        if isinstance(node, AccumulateGrad):
            return names[id(node.variable)]
        if id(node) in input_alias or output_nr == 0:
            return names[id(node)]
        return f"{names[id(node)]}:{output_nr}"

    for node in order:
        inputs = [edge(n, nr) for n, nr in node.next_functions if n is not None]
        add(names[id(node)], node.name(), inputs, getattr(node, "_output_meta", None))

    for k, tensor in enumerate(_tensors(output)):
        node = _node_of(tensor)
        inputs = [edge(node, tensor._output_nr if tensor.grad_fn is not None else 0)] if node is not None else []
        add(f"output/output.{k}", "IO Node", inputs, [(tensor.shape, None)])

    if verbose:
        for node_def in nodes:
            shapes = [list(d.size for d in s.dim) for s in node_def.attr["_output_shapes"].list.shape]
            print(f"{node_def.name} = {node_def.op}({', '.join(node_def.input)}) {shapes}")
    step_stats = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    return GraphDef(node=nodes, versions=VersionDef(producer=22)), step_stats
