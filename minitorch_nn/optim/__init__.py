"""minitorch_nn.optim: the Optimizer base with parameter groups, SGD, Adam, AdamW, RMSprop."""

from .adam import *  # noqa: F403
from .optimizer import *  # noqa: F403
from .rmsprop import *  # noqa: F403
from .sgd import *  # noqa: F403
