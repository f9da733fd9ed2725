"""The checkpoint of ``minitorch-nn train``: one file format for every engine path.

A run on minitorch_nn, on torch (``--engine torch``) and on N torch processes (``--nproc N``) all write
``minitorch_nn.save``'s file (atomically: a temporary file renamed over the old one) holding minitorch_nn
tensors; a torch run's tensors cross through ``reference.bridge`` on the way out and on the way back. So the
trained weights load into a minitorch_nn model, ``predict`` reads any run's checkpoint, and ``--resume``
continues a run on either engine: both optimizers' ``state_dict`` are the same nested dict (per-parameter
state keyed by index, then the param groups), so SGD's momentum buffers and Adam's moments carry over.

``load`` also reads a ``torch.save`` checkpoint (what ``--engine torch`` runs wrote before), through
minitorch_nn.load's torch-archive reader, with torch.load as the fallback on the torch side.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import minitorch_nn

from ..serialization import SerializationError


def _cross(obj: Any, tensor: Callable[[Any], Any], kind: type) -> Any:
    """``obj`` with every tensor of type ``kind`` replaced by ``tensor(it)``, containers rebuilt."""
    if isinstance(obj, kind):
        return tensor(obj)
    if isinstance(obj, dict):
        return type(obj)((k, _cross(v, tensor, kind)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_cross(v, tensor, kind) for v in obj)
    return obj


def save(state: dict[str, Any], path: str) -> None:
    """Write ``state`` (model, optimizer, scheduler, history, epoch, ...) as minitorch_nn's file.

    torch tensors in it (a torch run's state_dicts, on any device) become minitorch_nn tensors on the CPU.
    """
    torch = sys.modules.get("torch")  # no torch imported: no torch tensor can be in ``state``
    if torch is not None:
        from reference.bridge import tensor_from_torch

        state = _cross(state, lambda t: tensor_from_torch(t, requires_grad=False), torch.Tensor)
    minitorch_nn.save(state, path)


def load(path: str, lib: Any) -> dict[str, Any]:
    """The checkpoint at ``path`` (minitorch_nn's file or a torch.save one) with ``lib``'s tensors."""
    if lib is minitorch_nn:
        return minitorch_nn.load(path)
    from reference.bridge import tensor_to_torch

    try:
        state = minitorch_nn.load(path)
    except SerializationError:
        return lib.load(path, map_location="cpu", weights_only=False)
    return _cross(state, lambda t: tensor_to_torch(t, requires_grad=False), minitorch_nn.Tensor)
