"""Registry entries: contractions (einsum, tensordot, kron, trace, cdist, the add-products, inner, vdot)
and torch.convolution.

einsum draws from equations covering each kind of subscript: contractions, outer products, transposes,
repeated subscripts (diagonals and traces), implicit outputs, ellipsis with broadcasting, three operands;
the sizes of the subscripts are drawn (1 included, which exercises torch's size-1 broadcasting).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from . import OpInfo
from .conv import _conv


def _listed(value: Any, d: int) -> list[int]:
    return [value] * d if isinstance(value, int) else list(value)


def _convolution_call(lib: Any, x: Any, w: Any, b: Any = None, *, stride, padding, dilation, groups) -> Any:
    """torch.convolution spells every geometry argument out, one entry per spatial dim."""
    d = w.dim() - 2
    return lib.convolution(
        x, w, b, _listed(stride, d), _listed(padding, d), _listed(dilation, d), False, [0] * d, groups
    )


def _convolution_samples(d: int) -> Any:
    # F.conv*d's strategy without the padding strings, which torch.convolution does not take
    return _conv(d).filter(lambda s: not isinstance(s.kwargs["padding"], str))


EQUATIONS = [
    "ij,jk->ik",
    "ij,jk",
    "ij,kj->ki",
    "ij,ij->ij",
    "ij,ij->",
    "i,i",
    "i,j->ij",
    "bij,bjk->bik",
    "ij->ji",
    "ij->j",
    "ij->",
    "ii",
    "ii->i",
    "iij->ji",
    "ij,jk,kl->il",
    "ii,j->j",
    "...ij,...jk->...ik",
    "...i,...i->...",
    "a...,a...",
    "i...->...",
    "bn,anm,bm->ba",
    "aB,Ba",
    "i,",
    "i j , j k -> i k",
]


@st.composite
def _einsum(draw: Any) -> Any:
    equation = draw(st.sampled_from(EQUATIONS))
    lhs = equation.replace(" ", "").split("->")[0]
    sizes = {c: draw(st.integers(1, 4)) for c in sorted(set(lhs) - {",", "."})}
    batch = draw(S.shapes(0, 2, 1, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    arrays = []
    for term in lhs.split(","):
        shape: tuple[int, ...] = ()
        if "..." in term:
            drop = draw(st.integers(0, len(batch)))  # fewer broadcast dims, or size-1 ones, broadcast
            own = tuple(1 if draw(st.booleans()) else s for s in batch[drop:])
            before, after = term.split("...")
            shape = tuple(sizes[c] for c in before) + own + tuple(sizes[c] for c in after)
        else:
            shape = tuple(sizes[c] for c in term)
        arrays.append(S.array(rng, shape))
    form = draw(st.sampled_from(["varargs", "list", "sublists"]))
    return S.sample(tuple(arrays), {"equation": equation, "form": form}, noncontiguous=draw(st.booleans()), seed=seed)


def _sublists(equation: str) -> tuple[list[list[Any]], list[Any] | None]:
    """The equation in torch's sublist form: letters as 0-51 (A-Z, a-z), '...' as Ellipsis."""

    def code(term: str) -> list[Any]:
        out: list[Any] = []
        for part in term.replace("...", "!"):
            out.append(Ellipsis if part == "!" else (ord(part) - 65 if part.isupper() else ord(part) - 97 + 26))
        return out

    lhs, arrow, rhs = equation.replace(" ", "").partition("->")
    return [code(t) for t in lhs.split(",")], (code(rhs) if arrow else None)


def _einsum_call(lib: Any, *operands: Any, equation: str, form: str) -> Any:
    if form == "list":
        return lib.einsum(equation, list(operands))
    if form == "sublists":
        inputs, output = _sublists(equation)
        args: list[Any] = [x for pair in zip(operands, inputs) for x in pair]
        return lib.einsum(*args, *([output] if output is not None else []))
    return lib.einsum(equation, *operands)


@st.composite
def _tensordot(draw: Any) -> Any:
    free_a, free_b = draw(S.shapes(0, 2, 1, 3)), draw(S.shapes(0, 2, 1, 3))
    contracted = draw(S.shapes(0, 2, 1, 4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    form = draw(st.sampled_from(["int", "lists", "shuffled"]))
    a_shape, b_shape = free_a + contracted, contracted + free_b
    if form == "int":
        dims: Any = len(contracted)
    elif form == "lists":
        dims = (list(range(len(free_a), len(a_shape))), list(range(len(contracted))))
    else:  # contracted dims listed in another order, negative on a's side
        k = len(contracted)
        order = draw(st.permutations(list(range(k))))
        a_dims = [len(free_a) + i - len(a_shape) for i in order]
        dims = (a_dims, list(order))
    return S.sample(
        (S.array(rng, a_shape), S.array(rng, b_shape)), {"dims": dims}, noncontiguous=draw(st.booleans()), seed=seed
    )


@st.composite
def _two(draw: Any, a_shape: Any, b_shape: Any) -> Any:
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    return S.sample(
        (S.array(rng, draw(a_shape)), S.array(rng, draw(b_shape))), noncontiguous=draw(st.booleans()), seed=seed
    )


@st.composite
def _inner(draw: Any) -> Any:
    k = draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["vectors", "batched", "scalar"]))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    if kind == "scalar":
        a, b = draw(S.shapes(0, 2)), ()
    elif kind == "vectors":
        a, b = (k,), (k,)
    else:
        a, b = draw(S.shapes(0, 2, 1, 3)) + (k,), draw(S.shapes(0, 2, 1, 3)) + (k,)
    return S.sample((S.array(rng, a), S.array(rng, b)), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _trace(draw: Any) -> Any:
    n, m = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    seed = draw(S.seeds)
    return S.sample((S.array(np.random.default_rng(seed), (n, m)),), noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _cdist(draw: Any, mm: bool = False) -> Any:
    """mm: p = 2 through torch's matrix-product path (EuclideanDistBackward0)."""
    rows, cols, m = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 4))
    batch_a, batch_b = draw(S.broadcastable_shapes(2, 0, 2, 3))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    p = 2.0 if mm else draw(st.sampled_from([0.0, 1.0, 2.0, 3.0, 1.5, 0.5, float("inf")]))
    modes = ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"]
    mode = "use_mm_for_euclid_dist" if mm else draw(st.sampled_from(modes))
    # coordinates 0.1 apart, y's shifted off x's grid: no coordinate difference is 0 and no two tie
    # (the p = inf gradient picks the largest, |t|^(p-1) has a kink at 0 for p <= 1)
    x = S.distinct(rng, batch_a + (rows, m), 0.1)
    y = S.distinct(rng, batch_b + (cols, m), 0.1) + 0.013
    return S.sample((x, y), {"p": p, "compute_mode": mode}, noncontiguous=draw(st.booleans()), seed=seed)


_BETAS = st.sampled_from([1, 0.5, -2, 0])
_ALPHAS = st.sampled_from([1, 2, -0.25])


@st.composite
def _addmv(draw: Any, full: bool = False) -> Any:
    """full: the input has the output's shape (what the in-place form needs)."""
    n, k = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    bias = (n,) if full else draw(st.sampled_from([(n,), (1,), ()]))
    kwargs = {"beta": draw(_BETAS), "alpha": draw(_ALPHAS)}
    arrays = (S.array(rng, bias), S.array(rng, (n, k)), S.array(rng, (k,)))
    return S.sample(arrays, kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _addr(draw: Any, full: bool = False) -> Any:
    n, m = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    bias = (n, m) if full else draw(st.sampled_from([(n, m), (m,), (1, m), (n, 1), ()]))
    kwargs = {"beta": draw(_BETAS), "alpha": draw(_ALPHAS)}
    arrays = (S.array(rng, bias), S.array(rng, (n,)), S.array(rng, (m,)))
    return S.sample(arrays, kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _baddbmm(draw: Any, summed: bool, full: bool = False) -> Any:
    b, n, k, m = (draw(st.integers(1, 4)) for _ in range(4))
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    out = (n, m) if summed else (b, n, m)
    bias = out if full else draw(st.sampled_from([out, out[-1:], (1,) + out[1:], ()]))
    kwargs = {"beta": draw(_BETAS), "alpha": draw(_ALPHAS)}
    arrays = (S.array(rng, bias), S.array(rng, (b, n, k)), S.array(rng, (b, k, m)))
    return S.sample(arrays, kwargs, noncontiguous=draw(st.booleans()), seed=seed)


@st.composite
def _chain(draw: Any) -> Any:
    sizes = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(2, 5)))]
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    arrays = tuple(S.array(rng, (a, b)) for a, b in zip(sizes, sizes[1:]))
    return S.sample(arrays, noncontiguous=draw(st.booleans()), seed=seed)


def _chain_call(lib: Any, *matrices: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return lib.chain_matmul(*matrices)


_VECTOR = st.integers(1, 6).map(lambda n: (n,))

OPS: list[OpInfo] = [
    OpInfo("convolution_1d", _convolution_call, lambda: _convolution_samples(1)),
    OpInfo("convolution_2d", _convolution_call, lambda: _convolution_samples(2)),
    OpInfo("einsum", _einsum_call, _einsum),
    OpInfo("tensordot", lambda lib, a, b, dims: lib.tensordot(a, b, dims), _tensordot),
    OpInfo("kron", lambda lib, a, b: lib.kron(a, b), lambda: _two(S.shapes(0, 3, 1, 3), S.shapes(0, 3, 1, 3))),
    OpInfo("inner", lambda lib, a, b: lib.inner(a, b), _inner),
    OpInfo("trace", lambda lib, x: lib.trace(x), _trace),
    OpInfo("vdot", lambda lib, a, b: a.vdot(b), lambda: _two(st.just((4,)), st.just((4,)))),
    OpInfo("cdist", lambda lib, x, y, p, compute_mode: lib.cdist(x, y, p, compute_mode), _cdist),
    OpInfo("cdist_mm", lambda lib, x, y, p, compute_mode: lib.cdist(x, y, p, compute_mode), lambda: _cdist(True)),
    OpInfo("addmv", lambda lib, b, m, v, beta, alpha: lib.addmv(b, m, v, beta=beta, alpha=alpha), _addmv),
    OpInfo("addr", lambda lib, b, u, v, beta, alpha: lib.addr(b, u, v, beta=beta, alpha=alpha), _addr),
    OpInfo(
        "baddbmm",
        lambda lib, c, a, b, beta, alpha: lib.baddbmm(c, a, b, beta=beta, alpha=alpha),
        lambda: _baddbmm(False),
    ),
    OpInfo(
        "addbmm",
        lambda lib, c, a, b, beta, alpha: c.addbmm(a, b, beta=beta, alpha=alpha),
        lambda: _baddbmm(True),
    ),
    # the in-place forms write into a non-leaf copy of the input (a leaf that requires grad refuses)
    OpInfo(
        "addmv_", lambda lib, b, m, v, beta, alpha: (b * 1).addmv_(m, v, beta=beta, alpha=alpha), lambda: _addmv(True)
    ),
    OpInfo("addr_", lambda lib, b, u, v, beta, alpha: (b * 1).addr_(u, v, beta=beta, alpha=alpha), lambda: _addr(True)),
    OpInfo(
        "baddbmm_",
        lambda lib, c, a, b, beta, alpha: (c * 1).baddbmm_(a, b, beta=beta, alpha=alpha),
        lambda: _baddbmm(False, True),
    ),
    OpInfo(
        "addbmm_",
        lambda lib, c, a, b, beta, alpha: (c * 1).addbmm_(a, b, beta=beta, alpha=alpha),
        lambda: _baddbmm(True, True),
    ),
    OpInfo("ger", lambda lib, a, b: lib.ger(a, b), lambda: _two(_VECTOR, _VECTOR)),
    OpInfo("chain_matmul", _chain_call, _chain),
]
