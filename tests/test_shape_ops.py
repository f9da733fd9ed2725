"""Shape and layout ops beyond the registry: view semantics, return types, errors, integer and bool inputs.

The registry (reference/registry/shape.py) checks values and gradients; here each case runs the same
program in torch and in minitorch_nn and compares what the registry cannot see: whether a result shares
storage and version counter with its input (a write through it lands in the base), writes into these
views under autograd, tuple / Size return types, error types and messages, and non-float dtypes.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch_nn as mt
from reference.compare import graph_signature, raised


def _base(lib):
    return lib.arange(60, dtype=lib.float64).reshape(3, 4, 5)


# ---- views: a write through the result changes the base, and the version counter is shared ---------
VIEWS = {
    "diagonal": lambda lib, x: x.diagonal(),
    "diagonal_offset": lambda lib, x: lib.diagonal(x, 1, 2, 0),
    "diagonal_negative": lambda lib, x: x.diagonal(offset=-1, dim1=-1, dim2=1),
    "as_strided": lambda lib, x: x.as_strided((2, 3), (7, 2)),
    "as_strided_offset": lambda lib, x: lib.as_strided(x, (4,), (3,), 5),
    "as_strided_of_view": lambda lib, x: x[1].as_strided((2, 2), (1, 5)),
    "as_strided_of_transpose": lambda lib, x: x.transpose(0, 2).as_strided((3,), (2,)),
    "split_with_sizes": lambda lib, x: lib.split_with_sizes(x, [1, 2])[1],
    "split_with_sizes_dim": lambda lib, x: x.split_with_sizes([3, 2], dim=-1)[0],
    "movedim": lambda lib, x: lib.movedim(x, (0, 1), (2, 0)),
    "moveaxis": lambda lib, x: x.moveaxis(-1, 0),
    "swapdims": lambda lib, x: lib.swapdims(x, 0, 2),
    "unflatten": lambda lib, x: x.unflatten(-1, (1, -1)),
    "ravel": lambda lib, x: x.ravel(),
    "tensor_split": lambda lib, x: x.tensor_split(2, dim=1)[1],
    "tensor_split_indices": lambda lib, x: lib.tensor_split(x, [1, 3], 2)[1],
    "hsplit": lambda lib, x: x.hsplit([1])[1],
    "vsplit": lambda lib, x: lib.vsplit(x, 3)[2],
    "dsplit": lambda lib, x: x.dsplit([2, 3])[0],
    "atleast_3d": lambda lib, x: lib.atleast_3d(x[0]),
    "atleast_2d": lambda lib, x: lib.atleast_2d(x[0, 0]),
    "squeeze_tuple": lambda lib, x: x[:1].squeeze((0, 1)),
}


def _write_through(lib, name):
    x = _base(lib)
    v = VIEWS[name](lib, x)
    before = x._version
    v.mul_(-1)
    return x.numpy().copy(), before, x._version, v._version


@pytest.mark.parametrize("name", VIEWS)
def test_view_shares_storage_and_version(name):
    tx, tb, tv, tvv = _write_through(torch, name)
    ox, ob, ov, ovv = _write_through(mt, name)
    np.testing.assert_array_equal(ox, tx)
    assert (ob, ov, ovv) == (tb, tv, tvv)
    assert ov == ovv == ob + 1


def test_diagonal_reads_the_base_storage():
    x = mt.zeros(3, 3)
    d = x.diagonal()
    x[1, 1] = 7.0
    assert d.tolist() == [0.0, 7.0, 0.0]
    d[2] = 4.0
    assert x[2, 2].item() == 4.0
    assert d._version == x._version == 2


COPIES = {
    "flip": lambda lib, x: x.flip(0),
    "fliplr": lambda lib, x: lib.fliplr(x),
    "roll": lambda lib, x: x.roll(1),
    "rot90": lambda lib, x: x.rot90(),
    "tril": lambda lib, x: x.tril(),
    "diag": lambda lib, x: lib.diag(x[0]),
    "narrow_copy": lambda lib, x: x.narrow_copy(1, 0, 2),
    "tile": lambda lib, x: x.tile(1),
    "repeat_interleave": lambda lib, x: x.repeat_interleave(1, dim=0),
    "hstack": lambda lib, x: lib.hstack([x]),
}


@pytest.mark.parametrize("name", COPIES)
def test_copies_do_not_write_back(name):
    for lib in (torch, mt):
        x = _base(lib)
        y = COPIES[name](lib, x)
        y.mul_(-1)
        assert x._version == 0 and float(x.min()) == 0.0


def test_contiguous_results_of_copies():
    x = mt.arange(12.0).reshape(3, 4)
    for y in (x.flip(0, 1), x.rot90(), x.narrow_copy(1, 1, 2), mt.diag(x)):
        assert y.is_contiguous()
        assert all(s >= 0 for s in y.stride())


# ---- in-place writes into the new views under autograd ---------------------------------------------
GRAPH_WRITES = {
    "diagonal": lambda lib, y, w: y.diagonal().mul_(w),
    "diagonal_offset": lambda lib, y, w: y.diagonal(-1, 1, 0).add_(w),
    "as_strided": lambda lib, y, w: y.as_strided((2, 2), (5, 1), 1).mul_(w),
    "tensor_split_piece": lambda lib, y, w: y.tensor_split(2, 1)[0].mul_(w),
    "movedim": lambda lib, y, w: y.movedim(0, 1)[1].mul_(w),
    "ravel": lambda lib, y, w: y.ravel()[3:].mul_(w),
    "tril_": lambda lib, y, w: y.tril_(1),
    "triu_of_view": lambda lib, y, w: y[1:].triu_(),
}


def _graph_program(lib, name):
    rng = np.random.default_rng(len(name))
    x = lib.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    w = lib.tensor(1.5, dtype=lib.float64, requires_grad=True)
    y = x * 1.25
    GRAPH_WRITES[name](lib, y, w)
    r = lib.tensor(rng.standard_normal((4, 5)))
    signature = graph_signature(y.grad_fn)
    (y * r).sum().backward()
    return y.detach().numpy().copy(), x.grad.numpy().copy(), None if w.grad is None else w.grad.item(), signature


@pytest.mark.parametrize("name", GRAPH_WRITES)
def test_inplace_through_new_views_matches_torch(name):
    ty, tgx, tgw, tsig = _graph_program(torch, name)
    oy, ogx, ogw, osig = _graph_program(mt, name)
    np.testing.assert_allclose(oy, ty, rtol=1e-12)
    np.testing.assert_allclose(ogx, tgx, rtol=1e-12)
    assert (ogw is None) == (tgw is None) and (ogw is None or abs(ogw - tgw) < 1e-10)
    assert osig == tsig


def test_view_grad_fn_after_base_write():
    """A diagonal read after its base was written takes its grad_fn from the base again (AsStridedBackward0)."""
    for lib in (torch, mt):
        x = lib.ones(3, 3, dtype=lib.float64, requires_grad=True)
        y = x * 2
        d = y.diagonal()
        y.mul_(3)
        assert d.grad_fn.name() == "AsStridedBackward0"
        d.sum().backward()
        assert x.grad.tolist() == [[6.0, 0, 0], [0, 6.0, 0], [0, 0, 6.0]]


def _split_write(lib):
    x = lib.ones(4, 2, requires_grad=True)
    lib.split_with_sizes(x * 1, [1, 3])[0].mul_(2)


def test_split_with_sizes_outputs_refuse_inplace_with_grad():
    assert raised(lambda: _split_write(mt)) == raised(lambda: _split_write(torch)) is not None


# ---- return types -------------------------------------------------------------------------------------
RETURNS = {
    "split_with_sizes": lambda lib, x: lib.split_with_sizes(x, [1, 2]),
    "tensor_split": lambda lib, x: x.tensor_split(2),
    "hsplit": lambda lib, x: lib.hsplit(x, 2),
    "vsplit": lambda lib, x: x.vsplit([1]),
    "dsplit": lambda lib, x: x.dsplit(5),
    "meshgrid": lambda lib, x: lib.meshgrid(x[0, 0], x[0, :, 0], indexing="ij"),
    "meshgrid_list": lambda lib, x: lib.meshgrid([x[0, 0], x[0, :, 0]], indexing="xy"),
    "broadcast_tensors": lambda lib, x: lib.broadcast_tensors(x, x[0]),
    "broadcast_tensors_none": lambda lib, x: lib.broadcast_tensors(),
    "atleast_1d_many": lambda lib, x: lib.atleast_1d(x, x[0, 0, 0]),
    "atleast_2d_list": lambda lib, x: lib.atleast_2d([x[0, 0]]),
    "atleast_3d_none": lambda lib, x: lib.atleast_3d(),
    "atleast_1d_one": lambda lib, x: lib.atleast_1d(x[0, 0, 0]),
}


def _kind(out):
    if isinstance(out, tuple):
        return ("tuple", [_kind(o) for o in out])
    return ("tensor", list(out.shape), str(out.dtype).replace("torch.", ""))


@pytest.mark.parametrize("name", RETURNS)
def test_return_types(name):
    assert _kind(RETURNS[name](mt, _base(mt))) == _kind(RETURNS[name](torch, _base(torch)))


def test_same_tensor_returned_where_torch_returns_it():
    for lib in (torch, mt):
        m, v = lib.ones(3, 4), lib.ones(4)
        assert lib.broadcast_tensors(m, v)[0] is m
        assert lib.atleast_1d(v) is v and lib.atleast_2d(m) is m
        assert lib.atleast_3d(lib.ones(1, 2, 3, 4)).shape == (1, 2, 3, 4)


def test_broadcast_shapes():
    for shapes in [((2,), (3, 1), (1, 1, 1)), ((1, 3), (2, 1), 3), (), ((),), (5, (5,)), ((0, 1), (3,)), ([2, 1], [1])]:
        ours, theirs = mt.broadcast_shapes(*shapes), torch.broadcast_shapes(*shapes)
        assert isinstance(ours, mt.Size) and tuple(ours) == tuple(theirs)


def test_meshgrid_without_indexing_warns_as_torch():
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        grids = mt.meshgrid(mt.arange(3), mt.arange(2))
    assert [list(g.shape) for g in grids] == [[3, 2], [3, 2]]


def test_repeat_interleave_of_repeats_alone():
    for repeats in ([1, 2, 3], [0, 0], [], [2]):
        r = np.array(repeats, dtype=np.int64)
        ours = mt.repeat_interleave(mt.tensor(r))
        theirs = torch.repeat_interleave(torch.tensor(r))
        assert ours.tolist() == theirs.tolist() and str(ours.dtype) == str(theirs.dtype)


# ---- errors: type and message as torch's --------------------------------------------------------------
def _m(lib):
    return lib.zeros(3, 4)


ERRORS = {
    "flip_repeated": lambda lib: _base(lib).flip(0, -3),
    "flip_out_of_range": lambda lib: _base(lib).flip(3),
    "flip_int_dims": lambda lib: lib.flip(_base(lib), 1),
    "fliplr_1d": lambda lib: lib.zeros(3).fliplr(),
    "flipud_0d": lambda lib: lib.flipud(lib.tensor(1.0)),
    "diagonal_same_dims": lambda lib: _base(lib).diagonal(0, 1, -2),
    "diagonal_out_of_range": lambda lib: _base(lib).diagonal(0, 0, 3),
    "diagonal_1d": lambda lib: lib.zeros(4).diagonal(),
    "split_with_sizes_sum": lambda lib: _base(lib).split_with_sizes([1, 1]),
    "split_with_sizes_negative": lambda lib: _base(lib).split_with_sizes([4, -1]),
    "split_with_sizes_int": lambda lib: lib.split_with_sizes(_base(lib), 3),
    "as_strided_negative_stride": lambda lib: _base(lib).as_strided((2,), (-1,)),
    "as_strided_lengths": lambda lib: _base(lib).as_strided((2, 2), (1,)),
    "as_strided_out_of_bounds": lambda lib: _base(lib).as_strided((100,), (1,)),
    "as_strided_offset_out_of_bounds": lambda lib: _base(lib).as_strided((2,), (1,), 59),
    "as_strided_negative_offset": lambda lib: _base(lib).as_strided((2,), (1,), -1),
    "as_strided_negative_size": lambda lib: _base(lib).as_strided((-2,), (1,)),
    "roll_misaligned": lambda lib: _base(lib).roll((1, 2), 0),
    "roll_many_shifts_no_dims": lambda lib: _base(lib).roll((1, 2)),
    "roll_out_of_range": lambda lib: _base(lib).roll(1, 3),
    "roll_0d_dim": lambda lib: lib.tensor(1.0).roll(1, 0),
    "roll_no_shifts": lambda lib: _base(lib).roll((), ()),
    "rot90_1d": lambda lib: lib.zeros(4).rot90(),
    "rot90_three_dims": lambda lib: _m(lib).rot90(1, [0, 1, 1]),
    "rot90_same_dims": lambda lib: _m(lib).rot90(1, [1, -1]),
    "rot90_out_of_range": lambda lib: _m(lib).rot90(1, [0, 2]),
    "tril_1d": lambda lib: lib.zeros(4).tril(),
    "triu_0d": lambda lib: lib.triu(lib.tensor(1.0)),
    "tril_leaf_inplace": lambda lib: lib.ones(2, 2, requires_grad=True).tril_(),
    "diag_3d": lambda lib: _base(lib).diag(),
    "diag_0d": lambda lib: lib.diag(lib.tensor(1.0)),
    "diag_embed_same_dims": lambda lib: lib.zeros(4).diag_embed(0, 0, 0),
    "diag_embed_out_of_range": lambda lib: lib.zeros(4).diag_embed(0, 0, 2),
    "diag_embed_0d": lambda lib: lib.tensor(1.0).diag_embed(),
    "tile_negative": lambda lib: _m(lib).tile(-1),
    "repeat_negative": lambda lib: _m(lib).repeat(1, -2),
    "repeat_interleave_negative": lambda lib: _m(lib).repeat_interleave(-1),
    "repeat_interleave_negative_tensor": lambda lib: lib.zeros(4).repeat_interleave(lib.tensor([1, -1, 1, 1])),
    "repeat_interleave_2d_repeats": lambda lib: lib.zeros(4).repeat_interleave(lib.ones(2, 2, dtype=lib.int64)),
    "repeat_interleave_size": lambda lib: lib.zeros(4).repeat_interleave(lib.tensor([1, 2])),
    "repeat_interleave_float": lambda lib: lib.zeros(4).repeat_interleave(lib.tensor([1.0, 2.0, 1.0, 1.0])),
    "repeat_interleave_output_size": lambda lib: lib.zeros(4).repeat_interleave(
        lib.tensor([1, 2, 1, 1]), output_size=4
    ),
    "repeat_interleave_int_output_size": lambda lib: _m(lib).repeat_interleave(2, output_size=20),
    "repeat_interleave_alone_2d": lambda lib: lib.repeat_interleave(lib.tensor([[1, 2]])),
    "repeat_interleave_alone_float": lambda lib: lib.repeat_interleave(lib.tensor([1.0, 2.0])),
    "repeat_interleave_out_of_range": lambda lib: lib.zeros(4).repeat_interleave(2, dim=1),
    "broadcast_to_fewer": lambda lib: _m(lib).broadcast_to((3,)),
    "broadcast_to_mismatch": lambda lib: lib.broadcast_to(_m(lib), (2, 4)),
    "broadcast_tensors_mismatch": lambda lib: lib.broadcast_tensors(_m(lib), lib.zeros(3)),
    "broadcast_shapes_mismatch": lambda lib: lib.broadcast_shapes((3,), (4,)),
    "broadcast_shapes_mismatch_2d": lambda lib: lib.broadcast_shapes((2, 3), (3, 2)),
    "broadcast_shapes_negative": lambda lib: lib.broadcast_shapes((-1,)),
    "meshgrid_indexing": lambda lib: lib.meshgrid(lib.zeros(2), indexing="ab"),
    "meshgrid_empty": lambda lib: lib.meshgrid(indexing="ij"),
    "meshgrid_dtypes": lambda lib: lib.meshgrid(lib.zeros(2), lib.arange(3), indexing="ij"),
    "meshgrid_dtypes_before_ranks": lambda lib: lib.meshgrid(
        lib.zeros(2, dtype=lib.float64), lib.zeros(2, 2), indexing="ij"
    ),
    "broadcast_tensors_list": lambda lib: lib.broadcast_tensors([lib.zeros(2, 1), lib.zeros(3)]),
    "movedim_lengths": lambda lib: _base(lib).movedim((0, 1), (1,)),
    "movedim_repeated_source": lambda lib: _base(lib).movedim((0, 0), (1, 2)),
    "movedim_repeated_destination": lambda lib: lib.movedim(_base(lib), (0, 1), (2, -1)),
    "movedim_out_of_range": lambda lib: lib.moveaxis(_base(lib), 3, 0),
    "unflatten_product": lambda lib: _base(lib).unflatten(1, (3, 2)),
    "unflatten_zero_product": lambda lib: _base(lib).unflatten(1, (0, -1)),
    "unflatten_negative_dim": lambda lib: _base(lib).unflatten(-2, (3, -1)),
    "unflatten_empty_sizes": lambda lib: _base(lib).unflatten(1, ()),
    "unflatten_out_of_range": lambda lib: _base(lib).unflatten(3, (2, 2)),
    "hstack_empty": lambda lib: lib.hstack([]),
    "vstack_empty": lambda lib: lib.vstack([]),
    "row_stack_empty": lambda lib: lib.row_stack([]),
    "dstack_empty": lambda lib: lib.dstack([]),
    "column_stack_empty": lambda lib: lib.column_stack([]),
    "hstack_ranks": lambda lib: lib.hstack([_m(lib), lib.zeros(4)]),
    "tensor_split_0d": lambda lib: lib.tensor(1.0).tensor_split(2),
    "tensor_split_no_sections": lambda lib: _base(lib).tensor_split(0),
    "tensor_split_float_tensor": lambda lib: _base(lib).tensor_split(lib.tensor([1.0])),
    "tensor_split_2d_tensor": lambda lib: _base(lib).tensor_split(lib.ones(2, 2, dtype=lib.int64)),
    "tensor_split_out_of_range": lambda lib: lib.tensor_split(_base(lib), 2, 3),
    "hsplit_indivisible": lambda lib: _base(lib).hsplit(3),
    "hsplit_zero": lambda lib: lib.hsplit(_base(lib), 0),
    "hsplit_0d": lambda lib: lib.tensor(1.0).hsplit(1),
    "vsplit_1d": lambda lib: lib.zeros(4).vsplit(2),
    "vsplit_indivisible": lambda lib: lib.vsplit(_base(lib), 2),
    "dsplit_2d": lambda lib: _m(lib).dsplit(2),
    "dsplit_indivisible": lambda lib: _base(lib).dsplit(2),
    "narrow_copy_past_end": lambda lib: _base(lib).narrow_copy(1, 3, 2),
    "narrow_copy_dim": lambda lib: _base(lib).narrow_copy(3, 0, 1),
    "narrow_copy_negative_dim": lambda lib: _base(lib).narrow_copy(-4, 0, 1),
    "narrow_copy_0d": lambda lib: lib.tensor(1.0).narrow_copy(0, 0, 1),
    "narrow_copy_negative_length": lambda lib: _base(lib).narrow_copy(1, 0, -1),
    "squeeze_out_of_range": lambda lib: _base(lib).squeeze(3),
    "squeeze_tuple_out_of_range": lambda lib: _base(lib).squeeze((0, 3)),
    "squeeze_negative_out_of_range": lambda lib: _base(lib).squeeze(-4),
    "view_invalid": lambda lib: lib.zeros(6).view(2, 5),
    "reshape_invalid": lambda lib: lib.zeros(6).reshape(2, 5),
    "view_two_inferred": lambda lib: lib.zeros(6).view(-1, -1),
    "view_negative": lambda lib: lib.zeros(6).view(-2, 3),
    "view_ambiguous": lambda lib: lib.zeros(0).view(0, -1),
    "view_zero_times_inferred": lambda lib: lib.zeros(4).view(0, -1),
    "view_non_contiguous": lambda lib: _m(lib).t().view(12),
    "t_3d": lambda lib: _base(lib).t(),
    "unsqueeze_out_of_range": lambda lib: _base(lib).unsqueeze(4),
    "unsqueeze_negative_out_of_range": lambda lib: _base(lib).unsqueeze(-5),
    "transpose_out_of_range": lambda lib: _base(lib).transpose(0, 3),
    "permute_out_of_range": lambda lib: _base(lib).permute(0, 1, 3),
    "permute_length": lambda lib: _base(lib).permute(0, 1),
    "permute_repeated": lambda lib: _base(lib).permute(0, 1, 1),
    "broadcast_write": lambda lib: lib.zeros(3).broadcast_to(2, 3).mul_(2),
    "meshgrid_write": lambda lib: lib.meshgrid(lib.zeros(3), lib.zeros(2), indexing="ij")[0].add_(1),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    theirs = raised(lambda: ERRORS[name](torch))
    assert theirs is not None
    assert raised(lambda: ERRORS[name](mt)) == theirs


def test_meshgrid_rank_error():
    kind, message = raised(lambda: mt.meshgrid(mt.zeros(2, 2), indexing="ij"))
    assert kind == "RuntimeError"
    assert message.startswith("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got:")


# ---- integer and bool tensors, empty and 0-d tensors ----------------------------------------------------
VALUES = {
    "flip": lambda lib, x: lib.flip(x, (0, -1)),
    "flip_0d": lambda lib, x: x[0, 0].flip(()),
    "fliplr": lambda lib, x: x.fliplr(),
    "flipud": lambda lib, x: lib.flipud(x),
    "roll": lambda lib, x: x.roll((1, -1), (0, 1)),
    "roll_flat": lambda lib, x: lib.roll(x, 5),
    "roll_0d": lambda lib, x: x[0, 0].roll(2),
    "rot90": lambda lib, x: x.rot90(3, (1, 0)),
    "tril": lambda lib, x: x.tril(-1),
    "triu": lambda lib, x: lib.triu(x, 1),
    "tril_": lambda lib, x: x.clone().tril_(),
    "triu_": lambda lib, x: x.clone().triu_(2),
    "diagonal": lambda lib, x: x.diagonal(1),
    "diag_vector": lambda lib, x: lib.diag(x[0], -1),
    "diag_matrix": lambda lib, x: x.diag(1),
    "diag_embed": lambda lib, x: x.diag_embed(1, 0, 2),
    "as_strided": lambda lib, x: x.as_strided((2, 2), (1, 1)),
    "narrow_copy": lambda lib, x: x.narrow_copy(-1, 1, 2),
    "tile": lambda lib, x: lib.tile(x, (2, 1, 1)),
    "repeat_interleave": lambda lib, x: x.repeat_interleave(2, dim=1),
    "repeat_interleave_flat": lambda lib, x: lib.repeat_interleave(x, 2),
    "repeat_interleave_tensor": lambda lib, x: x.repeat_interleave(lib.tensor([0, 2, 1]), dim=0),
    "broadcast_to": lambda lib, x: x.broadcast_to(2, 3, 4),
    "meshgrid": lambda lib, x: lib.meshgrid(x[0], x[1, :2], indexing="xy"),
    "hstack": lambda lib, x: lib.hstack([x, x[:, :1]]),
    "vstack": lambda lib, x: lib.vstack([x, x[0]]),
    "dstack": lambda lib, x: lib.dstack([x, x]),
    "column_stack": lambda lib, x: lib.column_stack([x, x[:, 0]]),
    "tensor_split": lambda lib, x: lib.tensor_split(x, [1, -1], dim=1),
    "ravel": lambda lib, x: x.t().ravel(),
    "movedim": lambda lib, x: x.movedim(0, 1),
    "unflatten": lambda lib, x: x.unflatten(1, (2, 2)),
}

DTYPES = {"int64": np.int64, "int32": np.int32, "bool": np.bool_, "float64": np.float64}


def _values(lib, name, kind):
    x = np.arange(12).reshape(3, 4) % 5
    t = lib.tensor(x.astype(DTYPES[kind]))
    out = VALUES[name](lib, t)
    outs = out if isinstance(out, tuple) else (out,)
    return [(o.numpy().copy(), str(o.dtype).split(".")[-1], o.requires_grad) for o in outs]


@pytest.mark.parametrize("kind", DTYPES)
@pytest.mark.parametrize("name", VALUES)
def test_non_float_values_match_torch(name, kind):
    ours, theirs = _values(mt, name, kind), _values(torch, name, kind)
    assert len(ours) == len(theirs)
    for (a, da, ga), (b, db, gb) in zip(ours, theirs):
        assert a.shape == b.shape and da == db and ga == gb
        np.testing.assert_array_equal(a, b)


EMPTY = {
    "flip": lambda lib, x: x.flip(0, 1),
    "roll": lambda lib, x: x.roll(2, 1),
    "rot90": lambda lib, x: x.rot90(),
    "tril": lambda lib, x: x.tril(),
    "diagonal": lambda lib, x: x.diagonal(),
    "diag": lambda lib, x: lib.diag(x),
    "diag_embed": lambda lib, x: x.diag_embed(),
    "as_strided": lambda lib, x: x.as_strided((0, 2), (1, 1)),
    "tile": lambda lib, x: x.tile(2, 2),
    "repeat_interleave": lambda lib, x: x.repeat_interleave(3, 1),
    "tensor_split": lambda lib, x: x.tensor_split(2, 1),
    "hstack": lambda lib, x: lib.hstack([x, x]),
    "movedim": lambda lib, x: lib.movedim(x, 0, 1),
    "ravel": lambda lib, x: x.ravel(),
    "meshgrid": lambda lib, x: lib.meshgrid(x.ravel(), lib.zeros(2, dtype=lib.float64), indexing="ij"),
}


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
@pytest.mark.parametrize("name", EMPTY)
def test_empty_tensors(name, shape):
    results = []
    for lib in (torch, mt):
        x = lib.zeros(*shape, dtype=lib.float64, requires_grad=True)
        out = EMPTY[name](lib, x)
        outs = out if isinstance(out, tuple) else (out,)
        results.append([list(o.shape) for o in outs])
        for o in outs:
            if o.requires_grad:
                (o * 1).sum().backward(retain_graph=True)
        assert x.grad is None or x.grad.shape == x.shape
    assert results[0] == results[1]


# ---- the ways torch lets each op be called: keywords, varargs, one sequence, 0-d tensors ----------------
CALLS = {
    "flip_keyword": lambda lib, x, s: x.flip(dims=(0,)),
    "flip_function_keyword": lambda lib, x, s: lib.flip(x, dims=[1, -1]),
    "tile_keyword": lambda lib, x, s: x.tile(dims=(2,)),
    "tile_function_keyword": lambda lib, x, s: lib.tile(x, dims=(2, 1, 1, 1)),
    "broadcast_to_keyword": lambda lib, x, s: x.broadcast_to(size=(2, 2, 3, 4)),
    "broadcast_to_function_keyword": lambda lib, x, s: lib.broadcast_to(x, size=(2, 2, 3, 4)),
    "permute_keyword": lambda lib, x, s: x.permute(dims=(2, 0, 1)),
    "permute_function": lambda lib, x, s: lib.permute(x, (2, 0, 1)),
    "repeat_keyword": lambda lib, x, s: x.repeat(repeats=(1, 2, 1)),
    "expand_keyword": lambda lib, x, s: x[0].expand(size=(2, 3, 4)),
    "reshape_keyword": lambda lib, x, s: x.reshape(shape=(4, 6)),
    "view_keyword": lambda lib, x, s: x.view(size=(4, 6)),
    "roll_keywords": lambda lib, x, s: lib.roll(x, shifts=1, dims=0),
    "rot90_keywords": lambda lib, x, s: lib.rot90(x, k=2, dims=(1, 2)),
    "rot90_negative": lambda lib, x, s: x.rot90(-1, [2, 0]),
    "tril_keyword": lambda lib, x, s: lib.tril(x, diagonal=1),
    "diag_keyword": lambda lib, x, s: lib.diag(x[0], diagonal=1),
    "diag_embed_keywords": lambda lib, x, s: lib.diag_embed(x, offset=1, dim1=0, dim2=1),
    "diag_embed_3d": lambda lib, x, s: x.diag_embed(-2, 3, 1),
    "movedim_keywords": lambda lib, x, s: lib.movedim(x, source=0, destination=2),
    "moveaxis_keywords": lambda lib, x, s: lib.moveaxis(x, source=(0, 1), destination=(1, 0)),
    "movedim_0d": lambda lib, x, s: s.movedim(0, 0),
    "unflatten_keywords": lambda lib, x, s: lib.unflatten(x, dim=1, sizes=(3, 1)),
    "narrow_copy_keywords": lambda lib, x, s: lib.narrow_copy(x, dim=1, start=0, length=2),
    "split_with_sizes_keywords": lambda lib, x, s: lib.split_with_sizes(x, split_sizes=[1, 1], dim=0),
    "tensor_split_sections": lambda lib, x, s: lib.tensor_split(x, sections=2, dim=1),
    "tensor_split_indices": lambda lib, x, s: lib.tensor_split(x, indices=[1], dim=2),
    "tensor_split_tensor_keyword": lambda lib, x, s: lib.tensor_split(x, tensor_indices_or_sections=lib.tensor(2)),
    "tensor_split_tensor_indices": lambda lib, x, s: x.tensor_split(lib.tensor([1, 2]), dim=-1),
    "hsplit_sections": lambda lib, x, s: lib.hsplit(x, sections=3),
    "hsplit_indices": lambda lib, x, s: lib.hsplit(x, indices=[1]),
    "repeat_interleave_keywords": lambda lib, x, s: lib.repeat_interleave(x, repeats=2, dim=0),
    "repeat_interleave_0d": lambda lib, x, s: s.repeat_interleave(2),
    "as_strided_keywords": lambda lib, x, s: lib.as_strided(x, size=(2,), stride=(3,), storage_offset=1),
    "as_strided_0d": lambda lib, x, s: s.as_strided((), ()),
    "as_strided_0d_stride_0": lambda lib, x, s: s.as_strided((2,), (0,)),
    "diagonal_keywords": lambda lib, x, s: lib.diagonal(x, offset=1, dim1=1, dim2=2),
    "swapdims_keywords": lambda lib, x, s: lib.swapdims(x, dim0=0, dim1=2),
    "swapaxes_keywords": lambda lib, x, s: x.swapaxes(axis0=0, axis1=1),
    "hstack_keyword": lambda lib, x, s: lib.hstack(tensors=[x, x]),
    "squeeze_keyword_tuple": lambda lib, x, s: x[:1].squeeze(dim=(0,)),
    "atleast_1d_0d_list": lambda lib, x, s: lib.atleast_1d([s, s]),
    "ravel_0d": lambda lib, x, s: s.ravel(),
    "flip_0d": lambda lib, x, s: s.flip(0),
    "tile_0d": lambda lib, x, s: s.tile(2),
    "roll_0d": lambda lib, x, s: s.roll(3),
    "broadcast_to_0d": lambda lib, x, s: s.broadcast_to(()),
    "meshgrid_one": lambda lib, x, s: lib.meshgrid(s, indexing="ij"),
    "column_stack_0d": lambda lib, x, s: lib.column_stack([s, s]),
    "dstack_0d": lambda lib, x, s: lib.dstack([s, s]),
    "vstack_0d": lambda lib, x, s: lib.vstack([s, s]),
    "hstack_0d": lambda lib, x, s: lib.hstack([s, s]),
}


def _called(lib, name):
    x = lib.arange(24.0).reshape(2, 3, 4)
    s = lib.tensor(3.0)
    out = CALLS[name](lib, x, s)
    outs = out if isinstance(out, tuple) else (out,)
    return type(out).__name__, [(tuple(t.shape), t.tolist()) for t in outs]


@pytest.mark.parametrize("name", CALLS)
def test_call_forms_match_torch(name):
    assert _called(mt, name) == _called(torch, name)


def test_movedim_of_0d_is_an_alias():
    for lib in (torch, mt):
        s = lib.tensor(3.0, requires_grad=True)
        assert s.movedim(0, 0).grad_fn.name() == "AliasBackward0"


def test_tensor_unfold_errors_views_and_0d_match_torch():
    def run(lib):
        out = []
        for args in [(0, 11, 1), (0, 3, 0), (2, 1, 1), (0, 3, -1)]:
            out.append(raised(lambda a=args: lib.arange(10.0).unfold(*a)))
        out.append(raised(lambda: lib.tensor(5.0).unfold(0, 2, 1)))
        out.append(lib.tensor(5.0).unfold(0, 1, 1).tolist())
        out.append(list(lib.tensor(5.0).unfold(-1, 0, 1).shape))
        base = lib.zeros(6)
        view = base.unfold(0, 2, 2)
        view[1, 0] = 7.0  # a view: the write reaches the base, under the same version counter
        out += [base.tolist(), view._version == base._version, list(lib.zeros(2, 5).unfold(1, 2, 1).stride())]
        return out

    assert run(mt) == run(torch)
