"""Registry entries: F.scaled_dot_product_attention.

One entry draws 2-D to 4-D inputs (batch dims of query and key/value broadcast, value width Ev free), every
mask kind (none, bool "attend here", float additive with its own gradient, is_causal
with L != S too), ``scale``, and grouped-query heads (``enable_gqa``). The grad_fn name
is torch's CPU dispatch (flash kernel or math path) and is checked too. Dropout is
random, so it lives in tests/test_attention.py (same seed, same mask as torch).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def sdpa_samples(draw: Any) -> Any:
    ndim = draw(st.integers(2, 4))
    length, source, embed = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    value_dim = draw(st.sampled_from([embed, draw(st.integers(1, 4))]))
    batch = tuple(draw(st.integers(1, 3)) for _ in range(ndim - 2))

    def thinned(dims: tuple[int, ...]) -> tuple[int, ...]:
        """Some dims set to 1, to broadcast against the other side's."""
        return tuple(1 if draw(st.booleans()) else d for d in dims) if draw(st.booleans()) else dims

    gqa = ndim == 4 and draw(st.booleans())
    if gqa:
        # each of the Hk key/value heads serves `groups` query heads; only the batch dim may broadcast
        groups = draw(st.integers(1, 3))
        query_batch = thinned(batch[:1]) + (batch[1] * groups,)
        key_batch = thinned(batch[:1]) + batch[1:]
        full_batch = np.broadcast_shapes(query_batch[:1], key_batch[:1]) + query_batch[1:]
    else:
        query_batch, key_batch = thinned(batch), thinned(batch)
        full_batch = np.broadcast_shapes(query_batch, key_batch)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    inputs = [
        S.array(rng, query_batch + (length, embed)),
        S.array(rng, key_batch + (source, embed)),
        S.array(rng, key_batch + (source, value_dim)),
    ]
    kwargs: dict = {"enable_gqa": gqa, "scale": draw(st.one_of(st.none(), st.floats(0.2, 1.5)))}
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    if kind == "causal":
        kwargs["is_causal"] = True
    elif kind != "none":
        full = tuple(full_batch) + (length, source)
        # the trailing `kept` dims of the score shape, any leading one of them possibly 1 (broadcast)
        kept = draw(st.integers(2, len(full)))
        mask_shape = tuple(1 if draw(st.booleans()) else n for n in full[-kept:-2]) + full[-2:]
        if kind == "bool":
            inputs.append(rng.random(mask_shape) < 0.7)
        else:
            inputs.append(S.array(rng, mask_shape))
    return S.sample(tuple(inputs), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _call(lib: Any, query: Any, key: Any, value: Any, attn_mask: Any = None, **kwargs: Any) -> Any:
    return lib.nn.functional.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask, **kwargs)


OPS: list[OpInfo] = [
    OpInfo("scaled_dot_product_attention", _call, sdpa_samples),
]
