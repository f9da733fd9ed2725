"""Optimizer: parameter groups, per-parameter state, zero_grad, state_dict.

A subclass passes its defaults (lr, momentum, ...) to ``__init__`` and
implements ``step``: for each group, for each parameter with a gradient,
update ``p._data`` in place from ``p.grad._data`` and ``self.state[p]``.
Updates run under ``no_grad`` and bump each parameter's version, so a graph
that saved the old weights refuses a later backward, as torch's does.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd.tensor import Tensor
from .pointwise import add_


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj: Any) -> str:
    if isinstance(obj, Tensor):
        return "torch." + {"float32": "FloatTensor", "float64": "DoubleTensor"}.get(obj._data.dtype.name, "Tensor")
    return type(obj).__name__


class Optimizer:
    """Base class: ``Optimizer(params, defaults)``; params are tensors or dicts of groups."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                + _typename(params)
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group; options it does not set take the optimizer's defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
                "in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(p))
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in param_group["params"]]
        if len(ids) != len(set(ids)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause an "
                "error; see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if seen & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients (None by default, as in torch 2.x; or zero them in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad._data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        raise NotImplementedError

    def _closure_loss(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        from ..autograd.grad_mode import enable_grad

        with enable_grad():
            return closure()

    # ---- state_dict: tensors keyed by their position across all groups, as torch --------------
    def state_dict(self) -> dict[str, Any]:
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = copy.deepcopy(state_dict)
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        id_map = {old: p for g, s in zip(groups, saved_groups) for old, p in zip(s["params"], g["params"])}
        self.state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                p = id_map[k]
                self.state[p] = {name: _cast_like(value, p) if name != "step" else value for name, value in v.items()}
        for g, s in zip(groups, saved_groups):
            for k, v in s.items():
                if k != "params":
                    g[k] = v

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _cast_like(value: Any, p: Tensor) -> Any:
    if isinstance(value, Tensor) and value._data.dtype.kind == "f":
        return Tensor._make(value._data.astype(p._data.dtype))
    return value


def new_state(state: dict[str, Any], p: Tensor, *entries: str | tuple[str, float]) -> dict[str, Any]:
    """A parameter's state on its first step, in torch's key order: ``step`` (a float32 0-d tensor), then
    each entry, a name (a zero buffer like p) or (name, value) (a float32 0-d tensor). Kept as it is later."""
    if len(state) == 0:
        state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
        for entry in entries:
            if isinstance(entry, tuple):
                state[entry[0]] = Tensor._make(np.array(entry[1], dtype=np.float32))
            else:
                state[entry] = Tensor._make(np.zeros_like(p._data))
    return state


def l2_gradient(g: np.ndarray, p: Tensor, weight_decay: float, maximize: bool) -> np.ndarray:
    """The gradient an update follows: negated to maximize, then plus weight_decay * p (a new array, as
    torch's ``grad.add(param, alpha=weight_decay)``, fused as in pointwise.add_)."""
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g.copy()
        add_(g, p._data, weight_decay)
    return g


def grads_of(group: dict[str, Any]) -> list[tuple[Tensor, np.ndarray]]:
    """The (parameter, gradient array) pairs of a group that have a gradient."""
    return [(p, p.grad._data) for p in group["params"] if p.grad is not None]


__all__ = ["Optimizer"]
