"""Reductions, scans and norms against torch: dtypes of integer and bool inputs, empty and 0-d
tensors, dims as int / tuple / negative / out of range, keepdim, named results, ties, errors.
Gradients across dims and dtypes are in the op registry."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import graph_signature

NAN = float("nan")
INF = float("inf")


def describe(out: object) -> object:
    """What a result is, comparably across the engines: type names, fields, dtypes, shapes, values."""
    if isinstance(out, tuple):
        return (type(out).__name__, [describe(o) for o in out])
    if isinstance(out, (torch.Tensor, mt.Tensor)):
        values = out.detach().numpy() if isinstance(out, torch.Tensor) else out.numpy()
        if values.dtype.kind == "f":
            values = np.where(np.isnan(values), "nan", np.round(values.astype(np.float64), 5).astype(str))
        return (str(out.dtype), tuple(out.shape), values.tolist(), out.requires_grad)
    return out


def outcome(call: object, lib: object) -> object:
    try:
        return describe(call(lib))
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)


M = [[1.0, -2.0, 3.0], [0.5, 2.0, -1.0]]

CALLS = {
    # sum / mean / prod: integer and bool inputs, dtype=, empty, 0-d, dim=()
    "sum bool": lambda lib: lib.tensor([True, True]).sum(),
    "sum int32": lambda lib: lib.tensor([1, 2], dtype=lib.int32).sum(),
    "sum uint8 dim": lambda lib: lib.tensor([[1, 2]], dtype=lib.uint8).sum(-1),
    "sum dtype": lambda lib: lib.tensor([1, 2]).sum(dtype=lib.float64),
    "sum empty": lambda lib: lib.zeros(0, 3).sum(0),
    "sum empty all": lambda lib: lib.zeros(0, 3).sum((0, 1)),
    "sum 0d dim 0": lambda lib: lib.tensor(2.0).sum(0),
    "sum 0d dim -1 keepdim": lambda lib: lib.tensor(2.0).sum(-1, keepdim=True),
    "sum 0d dim 1": lambda lib: lib.tensor(2.0).sum(1),
    "sum out of range": lambda lib: lib.zeros(2, 3).sum(2),
    "sum out of range negative": lambda lib: lib.zeros(2, 3).sum((0, -3)),
    "sum dim ()": lambda lib: lib.ones(2, 3).sum(()),
    "sum dim () keepdim": lambda lib: lib.ones(2, 3).sum((), keepdim=True),
    "mean empty": lambda lib: lib.zeros(0).mean(),
    "mean empty dim": lambda lib: lib.zeros(0, 3).mean(0),
    "mean dtype": lambda lib: lib.tensor([1, 2]).mean(dtype=lib.float64),
    "mean int": lambda lib: lib.tensor([1, 2]).mean(),
    "mean 0d": lambda lib: lib.tensor(2.0).mean(0),
    "mean dim ()": lambda lib: lib.ones(2, 3).mean(()),
    "prod empty": lambda lib: lib.zeros(0).prod(),
    "prod empty dim": lambda lib: lib.zeros(0, 3).prod(0),
    "prod bool": lambda lib: lib.tensor([True, True]).prod(),
    "prod int32": lambda lib: lib.tensor([2, 3], dtype=lib.int32).prod(),
    "prod dtype": lambda lib: lib.tensor([2, 3]).prod(dtype=lib.float64),
    "prod 0d": lambda lib: lib.tensor(2.0).prod(0),
    "prod out of range": lambda lib: lib.zeros(2).prod(1),
    # max / min / argmax / amax / amin / aminmax
    "max empty": lambda lib: lib.zeros(0).max(),
    "max empty dim": lambda lib: lib.zeros(0, 3).max(0),
    "max empty other dim": lambda lib: lib.zeros(0, 3).max(1),
    "max 0d dim": lambda lib: lib.tensor(2.0).max(0),
    "min 0d dim -1 keepdim": lambda lib: lib.tensor(2.0).min(-1, True),
    "max int": lambda lib: lib.tensor([1, 3]).max(),
    "max bool": lambda lib: lib.tensor([True, False]).max(),
    "max nan": lambda lib: lib.tensor([1.0, NAN, 3.0]).max(),
    "max nan dim": lambda lib: lib.tensor([1.0, NAN, 3.0]).max(0),
    "max out of range": lambda lib: lib.zeros(2, 3).max(-3),
    "amax tuple": lambda lib: lib.tensor([[1.0, 5.0], [3.0, 2.0]]).amax((0, 1)),
    "amax negative": lambda lib: lib.tensor([[1.0, 5.0], [3.0, 2.0]]).amax((-1,), keepdim=True),
    "amax empty": lambda lib: lib.zeros(0, 3).amax(),
    "amax empty other dim": lambda lib: lib.zeros(0, 3).amax(1),
    "amax empty dim": lambda lib: lib.zeros(0, 3).amax(0),
    "amin empty dims": lambda lib: lib.zeros(0, 3).amin((1, 0)),
    "amax 0d": lambda lib: lib.tensor(2.0).amax(0),
    "amax int": lambda lib: lib.tensor([1, 5]).amax(),
    "amin bool": lambda lib: lib.tensor([True, False]).amin(),
    "amax repeated dim": lambda lib: lib.zeros(2, 3).amax((1, -1)),
    "argmax empty": lambda lib: lib.zeros(0).argmax(),
    "argmax empty dim": lambda lib: lib.zeros(0, 2).argmax(0),
    "argmax 0d": lambda lib: lib.tensor(1.0).argmax(0),
    "argmin 0d keepdim": lambda lib: lib.tensor(1.0).argmin(-1, True),
    "argmax nan": lambda lib: lib.tensor([1.0, NAN, 5.0]).argmax(),
    "argmax out of range": lambda lib: lib.zeros(2).argmax(1),
    "argmax keepdim all": lambda lib: lib.zeros(2, 3).argmax(keepdim=True),
    "aminmax": lambda lib: lib.aminmax(lib.tensor(M)),
    "aminmax dim": lambda lib: lib.aminmax(lib.tensor(M), dim=1, keepdim=True),
    "aminmax negative dim": lambda lib: lib.tensor(M).aminmax(dim=-2),
    "aminmax empty": lambda lib: lib.aminmax(lib.zeros(0)),
    "aminmax empty dim": lambda lib: lib.aminmax(lib.zeros(0, 3), dim=0),
    "aminmax empty other dim": lambda lib: lib.aminmax(lib.zeros(0, 3), dim=1),
    "aminmax 0d": lambda lib: lib.tensor(1.0).aminmax(dim=0),
    "aminmax 0d keepdim": lambda lib: lib.tensor(1.0).aminmax(dim=-1, keepdim=True),
    "aminmax int": lambda lib: lib.tensor([1, 5]).aminmax(),
    "aminmax bool": lambda lib: lib.aminmax(lib.tensor([True, False])),
    "aminmax out of range": lambda lib: lib.aminmax(lib.zeros(2), dim=1),
    # any / all / count_nonzero
    "any int": lambda lib: lib.tensor([0, 2]).any(),
    "any float dim": lambda lib: lib.tensor([[0.0, 2.0], [0.0, 0.0]]).any(1),
    "any tuple keepdim": lambda lib: lib.tensor([[0.0, 2.0], [0.0, 0.0]]).any((0, 1), keepdim=True),
    "all negative dim": lambda lib: lib.all(lib.tensor([[1, 2], [0, 3]]), -2),
    "all uint8": lambda lib: lib.tensor([1, 2], dtype=lib.uint8).all(),
    "any uint8 dim": lambda lib: lib.tensor([[0, 2]], dtype=lib.uint8).any(1),
    "all empty": lambda lib: lib.zeros(0).all(),
    "any empty dim": lambda lib: lib.zeros(0, 2).any(0),
    "all 0d": lambda lib: lib.tensor(1.0).all(0),
    "all out of range": lambda lib: lib.zeros(2).all(1),
    "any nan": lambda lib: lib.tensor([NAN]).any(),
    "count_nonzero": lambda lib: lib.count_nonzero(lib.tensor([[0.0, 2.0], [0.0, 1.0]])),
    "count_nonzero tuple": lambda lib: lib.count_nonzero(lib.tensor([[0.0, 2.0], [0.0, 1.0]]), dim=(0, 1)),
    "count_nonzero negative": lambda lib: lib.tensor([[0.0, 2.0], [0.0, 1.0]]).count_nonzero(-1),
    "count_nonzero bool": lambda lib: lib.count_nonzero(lib.tensor([True, False])),
    "count_nonzero int": lambda lib: lib.tensor([[0, 3], [1, 1]]).count_nonzero(0),
    "count_nonzero out of range": lambda lib: lib.count_nonzero(lib.zeros(2), 1),
    "count_nonzero repeated": lambda lib: lib.count_nonzero(lib.zeros(2, 2), (0, 0)),
    "count_nonzero 0d": lambda lib: lib.count_nonzero(lib.tensor(3.0), 0),
    "count_nonzero empty": lambda lib: lib.count_nonzero(lib.zeros(0, 2), 0),
    # logsumexp / nansum / nanmean
    "logsumexp": lambda lib: lib.logsumexp(lib.tensor(M), 1),
    "logsumexp int": lambda lib: lib.logsumexp(lib.tensor([[1, 2], [3, 4]]), 1),
    "logsumexp bool": lambda lib: lib.logsumexp(lib.tensor([True]), 0),
    "logsumexp tuple keepdim": lambda lib: lib.tensor(M).logsumexp((0, -1), keepdim=True),
    "logsumexp empty": lambda lib: lib.logsumexp(lib.zeros(0, 2), 0),
    "logsumexp -inf": lambda lib: lib.logsumexp(lib.tensor([-INF, -INF]), 0),
    "logsumexp inf": lambda lib: lib.logsumexp(lib.tensor([INF, 1.0]), 0),
    "logsumexp large": lambda lib: lib.logsumexp(lib.tensor([1000.0, 1000.0]), 0),
    "logsumexp 0d": lambda lib: lib.logsumexp(lib.tensor(2.0), 0),
    "logsumexp out of range": lambda lib: lib.logsumexp(lib.zeros(2), 1),
    "nansum": lambda lib: lib.nansum(lib.tensor([1.0, NAN, 2.0])),
    "nansum int": lambda lib: lib.nansum(lib.tensor([1, 2])),
    "nansum bool": lambda lib: lib.nansum(lib.tensor([True])),
    "nansum dim keepdim": lambda lib: lib.tensor([[1.0, NAN], [2.0, 3.0]]).nansum(1, keepdim=True),
    "nansum dtype": lambda lib: lib.tensor([[1.0, NAN], [2.0, 3.0]]).nansum(dtype=lib.float64),
    "nansum empty": lambda lib: lib.nansum(lib.zeros(0, 2), 0),
    "nanmean": lambda lib: lib.nanmean(lib.tensor([1.0, NAN, 2.0])),
    "nanmean dim": lambda lib: lib.tensor([[1.0, NAN], [NAN, NAN]]).nanmean(1),
    "nanmean tuple keepdim": lambda lib: lib.tensor([[1.0, NAN], [4.0, NAN]]).nanmean((0, 1), keepdim=True),
    "nanmean dtype": lambda lib: lib.nanmean(lib.tensor([1.0, 2.0]), dtype=lib.float64),
    "nanmean int": lambda lib: lib.nanmean(lib.tensor([1, 2])),
    "nanmean empty": lambda lib: lib.nanmean(lib.zeros(0)),
    # var / std / var_mean / std_mean
    "var empty": lambda lib: lib.zeros(0).var(),
    "var one element": lambda lib: lib.zeros(1).var(),
    "var tuple": lambda lib: lib.arange(6.0).reshape(2, 3).var((0, 1), correction=0),
    "var unbiased keyword": lambda lib: lib.arange(6.0).reshape(2, 3).var(1, unbiased=False, keepdim=True),
    "var unbiased positional": lambda lib: lib.arange(6.0).reshape(2, 3).var(1, False, True),
    "var int": lambda lib: lib.tensor([1, 2]).var(),
    "var 0d": lambda lib: lib.tensor(1.0).var(0, correction=0),
    "std correction 2": lambda lib: lib.arange(6.0).std(correction=2),
    "std correction 0.5": lambda lib: lib.arange(6.0).std(correction=0.5),
    "std out of range": lambda lib: lib.zeros(2).std(1),
    "var_mean": lambda lib: lib.var_mean(lib.arange(6.0).reshape(2, 3), 1),
    "var_mean positional": lambda lib: lib.var_mean(lib.arange(6.0).reshape(2, 3), 1, False, True),
    "var_mean all": lambda lib: lib.var_mean(lib.tensor(M), correction=0),
    "std_mean": lambda lib: lib.std_mean(lib.arange(6.0).reshape(2, 3), (0, 1), correction=0, keepdim=True),
    "std_mean negative": lambda lib: lib.std_mean(lib.tensor(M), -1, unbiased=False),
    "var_mean int": lambda lib: lib.var_mean(lib.tensor([1, 2])),
    # norms
    "norm": lambda lib: lib.norm(lib.tensor(M)),
    "norm fro dim": lambda lib: lib.norm(lib.tensor(M), "fro", 1),
    "norm fro tuple keepdim": lambda lib: lib.norm(lib.tensor(M), "fro", (0, 1), True),
    "norm p": lambda lib: lib.tensor(M).norm(3, -1),
    "norm inf": lambda lib: lib.norm(lib.tensor(M), INF, 0),
    "norm -inf": lambda lib: lib.tensor(M).norm(p=-INF),
    "norm 0": lambda lib: lib.norm(lib.tensor([[1.0, 0.0], [2.0, 3.0]]), 0, 1),
    "norm 1 keepdim": lambda lib: lib.tensor(M).norm(1, 0, True),
    "norm dtype": lambda lib: lib.tensor(M).norm(dtype=lib.float64),
    "norm int": lambda lib: lib.norm(lib.tensor([3, 4])),
    "norm 0d": lambda lib: lib.norm(lib.tensor(-2.0), dim=0),
    "norm empty": lambda lib: lib.norm(lib.zeros(0, 3), dim=0),
    "norm inf empty": lambda lib: lib.norm(lib.zeros(0), INF),
    "vector_norm": lambda lib: lib.linalg.vector_norm(lib.tensor(M)),
    "vector_norm ord dim": lambda lib: lib.linalg.vector_norm(lib.tensor(M), 0.5, (0, -1), True),
    "vector_norm -1": lambda lib: lib.linalg.vector_norm(lib.tensor(M), -1, 1),
    "vector_norm 3d": lambda lib: lib.linalg.vector_norm(lib.ones(2, 2, 2), 2, (0, 2)),
    "vector_norm int": lambda lib: lib.linalg.vector_norm(lib.tensor([3, 4])),
    "vector_norm int dtype": lambda lib: lib.linalg.vector_norm(lib.tensor([3.0, 4.0]), dtype=lib.int64),
    "vector_norm float64": lambda lib: lib.linalg.vector_norm(lib.tensor([3.0, 4.0]), dtype=lib.float64),
    "vector_norm 0d": lambda lib: lib.linalg.vector_norm(lib.tensor(-3.0), dim=0),
    "vector_norm empty": lambda lib: lib.linalg.vector_norm(lib.zeros(0)),
    "vector_norm empty inf": lambda lib: lib.linalg.vector_norm(lib.zeros(0), INF),
    "vector_norm empty inf dim": lambda lib: lib.linalg.vector_norm(lib.zeros(0, 2), INF, 1),
    "vector_norm empty -inf dim": lambda lib: lib.linalg.vector_norm(lib.zeros(0, 2), -INF, (0, 1)),
    "vector_norm out of range": lambda lib: lib.linalg.vector_norm(lib.zeros(2), dim=1),
    "vector_norm str": lambda lib: lib.linalg.vector_norm(lib.zeros(2), "fro"),
    "linalg.norm": lambda lib: lib.linalg.norm(lib.tensor(M)),
    "linalg.norm 3d": lambda lib: lib.linalg.norm(lib.ones(2, 2, 2)),
    "linalg.norm fro": lambda lib: lib.linalg.norm(lib.tensor(M), "fro"),
    "linalg.norm fro dims": lambda lib: lib.linalg.norm(lib.ones(2, 2, 3), "fro", (0, -1), True),
    "linalg.norm inf": lambda lib: lib.linalg.norm(lib.tensor(M), INF),
    "linalg.norm -inf": lambda lib: lib.linalg.norm(lib.tensor(M), -INF),
    "linalg.norm 1": lambda lib: lib.linalg.norm(lib.tensor(M), 1),
    "linalg.norm -1 dims": lambda lib: lib.linalg.norm(lib.ones(2, 3, 4), -1, (2, 0)),
    "linalg.norm inf dims keepdim": lambda lib: lib.linalg.norm(lib.ones(2, 3, 4), INF, (0, 2), True),
    "linalg.norm vector": lambda lib: lib.linalg.norm(lib.tensor([3.0, -4.0]), 1),
    "linalg.norm dim": lambda lib: lib.linalg.norm(lib.tensor(M), 3, 1),
    "linalg.norm fro vector": lambda lib: lib.linalg.norm(lib.tensor([3.0, 4.0]), "fro"),
    "linalg.norm fro one dim": lambda lib: lib.linalg.norm(lib.tensor(M), "fro", 1),
    "linalg.norm ord 3d": lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), "fro"),
    "linalg.norm int": lambda lib: lib.linalg.norm(lib.tensor([3, 4])),
    "matrix_norm": lambda lib: lib.linalg.matrix_norm(lib.tensor(M)),
    "matrix_norm 1": lambda lib: lib.linalg.matrix_norm(lib.tensor(M), 1),
    "matrix_norm 1d": lambda lib: lib.linalg.matrix_norm(lib.tensor([1.0])),
    # scans
    "cumsum bool": lambda lib: lib.cumsum(lib.tensor([True, True]), 0),
    "cumsum int32": lambda lib: lib.tensor([1, 2], dtype=lib.int32).cumsum(0),
    "cumsum dtype": lambda lib: lib.cumsum(lib.tensor([1.0, 2.0]), dim=0, dtype=lib.int64),
    "cumsum 0d": lambda lib: lib.cumsum(lib.tensor(3), -1),
    "cumsum empty": lambda lib: lib.zeros(0, 2).cumsum(0),
    "cumsum out of range": lambda lib: lib.zeros(2, 3).cumsum(2),
    "cumprod int": lambda lib: lib.cumprod(lib.tensor([1, 2, 3]), 0),
    "cumprod bool": lambda lib: lib.cumprod(lib.tensor([True, False]), 0),
    "cumprod dtype": lambda lib: lib.tensor([1.0, 2.0]).cumprod(0, dtype=lib.float64),
    "cumprod out of range": lambda lib: lib.tensor(1.0).cumprod(1),
    "cummax ties": lambda lib: lib.cummax(lib.tensor([1.0, 3.0, 3.0, 2.0, 3.0]), 0),
    "cummin ties": lambda lib: lib.cummin(lib.tensor([[3.0, 1.0, 1.0], [2.0, 1.0, 2.0]]), -1),
    "cummax nan": lambda lib: lib.cummax(lib.tensor([1.0, NAN, 3.0, NAN]), 0),
    "cummax int": lambda lib: lib.tensor([1, 3, 2]).cummax(0),
    "cummax bool": lambda lib: lib.cummax(lib.tensor([True, False]), 0),
    "cummax 0d": lambda lib: lib.cummax(lib.tensor(2.0), 0),
    "cummin empty": lambda lib: lib.cummin(lib.zeros(0, 2), 0),
    "cummax out of range": lambda lib: lib.cummax(lib.tensor([1.0]), 1),
    "logcumsumexp": lambda lib: lib.logcumsumexp(lib.tensor([[1.0, 1000.0], [-INF, 2.0]]), 1),
    "logcumsumexp int": lambda lib: lib.logcumsumexp(lib.tensor([1, 2]), 0),
    "logcumsumexp 0d": lambda lib: lib.logcumsumexp(lib.tensor(2.0), 0),
    "logcumsumexp empty": lambda lib: lib.logcumsumexp(lib.zeros(0), 0),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_results_and_errors_match_torch(name):
    call = CALLS[name]
    assert outcome(call, mt) == outcome(call, torch)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: x.max(),
        lambda lib, x: x.max(1).values,
        lambda lib, x: lib.min(x, 0, keepdim=True).values,
        lambda lib, x: x.amax((0, 1)),
        lambda lib, x: x.amin(-1, keepdim=True),
        lambda lib, x: lib.aminmax(x)[0] * 2 + lib.aminmax(x)[1] * 3,
        lambda lib, x: x.aminmax(dim=0).max,
        lambda lib, x: lib.linalg.vector_norm(x, INF, 1),
        lambda lib, x: lib.norm(x, -INF),
        lambda lib, x: lib.linalg.norm(x, INF),
        lambda lib, x: lib.linalg.norm(x, 1),
        lambda lib, x: lib.cummax(x, 0).values,
        lambda lib, x: lib.cummin(x, 1).values,
        lambda lib, x: lib.cumprod(x - 1, 1),
    ],
)
def test_gradients_at_ties_and_zeros_match_torch(call):
    # repeated extremes: max/amax/aminmax/inf-norms share the gradient evenly, max(dim) gives it to
    # the first of the tied (its index), cummax's index moves
    # to the latest tie; cumprod of a slice with zeros in it
    data = [[2.0, 1.0, -2.0], [1.0, 2.0, 1.0], [2.0, -1.0, 1.0]]
    grads = []
    for lib in (torch, mt):
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        out = call(lib, x)
        upstream = np.arange(1.0, 1.0 + out.numel()).reshape(tuple(out.shape)) ** 1.5
        out.backward(lib.tensor(upstream))
        grads.append((x.grad.numpy(), out.grad_fn.name()))
    np.testing.assert_allclose(grads[1][0], grads[0][0], rtol=1e-12)
    assert grads[1][1] == grads[0][1]


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.zeros(1).std(),
        lambda lib: lib.zeros(0).var(),
        lambda lib: lib.var_mean(lib.zeros(2, 1), 1),
        lambda lib: lib.std_mean(lib.zeros(3), correction=3),
    ],
)
def test_variance_without_degrees_of_freedom_warns_as_torch(call):
    messages = []
    for lib in (torch, mt):
        with pytest.warns(UserWarning) as record:
            call(lib)
        messages.append(str(record[0].message).split(" (Triggered internally")[0])
    assert messages[1] == messages[0]


def test_named_results_of_reductions_and_scans():
    x = [[3.0, 1.0], [2.0, 5.0]]
    for name, call in {
        "max": lambda lib: lib.tensor(x).max(1),
        "min": lambda lib: lib.tensor(x).min(0),
        "aminmax": lambda lib: lib.aminmax(lib.tensor(x), dim=1),
        "cummax": lambda lib: lib.tensor(x).cummax(0),
        "cummin": lambda lib: lib.cummin(lib.tensor(x), 1),
    }.items():
        ours, theirs = call(mt), call(torch)
        assert type(ours).__name__ == type(theirs).__name__ == name
        assert repr(ours) == repr(theirs)
        first, second = ours
        assert first is ours[0] and second is ours[1]
    assert mt.aminmax(mt.tensor(x)).min.item() == 1.0 and mt.aminmax(mt.tensor(x)).max.item() == 5.0
    assert mt.cummax(mt.tensor(x), 0).indices.dtype == mt.int64


def test_in_place_scans_match_torch():
    for lib in (torch, mt):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        assert y.cumsum_(1) is y and y.grad_fn.name() == "CumsumBackward0"
        y.cumprod_(0)
        y.backward(lib.tensor([[1.0, -2.0], [0.5, 3.0]]))
        if lib is torch:
            expected = x.grad.numpy().copy()
    np.testing.assert_allclose(x.grad.numpy(), expected)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.cumsum(x, 0, dtype=lib.float64),
        lambda lib, x: x.cumprod(-1, dtype=lib.float64),
        lambda lib, x: x.mean(dtype=lib.float64),
        lambda lib, x: x.mean(1, dtype=lib.float64),
        lambda lib, x: x.prod(dtype=lib.float64),
        lambda lib, x: x.prod(0, True, dtype=lib.float64),
        lambda lib, x: x.sum((0, 1), dtype=lib.float64),
        lambda lib, x: lib.nansum(x, dtype=lib.float64),
        lambda lib, x: lib.linalg.vector_norm(x, 3, dtype=lib.float64),
        lambda lib, x: lib.norm(x, "fro", 1, dtype=lib.float64),
        lambda lib, x: lib.nanmean(x, 1),
        lambda lib, x: lib.linalg.norm(x, INF),
        lambda lib, x: lib.linalg.matrix_norm(x, -1),
        lambda lib, x: lib.logsumexp(x, -1),
    ],
)
def test_graphs_and_gradients_of_dtype_casts_match_torch(call):
    # dtype= computes in that dtype inside the op's own node (no ToCopyBackward0 before it, as in
    # torch), and the gradient comes back in the input's dtype
    data = [[1.0, -2.0, 3.0], [0.5, 2.0, -1.5]]
    results = []
    for lib in (torch, mt):
        x = lib.tensor(data, requires_grad=True)
        out = call(lib, x)
        out.backward(lib.ones_like(out) * 0.75)
        results.append((graph_signature(out.grad_fn), str(out.dtype), str(x.grad.dtype), x.grad.numpy()))
    assert results[1][:3] == results[0][:3]
    np.testing.assert_allclose(results[1][3], results[0][3], rtol=1e-5)


@pytest.mark.parametrize(
    "data, call",
    [
        ([[-INF, -INF], [1.0, 2.0]], lambda lib, x: lib.logsumexp(x, 1)),
        ([[INF, 1.0], [1.0, 2.0]], lambda lib, x: lib.logsumexp(x, 1)),
        ([0.0, 0.0, 2.0], lambda lib, x: lib.linalg.vector_norm(x, 0.5)),
        ([0.0, 1.0, 0.0], lambda lib, x: lib.linalg.vector_norm(x, -1)),
        ([0.0, 0.0, 0.0], lambda lib, x: lib.linalg.vector_norm(x, 3)),
        ([0.0, 0.0, 0.0], lambda lib, x: lib.linalg.vector_norm(x)),
        ([0.0, 0.0, 0.0], lambda lib, x: lib.linalg.vector_norm(x, INF)),
        ([0.0, 0.0], lambda lib, x: x.std()),
        ([1.0, NAN], lambda lib, x: x.median()),
        ([1.0, NAN, 2.0], lambda lib, x: x.nanmedian()),
        ([[NAN, NAN], [1.0, NAN]], lambda lib, x: x.nanmean(1)),
        ([0.0, 0.0, 3.0, 0.0], lambda lib, x: x.cumprod(0)),
    ],
)
def test_gradients_at_special_values_match_torch(data, call):
    # zeros under norms and std (torch takes 0 at the kinks), infinities in logsumexp, NaN in the
    # medians and nanmean, several zeros in cumprod
    grads = []
    for lib in (torch, mt):
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        out = call(lib, x)
        out.backward(lib.ones_like(out) * 1.5)
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)
