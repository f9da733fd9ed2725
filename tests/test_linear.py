"""F.linear, nn.Linear and nn.LazyLinear against torch and against finite differences.

Hypothesis draws the input's batch shape (1-D, 2-D, 3-D input), the feature
sizes, whether there is a bias and whether the inputs are non-contiguous;
forward values and the gradients of input, weight and bias are compared with
torch in float64 and float32 under a random upstream gradient.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch as real_torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from reference import strategies as S
from reference.bridge import copy_weights_from_torch
from reference.compare import compare, compare_modules, graph_signature, make_inputs


def _linear(lib, x, w, b=None):
    return lib.nn.functional.linear(x, w, b)


@st.composite
def linear_samples(draw, max_dims=3, noncontiguous=None):
    batch = draw(S.shapes(0, max_dims - 1, 1, 4))
    n_in, n_out = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    bias = draw(st.booleans())
    seed = draw(S.seeds)
    rng = np.random.default_rng(seed)
    arrays = [S.array(rng, (*batch, n_in)), S.array(rng, (n_out, n_in))]
    if bias:
        arrays.append(S.array(rng, (n_out,)))
    nc = draw(st.booleans()) if noncontiguous is None else noncontiguous
    return S.sample(tuple(arrays), noncontiguous=nc, seed=seed)


@given(sample=linear_samples())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_functional_linear_matches_torch(sample, dtype):
    report = compare(_linear, sample, dtype)
    assert report.ok, f"{sample}: {report}"


@given(sample=linear_samples(), data=st.data())
def test_functional_linear_grad_of_some_inputs_only(sample, data):
    flags = tuple(data.draw(st.booleans(), label=f"rg{i}") for i in range(len(sample.inputs)))
    sample.requires_grad = flags
    report = compare(_linear, sample, np.float64)
    assert report.ok, f"{sample} {flags}: {report}"


@given(sample=linear_samples())
def test_functional_linear_finite_differences(sample):
    inputs = make_inputs(mt, sample, np.float64)
    assert mt.autograd.gradcheck(lambda *xs: _linear(mt, *xs), inputs, seed=sample.seed)


@given(sample=linear_samples())
def test_functional_linear_graph_equals_torch(sample):
    """Node names and next_functions topology of F.linear's grad_fn equal torch's."""
    ours = _linear(mt, *make_inputs(mt, sample, np.float64))
    theirs = _linear(real_torch, *make_inputs(real_torch, sample, np.float64))
    assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)


@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear_non_viewable_input_matches_torch(bias):
    """A (5, 4, 3) input stored transposed cannot be viewed as rows: clone + _unsafe_view, then add_."""
    rng = np.random.default_rng(3)
    x = np.ascontiguousarray(rng.standard_normal((4, 5, 3))).transpose(1, 0, 2)
    w, b, g = rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal((5, 4, 2))
    results = []
    for lib in (mt, real_torch):
        make = real_torch.from_numpy if lib is real_torch else mt.Tensor._make
        xs = make(x).requires_grad_()
        ws, bs = make(w).requires_grad_(), make(b).requires_grad_()
        out = _linear(lib, xs, ws, bs if bias else None)
        out.backward(make(g))
        grads = [xs.grad, ws.grad] + ([bs.grad] if bias else [])
        results.append((out, [np.asarray(t.detach().numpy()) for t in [out, *grads]]))
    (ours, ours_values), (theirs, theirs_values) = results
    assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)
    for a, e in zip(ours_values, theirs_values):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)


def _bias_array(kind: str, rng: np.random.Generator) -> np.ndarray:
    return {
        "vector": lambda: rng.standard_normal(2),
        "strided_vector": lambda: rng.standard_normal(4)[::2],
        "row": lambda: rng.standard_normal((1, 2)),
        "strided_row": lambda: rng.standard_normal((1, 4))[:, ::2],
        "one": lambda: rng.standard_normal(1),
        "one_by_one": lambda: rng.standard_normal((1, 1)),
        "scalar": lambda: np.array(rng.standard_normal()),
        "rows": lambda: rng.standard_normal((4, 2)),
    }[kind]()


@pytest.mark.parametrize("x_shape", [(3,), (4, 3), (2, 4, 3), (2, 2, 4, 3), (1, 1, 3)])
@pytest.mark.parametrize("x_strided", [False, True])
@pytest.mark.parametrize(
    "bias", ["vector", "strided_vector", "row", "strided_row", "one", "one_by_one", "scalar", "rows", "expanded"]
)
def test_functional_linear_graph_follows_bias_shape_and_strides_like_torch(x_shape, x_strided, bias):
    """torch folds the bias into addmm only for a contiguous input and a contiguous bias that is 1-D
    or has one dim once squeezed; otherwise matmul, then add_ (the graph's root is AddBackward0)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((*x_shape[:-1], 2 * x_shape[-1]))[..., ::2] if x_strided else rng.standard_normal(x_shape)
    w, b = rng.standard_normal((2, 3)), _bias_array("one" if bias == "expanded" else bias, rng)
    g = rng.standard_normal((*x_shape[:-1], 2))
    results = []
    for lib in (real_torch, mt):
        make = real_torch.from_numpy if lib is real_torch else mt.Tensor._make
        xs, ws, bs = (make(np.array(a, copy=False)).requires_grad_() for a in (x, w, b))
        try:
            out = _linear(lib, xs, ws, bs.expand(2) if bias == "expanded" else bs)
        except RuntimeError as error:  # e.g. a (1, 2) bias added in place to a (2,) output
            results.append(str(error))
            continue
        out.backward(make(g))
        results.append((out, [np.asarray(t.detach().numpy()) for t in [out, xs.grad, ws.grad, bs.grad]]))
    if isinstance(results[0], str):
        assert results[1] == results[0]
        return
    (theirs, theirs_values), (ours, ours_values) = results
    assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)
    for a, e in zip(ours_values, theirs_values):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "x_shape, b_shape",
    [((3,), (1, 1)), ((3,), (2, 1)), ((3,), (4, 2)), ((3,), (3,)), ((4, 3), (2, 1)), ((4, 3), (3,))]
    + [((2, 4, 3), (2, 1)), ((2, 4, 3), (3,)), ((2, 4, 3), (1, 1, 1, 2)), ((2, 4, 3), (5, 4, 2))],
)
def test_bias_that_does_not_broadcast_error_text_equals_torch(x_shape, b_shape):
    messages = []
    for lib in (mt, real_torch):
        x, w, b = (lib.tensor(np.ones(s, dtype=np.float32)) for s in (x_shape, (2, 3), b_shape))
        with pytest.raises(RuntimeError) as info:
            lib.nn.functional.linear(x, w, b)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_linear_2d_graph_is_addmm_of_bias_input_and_transposed_weight():
    x = mt.tensor(np.random.default_rng(0).standard_normal((4, 3)), dtype=mt.float32, requires_grad=True)
    lin = mt.nn.Linear(3, 2)
    y = lin(x)
    assert y.grad_fn.name() == "AddmmBackward0"
    (b_node, _), (x_node, _), (t_node, _) = y.grad_fn.next_functions
    assert b_node.variable is lin.bias and x_node.variable is x
    assert t_node.name() == "TBackward0" and t_node.next_functions[0][0].variable is lin.weight
    y2 = mt.nn.functional.linear(x, lin.weight)
    assert y2.grad_fn.name() == "MmBackward0"


@pytest.mark.parametrize(
    "x_shape, w_shape, bias",
    [((4, 3), (2, 5), True), ((4, 3), (2, 5), False), ((6, 4, 3), (2, 5), True), ((3,), (2, 5), False)],
)
def test_wrong_width_error_text_equals_torch(x_shape, w_shape, bias):
    messages = []
    for lib in (mt, real_torch):
        x = lib.tensor(np.ones(x_shape, dtype=np.float32))
        w = lib.tensor(np.ones(w_shape, dtype=np.float32))
        b = lib.tensor(np.ones(w_shape[0], dtype=np.float32)) if bias else None
        with pytest.raises(RuntimeError) as info:
            lib.nn.functional.linear(x, w, b)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "mat1 and mat2 shapes cannot be multiplied" in messages[0]


@given(
    batch=S.shapes(1, 3, 1, 4),
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 6),
    bias=st.booleans(),
    seed=S.seeds,
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_linear_module_matches_torch(batch, n_in, n_out, bias, seed, dtype):
    real_torch.manual_seed(seed % 1000)
    theirs = real_torch.nn.Linear(n_in, n_out, bias=bias).to(real_torch.float64 if dtype == np.float64 else None)
    ours = mt.nn.Linear(n_in, n_out, bias=bias, dtype=mt.float64 if dtype == np.float64 else None)
    copy_weights_from_torch(ours, theirs)
    x = S.array(np.random.default_rng(seed), (*batch, n_in))
    report = compare_modules(ours, theirs, [x], dtype, seed=seed)
    assert report.ok, str(report)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


@given(batch=S.shapes(1, 3, 1, 4), n_in=st.integers(1, 5), n_out=st.integers(1, 5), bias=st.booleans(), seed=S.seeds)
def test_lazy_linear_becomes_linear_and_matches_torch(batch, n_in, n_out, bias, seed):
    ours = mt.nn.LazyLinear(n_out, bias=bias)
    theirs = real_torch.nn.LazyLinear(n_out, bias=bias)
    assert repr(ours) == repr(theirs)
    assert type(ours.weight).__name__ == "UninitializedParameter"
    assert repr(ours.weight) == repr(theirs.weight) == "<UninitializedParameter>"
    x = S.array(np.random.default_rng(seed), (*batch, n_in))
    ours(mt.tensor(x, dtype=mt.float32))
    theirs(real_torch.from_numpy(x).float())
    assert type(ours) is mt.nn.Linear and type(theirs) is real_torch.nn.Linear
    assert type(ours.weight) is mt.nn.Parameter
    assert repr(ours) == repr(theirs)
    assert ours.weight.shape == (n_out, n_in)
    bound = 1 / np.sqrt(n_in)
    assert np.all(np.abs(ours.weight.detach().numpy()) <= bound)
    copy_weights_from_torch(ours, theirs)
    report = compare_modules(ours, theirs, [x], np.float32, seed=seed)
    assert report.ok, str(report)


def test_lazy_linear_materialised_by_load_state_dict():
    src = mt.nn.Linear(4, 3)
    lazy = mt.nn.LazyLinear(3)
    lazy.load_state_dict(src.state_dict())
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), src.weight.detach().numpy())
    x = mt.tensor(np.random.default_rng(1).standard_normal((2, 4)), dtype=mt.float32)
    np.testing.assert_allclose(lazy(x).detach().numpy(), src(x).detach().numpy())
    assert type(lazy) is mt.nn.Linear and lazy.in_features == 4


def test_linear_parameters_shapes_dtype_and_no_bias():
    for lib in (mt, real_torch):
        lin = lib.nn.Linear(5, 3, bias=False, dtype=lib.float64)
        assert lin.bias is None
        assert tuple(lin.weight.shape) == (3, 5) and lin.weight.dtype == lib.float64
        assert [n for n, _ in lin.named_parameters()] == ["weight"]
        assert list(lin.state_dict()) == ["weight"]


def test_identity_returns_input():
    x = mt.tensor([[1.0, 2.0]])
    assert mt.nn.Identity(54, unused="x")(x) is x
    assert repr(mt.nn.Identity()) == repr(real_torch.nn.Identity()) == "Identity()"
