"""Registry entries: matrix products."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo


@st.composite
def _mm(draw: Any) -> Any:
    n, k, m = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample((S.array(rng, (n, k)), S.array(rng, (k, m))), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _addmm(draw: Any) -> Any:
    n, k, m = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    bias_shape = draw(st.sampled_from([(n, m), (m,), (1, m), (n, 1), ()]))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    kwargs = {"beta": draw(st.sampled_from([1, 0.5, -2])), "alpha": draw(st.sampled_from([1, 2, -0.25]))}
    return S.sample(
        (S.array(rng, bias_shape), S.array(rng, (n, k)), S.array(rng, (k, m))),
        kwargs,
        noncontiguous=draw(st.booleans()),
        seed=seed,
    )


@st.composite
def _matmul(draw: Any) -> Any:
    """Operands of 1 to 4 dims: vectors, matrices, and batches that broadcast."""
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch_a, batch_b = draw(S.broadcastable_shapes(2, 0, 2, 3))
    kinds = st.sampled_from(["vector", "matrix", "batch"])
    kind_a, kind_b = draw(kinds), draw(kinds)
    a = (k,) if kind_a == "vector" else (*(batch_a if kind_a == "batch" else ()), n, k)
    b = (k,) if kind_b == "vector" else (*(batch_b if kind_b == "batch" else ()), k, m)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample((S.array(rng, a), S.array(rng, b)), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _bmm(draw: Any) -> Any:
    b, n, k, m = (draw(st.integers(1, 4)) for _ in range(4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample((S.array(rng, (b, n, k)), S.array(rng, (b, k, m))), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _vectors(draw: Any, same: bool = True) -> Any:
    n = draw(st.integers(1, 6))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    other = n if same else draw(st.integers(1, 6))
    return S.sample((S.array(rng, (n,)), S.array(rng, (other,))), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _mv(draw: Any) -> Any:
    n, k = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample((S.array(rng, (n, k)), S.array(rng, (k,))), noncontiguous=draw(st.booleans()), seed=seed)


OPS = [
    OpInfo("mm", lambda lib, a, b: lib.mm(a, b), _mm),
    OpInfo("mm_t", lambda lib, a, b: lib.mm(a, b.t().t()), _mm),
    OpInfo("addmm", lambda lib, c, a, b, beta, alpha: lib.addmm(c, a, b, beta=beta, alpha=alpha), _addmm),
    OpInfo("matmul", lambda lib, a, b: a @ b, _matmul),
    OpInfo("matmul_fn", lambda lib, a, b: lib.matmul(a, b), _matmul),
    OpInfo("bmm", lambda lib, a, b: lib.bmm(a, b), _bmm),
    OpInfo("dot", lambda lib, a, b: lib.dot(a, b), _vectors),
    OpInfo("mv", lambda lib, a, v: a.mv(v), _mv),
    OpInfo("outer", lambda lib, a, b: lib.outer(a, b), lambda: _vectors(False)),
]


@st.composite
def _matmul_batched(draw: Any) -> Any:
    """An N-D operand with a vector, a matrix or another batch, only some of them requiring grad: torch
    then folds the batch into rows (one mm/mv) or runs a bmm, by the strides and by which needs grad."""
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch_a, batch_b = draw(S.broadcastable_shapes(2, 1, 2, 3))
    kinds = st.sampled_from(["vector", "matrix", "batch"])
    kind_a, kind_b = draw(kinds), draw(kinds)
    if "batch" not in (kind_a, kind_b):
        kind_a = "batch"
    a = (k,) if kind_a == "vector" else (*(batch_a if kind_a == "batch" else ()), n, k)
    b = (k,) if kind_b == "vector" else (*(batch_b if kind_b == "batch" else ()), k, m)
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    flags = draw(st.sampled_from([(True, False), (False, True), (True, True)]))
    return S.sample((S.array(rng, a), S.array(rng, b)), {}, flags, noncontiguous=draw(st.booleans()), seed=seed)


OPS += [OpInfo("matmul_batched_partial_grad", lambda lib, a, b: lib.matmul(a, b), _matmul_batched)]
