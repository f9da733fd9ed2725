"""torch.utils.tensorboard: SummaryWriter, writing TensorBoard event files with TensorBoard's own package.

As torch's, this module needs the ``tensorboard`` package (2.14 or later) and imports it here:
``import minitorch_nn`` alone never does.
"""

import re as _re

try:
    import tensorboard as _tensorboard
    from tensorboard.summary.writer.event_file_writer import EventFileWriter as _EventFileWriter  # noqa: F401
except ImportError as error:
    raise ImportError(
        "minitorch_nn.utils.tensorboard writes its event files with TensorBoard's own package, which is not "
        "installed: pip install tensorboard (or pip install 'minitorch-nn[tensorboard]')"
    ) from error

_version = tuple(int(part) for part in _re.findall(r"\d+", getattr(_tensorboard, "__version__", "0"))[:2])
if _version < (2, 14):
    raise ImportError(
        f"minitorch_nn.utils.tensorboard needs tensorboard 2.14 or later, found {_tensorboard.__version__}: "
        "pip install -U tensorboard"
    )

from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
