"""torch.utils.tensorboard: SummaryWriter, writing TensorBoard event files."""

from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
