"""Graph-name parity of RNN, LSTM and GRU with torch, for every recurrent configuration.

torch's CPU LSTM in float32 without a projection on a padded input runs one fused (oneDNN) node per
layer and direction, as ours does: there the whole graph, input to loss, must equal torch's node for
node. Every other configuration runs torch's step-by-step path, whose graph unrolls each cell into
elementwise nodes, where ours has one hand-written BPTT node per layer and direction. There the graph
around the layers must be torch's: walking from the output and the final states, every node up to a
layer (ours: the layer node; torch: a cell's last node, which produces each step's state) has
torch's name, in the same order, and the same number of layer outputs is reached.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import minitorch_nn as mt

OURS_LAYER = {"MkldnnRnnLayerBackward0"}
# the node that produces a step's state on torch's step-by-step path: RNN's nonlinearity, GRU's
# h' = n + z (h - n), the LSTM's h' = o tanh(c') (a product; with a projection, the matrix product)
# and c' = f c + i g
TORCH_CELL = {
    "RNN": {"TanhBackward0"},
    "RNN_relu": {"ReluBackward0"},
    "GRU": {"AddBackward0"},
    "LSTM": {"MulBackward0", "AddBackward0", "MmBackward0", "MkldnnRnnLayerBackward0"},
}


def _walk(roots, layer_names, whole=False):
    """Node names depth-first from ``roots``; each edge into a layer node gives ``<layer>``, which is not entered
    (unless ``whole``); a node met again gives ``<seen>``."""
    names, seen, stack = [], set(), list(reversed(roots))
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if node.name() in layer_names and not whole:  # ours: one node with many outputs, torch: one per step
            names.append("<layer>")
            continue
        if id(node) in seen:
            names.append("<seen>")
            continue
        seen.add(id(node))
        names.append(node.name())
        stack.extend(n for n, _ in reversed(node.next_functions))
    return names


def _graphs(kind, batch_first, bidirectional, layout, dtype, num_layers=2, proj_size=0, whole=False, lengths=(3, 2, 2)):
    x = np.random.default_rng(0).standard_normal((3, 3, 3))
    walks = []
    for lib in (mt, torch):
        torch.manual_seed(0)
        kwargs = dict(batch_first=batch_first, bidirectional=bidirectional, num_layers=num_layers)
        if kind == "RNN_relu":
            kwargs["nonlinearity"] = "relu"
        if proj_size:
            kwargs["proj_size"] = proj_size
        module = getattr(lib.nn, kind.split("_")[0])(3, 4, **kwargs).to(getattr(lib, dtype))
        data = x.astype(dtype)
        if layout == "packed":
            pieces = [lib.tensor(data[b, :n]).requires_grad_(True) for b, n in enumerate(lengths)]
            sorted_ = list(lengths) == sorted(lengths, reverse=True)
            out, hidden = module(lib.nn.utils.rnn.pack_sequence(pieces, enforce_sorted=sorted_))
            out = out.data
        else:
            inp = lib.tensor(data if layout == "batched" else data[0]).requires_grad_(True)
            out, hidden = module(inp)
        states = list(hidden) if isinstance(hidden, tuple) else [hidden]
        layer_names = OURS_LAYER if lib is mt else TORCH_CELL[kind]
        walks.append(_walk([out.grad_fn] + [s.grad_fn for s in states], layer_names, whole))
    return walks


CASES = list(
    itertools.product(
        ["RNN", "RNN_relu", "GRU", "LSTM"],
        [False, True],
        [False, True],
        ["batched", "unbatched", "packed"],
        ["float32", "float64"],
    )
)


@pytest.mark.parametrize(
    "kind,batch_first,bidirectional,layout,dtype",
    CASES,
    ids=[f"{k}-bf{int(b)}-bi{int(d)}-{lay}-{t}" for k, b, d, lay, t in CASES],
)
def test_graph_around_the_layers_is_torch(kind, batch_first, bidirectional, layout, dtype):
    ours, theirs = _graphs(kind, batch_first, bidirectional, layout, dtype)
    assert ours == theirs


@pytest.mark.parametrize("layout", ["batched", "packed"])
def test_lstm_projection_graph_around_the_layers_is_torch(layout):
    ours, theirs = _graphs("LSTM", True, True, layout, "float32", proj_size=2)
    assert ours == theirs


@pytest.mark.parametrize(
    "batch_first,bidirectional,layout",
    list(itertools.product([False, True], [False, True], ["batched", "unbatched"])),
)
def test_fused_float32_lstm_graph_is_torch_node_for_node(batch_first, bidirectional, layout):
    ours, theirs = _graphs("LSTM", batch_first, bidirectional, layout, "float32", whole=True)
    assert ours == theirs
    assert "MkldnnRnnLayerBackward0" in ours


def test_batch_first_output_is_transposed_in_place_as_torch():
    """torch's RNN and GRU end in an in-place transpose (TransposeBackward1), its LSTM in an out-of-place one."""
    for kind in ("RNN", "GRU"):
        for dtype in ("float32", "float64"):
            ours, theirs = _graphs(kind, True, False, "batched", dtype)
            assert ours[0] == theirs[0] == "TransposeBackward1"
    ours, theirs = _graphs("LSTM", True, False, "batched", "float64")
    assert ours[0] == theirs[0] == "TransposeBackward0"
    ours, theirs = _graphs("LSTM", True, False, "batched", "float32", whole=True)
    assert ours[0] == theirs[0] == "TransposeBackward0"  # the fused layer's output is transposed out of place
    assert ours.count("CloneBackward0") == theirs.count("CloneBackward0") == 1  # its input made contiguous


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("lengths", [(2, 3, 1), (3, 3, 3), (1, 1, 1)])
def test_packed_graph_with_unsorted_and_equal_lengths_is_torch(kind, lengths):
    ours, theirs = _graphs(kind, False, True, "packed", "float64", lengths=lengths)
    assert ours == theirs
    if lengths == (2, 3, 1):
        assert "IndexSelectBackward0" in ours  # the final states put back in the input's order
