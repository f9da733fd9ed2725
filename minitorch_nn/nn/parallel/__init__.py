"""torch.nn.parallel: DataParallel and data_parallel on a machine with no accelerator."""

from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "data_parallel"]
