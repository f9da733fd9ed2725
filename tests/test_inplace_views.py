"""In-place writes into views reach the graph of the view's base, as in torch.

``v = y[1:3]; v.mul_(2)`` changes y, so y's grad_fn becomes CopySlices (around the
in-place op's node) and v's grad_fn is taken again from y (AsStridedBackward0). Each
case runs the same program in torch and here (float64) and compares the values, every
gradient (random upstream gradients), and the whole graph below the base: node names
and next_functions topology. Errors torch raises (views of leaves, views made in
no_grad mode, outputs of split/unbind) are compared by type and text.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minitorch_nn as mt
from reference.compare import graph_signature, raised

SHAPE = (4, 6)


def _version(t) -> int:
    assert isinstance(t._version, int)  # an int in both libraries
    return t._version


# view kinds, each of a (4, 6) tensor
VIEWS = {
    "slice": lambda t: t[1:3],
    "step_slice": lambda t: t[:, ::2],
    "select": lambda t: t[2],
    "select_method": lambda t: t.select(1, 3),
    "narrow": lambda t: t.narrow(1, 1, 3),
    "view": lambda t: t.view(3, 8),
    "reshape": lambda t: t.reshape(24),
    "flatten": lambda t: t.flatten(),
    "transpose": lambda t: t.transpose(0, 1),
    "t": lambda t: t.t(),
    "permute": lambda t: t.permute(1, 0),
    "unsqueeze": lambda t: t.unsqueeze(1),
    "none_index": lambda t: t[None, 1:],
    "mixed_index": lambda t: t[1:, 2],
    "unflatten": lambda t: t.unflatten(1, (2, 3)),
    "view_of_view": lambda t: t.t()[1:4],
    "view_of_view_of_view": lambda t: t.view(2, 12)[1].view(3, 4)[:, 1:],
    "squeeze": lambda t: t[1:2].squeeze(0),
    "movedim": lambda t: t.unflatten(1, (2, 3)).movedim(2, 0),
}

# in-place ops: f(lib, view, w) with w a 0-d leaf that requires grad
OPS = {
    "mul_scalar": lambda lib, v, w: v.mul_(2.5),
    "mul_tensor": lambda lib, v, w: v.mul_(w),
    "imul": lambda lib, v, w: v.__imul__(w * 1.5),
    "add_alpha": lambda lib, v, w: v.add_(w, alpha=2.0),
    "sub_": lambda lib, v, w: v.sub_(w * 3),
    "div_": lambda lib, v, w: v.div_(w + 2),
    "relu_": lambda lib, v, w: v.relu_(),
    "clamp_": lambda lib, v, w: v.clamp_(-0.3, 0.4),
    "clamp_min_": lambda lib, v, w: v.clamp_min_(0.1),
    "fill_number": lambda lib, v, w: v.fill_(1.5),
    "fill_tensor": lambda lib, v, w: v.fill_(w),
    "zero_": lambda lib, v, w: v.zero_(),
    "copy_": lambda lib, v, w: v.copy_(w.expand(*v.shape) * 2),
    "copy_broadcast": lambda lib, v, w: v.copy_(w),
    "neg_": lambda lib, v, w: v.neg_(),
    "exp_": lambda lib, v, w: v.exp_(),
    "pow_": lambda lib, v, w: v.pow_(2),
    "square_": lambda lib, v, w: v.square_(),
    "abs_": lambda lib, v, w: v.abs_(),
    "sigmoid_": lambda lib, v, w: v.sigmoid_(),
    "tanh_": lambda lib, v, w: v.tanh_(),
    "masked_fill_": lambda lib, v, w: v.masked_fill_(v > 0.2, 7.0),
    "setitem_first": lambda lib, v, w: v.__setitem__(0, w * 2),
    "setitem_all": lambda lib, v, w: v.__setitem__(Ellipsis, w),
}


def _inputs(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, SHAPE)
    x[np.abs(x) < 0.05] = 0.5  # away from relu/abs kinks
    x[np.abs(x - 0.4) < 0.05] = 0.6  # and clamp's bounds
    x[np.abs(x + 0.3) < 0.05] = -0.6
    return {
        "x": x,
        "w": np.array(rng.uniform(0.5, 1.5)),
        "r": rng.standard_normal(SHAPE),  # upstream gradient of the base
        "rv": rng.standard_normal(SHAPE[0] * SHAPE[1]),  # upstream gradient of the view, read after the write
    }


def _run(lib, program, data, read_view: bool):
    x = lib.tensor(data["x"], requires_grad=True)
    w = lib.tensor(data["w"], requires_grad=True)
    y = x * 1.25  # the base: a non-leaf
    v = program(lib, y, w)
    loss = (y * lib.tensor(data["r"])).sum()
    if read_view and v is not None:
        loss = loss + (v * lib.tensor(data["rv"][: v.numel()]).view(*v.shape)).sum()
    graph = (graph_signature(y.grad_fn), graph_signature(v.grad_fn) if v is not None else None)
    loss.backward()
    grads = [t.grad.detach().numpy().copy() if t.grad is not None else None for t in (x, w)]
    return y.detach().numpy().copy(), grads, graph


SAVED_VALUE_CHANGED = "one of the variables needed for gradient computation has been modified by an inplace operation"


def _check(program, seed: int = 0, read_view: bool = True, graph: bool = True, torch_may_refuse: bool = False) -> None:
    data = _inputs(seed)
    try:
        ty, tg, tgraph = _run(torch, program, data, read_view)
    except RuntimeError as e:
        # a later write changed a value an earlier node saved: torch refuses the backward, and so must we
        assert torch_may_refuse and SAVED_VALUE_CHANGED in str(e), e
        with pytest.raises(RuntimeError, match=SAVED_VALUE_CHANGED):
            _run(mt, program, data, read_view)
        return
    my, mg, mgraph = _run(mt, program, data, read_view)
    np.testing.assert_allclose(my, ty, rtol=1e-12, atol=1e-12)
    for name, a, b in zip("xw", mg, tg):
        if b is None:
            assert a is None or not np.any(a), f"grad of {name}: torch has none"
        else:
            assert a is not None, f"grad of {name} missing"
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"grad of {name}")
    if graph:
        assert mgraph == tgraph


def _one_write(view, op):
    def program(lib, y, w):
        v = VIEWS[view](y)
        OPS[op](lib, v, w)
        return v

    return program


# v[0] of a 1-D view is a 0-d write, which setitem_all covers: those pairs are left out
ONE_D_VIEWS = ("select", "select_method", "mixed_index", "reshape", "flatten")
ONE_WRITES = [
    (view, op) for view in sorted(VIEWS) for op in sorted(OPS) if not (op == "setitem_first" and view in ONE_D_VIEWS)
]


@pytest.mark.parametrize("view, op", ONE_WRITES)
def test_one_write_into_a_view_matches_torch(view, op):
    _check(_one_write(view, op), seed=zlib.crc32(f"{view}/{op}".encode()) % 1000)  # stable across runs


@pytest.mark.parametrize("view", ["slice", "transpose", "view_of_view", "select"])
def test_base_grad_fn_is_copyslices_and_view_as_strided(view):
    for lib in (torch, mt):
        x = lib.randn(*SHAPE, dtype=lib.float64, requires_grad=True)
        y = x * 2
        v = VIEWS[view](y)
        v.mul_(3)
        assert y.grad_fn.name().endswith("CopySlices")
        assert v.grad_fn.name() == "AsStridedBackward0"
        assert _version(v) == _version(y) == 1


CHAINS = {
    # two writes into the same view
    "twice": lambda lib, y, w: (lambda v: (v.mul_(w), v.add_(w * 2), v)[-1])(y[1:3]),
    # writes into two overlapping sibling views, then the first one is read
    "siblings": lambda lib, y, w: (lambda a, b: (a.mul_(w), b.relu_(), a)[-1])(y[:, 1:4], y[1:3]),
    # the base written in place after a view was taken: the view is read with the new values
    "base_then_view": lambda lib, y, w: (lambda v: (y.mul_(w), v)[-1])(y.t()[2:5]),
    # a view written, then the base written
    "view_then_base": lambda lib, y, w: (lambda v: (v.mul_(w), y.sub_(w), v)[-1])(y[2]),
    # a view of a view written, then the outer view written
    "inner_then_outer": lambda lib, y, w: (lambda o: (o[1].mul_(w), o.add_(1.0), o)[-1])(y.t()[1:]),
    # the view is used by an op before the write: its saved value must not change
    "use_then_write": lambda lib, y, w: (lambda v: (lib.exp(v).sum() * 0, v.mul_(w), v)[-1])(y[:2]),
    # a second view taken after the write
    "view_after_write": lambda lib, y, w: (lambda v: (v.mul_(w), y[1:3, 2:])[-1])(y[1:, 1:]),
    # copy_ of a value that depends on the base itself
    "copy_from_base": lambda lib, y, w: (lambda v: (v.copy_(y[2] + w), v)[-1])(y[0]),
    # setitem through a view of a view
    "setitem_in_view": lambda lib, y, w: (lambda v: (v.__setitem__((slice(1, 3), 0), w), v)[-1])(y.t()),
    # in-place on a view built by unsqueeze and indexed again
    "unsqueeze_select": lambda lib, y, w: (lambda v: (v[:, 0].clamp_(-0.2, 0.2), v)[-1])(y.unsqueeze(1)),
}


@pytest.mark.parametrize("name", sorted(CHAINS))
@pytest.mark.parametrize("read_view", [False, True])
def test_chains_of_writes_match_torch(name, read_view):
    _check(CHAINS[name], seed=7, read_view=read_view)


def test_write_into_view_of_base_without_grad():
    """The base needs no grad of its own: the written value brings it into the graph."""

    def program(lib, y, w):
        b = lib.zeros(*SHAPE, dtype=lib.float64)
        v = b[1:3, ::2]
        v.copy_(w.expand(*v.shape) + y[1:3, ::2])
        y.add_(b)
        return v

    _check(program)
    for lib in (torch, mt):
        b = lib.zeros(3, dtype=lib.float64)
        v = b[:2]
        w = lib.ones(2, dtype=lib.float64, requires_grad=True)
        v.add_(w)
        assert b.requires_grad and v.requires_grad and not b.is_leaf
        assert [n.name() if n else None for n, _ in b.grad_fn.next_functions][0] is None


def test_the_example_of_the_report():
    for lib in (torch, mt):
        x = lib.tensor([0.1, 0.2, 0.3, 0.4], dtype=lib.float64, requires_grad=True)
        y = x * 1
        y[:2].mul_(2)
        y.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0, 1.0, 1.0]


@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(VIEWS)), st.sampled_from(sorted(set(OPS) - {"setitem_first"}))),
        min_size=1,
        max_size=3,
    ),
    seed=st.integers(0, 10_000),
    read=st.booleans(),
)
def test_random_sequences_of_writes_match_torch(steps, seed, read):
    def program(lib, y, w):
        v = None
        for view, op in steps:
            v = VIEWS[view](y)
            OPS[op](lib, v, w)
        return v

    _check(program, seed=seed, read_view=read, torch_may_refuse=True)


def test_without_grad_mode_the_write_is_not_recorded_and_the_view_follows_later():
    def program(lib, y, w):
        v = y[1:3]
        with lib.no_grad():
            v.mul_(3)
        return v

    _check(program)


# ---- errors ------------------------------------------------------------------------------------------


def _leaf(lib):
    return lib.randn(4, 2, dtype=lib.float64, requires_grad=True)


def _no_grad_view(lib, derive=None, write=None, access=False):
    y = _leaf(lib) * 1
    with lib.no_grad():
        v = y[:2]
    if derive:
        v = derive(v)
    if write:
        write(y)
    return v if access and v.grad_fn is None else v.mul_(2)


def _grad_fn_after(lib, make, write):
    y = _leaf(lib) * 1
    v = make(y)
    write(y)
    return v.grad_fn


ERRORS = {
    "view_of_leaf_slice": lambda lib: _leaf(lib)[:2].mul_(2),
    "view_of_leaf_view": lambda lib: _leaf(lib).view(8).add_(1),
    "view_of_leaf_relu": lambda lib: _leaf(lib).t().relu_(),
    "view_of_leaf_setitem": lambda lib: _leaf(lib)[1].__setitem__(0, 1.0),
    "view_of_leaf_fill": lambda lib: _leaf(lib)[1].fill_(2.0),
    "view_of_leaf_zero": lambda lib: _leaf(lib)[1].zero_(),
    "view_of_leaf_copy": lambda lib: _leaf(lib)[1].copy_(lib.ones(2, dtype=lib.float64)),
    "leaf": lambda lib: _leaf(lib).mul_(2),
    "no_grad_view": lambda lib: _no_grad_view(lib),
    "no_grad_view_relu": lambda lib: (lambda v: v.relu_())(_no_grad_view(lib, write=None, access=True, derive=None)),
    "view_of_no_grad_view": lambda lib: _no_grad_view(lib, derive=lambda v: v[0]),
    "no_grad_view_base_written": lambda lib: _no_grad_view(lib, write=lambda y: y.mul_(2), access=True),
    "no_grad_view_of_no_grad_base": lambda lib: (
        lambda v: v.mul_(lib.ones(2, 2, dtype=lib.float64, requires_grad=True))
    )(_no_grad_of_plain(lib)),
    "split": lambda lib: (_leaf(lib) * 1).split(2)[0].mul_(2),
    "split_sizes": lambda lib: (_leaf(lib) * 1).split([1, 3])[1].add_(1),
    "chunk": lambda lib: (_leaf(lib) * 1).chunk(2)[1].relu_(),
    "unbind": lambda lib: (_leaf(lib) * 1).unbind(0)[2].zero_(),
    "view_of_split": lambda lib: (_leaf(lib) * 1).split(2)[0].view(4).mul_(2),
    "split_base_written": lambda lib: _grad_fn_after(lib, lambda y: y.split(2)[0], lambda y: y.mul_(2)),
    "expand": lambda lib: (_leaf(lib) * 1).expand(3, 4, 2).mul_(2),
}


def _no_grad_of_plain(lib):
    x = lib.randn(2, 2, dtype=lib.float64)
    with lib.no_grad():
        return x[:]


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_refused_writes_raise_torchs_errors(name):
    expected = raised(lambda: ERRORS[name](torch))
    assert expected is not None, "torch accepts this: the case is wrong"
    assert raised(lambda: ERRORS[name](mt)) == expected


def test_refused_write_changes_nothing():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        x[:2].mul_(2)
    assert x.tolist() == [1.0, 2.0, 3.0] and _version(x) == 0


def test_multi_output_views_written_without_grad_are_allowed():
    for lib in (torch, mt):
        x = lib.randn(4, 2)
        a, b = x.split(2)
        a.mul_(2)
        u = x.unbind(1)
        u[0].zero_()
        assert (x[:, 0] == 0).all()


def test_unbind_narrow_select_match_torch():
    data = _inputs(3)
    for dim in (0, 1, -1):
        outs = []
        for lib in (torch, mt):
            x = lib.tensor(data["x"], requires_grad=True)
            parts = x.unbind(dim)
            loss = sum((p * (i + 1.5)).sum() for i, p in enumerate(parts)) + (x.narrow(dim, 1, 2) ** 2).sum()
            loss = loss + x.select(dim, -1).sum()
            loss.backward()
            outs.append((x.grad.numpy().copy(), parts[0].grad_fn.name(), len(parts)))
        np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-12)
        assert outs[1][1:] == outs[0][1:]


# ---- scalar on the left: the graph's inputs in torch's order -------------------------------------------
@pytest.mark.parametrize(
    "expr",
    [
        lambda x: 2 + x,
        lambda x: 2 * x,
        lambda x: 2 - x,
        lambda x: 2 / x,
        lambda x: x + 2,
        lambda x: x - 2,
        lambda x: 2.5**x,
    ],
)
def test_scalar_on_the_left_builds_torchs_graph(expr):
    sigs = []
    for lib in (torch, mt):
        x = lib.tensor([0.5, 1.5], dtype=lib.float64, requires_grad=True)
        out = expr(x)
        sigs.append(graph_signature(out.grad_fn))
        g = lib.tensor([0.3, -1.2], dtype=lib.float64)
        out.backward(g)
        sigs.append(x.grad.tolist())
    assert sigs[2] == sigs[0]
    np.testing.assert_allclose(sigs[3], sigs[1], rtol=1e-12)


SECOND_WRITES = {"mul_": lambda y: y.mul_(2), "abs_": lambda y: y.abs_(), "view_mul_": lambda y: y[1:].mul_(2)}


@pytest.mark.parametrize("second", sorted(SECOND_WRITES))
def test_a_saved_output_written_again_refuses_backward_as_torch(second):
    # exp_ saves its own output; writing it again (directly or through a view) must make backward
    # refuse, not run on the new values (torch saves self, at the version after exp_)
    for lib in (torch, mt):
        x = lib.tensor([0.1, -0.2, 0.3, 0.4], dtype=lib.float64, requires_grad=True)
        y = x * 1
        y.exp_()
        SECOND_WRITES[second](y)
        with pytest.raises(RuntimeError, match=SAVED_VALUE_CHANGED):
            y.sum().backward()


def _split_output(lib):
    """Output 1 of a split: a view that may not be written in place (one of several views)."""
    x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    return (x * 1).split([1, 2])[1]


def _view_made_without_grad(lib):
    x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = x * 1
    with lib.no_grad():
        return y[1:]


SETITEM_INDEXES = {
    "int": 0,  # the write lands on a select of the view: torch's message names "Output 0 of Select"
    "slice": slice(0, 1),
    "none": None,
    "int_then_slice": (0, slice(1, 3)),
    "int_then_list": (0, [1, 2]),  # the select, then index_put_ into it
    "ellipsis": Ellipsis,  # no view taken: the message names the view itself
    "full_slice": slice(None),
    "list": [0],
}


@pytest.mark.parametrize("make", [_split_output, _view_made_without_grad], ids=["split", "no_grad_view"])
@pytest.mark.parametrize("index", list(SETITEM_INDEXES.values()), ids=list(SETITEM_INDEXES))
def test_setitem_into_a_forbidden_view_raises_torchs_message(make, index):
    def write(lib):
        view = make(lib)
        view[index] = 5.0

    theirs = raised(lambda: write(torch))
    assert theirs is not None and raised(lambda: write(mt)) == theirs
