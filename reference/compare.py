"""Run the same call in both engines and report the largest errors.

``call(lib, *tensors, **kwargs)`` is written once against the torch API and
run with ``lib = minitorch_nn`` and ``lib = torch``. The same inputs go in,
the same random upstream gradient (never all ones) comes back, and the report
holds the max absolute and relative error of every output and every gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import minitorch_nn as mt

# (rtol, atol) per dtype unless an OpInfo says otherwise
DEFAULT_TOLERANCES = {np.dtype(np.float64): (1e-10, 1e-10), np.dtype(np.float32): (1e-4, 1e-5)}


@dataclass
class Sample:
    """One drawn call: input arrays (float64 masters), options, which inputs need grad."""

    inputs: tuple[np.ndarray, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    requires_grad: tuple[bool, ...] | None = None  # default: every float input
    noncontiguous: bool = False
    seed: int = 0

    def grad_flags(self) -> tuple[bool, ...]:
        if self.requires_grad is not None:
            return self.requires_grad
        return tuple(a.dtype.kind == "f" for a in self.inputs)

    def __repr__(self) -> str:
        shapes = [f"{a.dtype.name}{list(a.shape)}" for a in self.inputs]
        return f"Sample(inputs={shapes}, kwargs={self.kwargs}, noncontiguous={self.noncontiguous})"


@dataclass
class Error:
    label: str
    max_abs: float
    max_rel: float
    ok: bool


@dataclass
class Report:
    errors: list[Error]

    @property
    def ok(self) -> bool:
        return all(e.ok for e in self.errors)

    def worst(self) -> Error | None:
        return max(self.errors, key=lambda e: e.max_rel, default=None)

    def __str__(self) -> str:
        return "; ".join(
            f"{e.label}: abs={e.max_abs:.3g} rel={e.max_rel:.3g}{'' if e.ok else ' FAIL'}" for e in self.errors
        )


def noncontiguous_copy(a: np.ndarray) -> np.ndarray:
    """The same values in a non-contiguous array (every other element of a bigger buffer)."""
    if a.ndim == 0 or a.size == 0:
        return a.copy()
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
    big[..., ::2] = a
    return big[..., ::2]


def make_inputs(lib: Any, sample: Sample, dtype: np.dtype) -> list[Any]:
    """Leaf tensors of ``lib`` holding the sample's arrays (floats cast to ``dtype``)."""
    tensors = []
    for a, rg in zip(sample.inputs, sample.grad_flags()):
        arr = a.astype(dtype) if a.dtype.kind == "f" else a.copy()
        if sample.noncontiguous:
            arr = noncontiguous_copy(arr)
        if lib is torch:
            t = torch.from_numpy(arr)
        else:
            t = mt.Tensor._make(arr)
        if rg:
            t.requires_grad_(True)
        tensors.append(t)
    return tensors


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _to_numpy(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t._data)


def run(lib: Any, call: Callable[..., Any], sample: Sample, dtype: np.dtype, upstream: Sequence[np.ndarray] | None):
    """Run ``call`` in ``lib``; returns (outputs, gradients of inputs)."""
    inputs = make_inputs(lib, sample, dtype)
    outs = _outputs(call(lib, *inputs, **sample.kwargs))
    pairs = [(o, g) for o, g in zip(outs, upstream or ()) if o.requires_grad]
    if pairs:
        grads = [
            lib.from_numpy(g.astype(dtype)) if lib is torch else mt.Tensor._make(g.astype(dtype)) for _, g in pairs
        ]
        lib.autograd.backward([o for o, _ in pairs], grads)
    in_grads = [None if (t.grad is None) else _to_numpy(t.grad) for t in inputs]
    return [_to_numpy(o) for o in outs], in_grads


def upstream_for(outputs: Sequence[np.ndarray], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed + 1)
    return [rng.standard_normal(o.shape) if o.dtype.kind == "f" else np.zeros(o.shape) for o in outputs]


def error(label: str, ours: np.ndarray | None, theirs: np.ndarray | None, rtol: float, atol: float) -> Error:
    if ours is None or theirs is None:
        both_none = ours is None and theirs is None
        return Error(label + ("" if both_none else " (missing)"), 0.0 if both_none else np.inf, 0.0, both_none)
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    if ours.shape != theirs.shape:
        return Error(f"{label} shape {list(ours.shape)} vs {list(theirs.shape)}", np.inf, np.inf, False)
    if ours.dtype != theirs.dtype and not (ours.dtype.kind == theirs.dtype.kind == "b"):
        return Error(f"{label} dtype {ours.dtype} vs {theirs.dtype}", np.inf, np.inf, False)
    if ours.size == 0:
        return Error(label, 0.0, 0.0, True)
    a = ours.astype(np.float64)
    b = theirs.astype(np.float64)
    same_nonfinite = (np.isnan(a) & np.isnan(b)) | (np.isinf(a) & (a == b))
    diff = np.where(same_nonfinite, 0.0, np.abs(a - b))
    diff = np.where(np.isnan(diff), np.inf, diff)
    rel = diff / np.maximum(np.abs(b), 1e-300)
    ok = bool(np.all(diff <= atol + rtol * np.abs(np.where(np.isfinite(b), b, 0.0))))
    return Error(label, float(diff.max()), float(np.where(diff == 0, 0.0, rel).max()), ok)


def compare(
    call: Callable[..., Any],
    sample: Sample,
    dtype: Any = np.float64,
    tolerances: dict | None = None,
) -> Report:
    """Run ``call`` in both engines on ``sample`` and compare outputs and input gradients."""
    dtype = np.dtype(dtype)
    rtol, atol = (tolerances or DEFAULT_TOLERANCES).get(dtype, DEFAULT_TOLERANCES[dtype])
    theirs_out, _ = run(torch, call, sample, dtype, None)
    upstream = upstream_for(theirs_out, sample.seed)
    theirs_out, theirs_grads = run(torch, call, sample, dtype, upstream)
    ours_out, ours_grads = run(mt, call, sample, dtype, upstream)
    errors = [error(f"output[{i}]", o, t, rtol, atol) for i, (o, t) in enumerate(zip(ours_out, theirs_out))]
    if len(ours_out) != len(theirs_out):
        errors.append(Error(f"{len(ours_out)} outputs vs {len(theirs_out)}", np.inf, np.inf, False))
    for i, (o, t) in enumerate(zip(ours_grads, theirs_grads)):
        if sample.grad_flags()[i]:
            errors.append(error(f"grad[{i}]", o, t, rtol, atol))
    return Report(errors)


def compare_modules(
    ours: Any,
    theirs: torch.nn.Module,
    inputs: Sequence[np.ndarray],
    dtype: Any = np.float64,
    tolerances: dict | None = None,
    seed: int = 0,
    requires_grad: Sequence[bool] | None = None,
) -> Report:
    """Forward and backward twin modules (same weights) on the same inputs.

    Compares outputs, gradients of the float inputs and of every named parameter.
    """
    dtype = np.dtype(dtype)
    rtol, atol = (tolerances or DEFAULT_TOLERANCES).get(dtype, DEFAULT_TOLERANCES[dtype])
    sample = Sample(tuple(inputs), {}, None if requires_grad is None else tuple(requires_grad), seed=seed)
    t_in = make_inputs(torch, sample, dtype)
    o_in = make_inputs(mt, sample, dtype)
    t_out = _outputs(theirs(*t_in))
    o_out = _outputs(ours(*o_in))
    upstream = upstream_for([_to_numpy(o) for o in t_out], seed)
    for lib, outs in ((torch, t_out), (mt, o_out)):
        pairs = [(o, g) for o, g in zip(outs, upstream) if o.requires_grad]
        if pairs:
            grads = [
                torch.from_numpy(g.astype(dtype)) if lib is torch else mt.Tensor._make(g.astype(dtype))
                for _, g in pairs
            ]
            lib.autograd.backward([o for o, _ in pairs], grads)
    errors = [
        error(f"output[{i}]", _to_numpy(o), _to_numpy(t), rtol, atol) for i, (o, t) in enumerate(zip(o_out, t_out))
    ]
    for i, (o, t) in enumerate(zip(o_in, t_in)):
        if sample.grad_flags()[i]:
            errors.append(
                error(
                    f"grad[input {i}]",
                    None if o.grad is None else _to_numpy(o.grad),
                    None if t.grad is None else _to_numpy(t.grad),
                    rtol,
                    atol,
                )
            )
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        tp = theirs_params.get(name)
        if tp is None:
            errors.append(Error(f"parameter {name} missing in torch", np.inf, np.inf, False))
            continue
        errors.append(
            error(
                f"grad[{name}]",
                None if p.grad is None else _to_numpy(p.grad),
                None if tp.grad is None else _to_numpy(tp.grad),
                rtol,
                atol,
            )
        )
    return Report(errors)


def graph_signature(root: Any) -> list[tuple]:
    """An autograd graph as comparable data: [(number, name, [(target number or None, output_nr)])]
    per node, numbered in DFS order from ``root`` (a grad_fn; None gives []); edges in slot order."""
    if root is None:
        return []
    numbers = {id(root): 0}
    rows, stack = [], [root]
    while stack:
        node = stack.pop()
        edges = []
        for nxt, nr in node.next_functions:
            if nxt is None:
                edges.append((None, nr))
                continue
            if id(nxt) not in numbers:
                numbers[id(nxt)] = len(numbers)
                stack.append(nxt)
            edges.append((numbers[id(nxt)], nr))
        rows.append((numbers[id(node)], node.name().replace("torch::autograd::", ""), edges))
    return sorted(rows)


def raised(call: Callable[[], Any]) -> tuple[str, str] | None:
    """(exception type name, message) of what ``call()`` raises, or None if it returns: the error
    itself is what the tests compare between torch and us."""
    try:
        call()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None
