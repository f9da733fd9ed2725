"""Tensors and state_dicts to and from torch.

``to_torch`` / ``from_torch`` convert tensors (and, once modules are
registered in ``MODULE_CONVERTERS``, whole modules); the state_dict helpers
copy weights between twin models so both engines start from the same numbers.
"""

from __future__ import annotations

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
