"""minitorch_nn.optim: the Optimizer base with parameter groups, SGD, Adam, AdamW, RMSprop, and lr_scheduler."""

from . import lr_scheduler  # noqa: E402
from .adam import *  # noqa: F403
from .optimizer import *  # noqa: F403
from .rmsprop import *  # noqa: F403
from .sgd import *  # noqa: F403
