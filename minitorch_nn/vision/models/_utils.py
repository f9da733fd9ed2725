"""What every model builder shares: the ``weights`` / ``pretrained`` arguments and channel rounding.

torchvision's ``weights=`` names a download (``ResNet18_Weights.IMAGENET1K_V1``); this engine
downloads no weights. A builder takes ``weights=None`` (random initialisation, as torchvision),
a state_dict (a Mapping of tensors), or the path of a state_dict file: one written by
``minitorch_nn.save`` or by ``torch.save`` (``minitorch_nn.load`` reads torch's format without torch),
loaded with strict=True, so a file of another architecture is an error naming the missing or
unexpected keys. A weights enum member, its name (``"IMAGENET1K_V1"``, ``"DEFAULT"``) or
``pretrained=True`` is refused with the checkpoint's URL, to be fetched once by hand and passed as
a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from ... import nn
from ...serialization import load
from ._weights import WEIGHTS_BY_ARCH, WeightsEnum


def _weights_error(arch: str, given: str, member: WeightsEnum | None) -> ValueError:
    if member is None:
        where = f"{arch} has no torchvision checkpoint of that name"
        enum = WEIGHTS_BY_ARCH.get(arch)
        if enum is not None:
            where += f" (its {enum.__name__} has {', '.join(enum.__members__)})"
        return ValueError(
            f"{arch}: {given} cannot be downloaded: minitorch_nn downloads no weights, and {where}. "
            "Pass weights=None, a state_dict, or the path of a state_dict file."
        )
    return ValueError(
        f"{arch}: {given} cannot be downloaded: minitorch_nn downloads no weights. Fetch "
        f"{member!r} once by hand from {member.url} (e.g. `curl -LO {member.url}`, or "
        f"torch.hub.load_state_dict_from_url('{member.url}') where torch is installed, which keeps it in "
        f"~/.cache/torch/hub/checkpoints/), then pass the file: {arch}(weights='{member.file_name}'). "
        "A torch.save state_dict file loads here directly."
    )


def _weights_member(arch: str, weights: Any) -> WeightsEnum | None:
    """The enum member that ``weights`` names (a member of any enum, or a name of this arch's), else None."""
    enum = WEIGHTS_BY_ARCH.get(arch)
    if isinstance(weights, WeightsEnum):
        if enum is not None and not isinstance(weights, enum):
            raise TypeError(
                f"Invalid Weight class provided; expected {enum.__name__} but received {type(weights).__name__}."
            )
        return weights
    if isinstance(weights, str) and enum is not None:
        name = weights.split(".", 1)[1] if weights.startswith(enum.__name__ + ".") else weights
        return enum.__members__.get(name)
    return None


def _resolve_weights(arch: str, weights: Any, kwargs: dict[str, Any]) -> tuple[Mapping[str, Any], str] | None:
    """The state_dict to load after building and where it came from (None: keep the random initialisation)."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        if pretrained:
            enum = WEIGHTS_BY_ARCH.get(arch)
            raise _weights_error(arch, f"pretrained={pretrained!r}", enum.DEFAULT if enum else None)
    if weights is None:
        return None
    if isinstance(weights, Mapping):
        return weights, "the given state_dict"
    member = _weights_member(arch, weights)
    if member is not None:
        raise _weights_error(
            arch, f"weights={weights!r}" if isinstance(weights, str) else f"weights={member!r}", member
        )
    if _is_path(weights):
        path = os.fspath(weights)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{arch}: no state_dict file at {path!r}")
        state = load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, Mapping):
            raise ValueError(f"{arch}: {path!r} does not hold a state_dict (found {type(state).__name__})")
        return state, repr(path)
    raise _weights_error(arch, f"weights={weights!r}", None)


def _is_path(weights: Any) -> bool:
    """A PathLike, or a string that reads as a file name (a weights enum name such as "IMAGENET1K_V1" does not)."""
    if isinstance(weights, os.PathLike):
        return True
    return isinstance(weights, str) and (os.sep in weights or weights.endswith(_STATE_DICT_SUFFIXES))


_STATE_DICT_SUFFIXES = (".pt", ".pth", ".pkl", ".bin", ".tar")


def _build(
    arch: str,
    weights: Any,
    progress: bool,
    kwargs: dict[str, Any],
    make: Callable[..., nn.Module],
    adapt: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
) -> Any:
    """``make(**kwargs)``, then the given weights (through ``adapt``, which renames a checkpoint's legacy keys)
    loaded with strict=True (``progress`` has nothing to show)."""
    resolved = _resolve_weights(arch, weights, kwargs)
    model = make(**kwargs)
    if resolved is not None:
        state, source = resolved
        if adapt is not None:
            state = adapt(state)
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            raise RuntimeError(f"{arch}: the weights in {source} do not fit this model: {exc}") from None
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
