"""The fused LSTM layer kernel (kernels/cpu/recurrent.py) against torch in float32: at the benchmark's
shape (seq 64, batch 32, 256 -> 256), where float32 rounding accumulates over the steps, our error
against a float64 torch reference must stay within a small multiple of torch's own float32 error;
at odd shapes (H not a multiple of a vector, batch 1, seq 1, reverse, packed) under both CPU paths,
values and every gradient under random upstream gradients; and with the batch's rows cut into
blocks that run their time loops on separate threads (forced at small shapes)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from minitorch_nn.kernels.cpu import cpu_info, gemm, recurrent


def _pair(input_size: int, hidden: int, dtype=torch.float32, **kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(input_size, hidden, **kwargs).to(dtype)
    ours = mt.nn.LSTM(input_size, hidden, **kwargs)
    ours.load_state_dict({k: mt.tensor(v.detach().numpy().astype(np.float32)) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _run(layer, lib, x: np.ndarray, upstream: np.ndarray, packed_lengths=None):
    """(output, h_n, c_n, dx, parameter grads) under the upstream gradient of the output."""
    leaf = lib.tensor(x).requires_grad_(True)
    inp = leaf
    if packed_lengths is not None:
        inp = lib.nn.utils.rnn.pack_padded_sequence(leaf, packed_lengths)
    out, (h_n, c_n) = layer(inp)
    if packed_lengths is not None:
        out, _ = lib.nn.utils.rnn.pad_packed_sequence(out, total_length=x.shape[0])
    state_rng = np.random.default_rng(1)  # the same upstream gradients of h_n and c_n for both engines
    d_h, d_c = (state_rng.standard_normal(tuple(h_n.shape)).astype(upstream.dtype) for _ in range(2))
    loss = (out * lib.tensor(upstream)).sum() + (h_n * lib.tensor(d_h)).sum() + (c_n * lib.tensor(d_c)).sum()
    loss.backward()
    grads = [p.grad.detach().numpy().astype(np.float64) for p in layer.parameters()]
    values = [out, h_n, c_n, leaf.grad]
    return [v.detach().numpy().astype(np.float64) for v in values] + grads


def test_benchmark_shape_float32_error_as_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 32, 256)).astype(np.float32)
    upstream = rng.standard_normal((64, 32, 256)).astype(np.float32)
    ours, theirs = _pair(256, 256)
    reference = _pair(256, 256, dtype=torch.float64)[1]
    exact = _run(reference, torch, x.astype(np.float64), upstream.astype(np.float64))
    for mine, torch32, truth in zip(_run(ours, mt, x, upstream), _run(theirs, torch, x, upstream), exact, strict=True):
        scale = np.abs(truth).max()
        our_error = np.abs(mine - truth).max() / scale
        torch_error = np.abs(torch32 - truth).max() / scale
        assert our_error <= 4 * torch_error + 1e-6, (our_error, torch_error)


@pytest.fixture(params=sorted(cpu_info.PATHS))
def path(request, monkeypatch):
    monkeypatch.setattr(gemm, "PATH", cpu_info.PATHS[request.param])


@pytest.mark.parametrize(
    "seq, batch, input_size, hidden, kwargs",
    [
        (7, 3, 5, 13, {}),
        (1, 1, 4, 6, {}),
        (5, 1, 3, 17, {"bidirectional": True}),
        (6, 4, 9, 33, {"bias": False}),
        (3, 5, 8, 7, {"num_layers": 2, "bidirectional": True}),
    ],
)
def test_odd_shapes_match_torch(path, seq, batch, input_size, hidden, kwargs):
    rng = np.random.default_rng(seq * 100 + hidden)
    directions = 2 if kwargs.get("bidirectional") else 1
    x = rng.standard_normal((seq, batch, input_size)).astype(np.float32)
    upstream = rng.standard_normal((seq, batch, directions * hidden)).astype(np.float32)
    ours, theirs = _pair(input_size, hidden, **kwargs)
    for mine, expected in zip(_run(ours, mt, x, upstream), _run(theirs, torch, x, upstream), strict=True):
        np.testing.assert_allclose(mine, expected, rtol=2e-5, atol=2e-5)


def test_packed_matches_torch(path):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4, 5)).astype(np.float32)
    upstream = rng.standard_normal((6, 4, 11)).astype(np.float32)
    ours, theirs = _pair(5, 11)
    lengths = [6, 4, 4, 1]
    mine = _run(ours, mt, x, upstream, lengths)
    for a, b in zip(mine, _run(theirs, torch, x, upstream, lengths), strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)


def test_saturated_gates_match_torch():
    """Pre-activations far beyond the float32 range of exp: sigmoid must give exactly 0 and 1 there."""
    rng = np.random.default_rng(5)
    x = (60 * rng.standard_normal((4, 2, 3))).astype(np.float32)
    upstream = rng.standard_normal((4, 2, 5)).astype(np.float32)
    ours, theirs = _pair(3, 5)
    with torch.no_grad():
        for p in theirs.parameters():
            p.mul_(20)
    ours.load_state_dict({k: mt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    for mine, expected in zip(_run(ours, mt, x, upstream), _run(theirs, torch, x, upstream), strict=True):
        np.testing.assert_allclose(mine, expected, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("lengths", [None, [6, 5, 5, 3, 2, 1, 1]])
def test_row_blocks_on_threads_match_torch(monkeypatch, threads, lengths):
    monkeypatch.setattr(recurrent, "PARALLEL_WORK", 1)
    monkeypatch.setattr(recurrent, "num_threads", lambda: threads)
    rng = np.random.default_rng(threads)
    x = rng.standard_normal((6, 7, 5)).astype(np.float32)
    upstream = rng.standard_normal((6, 7, 2 * 9)).astype(np.float32)
    ours, theirs = _pair(5, 9, bidirectional=True)
    mine = _run(ours, mt, x, upstream, lengths)
    for a, b in zip(mine, _run(theirs, torch, x, upstream, lengths), strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)


def test_gate_passes_are_compiled():
    """The per-element gate passes run once per step; as Python loops they cost the layer 50x."""
    for kernel in (recurrent._cell, recurrent._gates_backward):
        assert hasattr(kernel, "py_func"), kernel
