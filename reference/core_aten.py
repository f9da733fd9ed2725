"""PyTorch's Core ATen op set, read from the installed torch, and which of its public names we lack.

The Core ATen ops are the overload packets of ``torch.ops.aten`` with an overload tagged
``torch.Tag.core``: the set every torch program lowers to. An op counts as public when torch
exposes it under the same name as ``torch.X``, ``torch.Tensor.X`` or ``torch.nn.functional.X``;
we cover it when minitorch_nn has that name in the same places. A Tensor method counts when it is
one of the ATen bindings on ``torch._C.TensorBase``: ``torch.Tensor.index``, a Python method that
turns a tensor into a functorch first-class-dims tensor, shares only its name with ``aten.index``
(which torch programs reach as ``x[indices]``).

    python -m reference.core_aten      # prints the missing names
"""

from __future__ import annotations

import torch
import torch.nn.functional as torch_functional

import minitorch_nn as mt
import minitorch_nn.nn.functional as mt_functional


def core_aten_ops() -> list[str]:
    """Names of the aten overload packets that have a Core-tagged overload (internal ``_x`` excluded)."""
    names = []
    for name in dir(torch.ops.aten):
        if name.startswith("_"):
            continue
        try:
            packet = getattr(torch.ops.aten, name)
            overloads = packet.overloads()
        except (AttributeError, RuntimeError):
            continue
        if any(torch.Tag.core in getattr(packet, o).tags for o in overloads):
            names.append(name)
    return sorted(names)


def _places(torch_side: bool, name: str) -> list[str]:
    namespace, tensor, functional = (
        (torch, torch._C.TensorBase, torch_functional) if torch_side else (mt, mt.Tensor, mt_functional)
    )
    return [label for label, obj in (("torch", namespace), ("Tensor", tensor), ("F", functional)) if hasattr(obj, name)]


def public_core_ops() -> dict[str, list[str]]:
    """Each public Core ATen op -> where torch exposes it (torch, Tensor, F)."""
    return {name: places for name in core_aten_ops() if (places := _places(True, name))}


def missing() -> list[str]:
    """``name (place)`` for every public place of a Core ATen op that minitorch_nn lacks."""
    gaps = []
    for name, places in public_core_ops().items():
        ours = _places(False, name)
        gaps.extend(f"{name} ({p})" for p in places if p not in ours)
    return gaps


if __name__ == "__main__":
    ops = public_core_ops()
    gaps = missing()
    print(f"{len(ops)} public Core ATen ops; {len(gaps)} public places missing:")
    for g in gaps:
        print("  " + g)
