"""Indexing and in-place writes build torch's whole graph, not only its root.

Reading ``x[index]`` is a chain of view nodes (one select, slice or unsqueeze per
step, whole-dim slices skipped except a lone slice, an alias when no step is
taken); ``x[index] = v`` is CopyBackwards or FillBackward3 when the write lands
on x itself and CopySlices when it lands on a view, with the value viewed
without its leading 1s and expanded as torch's ``copy_to`` does; ``fill_``,
``zero_`` and ``copy_`` are recorded too. Each case compares the full
``next_functions`` topology and every gradient with torch, and the errors'
types and texts.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from reference.compare import compare, graph_signature, make_inputs
from reference.registry import op

GRAPH_OPS = [
    "getitem_basic",
    "getitem_nonleaf",
    "setitem",
    "setitem_number",
    "setitem_mask",
    "fill_tensor",
    "fill_number",
    "zero_",
    "copy_",
]


@pytest.mark.parametrize("name", GRAPH_OPS)
@given(data=st.data())
def test_whole_graph_and_gradients_match_torch(name, data):
    info = op(name)
    sample = data.draw(info.sample(), label="sample")
    ours = info.call(mt, *make_inputs(mt, sample, np.float64), **sample.kwargs)
    theirs = info.call(torch, *make_inputs(torch, sample, np.float64), **sample.kwargs)
    assert (ours.grad_fn is None) == (theirs.grad_fn is None)
    if theirs.grad_fn is not None:
        assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)
    report = compare(info.call, sample, np.float64, info.tolerances)
    assert report.ok, f"{name} {sample}: {report}"


E = Ellipsis
# slices that keep a whole dim (skipped in a tuple) and ones that do not (a negative start never is)
SLICES = [slice(None), slice(0, None), slice(None, 9), slice(0, 9, 1), slice(-1, None), slice(-9, None)]
SLICES += [slice(0, 1), slice(1, None), slice(None, None, 2), slice(0, -1)]
INDICES = [E, (E,), 0, -1, (0,), (E, 0), (0, E), None, (None,), (E, None), (None, E, 0)]
INDICES += SLICES + [(s,) for s in SLICES] + [(slice(None), s) for s in SLICES] + [(s, slice(None)) for s in SLICES]


def _x(lib, shape):
    values = np.random.default_rng(0).uniform(-2, 2, size=shape)
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


def _fits(shape, index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return sum(1 for p in parts if p is not None and p is not E) <= len(shape)


CASES = [(shape, index) for shape in [(1,), (3,), (1, 1), (2, 3)] for index in INDICES if _fits(shape, index)]


@pytest.mark.parametrize("shape, index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_getitem_view_chain_matches_torch(shape, index):
    """e.g. x[-1:] on shape [1] is a slice (start -1 as written), x[(0:,)] an alias, x[0:] a slice."""
    ours, theirs = _x(mt, shape)[index], _x(torch, shape)[index]
    assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)


def _leaf(lib, values, dtype=None):
    return lib.tensor(values, dtype=dtype or lib.float64, requires_grad=True)


# value kind -> (lib, slots' shape) -> (the leaf whose gradient is compared or None, the value written)
VALUES = {
    "number": lambda lib, slots: (None, 2.5),
    "int": lambda lib, slots: (None, -1),
    "0d": lambda lib, slots: (None, lib.tensor(0.5, dtype=lib.float64)),
    "0d_grad": lambda lib, slots: _scaled(_leaf(lib, 0.5)),
    "0d_float32": lambda lib, slots: _scaled(_leaf(lib, 0.5, lib.float32)),
    "one": lambda lib, slots: _scaled(_leaf(lib, [0.5])),
    "slots": lambda lib, slots: _scaled(_leaf(lib, np.linspace(-1, 1, int(np.prod(slots))).reshape(slots))),
    "leading_ones": lambda lib, slots: _scaled(
        _leaf(lib, np.linspace(-1, 1, int(np.prod(slots))).reshape(1, 1, *slots))
    ),
    "row": lambda lib, slots: _scaled(_leaf(lib, np.linspace(-1, 1, slots[-1]) if slots else 0.5)),
}


def _scaled(leaf):
    return leaf, leaf * 2


def _slots(shape, index) -> tuple[int, ...]:
    return tuple(np.empty(shape)[index].shape)


def _setitem(lib, shape, index, value):
    x = _x(lib, shape)
    y = x * 1
    leaf, v = VALUES[value](lib, _slots(shape, index))
    y[index] = v
    g = np.random.default_rng(1).standard_normal(shape)
    y.backward(torch.from_numpy(g) if lib is torch else mt.tensor(g))
    grads = [x.grad.numpy()] + ([] if leaf is None else [leaf.grad.numpy()])
    return y, grads


@pytest.mark.parametrize("value", sorted(VALUES))
@pytest.mark.parametrize("shape, index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_setitem_graph_and_gradients_match_torch(shape, index, value):
    """FillBackward3 / CopyBackwards when no view step is taken (x[:] = 2.5 on any shape, x[...] = v),
    CopySlices otherwise; the value's View and Expand nodes as torch's copy_to makes them."""
    ours, ours_grads = _setitem(mt, shape, index, value)
    theirs, theirs_grads = _setitem(torch, shape, index, value)
    assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=0, atol=0)
    assert len(ours_grads) == len(theirs_grads)
    for a, e in zip(ours_grads, theirs_grads):
        np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, index", CASES, ids=[f"{s}-{i}" for s, i in CASES])
def test_setitem_without_graph_writes_what_torch_writes(shape, index):
    for value in ("number", "one", "leading_ones", "row"):
        results = []
        for lib in (mt, torch):
            x = lib.zeros(shape, dtype=lib.float64)
            v = VALUES[value](lib, _slots(shape, index))[1]
            x[index] = v.detach() if isinstance(v, lib.Tensor) else v
            results.append(np.asarray(x.numpy()))
        np.testing.assert_array_equal(results[0], results[1])


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.zeros(3)[:, :],
        lambda lib: lib.zeros(3)[0, :],
        lambda lib: lib.zeros(3)[..., 0, 0],
        lambda lib: lib.zeros(3)[None, :, :],
        lambda lib: lib.zeros(3)[lib.tensor([True, False, True]), 0],
        lambda lib: lib.zeros(())[0],
        lambda lib: lib.zeros(())[:],
        lambda lib: lib.zeros(2, 3)[0, 5],
        lambda lib: lib.zeros(2, 3)[..., -4],
        lambda lib: lib.zeros(2, 3)[..., None, 4],
        lambda lib: lib.zeros(2, 3).__setitem__((slice(None), 3), 1.0),
        lambda lib: lib.zeros(3).__setitem__(0, lib.ones(2)),
        lambda lib: lib.zeros(2, 3).__setitem__(slice(None), lib.ones(2)),
        lambda lib: lib.zeros(2, 3).__setitem__(0, lib.ones(3, 1)),
        lambda lib: lib.zeros(3).__setitem__([0, 1], lib.ones(3)),
        lambda lib: lib.zeros(3, requires_grad=True).__setitem__(0, 1.0),
        lambda lib: lib.zeros(3, requires_grad=True).__setitem__(slice(None), 1.0),
        lambda lib: lib.zeros(2, 3, requires_grad=True).__setitem__((slice(None), [0]), 1.0),
        lambda lib: lib.zeros(2, 3, requires_grad=True).__setitem__((0, [1]), 1.0),
        lambda lib: lib.zeros(3).fill_(lib.ones(2)),
        lambda lib: lib.zeros(3).copy_(lib.ones(1, 3)),
        lambda lib: lib.zeros(3).copy_(lib.ones(2)),
        lambda lib: (lib.zeros(3, requires_grad=True) * 1).copy_(lib.ones(1, 3)),
        lambda lib: lib.zeros(3, requires_grad=True).zero_(),
        lambda lib: lib.zeros(3, requires_grad=True).fill_(1.0),
    ],
)
def test_indexing_and_write_errors_match_torch(call):
    ours, theirs = _error(lambda: call(mt)), _error(lambda: call(torch))
    assert theirs is not None
    assert ours == theirs


def test_a_refused_write_leaves_the_leaf_as_it_was():
    x = mt.ones(3, requires_grad=True)
    for write in (lambda: x.__setitem__(0, 5.0), lambda: x.fill_(2.0), lambda: x.zero_(), lambda: x.copy_(mt.zeros(3))):
        with pytest.raises(RuntimeError, match="leaf Variable"):
            write()
        np.testing.assert_array_equal(x.detach().numpy(), np.ones(3))
    with mt.no_grad():
        x[0] = 5.0
    np.testing.assert_array_equal(x.detach().numpy(), [5.0, 1.0, 1.0])


# every kind of index entry, alone and mixed: torch takes the views of ints, slices and None first and
# indexes the last view with the arrays (so x[0, :, [1, 4]] is [4, 2], not NumPy's [2, 4])
ADVANCED = {
    "list": lambda lib: [0, 2, 0],
    "negative list": lambda lib: [-1, 0, -3],
    "int64 tensor": lambda lib: lib.tensor([0, 2, 2]),
    "int32 tensor": lambda lib: lib.tensor([0, 2, 2], dtype=lib.int32),
    "2-d tensor": lambda lib: lib.tensor([[0, 1], [2, 2]]),
    "int, list": lambda lib: (0, [1, 2, 1]),
    "list, int": lambda lib: ([1, 2, 1], 0),
    "list, slice": lambda lib: ([1, 2], slice(1, 3)),
    "slice, list": lambda lib: (slice(None), [0, 3, 3]),
    "int, slice, list": lambda lib: (0, slice(None), [1, 4]),
    "separated lists": lambda lib: ([0, 1], slice(None), [1, 4]),
    "separated broadcast": lambda lib: (lib.tensor([[0], [1]]), slice(1, None), lib.tensor([1, 4, 4])),
    "ellipsis, list": lambda lib: (Ellipsis, [0, 4]),
    "None, list": lambda lib: (None, [0, 1]),
    "list, None, int": lambda lib: ([0, 1], None, 2),
    "mask": lambda lib: lib.tensor([True, False, True]),
    "byte mask": lambda lib: lib.tensor([1, 0, 1], dtype=lib.uint8),
    "2-d mask": lambda lib: lib.tensor(np.random.default_rng(3).random((3, 4)) > 0.5),
    "mask, int": lambda lib: (lib.tensor([True, False, True]), 1),
    "slice, mask": lambda lib: (slice(None), lib.tensor([True, False, True, False])),
    "mask, list": lambda lib: (lib.tensor([True, False, True]), [0, 3]),
    "bool scalar": lambda lib: True,
    "false scalar": lambda lib: False,
    "0-d tensor, list": lambda lib: (lib.tensor(1), [0, 1]),
    "list of lists": lambda lib: [[0, 1], [1, 2]],
    "two lists": lambda lib: ([0, 2], [3, -1]),
    "three lists": lambda lib: ([0, 2], [3, -1], [4, 4]),
    "empty list": lambda lib: [],
    "empty tensor": lambda lib: lib.tensor([], dtype=lib.int64),
    "out of bounds": lambda lib: [0, 3],
    "out of bounds negative": lambda lib: [-4],
    "out of bounds second": lambda lib: (slice(None), [0], [9]),
    "float tensor": lambda lib: lib.tensor([0.0, 1.0]),
    "mask of the wrong shape": lambda lib: (Ellipsis, lib.tensor([True, False])),
    "too many": lambda lib: ([0], [0], [0], [0]),
    "arrays that do not broadcast": lambda lib: ([0, 1], [0, 1, 2]),
}


def test_byte_masks_read_and_write_as_torch():
    """A uint8 index is a (deprecated) mask when read and when a tensor is written through it; a scalar
    written through it is refused, as torch's masked_fill_ refuses it."""
    results = []
    for lib in (mt, torch):
        x = lib.tensor(np.arange(6.0).reshape(3, 2))
        mask = lib.tensor([1, 0, 1], dtype=lib.uint8)
        with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
            read = x[mask].numpy().copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x[mask] = lib.tensor([[-1.0, -2.0], [-3.0, -4.0]], dtype=x.dtype)
        refused = [_error(lambda x=x, m=mask, v=v: x.__setitem__(m, v)) for v in (2.5, lib.tensor(2.5))]
        results.append((read, x.numpy().copy(), refused))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][2] == results[1][2]


def _advanced(lib, make):
    """x[index], x[index] = 2.5 and x[index] = v * 2 (a 0-d v): graphs, values and gradients, or the error."""
    out = []
    for write in (None, "number", "tensor"):
        x = lib.tensor(np.random.default_rng(0).standard_normal((3, 4, 5)), requires_grad=True)
        v = lib.tensor(1.5, dtype=lib.float64, requires_grad=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if write is None:
                    y = x[make(lib)]
                else:
                    y = x * 1
                    y[make(lib)] = 2.5 if write == "number" else v * 2
        except Exception as e:  # noqa: BLE001 - the error itself is what is compared
            return type(e).__name__, str(e)
        g = np.random.default_rng(1).standard_normal(tuple(y.shape))
        y.backward(torch.from_numpy(g) if lib is torch else mt.tensor(g))
        grads = [None if t.grad is None else t.grad.numpy().copy() for t in (x, v)]
        out.append((graph_signature(y.grad_fn), y.detach().numpy().copy(), grads))
    return out


@pytest.mark.parametrize("make", ADVANCED.values(), ids=ADVANCED.keys())
def test_advanced_indexing_matches_torch(make):
    ours, theirs = _advanced(mt, make), _advanced(torch, make)
    if isinstance(theirs, tuple) or isinstance(ours, tuple):
        assert ours == theirs
        return
    for (o_graph, o_value, o_grads), (t_graph, t_value, t_grads) in zip(ours, theirs):
        assert o_graph == t_graph
        np.testing.assert_array_equal(o_value, t_value)
        for a, b in zip(o_grads, t_grads):
            assert (a is None) == (b is None)
            if b is not None:
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("index", [[0, 2], "mask", "mask in a tuple", (0, [1]), slice(0, 2)], ids=str)
@pytest.mark.parametrize("value", ["float32 [2, 2]", "float32 [2]", "float32 0-d", "int64 [2]", "number", "int64 0-d"])
def test_written_dtypes_as_torch(index, value):
    """Through integer arrays and masks torch's index_put_ wants the value in x's dtype (only a 0-d value
    through a lone mask is cast, by masked_fill_); basic indices cast any value."""
    results = []
    for lib in (mt, torch):
        mask = lib.tensor([True, False, True])
        idx = {"mask": mask, "mask in a tuple": (mask,)}.get(index, index) if isinstance(index, str) else index
        v = {
            "float32 [2, 2]": lib.ones(2, 2),
            "float32 [2]": lib.ones(2),
            "float32 0-d": lib.tensor(1.0),
            "int64 [2]": lib.ones(2, dtype=lib.int64),
            "number": 3,
            "int64 0-d": lib.tensor(2),
        }[value]
        x = lib.zeros(3, 2, dtype=lib.float64)
        results.append((_error(lambda x=x, i=idx, v=v: x.__setitem__(i, v)), x.numpy().copy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
