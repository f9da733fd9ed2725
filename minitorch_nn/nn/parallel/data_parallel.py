"""DataParallel: replicate a module over GPUs, split the batch, gather the outputs.

minitorch_nn has no accelerator, so this is torch's DataParallel as it
behaves on a CPU-only machine: the wrapper keeps no devices
(``device_ids == []``, whatever was asked for) and its forward calls the
wrapped module on the inputs unchanged. It is still a real Module around
``self.module``, so parameters and state_dict keys carry the ``module.``
prefix and code written for multi-GPU training runs unchanged.

The functional ``data_parallel`` has no such fallback in torch: with no
device type to scatter to it raises, and so does this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...autograd.tensor import Tensor
from ...autograd.types import device
from ..modules.module import Module


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)``: ``forward`` is ``module.forward``.

    With no accelerator ``device_ids`` becomes ``[]`` and ``output_device``
    and ``dim`` are not kept, exactly as torch does on such a machine.
    """

    def __init__(
        self,
        module: Module,
        device_ids: Sequence[int | device] | None = None,
        output_device: int | device | None = None,
        dim: int = 0,
    ) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[int] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(
    module: Module,
    inputs: Any,
    device_ids: Sequence[int | device] | None = None,
    output_device: int | device | None = None,
    dim: int = 0,
    module_kwargs: Any | None = None,
) -> Tensor:
    """The functional DataParallel: needs an accelerator to scatter to, so here it always raises (as torch's)."""
    raise RuntimeError("device type could not be determined")


__all__ = ["DataParallel", "data_parallel"]
