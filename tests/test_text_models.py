"""The text models (char-lstm, gpt) against torch running the same builder code, and `minitorch-nn train` on text."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.models import char_lstm, gpt
from reference.bridge import copy_weights_to_torch

VOCAB = 11


def _twins(builder, dtype):
    mt.manual_seed(0)
    ours = builder(mt, vocab_size=VOCAB, block_size=8)() if builder is gpt else builder(mt, vocab_size=VOCAB)()
    theirs = builder(torch, vocab_size=VOCAB, block_size=8)() if builder is gpt else builder(torch, vocab_size=VOCAB)()
    if dtype == "float64":
        ours, theirs = ours.double(), theirs.double()
    copy_weights_to_torch(ours, theirs)
    return ours, theirs


@pytest.mark.parametrize("builder", [char_lstm, gpt], ids=["char-lstm", "gpt"])
def test_forward_backward_match_torch_float64(builder):
    ours, theirs = _twins(builder, "float64")
    ids = np.random.default_rng(0).integers(0, VOCAB, (2, 6))
    out, ref = ours(mt.tensor(ids)), theirs(torch.tensor(ids))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(mt.tensor(upstream))
    ref.backward(torch.tensor(upstream))
    names = [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_parameters()] == names
    for name, p, q in zip(names, ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)


@pytest.mark.parametrize("builder", [char_lstm, gpt], ids=["char-lstm", "gpt"])
def test_forward_matches_torch_float32_eval(builder):
    ours, theirs = _twins(builder, "float32")
    ours.eval()
    theirs.eval()
    ids = np.random.default_rng(2).integers(0, VOCAB, (3, 5))
    with mt.no_grad():
        out = ours(mt.tensor(ids))
    with torch.no_grad():
        ref = theirs(torch.tensor(ids))
    assert out.dtype == mt.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)


def test_gpt_head_is_tied_to_token_embedding():
    model = gpt(mt, vocab_size=VOCAB, block_size=8)()
    assert model.head.weight is model.token.weight
    assert len(list(model.parameters())) == len(set(map(id, model.parameters())))


def test_gpt_is_causal():
    model = gpt(mt, vocab_size=VOCAB, block_size=8)().double()
    ids = np.random.default_rng(3).integers(0, VOCAB, (1, 6))
    changed = ids.copy()
    changed[0, -1] = (ids[0, -1] + 1) % VOCAB
    with mt.no_grad():
        a, b = model(mt.tensor(ids)).numpy(), model(mt.tensor(changed)).numpy()
    np.testing.assert_allclose(a[:, :-1], b[:, :-1], rtol=1e-12, atol=1e-12)
    assert not np.allclose(a[:, -1], b[:, -1])


def test_gpt_rejects_a_sequence_longer_than_block_size():
    model = gpt(mt, vocab_size=VOCAB, block_size=4)()
    with pytest.raises(ValueError, match="longer than block_size 4"):
        model(mt.zeros((1, 5), dtype=mt.int64))
