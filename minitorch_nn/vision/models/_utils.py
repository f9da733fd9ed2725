"""What every model builder shares: the ``weights`` / ``pretrained`` arguments and channel rounding.

torchvision's ``weights=`` names a download (``ResNet18_Weights.IMAGENET1K_V1``); this engine
downloads no weights. A builder takes ``weights=None`` (random initialisation, as torchvision),
a state_dict (a Mapping of tensors), or the path of a state_dict file written by
``minitorch_nn.save``; anything else is refused with a message that says how to get the weights:
``torch.save(torchvision.models.resnet18(weights="DEFAULT").state_dict(), "r18.pth")`` beside a
real torch, then ``reference.bridge.load_torch_state_dict("r18.pth")``, which gives a state_dict
that loads here with strict=True. The legacy ``pretrained=True`` is refused the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from ... import nn
from ...serialization import load


def _weights_error(arch: str, weights: Any) -> ValueError:
    return ValueError(
        f"{arch}: weights={weights!r} cannot be downloaded: minitorch_nn.vision has no pretrained weights. "
        f"Pass weights=None, a state_dict, or the path of a state_dict file instead. To use torchvision's "
        f"weights, run `torch.save(torchvision.models.{arch}(weights='DEFAULT').state_dict(), '{arch}.pth')` "
        f"with torch and torchvision, read that file with reference.bridge.load_torch_state_dict('{arch}.pth') "
        f"(or minitorch_nn.save the result once) and pass it as weights=."
    )


def _resolve_weights(arch: str, weights: Any, kwargs: dict[str, Any]) -> Mapping[str, Any] | None:
    """The state_dict to load after building (None: keep the random initialisation)."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        if pretrained:
            raise _weights_error(arch, f"pretrained={pretrained!r}")
    if weights is None:
        return None
    if isinstance(weights, Mapping):
        return weights
    if _is_path(weights):
        if not os.path.isfile(weights):
            raise FileNotFoundError(f"{arch}: no state_dict file at {os.fspath(weights)!r}")
        state = load(weights, map_location="cpu", weights_only=True)
        if not isinstance(state, Mapping):
            raise ValueError(
                f"{arch}: {os.fspath(weights)!r} does not hold a state_dict (found {type(state).__name__})"
            )
        return state
    raise _weights_error(arch, weights)


def _is_path(weights: Any) -> bool:
    """A PathLike, or a string that reads as a file name (a weights enum name such as "IMAGENET1K_V1" does not)."""
    if isinstance(weights, os.PathLike):
        return True
    return isinstance(weights, str) and (os.sep in weights or weights.endswith(_STATE_DICT_SUFFIXES))


_STATE_DICT_SUFFIXES = (".pt", ".pth", ".pkl", ".bin", ".tar")


def _build(arch: str, weights: Any, progress: bool, kwargs: dict[str, Any], make: Callable[..., nn.Module]) -> Any:
    """``make(**kwargs)``, then the given weights loaded with strict=True (``progress`` has nothing to show)."""
    state = _resolve_weights(arch, weights, kwargs)
    model = make(**kwargs)
    if state is not None:
        model.load_state_dict(state)
    return model


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """``v`` rounded to the nearest multiple of ``divisor`` (at least ``min_value``), never more than 10% below v:
    the channel rounding of the MobileNet papers' reference code."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * v:
        rounded += divisor
    return rounded


def _ovewrite_named_param(kwargs: dict[str, Any], param: str, new_value: Any) -> None:
    """Set ``kwargs[param]`` for a named variant (resnext's groups); a conflicting user value is an error."""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value
