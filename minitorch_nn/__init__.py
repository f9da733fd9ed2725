"""minitorch_nn: torch.nn rebuilt on NumPy and Numba, every backward written by hand.

``import minitorch_nn as torch`` runs ordinary torch.nn code::

    import minitorch_nn as torch
    import minitorch_nn.nn as nn
    import minitorch_nn.nn.functional as F
    import minitorch_nn.optim as optim
"""

from __future__ import annotations

import builtins as _builtins

from .kernels.cpu.memory import keep_freed_memory as _keep_freed_memory

_keep_freed_memory()  # big temporaries reuse pages instead of faulting in new ones every step

from . import _bindings  # noqa: F401  (attaches the op methods to Tensor)
from .autograd import (
    Tensor,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .autograd.tensor import get_default_device, set_default_device
from .autograd.tensor import make_tensor as tensor
from .autograd.types import (
    Size,
    bool_,
    device,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .factories import *  # noqa: F403
from .ops.activation import *  # noqa: F403
from .ops.arithmetic import *  # noqa: F403
from .ops.bilinear import *  # noqa: F403
from .ops.binary import *  # noqa: F403
from .ops.comparison import *  # noqa: F403
from .ops.conv import *  # noqa: F403
from .ops.ctc import *  # noqa: F403
from .ops.decompositions import *  # noqa: F403
from .ops.distance import *  # noqa: F403
from .ops.distributions import *  # noqa: F403
from .ops.dropout import *  # noqa: F403
from .ops.embedding import *  # noqa: F403
from .ops.fold import *  # noqa: F403
from .ops.indexing import *  # noqa: F403
from .ops.instancenorm import *  # noqa: F403
from .ops.layout import *  # noqa: F403
from .ops.likelihood_loss import *  # noqa: F403
from .ops.margin_loss import *  # noqa: F403
from .ops.matmul import *  # noqa: F403
from .ops.normalization import *  # noqa: F403
from .ops.padding import *  # noqa: F403
from .ops.pooling import *  # noqa: F403
from .ops.products import *  # noqa: F403
from .ops.recurrent import *  # noqa: F403
from .ops.reduction import *  # noqa: F403
from .ops.sampling import *  # noqa: F403
from .ops.scan import *  # noqa: F403
from .ops.scatter import *  # noqa: F403
from .ops.shape import *  # noqa: F403
from .ops.solvers import *  # noqa: F403
from .ops.sorting import *  # noqa: F403
from .ops.special import *  # noqa: F403
from .ops.spectral import *  # noqa: F403
from .ops.statistics import *  # noqa: F403
from .ops.tensor_api import *  # noqa: F403
from .ops.unary import *  # noqa: F403
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .serialization import *  # noqa: F403
from .threads import get_num_threads, set_num_threads

# torch's aliases for the dtypes
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
bool = bool_  # noqa: A001

from . import (  # noqa: E402
    accelerator,
    autograd,
    backends,
    cuda,
    linalg,
    nn,
    optim,
    random,
    special,  # noqa: E402
    testing,
    utils,
)
from .backends import (  # noqa: E402
    are_deterministic_algorithms_enabled,
    is_deterministic_algorithms_warn_only_enabled,
    use_deterministic_algorithms,
)
from .ops import return_types  # noqa: E402  (torch.return_types: sort, max, topk, ... and their _out forms)
from .ops.out import add_out_arguments as _add_out_arguments  # noqa: E402

_add_out_arguments(globals())  # torch.add(a, b, out=c) and the other functions that take out=

__version__ = "0.1.0"

del _builtins
