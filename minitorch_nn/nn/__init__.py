"""minitorch_nn.nn: Module, Parameter, layers, losses, init (torch.nn's subset)."""

from . import functional, init, utils  # noqa: F401
from .modules import *  # noqa: F403
from .parallel import DataParallel  # noqa: F401
from .parameter import *  # noqa: F403
