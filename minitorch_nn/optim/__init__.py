"""minitorch_nn.optim: the Optimizer base with parameter groups, the optimizers (SGD, Adam, AdamW, RMSprop, Adagrad,
Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop, LBFGS) and lr_scheduler."""

from . import lr_scheduler  # noqa: E402
from .adadelta import *  # noqa: F403
from .adagrad import *  # noqa: F403
from .adam import *  # noqa: F403
from .adamax import *  # noqa: F403
from .asgd import *  # noqa: F403
from .lbfgs import *  # noqa: F403
from .nadam import *  # noqa: F403
from .optimizer import *  # noqa: F403
from .radam import *  # noqa: F403
from .rmsprop import *  # noqa: F403
from .rprop import *  # noqa: F403
from .sgd import *  # noqa: F403
