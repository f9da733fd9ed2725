"""minitorch_nn.nn.functional: argument checking, then one call into ops.

One file per family; ``import minitorch_nn.nn.functional as F`` sees them all.
"""

from .activation import *  # noqa: F403
from .attention import *  # noqa: F403
from .bilinear import *  # noqa: F403
from .conv import *  # noqa: F403
from .dropout import *  # noqa: F403
from .dropout_variants import *  # noqa: F403
from .instancenorm import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .normalization import *  # noqa: F403
from .pooling import *  # noqa: F403
from .sparse import *  # noqa: F403
from .vision import *  # noqa: F403
