"""Registry entries: batch_norm (training and eval, affine or not, 2-D to 5-D inputs, momentum, eps).

In training mode the running statistics are also updated in place;
``tests/test_batchnorm.py`` compares those buffers with torch's (the generic
registry tests compare outputs and gradients only).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def batch_norm_samples(draw: Any, training: bool | None = None) -> Any:
    """Input (N, C, *spatial) with at least 3 values per channel, gamma, beta, running mean and variance."""
    ndim = draw(st.integers(2, 5))
    c = draw(st.integers(1, 4))
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(ndim - 2))
    n = draw(st.integers(3 if not spatial else 2, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    shape = (n, c) + spatial
    x = rng.normal(0.5, 1.5, size=shape)
    weight = rng.uniform(0.5, 2.0, size=c) * rng.choice([-1, 1], size=c)
    bias = rng.normal(size=c)
    running_mean = rng.normal(size=c)
    running_var = rng.uniform(0.5, 2.0, size=c)
    affine = draw(st.booleans())
    mode = draw(st.booleans()) if training is None else training
    kwargs = {
        "affine": affine,
        "training": mode,
        # eval mode needs running statistics; training may go without them (batch statistics only)
        "use_running": True if not mode else draw(st.booleans()),
        "momentum": draw(st.sampled_from([0.1, 0.0, 0.5, 1.0, 0.01])),
        "eps": draw(st.sampled_from([1e-5, 1e-3, 0.1])),
    }
    return S.sample(
        (x, weight, bias, running_mean, running_var),
        kwargs,
        (True, affine, affine, False, False),
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


def batch_norm_call(
    lib: Any, x: Any, w: Any, b: Any, rm: Any, rv: Any, affine: bool, training: bool, use_running: bool, **kw: Any
) -> Any:
    return lib.nn.functional.batch_norm(
        x,
        rm if use_running else None,
        rv if use_running else None,
        w if affine else None,
        b if affine else None,
        training=training,
        **kw,
    )


OPS = [
    OpInfo("batch_norm_train", batch_norm_call, lambda: batch_norm_samples(training=True)),
    OpInfo("batch_norm_eval", batch_norm_call, lambda: batch_norm_samples(training=False)),
]
