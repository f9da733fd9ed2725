"""The text models (char-lstm, gpt) against torch running the same builder code, and `minitorch-nn train` on text."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.cli.check import check_model
from minitorch_nn.models import char_lstm, gpt
from minitorch_nn.ops import activation, attention, embedding, normalization, recurrent
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


# ---- minitorch-nn train --dataset text --------------------------------------------------
@pytest.mark.parametrize("model", ["char-lstm", "gpt"])
def test_train_text_lowers_loss_checkpoints_and_samples(model, tmp_path, capsys):
    from minitorch_nn.cli import main

    argv = ["train", "--model", model, "--dataset", "text", "--epochs", "2", "--limit", "1200"]
    argv += ["--batch-size", "8", "--optimizer", "adam", "--out", str(tmp_path)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "perplexity" in printed and "sample:" in printed
    state = mt.load(str(tmp_path / "checkpoint.pth"))
    assert set(state) >= {"model", "optimizer", "history", "vocab", "epoch"}
    loss = state["history"]["loss"]
    assert len(loss) == 2 and loss[1] < loss[0]
    np.testing.assert_allclose(state["history"]["perplexity"], np.exp(loss))
    generated = printed.split("sample:\n")[1].split("\ncheckpoint:")[0]
    assert len(generated) == 201 and set(generated) <= set(state["vocab"])
    # seeded: the same run prints the same sample
    assert main(argv) == 0
    assert capsys.readouterr().out.split("sample:\n")[1] == printed.split("sample:\n")[1]


def test_train_text_resumes_from_the_checkpoint(tmp_path, capsys):
    from minitorch_nn.cli import main

    argv = ["train", "--model", "char-lstm", "--dataset", "text", "--epochs", "2", "--limit", "400"]
    argv += ["--out", str(tmp_path)]
    assert main([*argv, "--stop-after", "1"]) == 0
    assert main([*argv, "--resume"]) == 0
    assert "resumed from" in capsys.readouterr().out
    assert len(mt.load(str(tmp_path / "checkpoint.pth"))["history"]["loss"]) == 2


def test_train_text_reads_a_given_file(tmp_path, capsys):
    from minitorch_nn.cli import main

    text = tmp_path / "abc.txt"
    text.write_text("ab cab " * 20, encoding="utf-8")
    argv = ["train", "--model", "gpt", "--dataset", "text", "--data-file", str(text), "--epochs", "1"]
    assert main([*argv, "--out", str(tmp_path / "run")]) == 0
    assert "4 distinct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, message",
    [(None, "no such file"), ("", "empty"), ("short", "only 5 characters"), (b"\xff\xfe\xfa", "not UTF-8")],
)
def test_train_text_bad_file_is_a_clear_error(content, message, tmp_path):
    from minitorch_nn.cli import main

    path = tmp_path / "text.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit, match=message):
        main(["train", "--model", "char-lstm", "--dataset", "text", "--data-file", str(path), "--out", str(tmp_path)])


@pytest.mark.parametrize("argv", [["--model", "lenet", "--dataset", "text"], ["--model", "gpt"]])
def test_train_text_model_and_dataset_must_agree(argv, tmp_path):
    from minitorch_nn.cli import main

    with pytest.raises(SystemExit, match="train on --dataset text"):
        main(["train", *argv, "--out", str(tmp_path)])


def test_train_text_on_the_torch_engine_follows_minitorch(tmp_path, capsys):
    from minitorch_nn.cli import main

    argv = ["train", "--model", "gpt", "--dataset", "text", "--epochs", "2", "--limit", "600", "--optimizer", "adam"]
    assert main([*argv, "--out", str(tmp_path / "ours")]) == 0
    assert main([*argv, "--engine", "torch", "--out", str(tmp_path / "torch")]) == 0
    ours = mt.load(str(tmp_path / "ours" / "checkpoint.pth"))["history"]["loss"]
    theirs = mt.load(str(tmp_path / "torch" / "checkpoint.pth"))["history"]["loss"]  # every engine writes this format
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)


# ---- minitorch-nn check --model char-lstm|gpt ----------------------------------------------
@pytest.mark.parametrize("name", ["char-lstm", "gpt"])
def test_check_model_walks_the_text_model_graphs(name, capsys):
    assert check_model(name, rtol=1e-4) == 0
    out = capsys.readouterr().out
    assert "nodes walked side by side: no gradient diverges beyond rtol 0.0001" in out
    assert "every parameter's gradient agrees" in out and "every parameter still agrees" in out
    assert (
        "MkldnnRnnLayerBackward0" if name == "char-lstm" else "ScaledDotProductFlashAttentionForCpuBackward0"
    ) in out


def _scaled(backward):
    """A broken backward: every gradient it returns is 1 % too large."""
    return staticmethod(lambda ctx, *grads: tuple(None if g is None else g * 1.01 for g in backward(ctx, *grads)))


@pytest.mark.parametrize(
    "name,function,node",
    [
        ("gpt", attention._Attention, "ScaledDotProductFlashAttentionForCpuBackward0"),
        ("gpt", activation.Gelu, "GeluBackward0"),
        ("gpt", normalization.LayerNorm, "NativeLayerNormBackward0"),
        ("gpt", embedding.Embedding, "EmbeddingBackward0"),
        ("char-lstm", recurrent.RecurrentLayer, "MkldnnRnnLayerBackward0"),
    ],
)
def test_check_model_names_the_broken_backward(name, function, node, monkeypatch, capsys):
    monkeypatch.setattr(function, "backward", _scaled(function.backward))
    assert check_model(name, rtol=1e-4) == 1
    out = capsys.readouterr().out
    first = re.search(r"^first divergence at node (\d+) (\S+): the gradients it receives agree with torch's", out, re.M)
    assert first is not None, out[-2000:]
    assert first.group(2) == node
    rows = re.findall(rf"^ *{first.group(1)} (\S+) ", out, re.M)
    assert rows and rows[0] == node  # the position printed is that node's row in the walk
    assert re.search(r"max abs error \S+, max rel error 0\.01 ", out)
    assert f"look at {node}'s backward" in out


# ---- sampling -----------------------------------------------------------------------------------
def test_char_lstm_sample_carries_the_state_as_the_whole_text_at_once():
    """The sampler feeds one character per step with the LSTM's (h, c) carried over; running the whole
    sampled text through the model at once gives the same logits, hence (same seed) the same draws."""
    from minitorch_nn.cli.train_text import draw, sample

    mt.manual_seed(0)
    model = char_lstm(mt, vocab_size=VOCAB)().double()
    vocab = [chr(ord("a") + i) for i in range(VOCAB)]
    text = sample(mt, model, vocab, "c", 40, seed=7, device=mt.device("cpu"), context=8)
    assert len(text) == 41 and text == sample(mt, model, vocab, "c", 40, seed=7, device=mt.device("cpu"), context=8)
    ids = [vocab.index(c) for c in text]
    with mt.no_grad():
        whole = model(mt.tensor([ids[:-1]]))[0].numpy()  # longer than the context of 8: no window here
    rng = np.random.default_rng(7)
    assert [draw(rng, row) for row in whole] == ids[1:]
    # step by step, the carried state gives the whole run's logits
    state, steps = None, []
    with mt.no_grad():
        for i in ids[:-1]:
            logits, state = model.advance(mt.tensor([[i]]), state)
            steps.append(logits[0, -1].numpy())
    np.testing.assert_allclose(np.stack(steps), whole, rtol=1e-12, atol=1e-12)


def test_gpt_sample_rereads_its_context_window():
    from minitorch_nn.cli.train_text import draw, sample

    mt.manual_seed(0)
    model = gpt(mt, vocab_size=VOCAB, block_size=8)().double()
    vocab = [chr(ord("a") + i) for i in range(VOCAB)]
    text = sample(mt, model, vocab, "b", 12, seed=3, device=mt.device("cpu"), context=4)
    ids = [vocab.index(c) for c in text]
    rng = np.random.default_rng(3)
    with mt.no_grad():
        for t in range(1, len(ids)):
            logits = model(mt.tensor([ids[max(0, t - 4) : t]]))[0, -1].numpy()
            assert draw(rng, logits) == ids[t]
