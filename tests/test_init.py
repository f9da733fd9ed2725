"""nn.init: each initialiser fills in place with the distribution torch's formulas give.

Two kinds of checks. Statistical ones on large tensors (bounds, means, standard
deviations, with tolerances many standard errors wide) test the formulas on their
own. Then, since the generator reproduces torch's CPU stream, every random
initialiser is compared with torch bit for bit after the same seed (orthogonal_
to float rounding: its QR is NumPy's LAPACK, torch's is MKL), and so are the
default initialisations of nn.Linear and nn.Conv2d. calculate_gain and the
errors are compared with torch exactly.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch as real_torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from minitorch_nn.nn import init

NONLINEARITIES = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "selu",
]


def empty(*shape, dtype=np.float32):
    return mt.Tensor._make(np.zeros(shape, dtype=dtype))


def fans(shape):
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def assert_uniform(values, low, high):
    """All values in [low, high]; min and max within 1% of the range of the bounds; mean and std of U."""
    values = values.ravel().astype(np.float64)
    width = high - low
    assert values.min() >= low - 1e-6 * abs(low) and values.max() <= high + 1e-6 * abs(high)
    assert values.min() < low + 0.01 * width and values.max() > high - 0.01 * width
    n = values.size
    std = width / math.sqrt(12)
    assert abs(values.mean() - (low + high) / 2) < 5 * std / math.sqrt(n)
    assert abs(values.std() - std) < 0.03 * std


def assert_normal(values, mean, std):
    values = values.ravel().astype(np.float64)
    n = values.size
    assert abs(values.mean() - mean) < 5 * std / math.sqrt(n)
    assert abs(values.std() - std) < 0.03 * std


@pytest.mark.parametrize("name", NONLINEARITIES)
def test_calculate_gain_equals_torch(name):
    assert init.calculate_gain(name) == real_torch.nn.init.calculate_gain(name)


@pytest.mark.parametrize("param", [None, 0.2, 3, -0.5])
def test_leaky_relu_gain_equals_torch(param):
    assert init.calculate_gain("leaky_relu", param) == real_torch.nn.init.calculate_gain("leaky_relu", param)


@pytest.mark.parametrize("args", [("foo",), ("leaky_relu", True), ("leaky_relu", "x")])
def test_calculate_gain_errors_equal_torch(args):
    with pytest.raises(ValueError) as ours:
        init.calculate_gain(*args)
    with pytest.raises(ValueError) as theirs:
        real_torch.nn.init.calculate_gain(*args)
    assert str(ours.value) == str(theirs.value)


@given(shape=st.lists(st.integers(1, 6), min_size=2, max_size=5).map(tuple))
def test_fan_in_and_fan_out_equal_torch(shape):
    expected = real_torch.nn.init._calculate_fan_in_and_fan_out(real_torch.empty(shape))
    assert init._calculate_fan_in_and_fan_out(empty(*shape)) == expected


@pytest.mark.parametrize(
    "fn", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"]
)
def test_fewer_than_two_dims_raise_like_torch(fn):
    with pytest.raises(ValueError) as ours:
        getattr(init, fn)(empty(5))
    with pytest.raises(ValueError) as theirs:
        getattr(real_torch.nn.init, fn)(real_torch.empty(5))
    assert str(ours.value) == str(theirs.value)


def test_bad_mode_raises_like_torch():
    with pytest.raises(ValueError) as ours:
        init.kaiming_uniform_(empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError) as theirs:
        real_torch.nn.init.kaiming_uniform_(real_torch.empty(3, 4), mode="fan_avg")
    assert str(ours.value) == str(theirs.value)


def test_uniform_and_normal_fill_in_place_and_return_the_tensor():
    mt.manual_seed(0)
    t = empty(300, 200)
    storage = t._data
    assert init.uniform_(t, -0.5, 1.5) is t and t._data is storage
    assert_uniform(t.numpy(), -0.5, 1.5)
    assert init.normal_(t, 2.0, 0.5) is t
    assert_normal(t.numpy(), 2.0, 0.5)


def test_parameter_is_filled_without_recording_a_graph():
    p = mt.nn.Parameter(mt.Tensor._make(np.zeros((40, 30), dtype=np.float32)))
    init.kaiming_normal_(p)
    assert p.grad_fn is None and p.requires_grad and p.is_leaf
    assert p.dtype == mt.float32


@pytest.mark.parametrize("shape", [(300, 200), (64, 20, 5, 3), (50, 800)])
@pytest.mark.parametrize("gain", [1.0, 0.5, 2.0])
def test_xavier_uniform_bounds(shape, gain):
    mt.manual_seed(1)
    fan_in, fan_out = fans(shape)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    assert_uniform(init.xavier_uniform_(empty(*shape), gain=gain).numpy(), -a, a)


@pytest.mark.parametrize("shape", [(300, 200), (64, 20, 5, 3), (50, 800)])
def test_xavier_normal_std(shape):
    mt.manual_seed(2)
    fan_in, fan_out = fans(shape)
    std = 0.7 * math.sqrt(2.0 / (fan_in + fan_out))
    assert_normal(init.xavier_normal_(empty(*shape), gain=0.7).numpy(), 0.0, std)


@pytest.mark.parametrize("shape", [(300, 200), (64, 20, 5, 3), (50, 800)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("leaky_relu", 0), ("leaky_relu", math.sqrt(5)), ("relu", 0), ("tanh", 0)])
def test_kaiming_uniform_bounds(shape, mode, nonlinearity, a):
    mt.manual_seed(3)
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = real_torch.nn.init.calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    out = init.kaiming_uniform_(empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    assert_uniform(out.numpy(), -bound, bound)


@pytest.mark.parametrize("shape", [(300, 200), (64, 20, 5, 3), (50, 800)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_normal_std(shape, mode):
    mt.manual_seed(4)
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    std = math.sqrt(2.0) / math.sqrt(fan)
    out = init.kaiming_normal_(empty(*shape), mode=mode, nonlinearity="relu")
    assert_normal(out.numpy(), 0.0, std)


def test_trunc_normal_stays_in_bounds_with_truncated_moments():
    mt.manual_seed(5)
    out = init.trunc_normal_(empty(400, 300, dtype=np.float64), mean=1.0, std=2.0, a=0.0, b=3.0).numpy()
    assert out.min() >= 0.0 and out.max() <= 3.0
    assert out.min() < 0.01 and out.max() > 2.99
    # N(1, 4) truncated to [0, 3] = [mean - std/2, mean + std]: moments from torch-independent quadrature
    z = np.linspace(-0.5, 1.0, 200001)
    pdf = np.exp(-0.5 * z**2)
    mean = 1.0 + 2.0 * np.sum(z * pdf) / np.sum(pdf)
    var = 4.0 * (np.sum(z**2 * pdf) / np.sum(pdf) - (np.sum(z * pdf) / np.sum(pdf)) ** 2)
    assert abs(out.mean() - mean) < 0.01
    assert abs(out.var() - var) < 0.01


def test_constant_ones_zeros_eye_dirac_equal_torch():
    shape = (4, 6)
    assert np.all(init.constant_(empty(*shape), 0.25).numpy() == 0.25)
    assert np.all(init.ones_(empty(*shape)).numpy() == 1)
    assert np.all(init.zeros_(init.ones_(empty(*shape))).numpy() == 0)
    np.testing.assert_array_equal(init.eye_(empty(*shape)).numpy(), real_torch.nn.init.eye_(real_torch.empty(shape)))
    for conv_shape, groups in [((6, 4, 3, 3), 2), ((4, 6, 5), 1), ((4, 2, 3, 3, 3), 4)]:
        ours = init.dirac_(empty(*conv_shape), groups=groups).numpy()
        theirs = real_torch.nn.init.dirac_(real_torch.empty(conv_shape), groups=groups).numpy()
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 2, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    mt.manual_seed(6)
    q = init.orthogonal_(empty(*shape, dtype=np.float64), gain=2.0).numpy().reshape(shape[0], -1)
    rows, cols = q.shape
    product = q @ q.T if rows <= cols else q.T @ q
    np.testing.assert_allclose(product, 4.0 * np.eye(min(rows, cols)), atol=1e-12)


def test_generator_argument_gives_its_own_reproducible_stream():
    g1 = mt.Generator().manual_seed(7)
    g2 = mt.Generator().manual_seed(7)
    a = init.normal_(empty(10, 10), generator=g1).numpy().copy()
    b = init.normal_(empty(10, 10), generator=g2).numpy().copy()
    np.testing.assert_array_equal(a, b)
    c = init.normal_(empty(10, 10), generator=g1).numpy()
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("old", ["uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_normal"])
def test_deprecated_names_warn_like_torch_and_fill(old):
    args = (0.5,) if old == "constant" else ()
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        out = getattr(init, old)(empty(30, 20), *args)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        getattr(real_torch.nn.init, old)(real_torch.empty(30, 20), *args)
    assert [(w.category, str(w.message)) for w in ours] == [(w.category, str(w.message)) for w in theirs]
    assert np.any(out.numpy() != 0)


def test_seed_004_xavier_normal_on_linear_weight():
    linear = mt.nn.Linear(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        out = mt.nn.init.xavier_normal(linear.weight)
    assert out is linear.weight and isinstance(out, mt.nn.Parameter)


@pytest.mark.parametrize("n_in, n_out", [(400, 120), (1000, 30), (16, 700)])
def test_linear_default_init_bounds_equal_torch(n_in, n_out):
    """torch: W and b ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_ with a=sqrt(5))."""
    mt.manual_seed(8)
    lin = mt.nn.Linear(n_in, n_out)
    bound = 1 / math.sqrt(n_in)
    assert_uniform(lin.weight.detach().numpy(), -bound, bound)
    b = lin.bias.detach().numpy()
    assert b.min() >= -bound and b.max() <= bound
    if n_out >= 500:
        assert_uniform(b, -bound, bound)
    theirs = real_torch.nn.Linear(n_in, n_out).weight.detach().abs().max().item()
    assert theirs <= bound and theirs > 0.95 * bound


def test_zero_element_kaiming_is_a_no_op_with_torch_warning():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(empty(0, 3))


# ---- bit for bit with torch after the same seed ---------------------------------------------------------
def torch_empty(shape, dtype):
    return real_torch.empty(shape, dtype={np.float32: real_torch.float32, np.float64: real_torch.float64}[dtype])


def assert_same_bits(ours, theirs):
    a, b = np.ascontiguousarray(ours.detach().numpy()), np.ascontiguousarray(theirs.detach().numpy())
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a.view(np.uint8), b.view(np.uint8))


EXACT_SHAPES = [(1, 1), (3, 5), (4, 4), (5, 7), (16, 16), (33, 20), (8, 3, 3, 3)]


@pytest.mark.parametrize("shape", EXACT_SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("uniform_", {"a": -0.3, "b": 0.8}),
        ("normal_", {"mean": 0.5, "std": 2.0}),
        ("xavier_uniform_", {"gain": 1.3}),
        ("xavier_normal_", {}),
        ("kaiming_uniform_", {"a": math.sqrt(5)}),
        ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
        ("kaiming_normal_", {"nonlinearity": "tanh"}),
        ("trunc_normal_", {}),
        ("trunc_normal_", {"mean": 0.2, "std": 0.5, "a": -0.1, "b": 0.3}),
        ("trunc_normal_", {"mean": 0.0, "std": 1.0, "a": 1.5, "b": 2.5}),
    ],
)
def test_initialisers_equal_torch_bit_for_bit(shape, dtype, name, kwargs):
    mt.manual_seed(11)
    real_torch.manual_seed(11)
    ours = getattr(init, name)(empty(*shape, dtype=dtype), **kwargs)
    theirs = getattr(real_torch.nn.init, name)(torch_empty(shape, dtype), **kwargs)
    assert_same_bits(ours, theirs)
    assert_same_bits(mt.rand(3), real_torch.rand(3))  # the streams stand at the same place


def test_initialisers_with_a_generator_equal_torch():
    g_m, g_t = mt.Generator().manual_seed(3), real_torch.Generator().manual_seed(3)
    for name in ("uniform_", "normal_", "xavier_uniform_", "kaiming_normal_", "trunc_normal_"):
        ours = getattr(init, name)(empty(6, 9), generator=g_m)
        theirs = getattr(real_torch.nn.init, name)(real_torch.empty(6, 9), generator=g_t)
        assert_same_bits(ours, theirs)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 2, 3), (20, 20)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_orthogonal_equals_torch_to_rounding(shape, dtype):
    mt.manual_seed(12)
    real_torch.manual_seed(12)
    ours = init.orthogonal_(empty(*shape, dtype=dtype), gain=1.5).numpy()
    theirs = real_torch.nn.init.orthogonal_(torch_empty(shape, dtype), gain=1.5).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 if dtype == np.float32 else 1e-12)
    assert_same_bits(mt.rand(3), real_torch.rand(3))


@pytest.mark.parametrize("sparsity", [0.1, 0.5])
def test_sparse_equals_torch(sparsity):
    mt.manual_seed(13)
    real_torch.manual_seed(13)
    ours = init.sparse_(empty(10, 6), sparsity, std=0.5)
    theirs = real_torch.nn.init.sparse_(real_torch.empty(10, 6), sparsity, std=0.5)
    assert_same_bits(ours, theirs)
    assert_same_bits(mt.rand(3), real_torch.rand(3))


@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_default_layer_initialisation_equals_torch(seed):
    mt.manual_seed(seed)
    real_torch.manual_seed(seed)
    pairs = [
        (mt.nn.Linear(784, 10), real_torch.nn.Linear(784, 10)),
        (mt.nn.Linear(5, 3), real_torch.nn.Linear(5, 3)),
        (mt.nn.Conv2d(1, 6, 5), real_torch.nn.Conv2d(1, 6, 5)),
        (mt.nn.Conv2d(6, 16, 3, bias=False), real_torch.nn.Conv2d(6, 16, 3, bias=False)),
    ]
    for ours, theirs in pairs:
        assert_same_bits(ours.weight, theirs.weight)
        if ours.bias is not None:
            assert_same_bits(ours.bias, theirs.bias)
