"""RNN, LSTM, GRU and their cells against torch: values, final states, gradients of the input, the
initial states and every parameter under random upstream gradients; float64 finite differences of
the hand-written BPTT Functions; default init after manual_seed, reprs, state_dict keys, grad_fn
names and torch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from minitorch_nn.ops import recurrent

MODULES = {"RNN": "RNN", "RNN_relu": "RNN", "LSTM": "LSTM", "GRU": "GRU"}


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def _modules(kind: str, dtype=torch.float64, **kwargs):
    if kind == "RNN_relu":
        kwargs["nonlinearity"] = "relu"
    theirs = getattr(torch.nn, MODULES[kind])(**kwargs).to(dtype)
    ours = getattr(mt.nn, MODULES[kind])(**kwargs).to(mt.float64 if dtype == torch.float64 else mt.float32)
    ours.load_state_dict({k: mt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _leaf(array: np.ndarray):
    return mt.tensor(array).requires_grad_(True), torch.tensor(array).requires_grad_(True)


def _close(ours, theirs, tol=1e-9):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol)


def _states(hidden):
    return list(hidden) if isinstance(hidden, tuple) else [hidden]


def _backward_and_compare(rng, outs_ours, outs_theirs, leaves, ours, theirs, tol=1e-9):
    loss_ours, loss_theirs = 0, 0
    for a, b in zip(outs_ours, outs_theirs, strict=True):
        _close(a, b, tol)
        g = rng.standard_normal(tuple(b.shape)).astype(b.detach().numpy().dtype)
        loss_ours = loss_ours + (a * mt.tensor(g)).sum()
        loss_theirs = loss_theirs + (b * torch.tensor(g)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    for a, b in leaves:
        _close(a.grad, b.grad, tol)
    for (name, p), (name_t, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert name == name_t
        _close(p.grad, q.grad, tol)


CONFIGS = [
    dict(num_layers=1),
    dict(num_layers=2),
    dict(num_layers=1, bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(num_layers=2, bias=False),
    dict(num_layers=1, batch_first=True),
]


@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("with_state", [False, True])
def test_module_matches_torch(kind, config, with_state):
    rng = np.random.default_rng(len(kind) + 7 * len(config) + with_state)
    ours, theirs = _modules(kind, input_size=3, hidden_size=4, **config)
    seq, batch = 5, 3
    shape = (batch, seq, 3) if config.get("batch_first") else (seq, batch, 3)
    x = _leaf(rng.standard_normal(shape))
    leaves = [x]
    layers = config["num_layers"] * (2 if config.get("bidirectional") else 1)
    args_ours, args_theirs = [x[0]], [x[1]]
    if with_state:
        h0 = _leaf(rng.standard_normal((layers, batch, 4)))
        leaves.append(h0)
        if kind == "LSTM":
            c0 = _leaf(rng.standard_normal((layers, batch, 4)))
            leaves.append(c0)
            args_ours.append((h0[0], c0[0]))
            args_theirs.append((h0[1], c0[1]))
        else:
            args_ours.append(h0[0])
            args_theirs.append(h0[1])
    out, hidden = ours(*args_ours)
    out_t, hidden_t = theirs(*args_theirs)
    _backward_and_compare(rng, [out, *_states(hidden)], [out_t, *_states(hidden_t)], leaves, ours, theirs)


@pytest.mark.parametrize("config", [dict(), dict(num_layers=2, bidirectional=True), dict(batch_first=True)])
@pytest.mark.parametrize("with_state", [False, True])
def test_lstm_projection_matches_torch(config, with_state):
    rng = np.random.default_rng(3)
    ours, theirs = _modules("LSTM", input_size=3, hidden_size=4, proj_size=2, **config)
    assert "weight_hr_l0" in dict(ours.named_parameters())
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    x = _leaf(rng.standard_normal((2, 4, 3)))
    leaves = [x]
    if with_state:
        batch = 2 if config.get("batch_first") else 4
        h0 = _leaf(rng.standard_normal((layers, batch, 2)))
        c0 = _leaf(rng.standard_normal((layers, batch, 4)))
        leaves += [h0, c0]
        out, hidden = ours(x[0], (h0[0], c0[0]))
        out_t, hidden_t = theirs(x[1], (h0[1], c0[1]))
    else:
        out, hidden = ours(x[0])
        out_t, hidden_t = theirs(x[1])
    assert tuple(hidden[0].shape) == tuple(hidden_t[0].shape)
    _backward_and_compare(rng, [out, *hidden], [out_t, *hidden_t], leaves, ours, theirs)


@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_unbatched_input_matches_torch(kind, batch_first, with_state):
    rng = np.random.default_rng(5)
    ours, theirs = _modules(kind, input_size=3, hidden_size=4, bidirectional=True, batch_first=batch_first)
    x = _leaf(rng.standard_normal((4, 3)))
    leaves = [x]
    if with_state:
        h0 = _leaf(rng.standard_normal((2, 4)))
        leaves.append(h0)
        if kind == "LSTM":
            c0 = _leaf(rng.standard_normal((2, 4)))
            leaves.append(c0)
            out, hidden = ours(x[0], (h0[0], c0[0]))
            out_t, hidden_t = theirs(x[1], (h0[1], c0[1]))
        else:
            out, hidden = ours(x[0], h0[0])
            out_t, hidden_t = theirs(x[1], h0[1])
    else:
        out, hidden = ours(x[0])
        out_t, hidden_t = theirs(x[1])
    assert out.shape == out_t.shape
    _backward_and_compare(rng, [out, *_states(hidden)], [out_t, *_states(hidden_t)], leaves, ours, theirs)


@pytest.mark.parametrize("kind", list(MODULES))
@pytest.mark.parametrize("config", [dict(), dict(num_layers=2, bidirectional=True)], ids=["plain", "2-bi"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_input_matches_torch(kind, config, enforce_sorted):
    rng = np.random.default_rng(11)
    ours, theirs = _modules(kind, input_size=3, hidden_size=4, **config)
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]
    seqs = [_leaf(rng.standard_normal((n, 3))) for n in lengths]
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    h0 = _leaf(rng.standard_normal((layers, 3, 4)))
    leaves = [*seqs, h0]
    packed = mt.nn.utils.rnn.pack_sequence([s[0] for s in seqs], enforce_sorted=enforce_sorted)
    packed_t = torch.nn.utils.rnn.pack_sequence([s[1] for s in seqs], enforce_sorted=enforce_sorted)
    if kind == "LSTM":
        c0 = _leaf(rng.standard_normal((layers, 3, 4)))
        leaves.append(c0)
        out, hidden = ours(packed, (h0[0], c0[0]))
        out_t, hidden_t = theirs(packed_t, (h0[1], c0[1]))
    else:
        out, hidden = ours(packed, h0[0])
        out_t, hidden_t = theirs(packed_t, h0[1])
    assert isinstance(out, mt.nn.utils.rnn.PackedSequence)
    np.testing.assert_array_equal(out.batch_sizes.numpy(), out_t.batch_sizes.numpy())
    if not enforce_sorted:
        np.testing.assert_array_equal(out.unsorted_indices.numpy(), out_t.unsorted_indices.numpy())
    _backward_and_compare(rng, [out.data, *_states(hidden)], [out_t.data, *_states(hidden_t)], leaves, ours, theirs)


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_input_lstm_projection_matches_torch(enforce_sorted):
    rng = np.random.default_rng(12)
    ours, theirs = _modules("LSTM", input_size=3, hidden_size=4, proj_size=3, num_layers=2, bidirectional=True)
    seqs = [_leaf(rng.standard_normal((n, 3))) for n in ((5, 3, 2) if enforce_sorted else (3, 5, 2))]
    h0, c0 = _leaf(rng.standard_normal((4, 3, 3))), _leaf(rng.standard_normal((4, 3, 4)))
    out, hidden = ours(mt.nn.utils.rnn.pack_sequence([s[0] for s in seqs], enforce_sorted), (h0[0], c0[0]))
    out_t, hidden_t = theirs(torch.nn.utils.rnn.pack_sequence([s[1] for s in seqs], enforce_sorted), (h0[1], c0[1]))
    _backward_and_compare(rng, [out.data, *hidden], [out_t.data, *hidden_t], [*seqs, h0, c0], ours, theirs)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_packed_input_without_state_matches_torch(kind):
    rng = np.random.default_rng(2)
    ours, theirs = _modules(kind, input_size=3, hidden_size=4, bidirectional=True)
    seqs = [_leaf(rng.standard_normal((n, 3))) for n in (4, 4, 1)]
    out, hidden = ours(mt.nn.utils.rnn.pack_sequence([s[0] for s in seqs]))
    out_t, hidden_t = theirs(torch.nn.utils.rnn.pack_sequence([s[1] for s in seqs]))
    _backward_and_compare(rng, [out.data, *_states(hidden)], [out_t.data, *_states(hidden_t)], seqs, ours, theirs)


def test_float32_matches_torch():
    rng = np.random.default_rng(4)
    for kind in MODULES:
        ours, theirs = _modules(kind, dtype=torch.float32, input_size=3, hidden_size=4, num_layers=2)
        x = _leaf(rng.standard_normal((5, 2, 3)).astype(np.float32))
        out, hidden = ours(x[0])
        out_t, hidden_t = theirs(x[1])
        assert out.dtype == mt.float32
        outs, outs_t = [out, *_states(hidden)], [out_t, *_states(hidden_t)]
        _backward_and_compare(rng, outs, outs_t, [x], ours, theirs, tol=2e-5)


def test_dropout_between_layers():
    mt.manual_seed(0)
    net = mt.nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = mt.randn(5, 2, 3)
    net.eval()
    out_eval, _ = net(x)
    again, _ = net(x)
    np.testing.assert_array_equal(out_eval.detach().numpy(), again.detach().numpy())
    net.train()
    out_train, _ = net(x)
    assert not np.allclose(out_train.detach().numpy(), out_eval.detach().numpy())
    # dropout=1 zeroes the first layer's output: the second layer then sees only zeros
    net.dropout = 1.0
    out_zero_input, _ = net(x)
    second = mt.nn.GRU(4, 4)
    second.load_state_dict({k.replace("l1", "l0"): v for k, v in net.state_dict().items() if "l1" in k})
    expected, _ = second(mt.zeros(5, 2, 4))
    np.testing.assert_allclose(out_zero_input.detach().numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_dropout_warnings_and_errors_as_torch():
    for make in (lambda nn: nn.LSTM(3, 4, dropout=0.3), lambda nn: nn.GRU(3, 4, dropout=0.5)):
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            make(mt.nn)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            make(torch.nn)
        assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
        assert len(ours) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mt.nn.LSTM(3, 4, num_layers=2, dropout=0.3)


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.LSTM(3, 4, proj_size=4),
        lambda nn: nn.LSTM(3, 4, proj_size=-1),
        lambda nn: nn.GRU(3, 4, proj_size=2),
        lambda nn: nn.RNN(3, 4, nonlinearity="sigmoid"),
        lambda nn: nn.RNN(3, 4, dropout=1.5),
        lambda nn: nn.RNN(3, 0),
        lambda nn: nn.RNN(3, 4, num_layers=0),
        lambda nn: nn.RNN(3, 4, bias=1),
        lambda nn: nn.LSTM(3.0, 4),
    ],
)
def test_constructor_errors_as_torch(make):
    assert _error(lambda: make(mt.nn)) == _error(lambda: make(torch.nn)) is not None


def _call_errors():
    return [
        ("LSTM", (5, 2, 2), None),
        ("LSTM", (5, 2, 3), ((1, 3, 4), (1, 3, 4))),
        ("LSTM", (5, 2, 3), ((1, 2, 4), (1, 2, 3))),
        ("LSTM", (5, 2, 3), ((2, 4), (2, 4))),
        ("LSTM", (5, 3), ((1, 2, 4), (1, 2, 4))),
        ("LSTM", (1, 5, 2, 3), None),
        ("GRU", (5, 2, 2), None),
        ("GRU", (5, 2, 3), (1, 3, 4)),
        ("GRU", (5, 2, 3), (2, 4)),
        ("GRU", (5, 3), (1, 1, 4)),
        ("GRU", (1, 5, 2, 3), None),
        ("RNN", (1, 5, 2, 3), None),
        ("RNN", (5, 2, 3), (2, 2, 4)),
    ]


@pytest.mark.parametrize("kind,x_shape,h_shape", _call_errors())
def test_call_errors_as_torch(kind, x_shape, h_shape):
    ours, theirs = _modules(kind, input_size=3, hidden_size=4)
    x = np.zeros(x_shape)
    if h_shape is None:
        hx, hx_t = (), ()
    elif isinstance(h_shape[0], tuple):
        hx, hx_t = (
            ((mt.zeros(*h_shape[0], dtype=mt.float64), mt.zeros(*h_shape[1], dtype=mt.float64)),),
            ((torch.zeros(*h_shape[0], dtype=torch.float64), torch.zeros(*h_shape[1], dtype=torch.float64)),),
        )
    else:
        hx, hx_t = (mt.zeros(*h_shape, dtype=mt.float64),), (torch.zeros(*h_shape, dtype=torch.float64),)
    expected = _error(lambda: theirs(torch.tensor(x), *hx_t))
    assert expected is not None
    assert _error(lambda: ours(mt.tensor(x), *hx)) == expected


def test_cuda_device_refused_and_dtype_kept():
    with pytest.raises(RuntimeError, match="CUDA"):
        mt.nn.LSTM(3, 4, device="cuda")
    with pytest.raises(RuntimeError, match="CUDA"):
        mt.nn.GRUCell(3, 4, device="cuda")
    net = mt.nn.RNN(3, 4, dtype=mt.float64)
    assert all(p.dtype == mt.float64 for p in net.parameters())
    out, hidden = net(mt.zeros(2, 1, 3, dtype=mt.float64))
    assert out.dtype == hidden.dtype == mt.float64
    net.flatten_parameters()


def test_dtype_mismatch_error_as_torch():
    ours, theirs = mt.nn.GRU(3, 4), torch.nn.GRU(3, 4)
    for x in (np.zeros((2, 1, 3)), np.zeros((2, 1, 3), dtype=np.int64), np.zeros((2, 3), dtype=bool)):
        expected = _error(lambda x=x: theirs(torch.tensor(x)))
        assert expected is not None
        assert _error(lambda x=x: ours(mt.tensor(x))) == expected


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.LSTM(3, 4, num_layers=2, proj_size=2, dropout=0.1, bidirectional=True, batch_first=True),
        lambda nn: nn.GRU(3, 4),
        lambda nn: nn.RNN(3, 4, nonlinearity="relu", bias=False),
        lambda nn: nn.RNN(3, 4, 2, "relu"),
        lambda nn: nn.LSTM(3, 4, 2, False, True, 0.0, True, 2),
        lambda nn: nn.GRU(3, 4, dtype=torch.float64 if nn is torch.nn else mt.float64),
        lambda nn: nn.LSTMCell(3, 4),
        lambda nn: nn.GRUCell(3, 4, bias=False),
        lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
    ],
)
def test_repr_state_dict_and_init_as_torch(make):
    torch.manual_seed(7)
    theirs = make(torch.nn)
    mt.manual_seed(7)
    ours = make(mt.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if hasattr(theirs, "all_weights"):
        assert [[tuple(w.shape) for w in ws] for ws in ours.all_weights] == [
            [tuple(w.shape) for w in ws] for ws in theirs.all_weights
        ]
        assert ours._flat_weights_names == theirs._flat_weights_names
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert tuple(p.shape) == tuple(q.shape), name
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)


@pytest.mark.parametrize(
    "kind,dtype,config",
    [
        ("LSTM", torch.float32, dict()),
        ("LSTM", torch.float32, dict(num_layers=2)),
        ("LSTM", torch.float32, dict(bidirectional=True)),
        ("LSTM", torch.float64, dict()),
        ("LSTM", torch.float32, dict(proj_size=2)),
        ("GRU", torch.float32, dict()),
        ("GRU", torch.float64, dict(bidirectional=True)),
        ("RNN", torch.float32, dict(num_layers=2)),
        ("LSTM", torch.float32, dict(batch_first=True)),
    ],
)
def test_grad_fn_names_as_torch(kind, dtype, config):
    ours, theirs = _modules(kind, dtype=dtype, input_size=3, hidden_size=4, **config)
    x = np.zeros((2, 3, 3), dtype=np.float32 if dtype == torch.float32 else np.float64)
    out, hidden = ours(mt.tensor(x).requires_grad_(True))
    out_t, hidden_t = theirs(torch.tensor(x).requires_grad_(True))
    assert out.grad_fn.name() == out_t.grad_fn.name()
    for h, h_t in zip(_states(hidden), _states(hidden_t), strict=True):
        assert h.grad_fn.name() == h_t.grad_fn.name()


def test_packed_and_unbatched_grad_fn_names_as_torch():
    for kind in MODULES:
        ours, theirs = _modules(kind, input_size=3, hidden_size=4)
        seqs = [np.ones((3, 3)), np.ones((2, 3))]
        out, _ = ours(mt.nn.utils.rnn.pack_sequence([mt.tensor(s).requires_grad_(True) for s in seqs]))
        out_t, _ = theirs(torch.nn.utils.rnn.pack_sequence([torch.tensor(s).requires_grad_(True) for s in seqs]))
        assert out.data.grad_fn.name() == out_t.data.grad_fn.name() == "CatBackward0"
        out, _ = ours(mt.ones(4, 3, dtype=mt.float64, requires_grad=True))
        out_t, _ = theirs(torch.ones(4, 3, dtype=torch.float64, requires_grad=True))
        assert out.grad_fn.name() == out_t.grad_fn.name() == "SqueezeBackward1"


# ---- cells --------------------------------------------------------------------------------------


CELL_KINDS = [("LSTMCell", {}), ("GRUCell", {}), ("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"})]


def _cells(name, **kwargs):
    theirs = getattr(torch.nn, name)(3, 4, **kwargs).double()
    ours = getattr(mt.nn, name)(3, 4, **kwargs).double()
    ours.load_state_dict({k: mt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("name,kwargs", CELL_KINDS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_cell_matches_torch(name, kwargs, bias, batched, with_state):
    rng = np.random.default_rng(9)
    ours, theirs = _cells(name, bias=bias, **kwargs)
    lead = (3,) if batched else ()
    x = _leaf(rng.standard_normal((*lead, 3)))
    leaves = [x]
    if with_state:
        h = _leaf(rng.standard_normal((*lead, 4)))
        leaves.append(h)
        if name == "LSTMCell":
            c = _leaf(rng.standard_normal((*lead, 4)))
            leaves.append(c)
            out, out_t = ours(x[0], (h[0], c[0])), theirs(x[1], (h[1], c[1]))
        else:
            out, out_t = ours(x[0], h[0]), theirs(x[1], h[1])
    else:
        out, out_t = ours(x[0]), theirs(x[1])
    _backward_and_compare(rng, _states(out), _states(out_t), leaves, ours, theirs)


@pytest.mark.parametrize("name,kwargs", CELL_KINDS)
def test_cell_errors_as_torch(name, kwargs):
    ours, theirs = _cells(name, **kwargs)
    lstm = name == "LSTMCell"

    def states(lib, shape, c_shape=None):
        h = lib.zeros(*shape, dtype=lib.float64)
        return ((h, lib.zeros(*(c_shape or shape), dtype=lib.float64)),) if lstm else (h,)

    cases = [
        lambda lib: ((lib.zeros(2, 2, dtype=lib.float64),)),
        lambda lib: ((lib.zeros(2, 3, dtype=lib.float64), *states(lib, (2, 3)))),
        lambda lib: ((lib.zeros(2, 3, dtype=lib.float64), *states(lib, (3, 4)))),
        lambda lib: ((lib.zeros(2, 3, 1, dtype=lib.float64),)),
        lambda lib: ((lib.zeros(2, 3, dtype=lib.float64), *states(lib, (2, 3, 4)))),
        lambda lib: ((lib.zeros(2, 3, dtype=lib.float32),)),
    ]
    if lstm:
        cases.append(lambda lib: ((lib.zeros(2, 3, dtype=lib.float64), *states(lib, (2, 4), (2, 3)))))
    for case in cases:
        expected = _error(lambda case=case: theirs(*case(torch)))
        assert expected is not None
        assert _error(lambda case=case: ours(*case(mt))) == expected


def test_cell_grad_fn_names():
    ours, theirs = _cells("RNNCell")
    x = np.ones((2, 3))
    assert ours(mt.tensor(x).requires_grad_(True)).grad_fn.name() == "TanhBackward0"
    assert theirs(torch.tensor(x).requires_grad_(True)).grad_fn.name() == "TanhBackward0"
    ours, _ = _cells("RNNCell", nonlinearity="relu")
    assert ours(mt.tensor(x).requires_grad_(True)).grad_fn.name() == "ReluBackward0"
    ours, theirs = _cells("GRUCell")
    assert ours(mt.tensor(x).requires_grad_(True)).grad_fn.name() == "AddBackward0"
    assert theirs(torch.tensor(x).requires_grad_(True)).grad_fn.name() == "AddBackward0"
    ours, _ = _cells("LSTMCell")
    assert ours(mt.tensor(x).requires_grad_(True))[0].grad_fn.name() == "ThnnFusedLstmCellBackward0"


# ---- float64 finite differences of the Functions (no torch) -----------------------------------


def _numeric_check(fn, arrays, rng, eps=1e-6):
    """Compare backward's gradients of sum(w_k * out_k) with central differences, every input entry."""
    outs = fn(*arrays)
    weights = [rng.standard_normal(o.shape) for o in outs]
    tensors = [mt.tensor(a).requires_grad_(True) if a is not None else None for a in arrays]
    results = fn(*tensors, wrap=True)
    loss = sum((r * mt.tensor(w)).sum() for r, w in zip(results, weights, strict=True))
    loss.backward()

    def value(args):
        return sum(float((o * w).sum()) for o, w in zip(fn(*args), weights, strict=True))

    for k, a in enumerate(arrays):
        if a is None:
            continue
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus, minus = (
                [x.copy() if x is not None else None for x in arrays],
                [x.copy() if x is not None else None for x in arrays],
            )
            plus[k][idx] += eps
            minus[k][idx] -= eps
            numeric[idx] = (value(plus) - value(minus)) / (2 * eps)
        np.testing.assert_allclose(tensors[k].grad.numpy(), numeric, rtol=1e-5, atol=1e-7, err_msg=f"input {k}")


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("packed", [False, True])
def test_recurrent_layer_finite_differences(mode, reverse, packed):
    rng = np.random.default_rng(1)
    gates = recurrent.GATES[mode]
    hidden, proj = 3, (2 if mode == "LSTM" and reverse else 0)
    state = proj or hidden
    seq, batch, inputs = 3, 3, 2
    sizes = (3, 2, 1) if packed else None
    arrays = [
        rng.standard_normal((seq, batch, inputs)),
        rng.standard_normal((batch, state)),
        rng.standard_normal((batch, hidden)) if mode == "LSTM" else None,
        rng.standard_normal((gates * hidden, inputs)),
        rng.standard_normal((gates * hidden, state)),
        rng.standard_normal(gates * hidden),
        rng.standard_normal(gates * hidden),
        rng.standard_normal((proj, hidden)) if proj else None,
    ]
    if mode == "RNN_RELU":  # away from relu's kink
        arrays[5] = arrays[5] + 0.5

    def fn(*args, wrap=False):
        result = recurrent.RecurrentLayer.apply(*args, mode=mode, reverse=reverse, batch_sizes=sizes, steps=False)
        return result if wrap else [r.numpy() if isinstance(r, mt.Tensor) else r for r in result]

    _numeric_check(fn, arrays, rng)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
def test_cell_finite_differences(mode):
    rng = np.random.default_rng(2)
    gates, hidden = recurrent.GATES[mode], 3
    arrays = [
        rng.standard_normal((2, 2)),
        rng.standard_normal((2, hidden)),
        rng.standard_normal((2, hidden)) if mode == "LSTM" else None,
        rng.standard_normal((gates * hidden, 2)),
        rng.standard_normal((gates * hidden, hidden)),
        rng.standard_normal(gates * hidden),
        rng.standard_normal(gates * hidden),
    ]

    def fn(*args, wrap=False):
        result = recurrent.CELLS[mode].apply(*args)
        result = result if isinstance(result, tuple) else (result,)
        return result if wrap else [r.numpy() for r in result]

    _numeric_check(fn, arrays, rng)


@given(data=st.data())
def test_property_every_argument_matches_torch(data):
    """Drawn over every constructor and call argument: module, sizes, num_layers, bias, batch_first,
    bidirectional, proj_size (LSTM), an initial state or none, batched or unbatched input."""
    kind = data.draw(st.sampled_from(list(MODULES)))
    hidden = data.draw(st.integers(1, 4))
    config = dict(
        input_size=data.draw(st.integers(1, 3)),
        hidden_size=hidden,
        num_layers=data.draw(st.integers(1, 2)),
        bias=data.draw(st.booleans()),
        batch_first=data.draw(st.booleans()),
        bidirectional=data.draw(st.booleans()),
    )
    if kind == "LSTM" and hidden > 1:
        config["proj_size"] = data.draw(st.integers(0, hidden - 1))
    seq, batch = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 3))
    batched, with_state = data.draw(st.booleans()), data.draw(st.booleans())
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1)))
    ours, theirs = _modules(kind, **config)
    lead = ((batch, seq) if config["batch_first"] else (seq, batch)) if batched else (seq,)
    x = _leaf(rng.standard_normal((*lead, config["input_size"])))
    leaves, args, args_t = [x], [x[0]], [x[1]]
    if with_state:
        layers = config["num_layers"] * (2 if config["bidirectional"] else 1)
        state_batch = (batch,) if batched else ()
        h0 = _leaf(rng.standard_normal((layers, *state_batch, config.get("proj_size") or hidden)))
        leaves.append(h0)
        if kind == "LSTM":
            c0 = _leaf(rng.standard_normal((layers, *state_batch, hidden)))
            leaves.append(c0)
            args.append((h0[0], c0[0]))
            args_t.append((h0[1], c0[1]))
        else:
            args.append(h0[0])
            args_t.append(h0[1])
    out, hidden_state = ours(*args)
    out_t, hidden_state_t = theirs(*args_t)
    assert out.grad_fn.name() == out_t.grad_fn.name()
    _backward_and_compare(rng, [out, *_states(hidden_state)], [out_t, *_states(hidden_state_t)], leaves, ours, theirs)
