"""nn.utils.rnn against torch: pack_padded_sequence, pad_packed_sequence, pad_sequence, pack_sequence,
unpad/unpack_sequence and PackedSequence (values, batch_sizes, sorted/unsorted indices, gradients under
random upstream gradients, grad_fn names, to/cuda, errors)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt

R, RT = mt.nn.utils.rnn, torch.nn.utils.rnn


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def _leaf(array):
    return mt.tensor(array).requires_grad_(True), torch.tensor(array).requires_grad_(True)


def _same(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=0)


def _same_packed(ours, theirs):
    assert isinstance(ours, R.PackedSequence)
    _same(ours.data, theirs.data)
    np.testing.assert_array_equal(ours.batch_sizes.numpy(), theirs.batch_sizes.numpy())
    assert ours.batch_sizes.dtype == mt.int64
    for a, b in ((ours.sorted_indices, theirs.sorted_indices), (ours.unsorted_indices, theirs.unsorted_indices)):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def _backward(rng, ours, theirs, leaves):
    g = rng.standard_normal(tuple(theirs.shape))
    (ours * mt.tensor(g)).sum().backward()
    (theirs * torch.tensor(g)).sum().backward()
    for a, b in leaves:
        _same(a.grad, b.grad)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths", [[4, 2, 1], [2, 4, 1], [3, 3, 3], [1]])
@pytest.mark.parametrize("as_tensor", [False, True])
@pytest.mark.parametrize("trailing", [(), (2,)])
def test_pack_then_pad_matches_torch(batch_first, lengths, as_tensor, trailing):
    rng = np.random.default_rng(len(lengths) + batch_first)
    batch, longest = len(lengths), max(lengths)
    shape = (batch, longest, *trailing) if batch_first else (longest, batch, *trailing)
    x = _leaf(rng.standard_normal(shape))
    sorted_ = lengths == sorted(lengths, reverse=True)
    lens, lens_t = (mt.tensor(lengths), torch.tensor(lengths)) if as_tensor else (lengths, lengths)
    packed = R.pack_padded_sequence(x[0], lens, batch_first=batch_first, enforce_sorted=sorted_)
    packed_t = RT.pack_padded_sequence(x[1], lens_t, batch_first=batch_first, enforce_sorted=sorted_)
    _same_packed(packed, packed_t)
    assert packed.data.grad_fn.name() == packed_t.data.grad_fn.name()
    for total_length in (None, longest + 1):
        padded, out_lengths = R.pad_packed_sequence(
            packed, batch_first=batch_first, padding_value=-1.5, total_length=total_length
        )
        padded_t, out_lengths_t = RT.pad_packed_sequence(
            packed_t, batch_first=batch_first, padding_value=-1.5, total_length=total_length
        )
        _same(padded, padded_t)
        assert padded.grad_fn.name() == padded_t.grad_fn.name()
        np.testing.assert_array_equal(out_lengths.numpy(), out_lengths_t.numpy())
        assert out_lengths.dtype == mt.int64
    x[0].grad, x[1].grad = None, None
    _backward(rng, padded, padded_t, [x])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("padding_value", [0.0, 2.5])
def test_pad_sequence_matches_torch(batch_first, padding_side, padding_value):
    rng = np.random.default_rng(3)
    seqs = [_leaf(rng.standard_normal((n, 2))) for n in (2, 4, 1)]
    ours = R.pad_sequence([s[0] for s in seqs], batch_first, padding_value, padding_side)
    theirs = RT.pad_sequence([s[1] for s in seqs], batch_first, padding_value, padding_side)
    _same(ours, theirs)
    assert ours.grad_fn.name() == theirs.grad_fn.name() == "torch::autograd::CopySlices"
    _backward(rng, ours, theirs, seqs)


def test_pad_sequence_of_a_tensor_and_1d_sequences():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 2))
    _same(R.pad_sequence(mt.tensor(x)), RT.pad_sequence(torch.tensor(x)))
    seqs = [rng.standard_normal(n) for n in (3, 1)]
    ours = R.pad_sequence([mt.tensor(s) for s in seqs], batch_first=True)
    theirs = RT.pad_sequence([torch.tensor(s) for s in seqs], batch_first=True)
    _same(ours, theirs)
    assert ours.grad_fn is None


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_sequence_and_unpack_match_torch(enforce_sorted):
    rng = np.random.default_rng(5)
    lengths = (4, 2, 1) if enforce_sorted else (1, 4, 2)
    seqs = [_leaf(rng.standard_normal((n, 3))) for n in lengths]
    packed = R.pack_sequence([s[0] for s in seqs], enforce_sorted=enforce_sorted)
    packed_t = RT.pack_sequence([s[1] for s in seqs], enforce_sorted=enforce_sorted)
    _same_packed(packed, packed_t)
    assert packed.data.grad_fn.name() == packed_t.data.grad_fn.name()
    _backward(rng, packed.data, packed_t.data, seqs)
    unpacked, unpacked_t = R.unpack_sequence(packed), RT.unpack_sequence(packed_t)
    for a, b in zip(unpacked, unpacked_t, strict=True):
        _same(a, b)
    padded, lens = R.pad_packed_sequence(packed)
    for a, b in zip(R.unpad_sequence(padded, lens), [s[1] for s in seqs], strict=True):
        _same(a, b)


def test_packed_sequence_object():
    packed = R.pack_sequence([mt.ones(3, 2), mt.ones(1, 2)])
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert data is packed.data and batch_sizes is packed.batch_sizes
    assert sorted_indices is None and unsorted_indices is None
    assert packed.to("cpu") is packed and packed.cpu() is packed and not packed.is_cuda
    assert packed.double().data.dtype == mt.float64 and packed.to(mt.float64).batch_sizes is packed.batch_sizes
    rebuilt = R.PackedSequence(data, batch_sizes, mt.tensor([1, 0]))
    np.testing.assert_array_equal(rebuilt.unsorted_indices.numpy(), [1, 0])
    assert R.PackedSequence((data, batch_sizes)).batch_sizes is batch_sizes
    with pytest.raises(RuntimeError, match="CUDA"):
        packed.cuda()
    with pytest.raises(RuntimeError, match="CUDA"):
        packed.to("cuda")
    np.testing.assert_array_equal(R.invert_permutation(mt.tensor([2, 0, 1])).numpy(), [1, 2, 0])


@pytest.mark.parametrize(
    "call",
    [
        lambda utils, lib: utils.pack_padded_sequence(lib.zeros(3, 2), [2, 3]),
        lambda utils, lib: utils.pack_padded_sequence(lib.zeros(3, 2), [3, 0]),
        lambda utils, lib: utils.pack_padded_sequence(lib.zeros(3, 2), [3]),
        lambda utils, lib: utils.pack_padded_sequence(lib.zeros(3, 2), lib.tensor([[3, 2]])),
        lambda utils, lib: utils.pad_packed_sequence(R.pack_padded_sequence(lib.zeros(3, 2), [3, 2]), total_length=2),
        lambda utils, lib: utils.pad_sequence([lib.zeros(2), lib.zeros(3)], padding_side="middle"),
        lambda utils, lib: utils.pad_sequence([lib.zeros(2, 2), lib.zeros(3, 3)]),
        lambda utils, lib: utils.pad_sequence([]),
    ],
)
def test_errors_as_torch(call):
    expected = _error(lambda: call(RT, torch))
    assert expected is not None
    assert _error(lambda: call(R, mt)) == expected
