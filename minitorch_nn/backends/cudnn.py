"""torch.backends.cudnn: its flags, settable and kept; cuDNN itself is not used by minitorch_nn."""

from __future__ import annotations

enabled: bool = True
benchmark: bool = False
deterministic: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    """False: the CUDA device runs minitorch_nn's own Numba kernels, not cuDNN's."""
    return False


def version() -> None:
    """None, as torch answers when cuDNN is not available."""
    return None
