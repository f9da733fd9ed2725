"""Embedding beyond the registry: max_norm's in-place renorm, padding rows, frequency scaling by hand,
integer index dtypes, 0-d and empty indices, errors as torch's; native_dropout's mask; torch.convolution."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from reference import strategies as S
from reference.bridge import copy_weights_from_torch
from reference.compare import compare_modules


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def _pair(array: np.ndarray, requires_grad: bool = False) -> tuple[mt.Tensor, torch.Tensor]:
    return mt.tensor(array).requires_grad_(requires_grad), torch.tensor(array).requires_grad_(requires_grad)


@given(
    rows=st.integers(1, 6),
    dim=st.integers(1, 4),
    index_shape=S.shapes(0, 2, 0, 4),
    max_norm=st.sampled_from([0.5, 1.0, 2.5]),
    norm_type=st.sampled_from([1.0, 2.0, 3.0, float("inf")]),
    padding=st.booleans(),
    seed=S.seeds,
)
def test_max_norm_renormalises_the_named_rows_in_place_as_torch(
    rows, dim, index_shape, max_norm, norm_type, padding, seed
):
    rng = np.random.default_rng(seed)
    weight = rng.uniform(-2, 2, size=(rows, dim))
    indices = rng.integers(0, rows, size=index_shape)
    upstream = rng.standard_normal(index_shape + (dim,))
    (w_ours, w_theirs), (i_ours, i_theirs) = _pair(weight, True), _pair(indices)
    padding_idx = -1 if padding else None
    ours = mt.nn.functional.embedding(i_ours, w_ours, padding_idx, max_norm, norm_type)
    theirs = torch.nn.functional.embedding(i_theirs, w_theirs, padding_idx, max_norm, norm_type)
    assert w_ours._version == w_theirs._version
    np.testing.assert_allclose(w_ours.detach().numpy(), w_theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    ours.backward(mt.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    np.testing.assert_allclose(w_ours.grad.numpy(), w_theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_weight_gradient_is_a_scatter_add_of_rows_by_hand():
    weight = mt.zeros(5, 2, dtype=mt.float64, requires_grad=True)
    indices = mt.tensor([[1, 3], [1, 0]])
    grad = mt.tensor([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]], dtype=mt.float64)
    mt.nn.functional.embedding(indices, weight).backward(grad)
    expected = [[7.0, 8.0], [6.0, 8.0], [0.0, 0.0], [3.0, 4.0], [0.0, 0.0]]
    np.testing.assert_array_equal(weight.grad.numpy(), expected)


def test_padding_row_gets_no_gradient_and_frequency_divides_by_hand():
    weight = mt.ones(4, 1, dtype=mt.float64, requires_grad=True)
    indices = mt.tensor([2, 2, 1, 3, 3, 3])
    grad = mt.tensor([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]], dtype=mt.float64)
    out = mt.nn.functional.embedding(indices, weight, padding_idx=-3, scale_grad_by_freq=True)
    np.testing.assert_array_equal(out.detach().numpy(), np.ones((6, 1)))  # the padding row is still read
    out.backward(grad)
    np.testing.assert_array_equal(weight.grad.numpy(), [[0.0], [0.0], [1.5], [5.0]])


@pytest.mark.parametrize("index_dtype", [np.int64, np.int32])
@pytest.mark.parametrize("index_shape", [(), (0,), (2, 0), (3,), (2, 3)])
def test_index_dtypes_zero_d_and_empty_as_torch(index_dtype, index_shape):
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((4, 3)).astype(np.float32)
    indices = rng.integers(0, 4, size=index_shape).astype(index_dtype)
    (w_ours, w_theirs), (i_ours, i_theirs) = _pair(weight, True), _pair(indices)
    ours = mt.nn.functional.embedding(i_ours, w_ours)
    theirs = torch.nn.functional.embedding(i_theirs, w_theirs)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == mt.float32
    assert ours.grad_fn.name() == theirs.grad_fn.name() == "EmbeddingBackward0"
    assert len(ours.grad_fn.next_functions) == len(theirs.grad_fn.next_functions) == 1
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_array_equal(w_ours.grad.numpy(), w_theirs.grad.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.embedding(lib.tensor([[1.0, 2.0]]), lib.randn(10, 3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([True]), lib.randn(10, 3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([10]), lib.randn(10, 3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([-1]), lib.randn(10, 3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.randn(10, 3), padding_idx=10),
        lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.randn(10, 3), padding_idx=-11),
        lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.randn(10)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([11]), lib.randn(10, 3), max_norm=1.0),
        lambda lib: lib.nn.functional.embedding(lib.tensor([-12, 3, 12]), lib.randn(10, 3), max_norm=1.0),
        lambda lib: lib.nn.functional.embedding(lib.tensor([-2, 3]), lib.randn(10, 3), max_norm=1.0),
        lambda lib: lib.embedding(lib.randn(10), lib.tensor([1])),
        lambda lib: lib.embedding(lib.randn(10, 3, 2), lib.tensor([1])),
    ],
)
def test_embedding_errors_as_torch(call):
    ours, theirs = _error(lambda: call(mt)), _error(lambda: call(torch))
    assert theirs is not None
    assert ours == theirs


@given(shape=S.shapes(0, 3), p=st.sampled_from([0.2, 0.5, 0.9]), seed=S.seeds)
def test_native_dropout_output_and_gradient_follow_its_mask(shape, p, seed):
    rng = np.random.default_rng(seed)
    x = mt.tensor(rng.standard_normal(shape), requires_grad=True)
    upstream = rng.standard_normal(shape)
    mt.manual_seed(seed)
    out, mask = mt.native_dropout(x, p, True)
    assert out.grad_fn.name() == "NativeDropoutBackward0"
    assert mask.dtype == mt.bool and not mask.requires_grad and tuple(mask.shape) == shape
    keep = mask.numpy()
    np.testing.assert_allclose(out.detach().numpy(), np.where(keep, x.detach().numpy() / (1 - p), 0.0), rtol=1e-12)
    out.backward(mt.tensor(upstream))
    np.testing.assert_allclose(x.grad.numpy(), np.where(keep, upstream / (1 - p), 0.0), rtol=1e-12)
    # the same seed draws the same mask (the one F.dropout draws)
    mt.manual_seed(seed)
    again = mt.native_dropout(x, p, None)[1]
    np.testing.assert_array_equal(again.numpy(), keep)
    mt.manual_seed(seed)
    if shape and int(np.prod(shape)):
        dropped = mt.nn.functional.dropout(mt.ones(shape, dtype=mt.float64), p).numpy()
        np.testing.assert_array_equal(dropped != 0, keep)


@pytest.mark.parametrize("p", [1.5, -0.5, 2.0])
def test_native_dropout_probability_errors_as_torch(p):
    ours = _error(lambda: mt.native_dropout(mt.randn(3), p, True))
    assert ours == _error(lambda: torch.native_dropout(torch.randn(3), p, True))
    assert mt.native_dropout(mt.randn(3), p, False)[1].numpy().all()  # outside training p is not checked


def test_convolution_transposed_is_conv_transpose():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((2, 3, 3, 3))
    args = (None, [2, 1], [1, 0], [1, 1], True, [1, 0], 1)
    ours = mt.convolution(mt.tensor(x), mt.tensor(w), *args)
    theirs = torch.convolution(torch.tensor(x), torch.tensor(w), *args)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)


def test_convolution_matches_conv2d_node_for_node():
    rng = np.random.default_rng(3)
    x, w, b = (mt.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 4, 5, 6), (6, 2, 3, 2), (6,)))
    out = mt.convolution(x, w, b, [2, 1], [1, 0], [1, 2], False, [0, 0], 2)
    ref = torch.convolution(
        *(torch.tensor(t.detach().numpy()) for t in (x, w, b)), [2, 1], [1, 0], [1, 2], False, [0, 0], 2
    )
    assert out.grad_fn.name() == "ConvolutionBackward0"
    np.testing.assert_allclose(out.detach().numpy(), ref.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"padding_idx": 0},
        {"padding_idx": -2},
        {"max_norm": 1.0, "norm_type": 1.0},
        {"scale_grad_by_freq": True},
        {"sparse": True},
    ],
)
def test_embedding_module_as_torch(kwargs):
    """repr, parameters and state_dict as torch's; the weight N(0, 1) with the padding row zeroed."""
    ours, theirs = mt.nn.Embedding(10, 3, **kwargs), torch.nn.Embedding(10, 3, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(p.shape)) for k, p in ours.named_parameters()] == [
        (k, tuple(p.shape)) for k, p in theirs.named_parameters()
    ]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.padding_idx == theirs.padding_idx
    if ours.padding_idx is not None:
        np.testing.assert_array_equal(ours.weight.detach().numpy()[ours.padding_idx], 0.0)
    big = mt.nn.Embedding(400, 50, **kwargs).weight.detach().numpy()
    assert big.dtype == np.float32
    assert abs(big.mean()) < 0.02 and abs(big.std() - 1.0) < 0.02


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 1}, {"max_norm": 0.5}, {"scale_grad_by_freq": True}])
def test_embedding_module_forward_backward_as_torch(kwargs):
    theirs = torch.nn.Embedding(6, 4, dtype=torch.float64, **kwargs)
    ours = mt.nn.Embedding(6, 4, dtype=mt.float64, **kwargs)
    copy_weights_from_torch(ours, theirs)
    indices = np.array([[1, 2, 1], [5, 0, 1]])
    report = compare_modules(ours, theirs, [indices], np.float64)
    assert report.ok, str(report)
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-12)


def test_from_pretrained_freezes_and_checks_as_torch():
    table = np.arange(12.0).reshape(4, 3)
    ours = mt.nn.Embedding.from_pretrained(mt.tensor(table))
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table))
    assert repr(ours) == repr(theirs) and not ours.weight.requires_grad
    assert mt.nn.Embedding.from_pretrained(mt.tensor(table), freeze=False, padding_idx=1).weight.requires_grad
    np.testing.assert_array_equal(ours(mt.tensor([3, 0])).numpy(), theirs(torch.tensor([3, 0])).numpy())
    assert _error(lambda: mt.nn.Embedding.from_pretrained(mt.ones(3))) == _error(
        lambda: torch.nn.Embedding.from_pretrained(torch.ones(3))
    )
    for call in (
        lambda lib: lib.nn.Embedding(4, 3, _weight=lib.ones(3, 3)),
        lambda lib: lib.nn.Embedding(4, 3, padding_idx=4),
        lambda lib: lib.nn.Embedding(4, 3, padding_idx=-5),
    ):
        assert _error(lambda call=call: call(mt)) == _error(lambda call=call: call(torch))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("rows", "index_shape", "padding_idx", "scale_grad_by_freq"),
    [((7, (3, 101), None, False)), ((64, (4, 65), 3, False)), ((300, (257,), None, True)), ((5, (16, 17), 0, True))],
)
def test_weight_gradient_of_many_looked_up_rows_as_torch(dtype, rows, index_shape, padding_idx, scale_grad_by_freq):
    # >= 256 looked-up rows take the sorted scatter (a stable sort and one reduceat per run of equal indices),
    # with table rows that no index names (300 rows, 257 lookups) and a padding row among the lookups
    rng = np.random.default_rng(rows)
    weight = rng.standard_normal((rows, 5)).astype(dtype)
    indices = rng.integers(0, rows, size=index_shape)
    upstream = rng.standard_normal(index_shape + (5,)).astype(dtype)
    (w_ours, w_theirs), (i_ours, i_theirs) = _pair(weight, True), _pair(indices)
    kwargs = {"padding_idx": padding_idx, "scale_grad_by_freq": scale_grad_by_freq}
    mt.nn.functional.embedding(i_ours, w_ours, **kwargs).backward(mt.tensor(upstream))
    torch.nn.functional.embedding(i_theirs, w_theirs, **kwargs).backward(torch.tensor(upstream))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert w_ours.grad.numpy().dtype == w_theirs.grad.numpy().dtype
    np.testing.assert_allclose(w_ours.grad.numpy(), w_theirs.grad.numpy(), rtol=tol, atol=tol)
