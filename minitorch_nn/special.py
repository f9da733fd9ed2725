"""torch.special: the special functions of ``ops/special.py`` plus torch's special.* names for ops that
live elsewhere (erf, expm1, logit, softmax, ...), which are the same functions under a second name."""

from __future__ import annotations

from typing import Any

from .autograd.tensor import Tensor
from .ops.activation import log_softmax as _log_softmax
from .ops.activation import sigmoid as expit
from .ops.activation import softmax as _softmax
from .ops.binary import xlogy
from .ops.reduction import logsumexp
from .ops.special import SPECIAL
from .ops.unary import erf, erfc, erfinv, exp2, expm1, log1p, logit, round, sinc  # noqa: A004

globals().update(SPECIAL)


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _log_softmax(input, dim, dtype=dtype)


__all__ = [  # noqa: PLE0604
    *SPECIAL,
    "erf",
    "erfc",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "log1p",
    "log_softmax",
    "logit",
    "logsumexp",
    "round",
    "sinc",
    "softmax",
    "xlogy",
]
