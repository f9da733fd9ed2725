"""Tensor factories, dtype promotion, in-place semantics, casts, printing and op errors, against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from minitorch_nn.ops.activation import softplus
from reference import strategies as S

# ---- factories ------------------------------------------------------------------------------------

FACTORY_CALLS = [
    lambda lib: lib.zeros(2, 3),
    lambda lib: lib.zeros((2, 3), dtype=lib.float64),
    lambda lib: lib.zeros([4]),
    lambda lib: lib.zeros(()),
    lambda lib: lib.ones(3, dtype=lib.int64),
    lambda lib: lib.ones(2, 1, 2, requires_grad=True),
    lambda lib: lib.full((2, 2), 1.5),
    lambda lib: lib.full((3,), 7),
    lambda lib: lib.full((1,), True),
    lambda lib: lib.full((2,), 2, dtype=lib.float64),
    lambda lib: lib.empty(3, 2).shape,
    lambda lib: lib.eye(3),
    lambda lib: lib.eye(2, 4, dtype=lib.int64),
    lambda lib: lib.arange(5),
    lambda lib: lib.arange(5.0),
    lambda lib: lib.arange(1, 10, 3),
    lambda lib: lib.arange(10, 0, -3),
    lambda lib: lib.arange(0, 1, 0.1),
    lambda lib: lib.arange(1, 2.5, 0.5),
    lambda lib: lib.arange(0, 5, dtype=lib.float64),
    lambda lib: lib.linspace(0, 1, 5),
    lambda lib: lib.linspace(-2, 3, 7, dtype=lib.float64),
    lambda lib: lib.zeros_like(lib.tensor([1, 2])),
    lambda lib: lib.ones_like(lib.zeros(2, 3, dtype=lib.float64)),
    lambda lib: lib.full_like(lib.zeros(2), 3.5),
    lambda lib: lib.zeros_like(lib.zeros(2), dtype=lib.int64),
    lambda lib: lib.tensor([[1.0, 2.0]]),
    lambda lib: lib.tensor([1, 2]),
    lambda lib: lib.tensor(3.5),
    lambda lib: lib.tensor([True, False]),
    lambda lib: lib.as_tensor([1.0, 2.0], dtype=lib.float64),
]


@pytest.mark.parametrize("call", FACTORY_CALLS, ids=[f"factory{i}" for i in range(len(FACTORY_CALLS))])
def test_factories_match_torch(call):
    ours, theirs = call(mt), call(torch)
    if isinstance(theirs, torch.Size):
        assert tuple(ours) == tuple(theirs)
        return
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-7, atol=1e-7)


RANDOM_CALLS = [
    (lambda lib: lib.rand(2, 3), "float32", (2, 3)),
    (lambda lib: lib.randn((4,), dtype=lib.float64), "float64", (4,)),
    (lambda lib: lib.randint(0, 5, (3, 2)), "int64", (3, 2)),
    (lambda lib: lib.randint(5, (7,)), "int64", (7,)),
    (lambda lib: lib.randint(3, 10, size=(2,)), "int64", (2,)),
    (lambda lib: lib.randperm(6), "int64", (6,)),
    (lambda lib: lib.normal(2.0, 3.0, (5,)), "float32", (5,)),
    (lambda lib: lib.rand_like(lib.zeros(2, dtype=lib.float64)), "float64", (2,)),
    (lambda lib: lib.randn_like(lib.zeros(3, 1)), "float32", (3, 1)),
    (lambda lib: lib.randn(2, requires_grad=True), "float32", (2,)),
]


@pytest.mark.parametrize("call,dtype,shape", RANDOM_CALLS, ids=[f"random{i}" for i in range(len(RANDOM_CALLS))])
def test_random_factories_dtype_and_shape_as_torch(call, dtype, shape):
    ours, theirs = call(mt), call(torch)
    assert str(ours.dtype) == str(theirs.dtype) == f"torch.{dtype}"
    assert tuple(ours.shape) == tuple(theirs.shape) == shape
    assert ours.requires_grad == theirs.requires_grad


def test_random_values_follow_their_distributions_and_seed():
    mt.manual_seed(0)
    u, n = mt.rand(20000), mt.randn(20000)
    assert 0 <= float(u.min()) and float(u.max()) < 1 and abs(float(u.mean()) - 0.5) < 0.01
    assert abs(float(n.mean())) < 0.03 and abs(float(n.std()) - 1) < 0.03
    ints = mt.randint(2, 5, (1000,))
    assert set(np.unique(ints.numpy())) == {2, 3, 4}
    assert sorted(mt.randperm(10).tolist()) == list(range(10))
    mt.manual_seed(3)
    a = mt.randn(5)
    mt.manual_seed(3)
    assert mt.equal(a, mt.randn(5))
    g = mt.Generator().manual_seed(1)
    b = mt.rand(4, generator=g)
    assert mt.equal(b, mt.rand(4, generator=mt.Generator().manual_seed(1)))


def test_from_numpy_shares_memory_and_as_tensor_keeps_arrays():
    array = np.zeros(3, dtype=np.float32)
    t = mt.from_numpy(array)
    array[1] = 5
    assert t.tolist() == [0.0, 5.0, 0.0]
    assert mt.as_tensor(array).numpy() is array
    assert mt.is_tensor(t) and not mt.is_tensor(array) and mt.numel(mt.zeros(2, 3)) == 6


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.zeros(2, -1),
        lambda lib: lib.zeros(2.5),
        lambda lib: lib.arange(0, 5, 0),
        lambda lib: lib.arange(5, 0, 1),
        lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    ],
)
def test_factory_errors_match_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(mt)
    assert str(ours.value) == str(theirs.value)


# ---- dtype promotion --------------------------------------------------------------------------------

OPERANDS = {
    "bool": lambda lib: lib.tensor([True, False]),
    "int64": lambda lib: lib.tensor([1, 2]),
    "int32": lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    "float32": lambda lib: lib.tensor([1.5, 2.0]),
    "float64": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float64),
    "int64_0d": lambda lib: lib.tensor(3),
    "float64_0d": lambda lib: lib.tensor(2.5, dtype=lib.float64),
    "py_int": lambda lib: 2,
    "py_float": lambda lib: 0.5,
    "py_bool": lambda lib: True,
}
BINARY = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b, "sub": lambda a, b: a - b}


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("left", sorted(OPERANDS))
@pytest.mark.parametrize("right", sorted(OPERANDS))
def test_dtype_promotion_table_matches_torch(op, left, right):
    a_t, b_t = OPERANDS[left](torch), OPERANDS[right](torch)
    if not (isinstance(a_t, torch.Tensor) or isinstance(b_t, torch.Tensor)):
        return
    try:
        expected = BINARY[op](a_t, b_t)
    except RuntimeError as error:
        with pytest.raises(RuntimeError, match="Subtraction"):
            BINARY[op](OPERANDS[left](mt), OPERANDS[right](mt))
        assert "Subtraction" in str(error)
        return
    got = BINARY[op](OPERANDS[left](mt), OPERANDS[right](mt))
    assert str(got.dtype) == str(expected.dtype)
    np.testing.assert_allclose(got.numpy().astype(np.float64), expected.numpy().astype(np.float64), rtol=1e-6)


def test_integer_unary_ops_compute_in_float_as_torch():
    for name in ("exp", "log", "sqrt", "reciprocal"):
        ours, theirs = getattr(mt.tensor([1, 4]), name)(), getattr(torch.tensor([1, 4]), name)()
        assert str(ours.dtype) == str(theirs.dtype)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert str((mt.tensor([2, 3]) ** 2).dtype) == "torch.int64"
    assert str((mt.tensor([2, 3]) ** 0.5).dtype) == "torch.float32"
    assert str((2 ** mt.tensor([2, 3])).dtype) == "torch.int64"
    assert mt.tensor([7, -7]).div(2, rounding_mode="trunc").tolist() == [3, -3]
    assert mt.tensor([7, -7]).div(2, rounding_mode="floor").tolist() == [3, -4]
    assert mt.tensor([7.0, -7.0]).div(2, rounding_mode="floor").tolist() == [3.0, -4.0]


# ---- in-place semantics and version counting ---------------------------------------------------


def _version(t):
    """The in-place write count: ``_version``, an int in both libraries."""
    assert isinstance(t._version, int)
    return t._version


def _both(fn):
    results = []
    for lib in (mt, torch):
        try:
            fn(lib)
        except Exception as e:  # noqa: BLE001 - the error itself is what is compared
            results.append((type(e), str(e)))
        else:
            results.append(None)
    return results


def test_modifying_a_saved_output_in_place_fails_at_backward_like_torch():
    def program(lib):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.sigmoid()
        y.mul_(2)
        y.sum().backward()

    ours, theirs = _both(program)
    assert theirs is not None and ours is not None
    assert ours[0] is theirs[0] is RuntimeError
    assert "modified by an inplace operation" in ours[1] and "is at version 1; expected version 0" in ours[1]


def test_in_place_on_a_leaf_that_requires_grad_is_refused_like_torch():
    for method in ("add_", "mul_", "sub_", "div_", "clamp_", "zero_", "fill_", "exp_", "neg_", "relu_", "sigmoid_"):

        def program(lib, method=method):
            x = lib.tensor([0.5, -1.0], requires_grad=True)
            args = {"add_": (1,), "mul_": (2,), "sub_": (1,), "div_": (2,), "clamp_": (0, 1), "fill_": (3,)}
            getattr(x, method)(*args.get(method, ()))

        ours, theirs = _both(program)
        assert theirs is not None, method
        assert ours == theirs, method


def test_in_place_under_no_grad_mutates_and_counts_versions():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    v0 = _version(x)
    with mt.no_grad():
        x.mul_(3).add_(1).sub_(mt.tensor([1.0, 1.0]))
    assert x.tolist() == [3.0, 6.0] and x.grad_fn is None and x.requires_grad
    assert _version(x) == v0 + 3


def test_in_place_results_and_gradients_match_torch():
    def program(lib):
        x = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([2.0, -3.0, 0.5], dtype=lib.float64, requires_grad=True)
        y = x * 1
        y.mul_(w)  # mul_ needs y's old values for w's gradient
        y.add_(w, alpha=2).div_(w).clamp_(-3, 3)
        y += 1
        y *= w
        y.exp_()
        (y * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lib.float64)).sum().backward()
        return y.grad_fn.name(), y.detach().numpy(), x.grad.numpy(), w.grad.numpy()

    ours, theirs = program(mt), program(torch)
    assert ours[0] == theirs[0]
    for a, b in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_in_place_dtype_and_shape_errors_match_torch():
    for program in (
        lambda lib: lib.tensor([1, 2]).add_(1.5),
        lambda lib: lib.tensor([1, 2]).div_(2),
        lambda lib: lib.zeros(3).add_(lib.zeros(2, 3)),
    ):
        ours, theirs = _both(program)
        assert theirs is not None and ours == theirs


def test_views_share_the_version_counter():
    base = mt.zeros(4, 3)
    views = [base.view(12), base[1], base.t(), base.unsqueeze(0), base.expand(2, 4, 3), base.split(2)[1]]
    with mt.no_grad():
        base.add_(1)
    assert all(_version(v) == _version(base) == 1 for v in views)
    assert views[1].tolist() == [1.0, 1.0, 1.0]


def test_setitem_without_grad_writes_and_bumps_version():
    for lib in (mt, torch):
        x = lib.zeros(3, 4)
        x[1] = 5
        x[:, 2] = lib.tensor([1.0, 2.0, 3.0])
        x[x > 4] = -1
        x[[0, 2], [0, 3]] = 7
        assert _version(x) == 4
    ours, theirs = mt.zeros(3, 4), torch.zeros(3, 4)
    for t, lib in ((ours, mt), (theirs, torch)):
        t[1] = 5
        t[:, 2] = lib.tensor([1.0, 2.0, 3.0])
        t[t > 4] = -1
        t[[0, 2], [0, 3]] = 7
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_setitem_on_a_leaf_that_requires_grad_is_refused():
    ours, theirs = _both(lambda lib: lib.zeros(3, requires_grad=True).__setitem__(0, 1.0))
    assert theirs is not None and ours is not None and ours[0] is theirs[0]
    assert "leaf Variable that requires grad" in ours[1]


# ---- casts and devices --------------------------------------------------------------------------


def test_casts_follow_torch():
    x = mt.tensor([1.7, -2.2], requires_grad=True)
    assert x.float() is x and x.to(mt.float32) is x
    assert x.to(mt.float32, copy=True) is not x
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0" and str(y.dtype) == "torch.float64"
    assert x.long().tolist() == torch.tensor([1.7, -2.2]).long().tolist()
    assert x.int().dtype == mt.int32 and x.bool().dtype == mt.bool and x.half().dtype == mt.float16
    assert x.long().grad_fn is None and not x.long().requires_grad
    assert x.type_as(mt.zeros(1, dtype=mt.float64)).dtype == mt.float64
    assert x.to(mt.zeros(1, dtype=mt.int64)).dtype == mt.int64
    assert x.to("cpu") is x and x.to(mt.device("cpu"), mt.float64).dtype == mt.float64
    (y * mt.tensor([2.0, 3.0], dtype=mt.float64)).sum().backward()
    assert x.grad.dtype == mt.float32 and x.grad.tolist() == [2.0, 3.0]


@pytest.mark.parametrize("call", [lambda t: t.to("cuda"), lambda t: t.to(mt.device("cuda")), lambda t: t.cuda()])
def test_cuda_targets_raise_a_clear_error(call):
    with pytest.raises(RuntimeError, match="CPU only"):
        call(mt.zeros(2))


def test_contiguous_and_flatten_return_self_where_torch_does():
    x = mt.zeros(2, 3, requires_grad=True)
    assert x.contiguous() is x and x.flatten(1, 1) is x and x.view(6).flatten() is not None
    assert x.t().contiguous().grad_fn.name() == "CloneBackward0"


# ---- named results, errors, extras -----------------------------------------------------------------


def test_max_and_min_with_dim_return_named_tuples_as_torch():
    data = [[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]
    for name in ("max", "min"):
        ours = getattr(mt.tensor(data), name)(1)
        theirs = getattr(torch.tensor(data), name)(1)
        assert repr(ours) == repr(theirs)
        assert ours.values.tolist() == theirs.values.tolist() and ours.indices.tolist() == theirs.indices.tolist()
        values, indices = ours
        assert indices.dtype == mt.int64 and values.shape == (2,)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.zeros(3) @ lib.zeros(4),
        lambda lib: lib.zeros(2, 3) @ lib.zeros(4),
        lambda lib: lib.zeros(3) @ lib.zeros(4, 5),
        lambda lib: lib.zeros(2, 3) @ lib.zeros(4, 5),
        lambda lib: lib.zeros(2, 2, 3) @ lib.zeros(2, 4, 5),
        lambda lib: lib.zeros(()) @ lib.zeros(3),
        lambda lib: lib.bmm(lib.zeros(2, 3), lib.zeros(2, 3, 3)),
        lambda lib: lib.zeros(2, 3) @ lib.zeros(3, 2, dtype=lib.float64),
        lambda lib: lib.dot(lib.zeros(3), lib.zeros(3, dtype=lib.float64)),
        lambda lib: lib.dot(lib.zeros(3, 1), lib.zeros(3)),
        lambda lib: lib.zeros(2, 3).view(4),
        lambda lib: lib.zeros(2, 3).t().view(6),
        lambda lib: lib.zeros(2, 3).reshape(-1, -1),
        lambda lib: lib.zeros(2, 3).expand(3, 3),
        lambda lib: lib.zeros(2, 3).repeat(2),
        lambda lib: lib.zeros(5).split([1, 2]),
        lambda lib: lib.zeros(2, 3).flatten(1, 0),
        lambda lib: lib.zeros(2, 3).transpose(0, 2),
        lambda lib: lib.zeros(2)[5],
        lambda lib: lib.zeros(2)[0, 0],
        lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(2, 4)]),
        lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(3)]),
        lambda lib: lib.stack([lib.zeros(2), lib.zeros(3)]),
        lambda lib: lib.zeros(3).clamp(),
        lambda lib: lib.tensor([True]) - lib.tensor([False]),
        lambda lib: lib.tensor([1, 2]).mean(),
        lambda lib: lib.zeros(0).max(),
        lambda lib: lib.tensor([1.0]).item() + lib.zeros(2).item(),
    ],
)
def test_errors_match_torch(call):
    ours, theirs = _both(call)
    assert theirs is not None and ours is not None
    assert ours[0] is theirs[0]
    assert ours[1] == theirs[1]


REDUCTIONS_OVER_DIMS = {
    "sum": lambda x, d: x.sum(d),
    "mean": lambda x, d: x.mean(d),
    "var": lambda x, d: x.var(d),
    "std": lambda x, d: x.std(d, correction=0),
    "amax": lambda x, d: x.amax(d),
    "amin": lambda x, d: x.amin(d),
    "squeeze": lambda x, d: x.squeeze(d),
    "any": lambda x, d: (x > 0).any(d),
}


@pytest.mark.parametrize("op", sorted(REDUCTIONS_OVER_DIMS))
@pytest.mark.parametrize(
    "shape, dims",
    [((2, 3, 4), d) for d in [(0, 0), (1, -2), (0, 1, 1), (2, 0, -1), (-1, -3, 0), (1, 2, 1, 2), (0, 0, 5), (0, 5, 0)]]
    + [((), (0, 0)), ((), (0, -1)), ((), (0, 0, 5))],
)
def test_repeated_dims_error_matches_torch(op, shape, dims):
    """torch: RuntimeError "dim X appears multiple times in the list of dims", X the first dim met
    again (wrapped); var, std and squeeze check dims in turn, the others check every range first."""
    ours, theirs = _both(lambda lib: REDUCTIONS_OVER_DIMS[op](lib.ones(shape, dtype=lib.float64), dims))
    assert theirs is not None and ours is not None
    assert ours[0] is theirs[0]
    assert ours[1] == theirs[1]


@given(shape=S.shapes(0, 3), beta=st.sampled_from([0.5, 1.0, 3.0]), threshold=st.sampled_from([1.0, 20.0]))
def test_softplus_matches_torch(shape, beta, threshold):
    rng = np.random.default_rng(sum(shape) + int(beta * 10))
    x = S.away_from(rng, shape, (threshold / beta,), 0.05, -4, 4)
    g = rng.standard_normal(shape)
    ours = mt.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out_o, out_t = softplus(ours, beta, threshold), torch.nn.functional.softplus(theirs, beta, threshold)
    out_o.backward(mt.tensor(g))
    out_t.backward(torch.tensor(g))
    assert out_o.grad_fn.name() == out_t.grad_fn.name()
    np.testing.assert_allclose(out_o.detach().numpy(), out_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert mt.autograd.gradcheck(lambda t: softplus(t, beta, threshold), [mt.tensor(x, requires_grad=True)])


def test_logical_bitwise_and_any_all_match_torch():
    a, b = [True, False, True, False], [True, True, False, False]
    for name in ("logical_and", "logical_or", "logical_xor"):
        assert (
            getattr(mt, name)(mt.tensor(a), mt.tensor(b)).tolist()
            == getattr(torch, name)(torch.tensor(a), torch.tensor(b)).tolist()
        )
    assert mt.logical_not(mt.tensor(a)).tolist() == [False, True, False, True]
    assert (mt.tensor(a) & mt.tensor(b)).tolist() == [True, False, False, False]
    assert (mt.tensor([6, 3]) | mt.tensor([1, 4])).tolist() == [7, 7]
    assert (~mt.tensor([0, 5])).tolist() == (~torch.tensor([0, 5])).tolist()
    x = [[1.0, 0.0], [2.0, 3.0]]
    assert mt.tensor(x).all(1).tolist() == torch.tensor(x).all(1).tolist()
    assert mt.tensor(x).any(0, keepdim=True).tolist() == torch.tensor(x).any(0, keepdim=True).tolist()
    assert mt.isnan(mt.tensor([float("nan"), 1.0])).tolist() == [True, False]
    assert mt.isfinite(mt.tensor([float("inf"), 1.0])).tolist() == [False, True]
    assert mt.allclose(mt.tensor([1.0]), mt.tensor([1.0 + 1e-9])) and not mt.equal(mt.zeros(2), mt.zeros(3))


def test_comparisons_leave_tensors_hashable():
    x = mt.zeros(2)
    assert {x: 1}[x] == 1 and (x == x).dtype == mt.bool


# ---- printing ----------------------------------------------------------------------------------------

PRINTED = [
    [0.1005, 0.0263],
    [1.0, 2.0, 3.0],
    [[1.0, -2.0], [3.0, 4.0]],
    [1.5, -2.25, 100.0],
    [1e-5, 1.0],
    [1e9, 1.0],
    [0.0, 0.0],
    [123456.7, 1.2],
    [100000.0, 1.0],
    3.14159,
    2.0,
    [float("nan"), 1.0],
    [float("inf"), -1.5],
    [float("inf"), 2.0],
    [1, 2, 3],
    [[1, -20], [300, 4]],
    [True, False],
    5,
    True,
    [],
    [[[1.5, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.25]]],
    list(np.linspace(-1, 1, 30, dtype=np.float32).tolist()),
]


@pytest.mark.parametrize("data", PRINTED, ids=[f"print{i}" for i in range(len(PRINTED))])
def test_printing_matches_torch(data):
    assert repr(mt.tensor(data)) == str(torch.tensor(data))
    if isinstance(data, list) and data and not isinstance(data[0], (bool, int)):
        assert repr(mt.tensor(data, dtype=mt.float64)) == str(torch.tensor(data, dtype=torch.float64))


def test_printing_of_large_empty_and_graph_tensors_matches_torch():
    rng = np.random.default_rng(0)
    arrays = [
        np.arange(2000.0, dtype=np.float32),
        np.arange(2000),
        np.zeros((20, 20), dtype=np.float32),
        rng.standard_normal((12, 100)).astype(np.float32),
        (rng.standard_normal((2, 2, 300)) * 1e5).astype(np.float32),
        rng.integers(-1000, 1000, (5, 30)),
        np.zeros((0, 3), dtype=np.float32),
        np.zeros(0, dtype=np.int64),
        np.array([1, 2], dtype=np.int32),
    ]
    for a in arrays:
        assert repr(mt.from_numpy(a.copy())) == str(torch.from_numpy(a.copy()))
    x, y = mt.ones(2, 3, requires_grad=True), torch.ones(2, 3, requires_grad=True)
    assert repr(x) == str(y) and repr(x * 2) == str(y * 2)
    x64 = mt.tensor([1.0, 2.0], dtype=mt.float64, requires_grad=True)
    assert repr(x64) == str(torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True))


def test_set_printoptions_changes_precision_like_torch():
    try:
        mt.set_printoptions(precision=2)
        torch.set_printoptions(precision=2)
        assert repr(mt.tensor([1.23456, 2.0])) == str(torch.tensor([1.23456, 2.0]))
    finally:
        mt.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(mt.tensor([1.23456])) == "tensor([1.2346])"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_special_values_bit_for_bit_as_torch(dtype):
    # relu keeps -0.0 and NaN (a clamp at 0; np.maximum would give +0.0); its backward selects
    # the gradient where the output is above 0 (a NaN or inf gradient elsewhere gives 0)
    x = np.array([-0.0, 0.0, np.nan, -1.5, 2.0, -np.inf, np.inf, 1e-30, -1e-30], dtype=dtype)
    g = np.array([1.0, 2.0, 3.0, np.nan, np.inf, -np.inf, 0.5, -0.25, np.nan], dtype=dtype)
    xo, xt = mt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = mt.relu(xo), torch.relu(xt)
    yo.backward(mt.tensor(g))
    yt.backward(torch.tensor(g))
    for ours, theirs in ((yo.detach().numpy(), yt.detach().numpy()), (xo.grad.numpy(), xt.grad.numpy())):
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))
