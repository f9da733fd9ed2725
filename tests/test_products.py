"""Contractions beyond the registry: errors as torch's (type and message), integer and empty inputs,
beta = 0 ignoring nan, cdist's switch to the matrix-product path, einsum's graph against torch's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.registry.products import EQUATIONS


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


ERRORS = [
    lambda lib: lib.trace(lib.randn(3)),
    lambda lib: lib.trace(lib.randn(2, 3, 4)),
    lambda lib: lib.trace(lib.ones(2, 3, dtype=lib.bool)),
    lambda lib: lib.vdot(lib.randn(2, 2), lib.randn(2, 2)),
    lambda lib: lib.vdot(lib.randn(2), lib.randn(3)),
    lambda lib: lib.tensordot(lib.randn(2, 3), lib.randn(4, 5), 1),
    lambda lib: lib.tensordot(lib.randn(2, 3), lib.randn(4, 5), -1),
    lambda lib: lib.tensordot(lib.randn(2, 3), lib.randn(3, 5), ([1], [0, 1])),
    lambda lib: lib.tensordot(lib.randn(2, 3), lib.randn(3, 5), 3),
    lambda lib: lib.tensordot(lib.randn(2, 3), lib.randn(4, 5), ([1], [0])),
    lambda lib: lib.inner(lib.randn(2, 3), lib.randn(4, 2)),
    lambda lib: lib.cdist(lib.randn(2, 3), lib.randn(4, 2)),
    lambda lib: lib.cdist(lib.randn(3), lib.randn(4, 3)),
    lambda lib: lib.cdist(lib.randn(2, 3), lib.randn(4)),
    lambda lib: lib.cdist(lib.randn(2, 3), lib.randn(4, 3), p=-1),
    lambda lib: lib.cdist(lib.randn(2, 3), lib.randn(4, 3), compute_mode="foo"),
    lambda lib: lib.addmv(lib.randn(3), lib.randn(3, 4), lib.randn(5)),
    lambda lib: lib.addmv(lib.randn(2), lib.randn(3, 4), lib.randn(4)),
    lambda lib: lib.addr(lib.randn(2, 2), lib.randn(3), lib.randn(4)),
    lambda lib: lib.addr(lib.randn(3, 4), lib.randn(3, 1), lib.randn(4)),
    lambda lib: lib.baddbmm(lib.randn(2, 3, 4), lib.randn(2, 3, 5), lib.randn(3, 5, 4)),
    lambda lib: lib.baddbmm(lib.randn(2, 3, 4), lib.randn(2, 3, 5), lib.randn(2, 6, 4)),
    lambda lib: lib.baddbmm(lib.randn(5, 4), lib.randn(2, 3, 5), lib.randn(2, 5, 4)),
    lambda lib: lib.addbmm(lib.randn(3, 4), lib.randn(2, 3, 5), lib.randn(2, 6, 4)),
    lambda lib: lib.addbmm(lib.randn(3, 4), lib.randn(2, 3), lib.randn(2, 6, 4)),
    lambda lib: lib.einsum("ij,jk->ik", lib.randn(2, 3), lib.randn(4, 5)),
    lambda lib: lib.einsum("ij,jk->ik", lib.randn(2, 3)),
    lambda lib: lib.einsum("ij->ij", lib.randn(2, 3), lib.randn(2, 3)),
    lambda lib: lib.einsum("ij->ik", lib.randn(2, 3)),
    lambda lib: lib.einsum("ij->ii", lib.randn(2, 3)),
    lambda lib: lib.einsum("ijk->ik", lib.randn(2, 3)),
    lambda lib: lib.einsum("ijk...->ik", lib.randn(2, 3)),
    lambda lib: lib.einsum("ii->i", lib.randn(2, 3)),
    lambda lib: lib.einsum("i1->i", lib.randn(2, 3)),
    lambda lib: lib.einsum("...ij,...jk->...ik", lib.randn(2, 2, 3), lib.randn(3, 3, 4)),
    lambda lib: lib.einsum("ij..->ij", lib.randn(2, 3)),
    lambda lib: lib.einsum("ij"),
    lambda lib: lib.einsum(lib.randn(2), [60]),
    lambda lib: lib.einsum(lib.randn(2, 3), [0, 0]),
    lambda lib: lib.mm(lib.randn(2, 3), lib.randn(4, 5)),
    lambda lib: lib.matmul(lib.randn(2, 3), lib.randn(4, 5)),
    lambda lib: lib.matmul(lib.randn(2, 2, 3), lib.randn(4, 5)),
    lambda lib: lib.matmul(lib.randn(3), lib.randn(4, 5)),
    lambda lib: lib.matmul(lib.randn(2, 3), lib.randn(4)),
    lambda lib: lib.matmul(lib.randn(3), lib.randn(4)),
    lambda lib: lib.matmul(lib.randn(2, 2, 3), lib.randn(2, 4, 5)),
    lambda lib: lib.matmul(lib.randn(2, 2, 3), lib.randn(3, 4, 5)),
    lambda lib: lib.matmul(lib.randn(3), lib.randn(2, 4, 5)),
    lambda lib: lib.matmul(lib.randn(2, 3), lib.randn(2, 4, 5)),
    lambda lib: lib.matmul(lib.randn(2, 2, 3), lib.randn(4)),
    lambda lib: lib.randn(2, 3) @ lib.randn(4, 5),
    lambda lib: lib.vdot(lib.randn(3, dtype=lib.float64), lib.randn(3)),
    lambda lib: lib.addmv(lib.randn(3), lib.randn(3, 4), lib.randn(4, dtype=lib.float64)),
    lambda lib: lib.addmv(lib.randn(3, dtype=lib.float64), lib.randn(3, 4), lib.randn(4)),
    lambda lib: lib.baddbmm(lib.randn(2, 3, 4), lib.randn(2, 3, 5), lib.randn(2, 5, 4, dtype=lib.float64)),
    lambda lib: lib.baddbmm(lib.randn(2, 3, 4, dtype=lib.float64), lib.randn(2, 3, 5), lib.randn(2, 5, 4)),
    lambda lib: lib.addbmm(lib.randn(3, 4), lib.randn(2, 3, 5), lib.randn(2, 5, 4, dtype=lib.float64)),
    lambda lib: lib.addbmm(lib.randn(3, 4, dtype=lib.float64), lib.randn(2, 3, 5), lib.randn(2, 5, 4)),
    lambda lib: lib.cdist(lib.randn(2, 3, dtype=lib.float64), lib.randn(2, 3)),
    lambda lib: lib.einsum("i,i,i", lib.randn(2), lib.randn(2), lib.randn(2, dtype=lib.float64)),
    lambda lib: lib.einsum("i,i", lib.randn(2, dtype=lib.float64), lib.randn(2)),
    lambda lib: lib.tensordot(lib.randn(2, dtype=lib.float64), lib.randn(2), 1),
    lambda lib: lib.inner(lib.randn(2, dtype=lib.float64), lib.randn(2)),
]


def test_addr_promotes_mixed_dtypes_as_torch():
    """The forward as torch's (torch's own backward fails on mixed dtypes); our gradients keep each input's dtype."""
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal(3).astype(np.float32), rng.standard_normal(4)]
    ours = [mt.tensor(a).requires_grad_() for a in arrays]
    out = mt.addr(*ours, beta=0.5)
    theirs = torch.addr(*[torch.tensor(a) for a in arrays], beta=0.5)
    assert str(out.dtype) == str(theirs.dtype) and out.grad_fn.name() == "AddrBackward0"
    np.testing.assert_allclose(out.detach().numpy(), theirs.numpy(), rtol=1e-6)
    upstream = rng.standard_normal((3, 4))
    out.backward(mt.tensor(upstream))
    u, v = arrays[1].astype(np.float64), arrays[2]
    expected = [0.5 * upstream, upstream @ v, upstream.T @ u]
    for t, e in zip(ours, expected):
        assert t.grad.numpy().dtype == t.detach().numpy().dtype
        np.testing.assert_allclose(t.grad.numpy(), e, rtol=1e-6)


@pytest.mark.parametrize("call", ERRORS)
def test_errors_as_torch(call):
    ours, theirs = _error(lambda: call(mt)), _error(lambda: call(torch))
    assert theirs is not None
    assert ours == theirs


@pytest.mark.parametrize("equation", EQUATIONS)
def test_einsum_graph_names_as_torch(equation):
    """Every node on the first path from the output back to a leaf, not only the output's."""
    lhs = equation.replace(" ", "").split("->")[0]
    sizes = {c: 2 + i for i, c in enumerate(sorted(set(lhs) - {",", "."}))}
    shapes = [tuple(sizes[c] for c in term.replace("...", "")) for term in lhs.split(",")]
    shapes = [(2,) + s if "..." in term else s for s, term in zip(shapes, lhs.split(","))]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]

    def path(lib):
        out = lib.einsum(equation, *[lib.tensor(a).requires_grad_() for a in arrays])
        names, node = [], out.grad_fn
        while node is not None:
            names.append(node.name())
            node = next((f for f, _ in node.next_functions if f is not None), None)
        return names, out.detach().numpy()

    (ours, ours_value), (theirs, theirs_value) = path(mt), path(torch)
    np.testing.assert_allclose(ours_value, theirs_value, rtol=1e-12, atol=1e-12)
    # torch's reshapes of strided operands may be aliases where ours are views (or back): those nodes differ
    alias = {"ReshapeAliasBackward0": "ViewBackward0"}
    assert [alias.get(n, n) for n in ours] == [alias.get(n, n) for n in theirs]


def test_einsum_by_hand():
    a = mt.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=mt.float64, requires_grad=True)
    assert mt.einsum("ii", a).item() == 5.0
    np.testing.assert_array_equal(mt.einsum("ii->i", a).detach().numpy(), [1.0, 4.0])
    np.testing.assert_array_equal(mt.einsum("ij->ji", a).detach().numpy(), [[1.0, 3.0], [2.0, 4.0]])
    mt.einsum("ii", a).backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.eye(2))  # only the diagonal reaches the trace


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, bad, t: lib.addr(bad(2, 3), t(2), t(3), beta=0),
        lambda lib, bad, t: lib.addmv(bad(2), t(2, 3), t(3), beta=0),
        lambda lib, bad, t: lib.baddbmm(bad(1, 2, 2), t(1, 2, 3), t(1, 3, 2), beta=0),
        lambda lib, bad, t: lib.addbmm(bad(2, 2), t(1, 2, 3), t(1, 3, 2), beta=0),
    ],
)
def test_beta_zero_ignores_nan_and_inf_in_input(call):
    outs = []
    for lib in (mt, torch):

        def bad(*shape, lib=lib):
            values = np.where(np.arange(int(np.prod(shape))) % 2, np.nan, np.inf).reshape(shape)
            return lib.tensor(values).requires_grad_()

        def t(*shape, lib=lib):
            return lib.ones(*shape, dtype=lib.float64).requires_grad_()

        out = call(lib, bad, t)
        assert np.isfinite(out.detach().numpy()).all()
        outs.append(out.detach().numpy())
    np.testing.assert_array_equal(*outs)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, a: lib.trace(a(3, 4)),
        lambda lib, a: lib.addr(a(3, 4), a(3), a(4), beta=2, alpha=3),
        lambda lib, a: lib.addmv(a(3), a(3, 4), a(4), beta=2, alpha=3),
        lambda lib, a: lib.baddbmm(a(2, 3, 4), a(2, 3, 5), a(2, 5, 4)),
        lambda lib, a: lib.einsum("ij,jk->ik", a(2, 3), a(3, 4)),
        lambda lib, a: lib.einsum("ii->", a(3, 3)),
        lambda lib, a: lib.kron(a(2, 3), a(2, 2)),
        lambda lib, a: lib.tensordot(a(2, 3), a(3, 2), 1),
        lambda lib, a: lib.inner(a(2, 3), a(4, 3)),
    ],
)
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32"])
def test_dtypes_as_torch(call, dtype):
    rng = np.random.default_rng(1)

    def maker(lib):
        return lambda *shape: lib.tensor(rng.integers(-3, 4, size=shape).astype(dtype))

    seed_state = rng.bit_generator.state
    ours = call(mt, maker(mt))
    rng.bit_generator.state = seed_state
    theirs = call(torch, maker(torch))
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, t: lib.einsum("i,i->", t(0), t(0)),
        lambda lib, t: lib.einsum("ij,jk->ik", t(2, 0), t(0, 3)),
        lambda lib, t: lib.einsum(",", t(), t()),
        lambda lib, t: lib.tensordot(t(0, 3), t(3, 2), 1),
        lambda lib, t: lib.cdist(t(0, 3), t(4, 3)),
        lambda lib, t: lib.cdist(t(2, 0), t(4, 0)),
        lambda lib, t: lib.kron(t(), t(2)),
        lambda lib, t: lib.kron(t(0, 2), t(2)),
        lambda lib, t: lib.trace(t(0, 3)),
        lambda lib, t: lib.addbmm(t(2, 3), t(0, 2, 4), t(0, 4, 3)),
        lambda lib, t: lib.inner(t(), t(2, 3)),
    ],
)
def test_zero_d_and_empty_as_torch(call):
    rng = np.random.default_rng(2)
    made: list[np.ndarray] = []

    def ours_t(*shape):
        made.append(rng.standard_normal(shape))
        return mt.tensor(made[-1]).requires_grad_()

    theirs_inputs = iter([])

    def theirs_t(*shape):
        return torch.tensor(next(theirs_inputs)).requires_grad_()

    ours = call(mt, ours_t)
    theirs_inputs = iter(made)
    theirs = call(torch, theirs_t)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_cdist_takes_the_matrix_product_path_past_25_rows_as_torch():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((26, 3)), rng.standard_normal((4, 3))
    g = rng.standard_normal((26, 4))
    results = []
    for lib in (mt, torch):
        a, b = lib.tensor(x).requires_grad_(), lib.tensor(y).requires_grad_()
        out = lib.cdist(a, b)
        out.backward(lib.tensor(g))
        results.append((out.grad_fn.name(), out.detach().numpy(), a.grad.numpy(), b.grad.numpy()))
    (ours_name, *ours), (theirs_name, *theirs) = results
    assert ours_name == theirs_name == "ViewBackward0"
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-10, atol=1e-10)
    assert mt.cdist(mt.tensor(x), mt.tensor(y), compute_mode="donot_use_mm_for_euclid_dist").requires_grad is False


def test_chain_matmul_warns_and_one_matrix_is_a_clone():
    a = mt.randn(2, 3, requires_grad=True)
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        out = mt.chain_matmul(a)
    assert out.grad_fn.name() == "CloneBackward0"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _error(lambda: mt.chain_matmul()) == _error(lambda: torch.chain_matmul())
        assert _error(lambda: mt.chain_matmul(mt.randn(2))) == _error(lambda: torch.chain_matmul(torch.randn(2)))


def test_tensor_methods():
    a, b = mt.randn(3, 3), mt.randn(3)
    assert a.trace().shape == ()
    assert b.vdot(b).shape == ()
    assert b.ger(b).shape == (3, 3)
    assert a.kron(a).shape == (9, 9)
    assert a.inner(a).shape == (3, 3)
    assert b.addmv(a, b).shape == (3,)
    assert a.addr(b, b).shape == (3, 3)
    assert mt.randn(3, 3).addbmm(mt.randn(2, 3, 4), mt.randn(2, 4, 3)).shape == (3, 3)
    assert mt.randn(2, 3, 3).baddbmm(mt.randn(2, 3, 4), mt.randn(2, 4, 3)).shape == (2, 3, 3)


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [((2, 3, 4), (4, 5)), ((2, 3, 4), (4,)), ((4,), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5))],
)
@pytest.mark.parametrize("flags", [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize("strided", [False, True])
def test_matmul_folds_or_batches_as_torch(a_shape, b_shape, flags, strided):
    """torch folds an N-D operand into rows (mm/mv) or runs bmm by which operand needs grad and by its
    strides; the whole graph and both gradients must match."""
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(a_shape), rng.standard_normal(b_shape)]
    upstream = rng.standard_normal(
        np.broadcast_shapes(a_shape[:-2], b_shape[:-2])
        + np.matmul(
            np.zeros(a_shape[-2:] if len(a_shape) > 1 else a_shape),
            np.zeros(b_shape[-2:] if len(b_shape) > 1 else b_shape),
        ).shape
    )

    def run(lib):
        ts = []
        for arr, flag in zip(arrays, flags):
            t = (
                lib.tensor(arr).transpose(-1, -2).contiguous().transpose(-1, -2)
                if strided and arr.ndim >= 2
                else lib.tensor(arr)
            )
            ts.append(t.detach().requires_grad_(flag))
        out = lib.matmul(*ts)
        names, node = [], out.grad_fn
        while node is not None:
            names.append(node.name())
            node = next((f for f, _ in node.next_functions if f is not None), None)
        out.backward(lib.tensor(upstream.reshape(out.shape)))
        return names, [None if t.grad is None else t.grad.numpy() for t in ts]

    (ours, our_grads), (theirs, their_grads) = run(mt), run(torch)
    assert ours == theirs
    for o, t in zip(our_grads, their_grads):
        assert (o is None) == (t is None)
        if o is not None:
            np.testing.assert_allclose(o, t, rtol=1e-12, atol=1e-12)


MULTI_DOT_SHAPES = [
    [(2, 3), (3, 4)],
    [(3,), (3, 4)],
    [(2, 3), (3,)],
    [(3,), (3,)],
    [(2, 3), (3, 4), (4, 2)],
    [(5, 1), (1, 5), (5, 1)],
    [(3,), (3, 4), (4,)],
    [(2, 5), (5, 1), (1, 4), (4, 3), (3, 2)],
]


@pytest.mark.parametrize("shapes", MULTI_DOT_SHAPES)
def test_multi_dot_as_torch_linalg_multi_dot(shapes):
    """linalg.multi_dot: values, gradients and the graph's first path."""
    rng = np.random.default_rng(9)
    arrays = [rng.standard_normal(s) for s in shapes]
    upstream = np.asarray(rng.standard_normal(np.linalg.multi_dot(arrays).shape))
    results = []
    for lib, fn in ((mt, mt.linalg.multi_dot), (torch, torch.linalg.multi_dot)):
        ts = [lib.tensor(a).requires_grad_() for a in arrays]
        out = fn(ts)
        names, node = [], out.grad_fn
        while node is not None:
            names.append(node.name())
            node = next((f for f, _ in node.next_functions if f is not None), None)
        out.backward(lib.tensor(upstream))
        results.append((names, out.detach().numpy(), [t.grad.numpy() for t in ts]))
    (ours_names, ours, our_grads), (their_names, theirs, their_grads) = results
    assert ours_names == their_names
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    for o, t in zip(our_grads, their_grads):
        np.testing.assert_allclose(o, t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "shapes",
    [
        [(2, 3)],
        [(2, 3), (4, 5)],
        [(2, 3), (3, 4, 5)],
        [(2, 3), (3, 4), (5, 6)],
        [(2, 3, 1), (3, 4)],
        [(2, 3), (3, 4), (4, 5, 6)],
    ],
)
def test_multi_dot_errors_as_torch(shapes):
    from minitorch_nn.ops.products import multi_dot

    ours = _error(lambda: multi_dot([mt.randn(*s) for s in shapes]))
    assert ours == _error(lambda: torch.linalg.multi_dot([torch.randn(*s) for s in shapes]))
    mixed = _error(lambda: multi_dot([mt.randn(2, 3, dtype=mt.float64), mt.randn(3, 4)]))
    assert mixed == _error(lambda: torch.linalg.multi_dot([torch.randn(2, 3, dtype=torch.float64), torch.randn(3, 4)]))


@pytest.mark.parametrize("equation", EQUATIONS)
@pytest.mark.parametrize("sizes_seed", [0, 1, 2])
def test_einsum_without_graph_matches_torch(equation, sizes_seed):
    """No operand requires grad: the np.einsum path, size-1 subscripts and broadcast dims included."""
    rng = np.random.default_rng(sizes_seed)
    lhs = equation.replace(" ", "").split("->")[0]
    sizes = {c: int(rng.integers(1, 4)) for c in sorted(set(lhs) - {",", "."})}
    batch = tuple(int(b) for b in rng.integers(1, 3, size=2))
    arrays = []
    for term in lhs.split(","):
        own = tuple(1 if rng.random() < 0.3 else b for b in batch[int(rng.integers(0, 3)) :])
        before, _, after = term.partition("...")
        middle = own if "..." in term else ()
        arrays.append(rng.standard_normal(tuple(sizes[c] for c in before) + middle + tuple(sizes[c] for c in after)))
    ours = mt.einsum(equation, *[mt.tensor(a) for a in arrays])
    theirs = torch.einsum(equation, *[torch.tensor(a) for a in arrays])
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.grad_fn is None
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)
    with mt.no_grad():
        graded = mt.einsum(equation, *[mt.tensor(a).requires_grad_() for a in arrays])
    assert graded.grad_fn is None
    np.testing.assert_allclose(graded.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)


def test_einsum_without_graph_returns_a_copy():
    x = mt.randn(3, 3)
    for eq in ("ij->ji", "ii->i", "ij"):
        out = mt.einsum(eq, x)
        out.zero_()
        assert (x.numpy() != 0).any()
