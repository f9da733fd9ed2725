"""Tensors, state_dicts, state_dict files and whole modules to and from torch.

``to_torch(module)`` / ``from_torch(module)`` build the twin of a module in
the other engine, weights, buffers and train/eval flags included, so a model
defined here can be trained on torch's production path (CPU, CUDA,
torch.distributed) and brought back. Standard layers are rebuilt from their
constructor arguments (read back from the attributes torch and we both keep);
Sequential / ModuleList / ModuleDict recursively; a user-defined Module
subclass becomes an instance of a generated twin class whose methods are the
same functions with ``minitorch_nn`` swapped for ``torch`` in their globals,
so a ``forward`` written against the torch API runs unchanged in both.

``load_torch_state_dict(path)`` reads a ``torch.save(model.state_dict(), path)``
file into our tensors; ``save_torch_state_dict(state, path)`` writes one that
torch loads.
"""

from __future__ import annotations

import os
import types
from collections import OrderedDict
from typing import Any

import numpy as np
import torch

import minitorch_nn as mt


def tensor_to_torch(t: mt.Tensor, requires_grad: bool | None = None) -> torch.Tensor:
    """A torch copy of ``t`` (a leaf; requires_grad as given or as ``t``'s)."""
    out = torch.from_numpy(np.array(t._data, copy=True))
    rg = t.requires_grad if requires_grad is None else requires_grad
    return out.requires_grad_(rg) if rg else out


def tensor_from_torch(t: torch.Tensor, requires_grad: bool | None = None) -> mt.Tensor:
    """A minitorch_nn copy of torch tensor ``t`` (a leaf)."""
    out = mt.tensor(t.detach().cpu().numpy().copy())
    rg = t.requires_grad if requires_grad is None else requires_grad
    return out.requires_grad_(rg) if rg else out


def state_dict_to_torch(state: dict[str, mt.Tensor]) -> OrderedDict[str, torch.Tensor]:
    return OrderedDict((k, torch.from_numpy(np.array(v._data, copy=True))) for k, v in state.items())


def state_dict_from_torch(state: dict[str, torch.Tensor]) -> OrderedDict[str, mt.Tensor]:
    return OrderedDict((k, mt.tensor(v.detach().cpu().numpy().copy())) for k, v in state.items())


def copy_weights_from_torch(ours: Any, theirs: torch.nn.Module) -> None:
    """Load torch module ``theirs``'s state_dict into our twin ``ours`` (strict keys)."""
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))


def copy_weights_to_torch(ours: Any, theirs: torch.nn.Module) -> None:
    """Load our module's state_dict into its torch twin (strict keys)."""
    theirs.load_state_dict(state_dict_to_torch(ours.state_dict()))


# ---- state_dict files written or read by torch ------------------------------------------
def load_torch_state_dict(path: str | os.PathLike, **torch_load_kwargs: Any) -> OrderedDict[str, mt.Tensor]:
    """A state_dict saved by ``torch.save(model.state_dict(), path)``, as our tensors (dtypes kept)."""
    torch_load_kwargs.setdefault("map_location", "cpu")
    torch_load_kwargs.setdefault("weights_only", True)
    state = torch.load(path, **torch_load_kwargs)
    if isinstance(state, torch.nn.Module):
        state = state.state_dict()
    return state_dict_from_torch(state)


def save_torch_state_dict(state: Any, path: str | os.PathLike) -> None:
    """Write our state_dict (or a module's) as a torch file: ``torch.load`` + ``load_state_dict`` read it."""
    if isinstance(state, mt.nn.Module):
        state = state.state_dict()
    torch.save(state_dict_to_torch(state), path)


# ---- modules ------------------------------------------------------------------------------
# Constructor arguments of the standard layers; both engines keep them as attributes of the same names.
_POOL = ("kernel_size", "stride", "padding")
MODULE_ARGS: dict[str, tuple[str, ...]] = {
    "Identity": (),
    "Linear": ("in_features", "out_features", "bias"),
    "Conv1d": (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "bias",
        "padding_mode",
    ),
    "MaxPool1d": _POOL + ("dilation", "return_indices", "ceil_mode"),
    "AvgPool1d": _POOL + ("ceil_mode", "count_include_pad"),
    "AvgPool2d": _POOL + ("ceil_mode", "count_include_pad", "divisor_override"),
    "AdaptiveAvgPool2d": ("output_size",),
    "ReLU": ("inplace",),
    "ReLU6": ("inplace",),
    "SiLU": ("inplace",),
    "Hardswish": ("inplace",),
    "Hardsigmoid": ("inplace",),
    "Sigmoid": (),
    "Tanh": (),
    "ELU": ("alpha", "inplace"),
    "GELU": ("approximate",),
    "LeakyReLU": ("negative_slope", "inplace"),
    "Softmax": ("dim",),
    "LogSoftmax": ("dim",),
    "Flatten": ("start_dim", "end_dim"),
    "Unflatten": ("dim", "unflattened_size"),
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine", "track_running_stats", "bias"),
    "Dropout": ("p", "inplace"),
    "MSELoss": ("reduction",),
    "L1Loss": ("reduction",),
    "NLLLoss": ("weight", "ignore_index", "reduction"),
    "CrossEntropyLoss": ("weight", "ignore_index", "reduction", "label_smoothing"),
}
MODULE_ARGS["Conv2d"] = MODULE_ARGS["Conv3d"] = MODULE_ARGS["Conv1d"]
MODULE_ARGS["MaxPool2d"] = MODULE_ARGS["MaxPool3d"] = MODULE_ARGS["MaxPool1d"]
MODULE_ARGS["AvgPool3d"] = MODULE_ARGS["AvgPool2d"]
MODULE_ARGS["BatchNorm2d"] = MODULE_ARGS["BatchNorm3d"] = MODULE_ARGS["BatchNorm1d"]
MODULE_ARGS["Dropout2d"] = MODULE_ARGS["Dropout"]

_CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


class ConversionError(TypeError):
    """A module the bridge has no twin for: an engine layer whose constructor arguments it does not know."""


def to_torch(module: Any) -> torch.nn.Module:
    """The torch twin of our ``module``: same structure, weights, buffers, dtypes and training flags.

    Raises ConversionError naming the submodule (its dotted path and class) that has no torch twin.
    """
    return _convert(module, _Direction(mt, torch))


def from_torch(module: torch.nn.Module) -> Any:
    """Our twin of torch ``module`` (the inverse of ``to_torch``)."""
    return _convert(module, _Direction(torch, mt))


class _Direction:
    """Which engine we convert from (``src``) and to (``dst``), and how tensors cross."""

    def __init__(self, src: Any, dst: Any) -> None:
        self.src, self.dst = src, dst
        self.to_dst = tensor_to_torch if dst is torch else tensor_from_torch
        self.module_map = {
            id(src): dst,
            id(src.nn): dst.nn,
            id(src.nn.functional): dst.nn.functional,
            id(src.nn.init): dst.nn.init,
            id(src.optim): dst.optim,
        }
        self.twin_classes: dict[type, type] = {}

    def tensor(self, t: Any) -> Any:
        return None if t is None else self.to_dst(t, requires_grad=False)

    def is_engine_class(self, cls: type) -> bool:
        """A class of the engine itself (its nn layers, Module, containers), not one a program defined."""
        return (
            cls is object
            or cls.__module__.split(".")[0] == "torch"
            or cls.__module__.startswith((self.src.__name__ + ".nn", self.src.__name__ + ".autograd"))
        )


def _convert(module: Any, way: _Direction, path: str = "") -> Any:
    name = type(module).__name__
    is_engine = way.is_engine_class(type(module))
    if name == "LazyLinear" and _is_uninitialized(module):
        twin = way.dst.nn.LazyLinear(module.out_features, bias=module.bias is not None)
    elif is_engine and (name in MODULE_ARGS or name == "LazyLinear"):
        twin = _standard(module, "Linear" if name == "LazyLinear" else name, way)
    elif is_engine and name in _CONTAINERS:
        children = [(k, _convert(m, way, _join(path, k))) for k, m in module._modules.items()]
        container = getattr(way.dst.nn, name)
        twin = container([m for _, m in children]) if name == "ModuleList" else container(OrderedDict(children))
    elif is_engine and name != "Module":
        raise ConversionError(
            f"reference.bridge cannot convert {path or 'the module'} ({type(module).__module__}.{name}) to "
            f"{way.dst.__name__}: it has no entry in MODULE_ARGS (the layer's constructor arguments, which both "
            "engines keep as attributes)"
        )
    else:
        twin = _generic(module, way, path)
    twin.train(module.training)
    return twin


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_uninitialized(module: Any) -> bool:
    weight = module.weight
    return "Uninitialized" in type(weight).__name__


def _standard(module: Any, name: str, way: _Direction) -> Any:
    kwargs = {}
    for arg in MODULE_ARGS[name]:
        if arg == "bias":
            has_bias = module.bias is not None
            kwargs[arg] = has_bias if not name.startswith("BatchNorm") else (has_bias or not module.affine)
        elif arg == "weight":
            kwargs[arg] = way.tensor(module.weight)
        else:
            kwargs[arg] = getattr(module, arg)
    twin = getattr(way.dst.nn, name)(**kwargs)
    _copy_state(module, twin, way)
    return twin


def _copy_state(module: Any, twin: Any, way: _Direction) -> None:
    """Give twin's own parameters and buffers module's values (dtype, shape and requires_grad included)."""
    for key, p in module._parameters.items():
        if p is None:
            twin.register_parameter(key, None)
        else:
            setattr(twin, key, way.dst.nn.Parameter(way.tensor(p), requires_grad=p.requires_grad))
    for key, b in module._buffers.items():
        persistent = key not in module._non_persistent_buffers_set
        if key in twin._buffers or not hasattr(twin, key):
            twin.register_buffer(key, way.tensor(b), persistent=persistent)


def _generic(module: Any, way: _Direction, path: str = "") -> Any:
    """A user-defined Module: an instance of a twin class with the same methods and attributes."""
    origin = type(module).__dict__.get("_bridge_twin_of")  # a twin made by this bridge goes home
    twin_class = origin if origin is not None else _twin_class(type(module), way)
    twin = twin_class.__new__(twin_class)
    way.dst.nn.Module.__init__(twin)
    for key, value in vars(module).items():
        if key.startswith("_") or key == "training":
            continue
        if isinstance(value, (mt.Tensor, torch.Tensor)):
            value = way.tensor(value)
        object.__setattr__(twin, key, value)
    _copy_state(module, twin, way)
    for key, child in module._modules.items():
        twin.add_module(key, None if child is None else _convert(child, way, _join(path, key)))
    return twin


def _twin_class(cls: type, way: _Direction) -> type:
    """A dst-engine Module subclass named like ``cls`` whose functions see dst where cls's saw src.

    Its base is dst's class of the nearest engine class ``cls`` derives from (``Sequential`` for a
    ``Sequential`` subclass such as torchvision's ``Conv2dNormActivation``), else dst's ``Module``.
    """
    if cls in way.twin_classes:
        return way.twin_classes[cls]
    namespace: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
    namespace["_bridge_twin_of"] = cls
    base = way.dst.nn.Module
    for klass in cls.__mro__:
        if way.is_engine_class(klass) and klass is not object:
            base = getattr(way.dst.nn, klass.__name__, way.dst.nn.Module)
            break
    for klass in reversed(cls.__mro__):
        if way.is_engine_class(klass):
            continue  # the engine's own classes: dst's base provides their behaviour
        for key, value in vars(klass).items():
            if key in ("__dict__", "__weakref__", "__module__", "__qualname__", "__init__", "_bridge_twin_of"):
                continue
            namespace[key] = _rebind(value, way)
    twin = type(cls.__name__, (base,), namespace)
    way.twin_classes[cls] = twin
    return twin


def _rebind(value: Any, way: _Direction) -> Any:
    """A copy of function ``value`` whose globals name dst's modules where they named src's, and dst's
    function (or dtype) of the same name where they named one of src's top-level names (``from minitorch_nn
    import flatten``)."""
    if isinstance(value, (staticmethod, classmethod)):
        return type(value)(_rebind(value.__func__, way))
    if not isinstance(value, types.FunctionType):
        return value
    new_globals = dict(value.__globals__)
    for key, g in value.__globals__.items():
        if isinstance(g, types.ModuleType) and id(g) in way.module_map:
            new_globals[key] = way.module_map[id(g)]
        elif not isinstance(g, types.ModuleType) and getattr(way.src, key, None) is g and hasattr(way.dst, key):
            new_globals[key] = getattr(way.dst, key)
    fn = types.FunctionType(value.__code__, new_globals, value.__name__, value.__defaults__, value.__closure__)
    fn.__kwdefaults__ = value.__kwdefaults__
    fn.__qualname__ = value.__qualname__
    return fn
