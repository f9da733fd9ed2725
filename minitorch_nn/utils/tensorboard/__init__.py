"""torch.utils.tensorboard: SummaryWriter, writing TensorBoard event files with TensorBoard's own package.

As torch's, this module needs the ``tensorboard`` package and imports it here: ``import minitorch_nn``
alone never does.
"""

try:
    import tensorboard
    from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa: F401 (checks the writer is there)
except ImportError as error:
    raise ImportError(
        "minitorch_nn.utils.tensorboard writes its event files with TensorBoard's own package, which is not "
        "installed: pip install tensorboard (or pip install 'minitorch-nn[tensorboard]')"
    ) from error

del tensorboard

from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
