"""Registry entries: embedding lookup (a gather of rows) and its scatter-add backward.

Two entries: ``embedding`` (F.embedding and torch.embedding, plain lookups with repeated
indices) is checked by finite differences too; ``embedding_padding_freq`` draws padding_idx
(negative too) and scale_grad_by_freq, whose gradients are by design not the derivative of the
output (the padding row reads W but gets no gradient; repeats are averaged), so it is compared
with torch only. ``max_norm`` renormalises the weight in place on every call, so it lives in
tests/test_embedding.py, which compares the renormalised weight too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _embedding(draw: Any, options: bool) -> Any:
    rows, dim = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    index_shape = draw(S.shapes(0, 3, 0 if options else 1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, rows, size=index_shape).astype(draw(st.sampled_from([np.int64, np.int32])))
    kwargs: dict = {"fn": draw(st.sampled_from(["F", "torch"]))}
    if options:
        kwargs["padding_idx"] = draw(st.one_of(st.none(), st.integers(-rows, rows - 1)))
        kwargs["scale_grad_by_freq"] = draw(st.booleans())
    return S.sample((S.array(rng, (rows, dim)), indices), kwargs, noncontiguous=draw(st.booleans()), seed=seed)


def _call(lib: Any, weight: Any, indices: Any, fn: str, padding_idx: int | None = None, **kwargs: Any) -> Any:
    if fn == "F":
        return lib.nn.functional.embedding(indices, weight, padding_idx, **kwargs)
    # torch.embedding takes the weight first and -1 (not None) for "no padding row", already wrapped
    padding = -1 if padding_idx is None else padding_idx % weight.shape[0]
    return lib.embedding(weight, indices, padding, kwargs.get("scale_grad_by_freq", False))


OPS: list[OpInfo] = [
    OpInfo("embedding", _call, lambda: _embedding(False)),
    OpInfo("embedding_padding_freq", _call, lambda: _embedding(True), gradcheck=False),
]
