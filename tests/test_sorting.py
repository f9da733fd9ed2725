"""Sorting and selection against torch: named results, index dtypes, integer and bool inputs, ties,
NaN, empty and 0-d tensors, errors. Gradients across dims and dtypes are in the op registry."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import minitorch_nn as mt


def describe(out: object) -> object:
    """What a result is, comparably across the engines: type names, fields, dtypes, shapes, values."""
    if isinstance(out, tuple):
        return (type(out).__name__, getattr(out, "n_fields", None), [describe(o) for o in out])
    if isinstance(out, (torch.Tensor, mt.Tensor)):
        values = out.detach().numpy() if isinstance(out, torch.Tensor) else out.numpy()
        return (
            str(out.dtype),
            tuple(out.shape),
            np.where(np.isnan(values), "nan", values).tolist() if values.dtype.kind == "f" else values.tolist(),
            out.requires_grad,
        )
    return out


def outcome(call: object, lib: object) -> object:
    try:
        return describe(call(lib))
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)


def assert_same(call: object) -> None:
    theirs, ours = outcome(call, torch), outcome(call, mt)
    assert ours == theirs


NAN = float("nan")

CALLS = [
    # sort / argsort / msort: ties keep their order (stable), NaN sorts largest, bools and ints
    lambda lib: lib.sort(lib.tensor([[3.0, 1.0, 3.0, 2.0], [1.0, 1.0, 0.0, 1.0]])),
    lambda lib: lib.sort(lib.tensor([[3.0, 1.0, 3.0, 2.0], [1.0, 1.0, 0.0, 1.0]]), dim=1, descending=True, stable=True),
    lambda lib: lib.sort(lib.tensor([3.0, NAN, 1.0, 3.0]), descending=True),
    lambda lib: lib.sort(lib.tensor([3.0, NAN, 1.0, 3.0])),
    lambda lib: lib.tensor([True, False, True]).sort(),
    lambda lib: lib.tensor([True, False, True]).sort(descending=True),
    lambda lib: lib.tensor([[5, 2], [1, 7]], dtype=lib.int32).sort(0),
    lambda lib: lib.sort(lib.tensor(3.0)),
    lambda lib: lib.sort(lib.tensor(3.0), -1),
    lambda lib: lib.sort(lib.tensor(3.0), 1),
    lambda lib: lib.sort(lib.zeros(0, 3), 0),
    lambda lib: lib.sort(lib.zeros(2, 3), 2),
    lambda lib: lib.sort(lib.zeros(2, 3), -3),
    lambda lib: lib.argsort(lib.tensor([[3, 1, 3], [2, 1, 2]]), 1, True),
    lambda lib: lib.argsort(lib.tensor([[3, 1, 3], [2, 1, 2]]), dim=0, stable=True),
    lambda lib: lib.tensor([2.0, 1.0, 2.0]).argsort(descending=True, stable=True),
    lambda lib: lib.msort(lib.tensor([[3, 1], [2, 4]])),
    # topk
    lambda lib: lib.topk(lib.tensor([3, 1, 5, 4]), 2),
    lambda lib: lib.topk(lib.tensor([[3.0, 1.0, 5.0], [0.0, 2.0, -1.0]]), 2, 1, False),
    lambda lib: lib.topk(lib.tensor([[3.0, 1.0, 5.0], [0.0, 2.0, -1.0]]), k=0, dim=0),
    lambda lib: lib.topk(lib.tensor([3.0, NAN, 1.0]), 1),
    lambda lib: lib.topk(lib.tensor(3.0), 1),
    lambda lib: lib.topk(lib.tensor(3.0), 0),
    lambda lib: lib.topk(lib.tensor(3.0), 2),
    lambda lib: lib.topk(lib.zeros(2, 3), 4),
    lambda lib: lib.topk(lib.zeros(2, 3), -1),
    lambda lib: lib.topk(lib.zeros(2, 3), 1, 2),
    lambda lib: lib.topk(lib.tensor([True, False]), 1),
    lambda lib: lib.topk(lib.zeros(0, 2), 0, 0),
    # kthvalue / median / nanmedian / mode
    lambda lib: lib.kthvalue(lib.tensor([[3.0, 1.0, 5.0], [0.0, 2.0, -1.0]]), 2),
    lambda lib: lib.kthvalue(lib.tensor([[3, 1, 5], [0, 2, -1]]), 1, 0, True),
    lambda lib: lib.kthvalue(lib.tensor(2.0), 1),
    lambda lib: lib.kthvalue(lib.tensor([1.0, 2.0]), 3),
    lambda lib: lib.kthvalue(lib.tensor([1.0, 2.0]), 0),
    lambda lib: lib.kthvalue(lib.zeros(0), 1),
    lambda lib: lib.kthvalue(lib.tensor([True]), 1),
    lambda lib: lib.median(lib.tensor([[3.0, 1.0, 5.0, 4.0], [0.0, 2.0, -1.0, 7.0]])),
    lambda lib: lib.median(lib.tensor([[3.0, 1.0, 5.0, 4.0], [0.0, 2.0, -1.0, 7.0]]), 1),
    lambda lib: lib.median(lib.tensor([[3.0, 1.0, 5.0, 4.0], [0.0, 2.0, -1.0, 7.0]]), 0, keepdim=True),
    lambda lib: lib.median(lib.tensor([3, 1, 2])),
    lambda lib: lib.median(lib.tensor([1.0, NAN, 0.0])),
    lambda lib: lib.median(lib.tensor([[1.0, NAN, 0.0], [1.0, 2.0, 0.0]]), 1),
    lambda lib: lib.median(lib.zeros(0)),
    lambda lib: lib.median(lib.zeros(0, 3), 1),
    lambda lib: lib.median(lib.zeros(0, 3), 0),
    lambda lib: lib.median(lib.tensor(4.0), -1),
    lambda lib: lib.median(lib.tensor([True, False])),
    lambda lib: lib.median(lib.zeros(2), 1),
    lambda lib: lib.nanmedian(lib.tensor([1.0, NAN, 0.0])),
    lambda lib: lib.nanmedian(lib.tensor([[1.0, NAN, 0.0, 5.0], [NAN, 2.0, 3.0, 4.0]]), 1),
    lambda lib: lib.nanmedian(lib.tensor([NAN, NAN])),
    lambda lib: lib.mode(lib.tensor([1.0, 2.0, 2.0, 3.0, 3.0, 1.0, 0.0])),
    lambda lib: lib.mode(lib.tensor([[1, 2, 2], [3, 3, 1]]), 1, True),
    lambda lib: lib.mode(lib.tensor([True, False, True])),
    lambda lib: lib.mode(lib.tensor(3.0)),
    lambda lib: lib.mode(lib.zeros(0)),
    lambda lib: lib.mode(lib.zeros(2, 0), 0),
    # unique / unique_consecutive: no graph
    lambda lib: lib.unique(lib.tensor([3, 1, 2, 1, 3]), sorted=False, return_inverse=True, return_counts=True),
    lambda lib: lib.unique(lib.tensor([[3, 1], [2, 1], [3, 1]]), dim=0, return_inverse=True, return_counts=True),
    lambda lib: lib.unique(lib.tensor([[3, 1], [2, 1], [3, 1]]), dim=-1),
    lambda lib: lib.unique(lib.tensor([[3, 1], [2, 1]]), dim=2),
    lambda lib: lib.unique(lib.tensor([[3, 1], [2, 1]]), return_inverse=True),
    lambda lib: lib.unique(lib.tensor([True, False, True]), return_counts=True),
    lambda lib: lib.unique(lib.tensor(3.0), return_inverse=True),
    lambda lib: lib.unique(lib.zeros(0), return_inverse=True, return_counts=True),
    lambda lib: lib.unique(lib.zeros(0, 2), dim=0, return_inverse=True, return_counts=True),
    lambda lib: lib.unique(lib.zeros(2, 0), dim=0),
    lambda lib: lib.unique(lib.tensor(5), dim=0),
    lambda lib: lib.tensor([3.0, 1.0, 3.0]).unique(return_counts=True),
    lambda lib: lib.unique(lib.tensor([NAN, 1.0, NAN, 1.0]), return_inverse=True, return_counts=True),
    lambda lib: lib.unique_consecutive(lib.tensor([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True, return_counts=True),
    lambda lib: lib.unique_consecutive(lib.tensor([[1, 1], [1, 1], [2, 3]]), dim=0, return_counts=True),
    lambda lib: lib.tensor([[1, 1], [1, 1]]).unique_consecutive(return_inverse=True),
    lambda lib: lib.unique_consecutive(lib.tensor(3.0), return_inverse=True, return_counts=True),
    lambda lib: lib.unique_consecutive(lib.zeros(0), return_inverse=True, return_counts=True),
]


@pytest.mark.parametrize("call", CALLS)
def test_results_and_errors_match_torch(call):
    assert_same(call)


def test_named_results_unpack_name_their_fields_and_print_as_torch():
    for name in ("sort", "topk", "kthvalue", "median", "nanmedian", "mode"):
        args = {"topk": (2,), "kthvalue": (2,), "median": (0,), "nanmedian": (0,)}.get(name, ())
        ours = getattr(mt, name)(mt.tensor([3.0, 1.0, 2.0]), *args)
        theirs = getattr(torch, name)(torch.tensor([3.0, 1.0, 2.0]), *args)
        assert type(ours).__name__ == type(theirs).__name__ == name
        assert repr(ours) == repr(theirs)
        values, indices = ours
        assert values is ours.values and indices is ours.indices and ours[1] is ours.indices
        assert indices.dtype == mt.int64 and not indices.requires_grad
        assert pickle.loads(pickle.dumps(ours)).indices.tolist() == indices.tolist()


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.sort(x, 0).values,
        lambda lib, x: lib.sort(x, dim=0, descending=True, stable=True).values,
        lambda lib, x: lib.median(x),
        lambda lib, x: lib.nanmedian(x),
        lambda lib, x: lib.mode(x, 0).values,
        lambda lib, x: lib.msort(x),
    ],
)
def test_gradients_at_ties_match_torch(call):
    # equal values: sort routes each output's gradient to its own (stably ordered) input; global
    # median shares it evenly among the elements equal to the median; mode picks the last one
    data = [[2.0, 1.0], [1.0, 3.0], [2.0, 1.0], [1.0, 1.0]]
    grads = []
    for lib in (torch, mt):
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        out = call(lib, x)
        upstream = np.arange(1.0, 1.0 + out.numel()).reshape(tuple(out.shape)) ** 1.5
        out.backward(lib.tensor(upstream))
        grads.append((x.grad.numpy(), out.grad_fn.name()))
    np.testing.assert_allclose(grads[1][0], grads[0][0], rtol=1e-12)
    assert grads[1][1] == grads[0][1]


def test_unique_outputs_carry_no_graph():
    x = mt.tensor([2.0, 1.0, 2.0], requires_grad=True)
    assert not mt.unique(x).requires_grad and not mt.unique_consecutive(x).requires_grad
    assert not mt.argsort(x).requires_grad and mt.sort(x).values.requires_grad


def test_return_types_are_reachable_as_torchs():
    for name, call in [
        ("sort", lambda lib: lib.sort(lib.tensor([2.0, 1.0]))),
        ("max", lambda lib: lib.tensor([[1.0, 3.0]]).max(1)),
    ]:
        ours, theirs = call(mt), call(torch)
        assert isinstance(ours, getattr(mt.return_types, name)) and isinstance(
            theirs, getattr(torch.return_types, name)
        )
